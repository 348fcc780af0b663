//! Fee computation from a project's fee rules: itemised, in `Money`, with the total in
//! 大写金额. Owns the refusal of choices a CA does not offer (a business type, kind, medium
//! or validity it does not sell). Does not know payments: what was paid is case data.

use crate::model::{FeeRule, Per, Project};
use certdesk_domain::{BusinessType, CertKind, Medium, Money};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeRequest {
    pub business: BusinessType,
    pub cert_kind: CertKind,
    pub medium: Medium,
    /// Validity in years; defaults to 1 (when offered) for new and renewed certificates,
    /// ignored for business types that keep the original validity.
    pub years: Option<u32>,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FeeLine {
    pub label: String,
    pub per: Per,
    pub unit_price: Money,
    /// How many units the price is multiplied by (years × quantity, quantity, or 1).
    pub count: u32,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FeeQuote {
    pub project: String,
    pub business: BusinessType,
    pub cert_kind: CertKind,
    pub medium: Medium,
    pub years: Option<u32>,
    pub quantity: u32,
    pub items: Vec<FeeLine>,
    pub total: Money,
    /// The total in 大写金额, as receipts print it.
    pub total_capital: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("{project} does not offer business type {business} (offers: {offered})")]
    BusinessNotOffered { project: String, business: BusinessType, offered: String },
    #[error("{project} does not issue {kind} certificates (issues: {offered})")]
    KindNotOffered { project: String, kind: CertKind, offered: String },
    #[error("{project} does not issue on {medium} (offers: {offered})")]
    MediumNotOffered { project: String, medium: Medium, offered: String },
    #[error("{project} does not offer {years} year(s) for {business} {kind} certificates (offers: {offered} years)")]
    YearsNotOffered { project: String, business: BusinessType, kind: CertKind, years: u32, offered: String },
    #[error("{business} needs a validity: give --years (offered: {offered})")]
    YearsRequired { business: BusinessType, offered: String },
    #[error("quantity must be at least 1")]
    ZeroQuantity,
    #[error("quantity {0} is more than the {max} one case may ask for", max = certdesk_domain::case::MAX_QUANTITY)]
    TooMany(u32),
    #[error("the fee of {item} would exceed 10,000,000,000 yuan: check the quantity and years")]
    TooLarge { item: String },
    #[error("{project} has no fee for {business} {kind} certificates on {medium} in its catalog (the CA's guide gives none)")]
    NoFeeRule { project: String, business: BusinessType, kind: CertKind, medium: Medium },
}

impl FeeError {
    /// The message in Simplified Chinese, for the UI.
    pub fn zh(&self) -> String {
        match self {
            FeeError::BusinessNotOffered { business, .. } => format!("该项目不受理“{}”业务", business.zh()),
            FeeError::KindNotOffered { kind, .. } => format!("该项目不签发{}", kind.zh()),
            FeeError::MediumNotOffered { medium, .. } => format!("该项目不提供{}介质", medium.zh()),
            FeeError::YearsNotOffered { years, offered, .. } => format!("该项目不提供{years}年期，可选：{offered}年"),
            FeeError::YearsRequired { offered, .. } => format!("请选择年限（可选：{offered}年）"),
            FeeError::ZeroQuantity => "张数至少为1".into(),
            FeeError::TooMany(n) => format!("张数{n}超过单个案件上限{}", certdesk_domain::case::MAX_QUANTITY),
            FeeError::TooLarge { .. } => "金额超出范围，请核对张数和年限".into(),
            FeeError::NoFeeRule { .. } => "该项目资料未给出此项业务的收费标准，请按CA通知收费".into(),
        }
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn offered_years(project: &Project, rule: &FeeRule) -> Vec<u32> {
    let from_tables: Vec<u32> = rule.items.iter().flat_map(|i| i.table_years().unwrap_or_default()).collect();
    if !from_tables.is_empty() {
        let mut ys: Vec<u32> = project.years.iter().copied().filter(|y| from_tables.contains(y)).collect();
        if let Some(rule_years) = &rule.years {
            ys.retain(|y| rule_years.contains(y));
        }
        return ys;
    }
    rule.years.clone().unwrap_or_else(|| project.years.clone())
}

impl Project {
    /// The fee for `req`, itemised. Refuses what the project does not offer.
    pub fn fee(&self, req: &FeeRequest) -> Result<FeeQuote, FeeError> {
        let project = self.id.clone();
        if !self.business_types.contains(&req.business) {
            return Err(FeeError::BusinessNotOffered { project, business: req.business, offered: join(&self.business_types) });
        }
        if !self.cert_kinds.contains(&req.cert_kind) {
            return Err(FeeError::KindNotOffered { project, kind: req.cert_kind, offered: join(&self.cert_kinds) });
        }
        if !self.media.contains(&req.medium) {
            return Err(FeeError::MediumNotOffered { project, medium: req.medium, offered: join(&self.media) });
        }
        if req.quantity == 0 {
            return Err(FeeError::ZeroQuantity);
        }
        if req.quantity > certdesk_domain::case::MAX_QUANTITY {
            return Err(FeeError::TooMany(req.quantity));
        }
        let rule = self
            .fee_rules()
            .find(|r| {
                r.business.contains(&req.business) && r.cert_kinds.as_ref().is_none_or(|k| k.contains(&req.cert_kind)) && r.media.as_ref().is_none_or(|m| m.contains(&req.medium))
            })
            .ok_or(FeeError::NoFeeRule { project: project.clone(), business: req.business, kind: req.cert_kind, medium: req.medium })?;

        let years = if req.business.takes_years() {
            let offered = offered_years(self, rule);
            let years = match req.years {
                Some(y) => y,
                None if offered.contains(&1) => 1,
                None => return Err(FeeError::YearsRequired { business: req.business, offered: join(&offered) }),
            };
            if !offered.contains(&years) {
                return Err(FeeError::YearsNotOffered { project, business: req.business, kind: req.cert_kind, years, offered: join(&offered) });
            }
            Some(years)
        } else {
            None
        };

        let mut items = Vec::new();
        for item in &rule.items {
            let unit_price = match (&item.amount, &item.by_years) {
                (Some(a), _) => *a,
                (None, Some(table)) => {
                    let y = years.unwrap_or(1);
                    *table.get(&y.to_string()).ok_or_else(|| FeeError::YearsNotOffered {
                        project: project.clone(),
                        business: req.business,
                        kind: req.cert_kind,
                        years: y,
                        offered: join(&item.table_years().unwrap_or_default()),
                    })?
                }
                (None, None) => Money::ZERO,
            };
            let too_large = || FeeError::TooLarge { item: item.label.clone() };
            let count = match item.per {
                Per::Year => years.unwrap_or(1).checked_mul(req.quantity).ok_or_else(too_large)?,
                Per::Unit => req.quantity,
                Per::Case => 1,
            };
            let amount = unit_price.checked_mul(count).ok_or_else(too_large)?;
            items.push(FeeLine { label: item.label.clone(), per: item.per, unit_price, count, amount });
        }
        let total = items.iter().try_fold(Money::ZERO, |sum, i| sum.checked_add(i.amount)).ok_or_else(|| FeeError::TooLarge { item: "合计".into() })?;
        Ok(FeeQuote {
            project,
            business: req.business,
            cert_kind: req.cert_kind,
            medium: req.medium,
            years,
            quantity: req.quantity,
            items,
            total,
            total_capital: total.to_capital(),
            note: rule.note.clone(),
        })
    }
}
