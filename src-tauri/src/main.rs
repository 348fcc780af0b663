//! The certdesk desktop app: the Tauri 2 shell over the application API (`certdesk-desk`)
//! alone. Owns the window, the process (its environment, read once into the desk's
//! `Environment`; the log; crashes; one app per PC and per store), the IPC commands (thin:
//! each opens the desk for this window's session and calls one function; the case desks in
//! `commands`, the printing, seal, key, report, admin and store-place desks in `desks`), and
//! the one mapping of library errors to `{kind, detail}` for the UI (which shows them in
//! Chinese). Business rules, roles, the four-eyes rule, folders, limits and audit events stay
//! in the desk and below. A panic inside a command becomes that command's error; the store
//! stays usable.
//!
//! Printing runs WebKitGTK's print operation itself on Linux (`desks/gtk_print`: paper,
//! margins, printer, the finished signal; the only code that knows GTK) and the webview's own
//! dialog elsewhere. The slow commands (rendering, a scan, key operations, exports, backup) run
//! off the UI thread; files travel as raw IPC bodies, never as paths the webview chooses. Every
//! command goes through `log::call` (timed, its outcome's kind logged, a panic its error); a
//! refused start or a crash is a native dialog (`crash`, a `--show-error` process of this
//! binary); one app per PC (single-instance plugin) and per store (`<store>.app.lock`); the
//! window's place is remembered (`window_state`). Packaged by scripts/package.sh.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bindings;
#[cfg(test)]
mod command_lists;
mod commands;
mod crash;
mod desks;
mod error;
#[cfg(test)]
mod ipc_tests;
mod log;
mod pick;
mod window_state;

use certdesk_desk::ErrorKind;
use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::place::{ChosenBy, Closed, Environment, Place, Platform, StoreTarget};
use error::IpcError;
use std::sync::{Mutex, MutexGuard};
use tauri::Manager;

/// The store, replaceable as a whole (restore from a backup), and closed while it waits for
/// an account (#30: an encrypted file opened by the sign-in and closed at the sign-out; a new
/// one made by the first administrator's set-up).
pub struct StoreCell {
    store: Mutex<Option<CaseStore>>,
    waiting: Mutex<Option<Closed>>,
}

pub struct StoreGuard<'a>(MutexGuard<'a, Option<CaseStore>>);

impl StoreCell {
    pub fn open(store: CaseStore) -> StoreCell {
        StoreCell { store: Mutex::new(Some(store)), waiting: Mutex::new(None) }
    }

    pub fn closed(waiting: Closed) -> StoreCell {
        StoreCell { store: Mutex::new(None), waiting: Mutex::new(Some(waiting)) }
    }

    pub fn lock(&self) -> Result<StoreGuard<'_>, IpcError> {
        // a command that panicked left the store as its last committed transaction: go on
        let guard = self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            return Err(match self.waiting() {
                Some(_) => IpcError::new(ErrorKind::NotSignedIn, "sign in first: the store opens with an account's password"),
                None => IpcError::new(ErrorKind::Store, "the store is closed after a failed restore: restart the app"),
            });
        }
        Ok(StoreGuard(guard))
    }

    /// Why the store is closed, when it waits for an account.
    pub fn waiting(&self) -> Option<Closed> {
        *self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The store opened (or made) by `open` when it waits for an account; `open` is told why it
    /// is closed. A store already open is left as it is.
    pub fn open_with(&self, open: impl FnOnce(Closed) -> Result<CaseStore, IpcError>) -> Result<(), IpcError> {
        let mut guard = self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut waiting = self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (None, Some(closed)) = (guard.as_ref(), *waiting) {
            *guard = Some(open(closed)?);
            *waiting = None;
        }
        Ok(())
    }

    /// Closes an encrypted store (its key dropped) when nobody is signed in at the window any
    /// more; the next sign-in opens it again.
    pub fn close_if_encrypted(&self) {
        let mut guard = self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.as_ref().is_some_and(CaseStore::is_encrypted) {
            *guard = None;
            *self.waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Closed::Encrypted);
        }
    }

    /// Takes the store out for an operation that consumes it (restore) and puts back what
    /// that operation returns.
    pub fn replace_with<T>(&self, f: impl FnOnce(CaseStore) -> (Option<CaseStore>, T)) -> Result<T, IpcError> {
        let mut guard = self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let store = guard.take().ok_or_else(|| IpcError::new(ErrorKind::Store, "the store is closed"))?;
        let (back, out) = f(store);
        *guard = back;
        Ok(out)
    }
}

