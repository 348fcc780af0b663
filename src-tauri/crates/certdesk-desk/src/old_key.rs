//! The key an applicant brings, read at intake (#74): the unit's certificates on it, without a
//! PIN (certificates are public objects over PKCS#11, exported per container over SKF), each
//! with its use, its subject's CN, O and 统一社会信用代码, serial, issuer, validity and key
//! algorithm (`certdesk key read-certs`). Owns finding the USCC in a subject and which
//! certificates count as the unit's (the CA certificates of a chain on the key do not). Reads
//! only: nothing is written to the key or recorded.

use crate::DeskError;
use crate::api::Desk;
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
pub fn read_certs(_desk: &Desk<'_>, library: &KeyLibrary, sel: Option<&TokenSel>) -> Result<Vec<BroughtCert>, DeskError> {
    let sel = match sel {
        Some(s) => s.clone(),
        None => the_plugged_key(library)?,
    };
    let contents = library.keys().show(&sel, None)?;
    let mut certs: Vec<BroughtCert> = contents.certificates.iter().filter_map(brought).collect();
    // a key lists its objects in no fixed order: the newest first, a pair's signing half first
    certs.sort_by(|a, b| b.not_after.cmp(&a.not_after).then_with(|| (a.usage == CertUsage::Encrypt).cmp(&(b.usage == CertUsage::Encrypt))).then_with(|| a.serial.cmp(&b.serial)));
    Ok(certs)
}

/// The one initialised key present, by serial.
fn the_plugged_key(library: &KeyLibrary) -> Result<TokenSel, DeskError> {
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
    use super::uscc_in;

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
