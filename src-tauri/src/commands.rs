//! The IPC commands of the case desks: each opens the desk of this window's session (the
//! account re-read), calls one method of the application API and returns plain data. No rule,
//! SQL or audit event is decided or written here.

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::api::Session;
use certdesk_desk::domain::ident;
use certdesk_desk::domain::workflow::Actor;
use certdesk_desk::intake;
use certdesk_desk::store::{CaseSummary, Password};
use serde::Serialize;
use tauri::State;

/// The account signed in at this window, as it is now.
pub(crate) fn signed_in(state: &AppState) -> Result<Actor, IpcError> {
    state.with_desk_before_password_change(|d| Ok(d.actor().clone()))
}

#[derive(Serialize, ts_rs::TS)]
#[ts(rename = "AppStatus")]
pub struct Status_ {
    /// what the sign-in screen shows: first run, the counter, the hall's server
    #[serde(flatten)]
    front: certdesk_desk::api::FrontPage,
    signed_in: Option<Actor>,
    /// 姓名 by login (the UI shows people, not logins); empty before sign-in.
    people: std::collections::BTreeMap<String, String>,
    /// The case statuses and account roles with their labels (the screens' lists).
    labels: intake::Labels,
    /// The account whose session at this window is locked (its desks stay on screen under the
    /// lock screen until its password unlocks it); `None` when it is not locked.
    locked: Option<String>,
    /// The minutes without use after which the window locks (the `idle_minutes` setting when
    /// signed in), for the window's own timer.
    idle_minutes: Option<u32>,
    /// The session signed in with a USB key (#31): the window asks `staff_key_watch` every
    /// second or two, and pulling the key out locks it.
    key_watch: bool,
    /// The signed-in account must change its password before anything else: the window shows
    /// only the change form, and the backend refuses every other desk (`password_change_first`).
    must_change: bool,
}

#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> Result<Status_, IpcError> {
    crate::log::call("app_status", || {
        let signed_in = signed_in(&state).ok();
        let people = if signed_in.is_some() { state.with_desk_before_password_change(|d| d.display_names())? } else { Default::default() };
        // the window is in use: its sign-in is still here (#79)
        if signed_in.is_some() {
            let session = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if let Some(session) = session
                && let Err(e) = session.heard(&mut *state.store.lock()?)
            {
                tracing::warn!(error = %crate::log::chain(&e), "the sign-in was not refreshed");
            }
        }
        let (locked, idle_minutes, key_watch, must_change) = {
            let session = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let locked = session.as_ref().filter(|s| s.is_locked()).map(|s| s.name().to_string());
            let idle = session.as_ref().and_then(Session::idle).map(|d| u32::try_from(d.as_secs().div_ceil(60)).unwrap_or(u32::MAX));
            (locked, idle, session.as_ref().is_some_and(|s| s.key().is_some()), session.as_ref().is_some_and(Session::password_change_first))
        };
        let front = match state.store.waiting() {
            Some(closed) => certdesk_desk::api::FrontPage::of_closed(closed),
            None => state.store.lock()?.front_page()?,
        };
        Ok(Status_ { front, signed_in, people, labels: intake::labels(), locked, idle_minutes, key_watch, must_change })
    })
}

/// This PC's name as the operating system has it (Windows' `COMPUTERNAME`, the kernel's host
/// name elsewhere), else 本机: where a sign-in happened, among a hall's desks (#79).
pub(crate) fn desk_name() -> String {
    let named = std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("HOSTNAME").ok());
    named.map(|n| n.trim().chars().take(64).collect::<String>()).filter(|n| !n.is_empty()).unwrap_or_else(|| "本机".to_string())
}

/// Opens this window's session, signing out by itself after the idle time of the settings.
fn open_session(state: &AppState, session: Session) -> Result<Actor, IpcError> {
    let mut session = session;
    let idle = {
        let mut store = state.store.lock()?;
        session.desk(&mut store)?.idle_timeout()?
    };
    // who is signed in where (#79): a record the administrator reads, not a condition of the
    // sign-in (a store that cannot take it now still signs the person in; the log says why)
    if let Err(e) = session.present_at(&mut *state.store.lock()?, &desk_name()) {
        tracing::warn!(error = %crate::log::chain(&e), "the sign-in was not recorded");
    }
    *state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(session.with_idle_timeout(idle));
    signed_in(state)
}

