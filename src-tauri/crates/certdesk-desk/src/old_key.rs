//! The key an applicant brings, read at intake (#74): the unit's certificates on it, without a
//! PIN (certificates are public objects over PKCS#11, exported per container over SKF), each
//! with its use, its subject's CN, O and 统一社会信用代码, serial, issuer, validity and key
//! algorithm (`certdesk key read-certs`). Owns finding the USCC in a subject and which
//! certificates count as the unit's (the CA certificates of a chain on the key do not). Reads
//! only: nothing is written to the key or recorded.

use crate::DeskError;
use crate::keydesk::KeyLibrary;
use certdesk_token::cert::ParsedCert;
use certdesk_token::token::CertView;
use certdesk_token::{CertUsage, TokenSel};
use serde::Serialize;

/// X.520 attribute types of a subject that name the unit.
const COMMON_NAME: &str = "2.5.4.3";
const SERIAL_NUMBER: &str = "2.5.4.5";
const ORGANIZATION: &str = "2.5.4.10";
const ORGANIZATIONAL_UNIT: &str = "2.5.4.11";

/// One certificate on the key the applicant brings (the `key read-certs` contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct BroughtCert {
    /// `sign` or `encrypt` (a dual key's two certificates).
    pub usage: CertUsage,
    pub subject: BroughtSubject,
    /// Hex, as `key show` writes it.
    pub serial: String,
    /// The issuer's name (RFC 4514), as `key show` writes it.
    pub issuer: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    pub not_after: String,
    /// `rsa2048`, `ec-p256`, `sm2` (the names of `Algo`).
    pub key_algorithm: String,
    /// The key's label where it has one, and the key (CKA_ID or SKF container) it goes with.
    pub label: String,
    pub key_id: String,
    /// SHA-256 of the certificate's DER, hex.
    pub sha256: String,
}

/// The subject's attributes that name the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct BroughtSubject {
    pub cn: Option<String>,
    pub o: Option<String>,
    /// The 统一社会信用代码 found in the subject (serialNumber, OU, CN, O or any other
    /// attribute), checked by its check character; absent when the subject has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub uscc: Option<String>,
    /// The whole subject (RFC 4514).
    pub dn: String,
}

/// The certificates on the key `sel` (or, without `sel`, on the one initialised key plugged in),
/// without a PIN, the one valid longest first: the unit's own, not the CA certificates of a
/// chain written beside them.
pub(crate) fn read_certs(library: &KeyLibrary, sel: Option<&TokenSel>) -> Result<Vec<BroughtCert>, DeskError> {
    let sel = match sel {
        Some(s) => s.clone(),
        None => the_plugged_key(library)?,
    };
    Ok(brought_of(&library.keys().show(&sel, None)?.certificates))
}

/// The applicant's certificates among a key's (as [`read_certs`] lists them), the one valid
/// longest first.
pub(crate) fn brought_of(views: &[CertView]) -> Vec<BroughtCert> {
    let mut certs: Vec<BroughtCert> = views.iter().filter_map(brought).collect();
    // a key lists its objects in no fixed order: the newest first, a pair's signing half first
    certs.sort_by(|a, b| b.not_after.cmp(&a.not_after).then_with(|| (a.usage == CertUsage::Encrypt).cmp(&(b.usage == CertUsage::Encrypt))).then_with(|| a.serial.cmp(&b.serial)));
    certs
}

/// The one initialised key present, by serial.
pub(crate) fn the_plugged_key(library: &KeyLibrary) -> Result<TokenSel, DeskError> {
    let mut present: Vec<String> = library.keys().slots()?.into_iter().filter_map(|s| s.token.filter(|t| t.initialized).map(|t| t.serial)).collect();
    match present.len() {
        1 => Ok(TokenSel::Serial(present.remove(0))),
        found => Err(DeskError::WhichKey { found }),
    }
}

