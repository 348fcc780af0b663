//! The layout language of `forms/LAYOUT.md` as serde types, parsed with the line of every
//! problem. Owns what a well-formed layout is (keys, kinds, column widths that fit the page,
//! spans that fit the columns, templates that parse). Does not know cases: filling in is
//! `engine`, and whether a path exists is checked there against a sample context.

use crate::template::Template;
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub page: PageSetup,
    /// Fields the form cannot be printed without (the CA's 业务单号 in its barcode): printing
    /// is refused, naming the field, while one is empty.
    #[serde(default)]
    pub requires: Vec<Required>,
    pub pages: Vec<Spanned<PageTemplate>>,
}

/// A field a form needs: its template path and the name the clerk knows it by.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub field: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageSetup {
    #[serde(default = "a4")]
    pub size: [f32; 2],
    #[serde(default = "margins")]
    pub margin: [f32; 4],
    #[serde(default = "font_size")]
    pub font_size: f32,
    #[serde(default = "line_height")]
    pub line_height: f32,
}

fn a4() -> [f32; 2] {
    [210.0, 297.0]
}
fn margins() -> [f32; 4] {
    [15.0, 18.0, 15.0, 18.0]
}
fn font_size() -> f32 {
    10.5
}
fn line_height() -> f32 {
    1.4
}

impl Default for PageSetup {
    fn default() -> Self {
        PageSetup { size: a4(), margin: margins(), font_size: font_size(), line_height: line_height() }
    }
}

impl PageSetup {
    pub fn content_width(&self) -> f32 {
        self.size[0] - self.margin[1] - self.margin[3]
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageTemplate {
    #[serde(default)]
    pub repeat: Option<String>,
    #[serde(default)]
    pub per_page: Option<usize>,
    pub blocks: Vec<Spanned<Block>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VAlign {
    Top,
    #[default]
    Middle,
    Bottom,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    Text {
        text: String,
        #[serde(default)]
        size: Option<f32>,
        #[serde(default)]
        bold: bool,
        #[serde(default)]
        align: Align,
        #[serde(default)]
        indent: f32,
        /// Print the block only when this holds: `PATH=VALUE`, `PATH!=VALUE` or `PATH`.
        #[serde(default)]
        when: Option<String>,
        #[serde(default)]
        space_before: f32,
        #[serde(default = "space_after")]
        space_after: f32,
    },
    Table {
        columns: Vec<f32>,
        #[serde(default = "yes")]
        border: bool,
        #[serde(default)]
        header_rows: usize,
        #[serde(default)]
        size: Option<f32>,
        #[serde(default)]
        repeat: Option<String>,
        rows: Vec<Row>,
        /// Print the block only when this holds: `PATH=VALUE`, `PATH!=VALUE` or `PATH`.
        #[serde(default)]
        when: Option<String>,
        #[serde(default)]
        space_before: f32,
        #[serde(default = "space_after")]
        space_after: f32,
    },
    Barcode {
        value: String,
        width: f32,
        height: f32,
        #[serde(default)]
        align: Align,
        #[serde(default = "yes")]
        human_readable: bool,
        /// Print the block only when this holds: `PATH=VALUE`, `PATH!=VALUE` or `PATH`.
        #[serde(default)]
        when: Option<String>,
        #[serde(default)]
        space_before: f32,
        #[serde(default = "space_after")]
        space_after: f32,
    },
    Qrcode {
        value: String,
        size: f32,
        #[serde(default)]
        align: Align,
        /// Print the block only when this holds: `PATH=VALUE`, `PATH!=VALUE` or `PATH`.
        #[serde(default)]
        when: Option<String>,
        #[serde(default)]
        space_before: f32,
        #[serde(default = "space_after")]
        space_after: f32,
    },
    Spacer {
        height: f32,
        /// Print the block only when this holds: `PATH=VALUE`, `PATH!=VALUE` or `PATH`.
        #[serde(default)]
        when: Option<String>,
        #[serde(default)]
        space_before: f32,
        #[serde(default)]
        space_after: f32,
    },
    PageBreak {
        /// Print the block only when this holds: `PATH=VALUE`, `PATH!=VALUE` or `PATH`.
        #[serde(default)]
        when: Option<String>,
        #[serde(default)]
        space_before: f32,
        #[serde(default)]
        space_after: f32,
    },
}

fn yes() -> bool {
    true
}
fn space_after() -> f32 {
    1.5
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub height: f32,
    pub cells: Vec<Cell>,
    #[serde(default)]
    pub template: bool,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default = "one")]
    pub span: usize,
    #[serde(default = "one")]
    pub rowspan: usize,
    #[serde(default)]
    pub align: Align,
    #[serde(default)]
    pub valign: VAlign,
    #[serde(default)]
    pub size: Option<f32>,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub border: Option<bool>,
    #[serde(default)]
    pub boxes: Option<String>,
    #[serde(default)]
    pub count: Option<usize>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
}

fn one() -> usize {
    1
}

/// A problem in a layout file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayoutLint {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for LayoutLint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// The image slots a cell may name: the unit's 公章, the 法人章, the legal representative's own
/// signature (法人签字, #74: the unit's, never an employee's) and a holder's signature.
pub const IMAGE_SLOTS: [&str; 4] = ["seal:official_seal", "seal:legal_rep_seal", "seal:legal_rep_signature", "seal:signature"];

impl Layout {
    /// Whether the layout has any seal box (`seal:` image cell): the form collects the
    /// applicant's seal samples (#79).
    pub fn has_seal_boxes(&self) -> bool {
        !self.seal_boxes().is_empty()
    }

