//! The due list (#73): each open case against its project's promise on a day, in three lists —
//! due that day, late, and waiting on the applicant (materials 后补, money not in) — read from
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
}

/// The due list of `day` over the cases `store` has on the clock.
pub fn due_list(store: &certdesk_store::Store, catalog: &Catalog, calendar: &Calendar, day: NaiveDate) -> Result<DueList, DeskError> {
    let rows = store.clocks()?;
    // the promise of each project, business type and channel met (a handful), looked up once
    let mut promises: Vec<(String, String, Channel, Option<Promise>)> = Vec::new();
    let mut list = DueList { day: day.to_string(), due_today: vec![], late: vec![], waiting: vec![], running: 0, without_notice: vec![] };
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
    list.without_notice = calendar.years_without_notice(earliest, latest);
    Ok(list)
}

/// The due list as a table (the morning report, exported as CSV or XLSX): late first, then due
/// today, then waiting on the applicant.
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
    rows.extend(list.waiting.iter().map(|w| {
        vec![
            "待申请人".into(),
            w.number.clone(),
            w.organization.clone(),
            business(&w.business),
            channel(&w.channel),
            w.waiting_zh.join("、"),
            w.received.clone(),
            String::new(),
            String::new(),
        ]
    }));
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
