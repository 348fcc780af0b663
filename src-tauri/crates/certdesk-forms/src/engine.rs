//! The layout engine: a layout and a context in, pages of positioned primitives out (the
//! intermediate form that tests snapshot). Owns flowing blocks down the page and onto new
//! pages, wrapping and shrinking text with the real font metrics, ruled tables with spans,
//! repeated rows and header rows (a row taller than a page split across pages), one-character
//! boxes, Code128 and QR symbols, and the refusal of characters no font has. Does not write
//! PDF: `pdf`.

use crate::barcode;
use crate::fonts::{FaceRef, FontSet, PT_MM};
use crate::layout::{Align, Block, Cell, Layout, PageSetup, Row, VAlign};
use crate::template::{Template, lookup};
use serde::Serialize;
use serde_json::{Value, json};

/// A page of the intermediate form: millimetres from the top-left.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Item {
    /// A run of text in one face; `y` is the baseline. `bold` text is the regular outline
    /// stroked as well as filled; `spacing` (mm) is added after every character (justified
    /// lines).
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: FaceRef,
        #[serde(skip_serializing_if = "is_false")]
        bold: bool,
        #[serde(skip_serializing_if = "is_zero")]
        spacing: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A filled rectangle (barcode bars, QR modules).
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// An image file placed in a box.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        path: String,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(v: &f32) -> bool {
    *v == 0.0
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error("no font has the character '{ch}' ({code}) in {field} of form {form}; add a font that has it to the fallback fonts (CERTDESK_FALLBACK_FONTS)")]
    MissingGlyph { ch: char, code: String, field: String, form: String },
    #[error("form {form}: {what}")]
    Barcode { form: String, what: String },
}

const PAD_X: f32 = 1.2;
const PAD_Y: f32 = 0.8;
const MIN_SIZE: f32 = 6.0;
const CAPTION_SIZE: f32 = 6.5;
/// Ascent of the CJK faces, as a share of the size: where the baseline sits below a line's top.
const ASCENT: f32 = 0.86;

struct Engine<'a> {
    fonts: &'a FontSet,
    setup: &'a PageSetup,
    form: &'a str,
    pages: Vec<Page>,
    y: f32,
    ctx: Value,
}

fn closing_punct(c: char) -> bool {
    "，。、；：？！）」』》〉】”’,.;:?!)]}%".contains(c)
}

fn opening_punct(c: char) -> bool {
    "（「『《〈【“‘([{".contains(c)
}

/// Characters that stay together on a line: ASCII words, numbers, e-mail addresses, URLs.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "@._-/+:%#=?&~".contains(c)
}

