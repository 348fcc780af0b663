//! ARCHITECTURE.md cannot drift from the code (#75): its code map lists every module of every
//! crate and nothing else, and every path and Rust symbol it names in backticks resolves: a path
//! to a file or folder of the repository, `certdesk_x::module::item` through the crate's module
//! files to an item defined there, `Type::method` to a type with that method (or variant). Paths
//! outside the repository are written `../…`, places on a counter's PC without backticks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().expect("the repository")
}

/// Every file of the repository but build output, dependencies and VCS data, by path relative
/// to the root with `/`.
fn files(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("a readable folder").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !["target", "node_modules", ".git", "dist"].contains(&name.as_str()) {
                    walk(&path, root, out);
                }
            } else {
                out.push(path.strip_prefix(root).expect("below the root").to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `word` stands in `text` as a whole identifier right after `prefix` (e.g. `fn `).
fn has_word_after(text: &str, prefix: &str, word: &str) -> bool {
    let needle = format!("{prefix}{word}");
    text.match_indices(&needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
    })
}

/// Whether a Rust file defines `name`: an item of that name, a `pub use` naming it, or an enum
/// variant or struct field starting a line.
fn defines(text: &str, name: &str) -> bool {
    ["fn ", "struct ", "enum ", "trait ", "const ", "static ", "type ", "mod ", "macro_rules! "].iter().any(|p| has_word_after(text, p, name))
        || text.lines().any(|l| {
            let l = l.trim_start();
            (l.starts_with("pub use ") && has_word_after(l, "", name))
                || (l.starts_with(name) && !l[name.len()..].chars().next().is_some_and(is_ident_char) && !l.starts_with("//"))
        })
}

struct Source {
    rust: Vec<(String, String)>,
}

impl Source {
    fn read(root: &Path, files: &[String]) -> Source {
        let rust = files.iter().filter(|f| f.ends_with(".rs")).map(|f| (f.clone(), std::fs::read_to_string(root.join(f)).unwrap_or_default())).collect();
        Source { rust }
    }

    fn text(&self, file: &str) -> Option<&str> {
        self.rust.iter().find(|(f, _)| f == file).map(|(_, t)| t.as_str())
    }

    /// `certdesk_x::m::n::Item::member`: the modules as far as files go, then an item of the
    /// last module file, then (if any) a member anywhere in the crate.
    fn crate_path(&self, segs: &[&str]) -> Result<(), String> {
        let krate = if segs[0] == "certdesk_app" { "src-tauri".to_string() } else { format!("src-tauri/crates/{}", segs[0].replace('_', "-")) };
        let root_file = [format!("{krate}/src/lib.rs"), format!("{krate}/src/main.rs")].into_iter().find(|f| self.text(f).is_some()).ok_or(format!("no crate {krate}"))?;
        let (mut file, mut folder, mut i) = (root_file, format!("{krate}/src"), 1);
        while i < segs.len() {
            let candidates = [format!("{folder}/{}.rs", segs[i]), format!("{folder}/{}/mod.rs", segs[i])];
            let Some(hit) = candidates.into_iter().find(|f| self.text(f).is_some()) else { break };
            file = hit;
            folder = format!("{folder}/{}", segs[i]);
            i += 1;
        }
        let rest = &segs[i..];
        let Some(item) = rest.first() else { return Ok(()) };
        if !defines(self.text(&file).unwrap_or_default(), item) {
            return Err(format!("{item} is not defined in {file}"));
        }
        if let Some(member) = rest.get(1..).and_then(|r| r.last()) {
            let in_crate = self.rust.iter().filter(|(f, _)| f.starts_with(&format!("{krate}/")));
            if !in_crate.into_iter().any(|(_, t)| defines(t, member)) {
                return Err(format!("{member} is defined nowhere in {krate}"));
            }
        }
        Ok(())
    }

    /// `Type::member`: a type of that name, and the member defined in a file that defines or
    /// implements it.
    fn type_path(&self, segs: &[&str]) -> Result<(), String> {
        let (ty, member) = (segs[0], segs[segs.len() - 1]);
        let kinds = ["struct ", "enum ", "trait ", "type "];
        let defining: Vec<&str> = self.rust.iter().filter(|(_, t)| kinds.iter().any(|k| has_word_after(t, k, ty))).map(|(_, t)| t.as_str()).collect();
        if defining.is_empty() {
            return Err(format!("no type {ty}"));
        }
        let implementing = self.rust.iter().filter(|(_, t)| t.lines().any(|l| l.trim_start().starts_with("impl") && has_word_after(l, "", ty))).map(|(_, t)| t.as_str());
        if !defining.into_iter().chain(implementing).any(|t| defines(t, member)) {
            return Err(format!("{ty} has no {member}"));
        }
        Ok(())
    }
}

/// The backticked spans of a text, one line each (a fenced block is not a span).
fn spans(text: &str) -> BTreeSet<String> {
    // the pieces between a backtick and the next: every second piece of the split
    text.split('`').enumerate().filter(|(i, s)| i % 2 == 1 && !s.is_empty() && !s.contains('\n')).map(|(_, s)| s.trim().to_string()).collect()
}

fn symbol_like(s: &str) -> bool {
    let s = s.strip_suffix("()").unwrap_or(s);
    s.contains("::") && s.chars().all(|c| is_ident_char(c) || c == ':') && s.starts_with(|c: char| c.is_ascii_alphabetic())
}

fn path_like(s: &str) -> bool {
    s.contains('/') && !s.starts_with("../") && !s.starts_with('/') && s.chars().all(|c| is_ident_char(c) || "./-".contains(c)) && !s.contains("//")
}

#[test]
fn every_path_and_symbol_the_architecture_names_resolves() {
    let root = repo();
    let files = files(&root);
    let source = Source::read(&root, &files);
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut problems = Vec::new();
    let mut checked = (0, 0);
    for span in spans(&text) {
        if symbol_like(&span) {
            let plain = span.strip_suffix("()").unwrap_or(&span);
            let segs: Vec<&str> = plain.split("::").collect();
            let verdict = if segs[0].starts_with("certdesk_") {
                source.crate_path(&segs)
            } else if segs[0].starts_with(|c: char| c.is_ascii_uppercase()) {
                source.type_path(&segs)
            } else {
                // std::…, tauri::…, a module of the crate just named (`domain::workflow`)
                Ok(())
            };
            checked.0 += 1;
            if let Err(why) = verdict {
                problems.push(format!("`{span}`: {why}"));
            }
        } else if path_like(&span) {
            let p = span.trim_end_matches('/');
            let found = files.iter().any(|f| {
                f == p
                    || f.starts_with(&format!("{p}/"))
                    || f.ends_with(&format!("/{p}"))
                    || f.contains(&format!("/{p}/"))
                    || f.ends_with(&format!("/{p}.rs"))
                    || *f == format!("{p}.rs")
            });
            checked.1 += 1;
            if !found {
                problems.push(format!("`{span}`: no such file or folder in the repository"));
            }
        }
    }
    assert!(checked.0 > 100 && checked.1 > 30, "the file was read: {checked:?} symbols and paths");
    assert!(problems.is_empty(), "ARCHITECTURE.md names what the code does not have:\n{}", problems.join("\n"));
}

/// The module names of a crate's `src`: each `.rs` file but `lib.rs`/`main.rs` by its path
/// without `.rs` (`pg/address`), a `mod.rs` by its folder.
fn modules(root: &Path, src: &str) -> BTreeSet<String> {
    let files = files(&root.join(src));
    files.iter().filter_map(|f| f.strip_suffix(".rs")).filter(|f| *f != "lib" && *f != "main").map(|f| f.strip_suffix("/mod").unwrap_or(f).to_string()).collect()
}

#[test]
fn the_code_map_lists_every_module_of_every_crate() {
    let root = repo();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = text.split("\n## Code map\n").nth(1).expect("a `## Code map` section").split("\n## ").next().unwrap_or_default();
    let mut listed = std::collections::BTreeMap::new();
    for line in section.lines().filter_map(|l| l.strip_prefix("- `")) {
        let (name, rest) = line.split_once('`').expect("- `crate`…: modules");
        let (_, mods) = rest.split_once(": ").expect("- `crate`: modules");
        let mods: BTreeSet<String> = if mods.trim() == "(one file)" { BTreeSet::new() } else { mods.split(", ").map(|m| m.trim().to_string()).collect() };
        listed.insert(name.to_string(), mods);
    }
    let mut crates: Vec<(String, String)> = vec![("src-tauri/src".into(), "src-tauri/src".into())];
    for entry in std::fs::read_dir(root.join("src-tauri/crates")).expect("the crates").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        crates.push((name.clone(), format!("src-tauri/crates/{name}/src")));
    }
    let mut problems = Vec::new();
    for (name, src) in &crates {
        let Some(mods) = listed.remove(name) else {
            problems.push(format!("{name} is not in the code map"));
            continue;
        };
        let actual = modules(&root, src);
        for m in actual.difference(&mods) {
            problems.push(format!("{name}: module {m} is not listed"));
        }
        for m in mods.difference(&actual) {
            problems.push(format!("{name}: {m} is listed and is no module"));
        }
    }
    for name in listed.keys() {
        problems.push(format!("the code map lists {name}, which is no crate"));
    }
    assert!(problems.is_empty(), "ARCHITECTURE.md's code map is out of date:\n{}", problems.join("\n"));
}

