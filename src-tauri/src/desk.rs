//! IPC commands of the printing, seal, key, report and admin desks. Each opens the desk of this
//! window's session, calls one function of `certdesk-desk` and returns plain data; the slow ones
//! (rendering, importing a scan, key operations, exports, backups) run off the UI thread
//! (`async`); printing opens the system print dialog on the forms' own paper. PINs arrive as
//! arguments, become zeroizing `Pin`s at once and are never stored.

use crate::AppState;
use crate::commands::signed_in;
use crate::error::IpcError;
use certdesk_desk::ErrorKind;
use certdesk_desk::{issue, print, report, seal, xlsx};
use certdesk_domain::workflow::Role;
use certdesk_store::Password;
use certdesk_token::{Algo, Keys, Pin, TokenSel};
use serde::Serialize;
use std::path::PathBuf;
use tauri::State;

/// A folder from a setting, else `<documents>/certdesk/<sub>` (else the data folder).
fn folder(state: &AppState, key: &str, sub: &str) -> Result<PathBuf, IpcError> {
    if let Some(p) = state.store.lock()?.setting(key)?.filter(|p| !p.trim().is_empty()) {
        return Ok(PathBuf::from(p.trim()));
    }
    let base = dirs::document_dir().or_else(dirs::data_dir).unwrap_or_else(|| PathBuf::from("."));
    Ok(base.join("certdesk").join(sub))
}

fn header(request: &tauri::ipc::Request<'_>, name: &str) -> Option<String> {
    request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string).filter(|s| !s.is_empty())
}

fn raw_body<'a>(request: &'a tauri::ipc::Request<'_>) -> Result<&'a [u8], IpcError> {
    match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => Ok(bytes),
        _ => Err(IpcError::new(ErrorKind::Invalid, "the file must be sent as raw bytes")),
    }
}

// ---------------------------------------------------------------- printing

#[tauri::command(async)]
pub fn preview_forms(state: State<'_, AppState>, number: String, form: Option<String>) -> Result<print::Preview, IpcError> {
    crate::log::call("preview_forms", || state.with_own_desk(|d| print::preview(d.store(), &state.forms, &number, form.as_deref())))
}

#[derive(Serialize, ts_rs::TS)]
pub struct Printed {
    /// The PDF kept in the print folder: the record of what was printed.
    #[ts(type = "string")]
    path: PathBuf,
    pages: usize,
    bytes: usize,
    forms: Vec<print::FormPages>,
    /// The same pages for the print dialog (the window shows only these when it prints).
    sheets: Vec<print::Sheet>,
}

/// Renders the case's forms, keeps the PDF as `<print folder>/<case>.pdf` and returns the
/// sheets the window puts up for `print_sheets`.
#[tauri::command(async)]
pub fn print_forms(state: State<'_, AppState>, number: String, form: Option<String>) -> Result<Printed, IpcError> {
    crate::log::call("print_forms", || {
        let dir = folder(&state, "print_dir", "print")?;
        let parsed = certdesk_desk::api::case_number(&number)?;
        if form.as_deref().is_some_and(|f| f.contains(['/', '\\', ':']) || f.contains("..")) {
            return Err(IpcError::new(ErrorKind::Invalid, "a form id is a plain name"));
        }
        let path = dir.join(format!("{parsed}{}.pdf", form.as_deref().map(|f| format!("-{f}")).unwrap_or_default()));
        let rendered = state.with_own_desk(|d| print::render(d, &state.forms, &number, form.as_deref(), &path))?;
        Ok(Printed { path, pages: rendered.pages(), bytes: rendered.pdf.len(), forms: rendered.forms, sheets: rendered.sheets })
    })
}

/// What became of a print dialog.
#[derive(Serialize, ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The user printed (Linux tells).
    Printed,
    /// The user closed the dialog without printing.
    Cancelled,
    /// The dialog was opened; the platform does not say how it ended (WebView2, WKWebView).
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    Opened,
}

/// Opens the system print dialog for what the window shows: its print stylesheet shows only the
/// sheets of `print_forms`. The paper is the sheets' own size (`width` × `height` mm) without
/// margins, so forms print at their true size; the printer of the `printer` setting (管理 → 打印机)
/// comes preselected; "print to file" defaults to `<print folder>/<case>-打印.pdf`.
#[tauri::command(async)]
pub fn print_sheets(window: tauri::WebviewWindow, state: State<'_, AppState>, number: String, width: f32, height: f32) -> Result<PrintOutcome, IpcError> {
    crate::log::call("print_sheets", || {
        if !(50.0..=1500.0).contains(&width) || !(50.0..=1500.0).contains(&height) {
            return Err(IpcError::new(ErrorKind::Invalid, format!("paper {width} × {height} mm is not a paper size")));
        }
        // a stored case's number (not whatever the window sends) names the file
        let (number, printer) =
            state.with_desk(|d| Ok((d.case(&number)?.number.to_string(), d.store().setting("printer")?.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()))))?;
        let file = folder(&state, "print_dir", "print")?.join(format!("{number}-打印.pdf"));
        system_print(&window, width, height, &file, printer)
    })
}

