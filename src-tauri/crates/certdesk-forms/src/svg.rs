//! Writes the intermediate form as one self-contained SVG per page, for the preview on screen
//! and for the system print dialog (the webview prints these pages). Owns drawing every glyph
//! as its outline from the same face the PDF embeds (so the page does not depend on the fonts
//! of the machine and matches the PDF glyph for glyph), placing characters with the PDF's own
//! advances and character spacing, bold as the outline stroked with round joins like `pdf`,
//! and the seal images embedded as `data:` URLs, scaled and anchored as `pdf` places them.
//! Does not lay anything out: `engine`; does not print: the app shell.

use crate::engine::{Item, Page};
use crate::fonts::{FaceRef, FontSet, PT_MM};
use allsorts::binary::read::ReadScope;
use allsorts::outline::{OutlineBuilder, OutlineSink};
use allsorts::pathfinder_geometry::line_segment::LineSegment2F;
use allsorts::pathfinder_geometry::vector::Vector2F;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SvgError {
    #[error("cannot read the glyph outlines of {name}: {source}")]
    Outlines {
        name: String,
        #[source]
        source: OutlineFailure,
    },
    #[error("image {path}: {source}")]
    ImageUnreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The page embeds the seal as a PNG `data:` URL and sizes it from the PNG header.
    #[error("image {path}: not a PNG file")]
    NotPng { path: String },
}

/// What allsorts could not read: the face's tables, or the outline of one glyph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutlineFailure {
    #[error(transparent)]
    Face(#[from] allsorts::error::ParseError),
    /// Finding the face's tables in the file (a collection's n-th face).
    #[error(transparent)]
    Tables(#[from] allsorts::error::ReadWriteError),
    #[error("glyph {glyph}: {source}")]
    CffGlyph {
        glyph: u16,
        #[source]
        source: allsorts::cff::CFFError,
    },
    #[error("glyph {glyph}: {source}")]
    TrueTypeGlyph {
        glyph: u16,
        #[source]
        source: allsorts::error::ParseError,
    },
}

/// Share of the size by which bold text is stroked: the same as the PDF's.
const BOLD_STROKE: f32 = 0.04;

/// A number in the shortest form that keeps a hundredth of a unit.
fn num(out: &mut String, v: f32) {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        let _ = write!(out, "{}", r as i64);
    } else {
        let s = format!("{r:.2}");
        out.push_str(s.trim_end_matches('0'));
    }
}

/// Glyph outlines as SVG path data in font units (y up), relative moves after the first.
struct PathSink {
    d: String,
    /// The current point as SVG sees it (after `z`: the start of the closed subpath).
    at: Vector2F,
    start: Vector2F,
}

impl PathSink {
    fn point(&mut self, p: Vector2F) {
        num(&mut self.d, p.x() - self.at.x());
        self.d.push(' ');
        num(&mut self.d, p.y() - self.at.y());
    }
    fn rel(&mut self, cmd: char, points: &[Vector2F]) {
        self.d.push(cmd);
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                self.d.push(' ');
            }
            self.point(*p);
        }
        self.at = *points.last().expect("at least one point");
    }
}

impl OutlineSink for PathSink {
    fn move_to(&mut self, to: Vector2F) {
        self.rel('m', &[to]);
        self.start = to;
    }
    fn line_to(&mut self, to: Vector2F) {
        self.rel('l', &[to]);
    }
    fn quadratic_curve_to(&mut self, ctrl: Vector2F, to: Vector2F) {
        self.rel('q', &[ctrl, to]);
    }
    fn cubic_curve_to(&mut self, ctrl: LineSegment2F, to: Vector2F) {
        self.rel('c', &[ctrl.from(), ctrl.to(), to]);
    }
    fn close(&mut self) {
        self.d.push('z');
        self.at = self.start;
    }
}

