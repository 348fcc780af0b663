//! Working days in the People's Republic (#73): the State Council's yearly notice of public
//! holidays and 调休 working days, the counter's own closures, and the clock of the projects'
//! promises in working days (seed 002 sends "2个工作日内", seed 001 returns an unlocked key in
//! "3个工作日内", 北京CA reviews in 5). Owns what a working day is and counting them; not where
//! the notices come from (the catalog's `forms/_calendar/`, the administrator's additions).

use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// A run of days off in a notice (inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaysOff {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year's notice: its days off and the weekend days worked instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearNotice {
    pub year: i32,
    /// the notice's title, as published
    pub source: String,
    pub off: Vec<DaysOff>,
    pub worked: Vec<NaiveDate>,
}

/// Why a notice cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the {year} notice: {date} is not in {year}")]
    OutsideYear { year: i32, date: NaiveDate },
    #[error("the {year} notice: {name} ends ({to}) before it begins ({from})")]
    Backwards { year: i32, name: String, from: NaiveDate, to: NaiveDate },
    #[error("the {year} notice: {date} is listed as worked but is a {weekday} (调休 working days are weekend days)")]
    WorkedOnWeekday { year: i32, date: NaiveDate, weekday: Weekday },
    #[error("the {year} notice: {date} is both a day off and a day worked")]
    OffAndWorked { year: i32, date: NaiveDate },
    #[error("two notices for {0}")]
    TwoNotices(i32),
}

impl YearNotice {
    /// Checks a notice: every date in its year, runs forwards, a worked day a weekend day and
    /// not also off.
    pub fn check(&self) -> Result<(), CalendarError> {
        let year = self.year;
        let in_year = |date: NaiveDate| if date.year() == year { Ok(()) } else { Err(CalendarError::OutsideYear { year, date }) };
        for run in &self.off {
            in_year(run.from)?;
            in_year(run.to)?;
            if run.to < run.from {
                return Err(CalendarError::Backwards { year, name: run.name.clone(), from: run.from, to: run.to });
            }
        }
        for &date in &self.worked {
            in_year(date)?;
            if !is_weekend(date) {
                return Err(CalendarError::WorkedOnWeekday { year, date, weekday: date.weekday() });
            }
            if self.off.iter().any(|r| r.from <= date && date <= r.to) {
                return Err(CalendarError::OffAndWorked { year, date });
            }
        }
        Ok(())
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The notices known and the counter's own closures.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    notices: BTreeMap<i32, YearNotice>,
    off: BTreeSet<NaiveDate>,
    worked: BTreeSet<NaiveDate>,
    closures: BTreeSet<NaiveDate>,
    /// The working days counted once over the years around the notices, so that a due list of
    /// many thousand cases counts each case in a lookup (#73: ≤ 50 ms over a million cases).
    dense: Option<Dense>,
}

/// Working days counted from `first`: `cumulative[i]` is how many of the days after `first` up
/// to and including `first + i` are working days.
#[derive(Debug, Clone)]
struct Dense {
    first: NaiveDate,
    cumulative: Vec<u32>,
}

/// The years before the first notice and after the last one the dense count covers.
const DENSE_YEARS_BEFORE: i32 = 1;
const DENSE_YEARS_AFTER: i32 = 3;

impl Dense {
    fn index(&self, date: NaiveDate) -> Option<usize> {
        usize::try_from((date - self.first).num_days()).ok().filter(|i| *i < self.cumulative.len())
    }
}

/// The longest a working-day count runs: 5 years of days (a promise is days or weeks).
const MAX_DAYS: u32 = 5 * 366;

impl Calendar {
    /// A calendar of `notices` (each checked, one per year) and the counter's `closures`.
    pub fn new(notices: Vec<YearNotice>, closures: impl IntoIterator<Item = NaiveDate>) -> Result<Calendar, CalendarError> {
        let mut c = Calendar { closures: closures.into_iter().collect(), ..Calendar::default() };
        for n in notices {
            n.check()?;
            for run in &n.off {
                c.off.extend(run.from.iter_days().take_while(|d| *d <= run.to));
            }
            c.worked.extend(n.worked.iter().copied());
            if c.notices.insert(n.year, n.clone()).is_some() {
                return Err(CalendarError::TwoNotices(n.year));
            }
        }
        c.dense = c.count_densely();
        Ok(c)
    }

