//! Who may do what to a case. Owns the roles (admin, clerk, supervisor, key clerk), which role
//! each action needs, the four-eyes rule (whoever created, accepted, submitted or last edited a
//! case never approves it, whatever roles they hold), required reasons, and the binding of an
//! approval to the digest of the data approved. Pure rules over facts the store provides;
//! authentication (passwords, lockout) is the store's accounts module.

use crate::status::{Action, Status};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Clerk,
    Supervisor,
    KeyClerk,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Clerk, Role::Supervisor, Role::KeyClerk];

    pub fn wire(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::KeyClerk => "key_clerk",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Clerk => "受理员",
            Role::Supervisor => "复核员",
            Role::KeyClerk => "制证员",
        }
    }

    pub fn from_wire(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.wire() == s)
    }

    /// The role in English, for an English screen.
    pub fn en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Clerk => "Clerk",
            Role::Supervisor => "Supervisor",
            Role::KeyClerk => "Key clerk",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire())
    }
}

/// The acting account, as the store read it when its password (or its open session) was
/// checked: its login and its roles now. Only a sign-in makes one (see [`AccountChecked`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Actor {
    name: String,
    roles: Vec<Role>,
}

/// The store's word that it read an account and checked its password or its open session: the
/// one thing [`Actor::new`] takes besides the account's row.
///
/// Why a proof value rather than a private constructor: actors are made by the store, another
/// crate, so the constructor cannot be private to this one. This type is public here, but the
/// application API (`certdesk-desk`) re-exports the domain's data without it, and the adapters
/// (the CLI, the app) depend on `certdesk-desk` alone among certdesk's crates (a test reads
/// `cargo metadata`). An adapter therefore cannot name `AccountChecked`, cannot get one, and the
/// compiler refuses any `Actor` it would make (certdesk-desk's doc-tests show it). Neither
/// `Default`, `Clone` nor `Deserialize` is derived, for the same reason.
pub struct AccountChecked(());

impl AccountChecked {
    /// For the store's account checks (and the rules' own tests): nothing else makes one.
    #[doc(hidden)]
    pub fn by_the_store() -> AccountChecked {
        AccountChecked(())
    }
}

impl Actor {
    /// The account `name` with `roles`, as the store read it after a check.
    pub fn new(_checked: AccountChecked, name: impl Into<String>, roles: Vec<Role>) -> Actor {
        Actor { name: name.into(), roles }
    }

    /// The login.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Refused with [`RuleError::MissingRole`] unless the account has one of `needed` for
    /// `action` (the one place that words the refusal).
    pub fn require(&self, action: &'static str, needed: &[Role]) -> Result<(), RuleError> {
        if needed.iter().any(|r| self.has(*r)) {
            return Ok(());
        }
        Err(RuleError::MissingRole { actor: self.name.clone(), action, needed: RoleList(needed.to_vec()), has: self.roles.clone() })
    }
}

/// What the rules need to know about a case: its status, the accounts that shaped it (and how,
/// the first time each did), the digest its approval must cover now, and the approval that
/// stands (the digest the last approval recorded, unless an edit, a return or a cancel came
/// after it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    pub status: Option<Status>,
    /// The SHA-256 of the canonical case data.
    pub digest: String,
    /// What an approval given now would cover: [`approval_digest`] of the data and the files.
    pub approval_digest: String,
    /// Every account that created, accepted, edited, submitted or attached a file to the case,
    /// with what it did first; none of them may approve it.
    pub shaped_by: Vec<(String, &'static str)>,
    /// The approval digest recorded by the standing approval.
    pub approved: Option<String>,
    /// The case's certificates (`certs::on_chain`) and where each stands at the key desk.
    pub certs: Vec<CertFacts>,
    /// A key-desk event of a certificate round is on the chain: the annex is frozen (the
    /// certificates' indexes must not move).
    pub key_desk_started: bool,
}

/// Where one certificate of a case stands, read off the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertFacts {
    /// 1-based
    pub index: u32,
    pub holder: String,
    pub holder_id: Option<String>,
    /// Its certificate was written to a key (since its last reissue).
    pub written: bool,
    /// A supervisor withdrew it, with a reason.
    pub withdrawn: bool,
    /// Its key round has begun (a key initialised or generated for it).
    pub round_started: bool,
}

impl CertFacts {
    /// Written or withdrawn: nothing is left to do for it at the key desk.
    pub fn finished(&self) -> bool {
        self.written || self.withdrawn
    }
}

impl CaseFacts {
    /// Records that `who` shaped the case (kept once, with the first thing they did).
    pub fn shaped(&mut self, who: &str, did: &'static str) {
        if !self.shaped_by.iter().any(|(name, _)| name == who) {
            self.shaped_by.push((who.to_string(), did));
        }
    }

