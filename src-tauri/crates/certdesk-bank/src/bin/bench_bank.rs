//! Bank statement benchmark: a counter's month in memory, 20,000 credits (by default) against
//! 100,000 waiting cases of 40,000 units, matched by `match_credits` round after round (single
//! fees named or not, several cases of a unit paid together, private persons, unknown and wrong
//! payers, credits recorded before); and a generated CSV statement of as many rows (title rows,
//! a debit in every five rows, a totals row) read by `read_statement`. Prints min, median and
//! p95 of each in milliseconds (target: matching well under 2 s in release).
//!
//! `cargo run --release -p certdesk-bank --bin certdesk-bench-bank [-- --credits N --cases M --runs R]`

use certdesk_bank::{Credit, WaitingCase, match_credits, read_statement};
use certdesk_domain::Money;
use chrono::{Days, NaiveDate};
use std::collections::HashSet;
use std::fmt::Display;
use std::hint::black_box;
use std::time::Instant;

fn or_die<T, E: Display>(r: Result<T, E>, what: impl Display) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("certdesk-bench-bank: {what}: {e}");
        std::process::exit(1)
    })
}

/// SplitMix64: the same data on every run, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FEES: [i64; 6] = [200, 350, 400, 700, 850, 1000];
const SURNAMES: [&str; 8] = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄"];
const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"];

fn day(offset: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 9, 1).and_then(|d| d.checked_add_days(Days::new(offset as u64))).unwrap_or(NaiveDate::MIN)
}

fn unit_name(u: usize) -> String {
    format!("广州市示例{u:05}科技有限公司")
}

fn waiting_cases(count: usize, rng: &mut Rng) -> Vec<WaitingCase> {
    let units = (count * 2 / 5).max(1);
    (0..count)
        .map(|i| {
            // every unit has a case, the others fall on units at random: 1 to 6 cases each
            let u = if i < units { i } else { rng.below(units) };
            let received = rng.below(28);
            WaitingCase {
                number: format!("GZ01-{}-{:04}", day(received).format("%Y%m%d"), i + 1),
                unit_name: unit_name(u),
                fee: Money::from_yuan(FEES[rng.below(FEES.len())]),
                received: day(received),
                references: if i % 3 == 0 { vec![format!("YW2025{i:08}")] } else { Vec::new() },
            }
        })
        .collect()
}

fn credits_for(cases: &[WaitingCase], count: usize, rng: &mut Rng) -> Vec<Credit> {
    let mut by_unit: std::collections::HashMap<&str, Vec<&WaitingCase>> = std::collections::HashMap::new();
    for case in cases {
        by_unit.entry(case.unit_name.as_str()).or_default().push(case);
    }
    let units: Vec<&str> = {
        let mut u: Vec<&str> = by_unit.keys().copied().collect();
        u.sort_unstable();
        u
    };
    (0..count)
        .map(|i| {
            let case = &cases[rng.below(cases.len())];
            let (payer, amount, remark, account) = match i % 20 {
                // a unit paying all its waiting cases at once
                0..=2 => {
                    let unit = units[rng.below(units.len())];
                    let all: Money = by_unit[unit].iter().map(|c| c.fee).sum();
                    (unit.to_string(), all, "CA费用".to_string(), "44050100000000000001".to_string())
                }
                // a private person
                3 | 4 => {
                    let name = format!("{}{}", SURNAMES[rng.below(8)], GIVEN[rng.below(8)]);
                    (name, case.fee, case.number.clone(), format!("6222{:015}", rng.next() % 1_000_000_000_000_000))
                }
                // a payer with no waiting case
                5 => (format!("某某{}物业管理有限公司", rng.below(1000)), Money::from_yuan(150), "物业费".into(), "1".into()),
                // an agent paying another unit's case
                6 => ("广州市代办服务有限公司".into(), case.fee, format!("代付{}", case.number), "2".into()),
                // an amount that fits nothing
                7 => (case.unit_name.clone(), Money::from_fen(case.fee.fen() + 1), String::new(), "3".into()),
                // one case's fee, its number written in the remark or not
                _ => {
                    let remark = if i % 2 == 0 { format!("{} 数字证书", case.number) } else { "数字证书费".into() };
                    (case.unit_name.clone(), case.fee, remark, "44050100000000000001".into())
                }
            };
            Credit {
                id: format!("C{i:016x}"),
                row: (i + 5) as u32,
                date: day(10 + i * 20 / count.max(1)),
                amount,
                payer_name: payer,
                payer_account: account,
                remark,
                bank_ref: None,
            }
        })
        .collect()
}

