//! Search as a clerk types. Owns what text of a case is searchable and how a typed query
//! becomes an FTS5 query: three or more characters go to the trigram index (any substring,
//! Chinese or not); one or two Chinese characters go to the unigram/bigram index; one or two
//! ASCII characters are a prefix of an identifier, mobile number or case number. Results come
//! newest first, so a common fragment still answers at once.

use certdesk_domain::CaseData;
use unicode_normalization::UnicodeNormalization;

/// Names and identifiers of a case, one per line, as indexed by both tables.
pub(crate) fn searchable_fields(number: &str, data: &CaseData) -> Vec<String> {
    let mut out = vec![number.to_string()];
    let mut push = |s: Option<&str>| {
        if let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) {
            out.push(s.to_string());
        }
    };
    if let Some(org) = &data.organization {
        push(Some(&org.name));
        push(org.department.as_deref());
        push(org.uscc.as_deref());
        push(org.org_code.as_deref());
        push(org.other_id.as_deref());
        if let Some(rep) = &org.legal_rep {
            push(Some(&rep.name));
            push(Some(&rep.id_number));
        }
    }
    push(Some(&data.handler.name));
    push(Some(&data.handler.id_number));
    push(data.handler.mobile.as_deref());
    for e in &data.employees {
        push(Some(&e.name));
        push(Some(&e.id_number));
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Identifiers of a case for prefix search: upper case, without separators.
pub(crate) fn identifiers(number: &str, data: &CaseData) -> Vec<String> {
    let mut out = vec![number.to_string()];
    if let Some(org) = &data.organization {
        out.extend([&org.uscc, &org.org_code, &org.other_id].into_iter().flatten().cloned());
        if let Some(rep) = &org.legal_rep {
            out.push(rep.id_number.clone());
        }
    }
    out.push(data.handler.id_number.clone());
    out.extend(data.handler.mobile.clone());
    out.extend(data.employees.iter().map(|e| e.id_number.clone()));
    let mut out: Vec<String> = out.into_iter().map(|s| ident_key(&s)).filter(|s| !s.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

/// How identifiers are compared: NFKC, no spaces or hyphens, upper case.
pub(crate) fn ident_key(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// A typed term that looks like the start of an identifier: three or more ASCII letters and
/// digits with at least one digit.
pub(crate) fn identifier_prefix(term: &str) -> Option<String> {
    let key = ident_key(term);
    (key.chars().count() >= 3 && key.chars().all(|c| c.is_ascii_alphanumeric()) && key.chars().any(|c| c.is_ascii_digit())).then_some(key)
}

/// Body of the trigram index: the fields, one per line, NFKC-folded.
pub(crate) fn trigram_body(fields: &[String]) -> String {
    fields.iter().map(|f| f.nfkc().collect::<String>()).collect::<Vec<_>>().join("\n")
}

/// Body of the short-query index: every CJK character and every pair of neighbours as a
/// token, and each ASCII run as a token of its own.
pub(crate) fn grams_body(fields: &[String]) -> String {
    let mut tokens: Vec<String> = Vec::new();
    for field in fields {
        let folded: String = field.nfkc().collect();
        let mut ascii = String::new();
        let mut run: Vec<char> = Vec::new();
        let flush_run = |run: &mut Vec<char>, tokens: &mut Vec<String>| {
            for (i, c) in run.iter().enumerate() {
                tokens.push(c.to_string());
                if let Some(next) = run.get(i + 1) {
                    tokens.push(format!("{c}{next}"));
                }
            }
            run.clear();
        };
        for c in folded.chars() {
            if is_cjk(c) {
                if !ascii.is_empty() {
                    tokens.push(std::mem::take(&mut ascii));
                }
                run.push(c);
            } else {
                flush_run(&mut run, &mut tokens);
                if c.is_ascii_alphanumeric() {
                    ascii.push(c);
                } else if !ascii.is_empty() {
                    tokens.push(std::mem::take(&mut ascii));
                }
            }
        }
        flush_run(&mut run, &mut tokens);
        if !ascii.is_empty() {
            tokens.push(ascii);
        }
    }
    tokens.join(" ")
}

/// Which index answers a term, and the FTS5 query for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TermQuery {
    Trigram(String),
    Grams(String),
}

fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Splits what was typed into terms (all must match) and routes each.
pub(crate) fn plan(query: &str) -> Vec<TermQuery> {
    let folded: String = query.nfkc().collect();
    folded
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|t| !t.is_empty())
        .map(|term| {
            let len = term.chars().count();
            if len >= 3 {
                TermQuery::Trigram(quote(term))
            } else if term.chars().all(is_cjk) {
                TermQuery::Grams(quote(term))
            } else {
                let ascii: String = term.chars().filter(char::is_ascii_alphanumeric).collect();
                if ascii.is_empty() { TermQuery::Grams(quote(term)) } else { TermQuery::Grams(format!("{}*", quote(&ascii))) }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_of_chinese_and_ascii() {
        let body = grams_body(&["广州市示例".into(), "13800138000".into(), "李明".into()]);
        assert_eq!(body, "广 广州 州 州市 市 市示 示 示例 例 13800138000 李 李明 明");
    }

    #[test]
    fn routing_by_length_and_script() {
        assert_eq!(plan("示例科技"), vec![TermQuery::Trigram("\"示例科技\"".into())]);
        assert_eq!(plan("示例"), vec![TermQuery::Grams("\"示例\"".into())]);
        assert_eq!(plan("王"), vec![TermQuery::Grams("\"王\"".into())]);
        assert_eq!(plan("13"), vec![TermQuery::Grams("\"13\"*".into())]);
        assert_eq!(plan("９１４４"), vec![TermQuery::Trigram("\"9144\"".into())]);
        assert_eq!(plan(" 广州  张伟 "), vec![TermQuery::Grams("\"广州\"".into()), TermQuery::Grams("\"张伟\"".into())]);
        assert!(plan("  ").is_empty());
    }
}