    /// What `who` did to shape the case, if anything.
    pub fn shaper(&self, who: &str) -> Option<&'static str> {
        self.shaped_by.iter().find(|(name, _)| name == who).map(|(_, did)| *did)
    }

    /// A certificate of the case was written to a key.
    pub fn key_written(&self) -> bool {
        self.certs.iter().any(|c| c.written)
    }

    /// Certificate `index`, or why there is none.
    pub fn cert(&self, index: u32) -> Result<&CertFacts, RuleError> {
        self.certs.iter().find(|c| c.index == index).ok_or(RuleError::NoSuchCert { cert: index, count: self.certs.len() as u32 })
    }

    /// Every certificate is written or withdrawn, and at least one is written: the case's keys
    /// are issued (the move to key_issued).
    pub fn all_issued(&self) -> bool {
        !self.certs.is_empty() && self.certs.iter().all(CertFacts::finished) && self.key_written()
    }

    /// The approval still covers the current data and files.
    pub fn approval_holds(&self) -> bool {
        self.approved.as_deref() == Some(self.approval_digest.as_str())
    }
}

/// Files the key desk produces (the certificate the CA issued; a dual certificate's encryption
/// certificate): they do not shape the case and
/// are not covered by the approval. Every other file kept with a case (the seal sheet scan,
/// the chosen seal images, other scans) is put there by a clerk and covered.
pub const KEY_DESK_FILES: [&str; 2] = ["certificate", "certificate:encrypt"];

/// Whether a file kept with a case is covered by its approval: not the key desk's files, of
/// any certificate (`certificate`, `certificate:encrypt`, `certificate:K`, `certificate:K:encrypt`).
pub fn covered_by_approval(name: &str) -> bool {
    !(KEY_DESK_FILES.contains(&name) || name.starts_with("certificate:"))
}

/// The attachment that keeps the issued certificate of certificate `cert` (the encryption
/// certificate with `encrypt`): certificate 1 keeps the names one-key cases always had.
pub fn cert_attachment(cert: u32, encrypt: bool) -> String {
    match (cert, encrypt) {
        (0 | 1, false) => "certificate".into(),
        (0 | 1, true) => "certificate:encrypt".into(),
        (k, false) => format!("certificate:{k}"),
        (k, true) => format!("certificate:{k}:encrypt"),
    }
}

/// The digest an approval records: the case data's digest and the SHA-256 of every covered
/// file, by name (newest version of each). Anything that changes either voids the approval.
pub fn approval_digest<'a>(data_digest: &str, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut files: Vec<(&str, &str)> = files.into_iter().filter(|(name, _)| covered_by_approval(name)).collect();
    files.sort();
    let mut text = format!("certdesk-approval-v1\ndata {data_digest}\n");
    for (name, sha) in files {
        text.push_str(&format!("file {name} {sha}\n"));
    }
    crate::case::sha256_hex(text.as_bytes())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{action} needs the role {needed} ({}); {actor} has {}", needed.iter().map(|r| r.zh()).collect::<Vec<_>>().join("/"), if has.is_empty() { "no role".to_string() } else { has.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", ") })]
    MissingRole { actor: String, action: &'static str, needed: RoleList, has: Vec<Role> },
    #[error("four-eyes rule: {actor} {did} this case and cannot approve it; another supervisor must (复核须由他人进行)")]
    OwnCase { actor: String, did: &'static str },
    #[error("{action} needs a reason")]
    ReasonRequired { action: &'static str },
    #[error("the approval was given for other data (approved {approved}, now {current}): the case must be reviewed again")]
    ApprovalVoid { approved: String, current: String },
    #[error("case is {status}: keys are made only for approved cases (复核通过后方可制证)")]
    NotApproved { status: Status },
    #[error("case is {status}: its data and files can no longer change (only draft, accepted, returned, submitted and approved cases can)")]
    NotEditable { status: Status },
    #[error("certificate {cert} ({holder}) was already written to a key: a second key for it needs a supervisor's reissue with a reason (case reissue --cert {cert})")]
    ReissueNeeded { cert: u32, holder: String },
    #[error("{} certificates are written ({}): say which one gets a second key (--cert K)", written.len(), written.iter().map(|(k, holder)| format!("{k} {holder}")).collect::<Vec<_>>().join(", "))]
    ReissueWhich { written: Vec<(u32, String)> },
    #[error("{}, so no reissue is needed", match cert { Some((k, holder)) => format!("certificate {k} ({holder}) was not written yet"), None => "no certificate was written yet".to_string() })]
    NothingToReissue { cert: Option<(u32, String)> },
    #[error("the case has no certificate {cert}: it has {count} (--cert 1…{count})")]
    NoSuchCert { cert: u32, count: u32 },
    #[error("certificate {cert} ({holder}) was withdrawn by a supervisor: no key is made for it")]
    CertWithdrawn { cert: u32, holder: String },
    #[error("certificate {cert} ({holder}) is written to a key already: a written key is handed over, not withdrawn")]
    CertWritten { cert: u32, holder: String },
    #[error("withdrawing certificate {cert} would leave the case without any certificate: cancel the case instead (作废)")]
    WithdrawAll { cert: u32 },
    #[error(
        "keys are being made for this case: its certificates' holders can no longer change ({change}); withdraw a certificate (case withdraw-cert), or take a new case for another person"
    )]
    AnnexFrozen { change: AnnexChange },
    #[error("{actor} must approve with their USB key (the counter's staff keys): give --token and --pin-file (须使用本人USB Key签名复核)")]
    SignatureRequired { actor: String },
    #[error("the approval signature does not hold: {refusal}")]
    SignatureRefused { refusal: SignatureRefusal },
}