/// A statement export as a bank writes it: title rows, the header, a debit in every five rows,
/// amounts with thousands separators, a totals row.
fn statement_csv(credits: &[Credit]) -> String {
    let mut out = String::from("中国工商银行 账户明细\n账号：3602000009200000000,,币种：人民币\n起止日期：2025/09/01-2025/09/30\n");
    out.push_str("交易日期,凭证号,对方户名,对方账号,借方发生额,贷方发生额,余额,摘要,用途\n");
    for (i, c) in credits.iter().enumerate() {
        let amount = c.amount.to_string();
        let shown = match amount.split_once('.') {
            Some((yuan, fen)) if yuan.len() > 3 => format!("\"{},{}.{fen}\"", &yuan[..yuan.len() - 3], &yuan[yuan.len() - 3..]),
            _ => amount,
        };
        let (debit, credit) = if i % 5 == 4 { (shown, String::new()) } else { (String::new(), shown) };
        out.push_str(&format!("{},,{},{},{debit},{credit},,汇款,{}\n", c.date.format("%Y/%m/%d"), c.payer_name, c.payer_account, c.remark));
    }
    out.push_str("合计,,,,,,,,\n");
    out
}

/// min, median and p95 of the samples (ms), the p95 as the nearest rank.
fn figures(samples: &mut [f64]) -> String {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples.get(((q * samples.len() as f64).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0);
    format!("min {:.1} ms, median {:.1} ms, p95 {:.1} ms", samples.first().copied().unwrap_or(0.0), at(0.5), at(0.95))
}

fn main() {
    let (mut credit_count, mut case_count, mut runs) = (20_000usize, 100_000usize, 7usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| or_die(args.next().and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0).ok_or(format!("{name} N (a positive number)")), "usage");
        match a.as_str() {
            "--credits" => credit_count = value("--credits"),
            "--cases" => case_count = value("--cases"),
            "--runs" => runs = value("--runs"),
            other => or_die(Err::<(), _>(format!("unknown argument {other}; usage: certdesk-bench-bank [--credits N] [--cases M] [--runs R]")), "usage"),
        }
    }
    let mut rng = Rng(0x5EED_BA4C);
    let cases = waiting_cases(case_count, &mut rng);
    let credits = credits_for(&cases, credit_count, &mut rng);
    // a few credits recorded by an earlier import
    let already: HashSet<String> = credits.iter().step_by(50).map(|c| c.id.clone()).collect();
    println!("certdesk-bench-bank: {credit_count} credits against {case_count} waiting cases, {runs} runs");

    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let matching = black_box(match_credits(black_box(&credits), black_box(&cases), &already));
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        last = Some(matching);
    }
    if let Some(m) = &last {
        let paid: usize = m.matched.iter().map(|x| x.cases.len()).sum();
        println!(
            "match_credits: {} (matched {} credits paying {paid} cases, unmatched {}, refused {}, repeated {})",
            figures(&mut samples),
            m.matched.len(),
            m.unmatched.len(),
            m.refused.len(),
            m.repeated.len()
        );
    }

    let csv = statement_csv(&credits);
    let mut samples = Vec::with_capacity(runs);
    let mut read = None;
    for _ in 0..runs {
        let start = Instant::now();
        let statement = or_die(read_statement(black_box(csv.as_bytes())), "reading the generated statement");
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        read = Some(statement);
    }
    if let Some(s) = &read {
        println!(
            "read_statement (CSV, {credit_count} rows, {:.1} MB): {} ({} credits, {} debits skipped, {} problems)",
            csv.len() as f64 / 1e6,
            figures(&mut samples),
            s.credits.len(),
            s.skipped_debits,
            s.problems.len()
        );
        if !s.problems.is_empty() || s.credits.len() + s.skipped_debits != credit_count {
            eprintln!("certdesk-bench-bank: the generated statement was not read whole: {:?}", s.problems.first());
            std::process::exit(1);
        }
    }
}