impl std::ops::Deref for StoreGuard<'_> {
    type Target = CaseStore;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("checked when locked")
    }
}

impl std::ops::DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_mut().expect("checked when locked")
    }
}

/// What the app holds: the store, the session of the account signed in at this window, the
/// catalog and its forms, the key library once loaded, and the process's environment.
pub struct AppState {
    pub store: StoreCell,
    pub session: Mutex<Option<Session>>,
    pub catalog: certdesk_desk::catalog::Catalog,
    pub forms: certdesk_desk::forms::Forms,
    pub keys: Mutex<Option<certdesk_desk::keydesk::KeyLibrary>>,
    /// The intake's ID card reader, opened at the first card asked for.
    pub idcard: Mutex<Option<certdesk_desk::idcard::CardWatch>>,
    /// Set by 取消 while a backup runs (`cancel_backup`).
    pub backup_cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The store this app opened, who chose it, and where the choice for the next start is kept.
    pub place: Place,
    /// The process's environment and the platform's folders, as the desk reads them.
    pub env: Environment,
}

/// Runs a command that needs no store: a panic becomes this call's error.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, IpcError>) -> Result<T, IpcError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(panic_error(panic)))
}

fn panic_error(panic: Box<dyn std::any::Any + Send>) -> IpcError {
    let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
    IpcError::new(ErrorKind::Internal, format!("the command failed unexpectedly ({what}); nothing was half-written, the app goes on"))
}

impl AppState {
    /// The state of a window over `store`, signed in as nobody.
    pub fn new(store: CaseStore, catalog: certdesk_desk::catalog::Catalog, forms: certdesk_desk::forms::Forms, env: Environment) -> AppState {
        AppState::with_cell(StoreCell::open(store), catalog, forms, env)
    }

    /// The state of a window whose store file waits for an account (#30).
    pub fn waiting(closed: Closed, catalog: certdesk_desk::catalog::Catalog, forms: certdesk_desk::forms::Forms, env: Environment) -> AppState {
        AppState::with_cell(StoreCell::closed(closed), catalog, forms, env)
    }

    fn with_cell(store: StoreCell, catalog: certdesk_desk::catalog::Catalog, forms: certdesk_desk::forms::Forms, env: Environment) -> AppState {
        AppState {
            store,
            session: Mutex::new(None),
            catalog,
            forms,
            keys: Mutex::new(None),
            idcard: Mutex::new(None),
            backup_cancel: Default::default(),
            place: Place { dir: env.state_dir(), opened: StoreTarget::File(env.default_file()), chosen_by: ChosenBy::Default },
            env,
        }
    }

