//! The system's own choices for what a counter sets up: file and folder pickers for the folders
//! of the settings, the USB key's driver library (PKCS#11 or SKF) and the backup to restore, and
//! the printers the system knows (CUPS's `lpstat` on Linux and macOS, `Get-Printer` on Windows). The
//! dialog is the platform's (GTK on Linux, run on the window's thread; the Windows shell's
//! through rfd), with Chinese titles and buttons; the webview only ever receives the path the
//! person chose. Owns the dialogs; not what is done with the path (the commands that take it
//! check it as they would a typed one).

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tauri::State;

/// What is being chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// a folder (print, export, backup, scan folders)
    Folder,
    /// the USB key's driver library: PKCS#11 or SKF (`.so`, `.dll`, `.dylib`)
    Module,
    /// a backup of the store to restore (`.db`)
    Store,
    /// where to save the recovery key's sheet (a new `.txt`, on a USB stick, #79)
    RecoveryFile,
}

impl PickKind {
    fn title(self) -> &'static str {
        match self {
            PickKind::Folder => "选择文件夹",
            PickKind::Module => "选择USB Key驱动库（PKCS#11或SKF）",
            PickKind::Store => "选择要恢复的备份",
            PickKind::RecoveryFile => "把恢复密钥保存到（请选择U盘）",
        }
    }

    /// The name and patterns of the files offered (all files stay one choice away).
    fn filter(self) -> Option<(&'static str, &'static [&'static str])> {
        match self {
            PickKind::Folder => None,
            PickKind::Module => Some(("驱动库", &["*.so", "*.so.*", "*.dll", "*.dylib"])),
            PickKind::Store => Some(("数据库备份", &["*.db", "*.sqlite"])),
            PickKind::RecoveryFile => Some(("文本文件", &["*.txt"])),
        }
    }

    /// A file to be written: the dialog asks for a new name and confirms replacing one.
    fn saves(self) -> bool {
        self == PickKind::RecoveryFile
    }

    /// The name a save dialog proposes.
    fn proposed_name(self) -> Option<String> {
        self.saves().then(|| format!("证书受理台恢复密钥-{}.txt", certdesk_desk::dates::show_day(certdesk_desk::dates::today())))
    }
}

/// Where the dialog opens: the folder of what is there now, when it exists.
fn start_folder(start: Option<&str>) -> Option<PathBuf> {
    let p = Path::new(start?.trim());
    if p.as_os_str().is_empty() {
        return None;
    }
    if p.is_dir() { Some(p.to_path_buf()) } else { p.parent().filter(|d| d.is_dir()).map(Path::to_path_buf) }
}

/// Opens the system's picker for `kind`; the chosen path, or nothing when the person cancels.
#[tauri::command(async)]
pub fn pick_path(window: tauri::WebviewWindow, state: State<'_, AppState>, kind: PickKind, start: Option<String>) -> Result<Option<String>, IpcError> {
    crate::log::call("pick_path", || {
        crate::commands::signed_in(&state)?;
        let chosen = system_pick(&window, kind, start_folder(start.as_deref()))?;
        Ok(chosen.map(|p| p.display().to_string()))
    })
}

#[cfg(target_os = "linux")]
fn system_pick(window: &tauri::WebviewWindow, kind: PickKind, start: Option<PathBuf>) -> Result<Option<PathBuf>, IpcError> {
    use gtk::prelude::*;
    let (tx, rx) = std::sync::mpsc::channel();
    window
        .with_webview(move |webview| {
            let parent = webview.inner().toplevel().and_then(|w| w.downcast::<gtk::Window>().ok());
            let action = match kind {
                PickKind::Folder => gtk::FileChooserAction::SelectFolder,
                k if k.saves() => gtk::FileChooserAction::Save,
                _ => gtk::FileChooserAction::Open,
            };
            let accept = if kind.saves() { "保存" } else { "选择" };
            let dialog =
                gtk::FileChooserDialog::with_buttons(Some(kind.title()), parent.as_ref(), action, &[("取消", gtk::ResponseType::Cancel), (accept, gtk::ResponseType::Accept)]);
            if let Some(name) = kind.proposed_name() {
                dialog.set_current_name(&name);
                dialog.set_do_overwrite_confirmation(true);
            }
            dialog.set_modal(true);
            dialog.set_default_response(gtk::ResponseType::Accept);
            dialog.set_local_only(true);
            if let Some(dir) = &start {
                dialog.set_current_folder(dir);
            }
            if let Some((name, patterns)) = kind.filter() {
                let offered = gtk::FileFilter::new();
                offered.set_name(Some(name));
                for p in patterns {
                    offered.add_pattern(p);
                }
                let all = gtk::FileFilter::new();
                all.set_name(Some("所有文件"));
                all.add_pattern("*");
                dialog.add_filter(offered);
                dialog.add_filter(all);
            }
            dialog.connect_response(move |d, response| {
                let chosen = if response == gtk::ResponseType::Accept { d.filename() } else { None };
                let _ = tx.send(chosen);
                d.close();
            });
            dialog.show_all();
        })
        .map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot open the file dialog: {e}")))?;
    // a dialog closed without an answer (the window went away) chose nothing
    Ok(rx.recv().ok().flatten())
}