/// A certificate of the key as the applicant's, or `None` for a CA certificate (or one that
/// does not parse, which `show` would not have listed).
fn brought(view: &CertView) -> Option<BroughtCert> {
    let parsed = certdesk_token::cert::parse_many(&view.der).ok()?.into_iter().next()?;
    let usage = usage_of(view.usage, &parsed)?;
    Some(BroughtCert {
        usage,
        subject: subject_of(&parsed),
        serial: view.serial.clone(),
        issuer: parsed.issuer.clone(),
        not_before: parsed.not_before.clone(),
        not_after: parsed.not_after.clone(),
        key_algorithm: parsed.key_algorithm_name(),
        label: view.label.clone(),
        key_id: view.id.clone(),
        sha256: view.sha256.clone(),
    })
}

/// What a certificate is for. The key's own word (an SKF container's encryption slot) counts
/// first; without a PIN a PKCS#11 key may hide its keys, so a certificate the key shows as a
/// CA's (no key beside it) is the unit's unless the certificate itself says CA, and its
/// keyUsage tells signing from encryption. `None`: a CA certificate.
fn usage_of(shown: CertUsage, cert: &ParsedCert) -> Option<CertUsage> {
    match shown {
        CertUsage::Encrypt => Some(CertUsage::Encrypt),
        _ if cert.is_ca => None,
        _ if cert.may_sign => Some(CertUsage::Sign),
        _ => Some(CertUsage::Encrypt),
    }
}

fn subject_of(cert: &ParsedCert) -> BroughtSubject {
    let first = |oid| cert.subject_values(oid).next().map(str::to_string);
    // where CAs put the code: serialNumber, then OU, then the names, then anything else
    let preferred = [SERIAL_NUMBER, ORGANIZATIONAL_UNIT, COMMON_NAME, ORGANIZATION];
    let values = preferred
        .iter()
        .flat_map(|oid| cert.subject_values(oid))
        .chain(cert.subject_attributes.iter().filter(|(oid, _)| !preferred.contains(&oid.as_str())).map(|(_, v)| v.as_str()));
    BroughtSubject { cn: first(COMMON_NAME), o: first(ORGANIZATION), uscc: values.into_iter().find_map(uscc_in), dn: cert.subject.clone() }
}

/// What the unit's own key says of its organisation certificate (#71: seed 001 "每个用户需先
/// 申请单位法人证书…后才能申请单位员工证书"): the unit's signing certificate valid at `now`, whose
/// subject carries the unit's 统一社会信用代码, or why the key shows none. The intake fills the
/// certificate's serial from it; the view shows `problem_zh` as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct UnitCertificate {
    pub found: Option<BroughtCert>,
    pub problem: Option<String>,
    pub problem_zh: Option<String>,
}

/// The unit `uscc`'s organisation certificate among `certs` (a key's, as `read_certs` lists
/// them, the one valid longest first).
pub fn unit_certificate(certs: &[BroughtCert], uscc: &str, now: chrono::DateTime<chrono::Utc>) -> UnitCertificate {
    let refused = |en: String, zh: String| UnitCertificate { found: None, problem: Some(en), problem_zh: Some(zh) };
    let Ok(code) = certdesk_domain::ident::CreditCode::parse(uscc) else {
        return refused(format!("{uscc:?} is no valid 统一社会信用代码: type the unit's code first"), "请先填写正确的统一社会信用代码".into());
    };
    let code = code.as_str();
    let units: Vec<&BroughtCert> = certs.iter().filter(|c| c.usage == CertUsage::Sign && c.subject.uscc.as_deref() == Some(code)).collect();
    let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map(|d| d.with_timezone(&chrono::Utc)).ok();
    if let Some(valid) = units.iter().find(|c| at(&c.not_before).is_some_and(|b| b <= now) && at(&c.not_after).is_some_and(|a| now <= a)) {
        return UnitCertificate { found: Some((*valid).clone()), problem: None, problem_zh: None };
    }
    if let Some(newest) = units.first() {
        return refused(
            format!("the unit's certificate {} on this key is not valid now (valid {} to {})", newest.serial, day(&newest.not_before), day(&newest.not_after)),
            format!("该Key上的单位证书（序列号 {}）已不在有效期内（{} 至 {}），请先办理续期", newest.serial, day(&newest.not_before), day(&newest.not_after)),
        );
    }
    let others: Vec<String> = certs.iter().filter(|c| c.usage == CertUsage::Sign).map(|c| c.subject.o.clone().or_else(|| c.subject.cn.clone()).unwrap_or_default()).collect();
    if others.is_empty() {
        return refused("this key holds no certificate".into(), "该Key上没有证书".into());
    }
    refused(format!("no certificate on this key names the unit {code} (it holds: {})", others.join(", ")), format!("该Key上的证书不是本单位（{code}）的：{}", others.join("、")))
}

