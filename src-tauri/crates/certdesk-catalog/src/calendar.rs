//! The State Council's holiday notices as data (`forms/_calendar/<year>.toml`, #73): parsed
//! and checked into the domain's `YearNotice`s, one file per year named after it. Owns the
//! file format (`forms/_calendar/README.md`); not what a working day is
//! (`certdesk_domain::workdays`).

use crate::{FormsTree, Lint};
use certdesk_domain::workdays::{DaysOff, YearNotice};
use chrono::NaiveDate;

/// Where the notices are in a forms tree.
pub const FOLDER: &str = "_calendar";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFile {
    year: i32,
    source: String,
    #[serde(default)]
    off: Vec<OffRun>,
    #[serde(default)]
    worked: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OffRun {
    name: String,
    from: String,
    to: String,
}

/// One notice file's text, checked; `shown` names it in a problem.
pub fn parse_notice(shown: &str, text: &str) -> Result<YearNotice, Lint> {
    let lint = |message: String| Lint { file: shown.to_string(), line: None, message };
    let file: NoticeFile = toml::from_str(text).map_err(|e| lint(e.to_string()))?;
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| lint(format!("{s:?} is not a date (YYYY-MM-DD)")));
    let off = file.off.iter().map(|r| Ok(DaysOff { name: r.name.clone(), from: date(&r.from)?, to: date(&r.to)? })).collect::<Result<Vec<_>, Lint>>()?;
    let worked = file.worked.iter().map(|s| date(s)).collect::<Result<Vec<_>, Lint>>()?;
    if file.source.trim().is_empty() {
        return Err(lint("source: the notice's title is needed".into()));
    }
    let notice = YearNotice { year: file.year, source: file.source, off, worked };
    notice.check().map_err(|e| lint(e.to_string()))?;
    Ok(notice)
}

/// Every notice of `tree` (`_calendar/<year>.toml`), and the problems of those that are wrong.
pub fn notices(tree: &FormsTree) -> (Vec<YearNotice>, Vec<Lint>) {
    let (mut found, mut lints) = (Vec::new(), Vec::new());
    for (rel, bytes) in tree.files.iter().filter(|(p, _)| p.starts_with(&format!("{FOLDER}/")) && p.ends_with(".toml")) {
        let shown = format!("{}/{rel}", tree.origin);
        let Ok(text) = std::str::from_utf8(bytes) else {
            lints.push(Lint { file: shown, line: None, message: "not UTF-8 text".into() });
            continue;
        };
        match parse_notice(&shown, text) {
            Ok(n) if rel.trim_start_matches(&format!("{FOLDER}/")) != format!("{}.toml", n.year) => {
                lints.push(Lint { file: shown, line: None, message: format!("the notice of {} must be named {}.toml", n.year, n.year) })
            }
            Ok(n) => found.push(n),
            Err(l) => lints.push(l),
        }
    }
    (found, lints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_notices_load_and_a_wrong_one_is_named() {
        let (found, lints) = notices(&FormsTree::embedded());
        assert!(lints.is_empty(), "{lints:?}");
        assert_eq!(found.iter().map(|n| n.year).collect::<Vec<_>>(), [2024, 2025]);
        assert!(found[1].source.contains("国办发明电〔2024〕12号"));
        let bad = parse_notice("x.toml", "year = 2025\nsource = \"t\"\nworked = [\"2025-10-14\"]\n").unwrap_err();
        assert!(bad.message.contains("2025-10-14") && bad.message.contains("weekend"), "{bad}");
        assert!(parse_notice("x.toml", "year = 2025\nsource = \"t\"\nworked = [\"10/11/2025\"]\n").unwrap_err().message.contains("not a date"));
        assert!(parse_notice("x.toml", "year = 2025\nsource = \"t\"\nholidays = []\n").is_err(), "unknown keys are errors");
    }
}
