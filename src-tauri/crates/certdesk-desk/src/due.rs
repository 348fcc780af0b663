//! The due list (#73): each open case against its project's promise on a day, in three lists —
//! due that day, late, and waiting on the applicant (materials 后补, money not in) — and the
//! cases the supervisor returned to the counter, with the reason (#79), read from
//! the store's clock index and the catalog's promises and holiday notices, for the case list,
//! the morning report and `certdesk calendar due`. Owns the lists' shape and order; the rule of
//! a case's standing is `certdesk_domain::promise`, the counting of days `workdays`.

use crate::DeskError;
use crate::api::Desk;
use certdesk_catalog::Catalog;
use certdesk_domain::promise::{Promise, Standing, standing};
use certdesk_domain::workdays::Calendar;
use certdesk_domain::{BusinessType, Channel};
use chrono::NaiveDate;
use serde::Serialize;

/// A case whose promise runs.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PromisedCase {
    pub number: String,
    pub project: String,
    pub business: String,
    pub status: String,
    pub organization: String,
    pub channel: String,
    /// what is promised (审核, 寄出数字证书)
    pub promise: String,
    /// its term as the guide says it (3个工作日, 24小时)
    pub term: String,
    /// the guide's words
    pub quote: String,
    /// when the clock started (YYYY-MM-DD)
    pub start: String,
    /// YYYY-MM-DD
    pub due: String,
    /// working days left after the day asked (calendar days for an hours promise); negative:
    /// the days late
    pub days_left: i64,
}

/// A case waiting on the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AwaitingCase {
    pub number: String,
    pub project: String,
    pub business: String,
    pub status: String,
    pub organization: String,
    pub channel: String,
    /// the day its paper came in (YYYY-MM-DD)
    pub received: String,
    /// `materials`, `payment`
    pub waiting_on: Vec<String>,
    /// 材料后补, 款项未到账
    pub waiting_zh: Vec<String>,
    /// what its promise will be once the clock runs, if the project makes one
    pub promise: Option<String>,
}

/// A case the supervisor returned to the counter, to be mended and submitted again.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ReturnedCase {
    pub number: String,
    pub project: String,
    pub business: String,
    pub organization: String,
    pub channel: String,
    /// the supervisor's reason, as typed
    pub reason: String,
    /// the supervisor's account
    pub returned_by: String,
    /// the supervisor's 姓名 (the account where none is set)
    pub returned_by_name: String,
    /// RFC 3339, UTC
    pub returned_at: String,
}

/// The due list of a day.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DueList {
    /// YYYY-MM-DD
    pub day: String,
    pub due_today: Vec<PromisedCase>,
    /// the latest first
    pub late: Vec<PromisedCase>,
    /// the longest waiting first
    pub waiting: Vec<AwaitingCase>,
    /// cases on the clock and not due yet
    pub running: usize,
    /// years in the lists' range without a holiday notice: counted Monday–Friday only
    pub without_notice: Vec<i32>,
    /// returned to the counter, the longest waiting first (on the clock too: listed above as well)
    pub returned: Vec<ReturnedCase>,
}

