//! What each audit event says (its `detail`), as types. The field names are on the hash chain
//! and read by `audit show`, the reports, the key desk's resume and the UI (exported to
//! TypeScript), so they only ever grow; absent optional fields are left out, as they always
//! were. Each type names the actions whose detail it is. Owns the shapes, not when events are
//! written (the store's and the desk's methods).

use crate::audit::AuditAction;
use certdesk_domain::workflow::Role;
use serde::{Deserialize, Serialize};

/// A type that is the detail of events of `ACTIONS`.
pub trait EventDetail: Serialize {
    const ACTIONS: &'static [AuditAction];
}

/// The detail of an event of `action`, as the chain stores it. A detail type used for an action
/// it does not describe is a programming error, caught by the tests.
pub fn value_of<D: EventDetail>(action: AuditAction, detail: &D) -> serde_json::Value {
    debug_assert!(D::ACTIONS.contains(&action), "{} is not a detail of {}", std::any::type_name::<D>(), action.wire());
    // plain structs of strings and numbers always serialize
    serde_json::to_value(detail).unwrap_or_default()
}

/// An action with its detail, for methods that write the event themselves (files, notes).
#[derive(Debug, Clone)]
pub struct EventBody {
    pub action: AuditAction,
    pub detail: serde_json::Value,
}

impl EventBody {
    pub fn new<D: EventDetail>(action: AuditAction, detail: &D) -> EventBody {
        EventBody { action, detail: value_of(action, detail) }
    }
}

