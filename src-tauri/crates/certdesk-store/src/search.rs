//! Search as a clerk types. Owns what text of a case is searchable, its index rows and how a
//! typed query becomes a query of the index, in both dialects: three or more characters go to
//! the trigram index (FTS5 `trigram`; `pg_trgm` GIN under `ILIKE` on PostgreSQL, `LIKE` for a
//! term without case: any substring, Chinese or not); one or two Chinese characters go to the unigram/bigram index
//! (FTS5 `unicode61`; a `tsvector` of the same tokens on PostgreSQL); one or two ASCII
//! characters are a prefix of an identifier, mobile number or case number. Results come
//! newest first, so a common fragment still answers at once (on PostgreSQL from a window of
//! the newest rows, a wider one, or the GIN index: `postgres_ids`).

use crate::db::{Dialect, Val};
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

/// Which index answers a term, and the term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TermQuery {
    /// a substring of three or more characters
    Trigram(String),
    /// a whole token of the grams index (one or two CJK characters)
    Grams(String),
    /// the start of an ASCII token of the grams index
    Prefix(String),
}

impl TermQuery {
    /// The FTS5 query of the term, and its table.
    fn fts5(&self) -> (&'static str, String) {
        match self {
            TermQuery::Trigram(t) => ("case_text", quote(t)),
            TermQuery::Grams(t) => ("case_grams", quote(t)),
            TermQuery::Prefix(t) => ("case_grams", format!("{}*", quote(t))),
        }
    }

    /// The condition on PostgreSQL's `case_text` row and its argument, as `?n`.
    fn postgres(&self, n: usize) -> (String, String) {
        // a tsquery lexeme in quotes: quotes and backslashes doubled
        let lexeme = |t: &str| format!("'{}'", t.to_lowercase().replace('\\', "\\\\").replace('\'', "''"));
        match self {
            TermQuery::Trigram(t) => {
                // ILIKE folds every character of every row it reads (≈ 6× the time of LIKE on
                // Chinese text); a term without upper or lower case (Chinese, digits) matches
                // the same rows under LIKE: no other character folds to a caseless one
                let op = if t.chars().all(caseless) { "LIKE" } else { "ILIKE" };
                (format!("body {op} ?{n}"), format!("%{}%", t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
            }
            TermQuery::Grams(t) => (format!("grams @@ CAST(CAST(?{n} AS text) AS tsquery)"), lexeme(t)),
            TermQuery::Prefix(t) => (format!("grams @@ CAST(CAST(?{n} AS text) AS tsquery)"), format!("{}:*", lexeme(t))),
        }
    }
}

/// The query of the ids of the cases matching every term, newest first, at most `limit`, and
/// its arguments.
pub(crate) fn case_ids(dialect: Dialect, terms: &[TermQuery], limit: usize) -> (String, Vec<Val>) {
    let mut conditions = Vec::new();
    let mut args = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let (condition, arg) = match dialect {
            Dialect::Sqlite => {
                let (table, q) = term.fts5();
                (format!("SELECT rowid FROM {table} WHERE {table} MATCH ?{}", i + 1), q)
            }
            Dialect::Postgres => term.postgres(i + 1),
        };
        conditions.push(condition);
        args.push(Val::Text(arg));
    }
    let ids = match dialect {
        Dialect::Sqlite if conditions.len() == 1 => format!("{} ORDER BY rowid DESC LIMIT {limit}", conditions[0]),
        Dialect::Sqlite => format!("SELECT rowid FROM ({}) ORDER BY rowid DESC LIMIT {limit}", conditions.join(" INTERSECT ")),
        Dialect::Postgres => postgres_ids(&conditions.join(" AND "), limit),
    };
    (ids, args)
}

/// PostgreSQL's newest `limit` ids matching `condition`, in steps whatever the planner guesses
/// about a fragment: the newest rows first (the primary key walked backwards over a window of
/// about √(cases × limit) rows, the condition a filter). When that window holds fewer than
/// `limit` matches but at least [`wider_from`]`(limit)`, the fragment is common enough that a
/// wider window, sized from the matches found (1.5 × limit × window ÷ found), is cheaper than
/// rechecking its thousands of matches from the index. Otherwise (or if the wider window still
/// falls short) the fragment is rare, and the trigram/grams GIN index finds every match (a
/// materialized CTE: no `ORDER BY` the primary key could serve), sorted. Left to itself the
/// planner walked the primary key for rare fragments it took for common ones: the whole table
/// filtered (#17). Every step gives SQLite's answer: a window's matches are the newest.
fn postgres_ids(condition: &str, limit: usize) -> String {
    let wider_from = wider_from(limit);
    format!(
        "WITH span AS MATERIALIZED (\
           SELECT top, greatest({MIN_WINDOW}, CAST(sqrt(top * CAST({limit} AS float8)) AS bigint)) AS w \
           FROM (SELECT coalesce(max(case_id), 0) AS top FROM case_text) t), \
         newest AS MATERIALIZED (\
           SELECT case_id FROM (\
             SELECT case_id, body, grams FROM case_text WHERE case_id > (SELECT top - w FROM span) \
             ORDER BY case_id DESC OFFSET 0) n \
           WHERE {condition} LIMIT {limit}), \
         found AS MATERIALIZED (SELECT count(*) AS k FROM newest), \
         wider AS MATERIALIZED (\
           SELECT case_id FROM (\
             SELECT case_id, body, grams FROM case_text \
             WHERE case_id > (SELECT top - CAST(ceil(1.5 * {limit} * w / greatest(k, 1)) AS bigint) FROM span, found) \
               AND (SELECT k FROM found) BETWEEN {wider_from} AND {limit} - 1 \
             ORDER BY case_id DESC OFFSET 0) n \
           WHERE {condition} LIMIT {limit}), \
         matching AS MATERIALIZED (SELECT case_id FROM case_text WHERE {condition}) \
         SELECT case_id FROM newest WHERE (SELECT k FROM found) >= {limit} \
         UNION ALL \
         SELECT case_id FROM wider WHERE (SELECT count(*) FROM wider) >= {limit} \
         UNION ALL \
         (SELECT case_id FROM matching WHERE (SELECT k FROM found) < {limit} AND (SELECT count(*) FROM wider) < {limit} \
          ORDER BY case_id DESC LIMIT {limit})"
    )
}

/// The fewest matches in the first window for which a wider window beats the GIN index: a
/// window row costs about a seventh of a match rechecked from the index (measured on the
/// benchmark's hall: ≈ 0.7 µs against ≈ 5 µs), so with `k` of `limit` matches found among `w`
/// of `n` rows the wider window (≈ limit·w/k rows) wins once 7·k·n/w > limit·w/k, that is
/// k² > 7·limit (w² ≈ n·limit).
fn wider_from(limit: usize) -> usize {
    ((7 * limit) as f64).sqrt().ceil() as usize
}

/// A character that neither upper- nor lower-casing changes.
fn caseless(c: char) -> bool {
    c.to_lowercase().eq(std::iter::once(c)) && c.to_uppercase().eq(std::iter::once(c))
}

/// The smallest window of newest rows PostgreSQL's search filters before it asks the GIN index.
const MIN_WINDOW: i64 = 1000;

/// The statements that remove a case's search rows (`?1` its id) before it is indexed again.
pub(crate) fn unindex_statements(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Sqlite => &["DELETE FROM case_text WHERE rowid = ?1", "DELETE FROM case_grams WHERE rowid = ?1", "DELETE FROM case_idents WHERE case_id = ?1"],
        Dialect::Postgres => &["DELETE FROM case_text WHERE case_id = ?1", "DELETE FROM case_idents WHERE case_id = ?1"],
    }
}

