//! Writes the intermediate form as PDF with printpdf. Owns the conversion from top-left
//! millimetres to PDF points, one subset font program per face used (cut with allsorts, named
//! `ABCDEF+Name` so PDF tools see a subset; printpdf writes ToUnicode so text stays text),
//! bold as the regular outline filled and stroked (text render mode 2: no second font program
//! in every document), justified lines as one string with character spacing (Tc), and the
//! graphics and text state: black, set once per page (printpdf's fill colour persists between
//! ops, and nothing on a form prints in another colour); font, spacing, render mode and line
//! width written only when they change, since they persist from one text object to the next.

use crate::engine::{Item, Page};
use crate::fonts::{FaceRef, FontError, FontSet};
use printpdf::{
    Color, FontId, Line, LineJoinStyle, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextRenderingMode,
};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("the subset of {0} cannot be read back")]
    SubsetUnreadable(String),
    #[error("image {path}: {source}")]
    ImageUnreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// printpdf's image decoder reports its refusal only as text (`Result<_, String>`), so
    /// the decoder's own words are all there is to keep.
    #[error("image {path}: {decoder_said}")]
    ImageUndecodable { path: String, decoder_said: String },
    /// lopdf's error, boxed: lopdf is printpdf's dependency, not this crate's.
    #[error("cannot write the PDF: {0}")]
    Write(#[source] Box<dyn std::error::Error + Send + Sync>),
}

const MM_PT: f32 = 72.0 / 25.4;

/// Stroke width of bold text as a share of its size. The stroke adds half of it on each side
/// of every stroke of the glyph: 0.04 em takes the Regular's vertical stems (61/1000 em) near
/// the Bold's (107/1000); the thin horizontals thicken as much, where the Bold keeps them thin.
const BOLD_STROKE: f32 = 0.04;

fn black() -> Color {
    Color::Rgb(Rgb { r: 0.0, g: 0.0, b: 0.0, icc_profile: None })
}

