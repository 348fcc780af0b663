//! The IPC commands are named in five places that must agree (#75): the handler list in
//! `main.rs` (what the app answers), `build.rs`'s `COMMANDS` (what Tauri generates permissions
//! for), the window's capability file (what the window may call), `ui/src/ipc.ts` (the typed
//! calls the UI makes) and the mock-runtime tests' handler list (a subset). This test reads them
//! as text and names every command missing from one of them, so that a new command cannot be
//! answered yet uncallable, callable yet untyped, or allowed yet gone.

use std::collections::BTreeSet;

/// Commands the UI never calls, each for a reason.
const NOT_IN_THE_UI: [&str; 1] = [
    // the crash handler's rehearsal: driven by the end-to-end crash test through the IPC bridge
    "debug_crash",
];

fn read(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `start` and the first `end` after it.
fn block<'a>(text: &'a str, start: &str, end: &str, file: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{file}: no {start:?}")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("{file}: no {end:?} after {start:?}"));
    &text[from..from + len]
}

/// The last path segment of each `a::b::name,` line of a `generate_handler![…]` list.
fn handlers(text: &str, file: &str) -> BTreeSet<String> {
    block(text, "generate_handler![", "]", file)
        .lines()
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| l.rsplit("::").next().unwrap_or(l).to_string())
        .collect()
}

/// The double-quoted words of a text.
fn quoted(text: &str) -> BTreeSet<String> {
    // the pieces between a quote and the next: every second piece of the split
    text.split('"').enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, s)| s.to_string()).collect()
}

fn missing(from: &BTreeSet<String>, what: &str, in_list: &BTreeSet<String>) -> Vec<String> {
    from.difference(in_list).map(|c| format!("{c} is not in {what}")).collect()
}

#[test]
fn every_ipc_command_is_answered_generated_allowed_and_typed_alike() {
    let answered = handlers(&read("src/main.rs"), "main.rs");
    let generated = quoted(block(&read("build.rs"), "const COMMANDS: &[&str] = &[", "];", "build.rs"));
    let allowed: BTreeSet<String> = quoted(&read("capabilities/main.json")).into_iter().filter_map(|p| p.strip_prefix("allow-").map(|c| c.replace('-', "_"))).collect();
    let typed: BTreeSet<String> = block(&read("../ui/src/ipc.ts"), "export interface Commands {", "\n}\n", "ipc.ts")
        .lines()
        .filter_map(|l| l.strip_prefix("  ").and_then(|l| l.split_once(": {")).map(|(name, _)| name.to_string()))
        .collect();
    let tested = handlers(&read("src/ipc_tests.rs"), "ipc_tests.rs");
    assert!(answered.len() > 50, "the handler list was read: {answered:?}");

    let not_in_ui: BTreeSet<String> = NOT_IN_THE_UI.iter().map(|c| c.to_string()).collect();
    let ui_calls: BTreeSet<String> = answered.difference(&not_in_ui).cloned().collect();
    let mut problems = Vec::new();
    problems.extend(missing(&answered, "build.rs COMMANDS", &generated));
    problems.extend(missing(&generated, "main.rs's handler list", &answered));
    problems.extend(missing(&answered, "capabilities/main.json (allow-…)", &allowed));
    problems.extend(missing(&allowed, "main.rs's handler list (an allowed command the app no longer has)", &answered));
    problems.extend(missing(&ui_calls, "ui/src/ipc.ts's Commands", &typed));
    problems.extend(missing(&typed, "main.rs's handler list (a typed call the app does not answer)", &ui_calls));
    problems.extend(missing(&tested, "main.rs's handler list (ipc_tests.rs registers a command the app does not)", &answered));
    assert!(problems.is_empty(), "the IPC command lists disagree:\n{}", problems.join("\n"));
}