#[cfg(target_os = "linux")]
fn system_print(window: &tauri::WebviewWindow, width: f32, height: f32, file: &std::path::Path, printer: Option<String>) -> Result<PrintOutcome, IpcError> {
    use gtk::prelude::*;
    use webkit2gtk::PrintOperationExt;
    let uri = gtk::glib::filename_to_uri(file, None).map_err(|e| IpcError::new(ErrorKind::Print, format!("{}: {e}", file.display())))?.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    window
        .with_webview(move |webview| {
            let (w, h) = (f64::from(width.min(height)), f64::from(width.max(height)));
            // a standard paper by its name where it is one, so the printer takes the right tray
            let named = [("iso_a4", 210.0, 297.0), ("iso_a5", 148.0, 210.0), ("iso_a3", 297.0, 420.0), ("iso_b5", 176.0, 250.0)]
                .into_iter()
                .find(|(_, pw, ph)| (w - pw).abs() < 0.6 && (h - ph).abs() < 0.6);
            let paper = match named {
                Some((name, _, _)) => gtk::PaperSize::new(Some(name)),
                None => gtk::PaperSize::new_custom("certdesk", "certdesk", w, h, gtk::Unit::Mm),
            };
            let setup = gtk::PageSetup::new();
            setup.set_paper_size(&paper);
            setup.set_orientation(if width > height { gtk::PageOrientation::Landscape } else { gtk::PageOrientation::Portrait });
            setup.set_top_margin(0.0, gtk::Unit::Mm);
            setup.set_bottom_margin(0.0, gtk::Unit::Mm);
            setup.set_left_margin(0.0, gtk::Unit::Mm);
            setup.set_right_margin(0.0, gtk::Unit::Mm);
            let settings = gtk::PrintSettings::new();
            settings.set_paper_size(&paper);
            settings.set_orientation(setup.orientation());
            settings.set(gtk::PRINT_SETTINGS_OUTPUT_URI, Some(&uri));
            if let Some(name) = &printer {
                settings.set_printer(name);
            }
            let view = webview.inner();
            let op = webkit2gtk::PrintOperation::new(&view);
            op.set_page_setup(&setup);
            op.set_print_settings(&settings);
            // WebKit paints the pages after the dialog closes: answer (and let the window take
            // the sheets down) only when it has finished or failed. The handlers hold the
            // operation until then and let go of it after.
            let keep = std::rc::Rc::new(std::cell::RefCell::new(Some(op.clone())));
            let (done, failed) = (tx.clone(), tx.clone());
            let keep_failed = keep.clone();
            op.connect_failed(move |_, e| {
                let _ = failed.send(Err(e.to_string()));
                keep_failed.borrow_mut().take();
            });
            op.connect_finished(move |_| {
                let _ = done.send(Ok(PrintOutcome::Printed));
                keep.borrow_mut().take();
            });
            let parent = view.toplevel().and_then(|w| w.downcast::<gtk::Window>().ok());
            if op.run_dialog(parent.as_ref()) != webkit2gtk::PrintOperationResponse::Print {
                let _ = tx.send(Ok(PrintOutcome::Cancelled));
            }
        })
        .map_err(|e| IpcError::new(ErrorKind::Print, format!("cannot open the print dialog: {e}")))?;
    match rx.recv() {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(why)) => Err(IpcError::new(ErrorKind::Print, format!("printing failed: {why}"))),
        Err(_) => Err(IpcError::new(ErrorKind::Print, "the print dialog ended without an answer")),
    }
}

#[cfg(not(target_os = "linux"))]
fn system_print(window: &tauri::WebviewWindow, _width: f32, _height: f32, _file: &std::path::Path, _printer: Option<String>) -> Result<PrintOutcome, IpcError> {
    // WebView2 and WKWebView open their own dialog; the print stylesheet sets the paper
    window.print().map_err(|e| IpcError::new(ErrorKind::Print, format!("cannot open the print dialog: {e}")))?;
    Ok(PrintOutcome::Opened)
}

// ---------------------------------------------------------------- seal sheet

