//! Staff keys at the desk (#31): enrolling an operator certificate (parsed, chained to the
//! installation's operator CA outside the store — `operator_ca`, #78 — or, before one is
//! installed, to the one the administrator gives, its key of a family staff keys may be), revoking one,
//! the sign-in with password and key (`Session::sign_in_with_key`: the store's challenge signed
//! by the key found by its certificate), the signed approval (`Desk::approve_signed`), the
//! approval's signature as `case show` gives it, and the signature check the store is handed
//! ([`TokenCheck`], over `certdesk_token::staff`). Not the rules of who must use a key nor the
//! enrolments' records (the store's and the domain's), nor the key library's choice
//! (`keydesk`).

use crate::DeskError;
use crate::api::{CaseStore, Desk, Session, case_number};
use crate::keydesk::KeyLibrary;
use crate::operator_ca::OperatorCa;
use certdesk_catalog::Catalog;
use certdesk_domain::workflow::{Role, SignatureFailure};
use certdesk_store::staff_keys::{Enrolment, FirstFactor, NewEnrolment, SignatureCheck, SignedApproval};
use certdesk_store::{AuthError, CaseRecord, Password, detail};
use certdesk_token::cert::{ParsedCert, der_to_pem, parse_many};
use certdesk_token::staff::{self, SigAlgorithm};
use certdesk_token::{Pin, TokenSel};
use serde::Serialize;

/// The signature check the store asks for, over `certdesk_token::staff`.
pub struct TokenCheck;

/// The setting recording the SHA-256 of the operator CA the enrolments were checked against
/// (#78): written by an enrolment when it differs, so the chain shows when the anchor changed.
/// Never read as a trust anchor.
pub const OPERATOR_CA_SETTING: &str = "operator_ca_sha256";

/// The token crate's verdict as the store's check says it.
fn failure(e: staff::SigError) -> SignatureFailure {
    match e {
        staff::SigError::BadSignature => SignatureFailure::BadSignature,
        staff::SigError::AlgorithmMismatch { signature, certificate } => SignatureFailure::AlgorithmMismatch { signature: signature.into(), certificate: certificate.into() },
        staff::SigError::Unsupported(key) => SignatureFailure::UnsupportedKey(key.to_string()),
        staff::SigError::Malformed(what) => SignatureFailure::Malformed(what.to_string()),
    }
}

/// Why a certificate the store holds cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CertUnreadable {
    #[error("{0}")]
    Parse(certdesk_token::cert::CertError),
    #[error("no certificate")]
    Empty,
}

fn certificate(der: &[u8]) -> Result<ParsedCert, CertUnreadable> {
    let mut certs = parse_many(der).map_err(CertUnreadable::Parse)?;
    if certs.is_empty() {
        return Err(CertUnreadable::Empty);
    }
    Ok(certs.remove(0))
}

impl SignatureCheck for TokenCheck {
    fn check(&self, certificate_der: &[u8], algorithm: &str, message: &[u8], signature: &[u8]) -> Result<(), SignatureFailure> {
        let cert = certificate(certificate_der).map_err(|e| SignatureFailure::Malformed(e.to_string()))?;
        let algorithm = SigAlgorithm::parse(algorithm).ok_or_else(|| SignatureFailure::UnknownAlgorithm(algorithm.into()))?;
        staff::verify(&cert, algorithm, message, signature).map_err(failure)
    }

    fn digest(&self, certificate_der: &[u8], algorithm: &str, message: &[u8]) -> Result<Vec<u8>, SignatureFailure> {
        let cert = certificate(certificate_der).map_err(|e| SignatureFailure::Malformed(e.to_string()))?;
        let algorithm = SigAlgorithm::parse(algorithm).ok_or_else(|| SignatureFailure::UnknownAlgorithm(algorithm.into()))?;
        staff::digest(&cert, algorithm, message).map_err(failure)
    }
}

/// The staff key a command or a window signs with: the loaded library, the token it was told
/// (else the one holding the enrolled certificate), the PIN.
pub struct StaffKey<'a> {
    pub library: &'a KeyLibrary,
    pub token: Option<TokenSel>,
    pub pin: &'a Pin,
}

/// The token holding the certificate of `enrolment`: the one named, which must hold it (another
/// person's key is refused before any PIN is used), else the one plugged that holds it.
fn token_of(key: &StaffKey<'_>, enrolment: &Enrolment) -> Result<TokenSel, DeskError> {
    let keys = key.library.keys();
    let holding = keys.find_certificate(&enrolment.fingerprint)?;
    match &key.token {
        Some(sel) => {
            let named = keys.info(sel)?;
            if holding.iter().any(|t| t.serial == named.serial) {
                Ok(TokenSel::Serial(named.serial))
            } else {
                Err(DeskError::WrongStaffKey { plugged: named.label, expected: enrolment.subject.clone() })
            }
        }
        None => match holding.as_slice() {
            [one] => Ok(TokenSel::Serial(one.serial.clone())),
            [] => Err(DeskError::StaffKeyNotPlugged { expected: enrolment.subject.clone() }),
            [first, ..] => Ok(TokenSel::Serial(first.serial.clone())),
        },
    }
}

