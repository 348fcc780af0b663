//! Staff keys (#31, docs/design-staff-keys.md): the enrolments of operator certificates to
//! accounts (`operator_keys`, append-only but for the one-way end of an enrolment, each start
//! and end an event on the chain), who must use their key (`key_sign_in_roles` and an open
//! enrolment, `certdesk_domain::staff::key_required`), the sign-in's second factor (a challenge
//! made here, single use by construction, and its signature checked here), the check of a signed
//! approval inside the approval's transaction, and `audit verify`'s pass over the signatures.
//! The signature mathematics is handed in as a [`SignatureCheck`] (the desk implements it over
//! `certdesk-token`): the store knows no key library. Not the parsing of certificates nor their
//! chain to the operator CA (the desk's, before an enrolment is written).

use crate::accounts::AuthError;
use crate::db::{Row, Sql, args};
use crate::{AuditAction, NewEvent, Store, StoreError, detail};
use certdesk_domain::staff;
use certdesk_domain::workflow::{AccountChecked, Actor, Role, RuleError, SignatureFailure, SignatureRefusal};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The setting naming the roles that must sign in and approve with their key once enrolled.
pub const KEY_SIGN_IN_ROLES: &str = "key_sign_in_roles";

/// How long a sign-in challenge may wait for the key's signature.
pub const CHALLENGE_LIFETIME: Duration = Duration::from_secs(120);

/// The signature mathematics the store asks for (RSA, P-256, SM2): implemented by the desk over
/// `certdesk_token::staff`.
pub trait SignatureCheck {
    /// Whether `signature` of `algorithm` (its wire name) is `certificate_der`'s key's over
    /// `message`; why not, in words.
    fn check(&self, certificate_der: &[u8], algorithm: &str, message: &[u8], signature: &[u8]) -> Result<(), SignatureFailure>;
    /// The digest such a signature covers as hashed (SHA-256 of the message, or SM2's e).
    fn digest(&self, certificate_der: &[u8], algorithm: &str, message: &[u8]) -> Result<Vec<u8>, SignatureFailure>;
    /// The installation's operator CA every staff certificate must chain to (#78): the SHA-256
    /// of its certificate(s), hex, kept outside the store. `None`: no anchor is installed, and
    /// `audit verify` checks the signatures against the store's own enrolments only (and says
    /// so: [`SignatureReport::anchored`]).
    fn operator_ca(&self) -> Option<String> {
        None
    }
    /// Whether `certificate_der` chains to that operator CA at `at` (RFC 3339), through the CA
    /// certificates `sent_pem` (the enrolment's, which are not trusted themselves); why not, in
    /// words. Asked only when [`SignatureCheck::operator_ca`] names one; a check that names one
    /// must answer this too (unanswered, every certificate fails).
    fn chains_to_operator_ca(&self, certificate_der: &[u8], sent_pem: &str, at: &str) -> Result<(), String> {
        let _ = (certificate_der, sent_pem, at);
        Err("this signature check cannot chain certificates to the operator CA".into())
    }
}

/// An operator certificate bound to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Enrolment {
    pub account: String,
    /// SHA-256 of the certificate's DER, hex
    pub fingerprint: String,
    /// `rsa-2048`, `ec-p256` or `sm2`
    pub algorithm: String,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub not_before: String,
    pub not_after: String,
    pub enrolled_at: String,
    pub enrolled_by: String,
    pub ended_at: Option<String>,
    pub ended_by: Option<String>,
    /// `replaced`, `revoked` or `account disabled`
    pub end_reason: Option<String>,
    /// the certificate, DER
    #[serde(skip)]
    #[ts(skip)]
    pub certificate: Vec<u8>,
    /// the operator CA certificates it was checked against at enrolment, PEM
    #[serde(skip)]
    #[ts(skip)]
    pub chain_pem: String,
}

impl Enrolment {
    /// Whether the enrolment was in force at `at` (RFC 3339, the store's times): enrolled by
    /// then, not ended before, and the certificate valid then.
    pub fn valid_at(&self, at: &str) -> bool {
        // compared as instants: the certificate's times have whole seconds, the store's six decimals
        let t = |text: &str| chrono::DateTime::parse_from_rfc3339(text).ok();
        let Some(at) = t(at) else { return false };
        let before = |text: &str| t(text).is_some_and(|x| x <= at);
        before(&self.enrolled_at)
            && self.ended_at.as_deref().is_none_or(|end| t(end).is_some_and(|e| at < e))
            && before(&self.not_before)
            && t(&self.not_after).is_some_and(|x| at <= x)
    }
}

/// What the desk read off a checked operator certificate, to be enrolled.
#[derive(Debug, Clone)]
pub struct NewEnrolment {
    pub fingerprint: String,
    pub certificate_der: Vec<u8>,
    pub chain_pem: String,
    pub algorithm: String,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    /// RFC 3339 UTC, as the store writes times
    pub not_before: String,
    pub not_after: String,
}