impl<'a> Engine<'a> {
    fn bottom(&self) -> f32 {
        self.setup.size[1] - self.setup.margin[2]
    }
    fn left(&self) -> f32 {
        self.setup.margin[3]
    }
    fn width(&self) -> f32 {
        self.setup.content_width()
    }
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.new_page();
        }
        self.pages.last_mut().expect("a page")
    }
    fn new_page(&mut self) {
        self.pages.push(Page { width: self.setup.size[0], height: self.setup.size[1], items: Vec::new() });
        self.y = self.setup.margin[0];
        let n = self.pages.len();
        self.ctx["page"]["number"] = n.into();
    }
    fn line_mm(&self, size: f32) -> f32 {
        size * PT_MM * self.setup.line_height
    }

    /// Fills a template, refusing characters that no font can print.
    fn fill(&self, text: &str) -> Result<String, EngineError> {
        // layouts were linted when loaded; a template that still does not parse prints as-is
        let Ok(t) = Template::parse(text) else { return Ok(text.to_string()) };
        let mut out = String::new();
        for (path, piece) in t.render_pieces(&self.ctx) {
            self.check_glyphs(&piece, path.unwrap_or("the layout's own text"))?;
            out.push_str(&piece);
        }
        Ok(out)
    }

    fn check_glyphs(&self, text: &str, field: &str) -> Result<(), EngineError> {
        for c in text.chars() {
            if !c.is_control() && self.fonts.face_for(c).is_none() {
                return Err(EngineError::MissingGlyph { ch: c, code: format!("U+{:04X}", c as u32), field: field.to_string(), form: self.form.to_string() });
            }
        }
        Ok(())
    }

    /// Breaks `text` into lines no wider than `width` mm (each paragraph's first line
    /// `indent` mm narrower). Returns the lines and whether each starts a paragraph.
    fn wrap_paragraphs(&self, text: &str, width: f32, size: f32, indent: f32) -> Vec<(String, bool)> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let chars: Vec<char> = para.chars().collect();
            let mut start = 0;
            let mut first = true;
            while start < chars.len() {
                let avail = if first { width - indent } else { width };
                let mut w = 0.0;
                let mut end = start;
                let mut last_break = None;
                while end < chars.len() {
                    let cw = self.fonts.width_mm(&chars[end].to_string(), size);
                    // closing punctuation may hang one character past the edge (避头)
                    if w + cw > avail && end > start && !(closing_punct(chars[end]) && w <= avail) {
                        break;
                    }
                    w += cw;
                    if !is_word_char(chars[end]) || end + 1 < chars.len() && !is_word_char(chars[end + 1]) {
                        last_break = Some(end + 1);
                    }
                    end += 1;
                }
                if end < chars.len()
                    && is_word_char(chars[end])
                    && end > start
                    && is_word_char(chars[end - 1])
                    && let Some(b) = last_break.filter(|b| *b > start)
                {
                    end = b;
                }
                // an opening bracket or quote moves to the next line with what it opens
                while end < chars.len() && end > start + 1 && opening_punct(chars[end - 1]) {
                    end -= 1;
                }
                let line: String = chars[start..end].iter().collect();
                lines.push((line.trim_end().to_string(), first));
                start = end;
                while start < chars.len() && chars[start] == ' ' {
                    start += 1;
                }
                first = false;
            }
            if chars.is_empty() {
                lines.push((String::new(), true));
            }
        }
        lines
    }

    fn wrap(&self, text: &str, width: f32, size: f32, indent: f32) -> Vec<String> {
        self.wrap_paragraphs(text, width, size, indent).into_iter().map(|(l, _)| l).collect()
    }

    /// Text at a baseline, split into runs per face.
    fn put_text(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool) {
        self.put_text_spaced(x, baseline, text, size, bold, 0.0);
    }

    /// Text with `spacing` mm after every character (justified lines), split into runs per
    /// face; each run is one item whatever its spacing, so a justified line stays one string.
    fn put_text_spaced(&mut self, x: f32, baseline: f32, text: &str, size: f32, bold: bool, spacing: f32) {
        let mut runs: Vec<(FaceRef, String)> = Vec::new();
        for c in text.chars() {
            let face = self.fonts.face_for(c).unwrap_or(FaceRef::Regular);
            match runs.last_mut() {
                Some((f, s)) if *f == face => s.push(c),
                _ => runs.push((face, c.to_string())),
            }
        }
        let mut x = x;
        for (face, run) in runs {
            let w = self.fonts.width_mm(&run, size) + spacing * run.chars().count() as f32;
            if !run.trim().is_empty() {
                self.page().items.push(Item::Text { x: r(x), y: r(baseline), size: r(size), face, bold, spacing: r4(spacing), text: run });
            }
            x += w;
        }
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.page().items.push(Item::Line { x1: r(x1), y1: r(y1), x2: r(x2), y2: r(y2), width: 0.3 });
    }

    fn rect_lines(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.line(x, y, x + w, y);
        self.line(x + w, y, x + w, y + h);
        self.line(x + w, y + h, x, y + h);
        self.line(x, y + h, x, y);
    }

    fn aligned_x(&self, x: f32, width: f32, text_w: f32, align: Align) -> f32 {
        match align {
            Align::Center => x + (width - text_w) / 2.0,
            Align::Right => x + width - text_w,
            Align::Left | Align::Justify => x,
        }
    }

    fn holds(&self, condition: &str) -> bool {
        let Ok((path, test)) = crate::layout::parse_condition(condition) else { return true };
        let value = lookup(&self.ctx, &path).map(|v| match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        });
        let value = value.unwrap_or_default();
        match test {
            None => !value.is_empty() && value != "false",
            Some((true, v)) => value == v,
            Some((false, v)) => value != v,
        }
    }

    fn block(&mut self, block: &Block, slice: Option<&Slice>) -> Result<(), EngineError> {
        if let Some(w) = block.when()
            && !self.holds(w)
        {
            return Ok(());
        }
        match block {
            Block::Text { text, size, bold, align, indent, space_before, space_after, .. } => {
                self.y += space_before;
                let size = size.unwrap_or(self.setup.font_size);
                let filled = self.fill(text)?;
                let indent_mm = indent * size * PT_MM;
                let lines = self.wrap_paragraphs(&filled, self.width(), size, indent_mm);
                let lh = self.line_mm(size);
                for (i, (line, starts)) in lines.iter().enumerate() {
                    if self.y + lh > self.bottom() {
                        self.new_page();
                    }
                    let first = if *starts { indent_mm } else { 0.0 };
                    let avail = self.width() - first;
                    let w = self.fonts.width_mm(line, size);
                    let x = self.aligned_x(self.left() + first, avail, w, *align);
                    let baseline = self.y + (lh - size * PT_MM) / 2.0 + size * PT_MM * ASCENT;
                    // justify: spread the slack over the gaps, except on a paragraph's last line
                    let last_of_paragraph = lines.get(i + 1).is_none_or(|(_, next_starts)| *next_starts);
                    let gaps = line.chars().count().saturating_sub(1) as f32;
                    if *align == Align::Justify && !last_of_paragraph && gaps > 0.0 && avail > w {
                        self.put_text_spaced(x, baseline, line, size, *bold, (avail - w) / gaps);
                    } else {
                        self.put_text(x, baseline, line, size, *bold);
                    }
                    self.y += lh;
                }
                self.y += space_after;
            }
            Block::Spacer { height, space_before, space_after, .. } => {
                self.y += space_before + height + space_after;
                if self.y > self.bottom() {
                    self.new_page();
                }
            }
            Block::PageBreak { .. } => self.new_page(),
            Block::Barcode { value, width, height, align, human_readable, space_before, space_after, .. } => {
                self.y += space_before;
                let text = self.fill(value)?;
                let text_h = if *human_readable { 4.0 } else { 0.0 };
                if self.y + height + text_h > self.bottom() {
                    self.new_page();
                }
                if !text.is_empty() {
                    let (bars, modules) = barcode::code128_bars(&text).map_err(|e| EngineError::Barcode { form: self.form.into(), what: e.to_string() })?;
                    let module = width / modules as f32;
                    let x0 = self.aligned_x(self.left(), self.width(), *width, *align);
                    let y0 = self.y;
                    for (start, w) in bars {
                        self.page().items.push(Item::Fill { x: r(x0 + start as f32 * module), y: r(y0), w: r(w as f32 * module), h: r(*height) });
                    }
                    if *human_readable {
                        let size = 8.0;
                        let tw = self.fonts.width_mm(&text, size);
                        self.put_text(x0 + (width - tw) / 2.0, y0 + height + 3.2, &text, size, false);
                    }
                }
                self.y += height + text_h + space_after;
            }
            Block::Qrcode { value, size, align, space_before, space_after, .. } => {
                self.y += space_before;
                if self.y + size > self.bottom() {
                    self.new_page();
                }
                let text = self.fill(value)?;
                if !text.is_empty() {
                    let (n, modules) = barcode::qr_modules(&text).map_err(|e| EngineError::Barcode { form: self.form.into(), what: e.to_string() })?;
                    let m = size / (n as f32 + 8.0);
                    let x0 = self.aligned_x(self.left(), self.width(), *size, *align) + 4.0 * m;
                    let y0 = self.y + 4.0 * m;
                    for row in 0..n {
                        let mut col = 0;
                        while col < n {
                            if modules[row * n + col] {
                                let start = col;
                                while col < n && modules[row * n + col] {
                                    col += 1;
                                }
                                self.page().items.push(Item::Fill { x: r(x0 + start as f32 * m), y: r(y0 + row as f32 * m), w: r((col - start) as f32 * m), h: r(m) });
                            } else {
                                col += 1;
                            }
                        }
                    }
                }
                self.y += size + space_after;
            }
            Block::Table { columns, border, header_rows, size, repeat, rows, space_before, space_after, .. } => {
                self.y += space_before;
                let size = size.unwrap_or(self.setup.font_size);
                let expanded = expand_rows(rows, repeat.as_deref(), slice, &self.ctx);
                self.table(columns, *border, (*header_rows).min(rows.len()), size, &expanded)?;
                self.y += space_after;
            }
        }
        Ok(())
    }

    /// Lays a cell's text out at the largest size (from `size` down to the floor) that fits
    /// `height`; returns (size, lines, needed height).
    fn fit(&self, text: &str, width: f32, height: f32, size: f32) -> (f32, Vec<String>, f32) {
        let floor = MIN_SIZE.max(size * 0.7).min(size);
        let mut s = size;
        loop {
            let lines = self.wrap(text, width, s, 0.0);
            let need = lines.len() as f32 * self.line_mm(s) + 2.0 * PAD_Y;
            if need <= height + 0.01 || s <= floor {
                return (s, lines, need);
            }
            s = (s - 0.5).max(floor);
        }
    }

    fn table(&mut self, columns: &[f32], border: bool, header_rows: usize, size: f32, rows: &[ExpandedRow]) -> Result<(), EngineError> {
        // grid placement: (row, col, span, rowspan) for each cell
        let mut placed: Vec<Vec<(usize, &Cell)>> = Vec::new();
        let mut covered = vec![0usize; columns.len()];
        for row in rows {
            let mut col = 0;
            let mut cells = Vec::new();
            for cell in &row.cells {
                while col < columns.len() && covered[col] > 0 {
                    col += 1;
                }
                if col >= columns.len() {
                    break;
                }
                let span = cell.span.clamp(1, columns.len() - col);
                for c in covered.iter_mut().skip(col).take(span) {
                    *c = cell.rowspan.max(1);
                }
                cells.push((col, cell));
                col += span;
            }
            placed.push(cells);
            for c in covered.iter_mut() {
                *c = c.saturating_sub(1);
            }
        }
        let w_of = |col: usize, span: usize| columns[col..(col + span).min(columns.len())].iter().sum::<f32>();

        // filled texts and row heights (cells spanning one row make their row grow)
        let mut texts: Vec<Vec<String>> = Vec::new();
        let mut heights: Vec<f32> = Vec::new();
        for (ri, row) in rows.iter().enumerate() {
            let saved = std::mem::replace(&mut self.ctx["item"], row.item.clone());
            let mut row_texts = Vec::new();
            let mut h = row.height;
            for (col, cell) in &placed[ri] {
                let text = match &cell.text {
                    Some(t) => self.fill(t)?,
                    None => String::new(),
                };
                if cell.rowspan <= 1 && cell.boxes.is_none() && !text.is_empty() {
                    let cs = cell.size.unwrap_or(size);
                    let (_, _, need) = self.fit(&text, w_of(*col, cell.span) - 2.0 * PAD_X, row.height, cs);
                    h = h.max(need);
                }
                row_texts.push(text);
            }
            self.ctx["item"] = saved;
            texts.push(row_texts);
            heights.push(h);
        }

        // a cell spanning rows grows the last of them when its text needs more room
        for (ri, row) in rows.iter().enumerate() {
            for (ci, (col, cell)) in placed[ri].iter().enumerate() {
                let span = cell.rowspan.max(1);
                if span <= 1 || texts[ri][ci].is_empty() {
                    continue;
                }
                let end = (ri + span).min(rows.len());
                let have: f32 = heights[ri..end].iter().sum();
                let saved = std::mem::replace(&mut self.ctx["item"], row.item.clone());
                let (_, _, need) = self.fit(&texts[ri][ci], w_of(*col, cell.span) - 2.0 * PAD_X, have, cell.size.unwrap_or(size));
                self.ctx["item"] = saved;
                if need > have {
                    heights[end - 1] += need - have;
                }
            }
        }

        // rows linked by rowspans stay on one page
        let mut group_end = vec![0usize; rows.len()];
        let mut ri = 0;
        while ri < rows.len() {
            let mut end = ri + 1;
            let mut k = ri;
            while k < end {
                for (_, cell) in &placed[k] {
                    end = end.max(k + cell.rowspan.max(1));
                }
                k += 1;
            }
            let end = end.min(rows.len());
            for g in group_end.iter_mut().take(end).skip(ri) {
                *g = end;
            }
            ri = end;
        }

        let grid = Grid { columns, border, size, header_rows, rows, placed, texts, heights };
        // the most a row can have: a fresh page below the repeated header rows
        let header_h: f32 = grid.heights[..header_rows].iter().sum();
        let page_h = self.bottom() - self.setup.margin[0];
        let mut ri = 0;
        while ri < rows.len() {
            let end = group_end[ri];
            let group_h: f32 = grid.heights[ri..end].iter().sum();
            let room = page_h - if ri >= header_rows { header_h } else { 0.0 };
            if end == ri + 1 && group_h > room + 0.01 {
                self.split_row(&grid, ri)?;
                ri = end;
                continue;
            }
            let at_top = self.y <= self.setup.margin[0] + 0.01;
            if self.y + group_h > self.bottom() && !at_top {
                self.continue_table(&grid, ri)?;
            }
            for k in ri..end {
                self.draw_row(&grid, &rows[k].item, &grid.placed[k], &grid.texts[k], &grid.heights[k..])?;
                self.y += grid.heights[k];
            }
            ri = end;
        }
        Ok(())
    }

    /// Starts a new page for a table that goes on with row `ri`: its header rows first.
    fn continue_table(&mut self, grid: &Grid<'_>, ri: usize) -> Result<(), EngineError> {
        self.new_page();
        if ri >= grid.header_rows {
            for hr in 0..grid.header_rows {
                self.draw_row(grid, &grid.rows[hr].item, &grid.placed[hr], &grid.texts[hr], &grid.heights[hr..grid.header_rows])?;
                self.y += grid.heights[hr];
            }
        }
        Ok(())
    }

    /// Draws row `ri`, taller than a page, in pieces: from here down to the page's bottom,
    /// then on the next pages below the repeated header rows, until every cell's wrapped lines
    /// are printed (a cell goes on where its previous piece ended). One-character boxes,
    /// images and captions print in the first piece; a cell that has printed all its lines is
    /// an empty ruled box in the later pieces, so the grid runs on.
    fn split_row(&mut self, grid: &Grid<'_>, ri: usize) -> Result<(), EngineError> {
        let cells = &grid.placed[ri];
        // each text cell's lines at the size the row was measured with (as `draw_row` lays
        // them out)
        let laid: Vec<Option<(f32, Vec<String>)>> = cells
            .iter()
            .zip(&grid.texts[ri])
            .map(|((col, cell), text)| {
                (cell.boxes.is_none() && !text.is_empty()).then(|| {
                    let (fs, lines, _) = self.fit(text, grid.width(*col, cell.span) - 2.0 * PAD_X, grid.heights[ri], cell.size.unwrap_or(grid.size));
                    (fs, lines)
                })
            })
            .collect();
        let mut next = vec![0usize; cells.len()];
        let (mut first, mut fresh) = (true, self.y <= self.setup.margin[0] + 0.01);
        loop {
            // lines of each cell that fit in a piece reaching the page's bottom
            let room = self.bottom() - self.y - 2.0 * PAD_Y;
            let mut take = vec![0usize; cells.len()];
            let mut starved = false;
            for (ci, laid) in laid.iter().enumerate() {
                let Some((fs, lines)) = laid else { continue };
                let left = lines.len() - next[ci];
                let caption = if first && cells[ci].1.caption.is_some() { 2.5 } else { 0.0 };
                take[ci] = (((room - caption) / self.line_mm(*fs)).floor().max(0.0) as usize).min(left);
                if left > 0 && take[ci] == 0 {
                    // a line taller than a whole page cannot move on: it overflows there
                    take[ci] = usize::from(fresh);
                    starved = !fresh;
                }
            }
            if starved {
                // too little room left here for a line of every cell
                self.continue_table(grid, ri)?;
                fresh = true;
                continue;
            }
            let done = laid.iter().zip(&next).zip(&take).all(|((l, n), t)| l.as_ref().is_none_or(|(_, lines)| n + t == lines.len()));
            let piece_h = if done {
                let need = laid.iter().zip(&take).zip(cells).map(|((l, t), (_, cell))| match l {
                    Some((fs, _)) => *t as f32 * self.line_mm(*fs) + if first && cell.caption.is_some() { 2.5 } else { 0.0 },
                    None => 0.0,
                });
                need.fold(0.0f32, f32::max) + 2.0 * PAD_Y
            } else {
                self.bottom() - self.y
            };
            let mut piece_cells = Vec::with_capacity(cells.len());
            let mut piece_texts = Vec::with_capacity(cells.len());
            for (ci, (_, cell)) in cells.iter().enumerate() {
                let mut c = (*cell).clone();
                match &laid[ci] {
                    Some((fs, lines)) => {
                        // the lines as they were wrapped, at their size: laid out again they
                        // stay the same lines
                        c.size = Some(*fs);
                        if next[ci] + take[ci] < lines.len() {
                            c.valign = VAlign::Top;
                        }
                        piece_texts.push(lines[next[ci]..next[ci] + take[ci]].join("\n"));
                    }
                    None => piece_texts.push(if first { grid.texts[ri][ci].clone() } else { String::new() }),
                }
                if !first {
                    (c.caption, c.boxes, c.image) = (None, None, None);
                }
                piece_cells.push(c);
            }
            let refs: Vec<(usize, &Cell)> = cells.iter().zip(&piece_cells).map(|((col, _), c)| (*col, c)).collect();
            self.draw_row(grid, &grid.rows[ri].item, &refs, &piece_texts, &[piece_h])?;
            self.y += piece_h;
            if done {
                return Ok(());
            }
            for (n, t) in next.iter_mut().zip(&take) {
                *n += t;
            }
            self.continue_table(grid, ri)?;
            (first, fresh) = (false, true);
        }
    }

    /// Draws one row at `self.y`: its `cells` (column, cell) with their filled `texts`;
    /// `heights` are this row's and the following rows' (for cells spanning rows).
    fn draw_row(&mut self, grid: &Grid<'_>, item: &Value, cells: &[(usize, &Cell)], texts: &[String], heights: &[f32]) -> Result<(), EngineError> {
        let (border, size, columns) = (grid.border, grid.size, grid.columns);
        let saved = std::mem::replace(&mut self.ctx["item"], item.clone());
        let top = self.y;
        for (ci, (col, cell)) in cells.iter().enumerate() {
            let x = self.left() + columns[..*col].iter().sum::<f32>();
            let w: f32 = columns[*col..(*col + cell.span).min(columns.len())].iter().sum();
            let h: f32 = heights[..cell.rowspan.max(1).min(heights.len())].iter().sum();
            if cell.border.unwrap_or(border) {
                self.rect_lines(x, top, w, h);
            }
            let cs = cell.size.unwrap_or(size);
            let mut text_x = x + PAD_X;
            let mut text_w = w - 2.0 * PAD_X;
            if let Some(caption) = &cell.caption {
                let caption = self.fill(caption)?;
                self.put_text(x + 1.0, top + 1.0 + CAPTION_SIZE * PT_MM * ASCENT, &caption, CAPTION_SIZE, false);
            }
            let text = &texts[ci];
            if let Some(path) = &cell.boxes {
                let count = cell.count.unwrap_or(18).max(1);
                let value =
                    lookup(&self.ctx, path).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| if v.is_null() { String::new() } else { v.to_string() })).unwrap_or_default();
                self.check_glyphs(&value, path)?;
                if !text.is_empty() {
                    let lw = self.fonts.width_mm(text, cs) + 1.5;
                    let baseline = top + h / 2.0 + cs * PT_MM * (ASCENT - 0.5);
                    self.put_text(text_x, baseline, text, cs, cell.bold);
                    text_x += lw;
                    text_w -= lw;
                }
                // not clamp(): a short cell makes the upper bound fall below 2 mm, where clamp panics
                #[allow(clippy::manual_clamp)]
                let bw = (text_w / count as f32).min(h - 2.0 * PAD_Y).min(8.0).max(2.0);
                let bh = (bw * 1.15).min(h - 2.0 * PAD_Y);
                let by = top + (h - bh) / 2.0;
                text_x = self.aligned_x(text_x, text_w, bw * count as f32, cell.align);
                let chars: Vec<char> = value.chars().collect();
                let char_size = (bh / PT_MM * 0.62).min(cs + 1.0);
                for i in 0..count {
                    let bx = text_x + i as f32 * bw;
                    self.rect_lines(bx, by, bw, bh);
                    if let Some(c) = chars.get(i) {
                        let cw = self.fonts.width_mm(&c.to_string(), char_size);
                        self.put_text(bx + (bw - cw) / 2.0, by + bh / 2.0 + char_size * PT_MM * (ASCENT - 0.5), &c.to_string(), char_size, false);
                    }
                }
                continue;
            }
            if let Some(slot) = &cell.image
                && let Some(path) = self.ctx["seals"].get(slot).and_then(Value::as_str).map(str::to_string)
            {
                let side = (w.min(h) - 4.0).max(5.0);
                let item = Item::Image { x: r(x + (w - side) / 2.0), y: r(top + (h - side) / 2.0), w: r(side), h: r(side), path };
                self.page().items.push(item);
            }
            if text.is_empty() {
                continue;
            }
            let avail_h = h;
            let (fs, lines, _) = self.fit(text, text_w, avail_h, cs);
            let lh = self.line_mm(fs);
            let block_h = lines.len() as f32 * lh;
            let y0 = match cell.valign {
                VAlign::Top => top + PAD_Y + if cell.caption.is_some() { 2.5 } else { 0.0 },
                VAlign::Middle => top + (h - block_h) / 2.0,
                VAlign::Bottom => top + h - PAD_Y - block_h,
            };
            for (i, line) in lines.iter().enumerate() {
                let lw = self.fonts.width_mm(line, fs);
                let lx = self.aligned_x(text_x, text_w, lw, cell.align);
                let baseline = y0 + i as f32 * lh + (lh - fs * PT_MM) / 2.0 + fs * PT_MM * ASCENT;
                self.put_text(lx, baseline, line, fs, cell.bold);
            }
        }
        self.ctx["item"] = saved;
        Ok(())
    }
}

