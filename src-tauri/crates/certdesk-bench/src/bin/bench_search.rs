//! Search benchmark: fills a store with generated, realistic cases (Chinese organisation and
//! person names, USCCs, ID numbers, mobiles, employee annexes) and times `Store::search` for
//! the fragments clerks type, printing p50/p95/p99 per kind of query and the database size.
//!
//! `certdesk-bench-search [--cases N] [--queries N] [--db PATH|postgres://…] [--db-password-file F] [--reuse] [--show-slower-than MS]
//! [--seed N] [--cities N] [--trades N]` (another set of cases: another seed, fewer cities or trades)
//! (release build: `cargo run --release -p certdesk-bench --bin certdesk-bench-search`). With a
//! `postgres://` address the same cases and queries run on a hall's database (an empty one, or
//! one filled before with `--reuse`); its size is the server's, not printed. Into an empty hall
//! the load runs without the GIN search indexes, which are then built again from their own
//! definitions (as pg_restore builds them), and the tables are analyzed.

mod bench;

use bench::{Rng, ms, percentile};
use certdesk_domain::CaseData;
use certdesk_store::Store;
use chrono::NaiveDate;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const TEMPLATE: &str = include_str!("../../../../../tests/fixtures/case-employees-new.json");

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉力鹏飞斌宇浩凯健俊帆帅旭宁龙林欣雪梅琳晨阳波雨婷倩颖佳慧晶燕玲丹云海峰春秋冬博瑞嘉";
const CITIES: [&str; 24] = [
    "广州市",
    "深圳市",
    "珠海市",
    "东莞市",
    "佛山市",
    "沈阳市",
    "大连市",
    "呼和浩特市",
    "包头市",
    "鄂尔多斯市",
    "西安市",
    "北京市",
    "汕头市",
    "惠州市",
    "中山市",
    "江门市",
    "湛江市",
    "肇庆市",
    "鞍山市",
    "抚顺市",
    "赤峰市",
    "通辽市",
    "宝鸡市",
    "咸阳市",
];
const BRAND: &str = "华盛泰达恒信宏远鑫源博海天嘉诚瑞丰新和安康顺发祥云中兴光明金隆德润通宇星辰美乐思创智联合众益邦腾飞利民永正荣昌";
const TRADES: [&str; 20] = [
    "科技",
    "建设工程",
    "电子",
    "贸易",
    "医疗器械",
    "信息技术",
    "物业管理",
    "环保科技",
    "建筑装饰",
    "机电设备",
    "文化传媒",
    "教育咨询",
    "食品",
    "物流",
    "网络科技",
    "园林绿化",
    "劳务",
    "软件",
    "测绘",
    "检测",
];
const FORMS: [&str; 5] = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "工程有限公司"];
const PUBLIC: [&str; 6] = ["人民医院", "第一中学", "财政局", "社会保险事业管理局", "疾病预防控制中心", "公共资源交易中心"];
const DEPTS: [&str; 6] = ["财务科", "办公室", "采购部", "信息中心", "人事科", "综合部"];

fn person(r: &mut Rng) -> String {
    let mut name = r.pick(SURNAMES).to_string();
    name.push(r.pick(GIVEN));
    if r.below(3) > 0 {
        name.push(r.pick(GIVEN));
    }
    name
}

/// The parameters of a generated set: the seed every case is drawn with, and how many of the
/// cities and trades it uses (fewer: common fragments are commoner), so that what is measured
/// on one set can be checked on another.
#[derive(Clone, Copy)]
struct Set {
    seed: u64,
    cities: usize,
    trades: usize,
}

fn org_name(r: &mut Rng, set: Set) -> String {
    let city = CITIES[r.below(set.cities)];
    if r.below(8) == 0 {
        return format!("{city}{}", PUBLIC[r.below(PUBLIC.len())]);
    }
    format!("{city}{}{}{}{}", r.pick(BRAND), r.pick(BRAND), TRADES[r.below(set.trades)], FORMS[r.below(FORMS.len())])
}

fn ric(r: &mut Rng) -> String {
    let body = format!("4401{}{}{:02}{:02}{}", r.digits(2), 1950 + r.below(55), 1 + r.below(12), 1 + r.below(28), r.digits(3));
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = match (12 - sum % 11) % 11 {
        10 => 'X',
        d => char::from_digit(d, 10).unwrap(),
    };
    format!("{body}{check}")
}

