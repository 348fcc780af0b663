//! Names the code that judges a sheet: `VERDICTS_SHA256`, the SHA-256 of this crate's library
//! sources and its limits (`src/**` less the tools under `src/bin`, `thresholds.json` among
//! them) and of `certdesk-seal-wide`'s sources, whose attribute writes the box loops out. A
//! case records it beside `thresholds_sha256` (the limits alone), which stays the same when a
//! measure or a rule's wiring changes in code (issue 34 v13.9 changed verdicts so). Line ends
//! are hashed as `\n`, so a checkout with CRLF names the same code.

use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let rel = path.strip_prefix(root).expect("under the crate").to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            if rel != "src/bin" {
                collect(&path, root, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs" || e == "json") {
            out.push((rel, path));
        }
    }
}

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let wide_dir = crate_dir.join("../certdesk-seal-wide");
    let mut files = Vec::new();
    // Named from each crate's own directory (`src/...`, `wide:src/...`), so a moved checkout
    // names the same code.
    for (root, prefix) in [(&crate_dir, ""), (&wide_dir, "wide:")] {
        let src = root.join("src");
        println!("cargo:rerun-if-changed={}", src.display());
        let mut found = Vec::new();
        collect(&src, root, &mut found);
        files.extend(found.into_iter().map(|(rel, path)| (format!("{prefix}{rel}"), path)));
    }
    let mut hash = Sha256::new();
    for (rel, path) in files {
        let bytes: Vec<u8> = std::fs::read(&path).expect("readable source").into_iter().filter(|&b| b != b'\r').collect();
        // Each file as its name, its length and its bytes: no two sets of files hash alike.
        hash.update(rel.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let mut hex = String::with_capacity(64);
    for b in hash.finalize() {
        write!(hex, "{b:02x}").expect("a String takes it");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("verdicts.rs");
    let doc = "/// The SHA-256 of the code and limits that judge a sheet in this build: the crate's library\n\
               /// sources, `thresholds.json` among them (`build.rs`). A case records it with each seal sheet.\n";
    std::fs::write(out, format!("{doc}pub const VERDICTS_SHA256: &str = {hex:?};\n")).expect("OUT_DIR is writable");
}