/// A sign-in waiting for the key: made only by [`Store::authenticate_first`] after the right
/// password, used once by [`Store::authenticate_key`] (taken by value), valid two minutes.
#[derive(Debug)]
pub struct KeyChallenge {
    account: String,
    enrolment: Enrolment,
    message: Vec<u8>,
    issued: Instant,
}

impl KeyChallenge {
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The enrolment whose key must sign (its certificate finds the key among those plugged).
    pub fn enrolment(&self) -> &Enrolment {
        &self.enrolment
    }

    /// The statement the key signs (`certdesk_domain::staff::sign_in_statement`).
    pub fn message(&self) -> &[u8] {
        &self.message
    }
}

/// The first factor's outcome: signed in, or the key is needed too.
#[derive(Debug)]
pub enum FirstFactor {
    Done(Actor),
    KeyNeeded(Box<KeyChallenge>),
}

/// A signed approval handed to the store: what the event records and the signature's bytes.
#[derive(Debug, Clone)]
pub struct SignedApproval {
    pub detail: detail::ApprovalSigned,
    pub signature: Vec<u8>,
}

const ENROLMENT_COLUMNS: &str =
    "account, fingerprint, algorithm, subject, issuer, serial_hex, not_before, not_after, enrolled_at, enrolled_by, ended_at, ended_by, end_reason, certificate, chain_pem";

fn enrolment_of(r: &Row) -> Result<Enrolment, StoreError> {
    Ok(Enrolment {
        account: r.text(0)?,
        fingerprint: r.text(1)?,
        algorithm: r.text(2)?,
        subject: r.text(3)?,
        issuer: r.text(4)?,
        serial_hex: r.text(5)?,
        not_before: r.text(6)?,
        not_after: r.text(7)?,
        enrolled_at: r.text(8)?,
        enrolled_by: r.text(9)?,
        ended_at: r.opt_text(10)?,
        ended_by: r.opt_text(11)?,
        end_reason: r.opt_text(12)?,
        certificate: r.blob(13)?,
        chain_pem: r.text(14)?,
    })
}

/// The account's open enrolment, if any.
/// Ends `account`'s open enrolment, if it has one, in `tx` with `end` (`account disabled`):
/// the row's one-way end and the `operator_key_ended` event.
pub(crate) fn end_open_enrolment(tx: &mut crate::db::Tx<'_>, by: &str, account: &str, end: &str) -> Result<(), StoreError> {
    let Some(open) = open_enrolment_in(tx.db, account)? else { return Ok(()) };
    let event = detail::KeyEnded { user: account.into(), fingerprint: open.fingerprint.clone(), end: end.into(), reason: None };
    let seq = tx.append(&NewEvent::new(by, AuditAction::KeyEnded, &event))?;
    tx.db.exec(
        "ending a USB key enrolment",
        "UPDATE operator_keys SET ended_at = ?1, ended_by = ?2, ended_seq = ?3, end_reason = ?4 WHERE fingerprint = ?5 AND ended_at IS NULL",
        args![tx.at.as_str(), by, seq, end, open.fingerprint.as_str()],
    )?;
    Ok(())
}

pub(crate) fn open_enrolment_in(db: &mut dyn Sql, account: &str) -> Result<Option<Enrolment>, StoreError> {
    db.row(
        "reading the account's USB key",
        &format!("SELECT {ENROLMENT_COLUMNS} FROM operator_keys WHERE account = ?1 AND ended_at IS NULL ORDER BY id DESC LIMIT 1"),
        args![account],
    )?
    .map(|r| enrolment_of(&r))
    .transpose()
}

/// The enrolment of certificate `fingerprint`, ended or not.
pub(crate) fn enrolment_by_fingerprint_in(db: &mut dyn Sql, fingerprint: &str) -> Result<Option<Enrolment>, StoreError> {
    db.row("reading a USB key enrolment", &format!("SELECT {ENROLMENT_COLUMNS} FROM operator_keys WHERE fingerprint = ?1"), args![fingerprint])?
        .map(|r| enrolment_of(&r))
        .transpose()
}

/// The roles that must use their key (the setting, else supervisors, key clerks and admins).
pub(crate) fn required_roles_in(db: &mut dyn Sql) -> Result<Vec<Role>, StoreError> {
    let set = db.row("reading a setting", "SELECT value FROM settings WHERE key = ?1", args![KEY_SIGN_IN_ROLES])?.map(|r| r.text(0)).transpose()?;
    Ok(match set {
        Some(text) => staff::parse_key_roles(&text).unwrap_or_else(|_| staff::DEFAULT_KEY_ROLES.to_vec()),
        None => staff::DEFAULT_KEY_ROLES.to_vec(),
    })
}

