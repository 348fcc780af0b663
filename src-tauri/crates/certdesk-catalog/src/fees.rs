//! Fee computation from a project's fee rules: itemised, in `Money`, with the total in
//! 大写金额. Owns the refusal of choices a CA does not offer (a business type, kind, medium
//! or validity it does not sell), and how an employee case's annex is priced: row by row, the
//! rows grouped by their business type and years (#71, `fee_by_rows`, `fee_of_case`). Does not
//! know payments: what was paid is case data.

use crate::model::{FeeRule, Per, Project};
use certdesk_domain::{BusinessType, CaseData, CertKind, Medium, Money, PaymentMethod};
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
    /// What the applicant pays (#71): the total, or nothing when the quote was asked for a
    /// payment method that is free of charge (`with_payment`); the intake's amount.
    pub due: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The annex's row groups when the quote priced an employee case row by row
    /// (`Project::fee_by_rows`), in the order their first rows appear: one entry when every
    /// row is alike (then the lines keep their labels), several when the rows differ (then each
    /// line's label starts with its group's, `新申请 3年 · 证书年服务费`). Empty for a quote of
    /// one request (`Project::fee`: an organisation or personal case, an annex not listed yet),
    /// and then left out of the JSON, which stays as it was before #71.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<FeeGroup>>", optional)]
    pub groups: Vec<FeeGroup>,
}

impl FeeQuote {
    /// The quote as paid by `method`: what is due by it (nothing for 免费).
    pub fn with_payment(self, method: PaymentMethod) -> FeeQuote {
        FeeQuote { due: method.amount_due(self.total), ..self }
    }
}

/// Rows of an employee case's annex priced alike: the same business type and years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FeeGroup {
    pub business: BusinessType,
    /// The validity the rows were priced for; `None` for a business type that keeps the
    /// original validity.
    pub years: Option<u32>,
    /// How many rows (certificates).
    pub count: u32,
    /// The sum of the group's lines. With several groups a per-case item (`Per::Case`) is the
    /// case's, listed once after the groups and in no group's subtotal; with one group the
    /// subtotal is the total.
    pub subtotal: Money,
    /// The group as its lines' labels start (`新申请 3年`, `变更`).
    pub label: String,
    /// The 0-based index of the group's first row (`employees[i]`).
    pub first_row: u32,
}

/// One row of an employee case's annex as the fee sees it: its business type and years. A row
/// without years whose business type takes years takes the case's; the years of a business
/// type that keeps the original validity are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeRow {
    pub business: BusinessType,
    pub years: Option<u32>,
}

impl FeeRow {
    /// The rows a case is priced by: its employees' for an employee case that lists them (the
    /// rule of `certdesk_domain::case::quantity_for`), none otherwise.
    pub fn of_case(data: &CaseData) -> Vec<FeeRow> {
        if data.cert_kind == CertKind::Employee { data.employees.iter().map(|e| FeeRow { business: e.business, years: e.years }).collect() } else { Vec::new() }
    }
}

/// A refusal of a quote by rows: the refusal (`error`) and the 0-based annex row it is about
/// (the first row of the group refused; `None`: the case's own choices, or the whole annex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFeeError {
    pub row: Option<usize>,
    pub error: FeeError,
}

impl std::fmt::Display for RowFeeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(i) => write!(f, "employee row {} (employees[{i}]): {}", i + 1, self.error),
            None => self.error.fmt(f),
        }
    }
}

impl std::error::Error for RowFeeError {}

impl RowFeeError {
    fn whole(error: FeeError) -> RowFeeError {
        RowFeeError { row: None, error }
    }