/// The due list of `day` over the cases `store` has on the clock.
pub fn due_list(store: &certdesk_store::Store, catalog: &Catalog, calendar: &Calendar, day: NaiveDate) -> Result<DueList, DeskError> {
    let rows = store.clocks()?;
    // the promise of each project, business type and channel met (a handful), looked up once
    let mut promises: Vec<(String, String, Channel, Option<Promise>)> = Vec::new();
    let mut list = DueList { day: day.to_string(), due_today: vec![], late: vec![], waiting: vec![], running: 0, without_notice: vec![], returned: vec![] };
    let (mut earliest, mut latest) = (day, day);
    for row in rows {
        let at = match promises.iter().position(|(p, b, c, _)| *p == row.project && *b == row.business && *c == row.facts.channel) {
            Some(at) => at,
            None => {
                let promise = BusinessType::from_wire(&row.business).and_then(|b| catalog.projects.get(&row.project)?.promise(b, row.facts.channel));
                promises.push((row.project.clone(), row.business.clone(), row.facts.channel, promise));
                promises.len() - 1
            }
        };
        let promise = promises[at].3.as_ref();
        if row.status == certdesk_domain::Status::Returned {
            list.returned.push(returned(store, &row)?);
        }
        match standing(calendar, promise, row.status, &row.facts, day) {
            Standing::Met => {}
            Standing::Waiting(on) => list.waiting.push(AwaitingCase {
                number: row.number,
                project: row.project,
                business: row.business,
                status: row.status.wire().into(),
                organization: row.organization,
                channel: row.facts.channel.wire().into(),
                received: row.facts.received_on.to_string(),
                waiting_on: on.iter().map(|w| serde_json::to_value(w).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()).collect(),
                waiting_zh: on.iter().map(|w| w.zh().to_string()).collect(),
                promise: promise.map(|p| p.what.clone()),
            }),
            Standing::Running { start, due, left } => {
                let Some(p) = promise else { continue };
                earliest = earliest.min(start);
                latest = latest.max(due);
                if left > 0 {
                    list.running += 1;
                    continue;
                }
                let case = PromisedCase {
                    number: row.number,
                    project: row.project,
                    business: row.business,
                    status: row.status.wire().into(),
                    organization: row.organization,
                    channel: row.facts.channel.wire().into(),
                    promise: p.what.clone(),
                    term: p.term.zh(),
                    quote: p.quote.clone(),
                    start: start.to_string(),
                    due: due.to_string(),
                    days_left: left,
                };
                // no working day left: due today, or late when the day is past
                if due < day { list.late.push(case) } else { list.due_today.push(case) }
            }
        }
    }
    list.due_today.sort_by(|a, b| (&a.due, &a.number).cmp(&(&b.due, &b.number)));
    list.late.sort_by(|a, b| (&a.due, &a.number).cmp(&(&b.due, &b.number)));
    list.waiting.sort_by(|a, b| (&a.received, &a.number).cmp(&(&b.received, &b.number)));
    if !list.returned.is_empty() {
        let names = store.display_names()?;
        for r in &mut list.returned {
            r.returned_by_name = names.get(&r.returned_by).cloned().unwrap_or_else(|| r.returned_by.clone());
        }
    }
    list.returned.sort_by(|a, b| (&a.returned_at, &a.number).cmp(&(&b.returned_at, &b.number)));
    list.without_notice = calendar.years_without_notice(earliest, latest);
    Ok(list)
}

/// A returned case with its last return: the reason and who returned it when (the case's chain,
/// read for the few cases returned).
fn returned(store: &certdesk_store::Store, row: &certdesk_store::ClockRow) -> Result<ReturnedCase, DeskError> {
    let number = certdesk_domain::CaseNumber::parse(&row.number)
        .map_err(|e| DeskError::Store(certdesk_store::StoreError::Corrupt { number: row.number.clone(), detail: Box::new(certdesk_store::refusal::Damage::Number(e)) }))?;
    let history = store.history(&number)?;
    let last = history.iter().rev().find(|e| e.action == certdesk_store::AuditAction::Return.wire());
    Ok(ReturnedCase {
        number: row.number.clone(),
        project: row.project.clone(),
        business: row.business.clone(),
        organization: row.organization.clone(),
        channel: row.facts.channel.wire().into(),
        reason: last.and_then(|e| e.detail.get("reason")?.as_str().map(str::to_string)).unwrap_or_default(),
        returned_by: last.map(|e| e.actor.clone()).unwrap_or_default(),
        returned_by_name: String::new(),
        returned_at: last.map(|e| e.at.clone()).unwrap_or_default(),
    })
}