/// Why a staff key's signature (an approval, a day's close) is refused (#31, #75).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    #[error("{account} has no USB key enrolled")]
    NoKeyEnrolled { account: String },
    /// `signed_by`: the signing certificate's SHA-256, its first 16 hex digits.
    #[error("the key that signed (certificate {signed_by}) is not the one enrolled for {account} ({enrolled})")]
    NotTheEnrolledKey { account: String, signed_by: String, enrolled: String },
    #[error("the certificate of {account} is valid from {not_before} to {not_after}, not now")]
    NotValidNow { account: String, not_before: String, not_after: String },
    /// The signature does not verify over the statement: made over other data, or not by the key.
    #[error("the case changed since it was signed, or {0}")]
    DoesNotVerify(SignatureFailure),
    #[error("the digest given is not the statement's")]
    DigestDiffers,
    /// The signature holds over the case as it stood when it was signed, which it no longer is
    /// (edited, its files changed) or another case's.
    #[error("the case changed since it was signed")]
    CaseChanged,
}

/// What the signature mathematics says of a staff signature that does not check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureFailure {
    #[error("the signature does not verify with the certificate's key")]
    BadSignature,
    #[error("the signature is {signature}, the certificate's key signs {certificate}")]
    AlgorithmMismatch { signature: String, certificate: String },
    #[error("no signature algorithm {0:?}")]
    UnknownAlgorithm(String),
    #[error("the certificate's key is {0}, which staff keys cannot be")]
    UnsupportedKey(String),
    /// The certificate or the signature cannot be read; the parser's words.
    #[error("malformed: {0}")]
    Malformed(String),
}

impl SignatureRefusal {
    /// The refusal in the supervisor's words.
    pub fn zh(&self) -> String {
        match self {
            SignatureRefusal::NoKeyEnrolled { account } => format!("{account} 未登记USB Key"),
            SignatureRefusal::NotTheEnrolledKey { account, enrolled, .. } => format!("签名所用的USB Key不是为 {account} 登记的USB Key（{enrolled}）"),
            SignatureRefusal::NotValidNow { account, not_before, not_after } => format!("{account} 的证书有效期为 {not_before} 至 {not_after}，当前不在有效期内"),
            SignatureRefusal::DoesNotVerify(failure) => format!("签名无法验证：签名后案件已被修改，或{}", failure.zh()),
            SignatureRefusal::DigestDiffers => "签名所附摘要与复核声明不符".into(),
            SignatureRefusal::CaseChanged => "签名后案件已被修改，请重新签名".into(),
        }
    }
}

impl SignatureFailure {
    /// What the mathematics says, in the supervisor's words.
    pub fn zh(&self) -> String {
        match self {
            SignatureFailure::BadSignature => "签名与证书的公钥不符".into(),
            SignatureFailure::AlgorithmMismatch { signature, certificate } => format!("签名算法为 {signature}，而证书的密钥为 {certificate}"),
            SignatureFailure::UnknownAlgorithm(a) => format!("未知的签名算法 {a}"),
            SignatureFailure::UnsupportedKey(k) => format!("证书的密钥为 {k}，不能用作操作员USB Key"),
            SignatureFailure::Malformed(what) => format!("证书或签名格式有误（{what}）"),
        }
    }
}

/// Whether the key desk may work on a case: approved, or a key already issued (re-issue).
pub fn may_make_key(status: Status) -> Result<(), RuleError> {
    match status {
        Status::Approved | Status::KeyIssued => Ok(()),
        status => Err(RuleError::NotApproved { status }),
    }
}

/// Roles, shown as `clerk|admin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleList(pub Vec<Role>);

impl fmt::Display for RoleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.iter().map(|r| r.wire()).collect::<Vec<_>>().join("|"))
    }
}

impl RoleList {
    fn iter(&self) -> impl Iterator<Item = &Role> {
        self.0.iter()
    }
}

/// The roles that may take an action (any one of them suffices).
pub fn roles_for(action: Action) -> &'static [Role] {
    match action {
        Action::Accept | Action::Submit | Action::Edit => &[Role::Clerk],
        Action::Approve | Action::Return => &[Role::Supervisor],
        Action::IssueKey | Action::Deliver => &[Role::KeyClerk],
        Action::Close => &[Role::Clerk, Role::KeyClerk, Role::Admin],
        Action::Cancel => &[Role::Clerk, Role::Supervisor, Role::Admin],
    }
}

/// Checks that `actor` may take `action` on a case with these facts. The state machine itself
/// (whether the status allows the action) is `status::next`.
pub fn authorize(actor: &Actor, action: Action, facts: &CaseFacts, reason: Option<&str>) -> Result<(), RuleError> {
    actor.require(action.wire(), roles_for(action))?;
    if action.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(RuleError::ReasonRequired { action: action.wire() });
    }
    if action == Action::Approve
        && let Some(did) = facts.shaper(actor.name())
    {
        return Err(RuleError::OwnCase { actor: actor.name().to_string(), did });
    }
    if action == Action::IssueKey && !facts.approval_holds() {
        return Err(void(facts));
    }
    Ok(())
}