    /// Like [`AppState::with_desk`], for slow work (analysing a scan, rendering forms, a key
    /// operation, a backup): it runs on a connection of its own to the same store, so the
    /// window's other commands are not held up meanwhile. The session is checked (and its idle
    /// time renewed) first, as for every call.
    pub fn with_own_desk<T>(&self, f: impl FnOnce(&mut certdesk_desk::api::Desk<'_>) -> Result<T, certdesk_desk::DeskError>) -> Result<T, IpcError> {
        let (mut session, mut store) = self.with_session(|s, store| Ok((s.clone(), store.reopen()?)))?;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut desk = session.desk(&mut store)?;
            f(&mut desk)
        })) {
            Ok(outcome) => outcome.map_err(IpcError::from),
            Err(panic) => Err(panic_error(panic)),
        }
    }

    fn with_session<T>(&self, f: impl FnOnce(&mut Session, &mut CaseStore) -> Result<T, certdesk_desk::DeskError>) -> Result<T, IpcError> {
        self.on_session(Session::desk, f)
    }

    /// Runs `f` on this window's session and the store, the session checked by `open` first (a
    /// refusal that ends the account's session ends it here too).
    fn on_session<T>(
        &self,
        open: for<'a> fn(&mut Session, &'a mut CaseStore) -> Result<certdesk_desk::api::Desk<'a>, certdesk_desk::DeskError>,
        f: impl FnOnce(&mut Session, &mut CaseStore) -> Result<T, certdesk_desk::DeskError>,
    ) -> Result<T, IpcError> {
        self.signed_in(|current, store| Ok(open(current, store).map(drop).and_then(|()| f(current, store))))
    }

    /// Runs `call` on the signed-in session and the store, both locked for it. A refusal that
    /// ends the account's session (signed out, disabled, locked) forgets the session; a panic
    /// caught by `call` becomes this call's error.
    fn signed_in<T>(&self, call: impl FnOnce(&mut Session, &mut CaseStore) -> std::thread::Result<Result<T, certdesk_desk::DeskError>>) -> Result<T, IpcError> {
        let mut session = self.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(current) = session.as_mut() else { return Err(IpcError::new(ErrorKind::NotSignedIn, "sign in first")) };
        let mut store = self.store.lock()?;
        match call(current, &mut store) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                if current.ends_after(&mut store, &e) {
                    *session = None;
                }
                Err(e.into())
            }
            Err(panic) => Err(panic_error(panic)),
        }
    }

    /// What a window whose account must change its password first may still do on its session
    /// (see `Session::hold_until_password_changed`): hold it, change the password.
    pub fn with_session_before_password_change<T>(&self, f: impl FnOnce(&mut Session, &mut CaseStore) -> Result<T, certdesk_desk::DeskError>) -> Result<T, IpcError> {
        self.on_session(Session::desk_before_password_change, f)
    }

    /// Runs one call on the desk of this window's session: the account re-read, an idle
    /// session ended (and forgotten), a panic turned into this call's error.
    pub fn with_desk<T>(&self, f: impl FnOnce(&mut certdesk_desk::api::Desk<'_>) -> Result<T, certdesk_desk::DeskError>) -> Result<T, IpcError> {
        self.on_desk(Session::desk, f)
    }

    /// [`AppState::with_desk`] for the reads a window held for its password change still
    /// makes: who signed in, the people's names (`Session::desk_before_password_change`).
    pub fn with_desk_before_password_change<T>(&self, f: impl FnOnce(&mut certdesk_desk::api::Desk<'_>) -> Result<T, certdesk_desk::DeskError>) -> Result<T, IpcError> {
        self.on_desk(Session::desk_before_password_change, f)
    }

    fn on_desk<T>(
        &self,
        open: for<'a> fn(&mut Session, &'a mut CaseStore) -> Result<certdesk_desk::api::Desk<'a>, certdesk_desk::DeskError>,
        f: impl FnOnce(&mut certdesk_desk::api::Desk<'_>) -> Result<T, certdesk_desk::DeskError>,
    ) -> Result<T, IpcError> {
        self.signed_in(|current, store| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut desk = open(current, store)?;
                f(&mut desk)
            }))
        })
    }
}

/// The process's environment as the desk reads it: the variables and the platform's folders.
pub fn environment() -> Environment {
    let platform = Platform { home: dirs::home_dir(), data_local: dirs::data_local_dir(), state: dirs::state_dir(), documents: dirs::document_dir(), temp: std::env::temp_dir() };
    Environment::read(|name| std::env::var_os(name), platform)
}