/// The scan arrives as the raw body; `x-case`, `x-file-name` (percent-encoded), `x-dpi`.
#[tauri::command(async)]
pub fn import_seal_scan(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<seal::Verdict, IpcError> {
    crate::log::call("import_seal_scan", || {
        let number = header(&request, "x-case").ok_or_else(|| IpcError::new(ErrorKind::Invalid, "no case number"))?;
        let name = header(&request, "x-file-name").map(|n| percent_encoding::percent_decode_str(&n).decode_utf8_lossy().into_owned()).unwrap_or_else(|| "scan".into());
        let dpi = match header(&request, "x-dpi") {
            Some(d) => Some(d.parse::<f32>().map_err(|_| IpcError::new(ErrorKind::Invalid, format!("dpi {d:?} is not a number")))?),
            None => None,
        };
        let bytes = raw_body(&request)?;
        state.with_own_desk(|d| seal::import_for_case(d, &number, &name, bytes, dpi))
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct ScanFile {
    name: String,
    size: u64,
    /// Last modified, RFC 3339 (local time).
    modified: String,
}

const SCAN_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "tif", "tiff", "bmp"];

fn scan_folder(state: &AppState) -> Result<PathBuf, IpcError> {
    state
        .store
        .lock()?
        .setting("scan_folder")?
        .filter(|p| !p.trim().is_empty())
        .map(|p| PathBuf::from(p.trim()))
        .ok_or_else(|| IpcError::new(ErrorKind::NoScanFolder, "no scanner folder is set (管理 → 扫描文件夹)"))
}

/// The scans in the configured scanner folder, newest first (the seal panel polls this, so a
/// sheet the scanner just wrote shows up by itself).
#[tauri::command(async)]
pub fn scan_folder_files(state: State<'_, AppState>) -> Result<Vec<ScanFile>, IpcError> {
    crate::log::call("scan_folder_files", || {
        signed_in(&state)?;
        let dir = scan_folder(&state)?;
        let entries = std::fs::read_dir(&dir).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot read {}: {e}", dir.display())))?;
        let mut files: Vec<(std::time::SystemTime, ScanFile)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(|m| m.is_file())?;
                let name = e.file_name().into_string().ok()?;
                let ext = name.rsplit_once('.').map(|(_, x)| x.to_ascii_lowercase())?;
                if !SCAN_EXTENSIONS.contains(&ext.as_str()) {
                    return None;
                }
                let at = meta.modified().ok()?;
                let modified = chrono::DateTime::<chrono::Local>::from(at).to_rfc3339();
                Some((at, ScanFile { name, size: meta.len(), modified }))
            })
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        Ok(files.into_iter().take(50).map(|(_, f)| f).collect())
    })
}

/// Imports a scan from the scanner folder by its file name (only a plain name inside that
/// folder: the webview never chooses a path).
#[tauri::command(async)]
pub fn import_seal_from_folder(state: State<'_, AppState>, number: String, name: String, dpi: Option<f32>) -> Result<seal::Verdict, IpcError> {
    crate::log::call("import_seal_from_folder", || {
        if name.is_empty() || name.contains(['/', '\\', ':']) || name == "." || name == ".." {
            return Err(IpcError::new(ErrorKind::Invalid, format!("{name:?} is not a file name in the scanner folder")));
        }
        let path = scan_folder(&state)?.join(&name);
        let meta = std::fs::metadata(&path).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?;
        if meta.len() > certdesk_store::MAX_ATTACHMENT_BYTES as u64 {
            return Err(IpcError::new(ErrorKind::SealUnreadable, format!("{name} is {} bytes: too large for a scan", meta.len())));
        }
        let bytes = std::fs::read(&path).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())))?;
        state.with_own_desk(|d| seal::import_for_case(d, &number, &name, &bytes, dpi))
    })
}

/// A stored image of a case as a `data:` URL (the CSP allows no other image source).
#[tauri::command(async)]
pub fn attachment_url(state: State<'_, AppState>, number: String, name: String) -> Result<String, IpcError> {
    crate::log::call("attachment_url", || {
        use base64::Engine as _;
        let number = certdesk_desk::api::case_number(&number)?;
        let (info, bytes) =
            state.with_desk(|d| Ok(d.store().attachment(&number, &name)?))?.ok_or_else(|| IpcError::new(ErrorKind::NotFound, format!("case {number} has no file {name}")))?;
        if !info.mime.starts_with("image/") {
            return Err(IpcError::new(ErrorKind::Invalid, format!("{name} is not an image")));
        }
        Ok(format!("data:{};base64,{}", info.mime, base64::engine::general_purpose::STANDARD.encode(bytes)))
    })
}

// ---------------------------------------------------------------- key desk

/// Runs `f` with the loaded PKCS#11 module (the admin's setting, else the environment, else
/// the platform's known vendor modules), loading it once.
pub(crate) fn with_keys<T>(state: &AppState, f: impl FnOnce(&Keys) -> Result<T, IpcError>) -> Result<T, IpcError> {
    let configured = state.store.lock()?.setting("pkcs11_module")?.filter(|p| !p.trim().is_empty()).map(|p| PathBuf::from(p.trim()));
    let configured = configured.or_else(|| std::env::var_os("CERTDESK_PKCS11_MODULE").filter(|p| !p.is_empty()).map(PathBuf::from));
    let module = certdesk_token::modules::resolve(configured.as_deref()).map_err(|e| IpcError::new(ErrorKind::NoModule, e.to_string()))?;
    let mut guard = state.keys.lock().map_err(|_| IpcError::new(ErrorKind::Token, "state poisoned"))?;
    if guard.as_ref().is_none_or(|(p, _)| *p != module) {
        *guard = None;
        let keys = Keys::open(&module).map_err(certdesk_desk::DeskError::from)?;
        tracing::info!(module = %module.display(), "PKCS#11 module loaded");
        *guard = Some((module, keys));
    }
    let (_, keys) = guard.as_ref().expect("loaded above");
    f(keys)
}

