//! The bank's credits (#73): each credit of an imported statement kept once by its stable id
//! (a statement imported twice adds nothing) with what the matcher made of it (proposed cases,
//! no match and why, refused and why), the cases waiting for their money, and a credit confirmed
//! as the money of one or more cases — the cases' payment filled in, each with an `edit` and a
//! `payment_confirmed` event, and the credit bound to them, in one transaction. Owns those
//! statements; what matches what, and whether a confirmation is right, is the desk's
//! (`certdesk_desk::payments`) and the matcher's (`certdesk-bank`).

use crate::db::{Row, Sql, args};
use crate::refusal::Damage;
use crate::{ActError, AuditAction, CaseRecord, NewEvent, Store, StoreError, detail};
use certdesk_domain::workflow::{Actor, CaseFacts, Role};
use certdesk_domain::{CaseData, CaseNumber, Money};
use chrono::NaiveDate;
use serde::Serialize;

/// What became of a credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CreditState {
    /// matched to waiting cases, for a clerk to confirm
    Proposed,
    /// matched nothing (why says what was looked for)
    Unmatched,
    /// refused (a private person's transfer)
    Refused,
    /// confirmed as the money of its cases
    Confirmed,
}

impl CreditState {
    pub fn wire(self) -> &'static str {
        match self {
            CreditState::Proposed => "proposed",
            CreditState::Unmatched => "unmatched",
            CreditState::Refused => "refused",
            CreditState::Confirmed => "confirmed",
        }
    }

    fn from_wire(s: &str) -> Option<CreditState> {
        [CreditState::Proposed, CreditState::Unmatched, CreditState::Refused, CreditState::Confirmed].into_iter().find(|c| c.wire() == s)
    }
}

/// A credit to record, with the matcher's verdict.
#[derive(Debug, Clone)]
pub struct NewCredit {
    pub id: String,
    pub row: u32,
    pub day: NaiveDate,
    pub amount: Money,
    pub payer_name: String,
    pub payer_account: String,
    pub remark: String,
    pub state: CreditState,
    pub why: String,
    pub proposed: Vec<String>,
}

/// A credit as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Credit {
    pub id: String,
    /// the SHA-256 of the statement it first came in
    pub statement: String,
    pub row: u32,
    /// YYYY-MM-DD
    #[ts(type = "string")]
    pub day: NaiveDate,
    pub amount: Money,
    pub payer_name: String,
    pub payer_account: String,
    pub remark: String,
    pub state: CreditState,
    pub why: String,
    /// the cases the matcher proposed
    pub proposed: Vec<String>,
    /// the cases it was confirmed for
    pub cases: Vec<String>,
    pub imported_at: String,
    pub imported_by: String,
}

const CREDIT_COLUMNS: &str = "id, statement, row, day, amount_fen, payer_name, payer_account, remark, state, why, proposed, imported_at, imported_by";

fn read_credit(db: &mut dyn Sql, r: &Row) -> Result<Credit, StoreError> {
    let id = r.text(0)?;
    let corrupt = |detail: Damage| StoreError::Corrupt { number: format!("bank credit {id}"), detail: Box::new(detail) };
    let day = r.text(3)?;
    let state = r.text(8)?;
    let cases = db
        .rows("reading a credit's cases", "SELECT case_number FROM credit_cases WHERE credit = ?1 ORDER BY case_number", args![id.as_str()])?
        .iter()
        .map(|c| c.text(0))
        .collect::<Result<_, _>>()?;
    Ok(Credit {
        statement: r.text(1)?,
        row: {
            let row = r.int(2)?;
            u32::try_from(row).map_err(|_| corrupt(Damage::CreditRow { row }))?
        },
        day: crate::cases::iso_day(&day).ok_or_else(|| corrupt(Damage::CreditDay(day.clone())))?,
        amount: Money::from_fen(r.int(4)?),
        payer_name: r.text(5)?,
        payer_account: r.text(6)?,
        remark: r.text(7)?,
        state: CreditState::from_wire(&state).ok_or_else(|| corrupt(Damage::CreditState(state.clone())))?,
        why: r.text(9)?,
        proposed: r.text(10)?.split_whitespace().map(str::to_string).collect(),
        cases,
        imported_at: r.text(11)?,
        imported_by: r.text(12)?,
        id,
    })
}

/// What a statement's import recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// the ids recorded now (the others were there already)
    pub new: Vec<String>,
}

/// A case waiting for its money, as the matcher reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnpaidCase {
    pub number: String,
    pub organization: String,
    pub amount: Money,
    pub received_on: NaiveDate,
}

impl Store {
    /// Every credit id stored (the matcher leaves them out: a statement imported again).
    pub fn credit_ids(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        self.read(|db| db.rows("reading the bank credits", "SELECT id FROM bank_credits", &[])?.iter().map(|r| r.text(0)).collect())
    }

    /// The open cases whose money is not in and whose amount is known, from the clock index.
    pub fn unpaid_cases(&self) -> Result<Vec<UnpaidCase>, StoreError> {
        let statuses = certdesk_domain::promise::ON_THE_CLOCK.iter().map(|s| format!("'{}'", s.wire())).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT number, org_name, amount_fen, received_on FROM cases WHERE status IN ({statuses}) AND paid_on IS NULL AND amount_fen IS NOT NULL");
        self.read(|db| {
            db.rows("reading the cases waiting for money", &sql, &[])?
                .iter()
                .map(|r| {
                    let number = r.text(0)?;
                    let day = r.text(3)?;
                    Ok(UnpaidCase {
                        received_on: crate::cases::iso_day(&day).ok_or_else(|| StoreError::Corrupt { number: number.clone(), detail: Box::new(Damage::ClockDay(day.clone())) })?,
                        organization: r.text(1)?,
                        amount: Money::from_fen(r.int(2)?),
                        number,
                    })
                })
                .collect()
        })
    }