fn generate(template: &CaseData, set: Set, n: u64) -> CaseData {
    let mut r = Rng((n ^ set.seed.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut c = template.clone();
    let org = c.organization.as_mut().unwrap();
    org.name = org_name(&mut r, set);
    org.department = (r.below(3) == 0).then(|| DEPTS[r.below(DEPTS.len())].to_string());
    org.uscc = Some(format!("9144{}MA{}{}", r.digits(4), r.digits(7), r.digits(3)));
    c.handler.name = person(&mut r);
    c.handler.id_number = ric(&mut r);
    c.handler.mobile = Some(format!("1{}{}", 3 + r.below(7), r.digits(9)));
    let employees = r.below(4);
    let template_employee = c.employees[0].clone();
    c.employees = (0..employees)
        .map(|_| {
            let mut e = template_employee.clone();
            e.name = person(&mut r);
            e.id_number = ric(&mut r);
            e
        })
        .collect();
    c
}

/// A fragment of a generated case, as a clerk would type it.
fn query_for(c: &CaseData, kind: usize, r: &mut Rng) -> String {
    let org = c.organization.as_ref().unwrap();
    let frag = |s: &str, len: usize, r: &mut Rng| {
        let chars: Vec<char> = s.chars().collect();
        let len = len.min(chars.len());
        let start = r.below(chars.len() - len + 1);
        chars[start..start + len].iter().collect::<String>()
    };
    match kind {
        0 => frag(&org.name, 1, r),
        1 => frag(&org.name, 2, r),
        2 => frag(&org.name, 3, r),
        3 => frag(&org.name, 4 + r.below(4), r),
        4 => org.uscc.as_ref().unwrap()[..4 + r.below(10)].to_string(),
        5 => c.handler.id_number[..6 + r.below(8)].to_string(),
        6 => c.handler.name.clone(),
        7 => c.handler.mobile.as_ref().unwrap()[..3 + r.below(8)].to_string(),
        _ => c.employees.first().map(|e| e.name.clone()).unwrap_or_else(|| c.handler.name.clone()),
    }
}

const KINDS: [&str; 9] = ["org 1 char", "org 2 chars", "org 3 chars", "org 4-7 chars", "USCC prefix", "ID prefix", "handler name", "mobile prefix", "employee name"];

fn main() {
    let mut cases = 1_000_000usize;
    let mut queries = 2_000usize;
    let mut db: Option<PathBuf> = None;
    let mut hall: Option<String> = None;
    let mut password_file: Option<PathBuf> = None;
    let mut reuse = false;
    let mut show_slower_than: Option<f64> = None;
    let mut set = Set { seed: 0, cities: CITIES.len(), trades: TRADES.len() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cases" => cases = args.next().and_then(|v| v.parse().ok()).expect("--cases N"),
            "--queries" => queries = args.next().and_then(|v| v.parse().ok()).expect("--queries N"),
            "--db" => match args.next() {
                Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => hall = Some(url),
                other => db = other.map(PathBuf::from),
            },
            "--db-password-file" => password_file = args.next().map(PathBuf::from),
            "--reuse" => reuse = true,
            "--show-slower-than" => show_slower_than = args.next().and_then(|v| v.parse().ok()),
            "--seed" => set.seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--cities" => set.cities = args.next().and_then(|v| v.parse().ok()).filter(|n| (1..=CITIES.len()).contains(n)).expect("--cities 1..=24"),
            "--trades" => set.trades = args.next().and_then(|v| v.parse().ok()).filter(|n| (1..=TRADES.len()).contains(n)).expect("--trades 1..=20"),
            other => {
                eprintln!(
                    "unknown argument {other}; usage: certdesk-bench-search [--cases N] [--queries N] [--db PATH|postgres://…] [--db-password-file F] [--reuse] [--show-slower-than MS]"
                );
                std::process::exit(2);
            }
        }
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let db = db.unwrap_or_else(|| tmp.path().join("bench.db"));
    let template = CaseData::from_json(TEMPLATE).expect("template case");
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();

    let open = || match &hall {
        Some(url) => {
            let address = certdesk_store::pg::HallAddress::parse(url).expect("the hall's address");
            let file = password_file.as_deref().expect("--db-password-file F: the hall's password");
            Store::open_hall(&address, certdesk_store::pg::ServerPassword::from_file(file).expect("the password file")).expect("open the hall")
        }
        None => Store::open(&db).expect("open store"),
    };
    let mut store = open();
    let existing = store.count_cases().unwrap() as usize;
    // into an empty hall the GIN indexes are built after the load, as pg_restore does (a row at
    // a time, without a pending list, they make a million cases a matter of hours): their
    // definitions read from the catalog, dropped, made again as the migrations left them
    let mut server = hall.as_ref().map(|url| bench::server_client(url, password_file.as_deref().expect("--db-password-file F")).expect("a raw connection to the hall"));
    let rebuild: Vec<String> = match server.as_mut() {
        Some(client) if existing == 0 && cases > 0 => {
            let defs: Vec<(String, String)> = client
                .query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'case_text' AND indexdef LIKE '%USING gin%'", &[])
                .expect("reading the search indexes")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            for (name, _) in &defs {
                bench::execute(client, "DROP INDEX", &format!("DROP INDEX {name}")).expect("dropping a search index for the load");
            }
            defs.into_iter().map(|(_, def)| def).collect()
        }
        _ => vec![],
    };
    if !(reuse && existing >= cases) {
        let start = Instant::now();
        let batch = 10_000;
        let mut done = existing;
        while done < cases {
            let n = batch.min(cases - done);
            let chunk: Vec<CaseData> = (done..done + n).map(|i| generate(&template, set, i as u64 + 1)).collect();
            // counters per batch keep sequence numbers within four-to-five digits
            let counter = format!("B{:05}", done / batch);
            store.create_cases(chunk.iter(), &counter, day, "bench").expect("insert");
            done += n;
            if done.is_multiple_of(100_000) || done == cases {
                eprintln!("{done} cases stored ({:.0} s)", start.elapsed().as_secs_f64());
            }
        }
        println!("generated {} cases in {:.1} s", cases - existing, start.elapsed().as_secs_f64());
    }
    if let Some(client) = server.as_mut() {
        let start = Instant::now();
        for def in &rebuild {
            bench::execute(client, "CREATE INDEX", &format!("SET maintenance_work_mem = '512MB'; {def}")).expect("making a search index again");
        }
        bench::execute(client, "ANALYZE", "ANALYZE").expect("ANALYZE");
        println!("search indexes built again ({}) and ANALYZE in {:.1} s", rebuild.len(), start.elapsed().as_secs_f64());
    }
    let total = store.count_cases().unwrap() as usize;
    drop(store);
    let size: u64 = ["", "-wal"].iter().filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok()).map(|m| m.len()).sum();
    let store = open();

    let mut r = Rng(0x5EED ^ set.seed);
    let mut per_kind: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
    let mut all = Vec::new();
    let mut hits_total = 0usize;
    // warm the page cache as a counter PC that has been running would have it
    for i in 0..50 {
        let _ = store.search(&query_for(&generate(&template, set, 1 + (i * 7919) % total as u64), i as usize % KINDS.len(), &mut r), 50);
    }
    for i in 0..queries {
        let kind = i % KINDS.len();
        let target = generate(&template, set, 1 + r.next() % total as u64);
        let q = query_for(&target, kind, &mut r);
        let t = Instant::now();
        let hits = store.search(&q, 50).expect("search");
        let elapsed = t.elapsed();
        hits_total += hits.len();
        assert!(!hits.is_empty(), "query {q:?} of an existing case found nothing");
        if show_slower_than.is_some_and(|limit| elapsed.as_secs_f64() * 1000.0 > limit) {
            eprintln!("slow: {:<16} {q:?} {} ms, {} hits", KINDS[kind], ms(elapsed), hits.len());
        }
        per_kind[kind].push(elapsed);
        all.push(elapsed);
    }
    let place = match store.server() {
        Some(server) => format!("on the hall {server}"),
        None => format!("database {:.0} MB", size as f64 / 1e6),
    };
    println!("search over {total} cases, {place}, {queries} queries (limit 50, newest first), avg {:.1} hits", hits_total as f64 / queries as f64);
    println!("{:<16} {:>8} {:>8} {:>8} {:>8}", "query", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (kind, times) in KINDS.iter().zip(per_kind.iter_mut()) {
        times.sort();
        println!("{:<16} {:>8} {:>8} {:>8} {:>8}", kind, ms(percentile(times, 0.5)), ms(percentile(times, 0.95)), ms(percentile(times, 0.99)), ms(*times.last().unwrap()));
    }
    all.sort();
    println!("{:<16} {:>8} {:>8} {:>8} {:>8}", "all", ms(percentile(&all, 0.5)), ms(percentile(&all, 0.95)), ms(percentile(&all, 0.99)), ms(*all.last().unwrap()));
}