fn parsed(enrolment: &Enrolment) -> Result<ParsedCert, DeskError> {
    certificate(&enrolment.certificate).map_err(|why| DeskError::StaffCertificate { why: Box::new(StaffCertRefusal::Enrolled(why)) })
}

/// Why an operator certificate is refused at enrolment (or an enrolled one cannot be read).
#[derive(Debug, thiserror::Error)]
pub enum StaffCertRefusal {
    #[error("the certificate file: {0}")]
    CertificateFile(certdesk_token::cert::CertError),
    #[error("the certificate file holds only CA certificates")]
    OnlyCaCertificates,
    #[error("the certificate file holds more than one person's certificate: give one")]
    SeveralPeople,
    #[error("the operator CA file: {0}")]
    OperatorCaFile(certdesk_token::cert::CertError),
    #[error("the operator CA file holds no certificate")]
    NoOperatorCa,
    #[error("{0}")]
    Key(staff::SigError),
    #[error("{subject}: its key usage does not allow signing (digitalSignature): an encryption certificate?")]
    MayNotSign { subject: String },
    #[error("{subject} is valid from {not_before} to {not_after}, not now")]
    NotValidNow { subject: String, not_before: String, not_after: String },
    #[error("{subject} does not chain to the installation's operator CA {anchor_sha256} ({anchor_path}): {why}")]
    NotUnderInstalled { subject: String, anchor_sha256: String, anchor_path: String, why: crate::operator_ca::NotAnchored },
    #[error("it does not chain to the operator CA: {0}")]
    NotUnderGiven(certdesk_token::chain::ChainError),
    #[error("{subject} does not chain to the operator CA given")]
    EndsElsewhere { subject: String },
    /// An enrolled certificate the store holds cannot be read.
    #[error("{0}")]
    Enrolled(CertUnreadable),
}

impl Session {
    /// Signs in with the password and, for an account that must (its roles, its enrolment,
    /// the counter's `key_sign_in_roles`), the key: the store's challenge signed by the key
    /// holding the enrolled certificate, after its PIN. Without a key such an account is
    /// refused (`key_required`) after the right password.
    pub fn sign_in_with_key(store: &mut CaseStore, name: &str, password: &Password, key: Option<&StaffKey<'_>>) -> Result<Session, DeskError> {
        match store.store.authenticate_first(name, password)? {
            FirstFactor::Done(actor) => Ok(Session::signed_in(actor.name(), None)),
            FirstFactor::KeyNeeded(challenge) => {
                let Some(key) = key else { return Err(DeskError::Auth(AuthError::KeyRequired { name: name.into() })) };
                let enrolment = challenge.enrolment().clone();
                let sel = token_of(key, &enrolment)?;
                let cert = parsed(&enrolment)?;
                let signed = key.library.keys().sign_as(&sel, key.pin, &cert, challenge.message())?;
                let actor = store.store.authenticate_key(challenge, signed.algorithm.wire(), &signed.signature, &TokenCheck)?;
                let serial = match sel {
                    TokenSel::Serial(s) | TokenSel::Label(s) => s,
                };
                Ok(Session::signed_in(actor.name(), Some(crate::api::SessionKey { fingerprint: enrolment.fingerprint, token_serial: serial })))
            }
        }
    }
}

/// What the watch of a session's USB key found (#31): whether the session has a key to
/// watch, whether it is plugged in, and whether the session is locked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct KeyWatch {
    pub watched: bool,
    pub present: bool,
    pub locked: bool,
}

impl Session {
    /// Looks for the USB key this session signed in with (the key holding its enrolled
    /// certificate, found without a PIN). Pulled out, replaced by another key, or no longer
    /// readable: the session locks — the lock screen the idle time shows, unlocked by the
    /// password and the same key (`unlock_with_key`). A session without a key has nothing to
    /// watch.
    pub fn watch_key(&mut self, library: &crate::keydesk::KeyLibrary) -> KeyWatch {
        let Some(key) = self.key() else { return KeyWatch { watched: false, present: false, locked: self.is_locked() } };
        let present = library.keys().find_certificate(&key.fingerprint).is_ok_and(|found| !found.is_empty());
        if !present {
            self.lock();
        }
        KeyWatch { watched: true, present, locked: self.is_locked() }
    }
}

/// An approval's signature as `case show` gives it (#31): what a reader needs to check it with
/// OpenSSL — the digest as hashed, the DER signature (the raw block for RSA), the certificate —
/// and the statement it was made over.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ApprovalSignatureView {
    pub algorithm: String,
    pub digest_hex: String,
    pub signature_b64: String,
    pub certificate_pem: String,
    pub statement: String,
    pub signer: String,
    pub signed_at: String,
    pub fingerprint: String,
    pub sm2_id: Option<String>,
}

