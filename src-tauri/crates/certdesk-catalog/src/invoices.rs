//! The day's invoice list as the finance office's 开票 tool imports it (#73): its columns as data
//! (`forms/_counter/invoice-export.toml`: a header and the field or fixed text that fills it),
//! parsed and checked. Owns the file format; which cases are on the list and what their fields
//! hold is `certdesk_desk::invoices`.

use crate::{FormsTree, Lint};

/// Where the columns are in a forms tree.
pub const FILE: &str = "_counter/invoice-export.toml";

/// The fields a column may take.
pub const FIELDS: [&str; 15] =
    ["case", "kind", "title", "taxpayer_id", "address_phone", "bank_account", "address", "phone", "bank", "account", "amount", "mobile", "email", "done", "project"];

/// One column: its header and what fills it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceColumn {
    pub header: String,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

/// The invoice list's layout.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceExport {
    pub title: String,
    pub columns: Vec<InvoiceColumn>,
}

/// The layout of `tree`, if it has one, or what is wrong with it.
pub fn invoice_export(tree: &FormsTree) -> Result<Option<InvoiceExport>, Lint> {
    let shown = format!("{}/{FILE}", tree.origin);
    let Some(bytes) = tree.file(FILE) else { return Ok(None) };
    let lint = |message: String| Lint { file: shown.clone(), line: None, message };
    let text = std::str::from_utf8(bytes).map_err(|_| lint("not UTF-8".into()))?;
    let layout: InvoiceExport = toml::from_str(text).map_err(|e| lint(e.to_string()))?;
    if layout.columns.is_empty() {
        return Err(lint("no [[columns]]".into()));
    }
    for c in &layout.columns {
        match (&c.field, &c.value) {
            (Some(f), None) if FIELDS.contains(&f.as_str()) => {}
            (Some(f), None) => return Err(lint(format!("column {:?}: unknown field {f:?} (known: {})", c.header, FIELDS.join(", ")))),
            (None, Some(_)) => {}
            _ => return Err(lint(format!("column {:?}: give `field` or `value`, one of them", c.header))),
        }
        if c.header.trim().is_empty() {
            return Err(lint("a column without a header".into()));
        }
    }
    Ok(Some(layout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> FormsTree {
        let mut t = FormsTree { origin: "test".into(), ..Default::default() };
        t.files.insert(FILE.into(), text.as_bytes().to_vec());
        t
    }

    #[test]
    fn the_shipped_layout_loads_and_a_wrong_one_is_refused_naming_the_column() {
        let shipped = invoice_export(&FormsTree::embedded()).unwrap().expect("the counter's invoice list");
        assert!(shipped.columns.iter().any(|c| c.field.as_deref() == Some("taxpayer_id")));
        let err = invoice_export(&tree("title = \"x\"\n[[columns]]\nheader = \"税号\"\nfield = \"tax\"\n")).unwrap_err();
        assert!(err.message.contains("税号") && err.message.contains("tax"), "{err}");
        let err = invoice_export(&tree("title = \"x\"\n[[columns]]\nheader = \"税号\"\nfield = \"case\"\nvalue = \"a\"\n")).unwrap_err();
        assert!(err.message.contains("one of them"), "{err}");
        assert_eq!(invoice_export(&FormsTree::default()).unwrap(), None);
    }
}
