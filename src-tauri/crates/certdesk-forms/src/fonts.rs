//! Fonts for printed forms. Owns finding the shipped Noto Serif SC face (`assets/fonts/`, CFF
//! outlines: see `assets/fonts/README.md` for why), the configurable list of system fallback
//! fonts for characters the shipped font lacks (生僻字), measuring text with the real advance
//! widths, and cutting per-document subsets with allsorts so a form embeds only the glyphs it
//! prints. Bold is drawn from the same face (`pdf` strokes it), so there is one face to embed.
//! Does not place text: `engine`.

use printpdf::ParsedFont;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The shipped face, in `font_dir()`.
pub const REGULAR_FILE: &str = "NotoSerifSC-Regular.otf";

/// Which face a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceRef {
    Regular,
    /// The n-th configured fallback font.
    Fallback(usize),
}

/// One loaded font file: its bytes, the face index in a collection, and the parsed
/// cmap / advance widths.
pub struct Face {
    pub path: PathBuf,
    pub index: usize,
    /// PostScript-style name used for /BaseFont (after the subset tag).
    pub name: String,
    pub bytes: Arc<Vec<u8>>,
    pub parsed: ParsedFont,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    #[error("the form font {path} is missing or unreadable ({source}); set CERTDESK_FONTS to the folder holding NotoSerifSC-Regular.otf")]
    Missing {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The process-wide set failed to load the first time it was asked for; every later ask
    /// gets that same failure, shared (an `io::Error` cannot be cloned).
    #[error("the form font {path} is missing or unreadable ({source}); set CERTDESK_FONTS to the folder holding NotoSerifSC-Regular.otf")]
    SharedSet {
        path: String,
        #[source]
        source: Arc<FontError>,
    },
    #[error("{path} is not a font that can be used ({reason})")]
    Unusable { path: String, reason: UnusableFont },
    #[error("cannot cut a font subset of {name}: {source}")]
    Subset {
        name: String,
        #[source]
        source: SubsetFailure,
    },
}

/// Why a readable file is not a face a form can print with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnusableFont {
    #[error("not a TrueType/OpenType font")]
    NotAFont,
    /// Without a Unicode cmap no character can be found in the face.
    #[error("no Unicode cmap")]
    NoUnicodeCmap,
}