/// RFC 3339 UTC of a certificate time given in seconds since 1970.
fn utc(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

impl Desk<'_> {
    /// Binds operator certificate `cert_bytes` (PEM, DER or PKCS#7; one end-entity certificate)
    /// to account `account` as an administrator, after checking that it chains to the
    /// installation's operator CA `operator_ca` (#78; the certificates of `chain_bytes` help
    /// build the path), is valid now, is no CA certificate, and has a key staff keys may have
    /// (RSA 2048+, P-256, SM2). The account's earlier key ends as replaced. With no operator CA
    /// installed, the certificate must chain to one of `chain_bytes`, and the CA it chains to
    /// is installed as the user's anchor (trust on first use), its SHA-256 recorded on the
    /// chain (the setting `operator_ca_sha256`, shown, never trusted).
    pub fn enrol_key(&mut self, account: &str, cert_bytes: &[u8], chain_bytes: &[u8], operator_ca: &OperatorCa) -> Result<Enrolment, DeskError> {
        self.require("enrol a USB key", Role::Admin)?;
        let refused = |why: StaffCertRefusal| DeskError::StaffCertificate { why: Box::new(why) };
        let mut certs = parse_many(cert_bytes).map_err(|e| refused(StaffCertRefusal::CertificateFile(e)))?;
        let leaf_at = certs.iter().position(|c| !c.is_ca).ok_or_else(|| refused(StaffCertRefusal::OnlyCaCertificates))?;
        let leaf = certs.remove(leaf_at);
        if certs.iter().any(|c| !c.is_ca) {
            return Err(refused(StaffCertRefusal::SeveralPeople));
        }
        let anchors = parse_many(chain_bytes).map_err(|e| refused(StaffCertRefusal::OperatorCaFile(e)))?;
        if anchors.is_empty() {
            return Err(refused(StaffCertRefusal::NoOperatorCa));
        }
        let algorithm = SigAlgorithm::of_certificate(&leaf).map_err(|e| refused(StaffCertRefusal::Key(e)))?;
        if !leaf.may_sign {
            // an encryption certificate (a GM key's second one) cannot sign a challenge
            return Err(refused(StaffCertRefusal::MayNotSign { subject: leaf.subject.clone() }));
        }
        let now = chrono::Utc::now().timestamp();
        if !leaf.valid_at(now) {
            return Err(refused(StaffCertRefusal::NotValidNow { subject: leaf.subject.clone(), not_before: leaf.not_before.clone(), not_after: leaf.not_after.clone() }));
        }
        let (anchor, installed_now) = match operator_ca.anchor() {
            Some(anchor) => {
                let sent: Vec<ParsedCert> = certs.iter().chain(&anchors).cloned().collect();
                operator_ca.chain(&leaf, &sent, now).map_err(|why| {
                    refused(StaffCertRefusal::NotUnderInstalled {
                        subject: leaf.subject.clone(),
                        anchor_sha256: anchor.fingerprint(),
                        anchor_path: anchor.path.display().to_string(),
                        why,
                    })
                })?;
                (operator_ca.clone(), false)
            }
            None => {
                let chain = certdesk_token::chain::build(&leaf, &certs, &anchors, now, &staff::staff_distid()).map_err(|e| refused(StaffCertRefusal::NotUnderGiven(e)))?;
                let Some(ca) = chain.anchor else { return Err(refused(StaffCertRefusal::EndsElsewhere { subject: leaf.subject.clone() })) };
                (operator_ca.install_first(&ca)?, true)
            }
        };
        let chain_pem: String = anchors.iter().map(|a| der_to_pem(&a.der)).collect();
        let new = NewEnrolment {
            fingerprint: staff::fingerprint(&leaf.der),
            certificate_der: leaf.der.clone(),
            chain_pem,
            algorithm: algorithm.key_family().into(),
            subject: leaf.subject.clone(),
            issuer: leaf.issuer.clone(),
            serial_hex: leaf.serial_hex.clone(),
            not_before: utc(leaf.not_before_unix),
            not_after: utc(leaf.not_after_unix),
        };
        let enrolled = match self.store.enrol_key(&self.actor, account, &new) {
            Ok(enrolled) => enrolled,
            Err(e) => {
                if installed_now {
                    anchor.uninstall_first();
                }
                return Err(e.into());
            }
        };
        // the anchor's fingerprint on the chain, each time it is new to this store (a copy for
        // the record: what is checked is the file)
        let sha256 = anchor.anchor().map(crate::operator_ca::Anchor::fingerprint).unwrap_or_default();
        if self.store.setting(OPERATOR_CA_SETTING)?.as_deref() != Some(sha256.as_str()) {
            self.store.set_setting(OPERATOR_CA_SETTING, &sha256, &self.actor)?;
        }
        Ok(enrolled)
    }

    /// Ends account `account`'s enrolment (a lost or compromised key), as an administrator.
    pub fn revoke_key(&mut self, account: &str, reason: &str) -> Result<Enrolment, DeskError> {
        Ok(self.store.revoke_key(&self.actor, account, reason)?)
    }

    /// The enrolments of `account` (or of everyone, an administrator's view), current and past.
    pub fn enrolments(&self, account: Option<&str>) -> Result<Vec<Enrolment>, DeskError> {
        if account != Some(self.actor.name()) {
            self.require("list USB key enrolments", Role::Admin)?;
        }
        Ok(self.store.enrolments(account)?)
    }

    /// Approves case `number` with the supervisor's key: the approval statement (the case, its
    /// approval digest, the signer, the certificate) signed on the key after its PIN and
    /// verified here; the approval's transaction binds it to the case as it loads it (the same
    /// digest, the enrolment still open) and keeps it on the chain.
    pub fn approve_signed(&mut self, catalog: &Catalog, number: &str, accept_to_follow: bool, key: &StaffKey<'_>) -> Result<CaseRecord, DeskError> {
        let number = case_number(number)?;
        let enrolment = self.store.key_of(&self.actor)?.or(self.store.enrolments(Some(self.actor.name()))?.into_iter().rfind(|e| e.ended_at.is_none()));
        let Some(enrolment) = enrolment else {
            return Err(DeskError::Auth(certdesk_store::AuthError::NoKeyEnrolled { account: self.actor.name().to_string() }));
        };
        let (_, facts) = self.store.facts(&number)?;
        let counter = crate::api::counter_code(self.store)?;
        let statement = certdesk_domain::staff::approval_statement(&counter, number.as_str(), &facts.approval_digest, self.actor.name(), &enrolment.fingerprint);
        let approval = sign_statement(key, &enrolment, &statement, counter)?;
        let verified = certdesk_store::staff_keys::verify_approval(&enrolment, number.as_str(), &facts.approval_digest, &self.actor, approval, &TokenCheck)
            .map_err(|refusal| DeskError::from(certdesk_store::ActError::from(certdesk_domain::workflow::RuleError::SignatureRefused { refusal })))?;
        self.act_signed(catalog, &number, accept_to_follow, verified)
    }

    /// The signature of the approval in force of case `number` (`certdesk_store::approval_in_force`),
    /// when it was signed.
    pub fn approval_signature(&self, number: &str) -> Result<Option<ApprovalSignatureView>, DeskError> {
        let number = case_number(number)?;
        let history = self.store.history(&number)?;
        let Some(ev) = certdesk_store::approval_in_force(&history) else { return Ok(None) };
        let Ok(change) = serde_json::from_value::<detail::CaseChange>(ev.detail.clone()) else { return Ok(None) };
        let (Some(signed), Some(approval_digest)) = (change.signature, change.approval_digest) else { return Ok(None) };
        let certificate = self.store.enrolments(Some(&ev.actor))?.into_iter().find(|e| e.fingerprint == signed.fingerprint).map(|e| e.certificate).unwrap_or_default();
        let statement = certdesk_domain::staff::approval_statement(&signed.counter, number.as_str(), &approval_digest, &ev.actor, &signed.fingerprint);
        Ok(Some(ApprovalSignatureView {
            algorithm: signed.algorithm,
            digest_hex: signed.digest_hex,
            signature_b64: signed.signature_b64,
            certificate_pem: der_to_pem(&certificate),
            statement,
            signer: ev.actor.clone(),
            signed_at: ev.at.clone(),
            fingerprint: signed.fingerprint,
            sm2_id: signed.sm2_id,
        }))
    }
}