#[derive(Serialize, ts_rs::TS)]
pub struct KeySlots {
    module: Option<String>,
    module_error: Option<String>,
    slots: Vec<certdesk_token::token::SlotView>,
    readers: Vec<certdesk_token::readers::ReaderState>,
    /// what is wrong with the smart-card service (the desk's words come from the code); the
    /// English detail is for the log and support
    pcsc_problem: Option<certdesk_token::readers::PcscProblem>,
    pcsc_error: Option<String>,
}

/// Readers (PC/SC) and tokens (PKCS#11) as they are now; the key desk polls this.
#[tauri::command(async)]
pub fn key_slots(state: State<'_, AppState>) -> Result<KeySlots, IpcError> {
    crate::log::call("key_slots", || {
        signed_in(&state)?;
        let (readers, pcsc_problem, pcsc_error) = match certdesk_token::readers::Readers::connect().and_then(|r| r.list()) {
            Ok(r) => (r, None, None),
            Err(e) => (vec![], Some(e.problem()), Some(e.to_string())),
        };
        let (module, slots, module_error) = match with_keys(&state, |k| Ok(k.slots().map_err(certdesk_desk::DeskError::from)?)) {
            Ok(slots) => (state.keys.lock().ok().and_then(|g| g.as_ref().map(|(p, _)| p.display().to_string())), slots, None),
            Err(e) => (None, vec![], Some(e.detail)),
        };
        Ok(KeySlots { module, module_error, slots, readers, pcsc_problem, pcsc_error })
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct KeyStatusView {
    #[serde(flatten)]
    status: issue::KeyStatus,
    default_pin_warning: bool,
}

#[tauri::command(async)]
pub fn key_status(state: State<'_, AppState>, number: String) -> Result<KeyStatusView, IpcError> {
    crate::log::call("key_status", || {
        let status = state.with_desk(|d| issue::status(d.store(), &state.catalog, &number))?;
        let default_pin_warning = status.token_serial.as_ref().is_some_and(|s| state.default_pin_tokens.lock().is_ok_and(|set| set.contains(s)));
        Ok(KeyStatusView { status, default_pin_warning })
    })
}

fn note_default_pin(state: &AppState, serial: &str, pin: &Pin) {
    if issue::is_default_pin(&state.catalog, pin).is_some()
        && let Ok(mut set) = state.default_pin_tokens.lock()
    {
        set.insert(serial.to_string());
    }
}

#[tauri::command(async)]
pub fn key_init(state: State<'_, AppState>, number: String, slot_index: usize, label: String, so_pin: String, user_pin: String) -> Result<certdesk_token::TokenView, IpcError> {
    crate::log::call("key_init", || {
        let (so, user) = (Pin::new(so_pin), Pin::new(user_pin));
        let t = with_keys(&state, |keys| state.with_own_desk(|d| issue::init(d, keys, &state.catalog, &number, slot_index, &label, &so, &user)))?;
        note_default_pin(&state, &t.serial, &user);
        Ok(t)
    })
}

#[tauri::command(async)]
pub fn key_generate(state: State<'_, AppState>, number: String, serial: String, pin: String, algo: String, employee: Option<usize>) -> Result<issue::Generated, IpcError> {
    crate::log::call("key_generate", || {
        let pin = Pin::new(pin);
        let algo = Algo::parse(&algo).ok_or_else(|| IpcError::new(ErrorKind::Invalid, format!("unknown algorithm {algo} (rsa2048, ec-p256 or sm2)")))?;
        let out = folder(&state, "export_dir", "requests")?;
        let sel = TokenSel::Serial(serial.clone());
        let files = issue::RequestFiles::in_dir(&out, certdesk_desk::api::case_number(&number)?.as_str());
        let g = with_keys(&state, |keys| state.with_own_desk(|d| issue::generate(d, keys, &state.catalog, &number, &sel, &pin, algo, employee, &files)))?;
        note_default_pin(&state, &serial, &pin);
        Ok(g)
    })
}

/// The issued certificate arrives as the raw body; `x-case` names the case.
#[tauri::command(async)]
pub fn key_import_cert(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<issue::ImportedCert, IpcError> {
    crate::log::call("key_import_cert", || {
        let number = header(&request, "x-case").ok_or_else(|| IpcError::new(ErrorKind::Invalid, "no case number"))?;
        let bytes = raw_body(&request)?;
        state.with_own_desk(|d| issue::import_cert(d, &state.catalog, &number, bytes))
    })
}

#[tauri::command(async)]
pub fn key_write_cert(state: State<'_, AppState>, number: String, serial: String, pin: String) -> Result<issue::Written, IpcError> {
    crate::log::call("key_write_cert", || {
        let pin = Pin::new(pin);
        with_keys(&state, |keys| state.with_own_desk(|d| issue::write_cert(d, keys, &number, &TokenSel::Serial(serial), &pin)))
    })
}

/// Dual certificates: the CA's answer (the enveloped encryption key pair) arrives as the raw
/// body; `x-case` names the case, `x-serial` the key, `x-pin` the user PIN (percent-encoded),
/// `x-enc-cert` the encryption certificate file (Base64; absent when the answer carries it).
#[tauri::command(async)]
pub fn key_import_enc(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<issue::EncWritten, IpcError> {
    crate::log::call("key_import_enc", || {
        use base64::Engine as _;
        let missing = |what: &str| IpcError::new(ErrorKind::Invalid, format!("no {what}"));
        let number = header(&request, "x-case").ok_or_else(|| missing("case number"))?;
        let serial = header(&request, "x-serial").ok_or_else(|| missing("key"))?;
        let pin = header(&request, "x-pin").ok_or_else(|| missing("PIN"))?;
        let pin = Pin::new(percent_encoding::percent_decode_str(&pin).decode_utf8().map_err(|_| IpcError::new(ErrorKind::Invalid, "the PIN is not UTF-8"))?.into_owned());
        let enc_cert = match header(&request, "x-enc-cert") {
            Some(b64) => Some(base64::engine::general_purpose::STANDARD.decode(&b64).map_err(|_| IpcError::new(ErrorKind::Invalid, "the encryption certificate is not Base64"))?),
            None => None,
        };
        let answer = raw_body(&request)?;
        with_keys(&state, |keys| state.with_own_desk(|d| issue::import_enc(d, keys, &state.catalog, &number, &TokenSel::Serial(serial.clone()), &pin, answer, enc_cert.as_deref())))
    })
}

#[tauri::command(async)]
pub fn key_write_seal(state: State<'_, AppState>, number: String, serial: String, pin: String) -> Result<issue::SealWritten, IpcError> {
    crate::log::call("key_write_seal", || {
        let pin = Pin::new(pin);
        with_keys(&state, |keys| state.with_own_desk(|d| issue::write_seal(d, keys, &state.catalog, &number, &TokenSel::Serial(serial), &pin)))
    })
}

#[tauri::command(async)]
pub fn key_verify(state: State<'_, AppState>, serial: String, pin: String) -> Result<certdesk_token::token::Contents, IpcError> {
    crate::log::call("key_verify", || {
        let pin = Pin::new(pin);
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                if !d.actor().has(Role::KeyClerk) {
                    return Err(certdesk_desk::DeskError::Invalid(format!("{} is not a key clerk", d.actor().name)));
                }
                issue::verify(keys, &TokenSel::Serial(serial), &pin)
            })
        })
    })
}

/// Unlocks a key; with `number`, as that 解锁 case's step.
#[tauri::command(async)]
pub fn key_unlock(state: State<'_, AppState>, serial: String, so_pin: String, new_pin: String, number: Option<String>) -> Result<certdesk_token::TokenView, IpcError> {
    crate::log::call("key_unlock", || {
        let (so, new) = (Pin::new(so_pin), Pin::new(new_pin));
        let t = with_keys(&state, |keys| state.with_own_desk(|d| issue::unlock(d, keys, &state.catalog, number.as_deref(), &TokenSel::Serial(serial.clone()), &so, &new)))?;
        note_default_pin(&state, &t.serial, &new);
        Ok(t)
    })
}

/// Wipes a returned key; with `number`, as that case's step.
#[tauri::command(async)]
pub fn key_wipe(state: State<'_, AppState>, serial: String, so_pin: String, number: Option<String>) -> Result<certdesk_token::TokenView, IpcError> {
    crate::log::call("key_wipe", || {
        let so = Pin::new(so_pin);
        with_keys(&state, |keys| state.with_own_desk(|d| issue::wipe(d, keys, &state.catalog, number.as_deref(), &TokenSel::Serial(serial.clone()), &so)))
    })
}

// ---------------------------------------------------------------- reports

fn parse_day(date: &str) -> Result<chrono::NaiveDate, IpcError> {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| IpcError::new(ErrorKind::Invalid, format!("{date:?} is not a date (YYYY-MM-DD)")))
}