/// Renders pages to PDF bytes.
pub fn write_pdf(title: &str, pages: &[Page], fonts: &FontSet) -> Result<Vec<u8>, PdfError> {
    let mut doc = PdfDocument::new(title);
    // every character each face prints, to cut the subsets
    let mut used: BTreeMap<FaceRef, BTreeSet<char>> = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            if let Item::Text { face, text, .. } = item {
                used.entry(*face).or_default().extend(text.chars());
            }
        }
    }
    let mut font_ids: BTreeMap<FaceRef, FontId> = BTreeMap::new();
    for (face_ref, chars) in &used {
        let face = fonts.face(*face_ref);
        let (bytes, name) = face.subset(chars)?;
        let mut warnings = Vec::new();
        let mut parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| PdfError::SubsetUnreadable(face.name.clone()))?;
        parsed.font_name = Some(name);
        font_ids.insert(*face_ref, doc.add_font(&parsed));
    }

    let mut pdf_pages = Vec::with_capacity(pages.len());
    for page in pages {
        let h = page.height;
        // round joins: a stroked (bold) glyph keeps its corners instead of growing miter spikes
        // at the sharp tips of the serifs; the ruled lines are single segments, without joins
        let mut ops = vec![Op::SetOutlineColor { col: black() }, Op::SetFillColor { col: black() }, Op::SetLineJoinStyle { join: LineJoinStyle::Round }];
        let pt = |x: f32, y_from_top: f32| Point { x: Pt(x * MM_PT), y: Pt((h - y_from_top) * MM_PT) };
        // the state the page's content stream is in: set at the next use only when it differs
        let mut thickness_pt = -1.0f32;
        let mut font: Option<(FaceRef, f32)> = None;
        let mut char_spacing = 0.0f32;
        let mut stroked = false;
        for item in &page.items {
            match item {
                Item::Line { x1, y1, x2, y2, width } => {
                    if (width * MM_PT - thickness_pt).abs() > f32::EPSILON {
                        thickness_pt = width * MM_PT;
                        ops.push(Op::SetOutlineThickness { pt: Pt(thickness_pt) });
                    }
                    ops.push(Op::DrawLine {
                        line: Line { points: vec![LinePoint { p: pt(*x1, *y1), bezier: false }, LinePoint { p: pt(*x2, *y2), bezier: false }], is_closed: false },
                    });
                }
                Item::Fill { x, y, w, h: fh } => {
                    // everything prints black: the fill colour set at the page start holds
                    let bottom_left = pt(*x, *y + *fh);
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: bottom_left.x,
                            y: bottom_left.y,
                            width: Pt(w * MM_PT),
                            height: Pt(fh * MM_PT),
                            mode: Some(printpdf::PaintMode::Fill),
                            winding_order: None,
                        },
                    });
                }
                Item::Text { x, y, size, face, bold, spacing, text } => {
                    let Some(id) = font_ids.get(face) else { continue };
                    ops.push(Op::StartTextSection);
                    if font != Some((*face, *size)) {
                        ops.push(Op::SetFont { font: PdfFontHandle::External(id.clone()), size: Pt(*size) });
                        font = Some((*face, *size));
                    }
                    // Tc is in text space units, points here: added after every glyph
                    if (spacing * MM_PT - char_spacing).abs() > f32::EPSILON {
                        char_spacing = spacing * MM_PT;
                        ops.push(Op::SetCharacterSpacing { multiplier: char_spacing });
                    }
                    if *bold != stroked {
                        stroked = *bold;
                        ops.push(Op::SetTextRenderingMode { mode: if stroked { TextRenderingMode::FillStroke } else { TextRenderingMode::Fill } });
                    }
                    if *bold && (size * BOLD_STROKE - thickness_pt).abs() > f32::EPSILON {
                        thickness_pt = size * BOLD_STROKE;
                        ops.push(Op::SetOutlineThickness { pt: Pt(thickness_pt) });
                    }
                    ops.push(Op::SetTextCursor { pos: pt(*x, *y) });
                    ops.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
                    ops.push(Op::EndTextSection);
                }
                Item::Image { x, y, w, h: ih, path } => {
                    let bytes = std::fs::read(path).map_err(|source| PdfError::ImageUnreadable { path: path.clone(), source })?;
                    let mut warnings = Vec::new();
                    let image =
                        printpdf::RawImage::decode_from_bytes(&bytes, &mut warnings).map_err(|decoder_said| PdfError::ImageUndecodable { path: path.clone(), decoder_said })?;
                    let (iw, ihp) = (image.width as f32, image.height as f32);
                    let id = doc.add_image(&image);
                    // scale the picture into the box, keeping its aspect ratio
                    let scale = (w / (iw / 300.0 * 25.4)).min(ih / (ihp / 300.0 * 25.4));
                    let bottom_left = pt(*x, *y + *ih);
                    ops.push(Op::UseXobject {
                        id,
                        transform: printpdf::XObjectTransform {
                            translate_x: Some(bottom_left.x),
                            translate_y: Some(bottom_left.y),
                            scale_x: Some(scale),
                            scale_y: Some(scale),
                            dpi: Some(300.0),
                            ..Default::default()
                        },
                    });
                }
            }
        }
        pdf_pages.push(PdfPage::new(Mm(page.width), Mm(page.height), ops));
    }
    let mut warnings = Vec::new();
    let options = PdfSaveOptions { optimize: true, subset_fonts: false, secure: true, image_optimization: None };
    let mut out = doc.with_pages(pdf_pages).to_lopdf_document(&options, &mut warnings);
    out.compress();
    // saved with object streams (PDF 1.5): printpdf's own `save` writes the dictionaries as
    // plain text, among them the font's /W widths, ~2 KB on a page of agreement text
    let mut bytes = Vec::new();
    out.save_modern(&mut bytes).map_err(|e| PdfError::Write(Box::new(e)))?;
    Ok(bytes)
}
