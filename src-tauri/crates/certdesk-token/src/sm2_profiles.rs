//! PKCS#11 vendor profiles for SM2, as data (`assets/pkcs11-sm2-profiles.toml`, embedded; a
//! counter's own file may replace it). Owns parsing with the file and entry named in every
//! error, and choosing a profile for a module (by its file name or the token's manufacturer)
//! or by name. Does not talk to a module: that is `pkcs11_sm2`.

use serde::Deserialize;
use std::path::Path;

/// The shipped profiles, embedded at build time.
pub const SHIPPED: &str = include_str!("../../../../assets/pkcs11-sm2-profiles.toml");
const SHIPPED_NAME: &str = "assets/pkcs11-sm2-profiles.toml";

/// How a module's "sign e" mechanism returns the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureEncoding {
    /// r‖s, 32 bytes each.
    Raw,
    /// DER `SM2Signature` (SEQUENCE { r INTEGER, s INTEGER }).
    Der,
}

/// One vendor's SM2 codes. Code values are `CK_ULONG`s (`CKK_*`, `CKM_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub vendor: String,
    /// CKK of an SM2 key.
    pub key_type: u64,
    /// Key-pair generation mechanism.
    pub keygen: u64,
    /// Signs a host-computed 32-byte e = SM3(Z‖M).
    pub sign_e: u64,
    /// SM3 + SM2 with the distinguishing ID as the mechanism parameter, where the vendor has one.
    pub sign_sm3_with_id: Option<u64>,
    pub signature: SignatureEncoding,
    /// Whether the private key object carries CKA_EC_POINT.
    pub ec_point_on_private: bool,
    /// Module file-name patterns (`*` wildcard, case-insensitive).
    pub modules: Vec<String>,
    /// Token manufacturer patterns (same syntax).
    pub manufacturers: Vec<String>,
    /// The public header or configuration the codes come from.
    pub source: String,
}

impl Profile {
    /// Whether this profile's codes need the raw path: cryptoki's `new_vendor_defined`
    /// refuses values below CKM_VENDOR_DEFINED (0x80000000).
    pub fn below_vendor_defined(&self) -> bool {
        [self.key_type, self.keygen, self.sign_e].iter().any(|c| *c < 0x8000_0000)
    }
}