/// Rounds to 1/100 mm so that snapshots stay stable.
fn r(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// Rounds to 1/10000 mm: a justified line's spacing adds up over 40 characters.
fn r4(v: f32) -> f32 {
    (v * 10000.0).round() / 10000.0
}

/// A table laid out for drawing: its rows, each row's cells with their column, their filled
/// texts and the rows' heights.
struct Grid<'t> {
    columns: &'t [f32],
    border: bool,
    size: f32,
    header_rows: usize,
    rows: &'t [ExpandedRow],
    placed: Vec<Vec<(usize, &'t Cell)>>,
    texts: Vec<Vec<String>>,
    heights: Vec<f32>,
}

impl Grid<'_> {
    /// Width of `span` columns from `col`.
    fn width(&self, col: usize, span: usize) -> f32 {
        self.columns[col..(col + span).min(self.columns.len())].iter().sum()
    }
}

/// A row to draw, with the repeat item it shows (an empty object for blank rows).
struct ExpandedRow {
    height: f32,
    cells: Vec<Cell>,
    item: Value,
}

/// The items a repeating page template shows on this page.
struct Slice {
    path: String,
    items: Vec<Value>,
    /// Index of the first item on this page.
    offset: usize,
    per_page: usize,
}

fn expand_rows(rows: &[Row], repeat: Option<&str>, slice: Option<&Slice>, ctx: &Value) -> Vec<ExpandedRow> {
    let mut out = Vec::new();
    for row in rows {
        if !row.template {
            out.push(ExpandedRow { height: row.height, cells: row.cells.clone(), item: json!({}) });
            continue;
        }
        let path = repeat.unwrap_or_default();
        let (items, offset, fill_to): (Vec<Value>, usize, usize) = match slice {
            Some(s) if s.path == path => (s.items.clone(), s.offset, s.per_page),
            _ => {
                let all = lookup(ctx, path).and_then(|v| v.as_array().cloned()).unwrap_or_default();
                let n = all.len();
                (all, 0, n)
            }
        };
        for i in 0..fill_to.max(items.len()) {
            let item = match items.get(i) {
                Some(Value::Object(m)) => {
                    let mut m = m.clone();
                    m.insert("index".into(), (offset + i + 1).into());
                    Value::Object(m)
                }
                Some(other) => json!({ "value": other, "index": offset + i + 1 }),
                None => json!({}),
            };
            out.push(ExpandedRow { height: row.height, cells: row.cells.clone(), item });
        }
    }
    out
}

