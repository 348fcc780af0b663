//! The TypeScript declarations of every type that crosses the IPC edge, generated from the
//! Rust types (ts-rs) into `ui/src/bindings.ts`, which `ui/src/ipc.ts` uses. A test fails when
//! the committed file differs from what the Rust types say (regenerate with
//! `CERTDESK_UPDATE_BINDINGS=1 cargo test -p certdesk-app bindings`).

#[cfg(test)]
mod tests {
    use ts_rs::{Config, TS};

    macro_rules! declarations {
        ($cfg:expr; $($t:ty),+ $(,)?) => {{
            let mut out = Vec::new();
            $( out.push(format!("export {}", <$t as TS>::decl($cfg))); )+
            out
        }};
    }

    fn generate() -> String {
        let cfg = Config::new().with_large_int("number");
        let cfg = &cfg;
        let decls = declarations!(cfg;
            certdesk_domain::workflow::Role,
            certdesk_domain::workflow::Actor,
            certdesk_domain::ident::Checked,
            certdesk_domain::case::LegalRep,
            certdesk_domain::case::Organization,
            certdesk_domain::case::Handler,
            certdesk_domain::case::Employee,
            certdesk_domain::case::Payment,
            certdesk_domain::Delivery,
            certdesk_domain::Invoice,
            certdesk_domain::MaterialReceived,
            certdesk_domain::CaseData,
            certdesk_domain::FieldProblem,
            certdesk_domain::Severity,
            certdesk_catalog::FeeQuote,
            certdesk_catalog::FeeLine,
            certdesk_catalog::Per,
            certdesk_catalog::MaterialItem,
            certdesk_catalog::MaterialKind,
            certdesk_store::CaseSummary,
            certdesk_store::AuditEvent,
            certdesk_store::AttachmentInfo,
            certdesk_token::TokenView,
            certdesk_token::token::SlotView,
            certdesk_token::KeyView,
            certdesk_token::Algo,
            certdesk_token::token::CertView,
            certdesk_token::token::CertUsage,
            certdesk_token::token::EnvelopeFormat,
            certdesk_token::token::DataView,
            certdesk_token::token::Contents,
            certdesk_token::readers::ReaderState,
            certdesk_token::readers::PcscProblem,
            certdesk_desk::print::FormPages,
            certdesk_desk::print::Sheet,
            certdesk_desk::print::Preview,
            certdesk_desk::seal::SampleView,
            certdesk_desk::seal::RowView,
            certdesk_desk::seal::Verdict,
            certdesk_desk::issue::StepView,
            certdesk_desk::issue::KeyStatus,
            certdesk_desk::issue::Generated,
            certdesk_desk::issue::ImportedCert,
            certdesk_desk::issue::Written,
            certdesk_desk::issue::EncWritten,
            certdesk_desk::issue::SealWritten,
            certdesk_desk::issue::SealImageOnKey,
            certdesk_desk::materials::Missing,
            certdesk_desk::materials::MaterialsState,
            certdesk_desk::briefing::Briefing,
            certdesk_desk::briefing::BankDetails,
            certdesk_desk::report::LedgerRow,
            certdesk_desk::report::DailyLedger,
            certdesk_desk::report::InvoiceRow,
            certdesk_desk::report::Expiring,
            crate::commands::Status_,
            certdesk_domain::workflow::AllowedAction,
            certdesk_domain::workflow::CaseCapabilities,
            certdesk_desk::api::CaseView,
            certdesk_desk::steps::StepState,
            certdesk_desk::steps::CaseSteps,
            certdesk_desk::api::CasePage,
            crate::pick::PickKind,
            crate::commands::Imported,
            crate::commands::ProjectView,
            certdesk_desk::ErrorKind,
            crate::error::IpcError,
            crate::desk::Printed,
            crate::desk::PrintOutcome,
            crate::desk::KeySlots,
            crate::desk::KeyStatusView,
            crate::desk::Exported,
            crate::desk::AccountView,
            crate::desk::BackedUp,
            crate::desk::Restored,
            crate::desk::StorePlaceView,
            crate::desk::HallChecked,
            crate::store_place::ChosenBy,
            crate::desk::ScanFile,
            certdesk_store::detail::CaseChange,
            certdesk_store::detail::Handover,
            certdesk_store::detail::StepConfirmed,
            certdesk_store::detail::Reissued,
            certdesk_store::detail::FileAdded,
            certdesk_store::detail::SealSheet,
            certdesk_store::detail::SealRowVerdict,
            certdesk_store::detail::FormsPrinted,
            certdesk_store::detail::TokenInitialized,
            certdesk_store::detail::KeyGenerated,
            certdesk_store::detail::CertificateImported,
            certdesk_store::detail::CertificateWritten,
            certdesk_store::detail::EncryptionImported,
            certdesk_store::detail::SealImageWritten,
            certdesk_store::detail::TokenChanged,
            certdesk_store::detail::BackupWritten,
            certdesk_store::detail::StoreRestored,
            certdesk_store::detail::StoreMigrated,
            certdesk_store::detail::SettingChanged,
            certdesk_store::detail::AccountChange,
        );
        let mut text = String::from(
            "// Generated from the Rust types by ts-rs (src-tauri/src/bindings.rs): do not edit.\n// A test fails when this file and the Rust types disagree.\n/* eslint-disable */\nexport type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null\n\n",
        );
        for d in decls {
            text.push_str(d.trim_end());
            text.push_str("\n\n");
        }
        // which detail type each audit action carries (from the store's own table)
        text.push_str("/** The `detail` of an audit event, by its action. */\nexport type EventDetails = {\n");
        for action in certdesk_store::AuditAction::ALL {
            let owner = certdesk_store::detail::ALL.iter().find(|(_, actions)| actions.contains(action)).map(|(name, _)| *name).unwrap_or("JsonValue");
            text.push_str(&format!("  {}: {owner},\n", action.wire()));
        }
        text.push_str("}\n");
        text.trim_end().to_string() + "\n"
    }

    #[test]
    fn bindings_match_the_rust_types() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let want = generate();
        if std::env::var_os("CERTDESK_UPDATE_BINDINGS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} differs from the Rust IPC types: regenerate it with CERTDESK_UPDATE_BINDINGS=1 cargo test -p certdesk-app bindings, and adapt ui/src/ipc.ts",
            path.display()
        );
    }
}
