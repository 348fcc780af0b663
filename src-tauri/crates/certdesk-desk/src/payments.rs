//! Payments reconciled with the bank (#73): the counter account's statement imported by an
//! administrator (read by `certdesk-bank`, its credits matched to the cases waiting for their
//! money, every new credit recorded with the verdict, a statement imported twice adding
//! nothing), a credit confirmed by a clerk as the money of one case or of several cases of one
//! unit (the payer must be the applicant unit where the project says so: "汇款单位必须是办理CA的
//! 单位"; the amounts must add up; a private person's transfer is never taken: "私人汇款恕不受理"),
//! and the credits listed. Owns those decisions; the statements are the store's.

use crate::DeskError;
use crate::api::Desk;
use certdesk_bank::{Match, Refused, RowProblem, Unmatched};
use certdesk_catalog::Catalog;
use certdesk_domain::case::{Payment, PaymentMethod};
use certdesk_domain::promise::ClockFacts;
use certdesk_domain::status::Status;
use certdesk_domain::{CaseData, CaseNumber, Money};
use certdesk_store::CaseRecord;
use certdesk_store::payments::{Credit, CreditState, NewCredit};
use serde::Serialize;
use std::path::Path;

/// What an import did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ImportReport {
    pub file: String,
    pub sha256: String,
    /// the credits (money in) the statement holds
    pub credits: usize,
    /// of them, recorded now (the others were imported before)
    pub new: usize,
    /// debit and zero rows passed over
    pub skipped_debits: usize,
    #[ts(type = "Array<{ credit: string, cases: string[] }>")]
    pub matched: Vec<Match>,
    #[ts(type = "Array<{ credit: string, why: string }>")]
    pub unmatched: Vec<Unmatched>,
    #[ts(type = "Array<{ credit: string, why: string }>")]
    pub refused: Vec<Refused>,
    /// credits imported before: nothing added for them
    pub repeated: Vec<String>,
    /// rows that could not be read, each with where and why
    #[ts(type = "Array<{ row: number, column: string, header: string, why: string }>")]
    pub problems: Vec<RowProblem>,
}

impl Desk<'_> {
    /// Imports a statement file as an administrator: its credits matched against the cases
    /// waiting for their money and recorded.
    pub fn import_statement(&mut self, path: &Path) -> Result<ImportReport, DeskError> {
        use std::io::Read;
        let limit = crate::limits::ceilings::MAX_EMPLOYEE_LIST_BYTES;
        let mut bytes = Vec::new();
        std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes)).map_err(crate::error::io("reading the bank statement", path))?;
        if bytes.len() as u64 > limit {
            return Err(DeskError::TooLarge { what: format!("the bank statement {}", path.display()), size: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0), limit });
        }
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.import_statement_bytes(&file, &bytes)
    }

    /// [`Desk::import_statement`] of bytes read by the caller (the app's file picker).
    pub fn import_statement_bytes(&mut self, file: &str, bytes: &[u8]) -> Result<ImportReport, DeskError> {
        self.actor.require("import a bank statement", &[certdesk_domain::workflow::Role::Admin]).map_err(certdesk_store::ActError::from)?;
        let statement = certdesk_bank::read_statement(bytes).map_err(|source| DeskError::Statement { file: file.to_string(), source })?;
        let sha256 = certdesk_domain::case::sha256_hex(bytes);
        let waiting: Vec<certdesk_bank::WaitingCase> = self
            .store
            .unpaid_cases()?
            .into_iter()
            .map(|c| certdesk_bank::WaitingCase { references: vec![], unit_name: c.organization, fee: c.amount, received: c.received_on, number: c.number })
            .collect();
        let already = self.store.credit_ids()?;
        let matching = certdesk_bank::match_credits(&statement.credits, &waiting, &already);
        let mut verdicts = std::collections::HashMap::new();
        for m in &matching.matched {
            verdicts.insert(m.credit.as_str(), (CreditState::Proposed, String::new(), m.cases.clone()));
        }
        for u in &matching.unmatched {
            verdicts.insert(u.credit.as_str(), (CreditState::Unmatched, u.why.clone(), vec![]));
        }
        for r in &matching.refused {
            verdicts.insert(r.credit.as_str(), (CreditState::Refused, r.why.clone(), vec![]));
        }
        let new_credits: Vec<NewCredit> = statement
            .credits
            .iter()
            .filter_map(|c| {
                let (state, why, proposed) = verdicts.get(c.id.as_str())?.clone();
                Some(NewCredit {
                    id: c.id.clone(),
                    row: c.row,
                    day: c.date,
                    amount: c.amount,
                    payer_name: c.payer_name.clone(),
                    payer_account: c.payer_account.clone(),
                    remark: c.remark.clone(),
                    state,
                    why,
                    proposed,
                })
            })
            .collect();
        let recorded = self.store.record_statement(file, &sha256, statement.credits.len(), &new_credits, &self.actor)?;
        Ok(ImportReport {
            file: file.to_string(),
            sha256,
            credits: statement.credits.len(),
            new: recorded.new.len(),
            skipped_debits: statement.skipped_debits,
            matched: matching.matched,
            unmatched: matching.unmatched,
            refused: matching.refused,
            repeated: matching.repeated,
            problems: statement.problems,
        })
    }

    /// Confirms credit `credit` as the money of `numbers`, as a clerk: each case's payment is
    /// filled from the credit (a bank transfer, its payer and day).
    pub fn confirm_payment(&mut self, catalog: &Catalog, credit: &str, numbers: &[String]) -> Result<Vec<CaseRecord>, DeskError> {
        if numbers.is_empty() {
            return Err(DeskError::PaymentRefused { credit: credit.to_string(), refusal: Box::new(PaymentRefusal::NoCases) });
        }
        let numbers: Vec<CaseNumber> = numbers.iter().map(|n| crate::api::case_number(n)).collect::<Result<_, _>>()?;
        let actor = self.actor.clone();
        self.store.confirm_credit(credit, &numbers, &actor, |credit, cases| decide(catalog, credit, cases))
    }

    /// The credits recorded: all, or those in `states`.
    pub fn credits(&self, states: &[CreditState]) -> Result<Vec<Credit>, DeskError> {
        Ok(self.store.credits(states, 10_000)?)
    }
}