/// `statement` signed on the key holding `enrolment`'s certificate, as the store records it.
fn sign_statement(key: &StaffKey<'_>, enrolment: &Enrolment, statement: &str, counter: String) -> Result<SignedApproval, DeskError> {
    let sel = token_of(key, enrolment)?;
    let signed = key.library.keys().sign_as(&sel, key.pin, &parsed(enrolment)?, statement.as_bytes())?;
    Ok(SignedApproval {
        detail: detail::ApprovalSigned {
            algorithm: signed.algorithm.wire().into(),
            digest_hex: certdesk_store::staff_keys::hex(&signed.digest),
            signature_b64: String::new(),
            fingerprint: enrolment.fingerprint.clone(),
            counter,
            // staff SM2 keys sign under GM/T 0009's default distinguishing ID, always
            sm2_id: (signed.algorithm == SigAlgorithm::Sm2Sm3).then(|| "1234567812345678".to_string()),
        },
        signature: signed.signature,
    })
}

// ------------------------------------------------------------------ the day signed off (日结)

/// The day sheet a supervisor signs (#31): the day's ledger without personal data — totals,
/// takings by payment, each case of the day with its data digest, status, fee and certificates
/// — and the chain's head it was made at; canonical JSON (keys sorted).
fn day_sheet(store: &certdesk_store::Store, day: chrono::NaiveDate, counter: &str, head: &(i64, String)) -> Result<String, DeskError> {
    let ledger = crate::report::daily(store, day)?;
    let mut cases = Vec::new();
    for row in &ledger.by_case {
        let record = store.case(&case_number(&row.case)?)?;
        cases.push(serde_json::json!({
            "number": row.case, "digest": record.digest, "status": record.status.wire(), "project": row.project, "business": row.business,
            "amount": row.amount.to_string(), "certs": row.certs, "written": row.written, "withdrawn": row.withdrawn.len(),
        }));
    }
    let by_payment: Vec<serde_json::Value> = ledger.by_payment.iter().map(|r| serde_json::json!({ "key": r.key, "cases": r.cases, "amount": r.amount.to_string() })).collect();
    let sheet = serde_json::json!({
        "format": "certdesk-day-v1", "counter": counter, "day": day.to_string(),
        "head": { "seq": head.0, "hash": head.1 },
        "totals": { "cases": ledger.cases, "total": ledger.total.to_string(), "certificates": ledger.certificates, "written": ledger.certificates_written,
                    "withdrawn": ledger.certificates_withdrawn, "keys_issued": ledger.keys_issued, "delivered": ledger.delivered },
        "by_payment": by_payment,
        "cases": cases,
    });
    Ok(canonical(&sheet))
}