macro_rules! details {
    ($($(#[$meta:meta])* $name:ident [$($action:ident),+] { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? })+) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
            #[ts(optional_fields)]
            pub struct $name {
                $($(#[$fmeta])* #[serde(default, skip_serializing_if = "absent")] pub $field: $ty,)*
            }
            impl EventDetail for $name {
                const ACTIONS: &'static [AuditAction] = &[$(AuditAction::$action),+];
            }
        )+
        /// Every detail type's actions, for the test that each action has exactly one.
        pub const ALL: &[(&str, &[AuditAction])] = &[$((stringify!($name), $name::ACTIONS)),+];
    };
}

/// Whether a field is left out of the stored JSON: only absent options are (as the events
/// always had them); the macro asks every field, whatever its type.
trait MaybeAbsent {
    fn is_absent(&self) -> bool {
        false
    }
}
impl<T> MaybeAbsent for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}
impl MaybeAbsent for String {}
impl MaybeAbsent for bool {}
impl MaybeAbsent for usize {}
impl MaybeAbsent for u32 {}
impl MaybeAbsent for u64 {}
impl MaybeAbsent for f32 {}
impl MaybeAbsent for i64 {}
impl<T> MaybeAbsent for Vec<T> {}
fn absent<T: MaybeAbsent>(value: &T) -> bool {
    value.is_absent()
}

details! {
    /// A case's status moved (or its data changed, or files sent it back to review): from and
    /// to, who with which roles, the reason where one is required, the approval's digest.
    CaseChange [Create, Accept, Submit, Approve, Return, Edit, IssueKey, Deliver, Close, Cancel, FilesChanged] {
        from: Option<String>,
        to: String,
        roles: Option<Vec<Role>>,
        reason: Option<String>,
        approval_digest: Option<String>,
        /// files_changed: the files whose arrival voided the approval
        files: Option<Vec<String>>,
        /// deliver: how the key went back and to whom
        handover: Option<Handover>,
        /// submit / approve: the materials not handed in, each with the applicant's promise
        /// (`id: note`); at approval, what the supervisor accepted
        to_follow: Option<Vec<String>>,
        /// approve: the supervisor's key's signature over the approval statement (#31)
        signature: Option<ApprovalSigned>,
    }
    /// A step done outside certdesk (in the CA's system, on the applicant's phone), recorded
    /// with its reference.
    StepConfirmed [StepDone] { step: String, title: String, reference: Option<String> }
    /// A supervisor allowed a second key.
    Reissued [Reissue] {
        reason: String,
        roles: Vec<Role>,
        /// the certificate whose second key is allowed (absent: certificate 1) and its holder
        cert: Option<u32>,
        holder: Option<String>,
    }
    /// A supervisor withdrew one certificate of a case before its key was made (an employee
    /// left), with a reason; the case is issued without it.
    CertWithdrawn [CertWithdrawn] { cert: u32, holder: String, holder_id: Option<String>, reason: String, roles: Vec<Role> }
    /// A file kept with a case.
    FileAdded [AttachmentAdded] { name: String, mime: String, size: usize, sha256: String }
    /// The seal sheet's verdict: the scan, its rows and the chosen seals kept.
    SealSheet [SealImported] {
        file: String,
        sha256: String,
        dpi: f32,
        rows: Vec<SealRowVerdict>,
        stored: Vec<String>,
        /// set by the store when the sheet sent an approved case back to review
        from: Option<String>,
        to: Option<String>,
        /// #34: where the resolution came from (`option`, `file`, `a4_page`, `assumed`,
        /// `paper_edges`), why the sizes may be wrong (absent: trusted), and the SHA-256 of the
        /// rules that judged the sheet (`certdesk_seal::thresholds::THRESHOLDS_JSON`). Absent
        /// on events written before: those hash as they always did.
        dpi_source: Option<String>,
        size_warning: Option<String>,
        thresholds_sha256: Option<String>,
        /// #34: the SHA-256 of the code and limits that judged the sheet
        /// (`certdesk_seal::VERDICTS_SHA256`), which moves when a measure changes in code and
        /// the limits do not. Absent on events written before.
        verdicts_sha256: Option<String>,
        /// #74: what the printed sheet's boxes are for, row by row (the layout's seal slots),
        /// when the scan's rows were read by it (`certdesk_seal::ImportOptions::printed_rows`),
        /// so the sheet is judged again the same way; absent when the ink alone named them.
        printed_rows: Option<Vec<Vec<String>>>,
        /// #76: the paper's colour left to the clerk's eye, asked once for the sheet (its tint
        /// lies where a light stock and a scanner's or camera's colour cast read alike): the
        /// most tinted box's reading, as the counter screen showed it; absent when the paper was
        /// read, and on events written before.
        paper_unchecked: Option<SealFinding>,
    }
    /// The clerk accepted an impression the importer doubted (#34, design §7.2): which one
    /// (the sheet's SHA-256, row and column), the name it is kept under with the case and the
    /// SHA-256 of the image it replaced (none: the row had no seal stored), the labels and the
    /// findings overridden, the checks the importer could not make on it, the clerk's note.
    SealAccepted [SealAccepted] {
        sheet_sha256: String,
        row: usize,
        col: usize,
        kind: String,
        stored: String,
        replaced: Option<String>,
        defects: Vec<String>,
        findings: Vec<SealFinding>,
        /// the checks not made (the quantity that stopped each, its value and limit), which the
        /// clerk was shown when accepting; absent when every check was made, and on events
        /// written before they were recorded
        unchecked: Option<Vec<SealFinding>>,
        note: Option<String>,
        /// the impression's size as measured (round: diameter; square: the mean side)
        diameter_mm: Option<f64>,
        side_mm: Option<f64>,
        /// set by the store when the acceptance sent an approved case back to review
        from: Option<String>,
        to: Option<String>,
    }
    /// The forms printed: which, how many pages, the PDF kept and its SHA-256.
    FormsPrinted [FormsPrinted] { forms: Vec<String>, pages: usize, file: String, pdf_sha256: String }
    /// Key desk step 1 (also a key initialised for no case).
    TokenInitialized [TokenInitialized] {
        token_serial: String,
        token_label: String,
        model: String,
        /// the user PIN set is a CA's published default (the applicant must change it)
        pin_is_default: Option<bool>,
        /// which certificate of the case (1-based; absent on events written before a case
        /// could have several: certificate 1), its holder and the holder's identifier
        cert: Option<u32>,
        holder: Option<String>,
        holder_id: Option<String>,
        /// the wrong user PINs the key takes before it locks, where this initialisation set
        /// them (an SKF key: the case's project's `[pin] max_tries`, else 10); absent on a
        /// PKCS#11 key, which keeps its own
        user_pin_tries: Option<u32>,
    }
    /// Key desk step 2: the key pair on the key and its request.
    KeyGenerated [KeyGenerated] {
        token_serial: String,
        token_label: String,
        key_id: String,
        algo: String,
        public_key_sha256: String,
        csr: String,
        /// the request package the CA receives (a case's key; none for a key made for no case)
        package: Option<String>,
        /// the PIN used is a CA's published default
        pin_is_default: Option<bool>,
        /// which certificate of the case (1-based; absent on events written before a case
        /// could have several: certificate 1), its holder and the holder's identifier
        cert: Option<u32>,
        holder: Option<String>,
        holder_id: Option<String>,
    }
    /// Key desk step 3: the issued certificate checked and kept.
    CertificateImported [CertificateImported] {
        certificate_serial: String,
        subject: String,
        issuer: String,
        not_after: String,
        /// certificates kept after the issued one (intermediates and the anchor)
        chain: usize,
        issuer_trusted: Option<bool>,
        anchor: Option<String>,
        left_out: Option<Vec<String>>,
        file_sha256: Option<String>,
        from: Option<String>,
        to: Option<String>,
        /// where the answer came from when not a file: `scep <RA's address>` (#72)
        via: Option<String>,
        /// which certificate of the case (1-based; absent on events written before a case
        /// could have several: certificate 1), its holder and the holder's identifier
        cert: Option<u32>,
        holder: Option<String>,
        holder_id: Option<String>,
    }
    /// Key desk step 4.
    CertificateWritten [CertificateWritten] {
        token_serial: String,
        key_id: String,
        certificate_serial: String,
        subject: String,
        not_after: String,
        verified: bool,
        /// certificates already on the key (a renewal onto the applicant's key): serial and subject
        previous: Option<Vec<String>>,
        pin_is_default: Option<bool>,
        /// which certificate of the case (1-based; absent on events written before a case
        /// could have several: certificate 1), its holder and the holder's identifier
        cert: Option<u32>,
        holder: Option<String>,
        holder_id: Option<String>,
    }
    /// Key desk, dual certificates: the encryption key pair the CA's KMC enveloped to the
    /// signing key opened on the key, and the encryption certificate written beside it.
    EncryptionImported [EncryptionImported] {
        token_serial: String,
        key_id: String,
        /// `gmt0009`, `skf` or `gmt0092`: the container the envelope came in
        envelope_format: String,
        certificate_serial: String,
        subject: String,
        issuer: String,
        not_after: String,
        /// the encryption certificate chains to a CA certificate the project configures
        issuer_trusted: bool,
        /// SHA-256 of the CA's answer file as received (the envelope itself is not kept)
        file_sha256: String,
        verified: bool,
        pin_is_default: Option<bool>,
        /// which certificate of the case (1-based; absent on events written before a case
        /// could have several: certificate 1), its holder and the holder's identifier
        cert: Option<u32>,
        holder: Option<String>,
        holder_id: Option<String>,
    }
    /// Key desk step 5 (also an image written to a key for no case).
    SealImageWritten [SealWritten] {
        token_serial: String,
        image: String,
        size: usize,
        sha256: String,
        pin_is_default: Option<bool>,
        /// which certificate of the case (1-based; absent on events written before a case
        /// could have several: certificate 1), its holder and the holder's identifier
        cert: Option<u32>,
        holder: Option<String>,
        holder_id: Option<String>,
    }
    /// A key unlocked, wiped or its PIN changed: which key (serial, label, model), and
    /// whether the user PIN it has now is a CA's published default (never the PIN).
    TokenChanged [TokenUnlocked, TokenWiped, PinChanged] {
        token_serial: String,
        token_label: Option<String>,
        model: Option<String>,
        pin_is_default: Option<bool>,
    }
    /// A checked backup.
    BackupWritten [StoreBackup] { path: String, cases: i64, bytes: u64 }
    /// The store replaced by a backup: the file, its SHA-256, where the replaced store was kept.
    StoreRestored [StoreRestored] { file: String, sha256: String, kept: String, cases: i64 }
    /// A bank statement imported: the file, its SHA-256, its credits, how many were new, and of
    /// those how many matched waiting cases, matched none or were refused.
    StatementImported [StatementImported] { file: String, sha256: String, credits: i64, new: i64, matched: i64, unmatched: i64, refused: i64 }
    /// A bank credit confirmed as a case's money: the credit, its day, amount and payer, and
    /// the cases it paid together.
    PaymentConfirmed [PaymentConfirmed] { credit: String, day: String, amount: String, payer: String, cases: Vec<String> }
    /// The unit proved by its own certificate: the certificate's serial, subject and issuer,
    /// the project's CA it chained to, the signature's algorithm, the challenge's SHA-256.
    UnitProved [UnitProved] { serial: String, subject: String, issuer: String, anchor: String, algorithm: String, challenge_sha256: String }
    /// A store file moved into the hall: the file, its SHA-256, the events and cases copied,
    /// the file's chain head (which the hall's chain continues).
    StoreMigrated [StoreMigrated] { file: String, sha256: String, events: i64, cases: i64, source_head: Option<String> }
    /// A plain store file made encrypted (#30): the tables and rows compared with the plain
    /// file, and the accounts left without a slot (they need a new password).
    StoreEncrypted [StoreEncrypted] { tables: i64, rows: i64, without_slot: Vec<String> }
    /// An encrypted store opened with its recovery key: the administrator given a new
    /// password, and whether the key file had to be made anew (only that account's slot).
    StoreRecovered [StoreRecovered] { user: String, key_file_rebuilt: bool }
    /// An encrypted store given a new data key and recovery key (`store rekey`): the
    /// administrator who did it (the one slot kept) and the accounts left without a slot.
    StoreRekeyed [StoreRekeyed] { user: String, without_slot: Vec<String> }
    /// A hall's desks' login role given what a desk needs: the role, the database and each
    /// table's privileges (`table: privileges`).
    DesksGranted [DesksGranted] { role: String, database: String, tables: Vec<String> }
    /// A supervisor put a case on legal hold (`reason` required) or released it: a held case is
    /// never purged.
    CaseHold [Hold, ReleaseHold] { reason: Option<String>, roles: Vec<Role> }
    /// A case's personal data removed past its retention (#30, design §7.4): the basis and end
    /// of its retention, the years, the case fields emptied, the files emptied, the events
    /// whose personal part (`audit_personal`) was removed.
    Purged [Purged] {
        basis: String,
        retention_from: String,
        retention_end: String,
        years: u32,
        fields: Vec<String>,
        attachments: Vec<String>,
        personal_events: Vec<i64>,
        /// the case's earlier events whose hashed text held personal data (written before
        /// #30) or the case's plain digests, as the purge left them: each one's redacted form
        redacted: Option<Vec<RedactedEvent>>,
    }
    /// A setting changed.
    SettingChanged [Setting] { key: String, before: Option<String>, after: String }
    /// An account changed (never its password hash): roles as `clerk,supervisor`.
    AccountChange [UserAdd, UserPasswd, UserRoles, UserName, UserDisable, UserUnlock, LoginFailed, UserLocked] {
        user: String,
        roles: Option<String>,
        failed_in_a_row: Option<i64>,
        /// user_name: the new display name
        display_name: Option<String>,
        /// login_failed: the password was right and the key's signature was not (#31)
        second_factor: Option<bool>,
    }
    /// An operator certificate bound to an account (#31): its fingerprint (SHA-256 of the DER)
    /// names the `operator_keys` row; `replaces`, the fingerprint of the enrolment it ended.
    KeyEnrolled [KeyEnrolled] {
        user: String,
        fingerprint: String,
        algorithm: String,
        subject: String,
        issuer: String,
        serial_hex: String,
        not_before: String,
        not_after: String,
        replaces: Option<String>,
    }
    /// An enrolment ended: `revoked` (a lost or compromised key) or `account disabled`, with the
    /// administrator's reason.
    KeyEnded [KeyEnded] { user: String, fingerprint: String, end: String, reason: Option<String> }
    /// A day signed off (日结): the day sheet's SHA-256, the chain's head it was made at, the
    /// supervisor's key's signature over the day statement
    /// (`certdesk_domain::staff::day_statement`), and the reference a printed ledger carries.
    DayClosed [DayClosed] {
        day: String,
        sheet_sha256: String,
        head_seq: i64,
        head_hash: String,
        algorithm: String,
        digest_hex: String,
        signature_b64: String,
        fingerprint: String,
        counter: String,
        sm2_id: Option<String>,
        reference: String,
    }
}

/// A supervisor's signature over the approval statement (#31,
/// `certdesk_domain::staff::approval_statement`): the algorithm's wire name, the digest as hashed
/// (SHA-256 of the statement, or SM2's e), the signature (DER for ECDSA and SM2, the raw block
/// for RSA) in Base64, the certificate's fingerprint, the counter code the statement names, and
/// the SM2 distinguishing ID where SM2 signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct ApprovalSigned {
    pub algorithm: String,
    pub digest_hex: String,
    pub signature_b64: String,
    pub fingerprint: String,
    pub counter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sm2_id: Option<String>,
}

/// The fields of an action's detail that are an applicant's personal data (holders' names and
/// identifiers, certificate subjects and requests, hand-over recipients, free texts): kept out
/// of the hashed detail in `audit_personal` (#30, design §7.4), removed by a purge.
pub fn personal_fields(action: AuditAction) -> &'static [&'static str] {
    use AuditAction as A;
    match action {
        A::Create | A::Accept | A::Submit | A::Approve | A::Return | A::Edit | A::IssueKey | A::Deliver | A::Close | A::Cancel | A::FilesChanged => {
            &["reason", "handover", "to_follow"]
        }
        A::StepDone => &["reference"],
        A::Reissue => &["reason", "holder"],
        A::CertWithdrawn => &["holder", "holder_id", "reason"],
        A::TokenInitialized | A::SealWritten => &["holder", "holder_id"],
        A::KeyGenerated => &["csr", "holder", "holder_id"],
        A::CertificateImported | A::EncryptionImported => &["subject", "holder", "holder_id"],
        A::CertificateWritten => &["subject", "previous", "holder", "holder_id"],
        A::Hold => &["reason"],
        // the clerk's words may name the applicant
        A::SealAccepted => &["note"],
        _ => &[],
    }
}