fn void(facts: &CaseFacts) -> RuleError {
    RuleError::ApprovalVoid { approved: facts.approved.clone().unwrap_or_else(|| "never".into()), current: facts.approval_digest.clone() }
}

/// Whether `actor` may attach a file to a case (the seal sheet, a scan): a clerk, while the
/// case is editable. Attaching to an approved case sends it back to review, like an edit.
pub fn authorize_attach(actor: &Actor, facts: &CaseFacts) -> Result<Status, RuleError> {
    authorize(actor, Action::Edit, facts, None)?;
    let status = facts.status.unwrap_or(Status::Draft);
    crate::status::next(status, Action::Edit).map_err(|_| RuleError::NotEditable { status })
}

/// Whether `actor` may do a key-desk step for a case (initialise, generate, import or write the
/// certificate, write the seal image, verify): a key clerk, on an approved case (or one whose
/// key is being issued) whose approval still covers its data and files. `new_key` is a step
/// that starts a new key (initialise, generate): refused once a certificate was written.
/// `cert` is the certificate the step is for (none: an unlock or a wipe, once per case): it
/// must exist and not be withdrawn.
pub fn authorize_key_step(actor: &Actor, facts: &CaseFacts, new_key: bool, cert: Option<u32>) -> Result<(), RuleError> {
    actor.require("key desk", &[Role::KeyClerk])?;
    may_make_key(facts.status.unwrap_or(Status::Draft))?;
    if !facts.approval_holds() {
        return Err(void(facts));
    }
    if let Some(index) = cert {
        let c = facts.cert(index)?;
        if c.withdrawn {
            return Err(RuleError::CertWithdrawn { cert: index, holder: c.holder.clone() });
        }
        if new_key && c.written {
            return Err(RuleError::ReissueNeeded { cert: index, holder: c.holder.clone() });
        }
    }
    Ok(())
}

/// A supervisor puts a case on legal hold (or releases it), the hold with a reason (#30: a
/// held case is never purged).
pub fn authorize_hold(actor: &Actor, reason: Option<&str>) -> Result<(), RuleError> {
    actor.require(if reason.is_some() { "case hold" } else { "case release-hold" }, &[Role::Supervisor])?;
    if reason.is_some_and(|r| r.trim().is_empty()) {
        return Err(RuleError::ReasonRequired { action: "case_hold" });
    }
    Ok(())
}

/// Whether `actor` may withdraw certificate `cert` (an employee left before the key was made):
/// a supervisor, with a reason, on an approved case whose approval holds; not a written
/// certificate, not one withdrawn already, and not the last one left when none is written
/// (that is cancelling the case).
pub fn authorize_withdraw(actor: &Actor, facts: &CaseFacts, cert: u32, reason: &str) -> Result<(), RuleError> {
    actor.require("withdraw a certificate", &[Role::Supervisor])?;
    if reason.trim().is_empty() {
        return Err(RuleError::ReasonRequired { action: "withdraw-cert" });
    }
    may_make_key(facts.status.unwrap_or(Status::Draft))?;
    if !facts.approval_holds() {
        return Err(void(facts));
    }
    let c = facts.cert(cert)?;
    if c.withdrawn {
        return Err(RuleError::CertWithdrawn { cert, holder: c.holder.clone() });
    }
    if c.written {
        return Err(RuleError::CertWritten { cert, holder: c.holder.clone() });
    }
    if !facts.certs.iter().any(|o| o.index != cert && !o.withdrawn) {
        return Err(RuleError::WithdrawAll { cert });
    }
    Ok(())
}

/// A supervisor's permission for a second key for a certificate that was written (its first
/// key lost or broken), with a reason: the certificate it is for (`cert` may be left out when
/// one is written).
pub fn authorize_reissue(actor: &Actor, facts: &CaseFacts, cert: Option<u32>, reason: &str) -> Result<u32, RuleError> {
    actor.require("reissue", &[Role::Supervisor])?;
    if reason.trim().is_empty() {
        return Err(RuleError::ReasonRequired { action: "reissue" });
    }
    may_make_key(facts.status.unwrap_or(Status::Draft))?;
    let written: Vec<&CertFacts> = facts.certs.iter().filter(|c| c.written).collect();
    let c = match cert {
        Some(k) => facts.cert(k)?,
        None if written.len() > 1 => return Err(RuleError::ReissueWhich { written: written.iter().map(|c| (c.index, c.holder.clone())).collect() }),
        None => written.first().copied().ok_or(RuleError::NothingToReissue { cert: None })?,
    };
    if !c.written {
        return Err(RuleError::NothingToReissue { cert: Some((c.index, c.holder.clone())) });
    }
    Ok(c.index)
}

/// What an edit would change of the certificates of a case whose keys are being made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnnexChange {
    /// as many certificates as `before`, `after` the edit
    Count { before: usize, after: usize },
    /// certificate `cert` would pass from one holder to another
    Holder { cert: u32, was: String, now: String },
}

