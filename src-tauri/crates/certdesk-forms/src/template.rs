//! Field templates of layouts: literal text with `{path|filter:arg|…}` fields, `{{`/`}}` for
//! braces. Owns parsing (once, at lint time) and evaluation against a JSON context; the filters
//! are the ones `forms/LAYOUT.md` lists (check boxes, capital numerals, 大写金额, date parts…).
//! Does not know which paths exist: `context` builds the value they are looked up in.

use certdesk_domain::money::{Money, capital_numeral};
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Literal(String),
    Field { path: String, filters: Vec<Filter> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Check(Option<String>),
    When {
        path: String,
        equals: Option<String>,
        negate: bool,
    },
    Capital,
    Zh,
    Year,
    Month,
    Day,
    Hour,
    /// the minute of a timestamp, two digits (`09时05分`)
    Minute,
    Money,
    MoneyCapital,
    Default(String),
    Upper,
    NonZero,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_filter(text: &str) -> Result<Filter, TemplateError> {
    let (name, arg) = match text.split_once(':') {
        Some((n, a)) => (n.trim(), Some(a.to_string())),
        None => (text.trim(), None),
    };
    let no_arg = |f: Filter| if arg.is_some() { Err(TemplateError(format!("filter `{name}` takes no argument"))) } else { Ok(f) };
    match name {
        "check" => Ok(Filter::Check(arg)),
        "when" => {
            let arg = arg.ok_or_else(|| TemplateError("`when` needs a path: when:PATH or when:PATH=VALUE".into()))?;
            let (path, equals, negate) = if let Some((p, v)) = arg.split_once("!=") {
                (p.trim().to_string(), Some(v.trim().to_string()), true)
            } else if let Some((p, v)) = arg.split_once('=') {
                (p.trim().to_string(), Some(v.trim().to_string()), false)
            } else {
                (arg.trim().to_string(), None, false)
            };
            check_path(&path)?;
            Ok(Filter::When { path, equals, negate })
        }
        "default" => Ok(Filter::Default(arg.unwrap_or_default())),
        "capital" => no_arg(Filter::Capital),
        "zh" => no_arg(Filter::Zh),
        "year" => no_arg(Filter::Year),
        "month" => no_arg(Filter::Month),
        "day" => no_arg(Filter::Day),
        "hour" => no_arg(Filter::Hour),
        "minute" => no_arg(Filter::Minute),
        "money" => no_arg(Filter::Money),
        "money_capital" => no_arg(Filter::MoneyCapital),
        "upper" => no_arg(Filter::Upper),
        "nonzero" => no_arg(Filter::NonZero),
        other => {
            Err(TemplateError(format!("unknown filter `{other}` (known: check, when, capital, zh, year, month, day, hour, minute, money, money_capital, default, upper, nonzero)")))
        }
    }
}

fn check_path(path: &str) -> Result<(), TemplateError> {
    let ok = !path.is_empty() && path.split('.').all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '[' || c == ']'));
    if ok { Ok(()) } else { Err(TemplateError(format!("`{path}` is not a field path (letters, digits, _ and . only)"))) }
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(TemplateError(format!("unclosed field after {:?} (write {{{{ for a literal brace)", literal))),
                            Some(ch) => inner.push(ch),
                        }
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    let mut parts = inner.split('|');
                    let path = parts.next().unwrap_or("").trim().to_string();
                    check_path(&path)?;
                    let filters = parts.map(parse_filter).collect::<Result<Vec<_>, _>>()?;
                    pieces.push(Piece::Field { path, filters });
                }
                '}' => return Err(TemplateError("a lone `}` (write }} for a literal brace)".into())),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(Template { pieces })
    }

    /// Every field path the template reads (including those of `when:` filters).
    pub fn paths(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for p in &self.pieces {
            if let Piece::Field { path, filters } = p {
                out.push(path.as_str());
                for f in filters {
                    if let Filter::When { path, .. } = f {
                        out.push(path.as_str());
                    }
                }
            }
        }
        out
    }

    /// Fills the template piece by piece: `(Some(path), text)` for a field, `(None, text)` for
    /// literal text, so that a caller can say which field a character came from.
    pub fn render_pieces(&self, ctx: &Value) -> Vec<(Option<&str>, String)> {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(s) => (None, s.clone()),
                Piece::Field { path, filters } => (Some(path.as_str()), apply(lookup(ctx, path).unwrap_or(Value::Null), filters, ctx)),
            })
            .collect()
    }

    /// Fills the template from `ctx` (the current repeat item is `item` in it).
    pub fn render(&self, ctx: &Value) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Literal(s) => out.push_str(s),
                Piece::Field { path, filters } => {
                    let value = lookup(ctx, path).unwrap_or(Value::Null);
                    out.push_str(&apply(value, filters, ctx));
                }
            }
        }
        out
    }
}

/// Looks up `a.b[2].c` (or `a.b.2.c`) in a JSON value; `list.count` is a list's length.
pub fn lookup(root: &Value, path: &str) -> Option<Value> {
    let mut cur = root;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*seg, None),
        };
        if !name.is_empty() {
            cur = match cur {
                Value::Object(m) => m.get(name)?,
                Value::Array(a) if name == "count" && i + 1 == segs.len() => return Some(Value::from(a.len())),
                Value::Array(a) => a.get(name.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        if let Some(i) = index {
            cur = cur.as_array()?.get(i)?;
        }
    }
    Some(cur.clone())
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(text_of).collect::<Vec<_>>().join("、"),
        Value::Object(_) => String::new(),
    }
}