/// Why a profile file was refused. `file` is the path (or the shipped asset's name).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    #[error("cannot read the SM2 profile file {file}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("SM2 profile file {file} is not valid: {source}")]
    Toml {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("SM2 profile file {file}, profile {entry:?}: unknown signature encoding {found:?} (expected \"raw\" or \"der\")")]
    UnknownEncoding { file: String, entry: String, found: String },
    #[error("SM2 profile file {file}: profile {entry:?} is defined twice")]
    Duplicate { file: String, entry: String },
    #[error("SM2 profile file {file}, profile number {index}: the name is empty")]
    EmptyName { file: String, index: usize },
    #[error("SM2 profile file {file}, profile {entry:?}: {field} 0x{value:X} does not fit a 32-bit CK_ULONG")]
    CodeTooLarge { file: String, entry: String, field: &'static str, value: u64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    #[serde(default)]
    profile: Vec<EntryForm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryForm {
    name: String,
    vendor: String,
    key_type: u64,
    keygen: u64,
    sign_e: u64,
    sign_sm3_with_id: Option<u64>,
    signature: String,
    ec_point_on_private: bool,
    #[serde(default)]
    modules: Vec<String>,
    #[serde(default)]
    manufacturers: Vec<String>,
    source: String,
}

/// A parsed profile file.
#[derive(Debug, Clone)]
pub struct Profiles {
    file: String,
    list: Vec<Profile>,
}

impl Profiles {
    /// The embedded `assets/pkcs11-sm2-profiles.toml` (a test keeps it valid).
    pub fn shipped() -> Profiles {
        Profiles::parse(SHIPPED, SHIPPED_NAME).expect("the shipped SM2 profiles parse (tested)")
    }

    /// A counter's own profile file.
    pub fn load(path: &Path) -> Result<Profiles, ProfileError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read { file: file.clone(), source })?;
        Profiles::parse(&text, &file)
    }

    /// Parses `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Profiles, ProfileError> {
        let form: FileForm = toml::from_str(text).map_err(|source| ProfileError::Toml { file: file.to_string(), source })?;
        let mut list: Vec<Profile> = Vec::with_capacity(form.profile.len());
        for (index, e) in form.profile.into_iter().enumerate() {
            let entry = e.name.trim().to_string();
            if entry.is_empty() {
                return Err(ProfileError::EmptyName { file: file.to_string(), index: index + 1 });
            }
            if list.iter().any(|p| p.name.eq_ignore_ascii_case(&entry)) {
                return Err(ProfileError::Duplicate { file: file.to_string(), entry });
            }
            let signature = match e.signature.as_str() {
                "raw" => SignatureEncoding::Raw,
                "der" => SignatureEncoding::Der,
                other => return Err(ProfileError::UnknownEncoding { file: file.to_string(), entry, found: other.to_string() }),
            };
            // CK_ULONG is 32 bits on Windows: a code must fit there too
            for (field, value) in [("key_type", Some(e.key_type)), ("keygen", Some(e.keygen)), ("sign_e", Some(e.sign_e)), ("sign_sm3_with_id", e.sign_sm3_with_id)] {
                if let Some(value) = value.filter(|v| *v > u64::from(u32::MAX)) {
                    return Err(ProfileError::CodeTooLarge { file: file.to_string(), entry, field, value });
                }
            }
            list.push(Profile {
                name: entry,
                vendor: e.vendor,
                key_type: e.key_type,
                keygen: e.keygen,
                sign_e: e.sign_e,
                sign_sm3_with_id: e.sign_sm3_with_id,
                signature,
                ec_point_on_private: e.ec_point_on_private,
                modules: e.modules,
                manufacturers: e.manufacturers,
                source: e.source,
            });
        }
        Ok(Profiles { file: file.to_string(), list })
    }

    /// The file these profiles came from.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn all(&self) -> &[Profile] {
        &self.list
    }

    /// The profile called `name` (case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<&Profile> {
        self.list.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The first profile whose module pattern matches the module's file name, else the first
    /// whose manufacturer pattern matches the token's manufacturer ID.
    pub fn profile_for(&self, module_path: &Path, manufacturer: &str) -> Option<&Profile> {
        let file_name = module_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let manufacturer = manufacturer.trim();
        self.list
            .iter()
            .find(|p| !file_name.is_empty() && p.modules.iter().any(|m| wildcard(m, &file_name)))
            .or_else(|| self.list.iter().find(|p| !manufacturer.is_empty() && p.manufacturers.iter().any(|m| wildcard(m, manufacturer))))
    }
}

/// The shipped profiles, parsed once.
pub fn shipped() -> &'static Profiles {
    static SHIPPED_PROFILES: std::sync::OnceLock<Profiles> = std::sync::OnceLock::new();
    SHIPPED_PROFILES.get_or_init(Profiles::shipped)
}

/// [`Profiles::profile_for`] over the shipped profiles.
pub fn profile_for(module_path: &Path, manufacturer: &str) -> Option<&'static Profile> {
    shipped().profile_for(module_path, manufacturer)
}

/// The profiles to try for a module and token, most likely first: the one its file name or
/// manufacturer names, then every other shipped one (a CA-branded build of a vendor's module
/// goes by another file name; what the module offers decides).
pub fn candidates(module_path: &Path, manufacturer: &str) -> Vec<&'static Profile> {
    let named = profile_for(module_path, manufacturer);
    named.into_iter().chain(shipped().all().iter().filter(move |p| named.is_none_or(|n| n.name != p.name))).collect()
}