/// The enrolment whose key account `name` of `roles` must use, if it must.
pub(crate) fn key_of(db: &mut dyn Sql, name: &str, roles: &[Role]) -> Result<Option<Enrolment>, StoreError> {
    let enrolment = open_enrolment_in(db, name)?;
    let required = required_roles_in(db)?;
    Ok(enrolment.filter(|_| staff::key_required(roles, &required, true)))
}

/// The counter code a statement names: the setting, else `-`.
fn counter_in(db: &mut dyn Sql) -> Result<String, StoreError> {
    Ok(db.row("reading a setting", "SELECT value FROM settings WHERE key = 'counter_code'", &[])?.map(|r| r.text(0)).transpose()?.unwrap_or_else(|| "-".into()))
}

pub(crate) fn random_hex(bytes: usize) -> String {
    use ring::rand::SecureRandom;
    let mut buf = vec![0u8; bytes];
    // the OS's random source failing is not a state to go on from
    ring::rand::SystemRandom::new().fill(&mut buf).expect("the OS's random source");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed approval whose signature was verified before the approval's transaction (#75: the
/// signature mathematics runs outside it, so the store does not call up while it writes): the
/// statement of case `number` at `approval_digest` by `account`'s key. Made only by
/// [`verify_approval`]; the approval's transaction binds it to the case as it loads it.
#[derive(Debug, Clone)]
pub struct VerifiedApproval {
    signed: SignedApproval,
    number: String,
    approval_digest: String,
    account: String,
}

/// `statement` signed by `account` with `enrolment`'s key: the key that signed is that one, and
/// the signature holds; the digest it covers, as hashed.
fn verify_statement(enrolment: &Enrolment, account: &str, signed: &SignedApproval, statement: &str, check: &dyn SignatureCheck) -> Result<Vec<u8>, SignatureRefusal> {
    if enrolment.account != account || enrolment.fingerprint != signed.detail.fingerprint {
        return Err(SignatureRefusal::NotTheEnrolledKey { account: account.into(), signed_by: short(&signed.detail.fingerprint).to_string(), enrolled: enrolment.subject.clone() });
    }
    check.check(&enrolment.certificate, &signed.detail.algorithm, statement.as_bytes(), &signed.signature).map_err(SignatureRefusal::DoesNotVerify)?;
    check.digest(&enrolment.certificate, &signed.detail.algorithm, statement.as_bytes()).map_err(SignatureRefusal::DoesNotVerify)
}

/// Verifies `signed`, an approval of case `number` at `approval_digest` by `actor`, with
/// `enrolment` (the actor's enrolled key): the key that signed is that one, and the signature
/// and its digest hold over the approval statement. What the approval's transaction checks
/// after, on its own reads: the enrolment still open and valid, the case still at that digest.
pub fn verify_approval(
    enrolment: &Enrolment,
    number: &str,
    approval_digest: &str,
    actor: &Actor,
    signed: SignedApproval,
    check: &dyn SignatureCheck,
) -> Result<VerifiedApproval, SignatureRefusal> {
    let account = actor.name().to_string();
    let statement = staff::approval_statement(&signed.detail.counter, number, approval_digest, &account, &enrolment.fingerprint);
    let digest = verify_statement(enrolment, &account, &signed, &statement, check)?;
    if hex(&digest) != signed.detail.digest_hex {
        return Err(SignatureRefusal::DigestDiffers);
    }
    Ok(VerifiedApproval { signed, number: number.to_string(), approval_digest: approval_digest.to_string(), account })
}

/// A day sign-off (日结) whose signature was verified before its transaction (#75), as
/// [`VerifiedApproval`] for an approval: the day statement over `sheet` at the chain's `head`
/// by `account`'s key. Made only by [`verify_day`].
#[derive(Debug, Clone)]
pub struct VerifiedDay {
    signed: SignedApproval,
    day: String,
    sheet: String,
    sheet_sha256: String,
    head: (i64, String),
    account: String,
    digest_hex: String,
}

/// Verifies `signed`, the day statement of `day` over `sheet` (the desk's day sheet, made at
/// the chain's `head`) by `actor`, with `enrolment` (the actor's enrolled key).
pub fn verify_day(
    enrolment: &Enrolment,
    actor: &Actor,
    day: &str,
    sheet: &str,
    head: &(i64, String),
    signed: SignedApproval,
    check: &dyn SignatureCheck,
) -> Result<VerifiedDay, SignatureRefusal> {
    let account = actor.name().to_string();
    let sheet_sha256 = certdesk_domain::case::sha256_hex(sheet.as_bytes());
    let statement = staff::day_statement(&signed.detail.counter, day, &sheet_sha256, &format!("{}:{}", head.0, head.1), &account, &enrolment.fingerprint);
    let digest = verify_statement(enrolment, &account, &signed, &statement, check)?;
    Ok(VerifiedDay { signed, day: day.to_string(), sheet: sheet.to_string(), sheet_sha256, head: head.clone(), account, digest_hex: hex(&digest) })
}

/// Binds a verified approval of case `number` by `actor` at `at` to what the approval's
/// transaction read: the actor's open enrolment (the key that signed, valid now) and the
/// approval digest of the case as loaded. What the `approve` event records.
pub(crate) fn check_approval(
    db: &mut dyn Sql,
    at: &str,
    number: &str,
    approval_digest: &str,
    actor: &Actor,
    verified: &VerifiedApproval,
) -> Result<detail::ApprovalSigned, crate::ActError> {
    let refused = |refusal: SignatureRefusal| crate::ActError::from(RuleError::SignatureRefused { refusal });
    let signed = &verified.signed;
    enrolment_that_signed(db, at, actor, &verified.account, &signed.detail.fingerprint)?
        .ok_or_else(|| refused(SignatureRefusal::NoKeyEnrolled { account: actor.name().to_string() }))?;
    if verified.number != number || verified.approval_digest != approval_digest {
        return Err(refused(SignatureRefusal::CaseChanged));
    }
    let b64 = base64_of(&signed.signature);
    Ok(detail::ApprovalSigned { signature_b64: b64, ..signed.detail.clone() })
}

/// The actor's open enrolment, bound to a statement verified as signed for `account` by the key
/// `fingerprint`: that key is the one enrolled and valid at `at`, and the account is the
/// actor's. `None`: no key enrolled (each caller says what that means for it).
fn enrolment_that_signed(db: &mut dyn Sql, at: &str, actor: &Actor, account: &str, fingerprint: &str) -> Result<Option<Enrolment>, crate::ActError> {
    let Some(enrolment) = open_enrolment_in(db, actor.name())? else { return Ok(None) };
    let refusal = if enrolment.fingerprint != fingerprint || account != actor.name() {
        SignatureRefusal::NotTheEnrolledKey { account: actor.name().into(), signed_by: short(fingerprint).to_string(), enrolled: enrolment.subject }
    } else if !enrolment.valid_at(at) {
        SignatureRefusal::NotValidNow { account: actor.name().into(), not_before: enrolment.not_before, not_after: enrolment.not_after }
    } else {
        return Ok(Some(enrolment));
    };
    Err(RuleError::SignatureRefused { refusal }.into())
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..16).unwrap_or(fingerprint)
}