/// The first administrator's set-up: the account, and the recovery key of a new encrypted
/// store (#30), shown this once by the set-up screen (never logged, never kept: the app logs
/// only a command's name and outcome).
#[derive(Serialize, ts_rs::TS)]
pub struct SetUp {
    #[serde(flatten)]
    #[ts(flatten)]
    actor: Actor,
    recovery_key: Option<String>,
}

/// First run: the administrator and the counter's identity. Refused once any account exists.
/// A store file is made now, encrypted; a hall keeps its data on its server.
#[tauri::command(async)]
pub fn setup_admin(state: State<'_, AppState>, name: String, password: String, counter_code: String, counter_name: String) -> Result<SetUp, IpcError> {
    crate::log::call("setup_admin", || {
        let password = Password::new(password);
        let mut made = None;
        state.store.open_with(|closed| {
            let certdesk_desk::place::StoreTarget::File(path) = &state.place.opened else {
                return Err(IpcError::new(certdesk_desk::ErrorKind::Store, "only a store file waits for its first account"));
            };
            if closed == certdesk_desk::place::Closed::Encrypted {
                return Err(IpcError::new(certdesk_desk::ErrorKind::AdminOnly, "the store has its administrator already: sign in"));
            }
            let (store, session, recovery_key) = Session::first_admin_file(path, &name, &password, &counter_code, &counter_name)?;
            made = Some((session, recovery_key));
            Ok(store)
        })?;
        let (session, recovery_key) = match made {
            Some((session, key)) => (session, Some(key.to_string())),
            None => (Session::first_admin(&mut *state.store.lock()?, &name, &password, &counter_code, &counter_name)?, None),
        };
        Ok(SetUp { actor: open_session(&state, session)?, recovery_key })
    })
}

/// A sign-in's answer: the account, and whether its password must be changed before any desk
/// (an administrator set it, or it is older than `password_max_age_days`): the window then
/// shows only the change form.
#[derive(Serialize, ts_rs::TS)]
pub struct SignedIn {
    #[serde(flatten)]
    #[ts(flatten)]
    actor: Actor,
    must_change: bool,
    /// signed in with the account's own USB key (#31): its approvals ask the key's PIN
    key: bool,
}

/// Signs in. An account that must use its USB key (#31) is answered `key_required` after the
/// right password; the window then asks the key's PIN too and signs in again with it: the key
/// holding the account's enrolled certificate signs the store's challenge.
#[tauri::command(async)]
pub fn login(state: State<'_, AppState>, name: String, password: String, pin: Option<String>) -> Result<SignedIn, IpcError> {
    crate::log::call("login", || {
        let password = Password::new(password);
        // an encrypted store opens with the account's slot first (#30)
        state.store.open_with(|closed| {
            let (certdesk_desk::place::Closed::Encrypted, certdesk_desk::place::StoreTarget::File(path)) = (closed, &state.place.opened) else {
                return Err(IpcError::new(certdesk_desk::ErrorKind::NotSignedIn, "the store has no account yet: set it up first"));
            };
            Ok(certdesk_desk::place::open_encrypted_file(path, &name, &password)?)
        })?;
        let signed_in = match pin.filter(|p| !p.is_empty()) {
            None => Session::sign_in(&mut *state.store.lock()?, &name, &password),
            Some(pin) => {
                let pin = certdesk_desk::token::Pin::new(pin);
                // the library is read off the opened store (a setting, no secret); the key lock first, as the key desk takes them
                let path = certdesk_desk::keydesk::sign_in_library(&*state.store.lock()?, None, &state.env);
                match path {
                    Ok(path) => crate::desks::keys::with_library(&state, &path, |library| {
                        let key = certdesk_desk::staff::StaffKey { library, token: None, pin: &pin };
                        Ok(Session::sign_in_with_key(&mut *state.store.lock()?, &name, &password, Some(&key)))
                    })?,
                    Err(e) => Err(e),
                }
            }
        };
        let session = match signed_in {
            Ok(session) => session,
            Err(e) => {
                state.store.close_if_encrypted();
                return Err(e.into());
            }
        };
        let key = session.key().is_some();
        let actor = open_session(&state, session)?;
        // held in the backend: every desk but the change is refused until it is made
        let must_change = state.with_session_before_password_change(|session, store| session.hold_until_password_changed(store))?;
        Ok(SignedIn { actor, must_change, key })
    })
}