/// The 统一社会信用代码 in an attribute's text: a run of 18 letters and digits standing alone
/// (the whole value, or set off by spaces or punctuation as in `USCC:…` or `NTRCN-…`) whose
/// check character is right, and that is no 居民身份证号码 (a person's serialNumber).
fn uscc_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.len() == 18 && certdesk_domain::ident::ResidentId::parse(word).is_err())
        .find_map(|word| certdesk_domain::ident::CreditCode::parse(word).ok())
        .map(|code| code.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(uscc: Option<&str>, usage: CertUsage, from: &str, to: &str, serial: &str) -> BroughtCert {
        BroughtCert {
            usage,
            subject: BroughtSubject {
                cn: Some("广州市示例科技有限公司".into()), o: Some("广州市示例科技有限公司".into()), uscc: uscc.map(str::to_string), dn: String::new()
            },
            serial: serial.into(),
            issuer: "CN=NETCA".into(),
            not_before: from.into(),
            not_after: to.into(),
            key_algorithm: "sm2".into(),
            label: String::new(),
            key_id: String::new(),
            sha256: String::new(),
        }
    }

    #[test]
    fn the_units_certificate_is_its_valid_signing_one_and_a_refusal_says_why_not() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let ours = "91440101MA59ABCD1D";
        let valid = cert(Some(ours), CertUsage::Sign, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "7F01");
        let enc = cert(Some(ours), CertUsage::Encrypt, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "7F02");
        let old = cert(Some(ours), CertUsage::Sign, "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "6E01");
        let other = cert(Some("91110000600037341L"), CertUsage::Sign, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "5D01");
        // typed with spaces and small letters, as a clerk may
        let got = unit_certificate(&[enc.clone(), valid.clone(), old.clone()], "9144 0101 ma59abcd1d", now);
        assert_eq!((got.found.map(|c| c.serial), got.problem), (Some("7F01".to_string()), None));
        let expired = unit_certificate(&[old, enc], ours, now);
        assert!(expired.found.is_none() && expired.problem_zh.as_deref().unwrap().contains("已不在有效期内（2024-01-01 至 2025-01-01）"), "{expired:?}");
        let stranger = unit_certificate(&[other], ours, now);
        assert!(stranger.problem_zh.as_deref().unwrap().starts_with("该Key上的证书不是本单位（91440101MA59ABCD1D）的"), "{stranger:?}");
        assert_eq!(unit_certificate(&[], ours, now).problem_zh.as_deref(), Some("该Key上没有证书"));
        assert_eq!(unit_certificate(&[valid], "91440101MA59ABCD1E", now).problem_zh.as_deref(), Some("请先填写正确的统一社会信用代码"));
    }

    #[test]
    fn a_credit_code_is_found_alone_or_set_off_and_checked() {
        assert_eq!(uscc_in("91440101MA59ABCD1D").as_deref(), Some("91440101MA59ABCD1D"));
        assert_eq!(uscc_in("USCC:91440101MA59ABCD1D").as_deref(), Some("91440101MA59ABCD1D"));
        assert_eq!(uscc_in("NTRCN-91440101ma59abcd1d").as_deref(), Some("91440101MA59ABCD1D"));
        assert_eq!(uscc_in("广州某某有限公司 91440101MA59ABCD1D").as_deref(), Some("91440101MA59ABCD1D"));
        // a wrong check character, a longer run, an ID card number: no code
        assert_eq!(uscc_in("91440101MA59ABCD1E"), None);
        assert_eq!(uscc_in("X91440101MA59ABCD1D"), None);
        assert_eq!(uscc_in("广州某某有限公司"), None);
        // an ID card number (a person's serialNumber) whose last character happens to check as
        // a credit code's too is still no credit code
        let both = (0..1000).map(certdesk_testkit::resident_id).find(|id| certdesk_domain::ident::CreditCode::parse(id).is_ok()).expect("one in 31 checks as both");
        assert_eq!(uscc_in(&both), None);
    }
}