/// Bytes as lower-case hex (a digest as `case show` gives it).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Base64 as an approval signature records it.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// What `audit verify` found of the signatures on the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    pub checked: u64,
    /// whether every signature's certificate was chained to the installation's operator CA,
    /// kept outside the store (#78); false: no anchor is installed and the signatures were
    /// checked against the store's own enrolments only, which whoever can write the store can
    /// replace
    pub anchored: bool,
    /// the operator CA's SHA-256 (hex; several comma-separated when its file holds several
    /// certificates), when anchored
    pub operator_ca_sha256: Option<String>,
    /// case numbers whose approval signature does not verify (or is missing where it was due)
    pub failed: Vec<String>,
    /// each problem: the case, the event, why
    pub problems: Vec<SignatureProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureProblem {
    pub case: String,
    pub seq: i64,
    pub why: String,
}

/// `audit verify`'s pass over the signatures (#31): every signed `approve` against the
/// enrolment valid at its time (the row matching its enrolment event), its certificate chained
/// to the installation's operator CA at that time when one is installed (#78: the enrolment
/// row and its event are the store's, and whoever can write the store can replace both), the
/// statement rebuilt from the event, the signature checked; an `approve` by an account that had
/// to sign and did not is a failure too.
pub(crate) fn verify_signatures(db: &mut dyn Sql, check: &dyn SignatureCheck) -> Result<SignatureReport, StoreError> {
    let operator_ca = check.operator_ca();
    let mut report = SignatureReport { anchored: operator_ca.is_some(), operator_ca_sha256: operator_ca.clone(), ..SignatureReport::default() };
    let enrolled: Vec<(i64, String, String, String)> = db
        .rows("reading the enrolments' events", "SELECT seq, at, actor, detail FROM audit_events WHERE action = 'operator_key_enrolled' ORDER BY seq", &[])?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?, r.text(2)?, r.text(3)?)))
        .collect::<Result<_, StoreError>>()?;
    let approvals = db.rows("reading the approvals", "SELECT seq, at, actor, case_number, detail FROM audit_events WHERE action = 'approve' ORDER BY seq", &[])?;
    for r in approvals {
        let (seq, at, actor, number, detail) = (r.int(0)?, r.text(1)?, r.text(2)?, r.opt_text(3)?.unwrap_or_default(), r.text(4)?);
        let change: detail::CaseChange = serde_json::from_str(&detail).unwrap_or_default();
        let mut fail = |why: String| {
            if !report.failed.contains(&number) {
                report.failed.push(number.clone());
            }
            report.problems.push(SignatureProblem { case: number.clone(), seq, why });
        };
        let Some(signed) = change.signature else {
            // an account that had to sign then: an open enrolment at that time and a required role
            if let Some(e) = enrolment_at(db, &actor, &at)? {
                let roles = change.roles.unwrap_or_default();
                let required = required_roles_at(db, seq)?;
                if staff::key_required(&roles, &required, true) {
                    fail(format!("approved by {actor} without their USB key (certificate {} enrolled then)", short(&e.fingerprint)));
                }
            }
            continue;
        };
        report.checked += 1;
        let Some(enrolment) = enrolment_by_fingerprint_in(db, &signed.fingerprint)? else {
            fail(format!("signed with certificate {} which no enrolment names", short(&signed.fingerprint)));
            continue;
        };
        if enrolment.account != actor || !enrolment.valid_at(&at) {
            fail(format!("certificate {} was not {actor}'s enrolled key at {at}", short(&signed.fingerprint)));
            continue;
        }
        if certdesk_domain::case::sha256_hex(&enrolment.certificate) != enrolment.fingerprint {
            fail(format!("the enrolled certificate {} was changed outside certdesk", short(&enrolment.fingerprint)));
            continue;
        }
        let recorded = enrolled.iter().any(|(_, e_at, _, d)| {
            serde_json::from_str::<detail::KeyEnrolled>(d).is_ok_and(|k| k.fingerprint == enrolment.fingerprint && k.user == enrolment.account) && *e_at == enrolment.enrolled_at
        });
        if !recorded {
            fail(format!("the enrolment of certificate {} is not on the audit chain: it was added outside certdesk", short(&enrolment.fingerprint)));
            continue;
        }
        if let Some(anchor) = &operator_ca
            && let Err(why) = check.chains_to_operator_ca(&enrolment.certificate, &enrolment.chain_pem, &at)
        {
            fail(format!(
                "certificate {} of {actor} ({}) does not chain to the installation's operator CA {}: {why}",
                short(&enrolment.fingerprint),
                enrolment.subject,
                short(anchor)
            ));
            continue;
        }
        let Some(approval_digest) = change.approval_digest else {
            fail("the approval names no digest".into());
            continue;
        };
        let statement = staff::approval_statement(&signed.counter, &number, &approval_digest, &actor, &signed.fingerprint);
        let Some(signature) = base64_decode(&signed.signature_b64) else {
            fail("the signature is not Base64".into());
            continue;
        };
        if let Err(why) = check.check(&enrolment.certificate, &signed.algorithm, statement.as_bytes(), &signature) {
            fail(format!("the approval signature does not verify: {why}"));
            continue;
        }
        match check.digest(&enrolment.certificate, &signed.algorithm, statement.as_bytes()) {
            Ok(d) if hex(&d) == signed.digest_hex => {}
            _ => fail("the recorded digest is not the statement's".into()),
        }
    }
    report.failed.sort();
    Ok(report)
}