/// The outlines of some glyphs of one face, in font units.
fn outlines(fonts: &FontSet, face_ref: FaceRef, glyphs: &BTreeSet<u16>) -> Result<BTreeMap<u16, String>, SvgError> {
    use allsorts::cff::CFF;
    use allsorts::cff::outline::CFFOutlines;
    use allsorts::font_data::FontData;
    use allsorts::tables::FontTableProvider;
    use allsorts::tables::glyf::{GlyfVisitorContext, LocaGlyf};
    let face = fonts.face(face_ref);
    let err = |source: OutlineFailure| SvgError::Outlines { name: face.name.clone(), source };
    let file = ReadScope::new(&face.bytes).read::<FontData<'_>>().map_err(|e| err(e.into()))?;
    let provider = file.table_provider(face.index).map_err(|e| err(e.into()))?;
    let mut out = BTreeMap::new();
    let mut sink = |visit: &mut dyn FnMut(u16, &mut PathSink) -> Result<(), OutlineFailure>| -> Result<(), SvgError> {
        for &g in glyphs {
            let mut s = PathSink { d: String::new(), at: Vector2F::zero(), start: Vector2F::zero() };
            visit(g, &mut s).map_err(err)?;
            out.insert(g, s.d);
        }
        Ok(())
    };
    if let Some(data) = provider.table_data(allsorts::tag::CFF).map_err(|e| err(e.into()))? {
        let cff = ReadScope::new(&data).read::<CFF<'_>>().map_err(|e| err(e.into()))?;
        let mut builder = CFFOutlines { table: &cff };
        sink(&mut |glyph, s| builder.visit(glyph, None, s).map(|_| ()).map_err(|source| OutlineFailure::CffGlyph { glyph, source }))?;
    } else {
        let mut loca_glyf = LocaGlyf::load(&provider).map_err(|e| err(e.into()))?;
        let mut builder = GlyfVisitorContext::new(&mut loca_glyf, None);
        sink(&mut |glyph, s| builder.visit(glyph, None, s).map(|_| ()).map_err(|source| OutlineFailure::TrueTypeGlyph { glyph, source }))?;
    }
    Ok(out)
}

/// Width and height in pixels of a PNG, from its header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' });
        }
    }
    out
}

fn glyph_id(face: FaceRef, g: u16) -> String {
    match face {
        FaceRef::Regular => format!("r{g}"),
        FaceRef::Fallback(i) => format!("f{i}-{g}"),
    }
}

/// Renders pages to SVG documents, one per page, sized in millimetres.
pub fn write_svg(pages: &[Page], fonts: &FontSet) -> Result<Vec<String>, SvgError> {
    // every glyph of the document, outlined once
    let mut used: BTreeMap<FaceRef, BTreeSet<u16>> = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            if let Item::Text { face, text, .. } = item {
                let f = fonts.face(*face);
                used.entry(*face).or_default().extend(text.chars().filter_map(|c| f.parsed.lookup_glyph_index(c as u32)).filter(|g| *g != 0));
            }
        }
    }
    let mut paths: HashMap<(FaceRef, u16), String> = HashMap::new();
    for (face, glyphs) in &used {
        for (g, d) in outlines(fonts, *face, glyphs)? {
            paths.insert((*face, g), d);
        }
    }
    let mut images: HashMap<&str, (u32, u32, String)> = HashMap::new();
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        out.push(page_svg(page, fonts, &paths, &mut images)?);
    }
    Ok(out)
}