/// Why a bank credit cannot be confirmed as the money of the cases named: what the clerk reads
/// (`zh`) and what the CLI prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRefusal {
    #[error("name the case(s) it pays (请指明所付案件)")]
    NoCases,
    /// A credit refused at import (a private person's transfer); `recorded` is the import's
    /// reason as the store keeps it.
    #[error("{}", private_transfer(recorded))]
    PrivateTransfer { recorded: String },
    #[error("already confirmed for {} (已确认)", .cases.join(", "))]
    AlreadyConfirmed { cases: Vec<String> },
    #[error("case {number} is {} (案件{})", .status.wire(), .status.zh())]
    CaseClosed { number: String, status: Status },
    #[error("case {number} is paid already (该案件已付款)")]
    AlreadyPaid { number: String },
    #[error("汇款单位与办理单位不一致: the payer {payer:?} is not the applicant unit {unit:?} of case {number}")]
    PayerNotTheUnit { payer: String, unit: String, number: String },
    #[error("case {number} has no amount to pay recorded (未录入应收金额)")]
    NoAmount { number: String },
    #[error("the credit is {credit} but the case(s) come to {due} (到账金额与应收金额不符)")]
    AmountDiffers { credit: Money, due: Money },
}

fn private_transfer(recorded: &str) -> String {
    if recorded.contains("私人汇款") { recorded.to_string() } else { format!("私人汇款恕不受理: {recorded}") }
}

impl PaymentRefusal {
    /// The refusal in the counter's words.
    pub fn zh(&self) -> String {
        match self {
            PaymentRefusal::NoCases => "请指明这笔到账所付的案件".into(),
            PaymentRefusal::PrivateTransfer { recorded } => private_transfer(recorded),
            PaymentRefusal::AlreadyConfirmed { cases } => format!("这笔到账已确认为 {} 的款项", cases.join("、")),
            PaymentRefusal::CaseClosed { number, status } => format!("案件 {number} {}，不能再确认款项", status.zh()),
            PaymentRefusal::AlreadyPaid { number } => format!("案件 {number} 已付款"),
            PaymentRefusal::PayerNotTheUnit { payer, unit, number } => format!("汇款单位与办理单位不一致：汇款人为“{payer}”，案件 {number} 的办理单位为“{unit}”"),
            PaymentRefusal::NoAmount { number } => format!("案件 {number} 未录入应收金额"),
            PaymentRefusal::AmountDiffers { credit, due } => format!("到账金额 {credit} 元与应收金额 {due} 元不符"),
        }
    }
}