fn parse_days(days: i64) -> Result<i64, IpcError> {
    if (1..=3650).contains(&days) { Ok(days) } else { Err(IpcError::new(ErrorKind::Invalid, format!("{days} days: give 1 to 3650"))) }
}

#[tauri::command(async)]
pub fn report_daily(state: State<'_, AppState>, date: String) -> Result<report::DailyLedger, IpcError> {
    crate::log::call("report_daily", || {
        let day = parse_day(&date)?;
        state.with_own_desk(|d| report::daily(d.store(), day))
    })
}

#[tauri::command(async)]
pub fn report_expiring(state: State<'_, AppState>, days: i64) -> Result<Vec<report::Expiring>, IpcError> {
    crate::log::call("report_expiring", || {
        let days = parse_days(days)?;
        state.with_own_desk(|d| report::expiring(d.store(), chrono::Utc::now(), days))
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct Exported {
    #[ts(type = "string")]
    path: PathBuf,
    rows: usize,
}

/// Writes a report as CSV or XLSX into the export folder.
#[tauri::command(async)]
pub fn export_report(state: State<'_, AppState>, kind: String, format: String, arg: String) -> Result<Exported, IpcError> {
    crate::log::call("export_report", || {
        signed_in(&state)?;
        let (table, stem) = match kind.as_str() {
            "daily" => {
                let day = parse_day(&arg)?;
                (report::daily_table(&report::daily(&*state.store.lock()?, day)?), format!("受理日报-{day}"))
            }
            "expiring" => {
                let days = parse_days(arg.trim().parse::<i64>().map_err(|_| IpcError::new(ErrorKind::Invalid, format!("{arg:?} is not a number of days")))?)?;
                let list = report::expiring(&*state.store.lock()?, chrono::Utc::now(), days)?;
                (report::expiring_table(&list, days), format!("到期证书-{days}天-{}", chrono::Local::now().date_naive()))
            }
            other => return Err(IpcError::new(ErrorKind::Invalid, format!("unknown report {other}"))),
        };
        let bytes = match format.as_str() {
            "csv" => report::to_csv(&table),
            "xlsx" => xlsx::workbook(std::slice::from_ref(&table)),
            other => return Err(IpcError::new(ErrorKind::Invalid, format!("unknown format {other}"))),
        };
        let dir = folder(&state, "export_dir", "reports")?;
        let path = dir.join(format!("{stem}.{format}"));
        certdesk_store::private::write(&path, &bytes).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display())))?;
        Ok(Exported { path, rows: table.rows.len() })
    })
}

