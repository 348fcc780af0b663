//! The generated cases the search benchmarks fill a store with (`certdesk-bench-search`,
//! `certdesk-bench-privacy`): realistic Chinese organisation and person names, USCCs, ID
//! numbers, mobiles and employee annexes drawn from a seed, the fragments clerks type to find
//! one of them (nine kinds), and the load of N cases in 10,000-case transactions. Owns no
//! timing and no figures: each benchmark times what it compares.

use super::Rng;
use certdesk_domain::CaseData;
use certdesk_store::{Store, StoreError};
use chrono::NaiveDate;

/// The case every generated one starts from (an organisation's order with employees).
pub const TEMPLATE: &str = include_str!("../../../../../../tests/fixtures/case-employees-new.json");

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉力鹏飞斌宇浩凯健俊帆帅旭宁龙林欣雪梅琳晨阳波雨婷倩颖佳慧晶燕玲丹云海峰春秋冬博瑞嘉";
pub const CITIES: [&str; 24] = [
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
pub const TRADES: [&str; 20] = [
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
pub struct Set {
    pub seed: u64,
    pub cities: usize,
    pub trades: usize,
}

impl Default for Set {
    /// The set of the README's figures: seed 0, every city and trade.
    fn default() -> Set {
        Set { seed: 0, cities: CITIES.len(), trades: TRADES.len() }
    }
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

pub fn generate(template: &CaseData, set: Set, n: u64) -> CaseData {
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
pub fn query_for(c: &CaseData, kind: usize, r: &mut Rng) -> String {
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

pub const KINDS: [&str; 9] = ["org 1 char", "org 2 chars", "org 3 chars", "org 4-7 chars", "USCC prefix", "ID prefix", "handler name", "mobile prefix", "employee name"];

/// The template case, parsed.
pub fn template() -> CaseData {
    CaseData::from_json(TEMPLATE).expect("the template case")
}

/// The day every generated case is taken in.
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("a day")
}

/// Cases `from + 1 ..= to` of `set` into `store`, 10,000 to a transaction, each batch under a
/// counter of its own (sequence numbers stay within four to five digits); `progress` hears the
/// number stored after each batch. The same arguments give the same cases and numbers on any
/// store.
pub fn fill(store: &mut Store, template: &CaseData, set: Set, from: usize, to: usize, mut progress: impl FnMut(usize)) -> Result<(), StoreError> {
    const BATCH: usize = 10_000;
    let mut done = from;
    while done < to {
        let n = BATCH.min(to - done);
        let chunk: Vec<CaseData> = (done..done + n).map(|i| generate(template, set, i as u64 + 1)).collect();
        store.create_cases(chunk.iter(), &format!("B{:05}", done / BATCH), day(), "bench")?;
        done += n;
        progress(done);
    }
    Ok(())
}

/// The `i`-th query of a run over a store of `total` cases of `set`: its kind (`KINDS`, in
/// turn) and the fragment of a case drawn with `r`.
pub fn query(template: &CaseData, set: Set, total: usize, i: usize, r: &mut Rng) -> (usize, String) {
    let kind = i % KINDS.len();
    let target = generate(template, set, 1 + r.next() % total as u64);
    (kind, query_for(&target, kind, r))
}