/// The map stays a map (#75): the code map fits one screen, one line per crate; what a crate
/// owns in detail is its own `//!` doc, which cannot wander away from the code it sits on.
#[test]
fn the_map_stays_short() {
    let text = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section =
        |title: &str| text.split(&format!("\n## {title}\n")).nth(1).unwrap_or_else(|| panic!("a `## {title}` section")).split("\n## ").next().unwrap_or_default().lines().count();
    let code_map = section("Code map");
    let invariants = section("Invariants");
    let total = text.lines().count();
    assert!(code_map <= 40, "the code map takes {code_map} lines: one screen is 40");
    assert!(invariants <= 80, "the invariants take {invariants} lines: say each in three lines at most");
    assert!(total <= 260, "ARCHITECTURE.md has {total} lines: move a crate's detail into its `//!` doc");
    let crate_lines = text.split("\n## Code map\n").nth(1).unwrap_or_default().split("\n## ").next().unwrap_or_default().lines().filter(|l| l.starts_with("- `")).count();
    assert_eq!(crate_lines, std::fs::read_dir(repo().join("src-tauri/crates")).expect("the crates").count() + 1, "one line per crate and the shell");
}

/// The parameters of every `pub fn` of a Rust file (not `pub(crate)`), by function name.
fn public_fns(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("pub fn ") {
        let rest = &text[at + "pub fn ".len()..];
        let name: String = rest.chars().take_while(|c| is_ident_char(*c)).collect();
        let Some(open) = rest.find('(') else { continue };
        let mut depth = 0usize;
        let mut end = open;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && c == ')' {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((name, rest[open + 1..end].to_string()));
    }
    out
}

/// One shape for the application API (#75): every use case the adapters reach is a method of
/// `Desk` or of its one sub-API (`Desk::keys` → `KeyDesk`); no public free function of the desk
/// crate takes a desk. The crate-private steps behind those doors may.
#[test]
fn the_desk_api_has_one_shape() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut free = Vec::new();
    let mut doors = 0;
    for file in files(&src).iter().filter(|f| f.ends_with(".rs")) {
        let text = std::fs::read_to_string(src.join(file)).expect("a source file");
        for (name, params) in public_fns(&text) {
            let takes_desk = params.split(',').any(|p| p.split_once(':').is_some_and(|(_, ty)| ty.contains("Desk<")));
            if takes_desk {
                free.push(format!("{file}: {name}"));
            }
            doors += usize::from(params.trim_start().starts_with("&self") || params.trim_start().starts_with("&mut self"));
        }
    }
    assert!(free.is_empty(), "public functions of certdesk-desk that take a desk instead of being its methods:\n{}", free.join("\n"));
    // the scan sees the methods (it would pass vacuously on a parse that found nothing)
    assert!(doors > 100, "only {doors} public methods found");
}