/// The enrolment of `account` in force at `at`, if any.
fn enrolment_at(db: &mut dyn Sql, account: &str, at: &str) -> Result<Option<Enrolment>, StoreError> {
    let rows = db.rows("reading the account's USB keys", &format!("SELECT {ENROLMENT_COLUMNS} FROM operator_keys WHERE account = ?1 ORDER BY id"), args![account])?;
    for r in rows {
        let e = enrolment_of(&r)?;
        if e.valid_at(at) {
            return Ok(Some(e));
        }
    }
    Ok(None)
}

/// `key_sign_in_roles` as it stood before event `seq` (its history is on the chain as
/// `setting` events).
fn required_roles_at(db: &mut dyn Sql, seq: i64) -> Result<Vec<Role>, StoreError> {
    let key = crate::audit::json_of(db.dialect(), "detail", "key");
    let sql = format!("SELECT detail FROM audit_events WHERE action = 'setting' AND seq < ?1 AND {key} = ?2 ORDER BY seq DESC LIMIT 1");
    let set = db.row("reading a setting's history", &sql, args![seq, KEY_SIGN_IN_ROLES])?.map(|r| r.text(0)).transpose()?;
    let after = set.and_then(|d| serde_json::from_str::<detail::SettingChanged>(&d).ok()).map(|s| s.after);
    Ok(match after {
        Some(text) => staff::parse_key_roles(&text).unwrap_or_else(|_| staff::DEFAULT_KEY_ROLES.to_vec()),
        None => staff::DEFAULT_KEY_ROLES.to_vec(),
    })
}