impl CaseChange {
    /// A case stored as a new draft.
    pub fn created() -> CaseChange {
        CaseChange {
            from: None,
            to: certdesk_domain::Status::Draft.wire().into(),
            roles: None,
            reason: None,
            approval_digest: None,
            files: None,
            handover: None,
            to_follow: None,
            signature: None,
        }
    }

    /// A move from one status to another, nothing else said.
    pub fn moved(from: certdesk_domain::Status, to: certdesk_domain::Status) -> CaseChange {
        CaseChange {
            from: Some(from.wire().into()),
            to: to.wire().into(),
            roles: None,
            reason: None,
            approval_digest: None,
            files: None,
            handover: None,
            to_follow: None,
            signature: None,
        }
    }
}

/// An event a purge redacted in place (#30): its seq and the hash of what the purge left of it
/// ([`crate::StoredEvent::redacted_form`]), which `audit verify` checks instead of its sealed
/// hash (that one stays, so the chain's links hold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RedactedEvent {
    pub seq: i64,
    pub form: String,
}

/// How a key went back to the applicant (`deliver`): collected at the counter by the handler or
/// someone named, or sent by post with its courier and waybill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct Handover {
    /// `pickup` or `mail`
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waybill: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// One row of a seal sheet's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SealRowVerdict {
    pub row: usize,
    pub kind: String,
    pub best_col: Option<usize>,
    pub needs_restamp: bool,
    /// #34: how many of the row's impressions the importer doubted (labels on a sample that
    /// holds ink, ink an empty verdict set aside included; events written before 2026-11-26
    /// counted non-empty samples only); absent on events older than the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub doubted: Option<usize>,
    /// #34: the chosen impression's size as measured (round: diameter; square: the mean
    /// side), for the case JSON's `seals`; absent on events written before and for no choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub diameter_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub side_mm: Option<f64>,
}

