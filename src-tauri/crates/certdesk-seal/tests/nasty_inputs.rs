//! Regression corpus of the decoder path (`tests/nasty/`: hand-made bad files and whatever the
//! `decode_scan` fuzz target found): every file goes through the sheet and single-impression
//! entry points with the default options, the way `certdesk seal import` reads a scan. Each
//! call must return, `Ok` or `Err`; a panic fails the test with the file's name. Some files
//! also pin the error they must give (bombs refused from the header, not decoded).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use certdesk_seal::{ImportOptions, SealError, import_sheet, import_single};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/nasty");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn no_input_of_the_corpus_panics() {
    let files = corpus();
    assert!(files.len() >= 20, "the corpus is missing: {} files", files.len());
    let opts = ImportOptions::default();
    let mut panics = Vec::new();
    for (name, bytes) in &files {
        for (mode, run) in [("sheet", import_sheet as fn(&[u8], &ImportOptions) -> _), ("single", import_single)] {
            match catch_unwind(AssertUnwindSafe(|| run(bytes, &opts).map(|r| r.to_json()))) {
                Ok(_) => {}
                Err(_) => panics.push(format!("{name} ({mode})")),
            }
        }
    }
    assert!(panics.is_empty(), "panicked on: {panics:#?}");
}

#[test]
fn bombs_and_absurd_headers_give_their_errors() {
    let files = corpus();
    let get = |name: &str| &files.iter().find(|f| f.0 == name).unwrap_or_else(|| panic!("{name} missing")).1;
    let opts = ImportOptions::default();
    for name in ["bomb-100000x100000.png", "jpeg-sof-65000.jpg", "bmp-huge.bmp"] {
        let e = import_sheet(get(name), &opts).unwrap_err();
        assert!(matches!(e, SealError::TooLarge { .. }), "{name}: {e:?}");
    }
    for name in ["not-an-image.pdf", "empty.bin"] {
        let e = import_sheet(get(name), &opts).unwrap_err();
        assert!(matches!(e, SealError::UnknownFormat), "{name}: {e:?}");
    }
    for name in ["too-small.png", "one-pixel.bmp"] {
        let e = import_single(get(name), &opts).unwrap_err();
        assert!(matches!(e, SealError::TooSmall { .. }), "{name}: {e:?}");
    }
    // Under the budget, but the data stops at once: a decode error, not a 56-Mpx analysis.
    let e = import_sheet(get("bomb-under-budget-7000x8000.png"), &opts).unwrap_err();
    assert!(matches!(e, SealError::Decode(_)), "{e:?}");
    // 99 999 dpi in the file is not plausible: ignored, and a single impression assumes 300.
    let r = import_single(get("tiny-absurd-dpi.png"), &opts).unwrap();
    assert_eq!(r.dpi, 300.0);
}