impl Store {
    /// Binds an operator certificate (already parsed and chained to the operator CA by the
    /// desk) to account `account`, as an administrator: the account's open enrolment, if any,
    /// ends as `replaced`; a certificate enrolled before (for anyone) is refused.
    pub fn enrol_key(&mut self, by: &Actor, account: &str, new: &NewEnrolment) -> Result<Enrolment, AuthError> {
        if !by.has(Role::Admin) {
            return Err(AuthError::AdminOnly { what: "enrols a USB key", who: Some(by.name().to_string()) });
        }
        let target = self.account(account)?.ok_or_else(|| AuthError::NoAccount(account.into()))?;
        if target.disabled {
            return Err(AuthError::Disabled { name: account.into() });
        }
        self.write(|tx| {
            if let Some(e) = enrolment_by_fingerprint_in(tx.db, &new.fingerprint)? {
                return Err(AuthError::KeyEnrolledAlready { subject: e.subject, account: e.account });
            }
            let previous = open_enrolment_in(tx.db, account)?;
            let event = detail::KeyEnrolled {
                user: account.into(),
                fingerprint: new.fingerprint.clone(),
                algorithm: new.algorithm.clone(),
                subject: new.subject.clone(),
                issuer: new.issuer.clone(),
                serial_hex: new.serial_hex.clone(),
                not_before: new.not_before.clone(),
                not_after: new.not_after.clone(),
                replaces: previous.as_ref().map(|p| p.fingerprint.clone()),
            };
            let seq = tx.append(&NewEvent::new(by.name(), AuditAction::KeyEnrolled, &event))?;
            if let Some(p) = &previous {
                tx.db.exec(
                    "ending the account's earlier USB key",
                    "UPDATE operator_keys SET ended_at = ?1, ended_by = ?2, ended_seq = ?3, end_reason = 'replaced' WHERE fingerprint = ?4 AND ended_at IS NULL",
                    args![tx.at.as_str(), by.name(), seq, p.fingerprint.as_str()],
                )?;
            }
            tx.db.exec(
                "enrolling a USB key",
                "INSERT INTO operator_keys (account, fingerprint, certificate, chain_pem, algorithm, subject, issuer, serial_hex, not_before, not_after, enrolled_at, enrolled_by, enrolled_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                args![
                    account,
                    new.fingerprint.as_str(),
                    new.certificate_der.as_slice(),
                    new.chain_pem.as_str(),
                    new.algorithm.as_str(),
                    new.subject.as_str(),
                    new.issuer.as_str(),
                    new.serial_hex.as_str(),
                    new.not_before.as_str(),
                    new.not_after.as_str(),
                    tx.at.as_str(),
                    by.name(),
                    seq
                ],
            )?;
            Ok(open_enrolment_in(tx.db, account)?.ok_or_else(|| StoreError::Internal { what: "the enrolment just written is not there", detail: account.to_string() })?)
        })
    }

    /// Ends account `account`'s open enrolment as an administrator (`revoked`: a lost or
    /// compromised key), with a reason. Approvals signed before stay valid.
    pub fn revoke_key(&mut self, by: &Actor, account: &str, reason: &str) -> Result<Enrolment, AuthError> {
        if !by.has(Role::Admin) {
            return Err(AuthError::AdminOnly { what: "revokes a USB key", who: Some(by.name().to_string()) });
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AuthError::RevokeNeedsReason);
        }
        self.write(|tx| {
            let open = open_enrolment_in(tx.db, account)?.ok_or_else(|| AuthError::NoKeyEnrolled { account: account.to_string() })?;
            let event = detail::KeyEnded { user: account.into(), fingerprint: open.fingerprint.clone(), end: "revoked".into(), reason: Some(reason.into()) };
            let seq = tx.append(&NewEvent::new(by.name(), AuditAction::KeyEnded, &event))?;
            tx.db.exec(
                "revoking a USB key",
                "UPDATE operator_keys SET ended_at = ?1, ended_by = ?2, ended_seq = ?3, end_reason = 'revoked' WHERE fingerprint = ?4 AND ended_at IS NULL",
                args![tx.at.as_str(), by.name(), seq, open.fingerprint.as_str()],
            )?;
            Ok(enrolment_by_fingerprint_in(tx.db, &open.fingerprint)?
                .ok_or_else(|| StoreError::Internal { what: "the enrolment just ended is not there", detail: open.fingerprint.clone() })?)
        })
    }

    /// The enrolments of `account` (or of everyone), current and past, oldest first.
    pub fn enrolments(&self, account: Option<&str>) -> Result<Vec<Enrolment>, StoreError> {
        self.read(|db| {
            let rows = match account {
                Some(a) => db.rows("reading USB key enrolments", &format!("SELECT {ENROLMENT_COLUMNS} FROM operator_keys WHERE account = ?1 ORDER BY id"), args![a])?,
                None => db.rows("reading USB key enrolments", &format!("SELECT {ENROLMENT_COLUMNS} FROM operator_keys ORDER BY id"), &[])?,
            };
            rows.iter().map(enrolment_of).collect()
        })
    }

    /// The enrolment whose key `actor` must use now, if it must (its roles, its open
    /// enrolment, the counter's `key_sign_in_roles`).
    pub fn key_of(&self, actor: &Actor) -> Result<Option<Enrolment>, StoreError> {
        self.read(|db| key_of(db, actor.name(), actor.roles()))
    }

    /// The password, checked and counted as [`Store::authenticate`] does; for an account that
    /// must sign in with its key, a challenge for that key instead of a signed-in actor (its
    /// wrong-password count is reset only once the key's signature checks too). An account
    /// whose enrolled certificate has expired is refused: the key is not switched off by
    /// letting the certificate lapse.
    pub fn authenticate_first(&mut self, name: &str, password: &crate::Password) -> Result<FirstFactor, AuthError> {
        let actor = self.authenticate_password(name, password)?;
        let Some(enrolment) = self.read(|db| key_of(db, name, actor.roles()))? else {
            self.reset_failed_logins(name)?;
            return Ok(FirstFactor::Done(actor));
        };
        let now = self.read(crate::audit::clock)?;
        let expired = chrono::DateTime::parse_from_rfc3339(&enrolment.not_after).ok().zip(chrono::DateTime::parse_from_rfc3339(&now).ok()).is_none_or(|(end, now)| end < now);
        if expired {
            return Err(AuthError::EnrolmentExpired { name: name.into(), not_after: enrolment.not_after });
        }
        let counter = self.read(counter_in)?;
        let message = staff::sign_in_statement(&counter, name, &enrolment.fingerprint, &random_hex(32)).into_bytes();
        Ok(FirstFactor::KeyNeeded(Box::new(KeyChallenge { account: name.into(), enrolment, message, issued: Instant::now() })))
    }

    /// The second factor: the key's signature of the challenge checked against the account's
    /// enrolment as it is now (still open, the same certificate, valid). A signature that does
    /// not check counts as a failed sign-in (five lock the account, as wrong passwords do).
    pub fn authenticate_key(&mut self, challenge: Box<KeyChallenge>, algorithm: &str, signature: &[u8], check: &dyn SignatureCheck) -> Result<Actor, AuthError> {
        if challenge.issued.elapsed() > CHALLENGE_LIFETIME {
            return Err(AuthError::ChallengeExpired);
        }
        let name = challenge.account.clone();
        let account = self.account(&name)?.ok_or(AuthError::SignedOut)?;
        if account.disabled {
            return Err(AuthError::Disabled { name });
        }
        if account.locked {
            return Err(AuthError::Locked { name });
        }
        let enrolment = self.read(|db| open_enrolment_in(db, &name))?;
        let now = self.read(crate::audit::clock)?;
        let good = enrolment.as_ref().is_some_and(|e| e.fingerprint == challenge.enrolment.fingerprint && e.valid_at(&now))
            && check.check(&challenge.enrolment.certificate, algorithm, &challenge.message, signature).is_ok();
        if !good {
            self.write(|tx| crate::accounts::count_failed_login(tx, &name, false, true))?;
            return Err(AuthError::WrongStaffKey { name });
        }
        self.reset_failed_logins(&name)?;
        Ok(Actor::new(AccountChecked::by_the_store(), name, account.roles))
    }

    /// `audit verify` with the signatures checked too (#31).
    pub fn verify_audit_with(&self, check: &dyn SignatureCheck) -> Result<crate::VerifyReport, StoreError> {
        self.snapshot(|db| {
            let mut report = crate::audit::verify(db)?;
            if report.first_break.is_none() {
                report.signatures = verify_signatures(db, check)?;
                report.ok = report.signatures.failed.is_empty();
            }
            Ok(report)
        })
    }
}