/// `*`-wildcard match, ASCII case-insensitive.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.to_ascii_lowercase(), text.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !t.starts_with(first) || !t[first.len()..].ends_with(last) || t.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &t[first.len()..t.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_profiles_parse_and_carry_the_notes_codes() {
        let p = Profiles::shipped();
        for name in ["tass", "sansec", "luna", "ep11", "haitai", "certdesk-test"] {
            let profile = p.by_name(name).unwrap_or_else(|| panic!("{name}"));
            assert!(!profile.source.is_empty(), "{name}: a source");
        }
        let tass = p.by_name("TASS").unwrap();
        assert_eq!((tass.key_type, tass.keygen, tass.sign_e, tass.sign_sm3_with_id), (0x8000_0004, 0x8000_8001, 0x8000_8000, Some(0x8000_8100)));
        let haitai = p.by_name("haitai").unwrap();
        assert_eq!((haitai.key_type, haitai.keygen, haitai.sign_e), (0x0001_0001, 0x0001_0009, 0x0001_0002));
        assert!(haitai.below_vendor_defined() && !tass.below_vendor_defined());
        assert_eq!(p.by_name("certdesk-test").unwrap().signature, SignatureEncoding::Der);
    }

    #[test]
    fn profiles_are_chosen_by_module_file_name_or_manufacturer() {
        let p = Profiles::shipped();
        let check = |module: &str, manufacturer: &str, expect: Option<&str>| {
            assert_eq!(p.profile_for(Path::new(module), manufacturer).map(|p| p.name.as_str()), expect, "{module} / {manufacturer}");
        };
        check("/usr/safenet/lunaclient/lib/libCryptoki2_64.so", "", Some("luna"));
        check("/target/debug/deps/libcertdesk_pkcs11_shim.so", "SoftHSM project", Some("certdesk-test"));
        check("/usr/lib/libopencryptoki.so.0", "", Some("ep11"));
        check("/usr/lib/softhsm/libsofthsm2.so", "SoftHSM project", None);
        let own = Profiles::parse(
            "[[profile]]\nname='x'\nvendor='v'\nkey_type=1\nkeygen=2\nsign_e=3\nsignature='raw'\nec_point_on_private=true\nmanufacturers=['HaiTai*']\nsource='s'\n",
            "own.toml",
        )
        .unwrap();
        assert_eq!(own.profile_for(Path::new("/opt/x/libwhatever.so"), "HAITAI Co.  ").map(|p| p.name.as_str()), Some("x"));
    }

    #[test]
    fn profile_file_errors_name_the_file_and_entry() {
        let entry = |name: &str, signature: &str| {
            format!("[[profile]]\nname='{name}'\nvendor='v'\nkey_type=1\nkeygen=2\nsign_e=3\nsignature='{signature}'\nec_point_on_private=false\nsource='s'\n")
        };
        let err = Profiles::parse(&entry("a", "base64"), "my.toml").unwrap_err();
        assert!(matches!(&err, ProfileError::UnknownEncoding { file, entry, found } if file == "my.toml" && entry == "a" && found == "base64"), "{err}");
        assert!(err.to_string().contains("my.toml") && err.to_string().contains("\"a\""), "{err}");
        let err = Profiles::parse(&format!("{}{}", entry("a", "raw"), entry("A", "der")), "my.toml").unwrap_err();
        assert!(matches!(&err, ProfileError::Duplicate { entry, .. } if entry == "A"), "{err}");
        let err = Profiles::parse("[[profile]]\nname = 'a'\nkey_type = 'x'", "bad.toml").unwrap_err();
        assert!(matches!(&err, ProfileError::Toml { file, .. } if file == "bad.toml"), "{err}");
        assert!(err.to_string().starts_with("SM2 profile file bad.toml is not valid"), "{err}");
        let err = Profiles::parse(&entry("a", "raw").replace("sign_e=3", "sign_e=0x180000000"), "big.toml").unwrap_err();
        assert!(matches!(&err, ProfileError::CodeTooLarge { field: "sign_e", .. }), "{err}");
        let err = Profiles::parse(&entry(" ", "raw"), "e.toml").unwrap_err();
        assert!(matches!(&err, ProfileError::EmptyName { index: 1, .. }), "{err}");
        let err = Profiles::load(Path::new("/nonexistent/profiles.toml")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/profiles.toml"), "{err}");
    }

    #[test]
    fn wildcards() {
        for (p, t, expect) in [
            ("lib*.so", "libx.so", true),
            ("lib*.so", "libx.so.1", false),
            ("*shim*", "libcertdesk_pkcs11_shim.so", true),
            ("a*b*c", "abc", true),
            ("a*a", "a", false),
            ("exact", "EXACT", true),
        ] {
            assert_eq!(wildcard(p, t), expect, "{p} {t}");
        }
    }
}