fn zh(text: &str) -> String {
    use certdesk_domain::{BusinessType, CertKind, IdType, InvoiceType, Medium, PaymentMethod, Status};
    BusinessType::from_wire(text)
        .map(|x| x.zh())
        .or_else(|| CertKind::from_wire(text).map(|x| x.zh()))
        .or_else(|| Medium::from_wire(text).map(|x| x.zh()))
        .or_else(|| PaymentMethod::from_wire(text).map(|x| x.zh()))
        .or_else(|| IdType::from_wire(text).map(|x| x.zh()))
        .or_else(|| Status::from_wire(text).map(|x| x.zh()))
        .or_else(|| InvoiceType::from_wire(text).map(|x| x.zh()))
        .map(str::to_string)
        .unwrap_or_else(|| text.to_string())
}

/// `2026-11-22`, `2026-11-22T09:30:00…` → (year, month, day, hour).
fn date_parts(text: &str) -> Option<(String, String, String, String)> {
    let date = text.get(..10)?;
    let mut it = date.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if y.len() != 4 || !y.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let number = |s: &str| s.parse::<u32>().map(|n| n.to_string()).unwrap_or_default();
    let hour = text.get(11..13).map(number).unwrap_or_default();
    Some((y.to_string(), number(m), number(d), hour))
}

fn apply(mut value: Value, filters: &[Filter], ctx: &Value) -> String {
    let mut text: Option<String> = None;
    let current = |value: &Value, text: &Option<String>| text.clone().unwrap_or_else(|| text_of(value));
    for f in filters {
        let t = current(&value, &text);
        let next = match f {
            Filter::Check(None) => if !t.is_empty() && t != "否" && t != "0" { "■" } else { "□" }.to_string(),
            Filter::Check(Some(v)) => if t == *v { "■" } else { "□" }.to_string(),
            Filter::When { path, equals, negate } => {
                let other = lookup(ctx, path).map(|v| text_of(&v)).unwrap_or_default();
                let pass = match equals {
                    Some(e) => (other == *e) != *negate,
                    None => !other.is_empty(),
                };
                if pass { t } else { String::new() }
            }
            Filter::Capital => t.trim().parse::<u32>().map(capital_numeral).unwrap_or(t),
            Filter::Zh => zh(&t),
            Filter::Year => date_parts(&t).map(|p| p.0).unwrap_or_default(),
            Filter::Month => date_parts(&t).map(|p| p.1).unwrap_or_default(),
            Filter::Day => date_parts(&t).map(|p| p.2).unwrap_or_default(),
            Filter::Hour => date_parts(&t).map(|p| p.3).unwrap_or_default(),
            Filter::Minute => date_parts(&t).and_then(|_| t.get(14..16)).filter(|m| m.chars().all(|c| c.is_ascii_digit())).unwrap_or_default().to_string(),
            Filter::Money => t.parse::<Money>().map(|m| m.to_string()).unwrap_or(t),
            Filter::MoneyCapital => t.parse::<Money>().map(|m| m.to_capital()).unwrap_or(t),
            Filter::Default(d) => {
                if t.trim().is_empty() {
                    d.clone()
                } else {
                    t
                }
            }
            Filter::Upper => t.to_uppercase(),
            Filter::NonZero => {
                if t.trim().parse::<f64>().is_ok_and(|n| n == 0.0) {
                    String::new()
                } else {
                    t
                }
            }
        };
        text = Some(next);
        value = Value::Null;
    }
    current(&value, &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &str, ctx: &Value) -> String {
        Template::parse(t).unwrap().render(ctx)
    }

    #[test]
    fn fields_and_filters() {
        let ctx = json!({
            "business": "new", "years": 3,
            "organization": {"name": "广州市示例科技有限公司", "department": null},
            "payment": {"amount": "700.00", "date": "2026-11-20"},
            "review": {"accepted_at": "2026-11-22T09:05:00+08:00"},
            "employees": [{"name": "王芳"}, {"name": "陈刚"}],
        "quantity": 0,
            "ok": true
        });
        for (t, want) in [
            ("机构名称：{organization.name}", "机构名称：广州市示例科技有限公司"),
            ("{business|check:new}新申请 {business|check:renew}更新", "■新申请 □更新"),
            ("年限{years|capital}年", "年限叁年"),
            ("{years|capital|when:business=new}", "叁"),
            ("{years|capital|when:business=renew}", ""),
            ("{years|when:business!=renew}", "3"),
            ("{quantity|nonzero}", ""),
            ("{payment.amount|money_capital}", "柒佰元整"),
            ("{payment.date|year}年{payment.date|month}月{payment.date|day}日", "2026年11月20日"),
            ("{review.accepted_at|hour}时", "9时"),
            ("{organization.department|default:（无）}", "（无）"),
            ("{business|zh}", "新申请"),
            ("{employees[1].name}", "陈刚"),
            ("{{literal}}", "{literal}"),
            ("{ok|check}", "■"),
            ("{missing.path}", ""),
        ] {
            assert_eq!(render(t, &ctx), want, "{t}");
        }
    }

    #[test]
    fn bad_templates_are_refused() {
        for bad in ["{unclosed", "{a|nosuch}", "lone }", "{a b}", "{a|capital:1}", "{a|when}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_include_conditions() {
        let t = Template::parse("{years|when:business=new} {handler.name}").unwrap();
        assert_eq!(t.paths(), vec!["years", "business", "handler.name"]);
    }
}