/// The app's exclusive hold on its store (`<store>.app.lock`), for as long as it runs.
pub struct AppLock(#[allow(dead_code)] std::fs::File);

fn hold_app_lock(path: &std::path::Path) -> Result<std::fs::File, String> {
    let file = certdesk_desk::private::open_options().read(true).write(true).create(true).truncate(false).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!("{} is held by another certdesk app", path.display())),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

/// The start refused: the store cannot be opened (what is wrong, in both languages).
fn cannot_open(e: certdesk_desk::DeskError, env: &Environment) -> ! {
    if let certdesk_desk::DeskError::StoreSetting { .. } = e {
        crash::fatal("证书受理台无法启动", &format!("案件库位置的设置有误：{e}\n\nthe store setting is damaged: {e}"))
    }
    let where_ = certdesk_desk::place::choose(None, env).map(|(t, c)| Place { dir: env.state_dir(), opened: t, chosen_by: c }.shown()).unwrap_or_default();
    let why = log::chain(&e);
    crash::fatal("证书受理台无法启动", &format!("无法打开案件库 {where_}：\n{why}\n\ncannot open the case store {where_}: {why}"))
}

fn main() {
    // a crash's or a refused start's dialog, shown by a process of its own
    if crash::show_error_from_args() {
        return;
    }
    // WebKitGTK's accelerated compositing keeps GPU-sized buffers in the web process (≈140 MiB
    // more under a software GL); forms and tables do not need it. The user's own setting wins.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // SAFETY: no other thread exists yet
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        };
    }
    let env = environment();
    log::init(&env.log_dir());
    // a panic anywhere goes into the log with where it happened; outside a command it is a
    // crash: a report beside the log and a dialog saying what to send to support
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let what = info.payload().downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| info.payload().downcast_ref::<String>().cloned()).unwrap_or_default();
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(panic = %log::redact(&what), at = %place, thread = std::thread::current().name().unwrap_or("?"), "panic");
        crash::on_panic(&what, &place);
        default_hook(info);
    }));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), log = %env.log_dir().display(), "certdesk-app starts");
    // the store the desk's `place` chooses (CERTDESK_DB, else the admin desk's choice, else the
    // file); a window has no terminal to ask a hall's password at
    let no_prompt = |address: &certdesk_desk::store::pg::HallAddress| Err(certdesk_desk::DeskError::HallPasswordMissing { server: address.shown().to_string() });
    // a store file that is encrypted, or not there yet, waits for an account (#30): the
    // sign-in opens it, the first administrator's set-up makes it encrypted
    let waiting = match certdesk_desk::place::choose(None, &env) {
        Ok((StoreTarget::File(path), chosen_by)) => match certdesk_desk::place::closed_file(&path) {
            Ok(Some(closed)) => Some((closed, Place { dir: env.state_dir(), opened: StoreTarget::File(path), chosen_by })),
            // a plain file nothing was ever written to (a command made it): set up as new
            Ok(None) => match certdesk_desk::place::awaits_first_account(&path) {
                Ok(true) => Some((Closed::Missing, Place { dir: env.state_dir(), opened: StoreTarget::File(path), chosen_by })),
                Ok(false) => None,
                Err(e) => cannot_open(e, &env),
            },
            Err(e) => cannot_open(e, &env),
        },
        Ok(_) => None,
        Err(e) => cannot_open(e, &env),
    };
    let (store, place) = match waiting {
        Some((closed, place)) => (Err(closed), place),
        None => match certdesk_desk::place::open(None, None, &env, no_prompt) {
            Ok(opened) => (Ok(opened.store), opened.place),
            Err(e) => cannot_open(e, &env),
        },
    };
    let where_ = place.shown();
    // one app per store: beside a store file; for a hall, in the user's data folder, per server
    let path = match &place.opened {
        StoreTarget::File(path) => path.clone(),
        StoreTarget::Hall(_) => env.data_dir().join(format!("hall-{}", where_.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>())),
    };
    if let Some(folder) = path.parent() {
        let _ = certdesk_desk::private::create_dir_all(folder);
    }
    // a counter's own forms folder (a CA project added without a new build), as the CLI's
    // CERTDESK_FORMS; else the projects built in
    let forms_dir = env.forms.clone();
    let catalog = match certdesk_desk::intake::load_catalog(forms_dir.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            let place = forms_dir.as_ref().map(|d| format!("（{}）", d.display())).unwrap_or_default();
            crash::fatal("证书受理台无法启动", &format!("CA项目目录有误{place}：{e}"))
        }
    };
    if let Some(dir) = &forms_dir {
        tracing::info!(forms = %dir.display(), "CA projects from the counter's forms folder (CERTDESK_FORMS)");
    }
    let forms = match certdesk_desk::print::load_forms(catalog.clone()) {
        Ok(f) => f,
        Err(e) => crash::fatal("证书受理台无法启动", &format!("申请表版式有误：{e}")),
    };
    tracing::info!(store = %where_, chosen_by = ?place.chosen_by, projects = catalog.projects.len(), waiting = ?store.as_ref().err(), "store chosen");
    let mut state = match store {
        Ok(store) => AppState::new(store, catalog, forms, env.clone()),
        Err(closed) => AppState::waiting(closed, catalog, forms, env.clone()),
    };
    state.place = place;
    let app_lock = format!("{}.app.lock", path.display());
    let result = tauri::Builder::default()
        // first: a second launch hands over to the running app, which comes to the front
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("a second launch: the running window comes to the front");
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .setup(move |app| {
            // one app per store, also where the single-instance handover cannot work (no
            // session bus): a second one is refused, not a second writer at the counter
            match hold_app_lock(std::path::Path::new(&app_lock)) {
                Ok(file) => {
                    app.manage(AppLock(file));
                }
                Err(why) => {
                    tracing::warn!(lock = %app_lock, %why, "another certdesk app has this store open");
                    crash::spawn_dialog("证书受理台已在运行", &format!("证书受理台已在这台电脑上运行（同一个案件库）。请切换到已打开的窗口。\n\n{why}"));
                    std::process::exit(0);
                }
            }
            let resources = app.path().resource_dir().ok();
            tracing::info!(resources = ?resources, "resource folder");
            // the fonts of printed forms from the app's resource folder (an installed package:
            // e.g. /usr/lib/certdesk/fonts, on Windows beside the .exe); where it has none (a
            // build tree), the forms crate looks next to the executable
            certdesk_desk::print::configure_fonts(certdesk_desk::print::resource_fonts(resources.as_deref()), &env);
            if let Some(window) = app.get_webview_window("main") {
                window_state::track(&window);
            }
            Ok(())
        })
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::setup_admin,
            commands::login,
            commands::logout,
            commands::lock_session,
            commands::unlock_session,
            commands::staff_key_watch,
            desks::reports::day_close,
            desks::reports::day_verify,
            desks::reports::report_daily_print,
            commands::search_cases,
            commands::list_cases,
            commands::case_page,
            commands::get_case,
            commands::import_case,
            commands::case_action,
            commands::case_steps,
            commands::complete_step,
            commands::validate_ident,
            commands::catalog_projects,
            commands::fee_quote,
            commands::intake_project,
            commands::update_case,
            commands::review_queue,
            commands::catalog_checklist,
            commands::intake_form,
            commands::materials_state,
            commands::materials_all_received,
            commands::save_draft,
            commands::load_draft,
            commands::clear_draft,
            desks::print::preview_forms,
            desks::print::print_forms,
            desks::print::print_sheets,
            desks::seal::import_seal_scan,
            desks::seal::attachment_url,
            desks::seal::scan_folder_files,
            desks::seal::import_seal_from_folder,
            desks::keys::key_slots,
            desks::keys::key_batch_pins,
            desks::keys::key_enrol,
            desks::keys::key_export_requests,
            desks::admin::ra_show,
            desks::admin::ra_set,
            desks::admin::ra_try,
            desks::admin::ra_clear,
            desks::keys::key_batch_pins_forget,
            desks::keys::intake_unit_key,
            desks::keys::intake_triage,
            desks::keys::case_prove_unit,
            commands::intake_on_file,
            desks::keys::key_queue,
            desks::keys::key_status,
            desks::keys::key_import_answers,
            commands::employees_read,
            desks::keys::case_withdraw_cert,
            desks::keys::case_reissue,
            commands::case_hold,
            commands::case_release_hold,
            desks::keys::key_init,
            desks::keys::key_generate,
            desks::keys::key_import_cert,
            desks::keys::key_write_cert,
            desks::keys::key_import_enc,
            desks::keys::key_write_seal,
            desks::keys::key_verify,
            desks::keys::key_unlock,
            desks::keys::key_wipe,
            desks::reports::report_daily,
            desks::reports::report_expiring,
            desks::reports::due_list,
            desks::reports::payments_import,
            desks::reports::payments_list,
            desks::reports::payments_confirm,
            desks::reports::export_report,
            desks::reports::audit_log,
            desks::reports::export_audit_log,
            desks::admin::list_accounts,
            desks::admin::key_enrolments,
            desks::admin::enrol_key,
            desks::admin::revoke_key,
            desks::admin::add_account,
            desks::admin::set_account_roles,
            desks::admin::set_display_name,
            desks::admin::reset_password,
            desks::admin::disable_account,
            desks::admin::unlock_account,
            desks::admin::change_own_password,
            desks::admin::get_settings,
            desks::admin::set_setting,
            desks::admin::check_key_library,
            desks::admin::sign_ins,
            desks::admin::recovery_sheet,
            desks::admin::save_recovery_key,
            desks::admin::print_recovery_sheet,
            desks::help::open_help,
            desks::admin::backup_store,
            desks::admin::cancel_backup,
            desks::admin::purge_preview,
            desks::admin::purge_run,
            desks::admin::restore_store,
            desks::place::store_place,
            desks::place::hall_status,
            desks::idcard::idcard_poll,
            desks::place::set_store_place,
            desks::admin::recent_logs,
            desks::admin::debug_crash,
            desks::admin::export_logs,
            pick::pick_path,
            pick::list_printers,
            desks::seal::accept_seal_sample,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("certdesk: the window could not start: {e}");
        std::process::exit(1);
    }
}