/// What went wrong cutting a subset: allsorts reading the face or cutting it, or the CID
/// renumbering of the cut subset (`renumber_cids`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubsetFailure {
    #[error(transparent)]
    Parse(#[from] allsorts::error::ParseError),
    /// Finding the face's tables in the file (a collection's n-th face).
    #[error(transparent)]
    Tables(#[from] allsorts::error::ReadWriteError),
    #[error(transparent)]
    Cut(#[from] allsorts::subset::SubsetError),
    #[error(transparent)]
    Renumber(#[from] CidRenumberFailure),
}

/// Why the CIDs of a cut CFF subset could not be renumbered: the subset allsorts wrote is not
/// laid out as `renumber_cids` expects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CidRenumberFailure {
    #[error(transparent)]
    Parse(#[from] allsorts::error::ParseError),
    #[error("a subset is a single font")]
    NotSingleFont,
    #[error("CFF table outside the file")]
    CffOutsideFile,
    #[error("CFF without a font")]
    CffWithoutFont,
    #[error("CID-keyed CFF without a charset")]
    NoCharset,
    #[error("charset outside the CFF table")]
    CharsetOutsideCff,
    #[error("charset format {0} (expected 0)")]
    CharsetFormat(u8),
}

impl Face {
    pub fn load(path: &Path, index: usize) -> Result<Face, FontError> {
        let bytes = std::fs::read(path).map_err(|e| FontError::Missing { path: path.display().to_string(), source: e })?;
        let mut warnings = Vec::new();
        let parsed =
            ParsedFont::from_bytes(&bytes, index, &mut warnings).ok_or_else(|| FontError::Unusable { path: path.display().to_string(), reason: UnusableFont::NotAFont })?;
        if parsed.codepoint_to_glyph.is_empty() {
            return Err(FontError::Unusable { path: path.display().to_string(), reason: UnusableFont::NoUnicodeCmap });
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "Font".into());
        let name: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let name = if index > 0 { format!("{name}-{index}") } else { name };
        Ok(Face { path: path.to_path_buf(), index, name, bytes: Arc::new(bytes), parsed })
    }

    pub fn has(&self, c: char) -> bool {
        self.parsed.lookup_glyph_index(c as u32).is_some_and(|g| g != 0)
    }

    /// Advance of `c` in em.
    pub fn advance(&self, c: char) -> f32 {
        let upm = f32::from(self.parsed.units_per_em.max(1));
        self.parsed.lookup_glyph_index(c as u32).and_then(|g| self.parsed.get_glyph_width(g)).map(|w| f32::from(w) / upm).unwrap_or(0.5)
    }

    /// A subset holding `.notdef` and the glyphs of `chars`, as a font file, and its
    /// /BaseFont name with the six-letter subset tag (ISO 32000-1, 9.6.4).
    pub fn subset(&self, chars: &BTreeSet<char>) -> Result<(Vec<u8>, String), FontError> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{CmapTarget, SubsetProfile, subset};
        let err = |source: SubsetFailure| FontError::Subset { name: self.name.clone(), source };
        // glyphs in the order of their characters: the subset's glyph ids (and so the PDF's
        // character codes) then ascend with the code points, which keeps ToUnicode small
        let mut seen = BTreeSet::from([0u16]);
        let ids: Vec<u16> = std::iter::once(0).chain(chars.iter().filter_map(|c| self.parsed.lookup_glyph_index(*c as u32)).filter(|g| seen.insert(*g))).collect();
        let scope = ReadScope::new(&self.bytes);
        let file = scope.read::<FontData<'_>>().map_err(|e| err(e.into()))?;
        let provider = file.table_provider(self.index).map_err(|e| err(e.into()))?;
        let mut bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| err(e.into()))?;
        renumber_cids(&mut bytes).map_err(|e| err(e.into()))?;
        Ok((bytes, format!("{}+{}", subset_tag(&self.name, chars), self.name)))
    }
}

/// Gives the glyphs of a CID-keyed CFF subset the CIDs 1, 2, 3 … (their glyph ids).
///
/// allsorts keeps every glyph's CID from the full font, and a PDF shows CFF glyphs by CID: a
/// page's codes would be scattered over 0..65535 and printpdf's /W array (written uncompressed
/// in the font dictionary) would need a separate entry per glyph, ~4 KB for an agreement page
/// instead of one run. The charset allsorts writes is format 0, one CID per glyph, so it is
/// rewritten in place and nothing else in the font moves. (The sfnt's checksum of the `CFF `
/// table goes stale: printpdf embeds the bare table, which has none.) TrueType subsets and
/// name-keyed CFF are left as they are.
fn renumber_cids(sfnt: &mut [u8]) -> Result<(), CidRenumberFailure> {
    use allsorts::binary::read::ReadScope;
    use allsorts::cff::{CFF, Operator};
    use allsorts::tables::{OpenTypeData, OpenTypeFont};
    let (start, charset, glyphs) = {
        let font = ReadScope::new(sfnt).read::<OpenTypeFont<'_>>()?;
        let OpenTypeData::Single(table) = font.data else { return Err(CidRenumberFailure::NotSingleFont) };
        let Some(record) = table.find_table_record(allsorts::tag::CFF) else { return Ok(()) };
        let start = record.offset as usize;
        let cff_bytes = sfnt.get(start..start + record.length as usize).ok_or(CidRenumberFailure::CffOutsideFile)?;
        let cff = ReadScope::new(cff_bytes).read::<CFF<'_>>()?;
        let font = cff.fonts.first().ok_or(CidRenumberFailure::CffWithoutFont)?;
        if !font.is_cid_keyed() {
            return Ok(());
        }
        let charset = match font.top_dict.get_i32(Operator::Charset) {
            Some(Ok(offset)) if offset > 0 => offset as usize,
            _ => return Err(CidRenumberFailure::NoCharset),
        };
        (start, charset, font.char_strings_index.len())
    };
    let at = start + charset;
    let end = at + 1 + 2 * glyphs.saturating_sub(1);
    let table = sfnt.get_mut(at..end).ok_or(CidRenumberFailure::CharsetOutsideCff)?;
    if table[0] != 0 {
        return Err(CidRenumberFailure::CharsetFormat(table[0]));
    }
    for (gid, entry) in table[1..].chunks_exact_mut(2).enumerate() {
        entry.copy_from_slice(&(gid as u16 + 1).to_be_bytes());
    }
    Ok(())
}

/// Six capital letters derived from the glyph set, so the same text gives the same tag.
fn subset_tag(name: &str, chars: &BTreeSet<char>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain(chars.iter().flat_map(|c| (*c as u32).to_le_bytes())) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    (0..6).map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8)).collect()
}

