//! certdesk's domain: identifiers, the case and its JSON, money and Chinese numerals, case
//! numbers and the case state machine. Pure data and rules: no files, no database, no clock
//! except where a caller passes today's date.

#![warn(clippy::unwrap_used)]

pub mod case;
pub mod certs;
pub mod ident;
pub mod mask;
pub mod money;
pub mod number;
pub mod password_policy;
pub mod promise;
pub mod purge;
pub mod retention;
pub mod staff;
pub mod status;
pub mod steps;
pub mod workdays;
pub mod workflow;

pub use case::{
    Arrival, BusinessType, CaseData, CertKind, Channel, Delivery, DeliveryMethod, Employee, FieldProblem, IdSource, IdType, Invoice, InvoiceType, MaterialReceived, Medium,
    PaymentMethod, Postage, Severity, UnitProof, same_unit, validate_employee,
};
pub use money::Money;
pub use number::CaseNumber;
pub use status::{Action, Status};

#[cfg(test)]
mod module_docs {
    /// Every module says what it owns (rust-analyzer's `check_docs` idea).
    #[test]
    fn every_source_file_starts_with_a_module_doc() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut missing = Vec::new();
        let mut stack = vec![root.join("crates")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if path.file_name().is_some_and(|n| n != "target") {
                        stack.push(path);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") && path.components().any(|c| c.as_os_str() == "src") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if !text.trim_start().starts_with("//!") {
                        missing.push(path.display().to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "source files without a //! module doc: {missing:#?}");
    }

    /// Library crates read no environment variable and no path of the source tree they were
    /// built from: an installed program gets its resources and settings from the front end (the
    /// CLI and the app read the environment; the test crates may). Checked up to each file's
    /// first `#[cfg(test)]`.
    #[test]
    fn library_crates_read_no_environment_and_no_source_paths() {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let front_ends = ["certdesk-cli", "certdesk-testkit", "certdesk-pkcs11-shim", "certdesk-skf-soft", "certdesk-idcard-soft"];
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&crates).unwrap().flatten() {
            if front_ends.iter().any(|f| entry.file_name() == *f) {
                continue;
            }
            let mut stack = vec![entry.path().join("src")];
            while let Some(dir) = stack.pop() {
                for file in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = file.path();
                    if path.is_dir() {
                        // benchmark binaries are programs of their own
                        if path.file_name().is_some_and(|n| n != "bin") {
                            stack.push(path);
                        }
                    } else if path.extension().is_some_and(|e| e == "rs") {
                        let text = std::fs::read_to_string(&path).unwrap();
                        let code = text.split("#[cfg(test)]").next().unwrap_or("");
                        for needle in ["env::var", "CARGO_MANIFEST_DIR"] {
                            if code.contains(needle) {
                                found.push(format!("{}: {needle}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(found.is_empty(), "library code reading the environment or the source tree: {found:#?}");
    }
}