/// Locks this window's session now (the window's idle timer): the desks stay on screen, and
/// every command but `unlock_session`, `logout` and `app_status` answers `session_locked`.
#[tauri::command(async)]
pub fn lock_session(state: State<'_, AppState>) -> Result<(), IpcError> {
    crate::log::call("lock_session", || {
        if let Some(session) = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
            session.lock();
        }
        Ok(())
    })
}

/// Unlocks this window's session with the password of the account that signed in (a wrong one
/// is counted as at sign-in and the session stays locked; once the account is locked or
/// disabled the session ends). Another person signs out instead.
#[tauri::command(async)]
pub fn unlock_session(state: State<'_, AppState>, password: String, pin: Option<String>) -> Result<Actor, IpcError> {
    crate::log::call("unlock_session", || {
        // a session that signed in with its USB key unlocks with it again (#31): the library
        // before the session and the store, as the key desk takes them
        let pin = pin.filter(|p| !p.is_empty()).map(certdesk_desk::token::Pin::new);
        let unlocked = |library: Option<&certdesk_desk::keydesk::KeyLibrary>| -> Result<(), IpcError> {
            let mut session = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let Some(current) = session.as_mut() else { return Err(IpcError::new(certdesk_desk::ErrorKind::NotSignedIn, "sign in first")) };
            let mut store = state.store.lock()?;
            let key = library.zip(pin.as_ref()).map(|(library, pin)| certdesk_desk::staff::StaffKey { library, token: None, pin });
            if let Err(e) = current.unlock_with_key(&mut store, &Password::new(password.clone()), key.as_ref()) {
                use certdesk_desk::ErrorKind as K;
                if matches!(e.kind(), K::AccountLocked | K::AccountDisabled | K::NotSignedIn) {
                    *session = None;
                }
                return Err(e.into());
            }
            Ok(())
        };
        match &pin {
            Some(_) => {
                let path = certdesk_desk::keydesk::sign_in_library(&*state.store.lock()?, None, &state.env)?;
                crate::desks::keys::with_library(&state, &path, |library| unlocked(Some(library)))?
            }
            None => unlocked(None)?,
        }
        signed_in(&state)
    })
}

/// Whether the USB key this window's session signed in with is still plugged in (#31); the
/// window asks every second or two while such a session is open. A key pulled out (or another
/// one in its place) locks the session here, in the backend: every command but the unlock
/// answers `session_locked` until the password and the same key open it again.
#[tauri::command(async)]
pub fn staff_key_watch(state: State<'_, AppState>) -> Result<certdesk_desk::staff::KeyWatch, IpcError> {
    crate::log::call("staff_key_watch", || {
        let watched = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().is_some_and(|s| s.key().is_some());
        if !watched {
            return Ok(certdesk_desk::staff::KeyWatch { watched: false, present: false, locked: false });
        }
        // the library as the sign-in loaded it; the key lock first, as the key desk takes them
        let path = certdesk_desk::keydesk::sign_in_library(&*state.store.lock()?, None, &state.env)?;
        crate::desks::keys::with_library(&state, &path, |library| {
            let mut session = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            Ok(match session.as_mut() {
                Some(s) => s.watch_key(library),
                None => certdesk_desk::staff::KeyWatch { watched: false, present: false, locked: false },
            })
        })
    })
}

#[tauri::command(async)]
pub fn logout(state: State<'_, AppState>) -> Result<(), IpcError> {
    crate::log::call("logout", || {
        let ended = state.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(session) = ended {
            // a slow call's copy of the session shares the batch PINs: forget them for both
            session.forget_pins();
            if let Ok(mut store) = state.store.lock()
                && let Err(e) = session.left(&mut store)
            {
                tracing::warn!(error = %crate::log::chain(&e), "the sign-out was not recorded");
            }
        }
        // nobody signed in at this window: an encrypted store's key goes with the session
        state.store.close_if_encrypted();
        Ok(())
    })
}

