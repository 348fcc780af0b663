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
        let statement = certdesk_bank::read_statement(bytes).map_err(|e| DeskError::Statement { file: file.to_string(), why: e.to_string() })?;
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
            return Err(DeskError::PaymentRefused { credit: credit.to_string(), why: "name the case(s) it pays (请指明所付案件)".into() });
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

/// Whether `credit` may pay `cases`, and their data with the payment filled in.
fn decide(catalog: &Catalog, credit: &Credit, cases: &[(CaseRecord, certdesk_domain::workflow::CaseFacts)]) -> Result<Vec<CaseData>, DeskError> {
    let refuse = |why: String| DeskError::PaymentRefused { credit: credit.id.clone(), why };
    match credit.state {
        CreditState::Refused => return Err(refuse(if credit.why.contains("私人汇款") { credit.why.clone() } else { format!("私人汇款恕不受理: {}", credit.why) })),
        CreditState::Confirmed => return Err(refuse(format!("already confirmed for {} (已确认)", credit.cases.join(", ")))),
        CreditState::Proposed | CreditState::Unmatched => {}
    }
    let mut total = Money::ZERO;
    let mut out = Vec::with_capacity(cases.len());
    for (record, _) in cases {
        let number = &record.number;
        if !record.status.is_open() {
            return Err(refuse(format!("case {number} is {} (案件已{})", record.status.wire(), record.status.zh())));
        }
        if ClockFacts::of(number, &record.data).is_some_and(|f| f.paid_on.is_some()) {
            return Err(refuse(format!("case {number} is paid already (该案件已付款)")));
        }
        let unit = record.data.organization.as_ref().map(|o| o.name.as_str()).unwrap_or_default();
        let payer_must_be_unit = catalog.projects.get(&record.data.project).is_some_and(|p| p.rules.payer_is_applicant);
        if payer_must_be_unit && certdesk_bank::normalize::unit_key(unit) != certdesk_bank::normalize::unit_key(&credit.payer_name) {
            return Err(refuse(format!("汇款单位与办理单位不一致: the payer {:?} is not the applicant unit {unit:?} of case {number}", credit.payer_name)));
        }
        let Some(amount) = record.data.payment.as_ref().map(|p| p.amount).or((cases.len() == 1).then_some(credit.amount)) else {
            return Err(refuse(format!("case {number} has no amount to pay recorded (未录入应收金额)")));
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
        return Err(refuse(format!("the credit is {} but the case(s) come to {total} (到账金额与应收金额不符)", credit.amount)));
    }
    Ok(out)
}