    /// The message in Simplified Chinese, for the UI.
    pub fn zh(&self) -> String {
        match self.row {
            Some(i) => format!("附页第{}行：{}", i + 1, self.error.zh()),
            None => self.error.zh(),
        }
    }
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
            due: total,
            note: rule.note.clone(),
            groups: Vec::new(),
        })
    }

    /// The fee of an employee case priced row by row (#71): the rows grouped by business type
    /// and years (a row without years takes `case.years` when its business type takes years)
    /// in the order their first rows appear, each group quoted by [`Project::fee`] for its
    /// number of rows, the lines and totals summed. The case's own request (`case`: its business
    /// type, kind, medium and years, which choose its forms and checklist) must be offered too,
    /// though it need have no fee rule of its own; its quantity is the rows'. A per-case item
    /// (`Per::Case`) is charged once for the case: with several groups it is listed after them,
    /// once per label, at the highest price a group's rule gives it. With one group the quote is
    /// that group's `fee` quote (its business type and years, its labels) with the group listed;
    /// with several, `business` and `years` are the case's and `groups` says what each group was
    /// priced as. Without rows this is `fee(case)`. A refusal names the first row of the group
    /// refused.
    pub fn fee_by_rows(&self, case: &FeeRequest, rows: &[FeeRow]) -> Result<FeeQuote, RowFeeError> {
        if rows.is_empty() {
            return self.fee(case).map_err(RowFeeError::whole);
        }
        let quantity = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        if quantity > certdesk_domain::case::MAX_QUANTITY {
            return Err(RowFeeError::whole(FeeError::TooMany(quantity)));
        }
        match self.fee(&FeeRequest { quantity: 1, ..*case }) {
            Ok(_) | Err(FeeError::NoFeeRule { .. }) => {}
            Err(e) => return Err(RowFeeError::whole(e)),
        }
        // the rows' groups as the rows ask, then as priced (a row without years may be priced
        // for the same years as one that gives them): (business, years priced, rows, first row)
        let request = |business: BusinessType, years: Option<u32>, quantity: u32| FeeRequest { business, cert_kind: case.cert_kind, medium: case.medium, years, quantity };
        let mut asked: Vec<(FeeRow, u32, usize)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let years = if row.business.takes_years() { row.years.or(case.years) } else { None };
            let key = FeeRow { business: row.business, years };
            match asked.iter_mut().find(|g| g.0 == key) {
                Some(g) => g.1 += 1,
                None => asked.push((key, 1, i)),
            }
        }
        let mut priced: Vec<(FeeRow, u32, usize)> = Vec::new();
        for (key, count, first) in asked {
            let one = self.fee(&request(key.business, key.years, 1)).map_err(|error| RowFeeError { row: Some(first), error })?;
            let key = FeeRow { business: key.business, years: one.years };
            match priced.iter_mut().find(|g| g.0 == key) {
                Some(g) => g.1 += count,
                None => priced.push((key, count, first)),
            }
        }
        let mut quotes = Vec::with_capacity(priced.len());
        for (key, count, first) in priced {
            let q = self.fee(&request(key.business, key.years, count)).map_err(|error| RowFeeError { row: Some(first), error })?;
            let label = match q.years {
                Some(y) => format!("{} {y}年", q.business.zh()),
                None => q.business.zh().to_string(),
            };
            quotes.push((q, label, u32::try_from(first).unwrap_or(u32::MAX)));
        }
        if let [(q, label, first)] = quotes.as_slice() {
            let group = FeeGroup { business: q.business, years: q.years, count: q.quantity, subtotal: q.total, label: label.clone(), first_row: *first };
            return Ok(FeeQuote { groups: vec![group], ..q.clone() });
        }
        let too_large = |item: &str| RowFeeError::whole(FeeError::TooLarge { item: item.to_string() });
        let (mut items, mut per_case, mut groups, mut notes) = (Vec::new(), Vec::<FeeLine>::new(), Vec::new(), Vec::<String>::new());
        for (q, label, first) in quotes {
            let mut subtotal = Money::ZERO;
            for line in q.items {
                if line.per == Per::Case {
                    match per_case.iter_mut().find(|l| l.label == line.label) {
                        Some(kept) if kept.amount < line.amount => *kept = line,
                        Some(_) => {}
                        None => per_case.push(line),
                    }
                    continue;
                }
                subtotal = subtotal.checked_add(line.amount).ok_or_else(|| too_large(&label))?;
                items.push(FeeLine { label: format!("{label} · {}", line.label), ..line });
            }
            if let Some(note) = q.note
                && !notes.contains(&note)
            {
                notes.push(note);
            }
            groups.push(FeeGroup { business: q.business, years: q.years, count: q.quantity, subtotal, label, first_row: first });
        }
        items.append(&mut per_case);
        let total = items.iter().try_fold(Money::ZERO, |sum, i| sum.checked_add(i.amount)).ok_or_else(|| too_large("合计"))?;
        Ok(FeeQuote {
            project: self.id.clone(),
            business: case.business,
            cert_kind: case.cert_kind,
            medium: case.medium,
            years: if case.business.takes_years() { case.years } else { None },
            quantity,
            items,
            total,
            total_capital: total.to_capital(),
            due: total,
            note: (!notes.is_empty()).then(|| notes.join("；")),
            groups,
        })
    }

    /// The fee of a case as its data stand: an employee case that lists its employees row by
    /// row ([`Project::fee_by_rows`]), any other for its quantity. What the desk checks a
    /// payment against, and what receipts and `case show` list.
    pub fn fee_of_case(&self, data: &CaseData) -> Result<FeeQuote, RowFeeError> {
        let case = FeeRequest { business: data.business, cert_kind: data.cert_kind, medium: data.medium, years: data.years, quantity: data.quantity.max(1) };
        self.fee_by_rows(&case, &FeeRow::of_case(data))
    }
}