/// Why the importer doubted an impression (#34, design §6): the label, the quantity its rule
/// read, the value, the limit it went past (`op`: `<` below a lower limit, `>` above an upper
/// one) and the unit (`mm`, `mm2`, `deg`, `od`, `share`, `level`). Numbers as the importer's
/// `f32` print (3.4, not 3.4000000953674316: `f64` with the same shortest decimal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SealFinding {
    pub label: String,
    pub quantity: String,
    pub value: f64,
    pub limit: f64,
    pub unit: String,
    pub op: String,
}

impl SealFinding {
    /// The paper's colour left to the eye (`certdesk_seal::Finding::about_the_paper`, as stored):
    /// one question for the whole sheet, whichever box read it.
    pub fn about_the_paper(&self) -> bool {
        self.label == "bg_not_white" && self.quantity == "paper_tint"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_detail_type() {
        for action in AuditAction::ALL {
            let owners: Vec<&str> = ALL.iter().filter(|(_, actions)| actions.contains(action)).map(|(name, _)| *name).collect();
            assert_eq!(owners.len(), 1, "{}: {owners:?}", action.wire());
        }
    }

    #[test]
    fn absent_options_stay_out_of_the_stored_json() {
        let change = CaseChange {
            from: Some("draft".into()),
            to: "accepted".into(),
            roles: Some(vec![Role::Clerk]),
            reason: None,
            approval_digest: None,
            files: None,
            handover: None,
            to_follow: None,
            signature: None,
        };
        assert_eq!(value_of(AuditAction::Accept, &change), serde_json::json!({ "from": "draft", "to": "accepted", "roles": ["clerk"] }));
        let back: CaseChange = serde_json::from_value(serde_json::json!({ "to": "draft" })).unwrap();
        assert_eq!(back.from, None);
    }
}