    fn count_densely(&self) -> Option<Dense> {
        let (first_year, last_year) = (*self.notices.keys().next()? - DENSE_YEARS_BEFORE, *self.notices.keys().next_back()? + DENSE_YEARS_AFTER);
        let first = NaiveDate::from_ymd_opt(first_year, 1, 1)?;
        let last = NaiveDate::from_ymd_opt(last_year, 12, 31)?;
        let mut count = 0u32;
        let cumulative = first
            .iter_days()
            .take_while(|d| *d <= last)
            .enumerate()
            .map(|(i, d)| {
                if i > 0 && self.is_workday(d) {
                    count += 1;
                }
                count
            })
            .collect();
        Some(Dense { first, cumulative })
    }

    /// Whether the counter works on `date`: Monday–Friday not off, or a weekend day worked;
    /// never a day the counter is closed.
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        if self.closures.contains(&date) || self.off.contains(&date) {
            return false;
        }
        !is_weekend(date) || self.worked.contains(&date)
    }

    /// The day `days` working days after `from` (`from` itself not counted: what arrives on a
    /// Friday and is promised in 2 working days is due on Tuesday); `from` when `days` is 0.
    pub fn add_workdays(&self, from: NaiveDate, days: u32) -> NaiveDate {
        if let Some(dense) = &self.dense
            && let Some(i) = dense.index(from)
        {
            // the first day whose count reaches the start's plus `days` is that working day
            let target = dense.cumulative[i] + days.min(MAX_DAYS);
            let at = dense.cumulative.partition_point(|c| *c < target);
            if days == 0 {
                return from;
            }
            if at < dense.cumulative.len() {
                return dense.first + chrono::Days::new(at as u64);
            }
        }
        let mut date = from;
        let mut left = days.min(MAX_DAYS);
        while left > 0 {
            date = date.succ_opt().unwrap_or(date);
            if self.is_workday(date) {
                left -= 1;
            }
        }
        date
    }

    /// Working days from `today` to `due`: after today up to and including `due` (0 when due
    /// today; negative, the working days late, when past).
    pub fn workdays_left(&self, today: NaiveDate, due: NaiveDate) -> i64 {
        if let Some(dense) = &self.dense
            && let (Some(t), Some(d)) = (dense.index(today), dense.index(due))
        {
            return i64::from(dense.cumulative[d]) - i64::from(dense.cumulative[t]);
        }
        let count = |a: NaiveDate, b: NaiveDate| a.iter_days().skip(1).take_while(|d| *d <= b).take(MAX_DAYS as usize).filter(|d| self.is_workday(*d)).count() as i64;
        if due >= today { count(today, due) } else { -count(due, today) }
    }

    /// The years between `from` and `to` (inclusive) without a notice: counted as Monday–Friday
    /// only, which the caller says.
    pub fn years_without_notice(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        (a.year()..=b.year()).filter(|y| !self.notices.contains_key(y)).collect()
    }