// ---------------------------------------------------------------- admin

#[derive(Serialize, ts_rs::TS)]
pub struct AccountView {
    name: String,
    display_name: String,
    roles: Vec<&'static str>,
    locked: bool,
    disabled: bool,
    failed_logins: i64,
    created_at: String,
}

fn parse_roles(roles: &[String]) -> Result<Vec<Role>, IpcError> {
    roles.iter().map(|r| Role::from_wire(r).ok_or_else(|| IpcError::new(ErrorKind::Invalid, format!("unknown role {r}")))).collect()
}

#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountView>, IpcError> {
    crate::log::call("list_accounts", || {
        let accounts = state.with_desk(|d| d.accounts())?;
        Ok(accounts
            .into_iter()
            .map(|a| AccountView {
                name: a.name,
                display_name: a.display_name,
                roles: a.roles.iter().map(|r| r.wire()).collect(),
                locked: a.locked,
                disabled: a.disabled,
                failed_logins: a.failed_logins,
                created_at: a.created_at,
            })
            .collect())
    })
}

#[tauri::command(async)]
pub fn add_account(state: State<'_, AppState>, name: String, roles: Vec<String>, password: String) -> Result<(), IpcError> {
    crate::log::call("add_account", || {
        let roles = parse_roles(&roles)?;
        state.with_desk(|d| d.add_account(&name, &roles, &Password::new(password)).map(drop))
    })
}

#[tauri::command(async)]
pub fn set_account_roles(state: State<'_, AppState>, name: String, roles: Vec<String>) -> Result<(), IpcError> {
    crate::log::call("set_account_roles", || {
        let roles = parse_roles(&roles)?;
        state.with_desk(|d| d.set_roles(&name, &roles).map(drop))
    })
}

/// An administrator's new password for another account; one's own needs the current one.
#[tauri::command(async)]
pub fn reset_password(state: State<'_, AppState>, name: String, password: String) -> Result<(), IpcError> {
    crate::log::call("reset_password", || state.with_desk(|d| d.reset_password(&name, &Password::new(password)).map(drop)))
}

#[tauri::command(async)]
pub fn change_own_password(state: State<'_, AppState>, current: String, password: String) -> Result<(), IpcError> {
    crate::log::call("change_own_password", || state.with_desk(|d| d.change_own_password(&Password::new(current), &Password::new(password)).map(drop)))
}

/// An account's 姓名 (an administrator for anyone, an account for itself).
#[tauri::command(async)]
pub fn set_display_name(state: State<'_, AppState>, name: String, display_name: String) -> Result<(), IpcError> {
    crate::log::call("set_display_name", || state.with_desk(|d| d.set_display_name(&name, &display_name).map(drop)))
}

#[tauri::command(async)]
pub fn disable_account(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    crate::log::call("disable_account", || state.with_desk(|d| d.disable_account(&name).map(drop)))
}