/// JSON with every object's keys sorted, no whitespace.
fn canonical(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{}:{}", serde_json::Value::String((*k).clone()), canonical(&map[*k]))).collect();
            format!("{{{}}}", parts.join(","))
        }
        serde_json::Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// What `day verify` found (#31).
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct DayVerdict {
    pub day: String,
    pub closed: bool,
    pub ok: bool,
    pub reference: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// the supervisor's signature checks against the enrolment in force at the close
    pub signature_ok: bool,
    /// the chain verifies and still has, at the signed head, the hash that was signed
    pub head_ok: bool,
    /// the stored sheet is the one the close recorded
    pub sheet_ok: bool,
    /// cases of the day whose data or status, as the chain recorded them up to the close, or
    /// whose presence, differ from the signed sheet (a closed day changed)
    pub changed: Vec<String>,
    /// the day's events written after its close (its cases' later steps): listed, not failed
    pub after_close: Vec<AfterClose>,
    pub problems: Vec<String>,
    /// an exported ledger checked against the signed day (`day verify --ledger`)
    pub ledger: Option<LedgerCheck>,
}

/// An exported daily ledger (CSV or XLSX, as `report daily --out` or the app wrote it, maybe
/// opened and saved in a spreadsheet since) held against the day's signed sheet: the totals,
/// each payment method's takings and each case's fee. A figure edited in the file is named.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct LedgerCheck {
    pub ok: bool,
    /// the close's reference the file carries in its 日结签名 row; none when it was exported
    /// before the close (its figures are still compared)
    pub reference: Option<String>,
    /// how many figures were compared
    pub compared: usize,
    pub problems: Vec<String>,
}

/// A cell's amount in fen: `700.00`, `700`, `¥700.00`, `1,400.00`.
fn fen_of(text: &str) -> Option<i64> {
    let t: String = text.trim().trim_start_matches(['¥', '￥', '\'']).chars().filter(|c| *c != ',').collect();
    let yuan: f64 = t.parse().ok()?;
    yuan.is_finite().then(|| (yuan * 100.0).round() as i64)
}

fn count_of(text: &str) -> Option<i64> {
    let n: f64 = text.trim().parse().ok()?;
    (n.fract() == 0.0).then_some(n as i64)
}

/// The first sheet of a table file (CSV or a workbook) as rows of cell texts, each as wide as
/// its last non-empty cell.
fn first_sheet_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, DeskError> {
    let book = certdesk_roster::read_workbook(bytes, 100_000)?;
    let rows = book.sheets.first().map(|s| s.rows.as_slice()).unwrap_or_default();
    Ok(rows
        .iter()
        .map(|r| {
            let width = r.cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            (0..width).map(|c| r.cell(c as u32).map(|v| v.shown()).unwrap_or_default()).collect()
        })
        .collect())
}