/// Lays out one copy of a form. `ctx` is the case context with `form` already set.
pub fn layout_copy(layout: &Layout, ctx: &Value, fonts: &FontSet) -> Result<Vec<Page>, EngineError> {
    let mut engine = Engine { fonts, setup: &layout.page, form: &layout.id, pages: Vec::new(), y: layout.page.margin[0], ctx: ctx.clone() };
    for template in &layout.pages {
        let t = template.get_ref();
        engine.new_page();
        match (&t.repeat, t.per_page) {
            (Some(path), Some(per_page)) if per_page > 0 => {
                let all = lookup(ctx, path).and_then(|v| v.as_array().cloned()).unwrap_or_default();
                let chunks = all.len().div_ceil(per_page).max(1);
                for k in 0..chunks {
                    if k > 0 {
                        engine.new_page();
                    }
                    let items: Vec<Value> = all.iter().skip(k * per_page).take(per_page).cloned().collect();
                    engine.ctx["repeat"] =
                        json!({ "count": items.len(), "total": all.len(), "first": k * per_page + 1, "last": k * per_page + items.len(), "sheet": k + 1, "sheets": chunks });
                    let slice = Slice { path: path.clone(), items, offset: k * per_page, per_page };
                    for block in &t.blocks {
                        engine.block(block.get_ref(), Some(&slice))?;
                    }
                }
            }
            _ => {
                for block in &t.blocks {
                    engine.block(block.get_ref(), None)?;
                }
            }
        }
    }
    Ok(engine.pages)
}

/// Lays out every copy of a form; copies that differ only in a label get it as
/// `form.copy_label`. `page.count` is the number of pages of one copy.
pub fn layout_form(layout: &Layout, ctx: &Value, fonts: &FontSet, title: &str, copies: u32, labels: &[String]) -> Result<Vec<Page>, EngineError> {
    let mut pages = Vec::new();
    for copy in 0..copies.max(1) {
        let mut c = ctx.clone();
        c["form"] = json!({
            "title": title,
            "copy_label": labels.get(copy as usize).cloned().unwrap_or_default(),
            "copy_index": copy + 1,
            "copies": copies.max(1),
        });
        let first = layout_copy(layout, &c, fonts)?;
        let copy_pages = if first.len() > 1 {
            c["page"]["count"] = first.len().into();
            layout_copy(layout, &c, fonts)?
        } else {
            c["page"]["count"] = 1.into();
            layout_copy(layout, &c, fonts)?
        };
        pages.extend(copy_pages);
    }
    Ok(pages)
}