impl AnnexChange {
    /// The change in the counter's words, after the refusal's own sentence.
    pub fn zh(&self) -> String {
        match self {
            AnnexChange::Count { before, after } => format!("证书将由 {before} 张变为 {after} 张"),
            AnnexChange::Holder { cert, was, now } => format!("第 {cert} 张证书的持有人将由{was}变为{now}"),
        }
    }
}

impl std::fmt::Display for AnnexChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnnexChange::Count { before, after } => write!(f, "{before} certificates would become {after}"),
            AnnexChange::Holder { cert, was, now } => write!(f, "certificate {cert} is {was}'s, not {now}'s"),
        }
    }
}

/// Once keys are being made, the certificates an edit leaves must be the ones the chain's key
/// events name: same count, same holders in the same order.
pub fn check_annex_frozen(facts: &CaseFacts, before: &[crate::certs::CertSlot], after: &[crate::certs::CertSlot]) -> Result<(), RuleError> {
    if !facts.key_desk_started {
        return Ok(());
    }
    if before.len() != after.len() {
        return Err(RuleError::AnnexFrozen { change: AnnexChange::Count { before: before.len(), after: after.len() } });
    }
    for (b, a) in before.iter().zip(after) {
        if (&b.holder, &b.holder_id) != (&a.holder, &a.holder_id) {
            return Err(RuleError::AnnexFrozen { change: AnnexChange::Holder { cert: b.index, was: b.holder.clone(), now: a.holder.clone() } });
        }
    }
    Ok(())
}

/// One action this account may take on a case now, as the UI offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AllowedAction {
    pub action: &'static str,
    pub needs_reason: bool,
    /// What must be done before the action goes through (the screen shows it and keeps the
    /// button disabled): `materials_missing` where required materials are neither handed in
    /// nor promised (#79). The rules here do not know materials: the desk sets it.
    pub waits_for: Option<&'static str>,
    /// The account approves with its USB key's signature (#31: an enrolled key it must use):
    /// the screen asks the key's PIN with the button, before it is pressed. The rules here do
    /// not know enrolments: the desk sets it.
    pub signed: bool,
}

/// What this account may do to a case now: computed here so that every front end offers
/// exactly what the rules allow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CaseCapabilities {
    pub actions: Vec<AllowedAction>,
    /// Correct the case data.
    pub edit: bool,
    /// Import the seal sheet or attach a file.
    pub attach: bool,
    /// Print the forms.
    pub print: bool,
    /// Work on the case at the key desk.
    pub key_desk: bool,
    /// The certificates this account may withdraw now (a supervisor, before they are written;
    /// the reason is asked), by index.
    pub withdraw_certs: Vec<u32>,
    /// The certificates this account may allow a second key for now (a supervisor, once
    /// written: 登记补办; the reason is asked), by index.
    pub reissue_certs: Vec<u32>,
}

/// The workflow actions a front end offers, in the order it shows them.
pub const OFFERED: [Action; 7] = [Action::Accept, Action::Submit, Action::Approve, Action::Return, Action::Deliver, Action::Close, Action::Cancel];