fn page_svg<'p>(page: &'p Page, fonts: &FontSet, paths: &HashMap<(FaceRef, u16), String>, images: &mut HashMap<&'p str, (u32, u32, String)>) -> Result<String, SvgError> {
    let mut s = String::with_capacity(64 * 1024);
    let (w, h) = (page.width, page.height);
    s.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" width=""#);
    num(&mut s, w);
    s.push_str(r#"mm" height=""#);
    num(&mut s, h);
    s.push_str(r#"mm" viewBox="0 0 "#);
    num(&mut s, w);
    s.push(' ');
    num(&mut s, h);
    s.push_str("\">");
    // the glyphs this page shows
    let mut defined = BTreeSet::new();
    for item in &page.items {
        if let Item::Text { face, text, .. } = item {
            let f = fonts.face(*face);
            for c in text.chars() {
                if let Some(g) = f.parsed.lookup_glyph_index(c as u32).filter(|g| *g != 0) {
                    defined.insert((*face, g));
                }
            }
        }
    }
    s.push_str("<defs>");
    for (face, g) in &defined {
        let d = paths.get(&(*face, *g)).map(String::as_str).unwrap_or("");
        let _ = write!(s, r#"<path id="{}" d="{d}"/>"#, glyph_id(*face, *g));
    }
    s.push_str("</defs>");
    let _ = write!(s, r##"<rect width="100%" height="100%" fill="#fff"/><g fill="#000" stroke-linecap="butt">"##);
    // the fills of a page (barcode bars, QR modules) as one path
    let mut fills = String::new();
    for item in &page.items {
        match item {
            Item::Line { x1, y1, x2, y2, width } => {
                s.push_str(r##"<path stroke="#000" stroke-width=""##);
                num(&mut s, *width);
                s.push_str("\" d=\"M");
                for (i, v) in [x1, y1, x2, y2].into_iter().enumerate() {
                    if i == 2 {
                        s.push('L');
                    } else if i > 0 {
                        s.push(' ');
                    }
                    num(&mut s, *v);
                }
                s.push_str("\"/>");
            }
            Item::Fill { x, y, w, h } => {
                fills.push('M');
                num(&mut fills, *x);
                fills.push(' ');
                num(&mut fills, *y);
                fills.push('h');
                num(&mut fills, *w);
                fills.push('v');
                num(&mut fills, *h);
                fills.push('h');
                num(&mut fills, -*w);
                fills.push('z');
            }
            Item::Text { x, y, size, face, bold, spacing, text } => {
                let f = fonts.face(*face);
                let upm = f32::from(f.parsed.units_per_em.max(1));
                // font units to millimetres
                let k = size * PT_MM / upm;
                s.push_str("<g transform=\"translate(");
                num(&mut s, *x);
                s.push(' ');
                num(&mut s, *y);
                s.push_str(") scale(");
                num_precise(&mut s, k);
                s.push(' ');
                num_precise(&mut s, -k);
                s.push_str(")\"");
                if *bold {
                    s.push_str(r##" stroke="#000" stroke-linejoin="round" stroke-width=""##);
                    num(&mut s, BOLD_STROKE * upm);
                    s.push('"');
                }
                s.push('>');
                let mut at = 0.0f32;
                for c in text.chars() {
                    if let Some(g) = f.parsed.lookup_glyph_index(c as u32).filter(|g| *g != 0) {
                        let _ = write!(s, r##"<use href="#{}""##, glyph_id(*face, g));
                        if at != 0.0 {
                            s.push_str(" x=\"");
                            num(&mut s, at);
                            s.push('"');
                        }
                        s.push_str("/>");
                    }
                    at += f.advance(c) * upm + spacing / k;
                }
                s.push_str("</g>");
            }
            Item::Image { x, y, w, h: bh, path } => {
                if !images.contains_key(path.as_str()) {
                    let bytes = std::fs::read(path).map_err(|source| SvgError::ImageUnreadable { path: path.clone(), source })?;
                    let (iw, ih) = png_size(&bytes).ok_or_else(|| SvgError::NotPng { path: path.clone() })?;
                    images.insert(path, (iw, ih, base64(&bytes)));
                }
                let (iw, ih, data) = &images[path.as_str()];
                // as the PDF places it: at 300 dpi, scaled to fit the box, at its bottom-left
                let (nat_w, nat_h) = (*iw as f32 / 300.0 * 25.4, *ih as f32 / 300.0 * 25.4);
                let scale = (w / nat_w).min(bh / nat_h);
                let (dw, dh) = (nat_w * scale, nat_h * scale);
                s.push_str("<image x=\"");
                num(&mut s, *x);
                s.push_str("\" y=\"");
                num(&mut s, y + bh - dh);
                s.push_str("\" width=\"");
                num(&mut s, dw);
                s.push_str("\" height=\"");
                num(&mut s, dh);
                let _ = write!(s, r#"" preserveAspectRatio="none" href="data:image/png;base64,{data}"/>"#);
            }
        }
    }
    if !fills.is_empty() {
        let _ = write!(s, r#"<path d="{fills}"/>"#);
    }
    s.push_str("</g></svg>");
    Ok(s)
}

/// Scale factors are small (a 10.5 pt glyph is 0.0037 mm per unit): keep six significant digits.
fn num_precise(out: &mut String, v: f32) {
    let s = format!("{v:.7}");
    out.push_str(s.trim_end_matches('0').trim_end_matches('.'));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_num(v: f32, expect: &str) {
        let mut s = String::new();
        num(&mut s, v);
        assert_eq!(s, expect, "{v}");
    }

    #[test]
    fn numbers_are_short() {
        check_num(0.0, "0");
        check_num(12.0, "12");
        check_num(-3.5, "-3.5");
        check_num(0.125, "0.13");
        check_num(210.004, "210");
        check_num(-0.004, "0");
    }

    #[test]
    fn a_move_after_a_closed_subpath_starts_from_its_first_point() {
        let mut p = PathSink { d: String::new(), at: Vector2F::zero(), start: Vector2F::zero() };
        p.move_to(Vector2F::new(10.0, 10.0));
        p.line_to(Vector2F::new(20.0, 10.0));
        p.line_to(Vector2F::new(20.0, 20.0));
        p.close();
        p.move_to(Vector2F::new(12.0, 12.0));
        p.cubic_curve_to(LineSegment2F::new(Vector2F::new(13.0, 12.0), Vector2F::new(14.0, 13.0)), Vector2F::new(14.0, 14.0));
        assert_eq!(p.d, "m10 10l10 0l0 10zm2 2c1 0 2 1 2 2");
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        for (input, expect) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy"), ("受", "5Y+X")] {
            assert_eq!(base64(input.as_bytes()), expect, "{input}");
        }
    }

    #[test]
    fn png_size_reads_the_header_and_refuses_other_files() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((640, 480)));
        assert_eq!(png_size(b"GIF89a............................"), None);
        assert_eq!(png_size(&png[..20]), None);
    }
}
