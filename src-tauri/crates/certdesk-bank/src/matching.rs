//! Credits matched to the cases waiting for their money, by the CAs' rules: the money must come
//! from the applicant unit itself (汇款单位必须是办理CA的单位, 付款账户名与申请办理的单位名称一致),
//! never from a private person (私人汇款概不受理); its amount is one case's fee, or the fees of
//! several cases of the unit paid together. Owns the rules and the index that keeps a run
//! linear (cases by unit name, by unit and fee, by case number and reference); what is recorded
//! of a match is the caller's.

use crate::normalize::{reference_key_into, reference_tokens, unit_key, unit_key_into};
use crate::payer::why_private;
use crate::statement::Credit;
use certdesk_domain::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A case whose money is not in yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingCase {
    pub number: String,
    /// The applicant unit's name, as on the application.
    pub unit_name: String,
    pub fee: Money,
    /// The day the case was received: of two cases a credit fits alike, the earlier is paid.
    pub received: NaiveDate,
    /// Other numbers a payer may write in the remark: the CA's business number (业务单号) …
    pub references: Vec<String>,
}

/// A credit that pays one case, or several cases of one unit together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    pub credit: String,
    /// The cases' numbers, earliest received first.
    pub cases: Vec<String>,
}

/// A credit that pays no waiting case, and why (to be looked at by the clerk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    pub credit: String,
    pub why: String,
}

/// A credit the CA does not take (a private person's transfer), and why, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub credit: String,
    pub why: String,
}

/// What a run made of the credits, each credit in exactly one list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Matching {
    pub matched: Vec<Match>,
    pub unmatched: Vec<Unmatched>,
    pub refused: Vec<Refused>,
    /// Credits recorded before (in `already`) or given twice: neither matched nor counted.
    pub repeated: Vec<String>,
}

/// The cases of one fee within a unit, earliest received first; those before `head` are taken
/// (passed as they are met at the front).
struct FeeQueue {
    fee: Money,
    cases: Vec<usize>,
    head: usize,
    open: usize,
}

/// The waiting cases of one unit.
struct Unit {
    /// The name as the first of its cases writes it.
    shown: String,
    /// Every case, earliest received first.
    cases: Vec<usize>,
    /// Its fee queues (in `Index::queues`), one per fee.
    fees: Vec<usize>,
    open_fen: i128,
    open: usize,
}

/// What a credit is looked up by, worked out once per credit.
struct Prepared {
    payer_key: String,
    /// The case numbers and references its remark may write.
    tokens: Vec<String>,
}

impl Prepared {
    fn of(credit: &Credit) -> Self {
        Prepared { payer_key: unit_key(&credit.payer_name), tokens: reference_tokens(&credit.remark) }
    }
}

/// The waiting cases as the credits of a run look for them: only the units that paid and the
/// numbers that remarks write are indexed, so the index grows with the statement, not with the
/// cases waiting (each case is read once, its keys looked up in the small tables).
struct Index<'c> {
    cases: &'c [WaitingCase],
    /// The place in received order (ties by number) of each case of a unit that paid.
    rank: Vec<usize>,
    unit_of_case: Vec<Option<usize>>,
    /// The payers' units, with the cases waiting of each (none: a payer no case waits for).
    units: Vec<Unit>,
    unit_by_key: HashMap<String, usize>,
    queues: Vec<FeeQueue>,
    queue_by_fee: HashMap<(usize, Money), usize>,
    /// The cases each token of the remarks names (by number or reference), received order.
    by_reference: HashMap<String, Vec<usize>>,
    taken: Vec<bool>,
}