#[tauri::command(async)]
pub fn search_cases(state: State<'_, AppState>, text: String) -> Result<Vec<CaseSummary>, IpcError> {
    crate::log::call("search_cases", || state.with_desk(|d| d.search(&text, certdesk_desk::limits::SEARCH_HITS)))
}

/// Cases newest first; every filter optional (status, project, created from/to as local days).
#[tauri::command(async)]
pub fn list_cases(state: State<'_, AppState>, status: Option<String>, project: Option<String>, from: Option<String>, to: Option<String>) -> Result<Vec<CaseSummary>, IpcError> {
    crate::log::call("list_cases", || {
        state.with_desk(|d| {
            let (status, from, to) =
                (intake::optional_status(status.as_deref())?, certdesk_desk::dates::optional_day(from.as_deref())?, certdesk_desk::dates::optional_day(to.as_deref())?);
            d.list_cases(status, project.as_deref(), from, to, certdesk_desk::limits::PAGE_ROWS)
        })
    })
}

/// A page of the case desk's list with the total of every match: the text searched (when
/// given) and the filters, `limit` cases after the first `offset`.
#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn case_page(
    state: State<'_, AppState>,
    text: Option<String>,
    status: Option<String>,
    project: Option<String>,
    from: Option<String>,
    to: Option<String>,
    offset: u32,
    limit: u32,
) -> Result<certdesk_desk::api::CasePage, IpcError> {
    crate::log::call("case_page", || {
        state.with_desk(|d| {
            let (status, from, to) =
                (intake::optional_status(status.as_deref())?, certdesk_desk::dates::optional_day(from.as_deref())?, certdesk_desk::dates::optional_day(to.as_deref())?);
            d.case_page(text.as_deref(), status, project.as_deref(), from, to, offset as usize, limit as usize)
        })
    })
}

/// Submitted cases this account may approve, oldest first (the workflow's four-eyes rule leaves
/// out every case it shaped; the same rule refuses the approval itself).
#[tauri::command(async)]
pub fn review_queue(state: State<'_, AppState>) -> Result<Vec<certdesk_desk::api::QueuedCase>, IpcError> {
    crate::log::call("review_queue", || state.with_desk(|d| d.review_queue()))
}

/// The case with its history, files and what this account may do to it now.
#[tauri::command(async)]
pub fn get_case(state: State<'_, AppState>, number: String) -> Result<certdesk_desk::api::CaseView, IpcError> {
    crate::log::call("get_case", || state.with_desk(|d| d.case_view(&state.catalog, &number)))
}

/// A supervisor freezes a case (冻结, a legal hold) with a reason: its personal data is not
/// purged while held. The case as its page shows it then.
#[tauri::command(async)]
pub fn case_hold(state: State<'_, AppState>, number: String, reason: String) -> Result<certdesk_desk::api::CaseView, IpcError> {
    crate::log::call("case_hold", || {
        state.with_desk(|d| {
            d.hold(&number, &reason)?;
            d.case_view(&state.catalog, &number)
        })
    })
}

/// A supervisor releases a case's legal hold (解除冻结). The case as its page shows it then.
#[tauri::command(async)]
pub fn case_release_hold(state: State<'_, AppState>, number: String) -> Result<certdesk_desk::api::CaseView, IpcError> {
    crate::log::call("case_release_hold", || {
        state.with_desk(|d| {
            d.release_hold(&number)?;
            d.case_view(&state.catalog, &number)
        })
    })
}

#[derive(Serialize, ts_rs::TS)]
pub struct Imported {
    number: String,
    warnings: Vec<certdesk_desk::domain::FieldProblem>,
}

/// A new case from case JSON (the intake form sends the same shape), by the signed-in clerk.
/// Every problem comes back at once, with its field path.
#[tauri::command(async)]
pub fn import_case(state: State<'_, AppState>, json: String) -> Result<Imported, IpcError> {
    crate::log::call("import_case", || {
        let saved = state.with_desk(|d| d.import_case(&state.catalog, &json))?;
        Ok(Imported { number: saved.number, warnings: saved.warnings })
    })
}