pub fn capabilities(actor: &Actor, facts: &CaseFacts) -> CaseCapabilities {
    let status = facts.status.unwrap_or(Status::Draft);
    // a reason is checked separately: offer the action when everything else allows it
    let allowed = |action: Action| crate::status::next(status, action).is_ok() && authorize(actor, action, facts, Some("-")).is_ok();
    CaseCapabilities {
        actions: OFFERED.into_iter().filter(|a| allowed(*a)).map(|a| AllowedAction { action: a.wire(), needs_reason: a.needs_reason(), waits_for: None, signed: false }).collect(),
        edit: allowed(Action::Edit),
        attach: authorize_attach(actor, facts).is_ok(),
        print: status.is_open() && [Role::Clerk, Role::Supervisor, Role::KeyClerk].iter().any(|r| actor.has(*r)),
        key_desk: authorize_key_step(actor, facts, false, None).is_ok(),
        withdraw_certs: facts.certs.iter().map(|c| c.index).filter(|k| authorize_withdraw(actor, facts, *k, "-").is_ok()).collect(),
        reissue_certs: facts.certs.iter().map(|c| c.index).filter(|k| authorize_reissue(actor, facts, Some(*k), "-").is_ok()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(name: &str, roles: &[Role]) -> Actor {
        Actor::new(AccountChecked::by_the_store(), name, roles.to_vec())
    }

    fn facts() -> CaseFacts {
        let mut f = CaseFacts { status: Some(Status::Submitted), digest: "d1".into(), approval_digest: "a1".into(), ..Default::default() };
        f.shaped("zhang", "created");
        f
    }

    fn approved() -> CaseFacts {
        CaseFacts { status: Some(Status::Approved), approved: Some("a1".into()), ..facts() }
    }

    #[test]
    fn roles_gate_actions() {
        let clerk = actor("zhang", &[Role::Clerk]);
        let sup = actor("li", &[Role::Supervisor]);
        let key = actor("wang", &[Role::KeyClerk]);
        assert!(authorize(&clerk, Action::Accept, &facts(), None).is_ok());
        assert!(matches!(authorize(&sup, Action::Accept, &facts(), None), Err(RuleError::MissingRole { .. })));
        assert!(authorize(&sup, Action::Approve, &facts(), None).is_ok());
        assert!(matches!(authorize(&clerk, Action::Approve, &facts(), None), Err(RuleError::MissingRole { .. })));
        assert!(matches!(authorize(&key, Action::Approve, &facts(), None), Err(RuleError::MissingRole { .. })));
        assert!(authorize(&key, Action::IssueKey, &approved(), None).is_ok());
        assert!(matches!(authorize(&clerk, Action::IssueKey, &approved(), None), Err(RuleError::MissingRole { .. })));
    }

    #[test]
    fn self_approval_is_refused_even_with_both_roles() {
        let both = actor("zhang", &[Role::Clerk, Role::Supervisor]);
        assert_eq!(authorize(&both, Action::Approve, &facts(), None).unwrap_err(), RuleError::OwnCase { actor: "zhang".into(), did: "created" });
        // a different supervisor may
        assert!(authorize(&actor("li", &[Role::Supervisor]), Action::Approve, &facts(), None).is_ok());
    }

    #[test]
    fn everyone_who_ever_shaped_the_case_is_refused_not_only_the_last() {
        // A edits, B edits, A approves: A is still a shaper
        let mut f = facts();
        f.shaped("a", "edited");
        f.shaped("b", "edited");
        f.shaped("c", "attached a file to");
        for (who, did) in [("a", "edited"), ("b", "edited"), ("c", "attached a file to"), ("zhang", "created")] {
            assert_eq!(authorize(&actor(who, &[Role::Supervisor]), Action::Approve, &f, None).unwrap_err(), RuleError::OwnCase { actor: who.into(), did });
        }
        f.shaped("a", "submitted");
        assert_eq!(f.shaper("a"), Some("edited"), "the first thing done is kept");
    }

    #[test]
    fn return_and_cancel_need_a_reason() {
        let sup = actor("li", &[Role::Supervisor]);
        assert_eq!(authorize(&sup, Action::Return, &facts(), None), Err(RuleError::ReasonRequired { action: "return" }));
        assert_eq!(authorize(&sup, Action::Return, &facts(), Some("  ")), Err(RuleError::ReasonRequired { action: "return" }));
        assert!(authorize(&sup, Action::Return, &facts(), Some("公章模糊")).is_ok());
        assert!(authorize(&sup, Action::Cancel, &facts(), None).is_err());
    }

    #[test]
    fn the_key_desk_works_only_on_approved_cases() {
        assert!(may_make_key(Status::Approved).is_ok());
        assert!(may_make_key(Status::KeyIssued).is_ok());
        for s in [Status::Draft, Status::Accepted, Status::Submitted, Status::Returned, Status::Cancelled, Status::Closed] {
            assert_eq!(may_make_key(s), Err(RuleError::NotApproved { status: s }));
        }
    }

    #[test]
    fn issuing_needs_an_approval_of_the_current_data_and_files() {
        let key = actor("wang", &[Role::KeyClerk]);
        let mut f = approved();
        f.approved = Some("a0".into());
        assert!(matches!(authorize(&key, Action::IssueKey, &f, None), Err(RuleError::ApprovalVoid { .. })));
        assert!(matches!(authorize_key_step(&key, &f, false, None), Err(RuleError::ApprovalVoid { .. })));
        f.approved = None;
        assert!(matches!(authorize(&key, Action::IssueKey, &f, None), Err(RuleError::ApprovalVoid { .. })));
        // a status written behind the application's back does not make an approval
        let forged = CaseFacts { status: Some(Status::Approved), ..facts() };
        assert!(matches!(authorize_key_step(&key, &forged, false, None), Err(RuleError::ApprovalVoid { .. })));
        assert!(authorize_key_step(&key, &approved(), true, None).is_ok());
        let written = CertFacts { index: 1, holder: "王芳".into(), written: true, ..Default::default() };
        assert_eq!(
            authorize_key_step(&key, &CaseFacts { certs: vec![written.clone()], ..approved() }, true, Some(1)),
            Err(RuleError::ReissueNeeded { cert: 1, holder: "王芳".into() })
        );
        assert!(matches!(authorize_key_step(&actor("zhang", &[Role::Clerk]), &approved(), false, None), Err(RuleError::MissingRole { .. })));
    }

    fn three(written: &[u32], withdrawn: &[u32]) -> CaseFacts {
        let certs = (1..=3)
            .map(|i| CertFacts {
                index: i,
                holder: format!("h{i}"),
                written: written.contains(&i),
                withdrawn: withdrawn.contains(&i),
                round_started: written.contains(&i),
                holder_id: None,
            })
            .collect();
        CaseFacts { certs, key_desk_started: true, ..approved() }
    }

    #[test]
    fn each_certificate_has_its_own_key_round() {
        let key = actor("wang", &[Role::KeyClerk]);
        let f = three(&[1], &[3]);
        assert!(authorize_key_step(&key, &f, true, Some(2)).is_ok(), "certificate 2 gets its first key");
        assert_eq!(authorize_key_step(&key, &f, true, Some(1)), Err(RuleError::ReissueNeeded { cert: 1, holder: "h1".into() }));
        assert!(authorize_key_step(&key, &f, false, Some(1)).is_ok(), "the seal image onto a written key");
        assert_eq!(authorize_key_step(&key, &f, false, Some(3)), Err(RuleError::CertWithdrawn { cert: 3, holder: "h3".into() }));
        assert_eq!(authorize_key_step(&key, &f, true, Some(4)), Err(RuleError::NoSuchCert { cert: 4, count: 3 }));
        assert!(!f.all_issued());
        assert!(three(&[1, 2], &[3]).all_issued());
        assert!(!three(&[], &[1, 2, 3]).all_issued(), "nothing written is not issued");
    }

    #[test]
    fn a_supervisor_withdraws_a_certificate_not_yet_written_with_a_reason() {
        let sup = actor("li", &[Role::Supervisor]);
        let f = three(&[1], &[]);
        assert!(authorize_withdraw(&sup, &f, 2, "离职").is_ok());
        assert!(matches!(authorize_withdraw(&actor("zhang", &[Role::Clerk, Role::KeyClerk]), &f, 2, "离职"), Err(RuleError::MissingRole { .. })));
        assert_eq!(authorize_withdraw(&sup, &f, 2, " "), Err(RuleError::ReasonRequired { action: "withdraw-cert" }));
        assert_eq!(authorize_withdraw(&sup, &f, 1, "离职"), Err(RuleError::CertWritten { cert: 1, holder: "h1".into() }));
        assert_eq!(authorize_withdraw(&sup, &three(&[], &[2]), 2, "离职"), Err(RuleError::CertWithdrawn { cert: 2, holder: "h2".into() }));
        assert_eq!(authorize_withdraw(&sup, &three(&[], &[1, 2]), 3, "离职"), Err(RuleError::WithdrawAll { cert: 3 }));
        assert_eq!(authorize_withdraw(&sup, &f, 9, "离职"), Err(RuleError::NoSuchCert { cert: 9, count: 3 }));
        let mut void = f.clone();
        void.approved = Some("old".into());
        assert!(matches!(authorize_withdraw(&sup, &void, 2, "离职"), Err(RuleError::ApprovalVoid { .. })));
    }

    #[test]
    fn the_annex_is_frozen_once_keys_are_made() {
        use crate::case::BusinessType;
        let slot = |i: u32, h: &str| crate::certs::CertSlot { index: i, holder: h.into(), holder_id: Some(format!("id-{h}")), business: BusinessType::New, years: Some(1) };
        let before = [slot(1, "王芳"), slot(2, "陈刚")];
        let f = three(&[1], &[]);
        assert!(check_annex_frozen(&f, &before, &before.clone()).is_ok());
        let refused = |after: &[crate::certs::CertSlot]| match check_annex_frozen(&f, &before, after) {
            Err(RuleError::AnnexFrozen { change }) => Some(change),
            _ => None,
        };
        assert_eq!(refused(&[slot(1, "王芳")]), Some(AnnexChange::Count { before: 2, after: 1 }));
        let swapped = refused(&[slot(1, "陈刚"), slot(2, "王芳")]).unwrap();
        assert_eq!(swapped, AnnexChange::Holder { cert: 1, was: "王芳".into(), now: "陈刚".into() });
        assert_eq!(swapped.to_string(), "certificate 1 is 王芳's, not 陈刚's");
        assert_eq!(swapped.zh(), "第 1 张证书的持有人将由王芳变为陈刚");
        assert!(check_annex_frozen(&CaseFacts::default(), &before, &[slot(1, "陈刚")]).is_ok(), "before any key the annex is the clerk's");
    }

    #[test]
    fn every_certificates_key_desk_files_are_outside_the_approval() {
        assert_eq!(
            [cert_attachment(1, false), cert_attachment(1, true), cert_attachment(3, false), cert_attachment(3, true)],
            ["certificate", "certificate:encrypt", "certificate:3", "certificate:3:encrypt"]
        );
        for k in 1..=3 {
            assert!(!covered_by_approval(&cert_attachment(k, false)) && !covered_by_approval(&cert_attachment(k, true)));
        }
        assert!(covered_by_approval("seal:official_seal") && covered_by_approval("certificates.pdf"));
    }

    #[test]
    fn the_approval_covers_the_files_but_not_the_issued_certificate() {
        let a = approval_digest("d1", [("seal:official_seal", "s1"), ("seal:scan", "s2")]);
        assert_eq!(a, approval_digest("d1", [("seal:scan", "s2"), ("seal:official_seal", "s1")]), "order does not matter");
        assert_ne!(a, approval_digest("d1", [("seal:official_seal", "s9"), ("seal:scan", "s2")]), "a swapped seal image voids it");
        assert_ne!(a, approval_digest("d2", [("seal:official_seal", "s1"), ("seal:scan", "s2")]), "other data voids it");
        assert_eq!(a, approval_digest("d1", [("seal:official_seal", "s1"), ("seal:scan", "s2"), ("certificate", "c1")]));
    }

    #[test]
    fn attaching_follows_editing() {
        let clerk = actor("zhang", &[Role::Clerk]);
        assert_eq!(authorize_attach(&clerk, &facts()), Ok(Status::Submitted));
        assert_eq!(authorize_attach(&clerk, &approved()), Ok(Status::Submitted), "back to review");
        let issued = CaseFacts { status: Some(Status::KeyIssued), ..approved() };
        assert_eq!(authorize_attach(&clerk, &issued), Err(RuleError::NotEditable { status: Status::KeyIssued }));
        assert!(matches!(authorize_attach(&actor("li", &[Role::Supervisor]), &facts()), Err(RuleError::MissingRole { .. })));
    }

    #[test]
    fn capabilities_offer_only_what_the_rules_allow() {
        let names = |c: &CaseCapabilities| c.actions.iter().map(|a| a.action).collect::<Vec<_>>();
        let clerk = actor("zhang", &[Role::Clerk]);
        let sup = actor("li", &[Role::Supervisor]);
        let both = actor("zhang", &[Role::Clerk, Role::Supervisor]);
        assert_eq!(names(&capabilities(&clerk, &facts())), ["cancel"]);
        assert_eq!(names(&capabilities(&sup, &facts())), ["approve", "return", "cancel"]);
        assert_eq!(names(&capabilities(&both, &facts())), ["return", "cancel"], "never one's own case");
        let caps = capabilities(&sup, &facts());
        assert!(caps.actions.iter().all(|a| a.needs_reason == (a.action != "approve")));
        assert!(!caps.edit && !caps.attach && caps.print && !caps.key_desk);
        let key = actor("wang", &[Role::KeyClerk]);
        assert!(capabilities(&key, &approved()).key_desk);
        assert!(capabilities(&clerk, &approved()).edit);
        // withdrawing: the supervisor's, never a written certificate, never the last one open
        let three: Vec<CertFacts> = (1..=3).map(|i| CertFacts { index: i, holder: format!("员工{i}"), written: i == 1, ..Default::default() }).collect();
        let order = CaseFacts { certs: three, ..approved() };
        assert_eq!(capabilities(&sup, &order).withdraw_certs, [2, 3]);
        assert!(capabilities(&clerk, &order).withdraw_certs.is_empty());
        assert!(capabilities(&key, &order).withdraw_certs.is_empty());
        assert!(capabilities(&sup, &facts()).withdraw_certs.is_empty(), "not before approval");
        // a second key (登记补办): the supervisor's, for a written certificate only
        assert_eq!(capabilities(&sup, &order).reissue_certs, [1]);
        assert!(capabilities(&clerk, &order).reissue_certs.is_empty() && capabilities(&key, &order).reissue_certs.is_empty());
        assert!(capabilities(&sup, &CaseFacts { status: Some(Status::Submitted), ..order.clone() }).reissue_certs.is_empty(), "not before approval");
    }

    #[test]
    fn a_reissue_names_a_written_certificate_and_gives_a_reason() {
        let sup = actor("li", &[Role::Supervisor]);
        let certs = |written: &[u32]| (1..=3).map(|i| CertFacts { index: i, holder: format!("员工{i}"), written: written.contains(&i), ..Default::default() }).collect::<Vec<_>>();
        let one = CaseFacts { certs: certs(&[2]), ..approved() };
        assert_eq!(authorize_reissue(&sup, &one, None, "Key损坏"), Ok(2), "the one written, unnamed");
        assert_eq!(authorize_reissue(&sup, &one, Some(1), "Key损坏"), Err(RuleError::NothingToReissue { cert: Some((1, "员工1".into())) }));
        assert!(matches!(authorize_reissue(&sup, &one, Some(2), " "), Err(RuleError::ReasonRequired { .. })));
        assert!(matches!(authorize_reissue(&actor("wang", &[Role::KeyClerk]), &one, Some(2), "x"), Err(RuleError::MissingRole { .. })));
        let two = CaseFacts { certs: certs(&[1, 3]), ..approved() };
        assert_eq!(authorize_reissue(&sup, &two, None, "x"), Err(RuleError::ReissueWhich { written: vec![(1, "员工1".into()), (3, "员工3".into())] }));
        assert_eq!(authorize_reissue(&sup, &CaseFacts { certs: certs(&[]), ..approved() }, None, "x"), Err(RuleError::NothingToReissue { cert: None }));
    }

    #[test]
    fn only_a_supervisor_holds_a_case_and_a_hold_needs_a_reason() {
        let sup = actor("li", &[Role::Supervisor]);
        let clerk = actor("zhang", &[Role::Clerk, Role::Admin]);
        assert!(authorize_hold(&sup, Some("诉讼保全")).is_ok() && authorize_hold(&sup, None).is_ok());
        assert!(matches!(authorize_hold(&sup, Some("  ")), Err(RuleError::ReasonRequired { .. })));
        assert!(matches!(authorize_hold(&clerk, Some("x")), Err(RuleError::MissingRole { .. })));
        assert!(matches!(authorize_hold(&clerk, None), Err(RuleError::MissingRole { .. })));
    }
}
