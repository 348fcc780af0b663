//! Why a use case was refused or failed, as one typed enum with the context a person needs
//! (which field, value, limit, case, step), and its stable key (`ErrorKind`), the same in the
//! app's `{kind, detail}` and in the CLI's `--json` errors. Owns the mapping of every library
//! error to a kind, once, with exhaustive matches over certdesk's own error enums.

use certdesk_store::StoreError;

/// Why a workflow step was refused or failed; `kind()` is the stable key the UI maps to a
/// Chinese message and the CLI prints with `--json`.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Act(#[from] certdesk_store::ActError),
    #[error(transparent)]
    Auth(#[from] certdesk_store::AuthError),
    #[error(transparent)]
    Token(#[from] certdesk_token::TokenError),
    #[error(transparent)]
    Readers(#[from] certdesk_token::readers::ReaderError),
    #[error(transparent)]
    Forms(#[from] certdesk_forms::FormsError),
    #[error(transparent)]
    Seal(#[from] certdesk_seal::SealError),
    /// A scan file refused by the importer, named.
    #[error("{file}: {source}")]
    Scan {
        file: String,
        #[source]
        source: certdesk_seal::SealError,
    },
    #[error(transparent)]
    Catalog(#[from] certdesk_catalog::CatalogError),
    /// The ID card reader or the card read through it (the cause in English and Chinese).
    #[error("{0} ({zh})", zh = .0.zh())]
    IdCard(#[from] certdesk_idcard::IdCardError),
    /// No ID card reader is set: the administrator names a serial port or a vendor library.
    #[error("no ID card reader is set: the administrator names its serial port (idcard_port) or its vendor library (idcard_library) in the settings (未设置身份证阅读器)")]
    NoIdCardReader,
    #[error("{path} is not a file: the ID card reader's vendor library (SDT) is named by its file (身份证阅读器动态库不存在)")]
    IdCardLibraryMissing { path: String },
    #[error("{path} is not a file: the USB key's driver (a PKCS#11 or SKF library) is named by its file (Key驱动库文件不存在)")]
    KeyLibraryMissing { path: String },
    #[error(transparent)]
    Fee(#[from] certdesk_catalog::FeeError),
    /// An annex row the catalog does not price (#71): the refusal and its row.
    #[error(transparent)]
    FeeRow(certdesk_catalog::RowFeeError),

    // ---- the session and the account
    /// The window's session is locked (after its idle time, or by the window's own idle timer):
    /// nothing but unlocking with the same account's password, or signing out.
    #[error("the session is locked after a while without use: type this account's password to go on, or sign out (会话已锁定)")]
    SessionLocked,
    /// The window's account must change its password (an administrator set it, or it is too
    /// old) before anything else.
    #[error("this account must change its password before anything else (请先修改密码)")]
    PasswordChangeFirst,
    /// A command that reads or changes the store was given no account.
    #[error("{command} needs an account: give --as USER (and --password-file FILE, or the password on stdin), or set CERTDESK_USER and CERTDESK_PASSWORD_FILE")]
    NoAccount { command: String },
    #[error("the two passwords differ")]
    PasswordsDiffer,
    /// The new recovery key of a `store encrypt` or `store rekey` was not typed back: the store
    /// is left as it was (#78).
    #[error(
        "the last group of the recovery key was not typed back: the store is left as it was (plain, or under its old key and recovery key); run the command again and write the key down (恢复密钥未确认)"
    )]
    RecoveryKeyNotConfirmed,
    /// The key named is not the one holding the account's enrolled certificate (#31).
    #[error("the USB key {plugged} is not this account's: its enrolled certificate is {expected} (不是您的USB Key)")]
    WrongStaffKey { plugged: String, expected: String },
    /// No key plugged holds the account's enrolled certificate.
    #[error("plug in the USB key of {expected}: no key plugged holds it (请插入您的USB Key)")]
    StaffKeyNotPlugged { expected: String },
    /// A step signed with the account's USB key asked without one (the CLI's --token).
    #[error("{what} is signed with the supervisor's USB key: give --token LABEL and --pin-file F")]
    KeyNotGiven { what: &'static str },
    /// An operator certificate refused at enrolment, or unreadable.
    #[error("the operator certificate is refused: {why}")]
    StaffCertificate { why: Box<crate::staff::StaffCertRefusal> },
    /// The installation's operator CA file (#78, `operator_ca`) cannot be used or installed.
    #[error("the installation's operator CA {path}: {why}")]
    OperatorCa { path: String, why: crate::operator_ca::AnchorProblem },
    #[error("the {what} is empty")]
    EmptySecret { what: &'static str },

    // ---- input
    #[error("the case JSON cannot be read: {}{why}", file.as_deref().map(|f| format!("{f}: ")).unwrap_or_default())]
    InvalidJson { file: Option<String>, why: JsonProblem },
    #[error("the case was refused, nothing stored ({} problem(s)): {}", .0.len(), .0.iter().map(|p| format!("{}: {}", p.path, p.message)).collect::<Vec<_>>().join("; "))]
    InvalidCase(Vec<certdesk_domain::FieldProblem>),
    #[error("counter code {code:?}: {why}")]
    InvalidCounterCode { code: String, why: &'static str },
    #[error("{text:?} is not a case number: {why}")]
    InvalidCaseNumber { text: String, why: &'static str },
    #[error("{text:?} is not a day: give YYYY-MM-DD (or YYYY/MM/DD)")]
    InvalidDay { text: String },
    #[error("from {from} is after to {to}")]
    DayRange { from: chrono::NaiveDate, to: chrono::NaiveDate },
    #[error("{what} is {size} bytes; at most {limit} are taken")]
    TooLarge { what: String, size: u64, limit: u64 },
    #[error("{what} {value}: give {range}")]
    OutOfRange { what: &'static str, value: String, range: String },
    #[error("unknown {what} {value:?} (expected one of: {known})")]
    UnknownValue { what: &'static str, value: String, known: String },
    #[error("unknown setting {key} (known: {known})")]
    UnknownSetting { key: String, known: String },
    #[error("unknown CA project {project:?} (known: {known})")]
    UnknownProject { project: String, known: String },
    #[error("{name:?} is not a plain file name (no folder, no '..')")]
    NotAFileName { name: String },
    #[error("{action} is not taken directly: edit the case, or write its certificate at the key desk")]
    NotDirect { action: &'static str },

    // ---- a case's steps
    #[error("case {number} has no step {step:?} (its steps: {steps})")]
    NoSuchStep { number: String, step: String, steps: String },
    #[error("case {number}: step {step} ({title}) is done already")]
    StepDone { number: String, step: String, title: String },
    #[error("case {number}: {step} ({title}) is done at the key desk: {command}")]
    KeyDeskStep { number: String, step: String, title: String, command: &'static str },
    #[error("case {number} is {status}: no step is left")]
    NoStepLeft { number: String, status: String },
    #[error("case {number}: the next step is {next} ({title}), not {step}")]
    NotNextStep { number: String, next: String, title: String, step: String },
    #[error("case {number}: {step} is not a step of this {business} case (its steps: {plan})")]
    NotInPlan { number: String, step: &'static str, business: &'static str, plan: String },
    #[error("case {number}: {step} ({title}) records the reference of what was done (--reference)")]
    ReferenceRequired { number: String, step: String, title: String },
    #[error("the reference is at most {max} characters, without control characters")]
    InvalidReference { max: usize },
    #[error("case {number} goes by post: give the courier and the waybill number (--courier, --waybill)")]
    WaybillRequired { number: String },
    #[error("waybill {waybill:?}: letters, digits and '-', at most {max}")]
    InvalidWaybill { waybill: String, max: usize },
    #[error("case {number}: 证书仅回寄到单位法定地址: {why}")]
    MailToLegalAddress { number: String, why: &'static str },
    /// The collector's ID number: a resident ID's own fault, or neither a resident ID nor
    /// another document's number.
    #[error("the collector's ID number {id:?}: {}", match resident { Some(e) => e.to_string(), None => "a resident ID (18 characters) or another document's number (5-20 letters and digits)".to_string() })]
    InvalidCollectorId { id: String, resident: Option<certdesk_domain::ident::IdentError> },
    #[error("case {number}: {why}")]
    CollectorIncomplete { number: String, why: &'static str },

    // ---- materials
    #[error("case {number}: required materials not received (材料未收齐): {}; tick them, or record what the applicant will bring later (后补说明, materials[].to_follow; certdesk case materials {number} --all-received | --item ID --copies K [--original] [--to-follow TEXT])", .missing.join("; "))]
    MaterialsMissing { number: String, missing: Vec<String> },
    #[error("case {number}: materials are to follow (材料后补): {}; approve only by accepting them (--accept-to-follow)", .promised.join("; "))]
    MaterialsToFollow { number: String, promised: Vec<String> },
    /// A case whose forms collect the applicant's seal samples, submitted or approved with no
    /// seal sheet imported (#79: the second check does not pass a case without them).
    #[error("case {number}: its forms collect the seal samples ({}) and no seal sheet has been imported: scan the stamped sheet and import it (seal import) first", .forms.join("; "))]
    SealSamplesMissing { number: String, forms: Vec<String> },
    /// A posted case approved before its money is in (#73: "确认申请证书的款项到账后，即会进行数字证书").
    #[error("case {number}: came by post and its money is not in the bank yet (款项未到账): confirm its transfer first (payments confirm)")]
    MoneyNotIn { number: String },
    /// A bank statement that cannot be read (#73), with where and why.
    #[error("the bank statement {file} cannot be read (无法读取银行对账单): {source}")]
    Statement {
        file: String,
        #[source]
        source: certdesk_bank::BankError,
    },
    /// A credit that cannot be confirmed as the money of the cases named, and why.
    #[error("bank credit {credit} cannot be confirmed (不能确认到账): {refusal}")]
    PaymentRefused { credit: String, refusal: Box<crate::payments::PaymentRefusal> },

    // ---- the key desk
    #[error("case {number}: {why}")]
    KeyStepOutOfOrder { number: String, why: &'static str },
    #[error("case {number}: {project} issues {offered} keys, not {algo}")]
    AlgoNotIssued { number: String, project: String, offered: String, algo: &'static str },
    #[error("case {number} has no seal image (import the seal sheet first)")]
    NoSealImage { number: String },
    // ---- the clerk's acceptance of a doubted impression (#34)
    #[error("case {number} has no seal sheet (import the seal sheet first)")]
    NoSealSheet { number: String },
    #[error("case {number}: the stored scan is not the one the newest seal sheet verdict was made from; import the sheet again")]
    SealScanChanged { number: String },
    #[error("case {number}: the seal sheet has no box in row {row}, column {col}")]
    NoSuchSealSample { number: String, row: usize, col: usize },
    #[error("case {number}: the box in row {row}, column {col} holds no ink: there is no impression to accept (空白样本不能采用)")]
    SealSampleEmpty { number: String, row: usize, col: usize },
    #[error("case {number}: the impression in row {row}, column {col} was not doubted: there is nothing to accept (该印模无需采用)")]
    SealSampleNotDoubted { number: String, row: usize, col: usize },
    #[error("{what} is not a PNG image")]
    NotPng { what: String },
    #[error("case {number} has no {what}")]
    NoSubject { number: String, what: String },
    #[error("the CA certificate file {path} of project {project}: {source}")]
    CaCertificates {
        project: String,
        path: String,
        #[source]
        source: certdesk_token::cert::CertError,
    },
    #[error("sm2_id of project {project}: {source}")]
    Sm2Id {
        project: String,
        #[source]
        source: certdesk_token::DistIdError,
    },
    #[error("the certificate does not belong to case {number}: {refusal}")]
    CertMismatch { number: String, refusal: Box<crate::issue::CertRefusal> },
    #[error("no case made a request for the public key of this certificate")]
    NoCaseForCertificate,
    #[error("case {number} has no certificate {cert}: it has {count} (--cert 1…{count})")]
    NoSuchCert { number: String, cert: u32, count: u32 },
    #[error("case {number} is not an employee case: name its certificate with --cert K")]
    NotEmployeeCase { number: String },
    #[error("case {number}: no certificate is waiting for {step} ({states})")]
    NoCertWaiting { number: String, step: &'static str, states: String },
    #[error("case {number}: this is {plugged}; plug {expected}")]
    WrongKey { number: String, plugged: String, expected: String },
    #[error("case {number}: the key {serial} is {holder}'s (certificate {cert}): plug a blank key")]
    KeyTaken { number: String, serial: String, holder: String, cert: u32 },
    #[error("{} (see `certdesk key list`)", which_key_text(*found))]
    WhichKey { found: usize },
    /// The key an applicant brings holds no certificate of theirs to judge (#74).
    #[error("no certificate of the applicant to judge on this key: {why}")]
    NoUnitCertificate { why: crate::triage::NoUnitCertificate },
    /// The unit's own certificate did not prove the unit (#74): why, and in the counter's words.
    #[error("the unit's certificate does not prove the unit: {why}")]
    UnitProof { why: Box<crate::unit_proof::UnitProofRefusal> },
    #[error("a batch's SO PIN and user PIN must both be given")]
    BatchPinEmpty,
    #[error("project {project} has no online enrolment set (the RA's address, CA certificate and challenge: certdesk ra set)")]
    RaNotSet { project: String },
    #[error("online enrolment with {project}'s RA: {source}")]
    Ra {
        project: String,
        #[source]
        source: certdesk_scep::ScepError,
    },
    #[error("case {number}: give the PIN (no batch PINs are held for this case)")]
    BatchPinMissing { number: String },
    #[error("{}", .0.iter().map(|r| format!("{}: {}", r.file, r.why)).collect::<Vec<_>>().join("; "))]
    BatchRefused(Vec<crate::issue::AnswerRefusal>),
    #[error("the employee list: {0}")]
    EmployeeList(#[from] certdesk_roster::RosterError),

    // ---- where the store is
    #[error("the store setting {path} is damaged: {why}; delete it to use the store file on this PC")]
    StoreSetting { path: String, why: crate::place::SettingDamage },
    #[error(
        "no password for the hall's server {server}: give --db-password-file (or CERTDESK_DB_PASSWORD_FILE), set the hall in 管理 → 案件库位置, or add a line to PGPASSFILE (~/.pgpass)"
    )]
    HallPasswordMissing { server: String },
    #[error("{what} works on a hall: --db postgres://OWNER@HOST:PORT/DB")]
    NotAHall { what: &'static str },
    #[error("no scanner folder is set (管理 → 扫描文件夹)")]
    NoScanFolder,
    #[error("case {number} has no file {name}")]
    NoFile { number: String, name: String },
    #[error("{name} is not an image ({mime})")]
    NotAnImage { name: String, mime: String },

    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A refusal of a quote by rows: the annex row's when it names one, else the catalog's own.
impl From<certdesk_catalog::RowFeeError> for DeskError {
    fn from(e: certdesk_catalog::RowFeeError) -> DeskError {
        match e.row {
            Some(_) => DeskError::FeeRow(e),
            None => DeskError::Fee(e.error),
        }
    }
}

/// Why no key was chosen when none was named: none plugged, or several.
fn which_key_text(found: usize) -> String {
    match found {
        0 => "no initialised key is plugged in".into(),
        n => format!("{n} keys are plugged in: name one with --token LABEL or --serial SERIAL"),
    }
}

/// Why JSON given to the desk (or made by it) cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum JsonProblem {
    #[error("{0}")]
    Case(#[from] certdesk_domain::case::CaseParseError),
    #[error("{0}")]
    NotUtf8(#[from] std::string::FromUtf8Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

impl DeskError {
    /// [`DeskError::InvalidJson`], of the file at `file` when one was read.
    pub fn invalid_json(file: Option<&std::path::Path>, why: impl Into<JsonProblem>) -> DeskError {
        DeskError::InvalidJson { file: file.map(|f| f.display().to_string()), why: why.into() }
    }

    /// Whether the refusal may say the signed-in account can no longer act (an account's
    /// refusal, not the store's): [`crate::api::Session::ends_after`] then reads the account
    /// again to know.
    pub fn may_concern_the_account(&self) -> bool {
        matches!(self, DeskError::Auth(e) if !matches!(e, certdesk_store::AuthError::Store(_)))
    }

    /// The refusal in the counter's words where the library says it in Chinese (what a new
    /// password lacks, `PolicyError::zh`): the app sends it as the detail.
    pub fn zh_detail(&self) -> Option<String> {
        match self {
            DeskError::Auth(certdesk_store::AuthError::Policy(why)) => Some(why.zh()),
            DeskError::UnitProof { why } => Some(why.zh()),
            DeskError::PaymentRefused { refusal, .. } => Some(refusal.zh()),
            DeskError::CertMismatch { refusal, .. } => Some(refusal.zh()),
            DeskError::SealSamplesMissing { forms, .. } => Some(forms.iter().map(|f| format!("《{f}》")).collect::<Vec<_>>().join("、")),
            DeskError::Fee(e) => Some(e.zh()),
            DeskError::FeeRow(e) => Some(e.zh()),
            DeskError::Act(certdesk_store::ActError::Rule(certdesk_domain::workflow::RuleError::AnnexFrozen { change })) => Some(change.zh()),
            DeskError::Act(certdesk_store::ActError::Rule(certdesk_domain::workflow::RuleError::SignatureRefused { refusal })) => Some(refusal.zh()),
            DeskError::Store(s) | DeskError::Act(certdesk_store::ActError::Store(s)) | DeskError::Auth(certdesk_store::AuthError::Store(s)) => store_zh(s),
            _ => None,
        }
    }

    /// The stable key of the error (`errors.<kind>` in the UI, `error.kind` in the CLI's JSON).
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            DeskError::Store(s) => store_kind(s),
            DeskError::Act(certdesk_store::ActError::Rule(r)) => rule_kind(r),
            DeskError::Act(certdesk_store::ActError::Store(s)) => store_kind(s),
            DeskError::Auth(a) => auth_kind(a),
            DeskError::Token(t) => token_kind(t),
            DeskError::Readers(r) => match r {
                certdesk_token::readers::ReaderError::NoService => K::PcscUnavailable,
                certdesk_token::readers::ReaderError::NoReader(_) | certdesk_token::readers::ReaderError::NoCard(_) => K::TokenNotFound,
                certdesk_token::readers::ReaderError::Removed(_) => K::TokenRemoved,
                certdesk_token::readers::ReaderError::Pcsc { .. } => K::PcscUnavailable,
            },
            DeskError::Forms(f) => match f {
                certdesk_forms::FormsError::MissingField { .. } => K::FormFieldMissing,
                certdesk_forms::FormsError::UnknownForm { .. } => K::UnknownForm,
                certdesk_forms::FormsError::NothingToPrint { .. } => K::NothingToPrint,
                certdesk_forms::FormsError::Catalog(c) => catalog_kind(c),
                certdesk_forms::FormsError::Invalid(_)
                | certdesk_forms::FormsError::Engine(_)
                | certdesk_forms::FormsError::Pdf(_)
                | certdesk_forms::FormsError::Svg(_)
                | certdesk_forms::FormsError::Font(_) => K::Forms,
            },
            DeskError::Seal(s) | DeskError::Scan { source: s, .. } => match s {
                certdesk_seal::SealError::Read { .. } | certdesk_seal::SealError::Write { .. } => K::Io,
                certdesk_seal::SealError::UnknownFormat
                | certdesk_seal::SealError::Header(_)
                | certdesk_seal::SealError::TooLarge { .. }
                | certdesk_seal::SealError::TooSmall { .. }
                | certdesk_seal::SealError::Decode(_)
                | certdesk_seal::SealError::AbsurdDpi { .. }
                | certdesk_seal::SealError::NoBoxes
                | certdesk_seal::SealError::Encode { .. } => K::SealUnreadable,
            },
            DeskError::Catalog(c) => catalog_kind(c),
            DeskError::Fee(_) | DeskError::FeeRow(_) => K::FeeRefused,
            DeskError::SessionLocked => K::SessionLocked,
            DeskError::PasswordChangeFirst => K::PasswordChangeFirst,
            DeskError::NoAccount { .. } => K::NoAccount,
            DeskError::PasswordsDiffer => K::PasswordsDiffer,
            DeskError::RecoveryKeyNotConfirmed => K::Refused,
            DeskError::KeyNotGiven { .. } => K::KeyRequired,
            DeskError::WrongStaffKey { .. } => K::WrongStaffKey,
            DeskError::StaffKeyNotPlugged { .. } => K::StaffKeyNotPlugged,
            DeskError::StaffCertificate { .. } | DeskError::OperatorCa { .. } => K::StaffCertificate,
            DeskError::EmptySecret { .. } => K::EmptySecret,
            DeskError::InvalidJson { .. } => K::InvalidJson,
            DeskError::InvalidCase(_) => K::InvalidCase,
            DeskError::InvalidCounterCode { .. } => K::InvalidCounterCode,
            DeskError::InvalidCaseNumber { .. } => K::InvalidCaseNumber,
            DeskError::InvalidDay { .. } => K::InvalidDay,
            DeskError::DayRange { .. } => K::DayRange,
            DeskError::TooLarge { .. } => K::TooLarge,
            DeskError::IdCard(e) => idcard_kind(e),
            DeskError::NoIdCardReader => K::IdcardNotSet,
            DeskError::IdCardLibraryMissing { .. } => K::IdcardNoReader,
            DeskError::KeyLibraryMissing { .. } => K::KeyLibraryMissing,
            DeskError::OutOfRange { .. } => K::OutOfRange,
            DeskError::UnknownValue { .. } => K::UnknownValue,
            DeskError::UnknownSetting { .. } => K::UnknownSetting,
            DeskError::UnknownProject { .. } => K::UnknownProject,
            DeskError::NotAFileName { .. } => K::NotAFileName,
            DeskError::NotDirect { .. } => K::NotDirect,
            DeskError::NoSuchStep { .. } => K::NoSuchStep,
            DeskError::StepDone { .. } => K::StepDone,
            DeskError::KeyDeskStep { .. } => K::KeyDeskStep,
            DeskError::NoStepLeft { .. } => K::NoStepLeft,
            DeskError::NotNextStep { .. } => K::NotNextStep,
            DeskError::NotInPlan { .. } => K::NotInPlan,
            DeskError::ReferenceRequired { .. } => K::ReferenceRequired,
            DeskError::InvalidReference { .. } => K::InvalidReference,
            DeskError::WaybillRequired { .. } => K::WaybillRequired,
            DeskError::InvalidWaybill { .. } => K::InvalidWaybill,
            DeskError::MailToLegalAddress { .. } => K::MailToLegalAddress,
            DeskError::InvalidCollectorId { .. } => K::InvalidCollectorId,
            DeskError::CollectorIncomplete { .. } => K::CollectorIncomplete,
            DeskError::MaterialsMissing { .. } => K::MaterialsMissing,
            DeskError::MaterialsToFollow { .. } => K::MaterialsToFollow,
            DeskError::MoneyNotIn { .. } => K::MoneyNotIn,
            DeskError::SealSamplesMissing { .. } => K::SealSamplesMissing,
            DeskError::Statement { .. } => K::StatementUnreadable,
            DeskError::PaymentRefused { .. } => K::PaymentRefused,
            DeskError::KeyStepOutOfOrder { .. } => K::KeyStepOutOfOrder,
            DeskError::AlgoNotIssued { .. } => K::AlgoNotIssued,
            DeskError::NoSealImage { .. } => K::NoSealImage,
            DeskError::NoSealSheet { .. } => K::NoSealSheet,
            DeskError::SealScanChanged { .. } => K::SealScanChanged,
            DeskError::NoSuchSealSample { .. } => K::NoSuchSealSample,
            DeskError::SealSampleEmpty { .. } => K::SealSampleEmpty,
            DeskError::SealSampleNotDoubted { .. } => K::SealSampleNotDoubted,
            DeskError::NotPng { .. } => K::NotPng,
            DeskError::NoSubject { .. } => K::NoSubject,
            DeskError::CaCertificates { .. } | DeskError::Sm2Id { .. } => K::ProjectKeys,
            DeskError::CertMismatch { .. } => K::CertMismatch,
            DeskError::NoCaseForCertificate => K::NoCaseForCertificate,
            DeskError::NoSuchCert { .. } | DeskError::NotEmployeeCase { .. } => K::NoSuchCert,
            DeskError::NoCertWaiting { .. } => K::NoCertWaiting,
            DeskError::WrongKey { .. } | DeskError::KeyTaken { .. } => K::WrongKey,
            DeskError::WhichKey { found: 0 } => K::TokenNotFound,
            DeskError::WhichKey { .. } => K::TokenAmbiguous,
            DeskError::NoUnitCertificate { .. } => K::NoUnitCertificate,
            DeskError::UnitProof { .. } => K::UnitProofRefused,
            DeskError::BatchPinEmpty | DeskError::BatchPinMissing { .. } => K::PinRequired,
            DeskError::RaNotSet { .. } => K::RaNotSet,
            DeskError::Ra { source, .. } => match source.code() {
                "ra_address" | "ra_unreachable" => K::RaUnreachable,
                "ra_refused" => K::RaRefused,
                "ra_pending" => K::RaPending,
                "ra_not_pinned" => K::RaNotPinned,
                _ => K::RaAnswer,
            },
            DeskError::BatchRefused(_) => K::BatchRefused,
            DeskError::EmployeeList(_) => K::EmployeeList,
            DeskError::StoreSetting { .. } => K::StoreSetting,
            DeskError::HallPasswordMissing { .. } => K::HallPasswordMissing,
            DeskError::NotAHall { .. } => K::NotAHall,
            DeskError::NoScanFolder => K::NoScanFolder,
            DeskError::NoFile { .. } => K::NotFound,
            DeskError::NotAnImage { .. } => K::NotAnImage,
            DeskError::Io { .. } => K::Io,
        }
    }
}

/// A store refusal's reason in Chinese, where its kind's sentence needs it.
fn store_zh(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Retention(r) => Some(r.zh()),
        StoreError::NotAStore { why, .. } => Some(why.zh()),
        StoreError::HeldAlready { by, reason, .. } => Some(format!("{by} 冻结：{reason}")),
        _ => None,
    }
}

fn store_kind(e: &StoreError) -> ErrorKind {
    use ErrorKind as K;
    match e {
        StoreError::CaseNotFound(_) => K::CaseNotFound,
        StoreError::Transition(_) => K::Transition,
        StoreError::ChangedMeanwhile { .. } => K::ChangedMeanwhile,
        StoreError::DayMoved(_) => K::DayMoved,
        StoreError::PurgedAlready { .. } => K::CasePurged,
        StoreError::HeldAlready { .. } => K::HeldAlready,
        StoreError::NotHeld { .. } => K::NotHeld,
        StoreError::EditedOutside { .. } => K::AuditBroken,
        StoreError::NoBankCredit { .. } => K::NoBankCredit,
        StoreError::PaidByAnother { .. } => K::PaidByAnother,
        StoreError::NoRole { .. } => K::AccountNeedsRole,
        StoreError::AttachmentName { .. } => K::AttachmentName,
        StoreError::AttachmentTooLarge { .. } | StoreError::DraftTooLarge { .. } => K::TooLarge,
        StoreError::DraftNotJson(_) => K::InvalidJson,
        StoreError::NotAnInstant { .. } => K::InvalidDay,
        StoreError::CounterCode { .. } => K::InvalidCounterCode,
        StoreError::Retention(_) => K::OutOfRange,
        StoreError::NotAStore { .. } => K::NotAStore,
        StoreError::BackupExists { .. } => K::BackupExists,
        StoreError::BackupKey { .. } => K::BackupKey,
        StoreError::HallNotEmpty { .. } => K::HallNotEmpty,
        StoreError::HallOnly { .. } => K::NotAHall,
        StoreError::HallCopyDiffers { .. } => K::Server,
        StoreError::RestoreCopyGone { .. } | StoreError::PathNotUtf8 { .. } => K::Io,
        StoreError::CopyCheck(_) | StoreError::NotAJournal { .. } | StoreError::JournalStranded { .. } | StoreError::NotMigratable { .. } => K::Store,
        StoreError::Internal { .. } => K::Internal,
        StoreError::AdminOnly { .. } => K::AdminOnly,
        StoreError::DayClosed { .. } => K::DayClosed,
        StoreError::Busy(_) => K::StoreBusy,
        StoreError::Cancelled { .. } => K::Cancelled,
        StoreError::Server(pg) => pg_kind(pg),
        StoreError::NotOnHall { .. } => K::NotOnHall,
        StoreError::Encrypted { .. } => K::StoreEncrypted,
        StoreError::Keys(_) => K::KeyFile,
        StoreError::Sqlite { .. } | StoreError::Folder { .. } | StoreError::TooNew { .. } | StoreError::Corrupt { .. } => K::Store,
    }
}

fn pg_kind(e: &certdesk_store::pg::PgError) -> ErrorKind {
    use certdesk_store::pg::PgError as P;
    match e {
        P::ConnectionLost { .. } => ErrorKind::ServerLost,
        P::CommitUnknown { .. } => ErrorKind::ServerCommitUnknown,
        P::NoWritableServer { .. } => ErrorKind::ServerSwitching,
        P::StandbyWait { .. } => ErrorKind::ServerStandbyWait,
        P::WriteWait { .. } => ErrorKind::ServerWriteWait,
        P::BadUrl { .. } | P::PasswordInUrl { .. } | P::TlsNeedsCa { .. } | P::ClientCertNeedsTls | P::SessionAttrs { .. } | P::BadStandbyWait { .. } | P::NoServer => {
            ErrorKind::HallAddress
        }
        P::PasswordFileOpen { .. } => ErrorKind::PasswordFileOpen,
        P::Internal { .. } => ErrorKind::Internal,
        P::TlsRequired { .. } => ErrorKind::HallNeedsTls,
        P::PasswordFile { .. } => ErrorKind::Io,
        P::Connect { .. }
        | P::Db { .. }
        | P::TlsCa { .. }
        | P::TlsClient { .. }
        | P::MigrationEdited { .. }
        | P::TooNew { .. }
        | P::NotOwner { .. }
        | P::DesksRoleMissing
        | P::DesksRoleIsOwner { .. }
        | P::NoSuchRole { .. }
        | P::OwnsNoTables { .. } => ErrorKind::Server,
    }
}

fn idcard_kind(e: &certdesk_idcard::IdCardError) -> ErrorKind {
    use certdesk_idcard::ErrorKind as I;
    match e.kind() {
        I::NoCard => ErrorKind::IdcardNoCard,
        I::CardRemoved => ErrorKind::IdcardRemoved,
        I::Open | I::MissingFunction => ErrorKind::IdcardNoReader,
        I::UnsupportedCardType => ErrorKind::IdcardUnsupported,
        I::BadText | I::BadField | I::BadIdNumber => ErrorKind::IdcardBadData,
        I::Io | I::Timeout | I::Truncated | I::BadCheckByte | I::ShortFrame | I::OversizedFrame | I::UnknownStatus | I::ReaderStatus => ErrorKind::IdcardReadFailed,
    }
}

fn auth_kind(a: &certdesk_store::AuthError) -> ErrorKind {
    use ErrorKind as K;
    use certdesk_store::AuthError as A;
    match a {
        A::WrongCredentials => K::WrongPassword,
        A::Locked { .. } => K::AccountLocked,
        A::Disabled { .. } => K::AccountDisabled,
        A::SignedOut => K::NotSignedIn,
        A::BadName(_) => K::AccountNameInvalid,
        A::Policy(_) => K::PasswordPolicy,
        A::Reused => K::PasswordReused,
        A::NoRole => K::AccountNeedsRole,
        A::AdminOnly { .. } => K::AdminOnly,
        A::OwnAccount { .. } => K::OwnAccount,
        A::Exists(_) => K::AccountExists,
        A::NoAccount(_) => K::AccountNotFound,
        A::BadDisplayName => K::DisplayNameInvalid,
        A::KeyEnrolledAlready { .. } => K::StaffCertificate,
        A::NoKeyEnrolled { .. } => K::NoKeyEnrolled,
        A::RevokeNeedsReason => K::ReasonRequired,
        A::FirstAccountAdmin => K::FirstAccountAdmin,
        A::AccountsExist => K::AccountsExist,
        A::StoreExists { .. } => K::StoreExists,
        A::NotEncrypted { .. } => K::NotEncrypted,
        A::EncryptedAlready { .. } => K::EncryptedAlready,
        A::KeyFileMismatch { .. } => K::KeyFile,
        A::Internal { .. } => K::Internal,
        A::KeyRequired { .. } => K::KeyRequired,
        A::EnrolmentExpired { .. } => K::EnrolmentExpired,
        A::WrongStaffKey { .. } => K::WrongStaffKey,
        A::ChallengeExpired => K::ChallengeExpired,
        A::Store(s) => store_kind(s),
    }
}

fn rule_kind(r: &certdesk_domain::workflow::RuleError) -> ErrorKind {
    use ErrorKind as K;
    use certdesk_domain::workflow::RuleError as R;
    match r {
        R::OwnCase { .. } => K::FourEyes,
        R::MissingRole { .. } => K::MissingRole,
        R::ReasonRequired { .. } => K::ReasonRequired,
        R::ApprovalVoid { .. } => K::ApprovalVoid,
        R::NotEditable { .. } => K::NotEditable,
        R::NotApproved { .. } => K::NotApproved,
        R::ReissueNeeded { .. } => K::ReissueNeeded,
        R::ReissueWhich { .. } => K::ReissueWhich,
        R::NothingToReissue { .. } => K::NothingToReissue,
        R::NoSuchCert { .. } => K::NoSuchCert,
        R::CertWithdrawn { .. } => K::CertWithdrawn,
        R::CertWritten { .. } => K::CertWritten,
        R::WithdrawAll { .. } => K::WithdrawAll,
        R::AnnexFrozen { .. } => K::AnnexFrozen,
        R::SignatureRequired { .. } => K::SignatureRequired,
        R::SignatureRefused { .. } => K::SignatureRefused,
    }
}

fn catalog_kind(c: &certdesk_catalog::CatalogError) -> ErrorKind {
    match c {
        certdesk_catalog::CatalogError::UnknownProject { .. } => ErrorKind::UnknownProject,
        certdesk_catalog::CatalogError::Invalid { .. } => ErrorKind::Catalog,
        certdesk_catalog::CatalogError::Io { .. } => ErrorKind::Io,
    }
}

fn token_kind(t: &certdesk_token::TokenError) -> ErrorKind {
    use ErrorKind as K;
    use certdesk_token::TokenError as T;
    match t {
        T::Module { .. } => K::NoModule,
        T::NotFound(_) | T::NoSlot(_) | T::NoKey { .. } => K::TokenNotFound,
        T::Ambiguous { .. } | T::KeyAmbiguous { .. } => K::TokenAmbiguous,
        T::WrongPin { .. } => K::PinIncorrect,
        T::PinLocked => K::PinLocked,
        T::WrongSoPin { .. } => K::SoPinIncorrect,
        T::SoPinLocked => K::SoPinLocked,
        T::PinRefused(_) => K::PinRefused,
        T::Removed { .. } => K::TokenRemoved,
        T::ForeignCertificate { .. } | T::DualMismatch(_) | T::EncIssuer { .. } | T::EncChain(_) | T::EnvelopeRefused { .. } => K::CertMismatch,
        T::Cert(_) => K::CertUnreadable,
        T::Sm2NeedsProfile | T::AlgoUnsupported { .. } => K::AlgoUnsupported,
        T::Envelope(_) | T::NoEnvelope | T::NoEncCert => K::EnvelopeUnreadable,
        T::EnvelopeImportUnsupported => K::EnvelopeUnsupported,
        T::SignCertMissing { .. } | T::NoDualKey { .. } => K::KeyStepOutOfOrder,
        T::Verify { .. } | T::Device { .. } | T::Sm2Request(_) | T::Sm2Key(_) => K::Token,
    }
}

/// Every kind of error a front end can be sent: a stable key the UI maps to a Chinese message
/// (`errors.<kind>`) and the CLI prints in `{"error": {"kind", "message"}}`, exported to
/// TypeScript with the other bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// the command line itself is wrong (the CLI's exit code 2)
    Usage,
    // the store and the session
    CaseNotFound,
    NotFound,
    Transition,
    /// the case changed between an action's read and its write (another desk or window):
    /// nothing was written, open it again
    ChangedMeanwhile,
    /// a file given as a store or a backup is not one (its reason in the detail)
    NotAStore,
    /// a backup never overwrites a file
    BackupExists,
    /// an encrypted backup's key: the password or recovery key of its time, its own key file
    BackupKey,
    /// a store moves only into an empty hall
    HallNotEmpty,
    AttachmentName,
    InvalidJson,
    InvalidCase,
    InvalidCounterCode,
    InvalidCaseNumber,
    InvalidDay,
    DayRange,
    TooLarge,
    OutOfRange,
    UnknownValue,
    UnknownSetting,
    UnknownProject,
    NotAFileName,
    NotDirect,
    FeeRefused,
    Catalog,
    Store,
    StoreBusy,
    /// a hall's database server: the connection was lost mid-change (nothing written: again)
    ServerLost,
    /// a hall's database server: the connection was lost while committing and the outcome
    /// could not be learnt (look at the case before doing it again)
    ServerCommitUnknown,
    /// a hall: no server takes writes (服务器切换中: a primary gone, its standby not promoted
    /// yet); nothing was written, keep what was typed and try again
    ServerSwitching,
    /// a hall: saved on the primary but no synchronous standby confirmed it in time; it is
    /// saved, do not do it again
    ServerStandbyWait,
    /// a hall: the change waited longer than the bound (for the write lock or a missing
    /// standby) and nothing was written; try again later
    ServerWriteWait,
    /// a hall's database server refused or failed otherwise
    Server,
    /// a hall's address cannot be used (a password in it, TLS without the CA, unreadable)
    HallAddress,
    /// a hall's server is not this computer and its address does not ask for TLS with the
    /// hall's CA certificate (#30: applicants' data never crosses a network in clear)
    HallNeedsTls,
    /// no password for a hall's server was found
    HallPasswordMissing,
    /// the hall's password file may be read by others
    PasswordFileOpen,
    /// the saved store setting (`store.json`) cannot be read
    StoreSetting,
    /// what only a hall does, asked of a store file
    NotAHall,
    /// a store file's operation (file backup, restore) asked of a hall
    NotOnHall,
    /// an encrypted store opened without an account (#30)
    StoreEncrypted,
    /// an encrypted store's key file or recovery key is wrong, damaged or changed outside
    KeyFile,
    Io,
    Internal,
    /// the person cancelled a long operation; nothing was written
    Cancelled,
    WrongPassword,
    AccountLocked,
    // staff keys (#31)
    KeyRequired,
    EnrolmentExpired,
    WrongStaffKey,
    StaffKeyNotPlugged,
    ChallengeExpired,
    StaffCertificate,
    SignatureRequired,
    SignatureRefused,
    AccountDisabled,
    NotSignedIn,
    /// a command that needs an account was given none
    NoAccount,
    PasswordsDiffer,
    EmptySecret,
    /// no longer sent (an idle session locks now: `session_locked`); kept for older callers
    SessionExpired,
    /// the window's session is locked: only unlocking (the same account's password) or signing out
    SessionLocked,
    /// the window's account must change its password first: only that, or signing out
    PasswordChangeFirst,
    Refused,
    // accounts
    AccountNameInvalid,
    /// no longer sent (the rule is `password_policy` now); kept for older callers
    PasswordTooShort,
    /// a new password does not meet the rule (8 characters, 3 of 4 classes; the detail says
    /// what is missing, in Chinese)
    PasswordPolicy,
    /// a new password is one of the account's last 5
    PasswordReused,
    AccountNeedsRole,
    AdminOnly,
    DayClosed,
    /// the day moved while it was signed off: close it again
    DayMoved,
    OwnAccount,
    AccountExists,
    /// the first account asked of a store that has accounts
    AccountsExist,
    /// the first account of a new store is an administrator
    FirstAccountAdmin,
    /// the account has no USB key enrolled (to revoke)
    NoKeyEnrolled,
    /// an encrypted store made where a store is already
    StoreExists,
    NotEncrypted,
    EncryptedAlready,
    AccountNotFound,
    DisplayNameInvalid,
    // the workflow's rules and a case's steps
    FourEyes,
    MissingRole,
    ReasonRequired,
    ApprovalVoid,
    NotEditable,
    NotApproved,
    ReissueNeeded,
    /// a reissue that does not say which of several written certificates
    ReissueWhich,
    /// a reissue of a certificate never written
    NothingToReissue,
    /// legal holds (冻结) and the purge
    CasePurged,
    HeldAlready,
    NotHeld,
    /// an event of the case was edited outside certdesk
    AuditBroken,
    /// #28: a case's certificates at the key desk
    NoSuchCert,
    NoCertWaiting,
    CertWithdrawn,
    CertWritten,
    WithdrawAll,
    AnnexFrozen,
    WrongKey,
    BatchRefused,
    /// a unit's employee list (明细表) refused, by row and column
    EmployeeList,
    NoSuchStep,
    StepDone,
    KeyDeskStep,
    NoStepLeft,
    NotNextStep,
    NotInPlan,
    ReferenceRequired,
    InvalidReference,
    WaybillRequired,
    InvalidWaybill,
    MailToLegalAddress,
    InvalidCollectorId,
    CollectorIncomplete,
    MaterialsMissing,
    MaterialsToFollow,
    SealSamplesMissing,
    MoneyNotIn,
    StatementUnreadable,
    PaymentRefused,
    NoBankCredit,
    PaidByAnother,
    // keys
    NoUnitCertificate,
    UnitProofRefused,
    NoModule,
    PcscUnavailable,
    TokenNotFound,
    TokenAmbiguous,
    PinIncorrect,
    /// no PIN given and none held for the case's batch (#72)
    PinRequired,
    /// the project has no online enrolment (RA) set
    RaNotSet,
    /// the RA cannot be reached (its address, the network, an HTTP error)
    RaUnreachable,
    /// the RA refused the request (its challenge, subject or key)
    RaRefused,
    /// the RA holds the request for its operator's approval
    RaPending,
    /// the RA presents another CA than the one set for the project
    RaNotPinned,
    /// the RA's answer is not a valid SCEP answer (signature, transaction, content)
    RaAnswer,
    PinLocked,
    SoPinIncorrect,
    SoPinLocked,
    PinRefused,
    TokenRemoved,
    CertMismatch,
    CertUnreadable,
    NoCaseForCertificate,
    /// a key-desk step asked before the one it needs (no key generated, certificate not yet
    /// imported or written)
    KeyStepOutOfOrder,
    AlgoNotIssued,
    /// the key (or its driver) cannot make keys of the algorithm chosen
    AlgoUnsupported,
    /// a project's CA certificates or SM2 ID in its catalog cannot be used
    ProjectKeys,
    NoSubject,
    /// a dual certificate's answer from the CA cannot be read (format, missing parts)
    EnvelopeUnreadable,
    /// an enveloped key pair cannot be imported through this driver (PKCS#11)
    EnvelopeUnsupported,
    Token,
    // printing and scans
    Forms,
    FormFieldMissing,
    UnknownForm,
    NothingToPrint,
    Print,
    SealUnreadable,
    // ID cards
    /// no card lies on the reader
    IdcardNoCard,
    /// the card left the reader during the read: lay it again
    IdcardRemoved,
    /// no reader set, or the one set cannot be opened (device, library, port)
    /// no reader is set at this counter (the intake waits quietly for one)
    IdcardNotSet,
    /// the reader that is set cannot be opened (its port, its library)
    IdcardNoReader,
    /// the key driver path saved in 管理 names no file (#79)
    KeyLibraryMissing,
    /// the reader's answer was broken (check byte, length, status, silence): nothing filled
    IdcardReadFailed,
    /// the card's data are not what the standard allows (text, a field, the ID number)
    IdcardBadData,
    IdcardUnsupported,
    NoSealImage,
    NotPng,
    NotAnImage,
    NoScanFolder,
    // the clerk's acceptance of a doubted impression (#34)
    NoSealSheet,
    SealScanChanged,
    NoSuchSealSample,
    SealSampleEmpty,
    SealSampleNotDoubted,
}

impl ErrorKind {
    /// The key as it travels (`four_eyes`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

pub(crate) fn io(what: &'static str, path: &std::path::Path) -> impl Fn(std::io::Error) -> DeskError + use<> {
    let path = path.display().to_string();
    move |source| DeskError::Io { what, path: path.clone(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_store::{AuthError, StoreError};

    #[test]
    fn only_an_accounts_refusal_may_end_a_session() {
        // a locked session waits for its password: the screen's work stays
        assert!(!DeskError::SessionLocked.may_concern_the_account());
        assert_eq!(DeskError::SessionLocked.kind().as_str(), "session_locked");
        assert!(!DeskError::PasswordChangeFirst.may_concern_the_account());
        assert_eq!(DeskError::PasswordChangeFirst.kind().as_str(), "password_change_first");
        let weak = AuthError::Policy(certdesk_domain::password_policy::check("abcdefgh").unwrap_err());
        assert_eq!(DeskError::Auth(weak).kind().as_str(), "password_policy");
        assert_eq!(DeskError::Auth(AuthError::Reused).kind().as_str(), "password_reused");
        assert!(DeskError::Auth(AuthError::Disabled { name: "zhang".into() }).may_concern_the_account());
        assert!(DeskError::Auth(AuthError::SignedOut).may_concern_the_account());
        // the store could not answer while the account was read (a hall switching servers)
        let unanswered = DeskError::Auth(AuthError::Store(StoreError::Busy("the hall is switching".into())));
        assert!(!unanswered.may_concern_the_account());
        assert!(!DeskError::Store(StoreError::Busy("x".into())).may_concern_the_account());
    }
}