impl<'c> Index<'c> {
    fn new(cases: &'c [WaitingCase], prepared: &[Prepared]) -> Self {
        let mut index = Index {
            cases,
            rank: vec![0; cases.len()],
            unit_of_case: vec![None; cases.len()],
            units: Vec::new(),
            unit_by_key: HashMap::with_capacity(prepared.len()),
            queues: Vec::new(),
            queue_by_fee: HashMap::new(),
            by_reference: HashMap::new(),
            taken: vec![false; cases.len()],
        };
        for p in prepared {
            if !p.payer_key.is_empty() && !index.unit_by_key.contains_key(&p.payer_key) {
                index.unit_by_key.insert(p.payer_key.clone(), index.units.len());
                index.units.push(Unit { shown: String::new(), cases: Vec::new(), fees: Vec::new(), open_fen: 0, open: 0 });
            }
            for token in &p.tokens {
                index.by_reference.entry(token.clone()).or_default();
            }
        }
        // the cases as given, in memory order, their keys written into one buffer
        let mut key = String::new();
        let mut paid_for = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            for reference in std::iter::once(&case.number).chain(&case.references) {
                if reference_key_into(reference, &mut key)
                    && let Some(named) = index.by_reference.get_mut(key.as_str())
                    && named.last() != Some(&i)
                {
                    named.push(i);
                }
            }
            unit_key_into(&case.unit_name, &mut key);
            if let Some(&u) = index.unit_by_key.get(key.as_str()) {
                let unit = &mut index.units[u];
                if unit.open == 0 {
                    unit.shown = case.unit_name.trim().to_string();
                }
                unit.open_fen += i128::from(case.fee.fen());
                unit.open += 1;
                index.unit_of_case[i] = Some(u);
                paid_for.push((case.received, case.number.as_str(), i, case.fee, u));
            }
        }
        // the payers' cases in received order: their units' lists and fee queues
        paid_for.sort_unstable();
        for (place, &(_, _, i, fee, u)) in paid_for.iter().enumerate() {
            index.rank[i] = place;
            index.units[u].cases.push(i);
            let next = index.queues.len();
            let q = *index.queue_by_fee.entry((u, fee)).or_insert(next);
            if q == next {
                index.queues.push(FeeQueue { fee, cases: Vec::new(), head: 0, open: 0 });
                index.units[u].fees.push(q);
            }
            index.queues[q].cases.push(i);
            index.queues[q].open += 1;
        }
        for named in index.by_reference.values_mut().filter(|n| n.len() > 1) {
            named.sort_unstable_by(|&a, &b| (cases[a].received, &cases[a].number, a).cmp(&(cases[b].received, &cases[b].number, b)));
        }
        index
    }

    /// The unit of a payer with cases waiting.
    fn waiting_unit(&self, payer_key: &str) -> Option<usize> {
        self.unit_by_key.get(payer_key).copied().filter(|&u| !self.units[u].cases.is_empty())
    }

    fn take(&mut self, i: usize) {
        if std::mem::replace(&mut self.taken[i], true) {
            return;
        }
        if let Some(u) = self.unit_of_case[i] {
            let fee = self.cases[i].fee;
            let unit = &mut self.units[u];
            unit.open -= 1;
            unit.open_fen -= i128::from(fee.fen());
            if let Some(&q) = self.queue_by_fee.get(&(u, fee)) {
                self.queues[q].open -= 1;
            }
        }
    }

    /// The earliest open case of the unit with this fee.
    fn first_open_of_fee(&mut self, u: usize, fee: Money) -> Option<usize> {
        let q = *self.queue_by_fee.get(&(u, fee))?;
        self.first_open_in(q)
    }

    fn first_open_in(&mut self, q: usize) -> Option<usize> {
        let queue = &mut self.queues[q];
        while let Some(&i) = queue.cases.get(queue.head) {
            if !self.taken[i] {
                return Some(i);
            }
            queue.head += 1;
        }
        None
    }

    /// The cases a remark names (by number or reference), in the order it names them.
    fn named(&self, tokens: &[String]) -> Vec<usize> {
        let mut named = Vec::new();
        for token in tokens {
            for &i in self.by_reference.get(token).into_iter().flatten() {
                if !named.contains(&i) {
                    named.push(i);
                }
            }
        }
        named
    }

    /// The unit's open fees, each once with how many cases wait with it, the earliest first.
    fn open_fees(&mut self, u: usize) -> String {
        let mut listed: Vec<(usize, Money, usize)> = Vec::new();
        for q in self.units[u].fees.clone() {
            if let Some(first) = self.first_open_in(q) {
                let queue = &self.queues[q];
                listed.push((self.rank[first], queue.fee, queue.open));
            }
        }
        listed.sort();
        const SHOWN: usize = 10;
        let mut parts: Vec<String> = listed.iter().take(SHOWN).map(|(_, fee, n)| if *n > 1 { format!("{fee} ×{n}") } else { fee.to_string() }).collect();
        if listed.len() > SHOWN {
            parts.push(format!("… {} more", listed.len() - SHOWN));
        }
        parts.join(", ")
    }

    fn numbers(&self, cases: &[usize]) -> Vec<String> {
        cases.iter().map(|&i| self.cases[i].number.clone()).collect()
    }
}