/// The due list as a table (the morning report, exported as CSV or XLSX): late first, then due
/// today, then waiting on the applicant, then returned to the counter.
pub fn due_table(list: &DueList) -> crate::report::Table {
    let business = |wire: &str| BusinessType::from_wire(wire).map(|b| b.zh().to_string()).unwrap_or_else(|| wire.to_string());
    let channel = |wire: &str| if wire == "post" { "邮寄" } else { "窗口" }.to_string();
    let promised = |part: &str, c: &PromisedCase| {
        let left = if c.days_left < 0 { format!("超期{}个工作日", -c.days_left) } else { "今日到期".to_string() };
        vec![
            part.into(),
            c.number.clone(),
            c.organization.clone(),
            business(&c.business),
            channel(&c.channel),
            format!("{}（{}）", c.promise, c.term),
            c.start.clone(),
            c.due.clone(),
            left,
        ]
    };
    let mut rows: Vec<Vec<String>> = list.late.iter().map(|c| promised("已超期", c)).collect();
    rows.extend(list.due_today.iter().map(|c| promised("今日到期", c)));
    // a case off the clock's promise: what it waits on, from when (no due day, nothing left)
    let unclocked = |part: &str, number: &str, organization: &str, wire_business: &str, wire_channel: &str, what: String, from: &str| {
        vec![part.into(), number.into(), organization.into(), business(wire_business), channel(wire_channel), what, from.into(), String::new(), String::new()]
    };
    rows.extend(list.waiting.iter().map(|w| unclocked("待申请人", &w.number, &w.organization, &w.business, &w.channel, w.waiting_zh.join("、"), &w.received)));
    rows.extend(list.returned.iter().map(|r| unclocked("已退回", &r.number, &r.organization, &r.business, &r.channel, format!("{}退回：{}", r.returned_by_name, r.reason), "")));
    crate::report::Table {
        title: format!("到期提醒 {}", list.day),
        header: ["类别", "案件编号", "申请单位", "业务", "受理方式", "承诺/等待", "起算日/收件日", "到期日", "剩余"].map(String::from).to_vec(),
        rows,
    }
}

/// The counter's closed days as the `closures` setting holds them (YYYY-MM-DD, separated by
/// spaces, commas or 、), sorted, each once; a day that is none is refused naming it.
pub fn closures(text: &str) -> Result<Vec<NaiveDate>, DeskError> {
    let mut days = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|t| !t.is_empty())
        .map(crate::dates::parse_day)
        .collect::<Result<Vec<_>, _>>()?;
    days.sort();
    days.dedup();
    Ok(days)
}

/// The working-day calendar of the catalog's notices.
pub fn calendar_of(catalog: &Catalog) -> Result<Calendar, DeskError> {
    calendar_with(catalog, &[])
}

/// The working-day calendar of the catalog's notices and the counter's closed days.
pub fn calendar_with(catalog: &Catalog, closed: &[NaiveDate]) -> Result<Calendar, DeskError> {
    // the catalog's loading checked each notice: what is left to refuse is the catalog's
    Calendar::new(catalog.notices.clone(), closed.iter().copied()).map_err(|e| {
        DeskError::Catalog(certdesk_catalog::CatalogError::Invalid {
            origin: catalog.origin.clone(),
            lints: vec![certdesk_catalog::Lint { file: format!("{}/_calendar", catalog.origin), line: None, message: e.to_string() }],
        })
    })
}

impl Desk<'_> {
    /// The due list of `day` (any signed-in role reads it).
    pub fn due_list(&self, catalog: &Catalog, day: NaiveDate) -> Result<DueList, DeskError> {
        due_list(self.store, catalog, &self.calendar(catalog)?, day)
    }

    /// The counter's working-day calendar: the catalog's notices and the closed days the
    /// administrator set (`closures`).
    pub fn calendar(&self, catalog: &Catalog) -> Result<Calendar, DeskError> {
        let closed = closures(&self.store.setting("closures")?.unwrap_or_default())?;
        calendar_with(catalog, &closed)
    }
}
