//! What a person at the counter sees when the app cannot go on: a native error dialog with what
//! happened and what to send to support, instead of a window that vanishes (a Windows release
//! build has no console). Owns the dialog (`rfd`, the platform's own), the start-up failures
//! (store unreadable, migration refused, a second app on the same store), and the crash report
//! of a panic outside any command: written next to the log and shown by a fresh process of
//! this binary (`--show-error`), since the crashing process cannot be trusted to draw. A panic
//! inside a command is that command's error (`log::call`), not a crash.

use std::path::{Path, PathBuf};

/// The argument that makes this binary show one error dialog and exit.
pub const SHOW_ERROR_ARG: &str = "--show-error";

/// Shows a modal error dialog and waits for it to be closed.
pub fn dialog(title: &str, text: &str) {
    rfd::MessageDialog::new().set_level(rfd::MessageLevel::Error).set_title(title).set_description(text).set_buttons(rfd::MessageButtons::Ok).show();
}

/// `certdesk-app --show-error TITLE TEXT`: the dialog of a crash or a refused start, shown by a
/// process of its own. Returns whether this run was one (then the caller exits).
pub fn show_error_from_args() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, title, text, ..] if flag == SHOW_ERROR_ARG => {
            dialog(title, text);
            true
        }
        _ => false,
    }
}

/// Shows `title` / `text` from a new process of this binary, so that it stays on screen after
/// this one has gone.
pub fn spawn_dialog(title: &str, text: &str) {
    let Ok(exe) = std::env::current_exe() else { return };
    if let Err(e) = std::process::Command::new(exe).arg(SHOW_ERROR_ARG).arg(title).arg(text).spawn() {
        eprintln!("certdesk: cannot show the error dialog: {e}");
    }
}

/// A start that cannot go on: logged, said on stderr, shown, and the process ends.
pub fn fatal(title: &str, text: &str) -> ! {
    tracing::error!(title, text = %crate::log::redact(text), "cannot start");
    eprintln!("certdesk: {title}: {text}");
    dialog(title, text);
    std::process::exit(1)
}

/// A panic outside any command (the window's own thread): a crash report beside the log and a
/// dialog naming it. A command's panic (on a worker thread, inside `log::call`) is only logged.
pub fn on_panic(what: &str, place: &str) {
    if !crate::log::in_command() && std::thread::current().name() == Some("main") {
        let report = write_report(&crate::log::log_dir(), what, place);
        let file = report.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| crate::log::log_dir().display().to_string());
        spawn_dialog(
            "证书受理台 出现错误",
            &format!(
                "证书受理台遇到意外错误，已停止运行。已保存的案件不受影响，请重新打开程序。\n\n请将下面的文件发送给技术支持：\n{file}\n\ncertdesk stopped after an unexpected error; stored cases are safe. Please send the file above to support."
            ),
        );
    }
}

/// `crash-<time>.txt` in the log folder: what, where, the version and the log's last lines.
fn write_report(dir: &Path, what: &str, place: &str) -> Option<PathBuf> {
    let path = dir.join(format!("crash-{}.txt", chrono::Local::now().format("%Y%m%d-%H%M%S")));
    let recent = certdesk_desk::support::recent(dir, 100).unwrap_or_default().join("\n");
    let text = format!(
        "certdesk-app {} crashed at {}\npanic: {}\nat: {place}\n\nthe log's last lines:\n{recent}\n",
        env!("CARGO_PKG_VERSION"),
        chrono::Local::now().to_rfc3339(),
        crate::log::redact(what)
    );
    certdesk_desk::private::write(&path, text.as_bytes()).ok().map(|()| path)
}