/// The faces a document can use: the shipped face and the fallbacks, each loaded the first
/// time a character needs it (most forms never do).
pub struct FontSet {
    pub regular: Face,
    fallback_files: Vec<(PathBuf, usize)>,
    fallbacks: Vec<OnceLock<Option<Face>>>,
}

/// Where a process finds its fonts, said once by the front end (the app: its resource folder;
/// the CLI: `CERTDESK_FONTS`, `CERTDESK_FALLBACK_FONTS`) before the first document. Library
/// code reads no environment variable and no path of the source tree it was built from.
#[derive(Debug, Clone, Default)]
pub struct FontConfig {
    /// The folder of the shipped face; `None`: looked for next to the executable.
    pub dir: Option<PathBuf>,
    /// The system fallback fonts tried in order; `None`: the platform's usual CJK fonts.
    pub fallbacks: Option<Vec<(PathBuf, usize)>>,
}

static CONFIG: OnceLock<FontConfig> = OnceLock::new();

/// Sets this process's font configuration; refused (returned) once fonts are configured.
pub fn configure(config: FontConfig) -> Result<(), FontConfig> {
    CONFIG.set(config)
}

/// Where the shipped fonts are looked for next to an executable: an installed package
/// (`/usr/bin/x` → `/usr/lib/certdesk/fonts`; Windows: `fonts` beside the `.exe`), a build
/// tree (`target/debug/x`, its `deps/`, and `assets/fonts` of the workspace above it).
pub fn font_dirs_near(exe: &Path) -> Vec<PathBuf> {
    let Some(dir) = exe.parent() else { return Vec::new() };
    vec![
        dir.join("../lib/certdesk/fonts"),
        dir.join("fonts"),
        dir.join("assets/fonts"),
        dir.join("../assets/fonts"),
        dir.join("../../assets/fonts"),
        dir.join("../../../assets/fonts"),
    ]
}

/// The folder of the shipped face: the configured one, else the first place near the
/// executable that has it (the last candidate when none has it, for the error message).
pub fn font_dir() -> PathBuf {
    if let Some(dir) = CONFIG.get().and_then(|c| c.dir.clone()) {
        return dir;
    }
    let candidates = std::env::current_exe().map(|exe| font_dirs_near(&exe)).unwrap_or_default();
    candidates.iter().find(|c| c.join(REGULAR_FILE).is_file()).or(candidates.first()).cloned().unwrap_or_else(|| PathBuf::from("fonts"))
}

/// A list of fallback font files as the CLI's `CERTDESK_FALLBACK_FONTS` gives it: paths
/// separated by the platform's path separator; `file.ttc#2` picks a face of a collection.
pub fn parse_fallback_list(list: &std::ffi::OsStr) -> Vec<(PathBuf, usize)> {
    std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty()).map(|p| parse_fallback(&p.to_string_lossy())).collect()
}

fn parse_fallback(s: &str) -> (PathBuf, usize) {
    match s.rsplit_once('#') {
        Some((p, i)) if i.parse::<usize>().is_ok() => (PathBuf::from(p), i.parse().unwrap_or(0)),
        _ => (PathBuf::from(s), 0),
    }
}

/// System fonts tried, in order, for characters the shipped font lacks: the configured list,
/// else the platform's usual CJK fonts.
pub fn fallback_candidates() -> Vec<(PathBuf, usize)> {
    if let Some(list) = CONFIG.get().and_then(|c| c.fallbacks.clone()) {
        return list;
    }
    let defaults: &[&str] = if cfg!(windows) {
        &[r"C:\Windows\Fonts\simsun.ttc", r"C:\Windows\Fonts\simsunb.ttf", r"C:\Windows\Fonts\msyh.ttc", r"C:\Windows\Fonts\SimSun-ExtG.ttf"]
    } else if cfg!(target_os = "macos") {
        &["/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Light.ttc", "/Library/Fonts/Arial Unicode.ttf"]
    } else {
        &[
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#2",
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
            "/usr/share/fonts/truetype/arphic/uming.ttc",
        ]
    };
    defaults.iter().map(|s| parse_fallback(s)).collect()
}

