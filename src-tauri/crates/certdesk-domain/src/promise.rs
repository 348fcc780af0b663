//! A project's promises (#73) and where an open case stands against them: what the CA's guide
//! promises in working days or hours ("收到材料的3个工作日内解锁证书快递给用户", "受理点在收到快递2个
//! 工作日内完成对证书的审核", "在24小时内吊销"), from when the clock runs (the paper received, or
//! the money in as well), what stops it (approval or delivery), and whether the case waits on
//! the applicant instead (materials 后补, money not in). Owns the rule; the promises are the
//! catalog's data, the working days `workdays`, the cases' clock facts the store's columns.

use crate::case::{CaseData, Channel, PaymentMethod};
use crate::workdays::Calendar;
use crate::{CaseNumber, Status};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How long a promise gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// working days after the clock starts (the start day itself not counted)
    WorkingDays(u32),
    /// hours after the clock starts; counted in whole calendar days from the start day, as the
    /// clock knows days, not times (24 hours: due the next day)
    Hours(u32),
}

impl Term {
    /// The term as the guides say it: 3个工作日, 24小时.
    pub fn zh(self) -> String {
        match self {
            Term::WorkingDays(n) => format!("{n}个工作日"),
            Term::Hours(n) => format!("{n}小时"),
        }
    }
}

/// When the clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockFrom {
    /// the day the paper came in: the arrival of a posted case, the acceptance of a counter one
    #[default]
    Received,
    /// the later of that and the day the money was in ("收到纸质版材料原件，并确认申请证书的款项到账后")
    Paid,
}

/// What stops the clock: the case reaching this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockUntil {
    /// 复核通过 (a review promised: "完成对证书的审核")
    Approved,
    /// 已交付 (the key handed over or sent: "快递给用户", "寄出")
    #[default]
    Delivered,
}

impl ClockUntil {
    /// Whether a case in `status` has met the promise (or left the clock: closed, cancelled).
    pub fn reached(self, status: Status) -> bool {
        let stage = |s: Status| match s {
            Status::Draft => 0,
            Status::Accepted | Status::Submitted | Status::Returned => 1,
            Status::Approved => 2,
            Status::KeyIssued => 3,
            Status::Delivered | Status::Closed | Status::Cancelled => 4,
        };
        let until = match self {
            ClockUntil::Approved => 2,
            ClockUntil::Delivered => 4,
        };
        stage(status) >= until
    }
}

/// One promise of a project, as the catalog gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promise {
    pub term: Term,
    pub from: ClockFrom,
    pub until: ClockUntil,
    /// what is promised, short (审核, 解锁并寄回)
    pub what: String,
    /// the guide's words
    pub quote: String,
}

/// The statuses a case can be on a clock in: accepted and not yet met any promise's end. A
/// draft is not accepted yet, closed and cancelled cases are done.
pub const ON_THE_CLOCK: [Status; 5] = [Status::Accepted, Status::Submitted, Status::Returned, Status::Approved, Status::KeyIssued];

/// A case's facts the clock reads, as the store keeps them beside the case (derived from the
/// case data by [`ClockFacts::of`] on every write, so that the due list reads no case JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFacts {
    pub channel: Channel,
    /// the arrival date of a posted case, else the day the case was numbered
    pub received_on: NaiveDate,
    /// the day the money was in: the payment's date, else (paid at the counter, by card, cash
    /// or free) the day received; none while a transfer is not confirmed or nothing is paid
    pub paid_on: Option<NaiveDate>,
    /// materials the applicant will bring later (后补)
    pub to_follow: u32,
    /// what the case is to pay (its payment's amount, the fee the intake quoted), if recorded
    pub amount: Option<crate::Money>,
}

impl ClockFacts {
    pub fn of(number: &CaseNumber, data: &CaseData) -> Option<ClockFacts> {
        let received_on = match &data.arrival {
            Some(a) => a.date,
            None => number.day()?,
        };
        let paid_on = data.payment.as_ref().and_then(|p| match (p.date, p.method) {
            (Some(d), _) => Some(d),
            (None, PaymentMethod::BankTransfer) => None,
            (None, _) => Some(received_on),
        });
        let to_follow = data.materials.iter().filter(|m| m.to_follow.as_deref().is_some_and(|t| !t.trim().is_empty())).count() as u32;
        Some(ClockFacts { channel: data.channel(), received_on, paid_on, to_follow, amount: data.payment.as_ref().map(|p| p.amount) })
    }
}

/// What a case waits on from the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitingOn {
    /// materials to follow (后补)
    Materials,
    /// the money not in the bank yet
    Payment,
}

impl WaitingOn {
    pub fn zh(self) -> &'static str {
        match self {
            WaitingOn::Materials => "材料后补",
            WaitingOn::Payment => "款项未到账",
        }
    }
}

/// Where a case stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// the clock waits on the applicant
    Waiting(Vec<WaitingOn>),
    /// the clock runs: due on `due`, `left` working days (calendar days for an hours promise)
    /// from the day asked; negative when late
    Running { start: NaiveDate, due: NaiveDate, left: i64 },
    /// the promise is met (or the case has no promise)
    Met,
}