/// A day signed off (日结), as stored: the sheet and the `day_closed` event's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayClose {
    pub day: String,
    /// the `day_closed` event
    pub seq: i64,
    pub closed_by: String,
    pub closed_at: String,
    /// the day sheet, canonical JSON, as signed
    pub sheet: String,
    pub event: detail::DayClosed,
}

/// The reference a printed or exported ledger carries (its QR code):
/// `certdesk-day:1:<counter>:<day>:<seq>:<16 hex of the sheet's SHA-256>:<16 hex of the
/// signature's SHA-256>`.
pub fn day_reference(counter: &str, day: &str, seq: i64, sheet_sha256: &str, signature: &[u8]) -> String {
    let sig = certdesk_domain::case::sha256_hex(signature);
    format!("certdesk-day:1:{counter}:{day}:{seq}:{}:{}", &sheet_sha256[..16.min(sheet_sha256.len())], &sig[..16])
}

impl Store {
    /// The chain's head as recorded: the last event's seq and hash.
    pub fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let head = self.read(crate::audit::head)?;
        Ok(head.and_then(|h| h.split_once(':').and_then(|(seq, hash)| Some((seq.parse().ok()?, hash.to_string())))))
    }

    /// The hash event `seq` is stored with, if there is such an event.
    pub fn event_hash(&self, seq: i64) -> Result<Option<String>, StoreError> {
        self.read(|db| db.row("reading an event", "SELECT hash FROM audit_events WHERE seq = ?1", args![seq])?.map(|r| r.text(0)).transpose())
    }

    /// Signs off a day (日结) as supervisor `actor` with their key (#31): the day sheet and the
    /// signature over the day statement, verified before ([`verify_day`]), bound here to the
    /// actor's open enrolment in one transaction that also refuses a head that moved since the
    /// sheet was made (close again) and a day closed already. The `day_closed` event carries the
    /// reference a ledger prints.
    pub fn close_day(&mut self, actor: &Actor, verified: &VerifiedDay) -> Result<DayClose, crate::ActError> {
        actor.require("closing a day (日结)", &[Role::Supervisor])?;
        let VerifiedDay { signed, day, sheet, sheet_sha256, head, account, digest_hex } = verified;
        let (day, sheet, head) = (day.as_str(), sheet.as_str(), head);
        self.write(|tx| {
            if tx.db.row("reading the day's close", "SELECT seq FROM day_closes WHERE day = ?1", args![day])?.is_some() {
                return Err(StoreError::DayClosed { day: day.to_string() }.into());
            }
            let now_head = crate::audit::head(tx.db)?.unwrap_or_default();
            if now_head != crate::audit::head_value(head.0, &head.1) {
                return Err(StoreError::DayMoved(crate::refusal::DayMoved::EventsAdded).into());
            }
            let at = tx.at.clone();
            let enrolment =
                enrolment_that_signed(tx.db, &at, actor, account, &signed.detail.fingerprint)?.ok_or_else(|| RuleError::SignatureRequired { actor: actor.name().into() })?;
            // the event's own seq names it in the reference
            let seq = tx.db.one("reading the chain", "SELECT coalesce(max(seq), 0) + 1 FROM audit_events", &[])?.int(0)?;
            let event = detail::DayClosed {
                day: day.into(),
                sheet_sha256: sheet_sha256.clone(),
                head_seq: head.0,
                head_hash: head.1.clone(),
                algorithm: signed.detail.algorithm.clone(),
                digest_hex: digest_hex.clone(),
                signature_b64: base64_of(&signed.signature),
                fingerprint: enrolment.fingerprint.clone(),
                counter: signed.detail.counter.clone(),
                sm2_id: signed.detail.sm2_id.clone(),
                reference: day_reference(&signed.detail.counter, day, seq, sheet_sha256, &signed.signature),
            };
            let appended = tx.append(&NewEvent::new(actor.name(), AuditAction::DayClosed, &event))?;
            if appended != seq {
                return Err(StoreError::DayMoved(crate::refusal::DayMoved::ChainMoved).into());
            }
            tx.db.exec(
                "recording the day's close",
                "INSERT INTO day_closes (day, seq, sheet, sheet_sha256, fingerprint, algorithm, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![day, seq, sheet, sheet_sha256.as_str(), enrolment.fingerprint.as_str(), event.algorithm.as_str(), event.signature_b64.as_str()],
            )?;
            Ok(DayClose { day: day.into(), seq, closed_by: actor.name().into(), closed_at: tx.at.clone(), sheet: sheet.into(), event })
        })
    }

    /// The close of `day`, if it was closed: the stored sheet and its event (whatever either
    /// says now; `day verify` checks them).
    pub fn day_close(&self, day: &str) -> Result<Option<DayClose>, StoreError> {
        self.read(|db| {
            let Some(row) = db.row("reading the day's close", "SELECT seq, sheet FROM day_closes WHERE day = ?1", args![day])? else { return Ok(None) };
            let (seq, sheet) = (row.int(0)?, row.text(1)?);
            let ev = db.row("reading the day's close", "SELECT actor, at, detail FROM audit_events WHERE seq = ?1 AND action = 'day_closed'", args![seq])?;
            let (closed_by, closed_at, event) = match ev {
                Some(r) => (r.text(0)?, r.text(1)?, serde_json::from_str(&r.text(2)?).unwrap_or_default()),
                None => (String::new(), String::new(), detail::DayClosed::default()),
            };
            Ok(Some(DayClose { day: day.into(), seq, closed_by, closed_at, sheet, event }))
        })
    }
}
