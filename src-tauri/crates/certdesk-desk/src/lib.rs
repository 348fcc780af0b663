//! The application API (`api`: the case store as the adapters hold it, sessions and one desk
//! method per use case) and the counter's workflows behind it, shared by the `certdesk` CLI and
//! the desktop app so that both do the same thing the same way: which store opens and where a
//! hall's password comes from (`place`), folders, file names and limits (`folders`, `limits`),
//! days (`dates`), the intake's helpers that need no store (`intake`), printing a case's forms
//! (`print`), importing the seal sheet of a case (`seal`), issuing a case's USB key step by
//! step (`issue`) and every other key operation (`keydesk`), the certificates on the key an
//! applicant brings (`old_key`), the counter's reports (`report`,
//! with CSV and XLSX writers). Every read and change goes through a `Desk` opened for a
//! signed-in account; roles, four-eyes and the approval are decided by the domain's workflow
//! inside the store's transactions. This crate knows nothing of Tauri, terminals, prompts or
//! the process environment: passwords and PINs come in as zeroizing values, the environment
//! as a value the adapter read (`place::Environment`).
//!
//! The adapters depend on this crate alone among certdesk's (a test reads `cargo metadata`):
//! what they need of the lower crates is re-exported below as plain data, never a way to
//! write. An adapter reaches the store through a signed-in session only (compiled, not run:
//! it opens a store on this PC; `tests/desk.rs` runs the same calls):
//!
//! ```no_run
//! use certdesk_desk::{api::Session, place, store::Password};
//! let mut store = place::open_file(std::path::Path::new("c.db"))?;
//! let mut session = Session::sign_in(&mut store, "zhang", &Password::new("…".into()))?;
//! let desk = session.desk(&mut store)?;
//! let who = desk.actor().name();
//! # Ok::<(), certdesk_desk::DeskError>(())
//! ```
//!
//! and cannot reach it past a session, nor make an account of its own (each refusal below is
//! the compiler's; the codes name why, as checked by hand: stable rustdoc does not compare them):
//!
//! ```compile_fail,E0599
//! // the store is not lent out by a desk
//! fn peek(desk: &certdesk_desk::api::Desk<'_>) {
//!     let _ = desk.store();
//! }
//! ```
//!
//! ```compile_fail,E0432
//! // an account comes only from a sign-in: the store's proof is not re-exported here
//! use certdesk_desk::domain::workflow::{AccountChecked, Actor, Role};
//! let forged = Actor::new(AccountChecked::by_the_store(), "eve", vec![Role::Admin]);
//! ```
//!
//! ```compile_fail,E0451
//! // nor by hand: its fields are private
//! use certdesk_desk::domain::workflow::{Actor, Role};
//! let forged = Actor { name: "eve".into(), roles: vec![Role::Admin] };
//! ```
//!
//! ```compile_fail,E0433
//! // and the store itself is no name an adapter can use
//! let store = certdesk_desk::store::Store::open(std::path::Path::new("c.db"));
//! ```

#![warn(clippy::unwrap_used)]

pub mod api;
pub mod audit_log;
pub mod batch_pins;
pub mod briefing;
pub mod chip_reads;
pub mod dates;
pub mod due;
mod error;
pub mod folders;
pub mod idcard;
pub mod intake;
pub mod intake_form;
pub mod invoices;
pub mod issue;
pub mod keydesk;
pub mod limits;
pub mod materials;
pub mod old_key;
pub mod online;
pub mod operator_ca;
pub mod payments;
pub mod place;
pub mod print;
pub mod recovery_sheet;
pub mod report;
pub mod roster;
pub mod rounds;
pub mod seal;
pub mod sign_ins;
pub mod staff;
pub mod steps;
pub mod support;
pub mod triage;
pub mod unit;
pub mod unit_proof;
pub mod xlsx;

pub(crate) use error::io;
pub use error::{DeskError, ErrorKind};

/// The CA projects as data (`forms/<project>/catalog.toml`): what the adapters show and pass
/// back in; loading it is `intake::load_catalog`.
pub use certdesk_catalog as catalog;

/// The domain's data and its rules' answers (identifiers, the case JSON model, money, case
/// numbers, statuses, roles), without the store's proof that makes an account
/// (`workflow::AccountChecked`).
pub mod domain {
    pub use certdesk_domain::{
        Action, BusinessType, CaseData, CaseNumber, CertKind, Delivery, DeliveryMethod, FieldProblem, IdType, Invoice, InvoiceType, MaterialReceived, Medium, Money, PaymentMethod,
        Severity, Status, UnitProof, case, ident, money, number, status, steps, workdays,
    };
    /// Who may do what: the roles, the acting account (read-only), what an account may do to
    /// a case.
    pub mod workflow {
        pub use certdesk_domain::workflow::{Actor, AllowedAction, CaseCapabilities, Role, RoleList, RuleError};
    }
}

/// The store's data as the desk hands it out: read-only values, no store and no way to write.
pub mod store {
    /// What settling an operation a crash interrupted did (#78): said once by the adapters.
    pub use certdesk_store::journal::{Notice, Operation};
    /// Staff keys' enrolments and what `audit verify` says of the signatures (#31).
    pub use certdesk_store::staff_keys::{Enrolment, SignatureProblem, SignatureReport};
    pub use certdesk_store::{
        Account, AttachmentInfo, AuditAction, AuditEvent, BackupReport, CaseRecord, CaseSummary, DueCase, HeldCase, Migrated, Password, PurgeReport, RefusedCase, Restored, SignIn,
        VerifyReport, detail,
    };
    /// The bank's credits as stored (#73).
    pub mod payments {
        pub use certdesk_store::payments::{Credit, CreditState};
    }
    /// A hall's address and server password (data the adapters read and hand in).
    pub mod pg {
        pub use certdesk_store::pg::{HallAddress, HallStatus, ServerName, ServerPassword, ServerRole, ServerState, Standby, schema::Granted};
    }
}

/// The USB keys' data: what a key, its slot, its contents and a reader look like; PINs.
pub mod token {
    pub use certdesk_token::readers::{PcscProblem, ReaderEvent, ReaderState};
    pub use certdesk_token::token::{CertUsage, CertView, Contents, DataView, EnvelopeFormat, SlotView};
    pub use certdesk_token::{Algo, Backend, KeyView, LibraryCheck, Pin, TokenSel, TokenView};
}

/// Files readable by this account only (the app's state files, its log folder, a crash
/// report): never the store.
pub use certdesk_store::private;

/// The printed forms, loaded once (`print::load_forms`) and handed back to the desk.
pub mod forms {
    pub use certdesk_forms::{FormInfo, Forms};
}
