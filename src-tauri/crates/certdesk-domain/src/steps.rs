//! The steps a case takes from intake to 归档: the fixed front (受理, 提交复核, 复核通过), what the
//! project's catalog declares for its business type after approval (a route: the key desk's
//! steps, an unlock, a confirmation done in the CA's own system, a wipe, the hand-over), and
//! the close. Owns the step kinds, who does each, their titles and the order; whether a step
//! is done is read off the audit chain by the application layer, not here.

use crate::workflow::Role;
use serde::{Deserialize, Serialize};

/// What a step is, which decides how it is done and recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Accept,
    Submit,
    Approve,
    KeyInit,
    KeyGenerate,
    CertImport,
    CertWrite,
    /// Dual certificates: the encryption key pair (enveloped by the CA's KMC to the signing
    /// key) and the encryption certificate onto the key.
    EncImport,
    SealWrite,
    Unlock,
    Wipe,
    /// Done outside certdesk (the CA's system, the applicant's phone) and recorded here with
    /// its reference.
    Confirm,
    Deliver,
    Close,
}

impl StepKind {
    /// Steps done with a key at the key desk (`certdesk key …`), not by `case complete`.
    pub fn is_key_desk(self) -> bool {
        matches!(
            self,
            StepKind::KeyInit | StepKind::KeyGenerate | StepKind::CertImport | StepKind::CertWrite | StepKind::EncImport | StepKind::SealWrite | StepKind::Unlock | StepKind::Wipe
        )
    }

    /// Steps of one certificate's key round, done once per certificate (an unlock or a wipe
    /// is once per case).
    pub fn is_cert_round(self) -> bool {
        matches!(self, StepKind::KeyInit | StepKind::KeyGenerate | StepKind::CertImport | StepKind::CertWrite | StepKind::EncImport | StepKind::SealWrite)
    }

    /// The fixed id of every kind but `confirm` (whose id the catalog gives).
    pub fn id(self) -> &'static str {
        match self {
            StepKind::Accept => "accept",
            StepKind::Submit => "submit",
            StepKind::Approve => "approve",
            StepKind::KeyInit => "key_init",
            StepKind::KeyGenerate => "key_generate",
            StepKind::CertImport => "cert_import",
            StepKind::CertWrite => "cert_write",
            StepKind::EncImport => "enc_import",
            StepKind::SealWrite => "seal_write",
            StepKind::Unlock => "unlock",
            StepKind::Wipe => "wipe",
            StepKind::Confirm => "confirm",
            StepKind::Deliver => "deliver",
            StepKind::Close => "close",
        }
    }

    fn title(self) -> &'static str {
        match self {
            StepKind::Accept => "受理",
            StepKind::Submit => "提交复核",
            StepKind::Approve => "复核通过",
            StepKind::KeyInit => "初始化Key",
            StepKind::KeyGenerate => "生成密钥对和证书请求",
            StepKind::CertImport => "导入CA签发的证书",
            StepKind::CertWrite => "写入证书",
            StepKind::EncImport => "导入加密密钥对和加密证书",
            StepKind::SealWrite => "写入印章图片",
            StepKind::Unlock => "解锁Key",
            StepKind::Wipe => "清除回收的Key",
            StepKind::Confirm => "确认",
            StepKind::Deliver => "交付",
            StepKind::Close => "归档",
        }
    }

    fn role(self) -> Role {
        match self {
            StepKind::Accept | StepKind::Submit | StepKind::Confirm | StepKind::Close => Role::Clerk,
            StepKind::Approve => Role::Supervisor,
            _ => Role::KeyClerk,
        }
    }
}

/// Ids the fixed steps use; a catalog's `confirm` step takes none of them.
pub const RESERVED_IDS: [&str; 14] =
    ["accept", "submit", "approve", "key_init", "key_generate", "cert_import", "cert_write", "enc_import", "seal_write", "unlock", "wipe", "confirm", "deliver", "close"];