#[tauri::command(async)]
pub fn unlock_account(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    crate::log::call("unlock_account", || state.with_desk(|d| d.unlock_account(&name).map(drop)))
}

#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>) -> Result<std::collections::BTreeMap<&'static str, String>, IpcError> {
    crate::log::call("get_settings", || {
        state.with_desk(|d| {
            let mut out = std::collections::BTreeMap::new();
            for key in certdesk_desk::api::SETTINGS {
                out.insert(key, d.store().setting(key)?.unwrap_or_else(|| if key == "counter_code" { print::DEFAULT_COUNTER.into() } else { String::new() }));
            }
            Ok(out)
        })
    })
}

#[tauri::command(async)]
pub fn set_setting(state: State<'_, AppState>, key: String, value: String) -> Result<(), IpcError> {
    crate::log::call("set_setting", || state.with_desk(|d| d.set_setting(&key, &value)))
}

#[derive(Serialize, ts_rs::TS)]
pub struct BackedUp {
    #[ts(type = "string")]
    path: PathBuf,
    bytes: u64,
}

#[tauri::command(async)]
pub fn backup_store(state: State<'_, AppState>) -> Result<BackedUp, IpcError> {
    crate::log::call("backup_store", || {
        // backups stay on this PC by default, beside the store (a synced Documents folder would
        // carry every applicant's ID number off it)
        let dir = match state.store.lock()?.setting("backup_dir")?.filter(|p| !p.trim().is_empty()) {
            Some(p) => PathBuf::from(p.trim()),
            None => dirs::data_local_dir().unwrap_or_else(|| PathBuf::from(".")).join("certdesk").join("backups"),
        };
        let path = dir.join(format!("certdesk-{}.db", chrono::Local::now().format("%Y%m%d-%H%M%S")));
        state.backup_cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        let cancel = state.backup_cancel.clone();
        let r = state.with_own_desk(|d| d.backup(&path, Some(cancel)))?;
        Ok(BackedUp { path: r.path, bytes: r.bytes })
    })
}