    /// The notices known, by year.
    pub fn notices(&self) -> impl Iterator<Item = &YearNotice> {
        self.notices.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 2025's notice as back-office-notes.md gives it (国办发明电〔2024〕12号).
    fn notice_2025() -> YearNotice {
        let off = |name: &str, from: &str, to: &str| DaysOff { name: name.into(), from: day(from), to: day(to) };
        YearNotice {
            year: 2025,
            source: "国办发明电〔2024〕12号".into(),
            off: vec![off("春节", "2025-01-28", "2025-02-04"), off("劳动节", "2025-05-01", "2025-05-05"), off("国庆节、中秋节", "2025-10-01", "2025-10-08")],
            worked: vec![day("2025-01-26"), day("2025-02-08"), day("2025-04-27"), day("2025-09-28"), day("2025-10-11")],
        }
    }

    #[test]
    fn a_holiday_week_with_its_tiaoxiu_days_counts_as_the_notice_says() {
        let c = Calendar::new(vec![notice_2025()], []).unwrap();
        // 国庆: a case arriving on Friday 26 Sep, promised in 2 working days: Sun 28 Sep is
        // worked, Mon 29 Sep too
        assert_eq!(c.add_workdays(day("2025-09-26"), 2), day("2025-09-29"));
        // arriving on Tue 30 Sep: 1–8 Oct off, Sat 11 Oct worked, then Mon 13 Oct
        assert_eq!(c.add_workdays(day("2025-09-30"), 1), day("2025-10-09"));
        assert_eq!(c.add_workdays(day("2025-09-30"), 3), day("2025-10-11"));
        assert_eq!(c.add_workdays(day("2025-09-30"), 4), day("2025-10-13"));
        assert!(c.is_workday(day("2025-10-11")) && !c.is_workday(day("2025-10-12")) && !c.is_workday(day("2025-10-03")));
        // 春节: Sun 26 Jan worked, 28 Jan–4 Feb off, Sat 8 Feb worked
        assert_eq!(c.add_workdays(day("2025-01-24"), 1), day("2025-01-26"));
        assert_eq!(c.add_workdays(day("2025-01-27"), 1), day("2025-02-05"));
        assert_eq!(c.add_workdays(day("2025-02-07"), 1), day("2025-02-08"));
        assert_eq!(c.add_workdays(day("2025-02-07"), 0), day("2025-02-07"));
        // left and late, in working days
        assert_eq!(c.workdays_left(day("2025-09-30"), day("2025-10-13")), 4);
        assert_eq!(c.workdays_left(day("2025-10-13"), day("2025-10-13")), 0);
        assert_eq!(c.workdays_left(day("2025-10-13"), day("2025-09-30")), -4);
    }

    /// The dense count says what counting day by day says, inside its years and across its
    /// ends.
    #[test]
    fn the_dense_count_agrees_with_counting_day_by_day() {
        let dense = Calendar::new(vec![notice_2025()], [day("2025-12-31"), day("2026-03-02")]).unwrap();
        let plain = Calendar { dense: None, ..dense.clone() };
        assert!(dense.dense.is_some());
        for from in day("2023-12-20").iter_days().take_while(|d| *d <= day("2029-01-10")).step_by(3) {
            for n in [0, 1, 2, 3, 5, 20] {
                assert_eq!(dense.add_workdays(from, n), plain.add_workdays(from, n), "{from} + {n}");
            }
            for due in [day("2025-10-09"), day("2024-01-01"), day("2028-12-31"), day("2029-01-05")] {
                assert_eq!(dense.workdays_left(from, due), plain.workdays_left(from, due), "{from} → {due}");
            }
        }
    }

    #[test]
    fn a_closure_is_no_working_day_and_a_year_without_notice_is_said() {
        let c = Calendar::new(vec![notice_2025()], [day("2025-12-31")]).unwrap();
        assert!(!c.is_workday(day("2025-12-31")));
        assert_eq!(c.add_workdays(day("2025-12-30"), 1), day("2026-01-01"), "2026 has no notice here: Monday–Friday only");
        assert_eq!(c.years_without_notice(day("2025-12-30"), day("2026-01-01")), vec![2026]);
        assert!(c.years_without_notice(day("2025-01-01"), day("2025-12-31")).is_empty());
    }

    #[test]
    fn a_wrong_notice_is_refused_naming_the_date() {
        let mut n = notice_2025();
        n.worked.push(day("2025-10-14"));
        assert!(matches!(n.check(), Err(CalendarError::WorkedOnWeekday { .. })), "a Tuesday is no 调休 day");
        let mut n = notice_2025();
        n.worked.push(day("2025-10-04"));
        assert!(matches!(n.check(), Err(CalendarError::OffAndWorked { .. })));
        let mut n = notice_2025();
        n.off[0].to = day("2026-01-02");
        assert!(matches!(n.check(), Err(CalendarError::OutsideYear { .. })));
        let mut n = notice_2025();
        n.off[0].to = day("2025-01-01");
        assert!(matches!(n.check(), Err(CalendarError::Backwards { .. })));
        assert!(matches!(Calendar::new(vec![notice_2025(), notice_2025()], []), Err(CalendarError::TwoNotices(2025))));
    }
}
