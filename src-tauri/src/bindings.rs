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
            certdesk_desk::domain::workflow::Role,
            certdesk_desk::domain::workflow::Actor,
            certdesk_desk::domain::ident::Checked,
            certdesk_desk::domain::case::LegalRep,
            certdesk_desk::domain::case::Organization,
            certdesk_desk::domain::case::Handler,
            certdesk_desk::domain::case::Employee,
            certdesk_desk::domain::case::Payment,
            certdesk_desk::domain::Delivery,
            certdesk_desk::domain::case::Channel,
            certdesk_desk::domain::case::Arrival,
            certdesk_desk::domain::case::Postage,
            certdesk_desk::domain::Invoice,
            certdesk_desk::domain::MaterialReceived,
            certdesk_desk::domain::CaseData,
            certdesk_desk::domain::UnitProof,
            certdesk_desk::domain::FieldProblem,
            certdesk_desk::domain::Severity,
            certdesk_desk::catalog::FeeQuote,
            certdesk_desk::catalog::FeeLine,
            certdesk_desk::catalog::FeeGroup,
            certdesk_desk::intake::RowOrder,
            certdesk_desk::intake_form::IntakeForm,
            certdesk_desk::old_key::UnitCertificate,
            certdesk_desk::batch_pins::BatchPinsHeld,
            certdesk_desk::old_key::BroughtCert,
            certdesk_desk::old_key::BroughtSubject,
            certdesk_desk::triage::Triage,
            certdesk_desk::triage::Typed,
            certdesk_desk::unit::IntakeTyped,
            certdesk_desk::unit::IntakeOnFile,
            certdesk_desk::unit::LetterOnFile,
            certdesk_desk::triage::Difference,
            certdesk_desk::triage::Refused,
            certdesk_desk::catalog::Validity,
            certdesk_desk::catalog::TriageRoute,
            certdesk_desk::intake_form::Section,
            certdesk_desk::intake_form::FieldSpec,
            certdesk_desk::intake_form::Choice,
            certdesk_desk::intake_form::When,
            certdesk_desk::intake_form::RuleView,
            certdesk_desk::catalog::Per,
            certdesk_desk::catalog::MaterialItem,
            certdesk_desk::catalog::MaterialKind,
            certdesk_desk::store::CaseSummary,
            certdesk_desk::store::AuditEvent,
            certdesk_desk::store::AttachmentInfo,
            certdesk_desk::token::TokenView,
            certdesk_desk::token::LibraryCheck,
            certdesk_desk::sign_ins::SignIns,
            certdesk_desk::store::SignIn,
            certdesk_desk::audit_log::AuditQuery,
            certdesk_desk::audit_log::AuditPage,
            certdesk_desk::recovery_sheet::RecoverySheet,
            certdesk_desk::token::Backend,
            certdesk_desk::token::SlotView,
            certdesk_desk::token::KeyView,
            certdesk_desk::token::Algo,
            certdesk_desk::token::CertView,
            certdesk_desk::token::CertUsage,
            certdesk_desk::token::EnvelopeFormat,
            certdesk_desk::token::DataView,
            certdesk_desk::token::Contents,
            certdesk_desk::token::ReaderState,
            certdesk_desk::token::PcscProblem,
            certdesk_desk::print::FormPages,
            certdesk_desk::print::Sheet,
            certdesk_desk::print::Preview,
            certdesk_desk::idcard::CardForIntake,
            certdesk_desk::store::pg::HallStatus,
            certdesk_desk::store::pg::ServerName,
            certdesk_desk::store::pg::ServerState,
            certdesk_desk::store::pg::ServerRole,
            certdesk_desk::store::pg::Standby,
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
            certdesk_desk::report::CaseRow,
            certdesk_desk::report::WithdrawnCert,
            certdesk_desk::report::Expiring,
            certdesk_desk::due::DueList,
            certdesk_desk::due::PromisedCase,
            certdesk_desk::due::AwaitingCase,
            certdesk_desk::due::ReturnedCase,
            certdesk_desk::payments::ImportReport,
            certdesk_desk::store::payments::Credit,
            certdesk_desk::store::payments::CreditState,
            crate::commands::Status_,
            certdesk_desk::staff::KeyWatch,
            certdesk_desk::print::LedgerPrinted,
            certdesk_desk::staff::LedgerCheck,
            certdesk_desk::report::LedgerClose,
            certdesk_desk::staff::CloseBlocked,
            crate::commands::SignedIn,
            crate::commands::SetUp,
            certdesk_desk::domain::workflow::AllowedAction,
            certdesk_desk::domain::workflow::CaseCapabilities,
            certdesk_desk::api::CaseView,
            certdesk_desk::api::CaseHoldView,
            certdesk_desk::api::QueuedCase,
            certdesk_desk::steps::StepState,
            certdesk_desk::steps::CaseSteps,
            certdesk_desk::rounds::CertState,
            certdesk_desk::rounds::BatchView,
            certdesk_desk::rounds::PlugKey,
            certdesk_desk::rounds::RequestPackage,
            certdesk_desk::issue::BatchImported,
            certdesk_desk::online::RaView,
            certdesk_desk::online::Enrolled,
            certdesk_desk::keydesk::RequestsFolder,
            certdesk_desk::issue::AnswerRefusal,
            certdesk_desk::api::CasePage,
            crate::pick::PickKind,
            crate::desks::help::HelpTopic,
            crate::commands::Imported,
            certdesk_desk::intake::ProjectView,
            certdesk_desk::ErrorKind,
            crate::error::IpcError,
            certdesk_desk::print::Printed,
            crate::desks::print::PrintOutcome,
            certdesk_desk::keydesk::KeySlots,
            certdesk_desk::issue::DeskStep,
            certdesk_desk::report::Exported,
            certdesk_desk::support::LogExport,
            crate::desks::admin::AccountView,
            crate::desks::admin::BackedUp,
            crate::desks::admin::Restored,
            certdesk_desk::place::StorePlaceView,
            certdesk_desk::place::HallChecked,
            certdesk_desk::place::ChosenBy,
            certdesk_desk::folders::ScanFile,
            certdesk_desk::api::FrontPage,
            certdesk_desk::intake::Label,
            certdesk_desk::intake::Labels,
            certdesk_desk::materials::ItemState,
            certdesk_desk::catalog::MaterialState,
            certdesk_desk::store::detail::CaseChange,
            certdesk_desk::store::detail::Handover,
            certdesk_desk::store::detail::StepConfirmed,
            certdesk_desk::store::detail::Reissued,
            certdesk_desk::store::detail::FileAdded,
            certdesk_desk::store::detail::CertWithdrawn,
            certdesk_desk::store::detail::SealSheet,
            certdesk_desk::store::detail::SealRowVerdict,
            certdesk_desk::store::detail::RedactedEvent,
            certdesk_desk::store::detail::ApprovalSigned,
            certdesk_desk::store::detail::KeyEnrolled,
            certdesk_desk::store::detail::KeyEnded,
            certdesk_desk::store::detail::DayClosed,
            certdesk_desk::staff::DayVerdict,
            certdesk_desk::staff::AfterClose,
            certdesk_desk::store::Enrolment,
            certdesk_desk::api::SessionKey,
            certdesk_desk::staff::ApprovalSignatureView,
            certdesk_desk::store::detail::FormsPrinted,
            certdesk_desk::store::detail::TokenInitialized,
            certdesk_desk::store::detail::KeyGenerated,
            certdesk_desk::store::detail::CertificateImported,
            certdesk_desk::store::detail::CertificateWritten,
            certdesk_desk::store::detail::EncryptionImported,
            certdesk_desk::store::detail::SealImageWritten,
            certdesk_desk::store::detail::TokenChanged,
            certdesk_desk::store::detail::BackupWritten,
            certdesk_desk::store::detail::StoreRestored,
            certdesk_desk::store::detail::StoreMigrated,
            certdesk_desk::store::detail::StatementImported,
            certdesk_desk::store::detail::PaymentConfirmed,
            certdesk_desk::store::detail::UnitProved,
            certdesk_desk::store::detail::StoreEncrypted,
            certdesk_desk::store::detail::StoreRecovered,
            certdesk_desk::store::detail::StoreRekeyed,
            certdesk_desk::store::PurgeReport,
            certdesk_desk::store::DueCase,
            certdesk_desk::store::HeldCase,
            certdesk_desk::store::RefusedCase,
            certdesk_desk::store::detail::CaseHold,
            certdesk_desk::store::detail::Purged,
            certdesk_desk::store::detail::SettingChanged,
            certdesk_desk::store::detail::AccountChange,
            certdesk_desk::store::detail::DesksGranted,
            certdesk_desk::seal::FindingView,
            certdesk_desk::seal::CaseSeal,
            certdesk_desk::seal::ClerkAcceptance,
            certdesk_desk::store::detail::SealAccepted,
            certdesk_desk::store::detail::SealFinding,
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
        for action in certdesk_desk::store::AuditAction::ALL {
            let owner = certdesk_desk::store::detail::ALL.iter().find(|(_, actions)| actions.contains(action)).map(|(name, _)| *name).unwrap_or("JsonValue");
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