/// Whether `credit` may pay `cases`, and their data with the payment filled in.
fn decide(catalog: &Catalog, credit: &Credit, cases: &[(CaseRecord, certdesk_domain::workflow::CaseFacts)]) -> Result<Vec<CaseData>, DeskError> {
    let refuse = |refusal: PaymentRefusal| DeskError::PaymentRefused { credit: credit.id.clone(), refusal: Box::new(refusal) };
    match credit.state {
        CreditState::Refused => return Err(refuse(PaymentRefusal::PrivateTransfer { recorded: credit.why.clone() })),
        CreditState::Confirmed => return Err(refuse(PaymentRefusal::AlreadyConfirmed { cases: credit.cases.clone() })),
        CreditState::Proposed | CreditState::Unmatched => {}
    }
    let mut total = Money::ZERO;
    let mut out = Vec::with_capacity(cases.len());
    for (record, _) in cases {
        let number = &record.number;
        if !record.status.is_open() {
            return Err(refuse(PaymentRefusal::CaseClosed { number: number.to_string(), status: record.status }));
        }
        if ClockFacts::of(number, &record.data).is_some_and(|f| f.paid_on.is_some()) {
            return Err(refuse(PaymentRefusal::AlreadyPaid { number: number.to_string() }));
        }
        let unit = record.data.organization.as_ref().map(|o| o.name.as_str()).unwrap_or_default();
        let payer_must_be_unit = catalog.projects.get(&record.data.project).is_some_and(|p| p.rules.payer_is_applicant);
        if payer_must_be_unit && certdesk_bank::normalize::unit_key(unit) != certdesk_bank::normalize::unit_key(&credit.payer_name) {
            return Err(refuse(PaymentRefusal::PayerNotTheUnit { payer: credit.payer_name.clone(), unit: unit.to_string(), number: number.to_string() }));
        }
        let Some(amount) = record.data.payment.as_ref().map(|p| p.amount).or((cases.len() == 1).then_some(credit.amount)) else {
            return Err(refuse(PaymentRefusal::NoAmount { number: number.to_string() }));
        };
        total = total + amount;
        let mut data = record.data.clone();
        let extra = data.payment.take().map(|p| p.extra).unwrap_or_default();
        data.payment = Some(Payment {
            method: PaymentMethod::BankTransfer,
            payer_account: Some(credit.payer_account.clone()).filter(|a| !a.is_empty()),
            payer_name: Some(credit.payer_name.clone()),
            amount,
            date: Some(credit.day),
            extra,
        });
        out.push(data);
    }
    if total != credit.amount {
        return Err(refuse(PaymentRefusal::AmountDiffers { credit: credit.amount, due: total }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_domain::workflow::CaseFacts;

    fn credit(amount: &str, payer: &str, state: CreditState) -> Credit {
        Credit {
            id: "C1".into(),
            statement: "ab".repeat(32),
            row: 3,
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            amount: amount.parse().unwrap(),
            payer_name: payer.into(),
            payer_account: "3602000109200123456".into(),
            remark: String::new(),
            state,
            why: String::new(),
            proposed: vec![],
            cases: vec![],
            imported_at: "2026-11-20T02:00:00Z".into(),
            imported_by: "admin".into(),
        }
    }

    fn waiting_case() -> (CaseRecord, CaseFacts) {
        let mut data: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-org-new.json")).unwrap();
        data.payment.as_mut().unwrap().date = None;
        let record = CaseRecord {
            number: CaseNumber::parse("GZ01-20261120-0001").unwrap(),
            status: Status::Submitted,
            data,
            digest: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
            created_by: "zhang".into(),
            updated_by: "zhang".into(),
        };
        (record, CaseFacts::default())
    }

    /// Each refusal is a variant with what its sentence needs, and the clerk reads it in Chinese.
    #[test]
    fn a_refused_confirmation_says_which_rule_and_its_figures() {
        let catalog = Catalog::embedded().unwrap();
        let case = waiting_case();
        let refusal = |credit: &Credit, cases: &[(CaseRecord, CaseFacts)]| match decide(&catalog, credit, cases) {
            Err(DeskError::PaymentRefused { refusal, .. }) => *refusal,
            other => panic!("refused, not {other:?}"),
        };
        let short = refusal(&credit("400.00", "广州市示例科技有限公司", CreditState::Proposed), std::slice::from_ref(&case));
        assert_eq!(short, PaymentRefusal::AmountDiffers { credit: "400.00".parse().unwrap(), due: "700.00".parse().unwrap() });
        assert_eq!(short.zh(), "到账金额 400.00 元与应收金额 700.00 元不符");
        let other = refusal(&credit("700.00", "另一家公司", CreditState::Proposed), std::slice::from_ref(&case));
        assert!(matches!(&other, PaymentRefusal::PayerNotTheUnit { payer, .. } if payer == "另一家公司"), "{other:?}");
        assert!(other.zh().starts_with("汇款单位与办理单位不一致") && other.to_string().contains("汇款单位与办理单位不一致"), "{other}");
        let mut private = credit("700.00", "王小明", CreditState::Refused);
        private.why = "私人汇款恕不受理，须由办理单位的对公账户汇款".into();
        assert_eq!(refusal(&private, std::slice::from_ref(&case)).zh(), private.why);
        let (mut closed, facts) = case.clone();
        closed.status = Status::Cancelled;
        assert_eq!(refusal(&credit("700.00", "广州市示例科技有限公司", CreditState::Proposed), &[(closed, facts)]).zh(), "案件 GZ01-20261120-0001 已作废，不能再确认款项");
        let paid = decide(&catalog, &credit("700.00", "广州市示例科技有限公司", CreditState::Proposed), std::slice::from_ref(&case)).unwrap();
        assert_eq!(paid[0].payment.as_ref().and_then(|p| p.date), chrono::NaiveDate::from_ymd_opt(2026, 11, 20));
    }
}