    /// The seal slots of the layout's collection boxes, row by row, top to bottom, one per box
    /// (`official_seal`, `legal_rep_seal`, `legal_rep_signature`, `signature`): what each box
    /// of this sheet is for, as printed. Most rows are boxes for one thing; CFCA's one row is
    /// 企业公章 | 法人方章 | 法人签字 (#74).
    pub fn seal_boxes(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for page in &self.pages {
            for block in &page.get_ref().blocks {
                if let Block::Table { rows, .. } = block.get_ref() {
                    for row in rows {
                        let slots: Vec<String> = row.cells.iter().filter_map(|c| c.image.as_deref().and_then(|i| i.strip_prefix("seal:"))).map(str::to_string).collect();
                        if !slots.is_empty() {
                            out.push(slots);
                        }
                    }
                }
            }
        }
        out
    }
}

impl Block {
    pub fn when(&self) -> Option<&str> {
        match self {
            Block::Text { when, .. }
            | Block::Table { when, .. }
            | Block::Barcode { when, .. }
            | Block::Qrcode { when, .. }
            | Block::Spacer { when, .. }
            | Block::PageBreak { when, .. } => when.as_deref(),
        }
    }

    /// Every template text of the block, for linting.
    pub fn templates(&self) -> Vec<&str> {
        match self {
            Block::Text { text, .. } => vec![text],
            Block::Barcode { value, .. } | Block::Qrcode { value, .. } => vec![value],
            Block::Table { rows, .. } => rows.iter().flat_map(|r| r.cells.iter()).flat_map(|c| c.text.iter().chain(c.caption.iter())).map(String::as_str).collect(),
            Block::Spacer { .. } | Block::PageBreak { .. } => vec![],
        }
    }
}

/// Parses a layout and checks everything that can be checked without a case.
pub fn parse(file: &str, source: &str) -> Result<Layout, Vec<LayoutLint>> {
    let lint = |line, message| LayoutLint { file: file.to_string(), line, message };
    let layout: Layout = toml::from_str(source).map_err(|e| vec![lint(e.span().map(|s| line_of(source, s.start)), e.message().trim().to_string())])?;
    let mut out = Vec::new();
    let width = layout.page.content_width();
    if layout.pages.is_empty() {
        out.push(lint(None, "a layout needs at least one [[pages]]".into()));
    }
    if layout.page.size[0] <= 0.0 || layout.page.size[1] <= 0.0 || width <= 10.0 || layout.page.size[1] - layout.page.margin[0] - layout.page.margin[2] <= 10.0 {
        out.push(lint(None, "page size and margins leave no room to print".into()));
    }
    for page in &layout.pages {
        let page_line = Some(line_of(source, page.span().start));
        let p = page.get_ref();
        if p.repeat.is_some() != p.per_page.is_some() {
            out.push(lint(page_line, "`repeat` and `per_page` go together".into()));
        }
        if p.per_page == Some(0) {
            out.push(lint(page_line, "`per_page` must be at least 1".into()));
        }
        for block in &p.blocks {
            let line = Some(line_of(source, block.span().start));
            let b = block.get_ref();
            if let Some(w) = b.when()
                && let Err(e) = parse_condition(w)
            {
                out.push(lint(line, format!("when {w:?}: {e}")));
            }
            for t in b.templates() {
                if let Err(e) = Template::parse(t) {
                    out.push(lint(line, format!("template {t:?}: {e}")));
                }
            }
            match b {
                Block::Table { columns, rows, header_rows, repeat, .. } => {
                    let total: f32 = columns.iter().sum();
                    if columns.is_empty() || columns.iter().any(|c| *c <= 0.0) {
                        out.push(lint(line, "table `columns` must be positive widths".into()));
                    }
                    if total > width + 0.5 {
                        out.push(lint(line, format!("table columns add up to {total} mm, more than the {width} mm between the margins")));
                    }
                    if *header_rows > rows.len() {
                        out.push(lint(line, format!("header_rows = {header_rows} but the table has {} rows", rows.len())));
                    }
                    let templates = rows.iter().filter(|r| r.template).count();
                    match (repeat.is_some(), templates) {
                        (true, 1) | (false, 0) => {}
                        (true, n) => out.push(lint(line, format!("a table with `repeat` needs exactly one row with template = true (found {n})"))),
                        (false, _) => out.push(lint(line, "a row with template = true needs `repeat` on its table".into())),
                    }
                    check_grid(columns.len(), rows, &mut |m| out.push(lint(line, m)));
                    for cell in rows.iter().flat_map(|r| &r.cells) {
                        if cell.boxes.is_some() != cell.count.is_some() {
                            out.push(lint(line, "`boxes` and `count` go together".into()));
                        }
                        if let Some(img) = &cell.image
                            && !IMAGE_SLOTS.contains(&img.as_str())
                        {
                            out.push(lint(line, format!("image {img:?}: expected one of {}", IMAGE_SLOTS.join(", "))));
                        }
                        if cell.size.is_some_and(|s| !(4.0..=40.0).contains(&s)) {
                            out.push(lint(line, "cell size must be between 4 and 40 pt".into()));
                        }
                    }
                    for r in rows {
                        if r.height <= 0.0 {
                            out.push(lint(line, "row height must be positive".into()));
                        }
                    }
                }
                Block::Text { size: Some(s), .. } if !(4.0..=40.0).contains(s) => out.push(lint(line, "text size must be between 4 and 40 pt".into())),
                Block::Barcode { width: w, height: h, .. } if *w <= 0.0 || *h <= 0.0 || *w > width => {
                    out.push(lint(line, format!("barcode must be 0 < width ≤ {width} mm and height > 0")))
                }
                Block::Qrcode { size, .. } if *size <= 5.0 || *size > width => out.push(lint(line, format!("qrcode size must be between 5 and {width} mm"))),
                _ => {}
            }
        }
    }
    if out.is_empty() { Ok(layout) } else { Err(out) }
}

/// A block condition: (path, Some((equal?, value))) or (path, None) for "non-empty".
pub fn parse_condition(text: &str) -> Result<(String, Option<(bool, String)>), String> {
    let (path, test) = if let Some((p, v)) = text.split_once("!=") {
        (p, Some((false, v.trim().to_string())))
    } else if let Some((p, v)) = text.split_once('=') {
        (p, Some((true, v.trim().to_string())))
    } else {
        (text, None)
    };
    let path = path.trim();
    if path.is_empty() || !path.chars().all(|c| c.is_ascii_alphanumeric() || "._[]".contains(c)) {
        return Err("expected PATH, PATH=VALUE or PATH!=VALUE".into());
    }
    Ok((path.to_string(), test))
}

/// Checks that spans and rowspans tile the grid: every row fills exactly its free columns.
fn check_grid(columns: usize, rows: &[Row], report: &mut dyn FnMut(String)) {
    let mut covered = vec![0usize; columns];
    for (ri, row) in rows.iter().enumerate() {
        let mut col = 0;
        for (ci, cell) in row.cells.iter().enumerate() {
            while col < columns && covered[col] > 0 {
                col += 1;
            }
            if cell.span == 0 || cell.rowspan == 0 {
                report(format!("row {} cell {}: span and rowspan must be at least 1", ri + 1, ci + 1));
                return;
            }
            if col + cell.span > columns || (col..col + cell.span).any(|c| covered[c] > 0) {
                report(format!("row {} cell {}: does not fit the {} columns (span {}, starting at column {})", ri + 1, ci + 1, columns, cell.span, col + 1));
                return;
            }
            if ri + cell.rowspan > rows.len() {
                report(format!("row {} cell {}: rowspan {} runs past the last row", ri + 1, ci + 1, cell.rowspan));
                return;
            }
            for c in col..col + cell.span {
                covered[c] = cell.rowspan;
            }
            col += cell.span;
        }
        let free = covered.iter().filter(|&&c| c == 0).count();
        if free > 0 {
            report(format!("row {}: {} column(s) left empty; add cells or spans", ri + 1, free));
            return;
        }
        for c in covered.iter_mut() {
            *c = c.saturating_sub(1);
        }
    }
}
