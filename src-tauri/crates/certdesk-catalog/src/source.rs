//! Where catalogs come from: a `forms/` folder on disk or the copy embedded at build time.
//! Owns reading the files and turning TOML syntax errors into `file:line: message`; the
//! format itself is `model`.

use crate::model::{Lint, Project, line_of};
use std::collections::BTreeMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_forms.rs"));
}

/// File name endings of CA certificates under `<project>/ca/`.
pub const CA_EXTENSIONS: [&str; 4] = ["pem", "crt", "cer", "der"];

/// The files of a forms tree, by path relative to its root (`netca-gd-pension/catalog.toml`).
#[derive(Debug, Clone, Default)]
pub struct FormsTree {
    /// Shown in messages: the folder, or `<embedded>`.
    pub origin: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl FormsTree {
    pub fn embedded() -> FormsTree {
        FormsTree { origin: "<embedded forms>".into(), files: embedded::FILES.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect() }
    }

    /// Reads every file below `dir` (at most a few hundred small files).
    pub fn read_dir(dir: &Path) -> std::io::Result<FormsTree> {
        fn walk(dir: &Path, root: &Path, files: &mut BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    walk(&path, root, files)?;
                } else {
                    let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                    files.insert(rel, std::fs::read(&path)?);
                }
            }
            Ok(())
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files)?;
        Ok(FormsTree { origin: dir.display().to_string(), files })
    }

    /// Project folders: those holding a `catalog.toml`.
    pub fn project_folders(&self) -> Vec<String> {
        self.files.keys().filter_map(|p| p.strip_suffix("/catalog.toml")).filter(|p| !p.contains('/')).map(str::to_string).collect()
    }

    /// The CA certificates a project trusts to issue its keys' certificates:
    /// `<project>/ca/*.{pem,crt,cer,der}`, by path.
    pub fn ca_certificates(&self, project: &str) -> Vec<(String, &[u8])> {
        let folder = format!("{project}/ca/");
        self.files
            .iter()
            .filter(|(p, _)| {
                p.strip_prefix(&folder)
                    .is_some_and(|name| !name.contains('/') && name.rsplit_once('.').is_some_and(|(_, e)| CA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())))
            })
            .map(|(p, b)| (format!("{}/{p}", self.origin), b.as_slice()))
            .collect()
    }

    pub fn file(&self, rel: &str) -> Option<&[u8]> {
        self.files.get(rel).map(Vec::as_slice)
    }
}

/// Parses and lints one project's `catalog.toml`.
pub fn parse_project(folder: &str, display_path: &str, bytes: &[u8]) -> Result<Project, Vec<Lint>> {
    let lint = |line, message| vec![Lint { file: display_path.to_string(), line, message }];
    let source = std::str::from_utf8(bytes).map_err(|e| lint(None, format!("not UTF-8 text: {e}")))?;
    let project: Project = toml::from_str(source).map_err(|e| {
        let line = e.span().map(|s| line_of(source, s.start));
        lint(line, e.message().trim().to_string())
    })?;
    let problems = project.lint(folder, display_path, source);
    if problems.is_empty() { Ok(project) } else { Err(problems) }
}