    /// Records a statement's new credits with the matcher's verdicts, and the import on the
    /// audit chain, as an administrator; a credit already stored is left as it is.
    pub fn record_statement(&mut self, file: &str, sha256: &str, total: usize, credits: &[NewCredit], actor: &Actor) -> Result<Recorded, ActError> {
        actor.require("import a bank statement", &[Role::Admin])?;
        Ok(self.write(|tx| {
            let mut recorded = Recorded::default();
            let (mut matched, mut unmatched, mut refused) = (0i64, 0i64, 0i64);
            for c in credits {
                let inserted = tx.db.exec(
                    "recording a bank credit",
                    &format!("INSERT INTO bank_credits ({CREDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (id) DO NOTHING"),
                    args![
                        c.id.as_str(),
                        sha256,
                        i64::from(c.row),
                        c.day.to_string(),
                        c.amount.fen(),
                        c.payer_name.as_str(),
                        c.payer_account.as_str(),
                        c.remark.as_str(),
                        c.state.wire(),
                        c.why.as_str(),
                        c.proposed.join(" "),
                        tx.at.as_str(),
                        actor.name()
                    ],
                )?;
                if inserted == 1 {
                    recorded.new.push(c.id.clone());
                    match c.state {
                        CreditState::Proposed | CreditState::Confirmed => matched += 1,
                        CreditState::Unmatched => unmatched += 1,
                        CreditState::Refused => refused += 1,
                    }
                }
            }
            let detail = detail::StatementImported {
                file: file.to_string(),
                sha256: sha256.to_string(),
                credits: total as i64,
                new: recorded.new.len() as i64,
                matched,
                unmatched,
                refused,
            };
            tx.append(&NewEvent::new(actor.name(), AuditAction::StatementImported, &detail))?;
            Ok::<_, StoreError>(recorded)
        })?)
    }

    /// The credits stored in `states` (all when empty), newest day first.
    pub fn credits(&self, states: &[CreditState], limit: usize) -> Result<Vec<Credit>, StoreError> {
        let filter =
            if states.is_empty() { String::new() } else { format!("WHERE state IN ({})", states.iter().map(|s| format!("'{}'", s.wire())).collect::<Vec<_>>().join(", ")) };
        let sql = format!("SELECT {CREDIT_COLUMNS} FROM bank_credits {filter} ORDER BY day DESC, id LIMIT ?1");
        self.read(|db| {
            let rows = db.rows("reading the bank credits", &sql, args![limit as i64])?;
            rows.iter().map(|r| read_credit(db, r)).collect()
        })
    }

    /// One credit.
    pub fn credit(&self, id: &str) -> Result<Option<Credit>, StoreError> {
        self.read(|db| {
            let row = db.row("reading a bank credit", &format!("SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE id = ?1"), args![id])?;
            row.map(|r| read_credit(db, &r)).transpose()
        })
    }

    /// Confirms credit `id` as the money of `numbers`, as a clerk: in one transaction the credit
    /// and the cases are read, `decide` says each case's new data (or refuses), each case is
    /// edited and gets a `payment_confirmed` event, and the credit is bound to them.
    pub fn confirm_credit<E: From<ActError> + From<StoreError>>(
        &mut self,
        id: &str,
        numbers: &[CaseNumber],
        actor: &Actor,
        decide: impl FnOnce(&Credit, &[(CaseRecord, CaseFacts)]) -> Result<Vec<CaseData>, E>,
    ) -> Result<Vec<CaseRecord>, E> {
        actor.require("confirm a bank credit", &[Role::Clerk]).map_err(|e| E::from(ActError::from(e)))?;
        self.write(|tx| {
            let row = tx.db.row("reading a bank credit", &format!("SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE id = ?1"), args![id])?;
            let Some(row) = row else { return Err(E::from(StoreError::NoBankCredit { id: id.to_string() })) };
            let credit = read_credit(tx.db, &row)?;
            let mut cases = Vec::with_capacity(numbers.len());
            for n in numbers {
                let record = crate::cases::read_case(tx.db, n)?;
                let facts = crate::act::facts_in(tx.db, &record)?;
                cases.push((record, facts));
            }
            let new_data = decide(&credit, &cases)?;
            let mut saved = Vec::with_capacity(cases.len());
            let case_list: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
            for ((record, facts), data) in cases.iter().zip(&new_data) {
                let edited = crate::act::edit_in(tx, record, facts, data, actor).map_err(E::from)?;
                let bound = tx.db.exec(
                    "binding a credit to a case",
                    "INSERT INTO credit_cases (case_number, credit, at, actor) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_number) DO NOTHING",
                    args![record.number.as_str(), id, tx.at.as_str(), actor.name()],
                )?;
                if bound != 1 {
                    return Err(E::from(StoreError::PaidByAnother { number: record.number.to_string() }));
                }
                let detail = detail::PaymentConfirmed {
                    credit: id.to_string(),
                    day: credit.day.to_string(),
                    amount: credit.amount.to_string(),
                    payer: credit.payer_name.clone(),
                    cases: case_list.clone(),
                };
                tx.append(&NewEvent {
                    actor: actor.name(),
                    action: AuditAction::PaymentConfirmed,
                    case_number: Some(&record.number),
                    digest_before: Some(&edited.digest),
                    digest_after: Some(&edited.digest),
                    detail: detail::value_of(AuditAction::PaymentConfirmed, &detail),
                })?;
                saved.push(edited);
            }
            tx.db.exec("confirming a bank credit", "UPDATE bank_credits SET state = 'confirmed' WHERE id = ?1", args![id])?;
            Ok(saved)
        })
    }
}