/// Why a credit whose remark names other units' cases is no payment of theirs.
fn wrong_payer(index: &Index<'_>, named: &[usize], payer: &str) -> String {
    let cases: Vec<String> = named.iter().take(5).map(|&i| format!("{} of {}", index.cases[i].number, index.cases[i].unit_name.trim())).collect();
    let payer = if payer.trim().is_empty() { "a payer without a name" } else { payer.trim() };
    format!("汇款单位与办理单位不一致 (wrong payer: the remark names case {}, but the money came from {payer}; the CA takes money only from the applicant unit)", cases.join(", "))
}

/// Matches `credits` (of one statement or several) to the `cases` waiting for their money,
/// first come (by date, then row) first served, one credit at most per case; credits whose id is
/// in `already` (recorded by an earlier import) are set aside as repeated.
pub fn match_credits(credits: &[Credit], cases: &[WaitingCase], already: &HashSet<String>) -> Matching {
    let prepared: Vec<Prepared> = credits.iter().map(Prepared::of).collect();
    let mut index = Index::new(cases, &prepared);
    let mut order: Vec<usize> = (0..credits.len()).collect();
    order.sort_by_key(|&i| (credits[i].date, credits[i].row, i));
    let mut seen: HashSet<&str> = HashSet::with_capacity(credits.len());
    let mut result = Matching::default();
    for i in order {
        let credit = &credits[i];
        let id = credit.id.clone();
        if already.contains(&credit.id) || !seen.insert(&credit.id) {
            result.repeated.push(id);
            continue;
        }
        if credit.amount <= Money::ZERO {
            result.unmatched.push(Unmatched { credit: id, why: format!("金额{0}不是到账 (amount {0} is no money in)", credit.amount) });
            continue;
        }
        let named = index.named(&prepared[i].tokens);
        let open_named: Vec<usize> = named.iter().copied().filter(|&c| !index.taken[c]).collect();
        let payer_key = &prepared[i].payer_key;
        if let Some(u) = index.waiting_unit(payer_key) {
            let mut of_unit: Vec<usize> = open_named.iter().copied().filter(|&c| index.unit_of_case[c] == Some(u)).collect();
            of_unit.sort_by_key(|&c| index.rank[c]);
            let named_fen: i128 = of_unit.iter().map(|&c| i128::from(cases[c].fee.fen())).sum();
            let paid: Option<Vec<usize>> = if !of_unit.is_empty() && named_fen == i128::from(credit.amount.fen()) {
                Some(of_unit)
            } else if let Some(c) = of_unit.iter().copied().find(|&c| cases[c].fee == credit.amount).or_else(|| index.first_open_of_fee(u, credit.amount)) {
                Some(vec![c])
            } else if index.units[u].open >= 2 && index.units[u].open_fen == i128::from(credit.amount.fen()) {
                Some(index.units[u].cases.iter().copied().filter(|&c| !index.taken[c]).collect())
            } else {
                None
            };
            match paid {
                Some(paid) => {
                    for &c in &paid {
                        index.take(c);
                    }
                    result.matched.push(Match { credit: id, cases: index.numbers(&paid) });
                }
                None => {
                    let others: Vec<usize> = named.iter().copied().filter(|&c| index.unit_of_case[c] != Some(u)).collect();
                    let unit = index.units[u].shown.clone();
                    let why = if !others.is_empty() {
                        wrong_payer(&index, &others, &credit.payer_name)
                    } else if index.units[u].open == 0 {
                        format!(
                            "{unit}的待缴案件已由本次其他到账支付 (amount {} finds no waiting case of {unit}: its cases are paid by earlier credits of this run)",
                            credit.amount
                        )
                    } else {
                        format!("金额{0}与{unit}待缴案件的应收金额不符 (amount {0} matches no waiting case of {unit}; fees: {1})", credit.amount, index.open_fees(u))
                    };
                    result.unmatched.push(Unmatched { credit: id, why });
                }
            }
            continue;
        }
        if let Some(why) = why_private(&credit.payer_name, &credit.payer_account) {
            result.refused.push(Refused { credit: id, why });
            continue;
        }
        let why = if !named.is_empty() {
            wrong_payer(&index, &named, &credit.payer_name)
        } else if payer_key.is_empty() {
            "到账未写付款单位，附言也未注明待缴案件 (the credit names no payer, and its remark no waiting case)".into()
        } else {
            format!("付款单位{0}没有待缴费的案件，附言也未注明案件编号 (the payer {0} is no unit with a waiting case, and the remark names none)", credit.payer_name.trim())
        };
        result.unmatched.push(Unmatched { credit: id, why });
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, d).unwrap()
    }

    fn case(number: &str, unit: &str, fee: &str, received: u32) -> WaitingCase {
        WaitingCase { number: number.into(), unit_name: unit.into(), fee: fee.parse().unwrap(), received: day(received), references: Vec::new() }
    }

    fn credit(id: &str, row: u32, date: u32, amount: &str, payer: &str, remark: &str) -> Credit {
        Credit {
            id: id.into(),
            row,
            date: day(date),
            amount: amount.parse().unwrap(),
            payer_name: payer.into(),
            payer_account: "44050100000000000001".into(),
            remark: remark.into(),
            bank_ref: None,
        }
    }

    const UNIT: &str = "广州市示例科技有限公司";

    fn cases() -> Vec<WaitingCase> {
        vec![
            case("GZ01-20250910-0002", UNIT, "700.00", 10),
            case("GZ01-20250905-0001", UNIT, "400.00", 5),
            case("GZ01-20250911-0003", UNIT, "700.00", 11),
            case("GZ01-20250912-0004", "深圳市样本贸易（深圳）有限公司", "350.00", 12),
            case("GZ01-20250912-0005", "深圳市样本贸易（深圳）有限公司", "350.00", 12),
        ]
    }

    fn run(credits: &[Credit]) -> Matching {
        match_credits(credits, &cases(), &HashSet::new())
    }

    fn matched(m: &Matching) -> Vec<(&str, Vec<&str>)> {
        m.matched.iter().map(|x| (x.credit.as_str(), x.cases.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn one_fee_pays_the_earliest_case_unless_the_remark_names_one() {
        let m = run(&[credit("a", 2, 20, "700.00", UNIT, "CA费用"), credit("b", 3, 20, "700.00", "广州市示例科技有限公司 ", "GZ01-20250911-0003")]);
        // b names 0003; a (the earlier row) takes the earliest 700.00 case, 0002
        assert_eq!(matched(&m), [("a", vec!["GZ01-20250910-0002"]), ("b", vec!["GZ01-20250911-0003"])]);
        let m = run(&[credit("a", 2, 20, "700.00", UNIT, "业务GZ0120250911-0003")]);
        assert_eq!(matched(&m), [("a", vec!["GZ01-20250911-0003"])]);
    }

    #[test]
    fn the_unit_name_is_compared_across_width_brackets_and_spaces() {
        let m = run(&[credit("a", 2, 20, "350.00", "深圳市样本贸易(深圳)有限公司", "")]);
        assert_eq!(matched(&m), [("a", vec!["GZ01-20250912-0004"])]);
        let m = run(&[credit("a", 2, 20, "350.00", "深圳市样本贸易(深圳)有限责任公司", "")]);
        assert!(m.matched.is_empty());
    }

    #[test]
    fn several_cases_of_one_unit_paid_together() {
        // all three waiting cases: 700 + 400 + 700
        let m = run(&[credit("a", 2, 20, "1800.00", UNIT, "")]);
        assert_eq!(matched(&m), [("a", vec!["GZ01-20250905-0001", "GZ01-20250910-0002", "GZ01-20250911-0003"])]);
        // two of them, named in the remark
        let m = run(&[credit("a", 2, 20, "1100.00", UNIT, "GZ01-20250905-0001,GZ01-20250911-0003")]);
        assert_eq!(matched(&m), [("a", vec!["GZ01-20250905-0001", "GZ01-20250911-0003"])]);
        // two of them, not named: which two is not known
        let m = run(&[credit("a", 2, 20, "1100.00", UNIT, "")]);
        assert!(m.matched.is_empty());
        assert_eq!(
            m.unmatched[0].why,
            "金额1100.00与广州市示例科技有限公司待缴案件的应收金额不符 (amount 1100.00 matches no waiting case of 广州市示例科技有限公司; fees: 400.00, 700.00 ×2)"
        );
    }

    #[test]
    fn references_name_cases_too() {
        let mut waiting = cases();
        waiting[2].references = vec!["YW2025091100017".into()];
        let m = match_credits(&[credit("a", 2, 20, "700.00", UNIT, "业务单号：YW2025091100017")], &waiting, &HashSet::new());
        assert_eq!(matched(&m), [("a", vec!["GZ01-20250911-0003"])]);
    }

    #[test]
    fn amount_mismatch_says_the_fees() {
        let m = run(&[credit("a", 2, 20, "300.00", UNIT, "")]);
        assert_eq!(
            m.unmatched,
            [Unmatched {
                credit: "a".into(),
                why: "金额300.00与广州市示例科技有限公司待缴案件的应收金额不符 (amount 300.00 matches no waiting case of 广州市示例科技有限公司; fees: 400.00, 700.00 ×2)".into()
            }]
        );
    }

    #[test]
    fn wrong_payer() {
        let m = run(&[credit("a", 2, 20, "700.00", "广州市另一家代理有限公司", "代付GZ01-20250910-0002")]);
        assert!(m.matched.is_empty());
        assert_eq!(m.unmatched.len(), 1);
        let why = &m.unmatched[0].why;
        assert!(
            why.starts_with(
                "汇款单位与办理单位不一致 (wrong payer: the remark names case GZ01-20250910-0002 of 广州市示例科技有限公司, but the money came from 广州市另一家代理有限公司"
            ),
            "{why}"
        );
        // a waiting unit paying another unit's case with an amount none of its own fits
        let m = run(&[credit("a", 2, 20, "350.00", UNIT, "GZ01-20250912-0004")]);
        assert!(m.unmatched[0].why.contains("wrong payer: the remark names case GZ01-20250912-0004 of 深圳市样本贸易（深圳）有限公司"), "{:?}", m.unmatched);
    }

    #[test]
    fn private_persons_are_refused() {
        let m = run(&[credit("a", 2, 20, "700.00", "张三", "GZ01-20250910-0002 广州市示例科技有限公司CA费")]);
        assert!(m.matched.is_empty() && m.unmatched.is_empty());
        assert_eq!(m.refused.len(), 1);
        assert!(m.refused[0].why.starts_with("私人汇款恕不受理"), "{}", m.refused[0].why);
        assert!(m.refused[0].why.contains("a private person's transfer: the payer 张三"), "{}", m.refused[0].why);
    }

    #[test]
    fn repeated_credits_are_set_aside() {
        let credits = [credit("a", 2, 20, "700.00", UNIT, ""), credit("b", 3, 20, "400.00", UNIT, ""), credit("b", 3, 20, "400.00", UNIT, "")];
        let already: HashSet<String> = ["a".to_string()].into();
        let m = match_credits(&credits, &cases(), &already);
        assert_eq!(m.repeated, ["a", "b"]);
        assert_eq!(matched(&m), [("b", vec!["GZ01-20250905-0001"])]);
        assert!(m.unmatched.is_empty() && m.refused.is_empty());
    }

    #[test]
    fn one_credit_per_case_first_come_first_served() {
        // given out of order: the earlier day's credit is served first
        let credits = [credit("late", 2, 22, "400.00", UNIT, ""), credit("early", 9, 21, "400.00", UNIT, "")];
        let m = run(&credits);
        assert_eq!(matched(&m), [("early", vec!["GZ01-20250905-0001"])]);
        assert_eq!(m.unmatched.len(), 1);
        assert_eq!(m.unmatched[0].credit, "late");
        assert!(m.unmatched[0].why.contains("fees: 700.00 ×2)"), "{}", m.unmatched[0].why);
        // the unit's sum is what is still open, not what was waiting before the run
        let m = run(&[credit("x", 2, 20, "700.00", UNIT, ""), credit("y", 3, 20, "1100.00", UNIT, "")]);
        assert_eq!(matched(&m), [("x", vec!["GZ01-20250910-0002"]), ("y", vec!["GZ01-20250905-0001", "GZ01-20250911-0003"])]);
        let m = run(&[credit("x", 2, 20, "1800.00", UNIT, ""), credit("y", 3, 20, "700.00", UNIT, "")]);
        assert_eq!(
            m.unmatched[0].why,
            "广州市示例科技有限公司的待缴案件已由本次其他到账支付 (amount 700.00 finds no waiting case of 广州市示例科技有限公司: its cases are paid by earlier credits of this run)"
        );
    }

    #[test]
    fn unknown_payers() {
        let m = run(&[credit("a", 2, 20, "700.00", "某某物业管理有限公司", "物业费")]);
        assert_eq!(
            m.unmatched[0].why,
            "付款单位某某物业管理有限公司没有待缴费的案件，附言也未注明案件编号 (the payer 某某物业管理有限公司 is no unit with a waiting case, and the remark names none)"
        );
        let m = run(&[credit("a", 2, 20, "-5.00", UNIT, "")]);
        assert_eq!(m.unmatched[0].why, "金额-5.00不是到账 (amount -5.00 is no money in)");
    }
}