/// The text index rows of case `id` with `fields`: the statements and their arguments.
pub(crate) fn index_rows(dialect: Dialect, id: i64, fields: &[String]) -> Vec<(&'static str, Vec<Val>)> {
    match dialect {
        Dialect::Sqlite => vec![
            ("INSERT INTO case_text (rowid, body) VALUES (?1, ?2)", vec![Val::Int(id), Val::Text(trigram_body(fields))]),
            ("INSERT INTO case_grams (rowid, body) VALUES (?1, ?2)", vec![Val::Int(id), Val::Text(grams_body(fields))]),
        ],
        // unicode61 folds case; a tsvector takes its lexemes as they are, so they are folded here
        Dialect::Postgres => vec![(
            "INSERT INTO case_text (case_id, body, grams) VALUES (?1, ?2, array_to_tsvector(CAST(CAST(?3 AS text) AS text[])))",
            vec![Val::Int(id), Val::Text(trigram_body(fields)), Val::Text(text_array(&grams_body(fields).to_lowercase()))],
        )],
    }
}

/// Space-separated tokens as a PostgreSQL array literal (`{"a","b"}`).
fn text_array(tokens: &str) -> String {
    let items: Vec<String> = tokens.split(' ').filter(|t| !t.is_empty()).map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    format!("{{{}}}", items.join(","))
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
                TermQuery::Trigram(term.to_string())
            } else if term.chars().all(is_cjk) {
                TermQuery::Grams(term.to_string())
            } else {
                let ascii: String = term.chars().filter(char::is_ascii_alphanumeric).collect();
                if ascii.is_empty() { TermQuery::Grams(term.to_string()) } else { TermQuery::Prefix(ascii) }
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
        let fts5 = |q: &str| plan(q).iter().map(TermQuery::fts5).collect::<Vec<_>>();
        assert_eq!(fts5("示例科技"), vec![("case_text", "\"示例科技\"".into())]);
        assert_eq!(fts5("示例"), vec![("case_grams", "\"示例\"".into())]);
        assert_eq!(fts5("王"), vec![("case_grams", "\"王\"".into())]);
        assert_eq!(fts5("13"), vec![("case_grams", "\"13\"*".into())]);
        assert_eq!(fts5("９１４４"), vec![("case_text", "\"9144\"".into())]);
        assert_eq!(fts5(" 广州  张伟 "), vec![("case_grams", "\"广州\"".into()), ("case_grams", "\"张伟\"".into())]);
        assert!(plan("  ").is_empty());
    }

    #[test]
    fn postgres_terms_are_escaped() {
        let pg = |q: &str| plan(q).iter().map(|t| t.postgres(1).1).collect::<Vec<_>>();
        assert_eq!(pg(r"50%_a\b"), vec![r"%50\%\_a\\b%".to_string()]);
        assert_eq!(pg("王"), vec!["'王'".to_string()]);
        assert_eq!(pg("Ab"), vec!["'ab':*".to_string()]);
        assert_eq!(pg("'"), vec!["''''".to_string()]);
        assert_eq!(text_array(r#"a "b""#), r#"{"a","\"b\""}"#);
        let op = |q: &str| plan(q)[0].postgres(1).0;
        for (q, expect) in [("示例科技", "body LIKE ?1"), ("4401061985", "body LIKE ?1"), ("ma59", "body ILIKE ?1"), ("示例Ｂ", "body ILIKE ?1"), ("ÄÖÜ", "body ILIKE ?1")]
        {
            assert_eq!(op(q), expect, "{q}");
        }
    }
}