/// Where a case in `status` with `facts` stands on `today` against `promise`. A posted case, or
/// a promise that runs from the money, waits while the money is not in; any case waits while
/// materials are to follow.
pub fn standing(calendar: &Calendar, promise: Option<&Promise>, status: Status, facts: &ClockFacts, today: NaiveDate) -> Standing {
    if !ON_THE_CLOCK.contains(&status) || promise.is_some_and(|p| p.until.reached(status)) {
        return Standing::Met;
    }
    let mut waiting = Vec::new();
    if facts.to_follow > 0 {
        waiting.push(WaitingOn::Materials);
    }
    let money_counts = facts.channel == Channel::Post || promise.is_some_and(|p| p.from == ClockFrom::Paid);
    if money_counts && facts.paid_on.is_none() {
        waiting.push(WaitingOn::Payment);
    }
    if !waiting.is_empty() {
        return Standing::Waiting(waiting);
    }
    let Some(promise) = promise else { return Standing::Met };
    let start = match (promise.from, facts.paid_on) {
        (ClockFrom::Paid, Some(paid)) => paid.max(facts.received_on),
        _ => facts.received_on,
    };
    let (due, left) = match promise.term {
        Term::WorkingDays(n) => {
            let due = calendar.add_workdays(start, n);
            (due, calendar.workdays_left(today, due))
        }
        Term::Hours(h) => {
            let due = start + chrono::Days::new(u64::from(h.div_ceil(24)));
            (due, (due - today).num_days())
        }
    };
    Standing::Running { start, due, left }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workdays::{DaysOff, YearNotice};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn calendar() -> Calendar {
        Calendar::new(
            vec![YearNotice {
                year: 2025,
                source: "国办发明电〔2024〕12号".into(),
                off: vec![DaysOff { name: "国庆节、中秋节".into(), from: day("2025-10-01"), to: day("2025-10-08") }],
                worked: vec![day("2025-09-28"), day("2025-10-11")],
            }],
            [],
        )
        .unwrap()
    }

    fn promise(term: Term, from: ClockFrom, until: ClockUntil) -> Promise {
        Promise { term, from, until, what: "寄出".into(), quote: "受理点会在收到快递后2个工作日内寄出CA".into() }
    }

    fn posted(received: &str, paid: Option<&str>, to_follow: u32) -> ClockFacts {
        ClockFacts { channel: Channel::Post, received_on: day(received), paid_on: paid.map(day), to_follow, amount: None }
    }

    #[test]
    fn a_posted_case_waits_for_its_money_and_then_runs_over_the_holiday_week() {
        let c = calendar();
        let p = promise(Term::WorkingDays(2), ClockFrom::Paid, ClockUntil::Delivered);
        assert_eq!(standing(&c, Some(&p), Status::Accepted, &posted("2025-09-29", None, 0), day("2025-09-30")), Standing::Waiting(vec![WaitingOn::Payment]));
        assert_eq!(standing(&c, Some(&p), Status::Accepted, &posted("2025-09-29", None, 1), day("2025-09-30")), Standing::Waiting(vec![WaitingOn::Materials, WaitingOn::Payment]));
        // the money in on Tue 30 Sep: 1–8 Oct off, Thu 9 Oct the first working day, Fri 10 Oct the second
        let running = standing(&c, Some(&p), Status::Approved, &posted("2025-09-29", Some("2025-09-30"), 0), day("2025-10-09"));
        assert_eq!(running, Standing::Running { start: day("2025-09-30"), due: day("2025-10-10"), left: 1 });
        // late on Mon 13 Oct by two working days (Sat 11 Oct was worked)
        let late = standing(&c, Some(&p), Status::KeyIssued, &posted("2025-09-29", Some("2025-09-30"), 0), day("2025-10-13"));
        assert_eq!(late, Standing::Running { start: day("2025-09-30"), due: day("2025-10-10"), left: -2 });
        assert_eq!(standing(&c, Some(&p), Status::Delivered, &posted("2025-09-29", Some("2025-09-30"), 0), day("2025-10-13")), Standing::Met);
    }

    #[test]
    fn a_review_promise_ends_at_approval_and_an_hours_promise_counts_days() {
        let c = calendar();
        let review = promise(Term::WorkingDays(5), ClockFrom::Received, ClockUntil::Approved);
        let counter = ClockFacts { channel: Channel::Counter, received_on: day("2025-09-26"), paid_on: None, to_follow: 0, amount: None };
        // a counter case waits for no money when its promise runs from the paper
        assert!(
            matches!(standing(&c, Some(&review), Status::Submitted, &counter, day("2025-09-26")), Standing::Running { due, .. } if due == day("2025-10-10")),
            "Sun 28 Sep, Mon 29, Tue 30, Thu 9 Oct, Fri 10 Oct"
        );
        assert_eq!(standing(&c, Some(&review), Status::Approved, &counter, day("2025-09-26")), Standing::Met);
        let revoke = promise(Term::Hours(24), ClockFrom::Received, ClockUntil::Approved);
        assert_eq!(standing(&c, Some(&revoke), Status::Accepted, &counter, day("2025-09-28")), Standing::Running { start: day("2025-09-26"), due: day("2025-09-27"), left: -1 });
        assert_eq!(standing(&c, None, Status::Accepted, &counter, day("2025-09-28")), Standing::Met, "no promise, no clock");
        assert_eq!(standing(&c, Some(&review), Status::Draft, &counter, day("2025-09-28")), Standing::Met, "a draft is not accepted yet");
    }

    #[test]
    fn clock_facts_come_from_the_arrival_the_number_and_the_payment() {
        let mut data: CaseData = serde_json::from_str(include_str!("../../../../tests/fixtures/case-org-new.json")).unwrap();
        let number = CaseNumber::parse("GZ01-20250929-0001").unwrap();
        data.payment = None;
        let f = ClockFacts::of(&number, &data).unwrap();
        assert_eq!((f.channel, f.received_on, f.paid_on, f.to_follow), (Channel::Counter, day("2025-09-29"), None, 0));
    }
}
