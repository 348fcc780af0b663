//! Embeds the repository's `forms/` folder into the binary, so that a counter PC without the
//! source tree still has every CA project. A folder given at run time (`--forms`) wins.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// As `source::CA_EXTENSIONS`: the CA certificates of `<project>/ca/`.
const CA_EXTENSIONS: [&str; 4] = ["pem", "crt", "cer", "der"];

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "toml" || e == "png" || e == "txt" || CA_EXTENSIONS.contains(&e.to_string_lossy().as_ref())) {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let forms = manifest.join("../../../forms").canonicalize().expect("forms/ next to the workspace");
    println!("cargo:rerun-if-changed={}", forms.display());
    let mut files = Vec::new();
    collect(&forms, &forms, &mut files);
    let mut code = String::from("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (rel, path) in files {
        writeln!(code, "    ({rel:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded_forms.rs");
    std::fs::write(out, code).unwrap();
}