impl FontSet {
    /// Loads the shipped faces and every fallback that exists.
    pub fn load() -> Result<FontSet, FontError> {
        let dir = font_dir();
        let regular = Face::load(&dir.join(REGULAR_FILE), 0)?;
        let fallback_files: Vec<(PathBuf, usize)> = fallback_candidates().into_iter().filter(|(p, _)| p.is_file()).collect();
        let fallbacks = fallback_files.iter().map(|_| OnceLock::new()).collect();
        Ok(FontSet { regular, fallback_files, fallbacks })
    }

    /// The process-wide set, loaded once (parsing the CJK faces takes a moment).
    pub fn shared() -> Result<&'static FontSet, FontError> {
        static SET: OnceLock<Result<FontSet, Arc<FontError>>> = OnceLock::new();
        SET.get_or_init(|| FontSet::load().map_err(Arc::new)).as_ref().map_err(|e| FontError::SharedSet { path: font_dir().display().to_string(), source: Arc::clone(e) })
    }

    fn fallback(&self, i: usize) -> Option<&Face> {
        let (path, index) = self.fallback_files.get(i)?;
        self.fallbacks[i].get_or_init(|| Face::load(path, *index).ok()).as_ref()
    }

    /// The fallback files that exist, in the order they are tried.
    pub fn fallback_files(&self) -> &[(PathBuf, usize)] {
        &self.fallback_files
    }

    pub fn face(&self, f: FaceRef) -> &Face {
        match f {
            FaceRef::Regular => &self.regular,
            // only handed out by `face_for`, after the face loaded
            FaceRef::Fallback(i) => self.fallback(i).unwrap_or(&self.regular),
        }
    }

    /// The face that prints `c`, or `None` if no font has it.
    pub fn face_for(&self, c: char) -> Option<FaceRef> {
        if c.is_whitespace() || self.regular.has(c) {
            return Some(FaceRef::Regular);
        }
        (0..self.fallback_files.len()).find(|&i| self.fallback(i).is_some_and(|f| f.has(c))).map(FaceRef::Fallback)
    }

    /// Width of `text` in mm at `size` pt (bold or not: bold is stroked, its advances are
    /// the regular ones).
    pub fn width_mm(&self, text: &str, size: f32) -> f32 {
        let em: f32 = text.chars().map(|c| self.face_for(c).map(|f| self.face(f).advance(c)).unwrap_or(1.0)).sum();
        em * size * PT_MM
    }
}

/// Millimetres per point.
pub const PT_MM: f32 = 25.4 / 72.0;

#[cfg(test)]
mod tests {
    use super::*;

    /// A font file that cannot be read is the io refusal, with the io error's kind kept.
    #[test]
    fn an_unreadable_font_file_keeps_the_io_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("absent.otf");
        let Err(err) = Face::load(&path, 0) else { panic!("an absent file loaded") };
        match &err {
            FontError::Missing { source, .. } => assert_eq!(source.kind(), std::io::ErrorKind::NotFound),
            other => panic!("expected Missing, got {other:?}"),
        }
        assert!(err.to_string().contains("is missing or unreadable ("), "{err}");
    }

    /// A readable file that is no font is refused as such, in the same words as before.
    #[test]
    fn a_file_that_is_no_font_is_unusable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("notes.otf");
        std::fs::write(&path, b"these are not the outlines you are looking for").expect("write");
        let Err(err) = Face::load(&path, 0) else { panic!("a text file loaded as a font") };
        assert!(matches!(err, FontError::Unusable { reason: UnusableFont::NotAFont, .. }), "{err:?}");
        assert!(err.to_string().ends_with("is not a font that can be used (not a TrueType/OpenType font)"), "{err}");
    }

    #[test]
    fn cid_renumbering_refuses_what_is_not_a_font() {
        let mut junk = b"nothing like an sfnt".to_vec();
        assert!(matches!(renumber_cids(&mut junk), Err(CidRenumberFailure::Parse(_))));
    }
}