#[cfg(not(target_os = "linux"))]
fn system_pick(_window: &tauri::WebviewWindow, kind: PickKind, start: Option<PathBuf>) -> Result<Option<PathBuf>, IpcError> {
    let mut dialog = rfd::FileDialog::new().set_title(kind.title());
    if let Some(dir) = start {
        dialog = dialog.set_directory(dir);
    }
    if let Some((name, patterns)) = kind.filter() {
        let extensions: Vec<&str> = patterns.iter().filter_map(|p| p.strip_prefix("*.")).filter(|e| !e.contains('*')).collect();
        dialog = dialog.add_filter(name, &extensions);
    }
    if let Some(name) = kind.proposed_name() {
        return Ok(dialog.set_file_name(name).save_file());
    }
    Ok(if kind == PickKind::Folder { dialog.pick_folder() } else { dialog.pick_file() })
}

/// The printers the system has, its default first; none where the system cannot say (no print
/// service): the setting is then typed, and the print dialog lists what there is anyway.
#[tauri::command(async)]
pub fn list_printers(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    crate::log::call("list_printers", || {
        crate::commands::signed_in(&state)?;
        Ok(system_printers())
    })
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program).args(args).stdin(std::process::Stdio::null()).stderr(std::process::Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(not(windows))]
fn system_printers() -> Vec<String> {
    let names = run("lpstat", &["-e"]).unwrap_or_default();
    let default = run("lpstat", &["-d"]).unwrap_or_default();
    printers_of(&names, &default)
}

#[cfg(windows)]
fn system_printers() -> Vec<String> {
    let names = run("powershell", &["-NoProfile", "-NonInteractive", "-Command", "Get-Printer | Select-Object -ExpandProperty Name"]).unwrap_or_default();
    let default = run("powershell", &["-NoProfile", "-NonInteractive", "-Command", "(Get-CimInstance Win32_Printer -Filter 'Default=True').Name"]).unwrap_or_default();
    printers_of(&names, &format!("system default destination: {}", default.trim()))
}

/// One printer per line of `names`; the one `lpstat -d` names as the default goes first.
fn printers_of(names: &str, default: &str) -> Vec<String> {
    let mut printers: Vec<String> = names.lines().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect();
    printers.dedup();
    let default = default.lines().find_map(|l| l.trim().strip_prefix("system default destination:")).map(str::trim).unwrap_or("");
    if let Some(i) = printers.iter().position(|p| p == default) {
        let d = printers.remove(i);
        printers.insert(0, d);
    }
    printers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_printers_with_the_default_first() {
        let names = "HP_LaserJet_M1136\nBrother_HL-2260D\n\n";
        assert_eq!(printers_of(names, "system default destination: Brother_HL-2260D\n"), ["Brother_HL-2260D", "HP_LaserJet_M1136"]);
        assert_eq!(printers_of(names, "no system default destination\n"), ["HP_LaserJet_M1136", "Brother_HL-2260D"]);
        assert!(printers_of("", "").is_empty());
    }

    #[test]
    fn the_dialog_opens_where_the_path_is_now() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("backup.db");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(start_folder(Some(dir.path().to_str().unwrap())), Some(dir.path().to_path_buf()));
        assert_eq!(start_folder(Some(file.to_str().unwrap())), Some(dir.path().to_path_buf()));
        assert_eq!(start_folder(Some(dir.path().join("gone").join("x.db").to_str().unwrap())), None);
        assert_eq!(start_folder(Some("  ")), None);
        assert_eq!(start_folder(None), None);
    }
}