/// Replaces a case's data as the signed-in clerk (the workflow decides whether the case's
/// status allows it; an approved case goes back to review).
#[tauri::command(async)]
pub fn update_case(state: State<'_, AppState>, number: String, json: String) -> Result<Imported, IpcError> {
    crate::log::call("update_case", || {
        let saved = state.with_desk(|d| d.edit_case(&state.catalog, &number, &json))?;
        Ok(Imported { number: saved.number, warnings: saved.warnings })
    })
}

#[tauri::command(async)]
pub fn case_action(
    state: State<'_, AppState>,
    number: String,
    action: String,
    reason: Option<String>,
    accept_to_follow: Option<bool>,
    pin: Option<String>,
) -> Result<String, IpcError> {
    crate::log::call("case_action", || {
        let action = intake::action(&action)?;
        let rec = match pin.filter(|p| !p.is_empty()) {
            // an approval signed with the supervisor's USB key (#31)
            Some(pin) if action == certdesk_desk::domain::Action::Approve => {
                let pin = certdesk_desk::token::Pin::new(pin);
                crate::desks::keys::with_keys(&state, |library| {
                    let key = certdesk_desk::staff::StaffKey { library, token: None, pin: &pin };
                    state.with_desk(|d| d.approve_signed(&state.catalog, &number, accept_to_follow.unwrap_or(false), &key))
                })?
            }
            _ => state.with_desk(|d| d.act_accepting(&state.catalog, &number, action, reason.as_deref(), accept_to_follow.unwrap_or(false)))?,
        };
        Ok(rec.status.wire().to_string())
    })
}

/// A unit's employee list (XLSX, XLS or CSV, Base64) read into the intake's table: the rows as
/// the case JSON's `employees`, or every bad row and column (`employee_list`); the form's
/// business type and years fill what the list leaves out, `existing` are the table's rows.
#[tauri::command(async)]
pub fn employees_read(
    state: State<'_, AppState>,
    file: String,
    business: Option<String>,
    years: Option<u32>,
    existing: Vec<certdesk_desk::domain::case::Employee>,
) -> Result<Vec<certdesk_desk::domain::case::Employee>, IpcError> {
    crate::log::call("employees_read", || {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD.decode(file.as_bytes()).map_err(|_| IpcError::new(certdesk_desk::ErrorKind::Usage, "the list is not Base64"))?;
        // read for a signed-in account only: the list is personal data
        let roster = state.with_desk(|_| certdesk_desk::roster::read_for_intake(&bytes, business.as_deref(), years, &existing, certdesk_desk::dates::today()))?;
        Ok(roster.employees)
    })
}

/// The case's steps to 归档, done or not, and the next one.
#[tauri::command(async)]
pub fn case_steps(state: State<'_, AppState>, number: String) -> Result<certdesk_desk::steps::CaseSteps, IpcError> {
    crate::log::call("case_steps", || state.with_desk(|d| d.case_steps(&state.catalog, &number)))
}

/// Does the case's next step when it is not a key-desk operation: a confirmation with its
/// reference, the hand-over (courier and waybill, or who collected), the close.
#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn complete_step(
    state: State<'_, AppState>,
    number: String,
    step: String,
    reference: Option<String>,
    courier: Option<String>,
    waybill: Option<String>,
    recipient: Option<String>,
    recipient_id: Option<String>,
    accept_to_follow: Option<bool>,
) -> Result<certdesk_desk::steps::CaseSteps, IpcError> {
    crate::log::call("complete_step", || {
        let with = certdesk_desk::steps::Completion { reference, courier, waybill, recipient, recipient_id, accept_to_follow: accept_to_follow.unwrap_or(false) };
        state.with_desk(|d| d.complete_step(&state.catalog, &number, &step, &with))
    })
}

/// An identifier checked as it is typed (`phone`: mobile or landline, as the backend decides).
#[tauri::command(async)]
pub fn validate_ident(kind: String, value: String) -> Result<ident::Checked, IpcError> {
    crate::log::call("validate_ident", || crate::guarded(|| Ok(intake::check_ident(&kind, &value)?)))
}

/// The project a new intake starts with for this account (its last case's, else the
/// administrator's default, else the catalog's first).
#[tauri::command(async)]
pub fn intake_project(state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    crate::log::call("intake_project", || state.with_desk(|d| d.intake_project(&state.catalog)))
}

#[tauri::command(async)]
pub fn catalog_projects(state: State<'_, AppState>) -> Result<Vec<intake::ProjectView>, IpcError> {
    crate::log::call("catalog_projects", || Ok(intake::projects(&state.catalog)))
}