/// Stops the backup under way (取消 on its progress): nothing of it stays on disk.
#[tauri::command]
pub fn cancel_backup(state: State<'_, AppState>) -> Result<(), IpcError> {
    crate::log::call("cancel_backup", || {
        signed_in(&state)?;
        state.backup_cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct Restored {
    cases: i64,
    #[ts(type = "string")]
    kept: PathBuf,
}

/// Replaces the store by a checked backup; everyone is signed out (accounts come from the backup).
#[tauri::command(async)]
pub fn restore_store(state: State<'_, AppState>, path: String) -> Result<Restored, IpcError> {
    crate::log::call("restore_store", || {
        let backup = PathBuf::from(path.trim());
        let mut session = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(current) = session.as_mut() else { return Err(IpcError::new(ErrorKind::NotSignedIn, "sign in first")) };
        let result = state.store.replace_with(|store| certdesk_desk::api::restore(store, current, &backup))?;
        let restored = result?;
        *session = None;
        Ok(Restored { cases: restored.report.cases, kept: restored.kept })
    })
}

// ---------------------------------------------------------------- admin → 案件库位置

/// Where this app's store is, and what is saved for the next start.
#[derive(Serialize, ts_rs::TS)]
pub struct StorePlaceView {
    /// what this app works on now: `file` or `hall`
    #[ts(type = "'file' | 'hall'")]
    kind: &'static str,
    /// the store file's path, or the hall's server as shown (`USER@HOST:PORT/DB`)
    current: String,
    chosen_by: crate::store_place::ChosenBy,
    /// the choice saved in the admin desk (`file` or `hall`), `None` before any
    #[ts(type = "'file' | 'hall' | null")]
    saved_kind: Option<&'static str>,
    /// the saved hall's address (no password in it)
    saved_hall: Option<String>,
    /// the saved choice is not what runs now: it applies when the app starts again
    restart_needed: bool,
    /// the hall just checked: what its database holds
    checked: Option<HallChecked>,
}

#[derive(Serialize, ts_rs::TS)]
pub struct HallChecked {
    server: String,
    cases: i64,
    accounts: i64,
}

fn place_view(state: &AppState, checked: Option<HallChecked>) -> Result<StorePlaceView, IpcError> {
    use crate::store_place::{Setting, StoreTarget};
    let place = &state.place;
    let saved = crate::store_place::load(&place.dir).map_err(|why| IpcError::new(ErrorKind::Invalid, why))?;
    let (kind, current) = match &place.opened {
        StoreTarget::File(path) => ("file", path.display().to_string()),
        StoreTarget::Hall(_) => ("hall", state.store.lock()?.server().unwrap_or_default().to_string()),
    };
    Ok(StorePlaceView {
        kind,
        current,
        chosen_by: place.chosen_by,
        saved_kind: saved.as_ref().map(|s| match s {
            Setting::File => "file",
            Setting::Hall { .. } => "hall",
        }),
        saved_hall: match &saved {
            Some(Setting::Hall { url }) => Some(url.clone()),
            _ => None,
        },
        restart_needed: saved.as_ref().is_some_and(|s| !place.runs(s)),
        checked,
    })
}

/// Where this app's store is (administrators).
#[tauri::command(async)]
pub fn store_place(state: State<'_, AppState>) -> Result<StorePlaceView, IpcError> {
    crate::log::call("store_place", || {
        state.with_desk(|d| d.require(Role::Admin))?;
        place_view(&state, None)
    })
}

/// Chooses this PC's store for the next start (administrators): `file` (the store file on
/// this PC) or `hall` with the server's address and the role's password. A hall is checked
/// first (connected to, its schema brought up to date, its cases and accounts counted); a hall
/// that does not answer or refuses the password is refused and nothing is saved.
#[tauri::command(async)]
pub fn set_store_place(state: State<'_, AppState>, kind: String, url: Option<String>, password: Option<String>) -> Result<StorePlaceView, IpcError> {
    crate::log::call("set_store_place", || {
        let password = password.map(certdesk_store::pg::ServerPassword::new);
        state.with_desk(|d| d.require(Role::Admin))?;
        let dir = &state.place.dir;
        let saving = |e: std::io::Error| IpcError::new(ErrorKind::Io, format!("cannot save the store setting in {}: {e}", dir.display()));
        match kind.as_str() {
            "file" => {
                crate::store_place::save_file(dir).map_err(saving)?;
                tracing::info!("store setting: the store file on this PC from the next start");
                place_view(&state, None)
            }
            "hall" => {
                let url = url.as_deref().map(str::trim).filter(|u| !u.is_empty()).ok_or_else(|| IpcError::new(ErrorKind::Invalid, "the hall's address is missing"))?;
                let address = certdesk_store::pg::HallAddress::parse(url).map_err(|e| IpcError::new(ErrorKind::Invalid, e.to_string()))?;
                let password = password.filter(|p| !p.expose().is_empty()).ok_or_else(|| IpcError::new(ErrorKind::Invalid, "the hall's password is missing"))?;
                let hall = certdesk_store::Store::open_hall(&address, password.clone())?;
                let checked = HallChecked { server: address.shown().to_string(), cases: hall.count_cases()?, accounts: hall.account_count()? };
                drop(hall);
                crate::store_place::save_hall(dir, url, &password).map_err(saving)?;
                tracing::info!(server = %address.shown(), cases = checked.cases, accounts = checked.accounts, "store setting: the hall from the next start");
                place_view(&state, Some(checked))
            }
            other => Err(IpcError::new(ErrorKind::Invalid, format!("unknown store kind {other:?}: file or hall"))),
        }
    })
}

// ---------------------------------------------------------------- the log (admin → 日志)

/// The last `lines` lines of the app's log (default 500), for an administrator.
#[tauri::command(async)]
pub fn recent_logs(state: State<'_, AppState>, lines: Option<usize>) -> Result<Vec<String>, IpcError> {
    crate::log::call("recent_logs", || {
        state.with_desk(|d| d.require(certdesk_domain::workflow::Role::Admin))?;
        let dir = crate::log::log_dir();
        crate::log::recent(&dir, lines.unwrap_or(500).min(20_000)).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot read the log in {}: {e}", dir.display())))
    })
}

/// The recent log lines written to the export folder for support (`certdesk-log-<time>.txt`).
#[tauri::command(async)]
pub fn export_logs(state: State<'_, AppState>) -> Result<Exported, IpcError> {
    crate::log::call("export_logs", || {
        state.with_desk(|d| d.require(certdesk_domain::workflow::Role::Admin))?;
        let log_dir = crate::log::log_dir();
        let lines = crate::log::recent(&log_dir, 20_000).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot read the log in {}: {e}", log_dir.display())))?;
        let dir = folder(&state, "export_dir", "reports")?;
        let path = dir.join(format!("certdesk-log-{}.txt", chrono::Local::now().format("%Y%m%d-%H%M%S")));
        let text = lines.join("\n") + "\n";
        certdesk_store::private::write(&path, text.as_bytes()).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display())))?;
        Ok(Exported { path, rows: lines.len() })
    })
}

/// Debug builds only: crashes the app on purpose on its window's thread, so that the end-to-end
/// test sees the crash report and its dialog. A release build refuses.
#[tauri::command(async)]
pub fn debug_crash(app: tauri::AppHandle) -> Result<(), IpcError> {
    crate::log::call("debug_crash", || {
        if !cfg!(debug_assertions) {
            return Err(IpcError::new(ErrorKind::Refused, "only a debug build crashes on purpose"));
        }
        tracing::warn!("debug_crash: the app crashes on purpose");
        app.run_on_main_thread(|| panic!("debug_crash: a crash on purpose (debug builds only)")).map_err(|e| IpcError::new(ErrorKind::Internal, e.to_string()))
    })
}