/// Holds the rows of an exported ledger against the signed `sheet` (§7.4).
fn check_ledger_rows(rows: &[Vec<String>], sheet: &serde_json::Value, reference: &str) -> LedgerCheck {
    let mut check = LedgerCheck::default();
    let cell = |r: &Vec<String>, i: usize| r.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
    let first = |name: &str| rows.iter().find(|r| cell(r, 0) == name);
    let compare = |what: String, file: Option<i64>, signed: Option<i64>, show: &dyn Fn(i64) -> String, check: &mut LedgerCheck| {
        check.compared += 1;
        if file != signed {
            let shown = |v: Option<i64>| v.map(show).unwrap_or_else(|| "nothing".into());
            check.problems.push(format!("{what}: the file says {}, the signed day {}", shown(file), shown(signed)));
        }
    };
    let yuan = |f: i64| certdesk_domain::Money::from_fen(f).to_string();
    let plain = |n: i64| n.to_string();
    let totals = &sheet["totals"];
    match first("合计") {
        Some(r) => {
            compare("合计 件数 (cases)".into(), count_of(&cell(r, 2)), totals["cases"].as_i64(), &plain, &mut check);
            compare("合计 金额 (total)".into(), fen_of(&cell(r, 3)), totals["total"].as_str().and_then(fen_of), &yuan, &mut check);
        }
        None => check.problems.push("the file has no 合计 row: not a daily ledger exported by certdesk".into()),
    }
    // each payment method's takings
    let signed_payments: Vec<(String, i64, i64)> = sheet["by_payment"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| (crate::report::zh_payment(p["key"].as_str().unwrap_or_default()), p["cases"].as_i64().unwrap_or(0), p["amount"].as_str().and_then(fen_of).unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    let file_payments: Vec<&Vec<String>> = rows.iter().filter(|r| cell(r, 0) == "收费方式").collect();
    for (name, cases, amount) in &signed_payments {
        let row = file_payments.iter().find(|r| cell(r, 1) == *name);
        compare(format!("收费方式 {name} 件数"), row.and_then(|r| count_of(&cell(r, 2))), Some(*cases), &plain, &mut check);
        compare(format!("收费方式 {name} 金额"), row.and_then(|r| fen_of(&cell(r, 3))), Some(*amount), &yuan, &mut check);
    }
    for r in &file_payments {
        if !signed_payments.iter().any(|(name, ..)| *name == cell(r, 1)) {
            check.problems.push(format!("收费方式 {}: in the file, not in the signed day", cell(r, 1)));
        }
    }
    // each case's fee
    let signed_cases: Vec<(String, i64)> = sheet["cases"]
        .as_array()
        .map(|a| a.iter().map(|c| (c["number"].as_str().unwrap_or_default().to_string(), c["amount"].as_str().and_then(fen_of).unwrap_or(0))).collect())
        .unwrap_or_default();
    let file_cases: Vec<(String, Option<i64>)> =
        rows.iter().filter(|r| cell(r, 0) == "案件").map(|r| (cell(r, 1).split_whitespace().next().unwrap_or_default().to_string(), fen_of(&cell(r, 3)))).collect();
    for (number, amount) in &signed_cases {
        match file_cases.iter().find(|(n, _)| n == number) {
            Some((_, file)) => compare(format!("案件 {number} 金额"), *file, Some(*amount), &yuan, &mut check),
            None => check.problems.push(format!("案件 {number}: in the signed day, missing from the file")),
        }
    }
    for (number, _) in &file_cases {
        if !signed_cases.iter().any(|(n, _)| n == number) {
            check.problems.push(format!("案件 {number}: in the file, not in the signed day"));
        }
    }
    // the close the file names
    match first(crate::report::LEDGER_REFERENCE_ROW).map(|r| cell(r, 1)) {
        Some(r) if r == crate::report::NOT_CLOSED => {}
        Some(r) if r == reference => check.reference = Some(r),
        Some(r) => {
            check.problems.push(format!("the file's 日结签名 {r:?} is not this day's close ({reference})"));
            check.reference = Some(r);
        }
        None => {}
    }
    check.ok = check.problems.is_empty();
    check
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AfterClose {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case: Option<String>,
}

/// Why the signed-in account cannot close a day (日结) now, said before its PIN is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CloseBlocked {
    /// the account is no supervisor
    NotSupervisor,
    /// the day is still ahead
    Ahead,
    /// the supervisor has no USB key enrolled: an administrator enrols one (管理 → USB Key登记)
    NoKeyEnrolled,
}

impl Desk<'_> {
    /// Signs off `day` (日结) as a supervisor with their key: the day sheet made at the chain's
    /// head, the day statement signed on the key, checked and recorded by the store; then
    /// verified as [`Desk::verify_day`] does, against the installation's `operator_ca`.
    pub fn close_day(&mut self, day: chrono::NaiveDate, key: &StaffKey<'_>, operator_ca: &OperatorCa) -> Result<DayVerdict, DeskError> {
        let enrolment = self.day_closer(day)?;
        let counter = crate::api::counter_code(self.store)?;
        let head = self.store.audit_head()?.unwrap_or((0, String::new()));
        let sheet = day_sheet(self.store, day, &counter, &head)?;
        let sheet_sha256 = certdesk_domain::case::sha256_hex(sheet.as_bytes());
        let statement =
            certdesk_domain::staff::day_statement(&counter, &day.to_string(), &sheet_sha256, &format!("{}:{}", head.0, head.1), self.actor.name(), &enrolment.fingerprint);
        let signed = sign_statement(key, &enrolment, &statement, counter)?;
        let verified = certdesk_store::staff_keys::verify_day(&enrolment, &self.actor, &day.to_string(), &sheet, &head, signed, &TokenCheck)
            .map_err(|refusal| DeskError::from(certdesk_store::ActError::from(certdesk_domain::workflow::RuleError::SignatureRefused { refusal })))?;
        self.store.close_day(&self.actor, &verified)?;
        self.verify_day(day, operator_ca)
    }

    /// Who may close `day` and with which enrolment: a supervisor with a key enrolled, a day
    /// that is over or today. Asked before the key's library is loaded (the app), and by
    /// [`Desk::close_day`].
    pub fn day_closer(&self, day: chrono::NaiveDate) -> Result<Enrolment, DeskError> {
        // the role's refusal as every role check says it (`day_close_check` says NotSupervisor
        // for the ledger, in the same words)
        self.require("close a day (日结)", Role::Supervisor)?;
        match self.day_close_check(day)? {
            Ok(enrolment) => Ok(enrolment),
            // the role is required above: this arm is the same rule seen twice
            Err(CloseBlocked::NotSupervisor) => Err(self
                .require("close a day (日结)", Role::Supervisor)
                .err()
                .unwrap_or(DeskError::Auth(certdesk_store::AuthError::Internal { what: "a supervisor seen as none", detail: self.actor.name().to_string() }))),
            Err(CloseBlocked::Ahead) => Err(DeskError::InvalidDay { text: format!("{day} (a day is closed when it is over or today, never ahead)") }),
            Err(CloseBlocked::NoKeyEnrolled) => Err(DeskError::Auth(certdesk_store::AuthError::NoKeyEnrolled { account: self.actor.name().to_string() })),
        }
    }

    /// Whether the signed-in account could close `day` now, and why not: the one rule behind
    /// [`Desk::day_closer`] and the ledger's `close_blocked`, which the reports page shows in
    /// place of the PIN prompt (#79: a supervisor with no key enrolled typed a PIN first and
    /// learnt only then that it could not be used).
    pub(crate) fn day_close_check(&self, day: chrono::NaiveDate) -> Result<Result<Enrolment, CloseBlocked>, DeskError> {
        if !self.actor.has(Role::Supervisor) {
            return Ok(Err(CloseBlocked::NotSupervisor));
        }
        if day > crate::dates::today() {
            return Ok(Err(CloseBlocked::Ahead));
        }
        Ok(self.store.enrolments(Some(self.actor.name()))?.into_iter().rfind(|e| e.ended_at.is_none()).ok_or(CloseBlocked::NoKeyEnrolled))
    }

    /// Checks a closed day (any signed-in account): the close's signature against the
    /// enrolment in force then, its certificate chained then to the installation's
    /// `operator_ca` when one is installed (#78), the signed head still in the chain, the stored
    /// sheet the signed one, each of the day's cases as the chain recorded it up to the close
    /// the sheet's; and lists the day's events written after the close.
    pub fn verify_day(&self, day: chrono::NaiveDate, operator_ca: &OperatorCa) -> Result<DayVerdict, DeskError> {
        self.verify_day_against(day, None, None, operator_ca)
    }

    /// [`Desk::verify_day`], and what a reader holds against it: the `reference` a printed
    /// ledger's QR code carries (it must be the close's), an exported `ledger` (the bytes of a
    /// CSV or XLSX file, [`LedgerCheck`]). The verdict fails when either differs.
    pub fn verify_day_against(&self, day: chrono::NaiveDate, reference: Option<&str>, ledger: Option<&[u8]>, operator_ca: &OperatorCa) -> Result<DayVerdict, DeskError> {
        let close = self.store.day_close(&day.to_string())?;
        let mut v = match &close {
            Some(close) => self.verdict_of(day, close, operator_ca)?,
            None => DayVerdict { day: day.to_string(), problems: vec![format!("{day} was not closed (未日结)")], ..Default::default() },
        };
        if let Some(given) = reference
            && v.reference.as_deref() != Some(given.trim())
        {
            v.ok = false;
            v.problems.push(format!("the reference {given:?} is not this day's close ({})", v.reference.as_deref().unwrap_or("none")));
        }
        if let Some(bytes) = ledger {
            let check = match &close {
                None => LedgerCheck { problems: vec![format!("{day} was not closed (未日结): there is no signed day to hold the file against")], ..Default::default() },
                Some(close) => {
                    let sheet: serde_json::Value = serde_json::from_str(&close.sheet).unwrap_or_default();
                    check_ledger_rows(&first_sheet_rows(bytes)?, &sheet, &close.event.reference)
                }
            };
            if !check.ok {
                v.ok = false;
                v.problems.extend(check.problems.iter().map(|p| format!("exported ledger: {p}")));
            }
            v.ledger = Some(check);
        }
        Ok(v)
    }

    /// The verdict on a closed day (§7.3).
    fn verdict_of(&self, day: chrono::NaiveDate, close: &certdesk_store::staff_keys::DayClose, operator_ca: &OperatorCa) -> Result<DayVerdict, DeskError> {
        let mut v = DayVerdict { day: day.to_string(), closed: true, ..Default::default() };
        let e = &close.event;
        v.reference = Some(e.reference.clone());
        v.closed_by = Some(close.closed_by.clone());
        v.closed_at = Some(close.closed_at.clone());

        // the chain, and at the signed head the hash that was signed
        let chain = self.store.verify_audit()?;
        if let Some(b) = &chain.first_break {
            v.problems.push(format!("the audit chain is broken: {}", b.message));
        }
        v.head_ok = chain.first_break.is_none() && self.store.event_hash(e.head_seq)?.as_deref() == Some(e.head_hash.as_str());
        if !v.head_ok && chain.first_break.is_none() {
            v.problems.push(format!("event {} is not the one the close signed: the chain up to the close was rewritten", e.head_seq));
        }
        // the sheet
        let sheet_sha256 = certdesk_domain::case::sha256_hex(close.sheet.as_bytes());
        v.sheet_ok = sheet_sha256 == e.sheet_sha256;
        if !v.sheet_ok {
            v.problems.push("the stored day sheet is not the one the close signed".into());
        }
        // the signature, against the enrolment in force at the close
        let enrolment = self.store.enrolments(Some(&close.closed_by))?.into_iter().find(|en| en.fingerprint == e.fingerprint);
        v.signature_ok = match &enrolment {
            Some(en) if en.valid_at(&close.closed_at) => {
                let statement =
                    certdesk_domain::staff::day_statement(&e.counter, &v.day, &e.sheet_sha256, &format!("{}:{}", e.head_seq, e.head_hash), &close.closed_by, &e.fingerprint);
                let signature = certdesk_store::staff_keys::base64_decode(&e.signature_b64).unwrap_or_default();
                TokenCheck.check(&en.certificate, &e.algorithm, statement.as_bytes(), &signature).is_ok()
            }
            _ => false,
        };
        if !v.signature_ok {
            v.problems.push("the close's signature does not verify against the supervisor's enrolled key of that time".into());
        } else if let (Some(en), Some(anchor)) = (&enrolment, operator_ca.anchor()) {
            // the enrolment is the store's word: its certificate must chain to the anchor outside it (#78)
            if let Err(why) = crate::operator_ca::AnchoredCheck(operator_ca).chains_to_operator_ca(&en.certificate, &en.chain_pem, &close.closed_at) {
                v.signature_ok = false;
                v.problems.push(format!(
                    "the close's certificate {} does not chain to the installation's operator CA {} ({}): {why}",
                    en.subject,
                    anchor.fingerprint(),
                    anchor.path.display()
                ));
            }
        }
        // each case of the sheet as the chain recorded it up to the head
        let sheet: serde_json::Value = serde_json::from_str(&close.sheet).unwrap_or_default();
        let signed_cases: Vec<&serde_json::Value> = sheet["cases"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
        for c in &signed_cases {
            let number = c["number"].as_str().unwrap_or_default();
            let history = self.store.history(&case_number(number)?)?;
            let upto: Vec<_> = history.iter().filter(|ev| ev.seq <= e.head_seq).collect();
            let digest = upto.iter().rev().find_map(|ev| ev.digest_after.clone());
            let status = upto.iter().rev().find_map(|ev| ev.detail.get("to").and_then(|t| t.as_str()).map(str::to_string));
            if digest.as_deref() != c["digest"].as_str() || status.as_deref() != c["status"].as_str() {
                v.changed.push(number.to_string());
            }
            for ev in history.iter().filter(|ev| ev.seq > close.seq) {
                v.after_close.push(AfterClose { seq: ev.seq, at: ev.at.clone(), actor: ev.actor.clone(), action: ev.action.clone(), case: ev.case_number.clone() });
            }
        }
        // the day's cases now: one the sheet lacks was taken after the close (listed) or slipped
        // in before it outside certdesk (changed)
        for row in crate::report::daily(self.store, day)?.by_case {
            if signed_cases.iter().any(|c| c["number"].as_str() == Some(row.case.as_str())) {
                continue;
            }
            let history = self.store.history(&case_number(&row.case)?)?;
            if history.first().is_some_and(|ev| ev.seq > close.seq) {
                for ev in history {
                    v.after_close.push(AfterClose { seq: ev.seq, at: ev.at, actor: ev.actor, action: ev.action, case: ev.case_number });
                }
            } else {
                v.changed.push(row.case);
            }
        }
        v.after_close.sort_by_key(|a| a.seq);
        if !v.changed.is_empty() {
            v.problems.push(format!("the closed day changed: {}", v.changed.join(", ")));
        }
        v.ok = v.head_ok && v.sheet_ok && v.signature_ok && v.changed.is_empty() && chain.first_break.is_none();
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
    }

    const SHEET: &str = r#"{"totals":{"cases":2,"total":"1400.00"},"by_payment":[{"key":"cash","cases":2,"amount":"1400.00"}],
        "cases":[{"number":"CD01-20261124-0001","amount":"700.00"},{"number":"CD01-20261124-0002","amount":"700.00"}]}"#;

    #[test]
    fn an_exported_ledger_is_held_against_the_signed_day_figure_by_figure() {
        let sheet: serde_json::Value = serde_json::from_str(SHEET).expect("a sheet");
        let good = "分类,项目,件数,金额（元）\n收费方式,现金,2,1400\n合计,,2,\"1,400.00\"\n案件,CD01-20261124-0001 某单位（新申请）,1,700.00\n案件,CD01-20261124-0002 某人（新申请）,1,¥700\n日结签名,REF";
        let check = check_ledger_rows(&rows(&good.replace("\"1,400.00\"", "1400.00")), &sheet, "REF");
        assert!(check.ok, "{:?}", check.problems);
        assert_eq!((check.compared, check.reference.as_deref()), (6, Some("REF")));
        // one fee changed, one case gone, another close named: each said
        let bad = "合计,,2,1400.00\n收费方式,现金,2,1400.00\n案件,CD01-20261124-0001 某单位,1,7000.00\n日结签名,OTHER";
        let check = check_ledger_rows(&rows(bad), &sheet, "REF");
        assert!(!check.ok);
        let all = check.problems.join("\n");
        for expected in [
            "案件 CD01-20261124-0001 金额: the file says 7000.00, the signed day 700.00",
            "案件 CD01-20261124-0002: in the signed day, missing",
            "\"OTHER\" is not this day's close",
        ] {
            assert!(all.contains(expected), "{expected} in {all}");
        }
        // exported before the close: compared, no reference
        let early = "合计,,2,1400.00\n收费方式,现金,2,1400.00\n案件,CD01-20261124-0001 x,1,700.00\n案件,CD01-20261124-0002 y,1,700.00\n日结签名,未日结";
        let check = check_ledger_rows(&rows(early), &sheet, "REF");
        assert!(check.ok && check.reference.is_none(), "{:?}", check.problems);
        // not a ledger at all
        assert!(!check_ledger_rows(&rows("a,b\n1,2"), &sheet, "REF").ok);
    }
}