/// One element of a project's route after approval, as its catalog declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RouteStep {
    /// A new key: initialise, generate, import, write the certificate, write the seal image.
    Key,
    /// Renewed onto the applicant's key: generate on it, import, write (the old certificate
    /// recorded), write the seal image.
    KeyRenew,
    Unlock,
    Wipe,
    Confirm {
        id: String,
        title: String,
        role: Role,
        reference: bool,
    },
    Deliver,
}

/// One step of a case's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepSpec {
    pub id: String,
    pub title: String,
    pub kind: StepKind,
    pub role: Role,
    /// A `confirm` step records the reference of what was done elsewhere.
    pub needs_reference: bool,
}

impl StepSpec {
    fn of(kind: StepKind) -> StepSpec {
        StepSpec { id: kind.id().into(), title: kind.title().into(), kind, role: kind.role(), needs_reference: false }
    }
}

/// The whole plan of a case: the front, the route (the seal image only when the case has
/// one to write; the encryption key pair and certificate after the signing certificate when
/// the project issues dual certificates), the close.
pub fn plan(route: &[RouteStep], has_seal: bool, dual: bool) -> Vec<StepSpec> {
    let mut steps: Vec<StepSpec> = [StepKind::Accept, StepKind::Submit, StepKind::Approve].into_iter().map(StepSpec::of).collect();
    for r in route {
        let kinds: &[StepKind] = match r {
            RouteStep::Key => &[StepKind::KeyInit, StepKind::KeyGenerate, StepKind::CertImport, StepKind::CertWrite, StepKind::EncImport, StepKind::SealWrite],
            RouteStep::KeyRenew => &[StepKind::KeyGenerate, StepKind::CertImport, StepKind::CertWrite, StepKind::EncImport, StepKind::SealWrite],
            RouteStep::Unlock => &[StepKind::Unlock],
            RouteStep::Wipe => &[StepKind::Wipe],
            RouteStep::Deliver => &[StepKind::Deliver],
            RouteStep::Confirm { id, title, role, reference } => {
                steps.push(StepSpec { id: id.clone(), title: title.clone(), kind: StepKind::Confirm, role: *role, needs_reference: *reference });
                continue;
            }
        };
        steps.extend(kinds.iter().filter(|k| (has_seal || **k != StepKind::SealWrite) && (dual || **k != StepKind::EncImport)).map(|k| StepSpec::of(*k)));
    }
    steps.push(StepSpec::of(StepKind::Close));
    steps
}

/// One plan for a case whose annex rows differ in business type (#71): the case's own plan,
/// then each row's plan's steps the case's lacks, each put after the step that comes before it
/// in that row's plan (a 续期 case with a 新申请 row gains 初始化Key after 复核通过; a 解锁 row's
/// 解锁 joins once for the case). A step is one step of the case however many rows bring it.
pub fn merge(case_plan: Vec<StepSpec>, row_plans: &[Vec<StepSpec>]) -> Vec<StepSpec> {
    let mut merged = case_plan;
    for row in row_plans {
        for (i, spec) in row.iter().enumerate() {
            if merged.iter().any(|m| m.id == spec.id) {
                continue;
            }
            let after = row[..i].iter().rev().find_map(|before| merged.iter().position(|m| m.id == before.id));
            merged.insert(after.map_or(0, |p| p + 1), spec.clone());
        }
    }
    merged
}

