//! USB keys at the key desk. Owns the key side over PKCS#11 modules and SKF libraries (finding tokens by label or serial, never by
//! slot id; initialising; user and SO PINs with the token's own try counters; key pairs made on
//! the token; the certificate request signed by the token; writing and reading back the issued
//! certificate, its chain and the seal image), the configured list of vendor modules, SM2 through
//! vendor PKCS#11 profiles (`sm2_profiles` as data, `pkcs11_sm2` the raw calls), and the
//! PC/SC side (readers, inserted and removed keys, ATR → key model), and staff signatures
//! (`staff`: a counter member's key signing a statement, and its check). Knows
//! nothing of cases, the GUI or the database: the CLI and the app tie issuance to a case.

#![warn(clippy::unwrap_used)]

pub mod cert;
pub mod chain;
pub mod library_check;
pub mod modules;
pub mod pin;
pub mod pkcs11_sm2;
pub mod readers;
pub mod sm2_profiles;
pub mod staff;
pub mod token;

pub use certdesk_gm::{DistId, DistIdError};
pub use library_check::{LibraryCheck, check_library};
pub use pin::Pin;
pub use token::{
    Algo, Backend, CertUsage, DeviceProblem, DualAnswer, EncImported, EnvelopeFormat, KeyView, Keys, ModuleProblem, ONLINE_NOT_FOR_SM2, PinRefusal, ReadBack, Subject, TokenError,
    TokenSel, TokenView,
};