/// The fee of a request, with its quantity (an employee case: one per employee listed); with
/// the annex's `rows` (each row's business type and years), priced row by row (#71); `due` is
/// what the `payment_method` pays (nothing when it is 免费).
#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn fee_quote(
    state: State<'_, AppState>,
    project: String,
    business: String,
    cert_kind: String,
    medium: String,
    years: Option<u32>,
    quantity: u32,
    employees: Option<usize>,
    rows: Option<Vec<intake::RowOrder>>,
    payment_method: Option<String>,
) -> Result<certdesk_desk::catalog::FeeQuote, IpcError> {
    crate::log::call("fee_quote", || {
        crate::guarded(|| Ok(intake::fee_quote(&state.catalog, &project, &business, &cert_kind, &medium, years, quantity, employees, rows.as_deref(), payment_method.as_deref())?))
    })
}

/// The intake's form for a request (#71): sections, fields, what is required and why, the
/// project's rules; the 受理 page renders it.
#[tauri::command(async)]
pub fn intake_form(state: State<'_, AppState>, project: String, business: String, cert_kind: String, medium: String) -> Result<certdesk_desk::intake_form::IntakeForm, IpcError> {
    crate::log::call("intake_form", || Ok(certdesk_desk::intake_form::intake_form(&state.forms, &project, &business, &cert_kind, &medium)?))
}

/// The catalog's materials checklist for a request.
#[tauri::command(async)]
pub fn catalog_checklist(
    state: State<'_, AppState>,
    project: String,
    business: String,
    cert_kind: String,
    holders: Option<u32>,
) -> Result<Vec<certdesk_desk::catalog::MaterialItem>, IpcError> {
    crate::log::call("catalog_checklist", || Ok(intake::checklist(&state.catalog, &project, &business, &cert_kind, holders)?))
}

/// 全部收齐 on the intake form: every required line received in full, an optional one as ticked.
#[tauri::command(async)]
pub fn materials_all_received(
    state: State<'_, AppState>,
    project: String,
    business: String,
    cert_kind: String,
    received: Vec<certdesk_desk::domain::MaterialReceived>,
    holders: Option<u32>,
) -> Result<Vec<certdesk_desk::domain::MaterialReceived>, IpcError> {
    crate::log::call("materials_all_received", || Ok(intake::materials_all_received(&state.catalog, &project, &business, &cert_kind, &received, holders)?))
}

/// Each checklist item's state for what the intake form has ticked (received, optional, to
/// follow, missing): the state the case page and the receipt show.
#[tauri::command(async)]
pub fn materials_state(
    state: State<'_, AppState>,
    project: String,
    business: String,
    cert_kind: String,
    received: Vec<certdesk_desk::domain::MaterialReceived>,
    holders: Option<u32>,
) -> Result<certdesk_desk::materials::MaterialsState, IpcError> {
    crate::log::call("materials_state", || Ok(intake::materials_state(&state.catalog, &project, &business, &cert_kind, &received, holders)?))
}

/// What the counter holds of the unit the intake is typing (#74): the checklist lines the
/// handler's letter on file covers, the unit's cases, licence and certificates here.
#[tauri::command(async)]
pub fn intake_on_file(state: State<'_, AppState>, typed: certdesk_desk::unit::IntakeTyped) -> Result<certdesk_desk::unit::IntakeOnFile, IpcError> {
    crate::log::call("intake_on_file", || state.with_desk(|d| d.intake_on_file(&state.catalog, &typed)))
}

/// The signed-in account's unfinished intake form, kept in the store so it survives closing.
#[tauri::command(async)]
pub fn save_draft(state: State<'_, AppState>, json: String) -> Result<(), IpcError> {
    crate::log::call("save_draft", || state.with_desk(|d| d.save_draft(&json)))
}

#[tauri::command(async)]
pub fn load_draft(state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    crate::log::call("load_draft", || state.with_desk(|d| d.draft()))
}

#[tauri::command(async)]
pub fn clear_draft(state: State<'_, AppState>) -> Result<(), IpcError> {
    crate::log::call("clear_draft", || state.with_desk(|d| d.clear_draft()))
}