/// The route a project follows when its catalog declares none for the case: a new key for the
/// business types that issue a certificate on a USB key, the unlock for 解锁, a confirmation in
/// the CA's system for the rest; a mobile certificate is activated on the applicant's phone.
pub fn default_route(business: crate::BusinessType, medium: crate::Medium) -> Vec<RouteStep> {
    use crate::BusinessType as B;
    let confirm = |id: &str, title: &str| RouteStep::Confirm { id: id.into(), title: title.into(), role: Role::Clerk, reference: true };
    if medium == crate::Medium::MobileKey {
        return vec![confirm("activate", "移动证书已激活")];
    }
    match business {
        B::New | B::Renew | B::Replace | B::Change | B::KeyRecovery => vec![RouteStep::Key, RouteStep::Deliver],
        B::Unlock => vec![RouteStep::Unlock, RouteStep::Deliver],
        B::Revoke => vec![confirm("ca_revoke", "CA系统注销完成")],
        B::Suspend => vec![confirm("ca_suspend", "CA系统挂起完成")],
        B::Unsuspend => vec![confirm("ca_unsuspend", "CA系统解挂完成")],
        B::AnnualCheck => vec![confirm("ca_annual_check", "CA系统年审完成")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(steps: &[StepSpec]) -> Vec<&str> {
        steps.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn a_new_key_goes_through_the_key_desk_then_delivery() {
        let p = plan(&[RouteStep::Key, RouteStep::Deliver], true, false);
        assert_eq!(ids(&p), ["accept", "submit", "approve", "key_init", "key_generate", "cert_import", "cert_write", "seal_write", "deliver", "close"]);
        assert_eq!(p[2].role, Role::Supervisor);
        assert!(p[3..8].iter().all(|s| s.role == Role::KeyClerk && s.kind.is_key_desk()));
        assert!(!ids(&plan(&[RouteStep::Key, RouteStep::Deliver], false, false)).contains(&"seal_write"), "no seal image, nothing to write");
    }

    #[test]
    fn a_dual_certificate_imports_the_encryption_pair_after_the_signing_certificate() {
        for route in [RouteStep::Key, RouteStep::KeyRenew] {
            let p = plan(&[route, RouteStep::Deliver], true, true);
            let ids = ids(&p);
            let at = |id: &str| ids.iter().position(|i| *i == id).unwrap_or_else(|| panic!("{id} missing from {ids:?}"));
            assert!(at("cert_write") < at("enc_import") && at("enc_import") < at("seal_write"), "{ids:?}");
            assert_eq!(p[at("enc_import")].role, Role::KeyClerk);
            assert!(p[at("enc_import")].kind.is_key_desk());
        }
        assert!(!ids(&plan(&[RouteStep::Unlock, RouteStep::Deliver], true, true)).contains(&"enc_import"), "an unlock makes no key");
    }

    #[test]
    fn rows_of_other_business_types_bring_their_missing_steps_in_their_order() {
        let renew = plan(&[RouteStep::KeyRenew, RouteStep::Deliver], false, false);
        let new = plan(&[RouteStep::Key, RouteStep::Deliver], false, false);
        let unlock = plan(&[RouteStep::Unlock, RouteStep::Deliver], false, false);
        let merged = merge(renew.clone(), &[new.clone(), unlock.clone(), new.clone()]);
        assert_eq!(ids(&merged), ["accept", "submit", "approve", "unlock", "key_init", "key_generate", "cert_import", "cert_write", "deliver", "close"]);
        assert_eq!(merge(new.clone(), &[renew.clone(), new.clone()]), new, "rows of the case's own steps change nothing");
        assert_eq!(merge(renew.clone(), &[]), renew);
    }

    #[test]
    fn confirmations_keep_the_catalogs_id_title_and_role() {
        let route = [RouteStep::Confirm { id: "ca_revoke".into(), title: "CA系统注销完成".into(), role: Role::Clerk, reference: true }, RouteStep::Wipe];
        let p = plan(&route, true, false);
        assert_eq!(ids(&p), ["accept", "submit", "approve", "ca_revoke", "wipe", "close"]);
        assert!(p[3].needs_reference && !p[3].kind.is_key_desk() && p[3].title == "CA系统注销完成");
    }

    #[test]
    fn every_business_type_and_medium_has_a_default_route_that_ends_in_close() {
        for b in crate::BusinessType::ALL {
            for m in crate::Medium::ALL {
                let p = plan(&default_route(*b, *m), false, false);
                assert_eq!(p.last().map(|s| s.kind), Some(StepKind::Close));
                if *m == crate::Medium::MobileKey {
                    assert!(p.iter().all(|s| !s.kind.is_key_desk()), "no USB steps for a mobile key ({b})");
                }
            }
        }
        assert!(ids(&plan(&default_route(crate::BusinessType::Unlock, crate::Medium::UsbKey), false, false)).contains(&"unlock"));
    }
}
