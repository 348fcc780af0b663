//! The application API: the one front door of certdesk. The adapters hold a [`CaseStore`]
//! (opened by `place::open`), which lends nothing: a [`Session`] is opened on it for an
//! account whose password was checked (or for the first administrator of an empty store), and
//! each call opens a [`Desk`] from the session, which re-reads the account (disabled, locked,
//! roles now, idle time) before anything else. Every use case, reads included, is one method
//! of the desk: it authorizes through `certdesk_domain::workflow` (inside the store's write
//! transaction where it changes a case) and records its audit event with the change. The CLI
//! and the Tauri shell only parse, call and print or serialize: no role check, no SQL, no
//! audit write of their own.
//!
//! What the desk does not own: the layout of forms (`certdesk-forms`), the seal importer
//! (`certdesk-seal`), tokens (`certdesk-token`); the key steps, printing and the seal sheet are
//! in `issue`, `keydesk`, `print` and `seal`, which take a desk.

use crate::DeskError;
use crate::place::Environment;
use certdesk_catalog::Catalog;
use certdesk_domain::workflow::{self, Actor, CaseCapabilities, Role};
use certdesk_domain::{Action, CaseNumber, FieldProblem};
use certdesk_store::{Account, AttachmentInfo, AuditEvent, AuthError, CaseRecord, CaseSummary, Password, Store};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long an app window stays unlocked without being used, unless the `idle_minutes`
/// setting says otherwise (等保 2.0 level 3: a session locks when idle).
pub const DEFAULT_IDLE: Duration = Duration::from_secs(10 * 60);

/// The counter code that numbers cases (and prints on forms) until an administrator sets one.
pub const DEFAULT_COUNTER: &str = "CD01";

/// The case store as the adapters hold it: a SQLite file or a hall, opened by `place::open`.
/// It lends neither the store nor a way to write: what is read or changed goes through a
/// [`Session`]'s [`Desk`].
pub struct CaseStore {
    pub(crate) store: Store,
}

/// What the sign-in screen shows before anyone signs in: whether the store has no account
/// yet, the counter's identity and the hall's server. The only read without a session.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FrontPage {
    pub first_run: bool,
    /// The store is an encrypted file (#30): the sign-in opens it, the set-up shows its
    /// recovery key.
    pub encrypted: bool,
    pub counter_code: String,
    pub counter_name: String,
    /// The hall's server this desk works on (`USER@HOST:PORT/DB`), `None` on a store file.
    pub server: Option<String>,
}

impl FrontPage {
    /// What the sign-in screen shows of a store file that is not open yet (#30): a missing one
    /// is a first run (its set-up makes it encrypted); an encrypted one shows its identity only
    /// once someone has signed in.
    pub fn of_closed(closed: crate::place::Closed) -> FrontPage {
        FrontPage { first_run: closed == crate::place::Closed::Missing, encrypted: true, counter_code: String::new(), counter_name: String::new(), server: None }
    }
}

impl CaseStore {
    pub(crate) fn new(store: Store) -> CaseStore {
        CaseStore { store }
    }

    /// Another handle on the same store (the file again, or a second connection to the hall):
    /// the app's slow commands work on one, so the window's other commands are not held up.
    pub fn reopen(&self) -> Result<CaseStore, DeskError> {
        Ok(CaseStore::new(self.store.reopen()?))
    }

    /// Whether this is an encrypted store file (#30): the app closes it when its last account
    /// signs out, and opens it at the next sign-in.
    pub fn is_encrypted(&self) -> bool {
        self.store.is_encrypted()
    }

    /// The hall's server as shown to people, `None` for a store file.
    pub fn server(&self) -> Option<&str> {
        self.store.server()
    }

    /// What the hall's servers are doing now (the app's header, polled every few seconds on a
    /// hall): which server takes writes (none: 服务器切换中), the one this desk is on, the
    /// standbys' lag. `None` for a store file. Like [`CaseStore::front_page`] a read without a
    /// session: it shows servers, no case. Never fails for the servers' sake.
    pub fn hall_status(&self) -> Option<certdesk_store::pg::HallStatus> {
        self.store.hall_status()
    }

    pub fn front_page(&self) -> Result<FrontPage, DeskError> {
        Ok(FrontPage {
            encrypted: self.store.is_encrypted(),
            first_run: self.store.account_count()? == 0,
            counter_code: counter_code(&self.store)?,
            counter_name: self.store.setting("counter_name")?.unwrap_or_default(),
            server: self.store.server().map(str::to_string),
        })
    }
}

/// The counter code of the store: its setting, else [`DEFAULT_COUNTER`].
pub(crate) fn counter_code(store: &Store) -> Result<String, DeskError> {
    Ok(store.setting("counter_code")?.filter(|c| !c.trim().is_empty()).unwrap_or_else(|| DEFAULT_COUNTER.into()))
}

/// The counter's identity as receipts and forms print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CounterIdentity {
    pub code: String,
    pub name: String,
    pub address: String,
}

pub(crate) fn counter_identity(store: &Store) -> Result<CounterIdentity, DeskError> {
    Ok(CounterIdentity { code: counter_code(store)?, name: store.setting("counter_name")?.unwrap_or_default(), address: store.setting("counter_address")?.unwrap_or_default() })
}

/// A signed-in account. Holds no password and no roles: both are checked again on every call.
/// An app window's session locks after its idle time (or when the window's timer locks it):
/// then it refuses every desk until the same account's password unlocks it.
#[derive(Debug, Clone)]
pub struct Session {
    name: String,
    last_used: Instant,
    idle: Option<Duration>,
    locked: bool,
    key: Option<SessionKey>,
    /// The key desk's batch PINs given in this session (#72), forgotten when it locks.
    pins: crate::batch_pins::BatchPins,
    /// The ID numbers this session's reader read (#72).
    chip_reads: crate::chip_reads::ChipReads,
    /// This session's row among the app's sign-ins (#79: who is signed in now, and where).
    presence: Option<String>,
    /// The app's session of an account whose password is due: nothing but changing it (see
    /// [`Session::hold_until_password_changed`]).
    password_first: bool,
}

/// The staff key a session signed in with (#31): its certificate and the token it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SessionKey {
    pub fingerprint: String,
    pub token_serial: String,
}

impl Session {
    /// Checks the password (counted and locked by the store) and opens a session. An account
    /// that must sign in with its USB key is refused (`key_required`): see
    /// [`Session::sign_in_with_key`].
    pub fn sign_in(store: &mut CaseStore, name: &str, password: &Password) -> Result<Session, DeskError> {
        Session::sign_in_with_key(store, name, password, None)
    }

    pub(crate) fn signed_in(name: &str, key: Option<SessionKey>) -> Session {
        Session {
            name: name.to_string(),
            last_used: Instant::now(),
            idle: None,
            locked: false,
            key,
            pins: Default::default(),
            chip_reads: Default::default(),
            presence: None,
            password_first: false,
        }
    }

    /// The staff key this session signed in with, if it did.
    pub fn key(&self) -> Option<&SessionKey> {
        self.key.as_ref()
    }

    /// The first administrator of an empty store, with the counter's code and name: the one
    /// change made without a signed-in account. Refused once any account exists.
    pub fn first_admin(store: &mut CaseStore, name: &str, password: &Password, counter_code: &str, counter_name: &str) -> Result<Session, DeskError> {
        if store.store.account_count()? > 0 {
            return Err(DeskError::Auth(AuthError::AccountsExist));
        }
        let code = checked_counter_code(counter_code)?;
        store.store.add_account(name, &[Role::Admin], password, None)?;
        Session::counter_identity_set(store, name, password, &code, counter_name)
    }

    /// The first run of a store file (#30): the store made encrypted at `path` with its first
    /// administrator and the counter's code and name (a blank plain file there is replaced,
    /// see [`crate::place::create_first_admin_file`]). Returns the store, the administrator's
    /// session and the recovery key to show once.
    pub fn first_admin_file(
        path: &Path,
        name: &str,
        password: &Password,
        counter_code: &str,
        counter_name: &str,
    ) -> Result<(CaseStore, Session, zeroize::Zeroizing<String>), DeskError> {
        // what is typed is checked before anything is made
        let code = checked_counter_code(counter_code)?;
        let first = crate::place::create_first_admin_file(path, name, &[Role::Admin], password)?;
        let mut store = first.store;
        let session = Session::counter_identity_set(&mut store, name, password, &code, counter_name)?;
        Ok((store, session, first.recovery_key))
    }

    /// Signs the first administrator in and records the counter's code and name.
    fn counter_identity_set(store: &mut CaseStore, name: &str, password: &Password, code: &str, counter_name: &str) -> Result<Session, DeskError> {
        let mut session = Session::sign_in(store, name, password)?;
        let mut desk = session.desk(store)?;
        desk.put_setting("counter_code", code)?;
        if !counter_name.trim().is_empty() {
            desk.put_setting("counter_name", counter_name.trim())?;
        }
        Ok(session)
    }

    /// Locks the session by itself after `idle` without a call (the app's windows).
    pub fn with_idle_timeout(mut self, idle: Duration) -> Session {
        self.idle = Some(idle);
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The idle time after which the session locks, when it has one.
    pub fn idle(&self) -> Option<Duration> {
        self.idle
    }

    /// Whether the session is locked (its idle time passed, or [`Session::lock`]).
    pub fn is_locked(&self) -> bool {
        self.locked || self.idle.is_some_and(|idle| self.last_used.elapsed() > idle)
    }

    /// Locks the session now (the window's own idle timer): the screen stays, the desks wait.
    pub fn lock(&mut self) {
        self.locked = true;
        self.pins.forget();
    }

    /// Forgets the batch PINs (the session ends: sign-out).
    pub fn forget_pins(&self) {
        self.pins.forget();
    }

    /// Records this session among the app's sign-ins, at `desk` (the PC's name, #79). The
    /// CLI's one-shot commands are not sign-ins of a person at a window: only the app calls it.
    pub fn present_at(&mut self, store: &mut CaseStore, desk: &str) -> Result<(), DeskError> {
        self.presence = Some(store.store.sign_in_began(&self.name, desk)?);
        Ok(())
    }

    /// The window was heard of (refreshed at most once a minute by the store).
    pub fn heard(&self, store: &mut CaseStore) -> Result<(), DeskError> {
        if let Some(id) = &self.presence {
            store.store.sign_in_seen(id)?;
        }
        Ok(())
    }

    /// The session ends: signed out.
    pub fn left(&self, store: &mut CaseStore) -> Result<(), DeskError> {
        if let Some(id) = &self.presence {
            store.store.sign_in_ended(id)?;
        }
        Ok(())
    }

    /// Unlocks a locked session with the password of **its own** account (checked, counted and
    /// locked by the store as at sign-in: five wrong ones lock the account). Another person
    /// signs out instead.
    pub fn unlock(&mut self, store: &mut CaseStore, password: &Password) -> Result<(), DeskError> {
        self.unlock_with_key(store, password, None)
    }

    /// [`Session::unlock`] of a session that signed in with its USB key (#31): the password
    /// and the same key again (its PIN); another person's key is refused and the session stays
    /// locked.
    pub fn unlock_with_key(&mut self, store: &mut CaseStore, password: &Password, key: Option<&crate::staff::StaffKey<'_>>) -> Result<(), DeskError> {
        let again = Session::sign_in_with_key(store, &self.name, password, key)?;
        if let (Some(was), now) = (&self.key, &again.key)
            && now.as_ref().map(|k| &k.fingerprint) != Some(&was.fingerprint)
        {
            return Err(DeskError::WrongStaffKey { plugged: now.as_ref().map(|k| k.token_serial.clone()).unwrap_or_default(), expected: was.fingerprint.clone() });
        }
        self.key = again.key.or(self.key.take());
        self.locked = false;
        self.last_used = Instant::now();
        Ok(())
    }

    /// Whether a refused call ends this session: only when the account itself may no longer
    /// act, read again now (gone, disabled, locked: five wrong current passwords lock it), never
    /// for what the call asked (an administrator's mistyped account name, a key enrolled for a
    /// disabled account, a wrong current password typed once). A store that cannot answer ends
    /// nothing: the session is asked again on its next call.
    pub fn ends_after(&mut self, store: &mut CaseStore, refused: &DeskError) -> bool {
        if !refused.may_concern_the_account() {
            return false;
        }
        match store.store.signed_in_actor(&self.name) {
            Ok(_) | Err(AuthError::Store(_)) => false,
            Err(_) => {
                self.pins.forget();
                true
            }
        }
    }

    /// Holds the session to its password change when the password is due (an administrator
    /// set it, or it is older than `password_max_age_days`): every desk but
    /// [`Session::desk_before_password_change`] is then refused (`password_change_first`) until
    /// [`Session::change_own_password`]. The app's windows are held so, in the backend, not only
    /// by the screen; the CLI's one-shot commands warn instead. Returns whether it holds.
    pub fn hold_until_password_changed(&mut self, store: &mut CaseStore) -> Result<bool, DeskError> {
        self.password_first = self.desk_before_password_change(store)?.password_change_due()?;
        Ok(self.password_first)
    }

    /// Whether the session waits for its password change ([`Session::hold_until_password_changed`]).
    pub fn password_change_first(&self) -> bool {
        self.password_first
    }

    /// Changes this session's own password (the current one checked as at sign-in), which
    /// releases a session held for it.
    pub fn change_own_password(&mut self, store: &mut CaseStore, current: &Password, new: &Password) -> Result<Account, DeskError> {
        let account = self.desk_before_password_change(store)?.change_own_password(current, new)?;
        self.password_first = false;
        Ok(account)
    }

    /// The desk for one call: the account as it is now. An idle session locks; a session held
    /// for its password change is refused.
    pub fn desk<'a>(&mut self, store: &'a mut CaseStore) -> Result<Desk<'a>, DeskError> {
        self.open_desk(store, true)
    }

    /// The desk for what a session held for its password change still does: who it is, the
    /// people's names, its password's age. Nothing else may be called on it (only
    /// [`Session::desk`] is refused while held).
    pub fn desk_before_password_change<'a>(&mut self, store: &'a mut CaseStore) -> Result<Desk<'a>, DeskError> {
        self.open_desk(store, false)
    }

    /// Locked first, then the account as it is now, then the password hold where it counts.
    /// Only a call that goes ahead renews the idle time: a held session's refused calls do not
    /// keep it unlocked.
    fn open_desk<'a>(&mut self, store: &'a mut CaseStore, refuse_while_held: bool) -> Result<Desk<'a>, DeskError> {
        if self.is_locked() {
            self.lock();
            return Err(DeskError::SessionLocked);
        }
        let actor = match store.store.signed_in_actor(&self.name) {
            Ok(actor) => actor,
            Err(e) => {
                // the account is gone or disabled: its batch goes with it
                self.pins.forget();
                return Err(e.into());
            }
        };
        if refuse_while_held && self.password_first {
            return Err(DeskError::PasswordChangeFirst);
        }
        self.last_used = Instant::now();
        Ok(Desk { store: &mut store.store, actor, pins: self.pins.clone(), chip_reads: self.chip_reads.clone() })
    }
}

/// The counter code as typed, upper-cased and checked.
fn checked_counter_code(counter_code: &str) -> Result<String, DeskError> {
    let code = counter_code.trim().to_ascii_uppercase();
    certdesk_domain::number::check_counter_code(&code).map_err(|why| DeskError::InvalidCounterCode { code: code.clone(), why })?;
    Ok(code)
}

/// The first account of an empty store, which must be an administrator: the one change made
/// without a signed-in account (the CLI's first `user add`).
pub fn add_first_admin(store: &mut CaseStore, name: &str, roles: &[Role], password: &Password) -> Result<Account, DeskError> {
    if store.store.account_count()? > 0 {
        return Err(DeskError::Auth(AuthError::AccountsExist));
    }
    Ok(store.store.add_account(name, roles, password, None)?)
}

/// Whether the store has no account yet (the CLI's first `user add` needs no `--as`).
pub fn is_empty(store: &CaseStore) -> Result<bool, DeskError> {
    Ok(store.store.account_count()? == 0)
}

/// Which account a command acts as and where its password is: `--as USER` (with
/// `--password-file`), else the environment's account (`CERTDESK_USER` with
/// `CERTDESK_PASSWORD_FILE`); the environment's password file goes only with its own account.
/// `None` for the file: the adapter asks (a prompt, or a line of stdin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChoice {
    pub user: String,
    pub password_file: Option<PathBuf>,
}

/// The account for `command` (named in the refusal when there is none).
pub fn account_for(command: &str, flag_user: Option<&str>, flag_password_file: Option<&Path>, env: &Environment) -> Result<AccountChoice, DeskError> {
    let flag_user = flag_user.map(str::trim).filter(|u| !u.is_empty());
    let env_user = env.user.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let user = flag_user.or(env_user).ok_or_else(|| DeskError::NoAccount { command: command.to_string() })?;
    let env_file = env.password_file.clone().filter(|_| env_user == Some(user));
    Ok(AccountChoice { user: user.to_string(), password_file: flag_password_file.map(Path::to_path_buf).or(env_file) })
}

/// One call's view of the store as the signed-in account: every use case is a method.
pub struct Desk<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) actor: Actor,
    pub(crate) pins: crate::batch_pins::BatchPins,
    pub(crate) chip_reads: crate::chip_reads::ChipReads,
}

/// A case just stored: its number and the warnings of its data.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Saved {
    pub number: String,
    pub status: String,
    pub digest: String,
    pub warnings: Vec<FieldProblem>,
}

/// A case in the review queue: its line of the case list and who submitted it (姓名（账号）, the
/// account alone when it has no 姓名).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct QueuedCase {
    #[serde(flatten)]
    #[ts(flatten)]
    pub case: CaseSummary,
    pub submitted_by: String,
}

/// A case as a desk shows it: its data (case JSON with store fields), its history, its files,
/// and what this account may do to it now.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseView {
    #[ts(type = "JsonValue")]
    pub case: serde_json::Value,
    pub history: Vec<AuditEvent>,
    pub attachments: Vec<AttachmentInfo>,
    pub can: CaseCapabilities,
    /// The case's way to 归档: its steps, done or not, and the next one.
    pub steps: crate::steps::CaseSteps,
    /// The checklist, each item's received state and what the applicant promised.
    pub materials: crate::materials::MaterialsState,
    /// 姓名 by login of the accounts that have one (the UI shows people, not logins).
    pub people: std::collections::BTreeMap<String, String>,
    /// The amount paid in capital Chinese numerals (壹佰元整), as receipts and forms write it.
    pub payment_capital: Option<String>,
    /// Whether this account may prove the case's unit with its own certificate now (#74): the
    /// case is editable, not proved yet, names its unit's code, and its checklist has an
    /// original the guide spares for it.
    pub unit_proof_offered: bool,
    /// What the CA's unit rules say of the case now (a unit's organisation certificate not on
    /// file before its employees'), as the intake warned when it was saved: shown on the case
    /// and review pages until its keys are made.
    pub notices: Vec<FieldProblem>,
    /// The case's legal hold (冻结, #30) and what this account may do of it.
    pub hold: CaseHoldView,
}

/// A case's legal hold as its page shows it: the hold, if held, and whether this account may
/// hold the case (a supervisor, with a reason; not a case held already or purged) or release it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseHoldView {
    pub held: Option<certdesk_store::HeldCase>,
    pub may_hold: bool,
    pub may_release: bool,
}

/// The case JSON's store fields read off the chain: `seals` (#34), when the case has a seal
/// sheet, and `dispatch` (#73), the key's latest sending by post (courier, waybill, address,
/// when and by whom).
fn with_seals(mut json: serde_json::Value, history: &[AuditEvent]) -> serde_json::Value {
    let seals = crate::seal::seals_of(history);
    if let (Some(map), false) = (json.as_object_mut(), seals.is_empty()) {
        map.insert("seals".into(), serde_json::to_value(seals).unwrap_or_default());
    }
    let dispatch = history.iter().rev().filter(|e| e.action == certdesk_store::AuditAction::Deliver.wire()).find_map(|e| {
        let handover: certdesk_store::detail::Handover = serde_json::from_value(e.detail.get("handover")?.clone()).ok()?;
        (handover.method == "mail").then(|| serde_json::json!({ "courier": handover.courier, "waybill": handover.waybill, "address": handover.address, "at": e.at, "by": e.actor }))
    });
    if let (Some(map), Some(dispatch)) = (json.as_object_mut(), dispatch) {
        map.insert("dispatch".into(), dispatch);
    }
    json
}

/// The store's filter for a status, a project and the counter's local days a case was taken on
/// (`from` and `to` included).
fn case_filter(
    status: Option<certdesk_domain::Status>,
    project: Option<&str>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<certdesk_store::CaseFilter, DeskError> {
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(DeskError::DayRange { from, to });
    }
    Ok(certdesk_store::CaseFilter {
        status: status.map(|s| s.wire().to_string()),
        project: project.filter(|p| !p.is_empty()).map(str::to_string),
        from: from.map(|d| crate::dates::day_bounds(d).0),
        to: to.map(|d| crate::dates::day_bounds(d).1),
    })
}

/// A page of the case list: the cases of the page and how many match in all.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CasePage {
    /// every case matching the search and the filters (`capped`: at least this many)
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<CaseSummary>,
    /// a search stops at its best `SEARCH_HITS` hits: the total may be more
    pub capped: bool,
}

/// The hits a search ranks before the filters apply to them.
pub const SEARCH_HITS: usize = 200;

/// A case number as typed (any case, spaces around): parsed once, here.
pub fn case_number(text: &str) -> Result<CaseNumber, DeskError> {
    CaseNumber::parse(text).map_err(|e| DeskError::InvalidCaseNumber { text: text.to_string(), why: e.why })
}

/// The settings an administrator may change.
pub const SETTINGS: [&str; 18] = [
    "counter_code",
    "counter_name",
    "counter_address",
    "pkcs11_module",
    "printer",
    "export_dir",
    "scan_folder",
    "print_dir",
    "backup_dir",
    "idle_minutes",
    "password_max_age_days",
    "idcard_port",
    "idcard_library",
    "idcard_usb_port",
    "default_project",
    "retention_years",
    // the counter's own closed days besides the State Council's holidays (#73): YYYY-MM-DD, spaced
    "closures",
    "key_sign_in_roles",
];

impl Desk<'_> {
    /// The account this call acts as, as it is now.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Refused unless this account has `role` for `what` (the desk's own checks of the
    /// operations no workflow rule covers: the admin desk, the key desk outside a case).
    pub(crate) fn require(&self, what: &'static str, role: Role) -> Result<(), DeskError> {
        Ok(self.actor.require(what, &[role]).map_err(certdesk_store::ActError::from)?)
    }

    // ------------------------------------------------------------ cases

    /// A new draft case from case JSON, validated whole (domain and catalog) before anything
    /// is stored; numbered in the counter's local day.
    pub fn import_case(&mut self, catalog: &Catalog, json: &str) -> Result<Saved, DeskError> {
        let today = chrono::Local::now().date_naive();
        let (mut data, mut warnings) = crate::intake::parse_case(catalog, json, today)?;
        warnings.extend(self.vouch_chip_reads(&mut data, None));
        warnings.extend(self.check_unit_rules(catalog, &data, None)?);
        warnings.extend(self.letters_on_file(catalog, &mut data, None)?);
        warnings.extend(crate::unit_proof::keep_proof(catalog, &mut data, None)?);
        let counter = counter_code(self.store)?;
        let rec = self.store.create_case(&data, &counter, today, &self.actor)?;
        Ok(saved(&rec, warnings))
    }

    /// Replaces a case's data (an approved case goes back to review).
    pub fn edit_case(&mut self, catalog: &Catalog, number: &str, json: &str) -> Result<Saved, DeskError> {
        let number = case_number(number)?;
        let (mut data, mut warnings) = crate::intake::parse_case(catalog, json, chrono::Local::now().date_naive())?;
        let before = self.store.case(&number)?.data;
        warnings.extend(self.vouch_chip_reads(&mut data, Some(&before)));
        warnings.extend(self.check_unit_rules(catalog, &data, Some(&number))?);
        warnings.extend(self.letters_on_file(catalog, &mut data, Some(number.as_str()))?);
        warnings.extend(crate::unit_proof::keep_proof(catalog, &mut data, Some(&before))?);
        let rec = self.store.edit(&number, &data, &self.actor)?;
        Ok(saved(&rec, warnings))
    }

    /// The project's rules about what the unit already has, against the store's earlier cases
    /// of the same USCC (`editing`: the case being corrected is not its own earlier case):
    /// "单位证书只允许申请1条" (a second new organisation certificate is refused) and seed 001's
    /// organisation certificate before employee certificates (an issued one in the store, or
    /// the serial of the one the unit holds). The second is a warning, not a refusal: a unit
    /// whose organisation certificate was issued elsewhere or before this desk existed comes
    /// with employees first, and the contract's example employee case is such a case.
    fn check_unit_rules(&self, catalog: &Catalog, data: &certdesk_domain::CaseData, editing: Option<&CaseNumber>) -> Result<Vec<certdesk_domain::FieldProblem>, DeskError> {
        use certdesk_domain::{BusinessType, CertKind, Severity, Status};
        let rules = &crate::intake::project(catalog, &data.project)?.rules;
        let Some(uscc) = data.organization.as_ref().and_then(|o| o.uscc.clone()) else { return Ok(vec![]) };
        let one_org = rules.one_organization_certificate && data.cert_kind == CertKind::Organization && data.business == BusinessType::New;
        let org_first = rules.organization_certificate_first
            && data.cert_kind == CertKind::Employee
            && data.business == BusinessType::New
            && data.organization.as_ref().is_none_or(|o| o.certificate_serial.is_none());
        if !one_org && !org_first {
            return Ok(vec![]);
        }
        // the unit's organisation certificate cases of this project, newest first
        let mut earlier = Vec::new();
        for hit in self.store.search(&uscc, 200)? {
            if hit.project != data.project || hit.cert_kind != CertKind::Organization.wire() || editing.is_some_and(|n| n.as_str() == hit.number) {
                continue;
            }
            let rec = self.store.case(&case_number(&hit.number)?)?;
            if rec.data.organization.as_ref().and_then(|o| o.uscc.as_deref()) == Some(uscc.as_str()) {
                earlier.push(rec);
            }
        }
        let problem = |path: &str, en: String, zh: String| crate::intake::problem(path, en, zh, Severity::Error);
        let warning = |path: &str, en: String, zh: String| crate::intake::problem(path, en, zh, Severity::Warning);
        if one_org && let Some(first) = earlier.iter().find(|r| r.data.business == BusinessType::New && r.status != Status::Cancelled) {
            return Err(DeskError::InvalidCase(vec![problem(
                "organization.uscc",
                format!("this CA issues one organisation certificate per unit (单位证书只允许申请1条): {uscc} has case {} already", first.number),
                format!("单位证书只允许申请1条：该单位（{uscc}）已有机构证书案件{}", first.number),
            )]));
        }
        if org_first && !earlier.iter().any(|r| matches!(r.status, Status::KeyIssued | Status::Delivered | Status::Closed)) {
            return Ok(vec![warning(
                "organization.certificate_serial",
                format!("employee certificates need the unit's organisation certificate first ({}): none issued here for {uscc}; give its serial", crate::intake_form::ORG_FIRST),
                format!("{}：本受理点未办过该单位（{uscc}）的单位法人证书，请核对并填写其证书序列号", crate::intake_form::ORG_FIRST),
            )]);
        }
        Ok(vec![])
    }

    /// The case's checklist as the clerk records it outside the intake form (`case materials`:
    /// 全部收齐, or one line), saved as a correction of the case data (an approved case goes back
    /// to review), checked as any correction is.
    pub fn record_materials(&mut self, catalog: &Catalog, number: &str, change: &crate::materials::MaterialsChange) -> Result<Saved, DeskError> {
        let record = self.store.case(&case_number(number)?)?;
        let mut data = record.data;
        let checklist = crate::intake::project(catalog, &data.project)?.checklist_of(&data);
        data.materials = crate::materials::apply(&checklist, &data.materials, change)?;
        let json = serde_json::to_string(&data).map_err(|e| DeskError::invalid_json(None, e))?;
        self.edit_case(catalog, number, &json)
    }

    /// A workflow action (accept, submit, approve, return, cancel, deliver, close). Delivering
    /// and closing are steps of the case's plan: taken only when they are its next step (a
    /// delivery as `case complete` with nothing more said: pickup by the handler).
    pub fn act(&mut self, catalog: &Catalog, number: &str, action: Action, reason: Option<&str>) -> Result<CaseRecord, DeskError> {
        self.act_accepting(catalog, number, action, reason, false)
    }

    /// [`Desk::act`]; approving a case whose materials are to follow needs `accept_to_follow`
    /// (the supervisor has seen the promises and accepts them).
    pub fn act_accepting(&mut self, catalog: &Catalog, number: &str, action: Action, reason: Option<&str>, accept_to_follow: bool) -> Result<CaseRecord, DeskError> {
        if action == Action::Edit || action == Action::IssueKey {
            return Err(DeskError::NotDirect { action: action.wire() });
        }
        let number = case_number(number)?;
        if matches!(action, Action::Deliver | Action::Close) {
            crate::steps::complete(self, catalog, number.as_str(), action.wire(), &crate::steps::Completion::default())?;
            return Ok(self.store.case(&number)?);
        }
        self.act_checked(catalog, &number, action, reason, accept_to_follow, Default::default())
    }

    /// An approval with its verified signature (`staff::Desk::approve_signed`).
    pub(crate) fn act_signed(
        &mut self,
        catalog: &Catalog,
        number: &CaseNumber,
        accept_to_follow: bool,
        signed: certdesk_store::staff_keys::VerifiedApproval,
    ) -> Result<CaseRecord, DeskError> {
        self.act_checked(catalog, number, Action::Approve, None, accept_to_follow, certdesk_store::ActNote { signature: Some(signed), ..Default::default() })
    }

    /// A transition whose place in the case's plan the caller has checked; submission and
    /// approval hold the case to its materials first.
    pub(crate) fn act_checked(
        &mut self,
        catalog: &Catalog,
        number: &CaseNumber,
        action: Action,
        reason: Option<&str>,
        accept_to_follow: bool,
        note: certdesk_store::ActNote,
    ) -> Result<CaseRecord, DeskError> {
        // the store loads the case once, in the transaction that writes, and asks the state
        // machine and the workflow first (a wrong status or one's own case is said first), then
        // these conditions
        self.store.act_decided(number, action, &self.actor, reason, note, |case| conditions(catalog, action, accept_to_follow, case))
    }

    /// A supervisor's permission for a second key for a certificate that was written (`cert`,
    /// which may be left out when one certificate is written); returns the certificate.
    pub fn reissue(&mut self, number: &str, reason: &str, cert: Option<u32>) -> Result<u32, DeskError> {
        let number = case_number(number)?;
        Ok(self.store.reissue(&number, &self.actor, reason, cert)?)
    }

    /// A supervisor puts a case on legal hold with a reason (#30): it is not purged while held.
    pub fn hold(&mut self, number: &str, reason: &str) -> Result<(), DeskError> {
        Ok(self.store.hold(&case_number(number)?, &self.actor, reason)?)
    }

    /// A supervisor releases a case's legal hold.
    pub fn release_hold(&mut self, number: &str) -> Result<(), DeskError> {
        Ok(self.store.release_hold(&case_number(number)?, &self.actor)?)
    }

    /// An administrator purges the personal data of the cases past their retention on
    /// `today` (the counter's local day; the CLI and the app pass [`crate::dates::today`]),
    /// held cases kept; `dry_run` lists and writes nothing (#30, design §7.5).
    pub fn purge(&mut self, today: chrono::NaiveDate, dry_run: bool) -> Result<certdesk_store::PurgeReport, DeskError> {
        self.require("purge personal data past retention", Role::Admin)?;
        Ok(self.store.purge(today, dry_run, &self.actor)?)
    }

    /// A case as stored.
    pub fn case(&self, number: &str) -> Result<CaseRecord, DeskError> {
        Ok(self.store.case(&case_number(number)?)?)
    }

    /// A case as case JSON with its store fields (`case show --json`, `case export`), among
    /// them `seals` (#34): the seal images kept and the clerk's acceptances, read off the chain.
    pub fn export_case(&self, number: &str) -> Result<serde_json::Value, DeskError> {
        let number = case_number(number)?;
        let record = self.store.case(&number)?;
        Ok(with_seals(record.to_export_json(), &self.store.history(&number)?))
    }

    /// The case's events on the audit chain, oldest first.
    pub fn history(&self, number: &str) -> Result<Vec<AuditEvent>, DeskError> {
        Ok(self.store.history(&case_number(number)?)?)
    }

    /// The case with its history, files and what this account may do to it now.
    pub fn case_view(&self, catalog: &Catalog, number: &str) -> Result<CaseView, DeskError> {
        let number = case_number(number)?;
        // the case, its chain and its files read once: the view is computed from that load
        let case = self.store.load(&number)?;
        let steps = crate::steps::steps_of(catalog, &case)?;
        let certdesk_store::LoadedCase { record, history, files, facts } = case;
        let mut can = workflow::capabilities(&self.actor, &facts);
        // delivering and closing are steps of the plan: offered only when they are next
        can.actions.retain(|a| !matches!(a.action, "deliver" | "close") || steps.next.as_deref() == Some(a.action));
        let materials = crate::materials::state(catalog, &record.data)?;
        // submission and approval wait for the checklist (#79): said before the button is pressed
        if !materials.unaccounted().is_empty() {
            for a in can.actions.iter_mut().filter(|a| matches!(a.action, "submit" | "approve")) {
                a.waits_for = Some("materials_missing");
            }
        }
        if !crate::seal::samples_missing(catalog, &record.data, &history).is_empty() {
            for a in can.actions.iter_mut().filter(|a| matches!(a.action, "submit" | "approve") && a.waits_for.is_none()) {
                a.waits_for = Some("seal_samples_missing");
            }
        }
        // an approval this account signs with its enrolled key: the PIN is asked up front
        if can.actions.iter().any(|a| a.action == "approve") && self.store.key_of(&self.actor)?.is_some() {
            for a in can.actions.iter_mut().filter(|a| a.action == "approve") {
                a.signed = true;
            }
        }
        let unit_proof_offered = can.edit && crate::unit_proof::offered(catalog, &record.data)?;
        // the CA's unit rules the intake warned of, said again to whoever opens the case before
        // its keys are made (the supervisor's second check sees what the clerk saw)
        use certdesk_domain::Status;
        let notices = if matches!(record.status, Status::Draft | Status::Accepted | Status::Submitted | Status::Returned | Status::Approved) {
            match self.check_unit_rules(catalog, &record.data, Some(&number)) {
                Ok(warnings) => warnings,
                Err(DeskError::InvalidCase(problems)) => problems,
                Err(e) => return Err(e),
            }
        } else {
            Vec::new()
        };
        let held = self.store.case_hold(&number)?;
        let hold = CaseHoldView {
            may_hold: held.is_none() && self.store.purged_at(&number)?.is_none() && workflow::authorize_hold(&self.actor, Some("-")).is_ok(),
            may_release: held.is_some() && workflow::authorize_hold(&self.actor, None).is_ok(),
            held,
        };
        Ok(CaseView {
            case: with_seals(record.to_export_json(), &history),
            history,
            attachments: files,
            can,
            steps,
            materials,
            people: self.store.display_names()?,
            payment_capital: record.data.payment.as_ref().map(|p| p.amount.to_capital()),
            unit_proof_offered,
            notices,
            hold,
        })
    }

    /// Search as the clerk types, newest first, at most `limit`.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<CaseSummary>, DeskError> {
        Ok(self.store.search(text, limit)?)
    }

    /// Cases, newest first, filtered by status, project and the counter's local days they
    /// were taken on (`from` and `to` included).
    pub fn list_cases(
        &self,
        status: Option<certdesk_domain::Status>,
        project: Option<&str>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, DeskError> {
        let filter = case_filter(status, project, from, to)?;
        Ok(self.store.list_filtered(&filter, limit)?)
    }

    /// A page of the cases matching the text searched (when given: ranked hits) and the
    /// filters (status, project, created from/to as the counter's local days); newest first
    /// without text.
    #[allow(clippy::too_many_arguments)]
    pub fn case_page(
        &self,
        text: Option<&str>,
        status: Option<certdesk_domain::Status>,
        project: Option<&str>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        offset: usize,
        limit: usize,
    ) -> Result<CasePage, DeskError> {
        let limit = limit.clamp(1, crate::limits::PAGE_ROWS);
        let filter = case_filter(status, project, from, to)?;
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => {
                let (total, rows) = self.store.page_filtered(&filter, offset, limit)?;
                Ok(CasePage { total, offset: offset as u64, rows, capped: false })
            }
            Some(text) => {
                let hits = self.store.search(text, SEARCH_HITS)?;
                let capped = hits.len() >= SEARCH_HITS;
                let kept: Vec<CaseSummary> = hits
                    .into_iter()
                    .filter(|c| filter.status.as_deref().is_none_or(|s| c.status == s))
                    .filter(|c| filter.project.as_deref().is_none_or(|p| c.project == p))
                    .filter(|c| filter.from.as_deref().is_none_or(|f| c.created_at.as_str() >= f))
                    .filter(|c| filter.to.as_deref().is_none_or(|t| c.created_at.as_str() < t))
                    .collect();
                let total = kept.len() as u64;
                Ok(CasePage { total, offset: offset as u64, rows: kept.into_iter().skip(offset).take(limit).collect(), capped })
            }
        }
    }

    /// The cases the key desk works on: approved ones, then those whose key is being issued
    /// (a second key, a dual certificate's second half), newest first in each.
    pub fn key_queue(&self) -> Result<Vec<CaseSummary>, DeskError> {
        let mut out = self.list_cases(Some(certdesk_domain::Status::Approved), None, None, None, crate::limits::PAGE_ROWS)?;
        out.extend(self.list_cases(Some(certdesk_domain::Status::KeyIssued), None, None, None, crate::limits::PAGE_ROWS)?);
        Ok(out)
    }

    /// The case's steps to 归档 (`case steps`).
    pub fn case_steps(&self, catalog: &Catalog, number: &str) -> Result<crate::steps::CaseSteps, DeskError> {
        crate::steps::steps(self.store, catalog, number)
    }

    /// Does the case's next step when it is not a key-desk operation (`case complete`).
    pub fn complete_step(&mut self, catalog: &Catalog, number: &str, step: &str, with: &crate::steps::Completion) -> Result<crate::steps::CaseSteps, DeskError> {
        crate::steps::complete(self, catalog, number, step, with)
    }

    /// Submitted cases this account may approve, oldest first: the four-eyes rule leaves out
    /// every case it shaped. Each with the account that submitted it (#79: the supervisor sees
    /// which 受理员 sent it).
    pub fn review_queue(&self) -> Result<Vec<QueuedCase>, DeskError> {
        let names = self.store.display_names()?;
        let mut out = Vec::new();
        for summary in self.store.waiting(certdesk_domain::Status::Submitted, 2000)? {
            let (record, facts) = self.store.facts(&case_number(&summary.number)?)?;
            if workflow::authorize(&self.actor, Action::Approve, &facts, None).is_ok() {
                // a submitted case's last change is its submission
                let login = record.updated_by;
                let submitted_by = match names.get(&login) {
                    Some(name) => format!("{name}（{login}）"),
                    None => login,
                };
                out.push(QueuedCase { case: summary, submitted_by });
            }
        }
        Ok(out)
    }

    /// A file kept with a case, read back (checked against its recorded SHA-256).
    pub fn attachment(&self, number: &str, name: &str) -> Result<(AttachmentInfo, Vec<u8>), DeskError> {
        let parsed = case_number(number)?;
        self.store.attachment(&parsed, name)?.ok_or_else(|| DeskError::NoFile { number: parsed.to_string(), name: name.to_string() })
    }

    /// The files kept with a case (newest version of each name), without their bytes.
    pub fn attachments(&self, number: &str) -> Result<Vec<AttachmentInfo>, DeskError> {
        Ok(self.store.attachments(&case_number(number)?)?)
    }

    /// A stored image of a case as a `data:` URL (what the app's CSP lets the screen show).
    pub fn image_url(&self, number: &str, name: &str) -> Result<String, DeskError> {
        let (info, bytes) = self.attachment(number, name)?;
        if !info.mime.starts_with("image/") {
            return Err(DeskError::NotAnImage { name: name.to_string(), mime: info.mime });
        }
        Ok(crate::seal::data_url(&info.mime, &bytes))
    }

    /// This account's unfinished intake form (any JSON), kept so that it survives closing.
    pub fn save_draft(&mut self, json: &str) -> Result<(), DeskError> {
        Ok(self.store.save_draft(self.actor.name(), json)?)
    }

    pub fn draft(&self) -> Result<Option<String>, DeskError> {
        Ok(self.store.draft(self.actor.name())?)
    }

    pub fn clear_draft(&mut self) -> Result<(), DeskError> {
        Ok(self.store.clear_draft(self.actor.name())?)
    }

    /// Walks the audit chain and checks every case and file against it (`audit verify`).
    /// The audit chain, the cases and files it vouches for, and the approvals' signatures
    /// (#31) checked against the enrolments valid at their time, each enrolled certificate
    /// chained then to the installation's operator CA `operator_ca` (#78) when one is
    /// installed; without one the report says the signatures are unanchored.
    pub fn verify_audit(&self, operator_ca: &crate::operator_ca::OperatorCa) -> Result<certdesk_store::VerifyReport, DeskError> {
        Ok(self.store.verify_audit_with(&crate::operator_ca::AnchoredCheck(operator_ca))?)
    }

    // ------------------------------------------------------------ accounts and settings

    pub fn accounts(&self) -> Result<Vec<Account>, DeskError> {
        self.require("list the accounts", Role::Admin)?;
        Ok(self.store.accounts()?.into_iter().collect())
    }

    pub fn add_account(&mut self, name: &str, roles: &[Role], password: &Password) -> Result<Account, DeskError> {
        Ok(self.store.add_account(name.trim(), roles, password, Some(&self.actor))?)
    }

    /// An account's 姓名 (an administrator for anyone, an account for itself).
    pub fn set_display_name(&mut self, name: &str, display_name: &str) -> Result<Account, DeskError> {
        Ok(self.store.set_display_name(&self.actor, name, display_name)?)
    }

    /// Display names by login, for showing people instead of logins.
    pub fn display_names(&self) -> Result<std::collections::BTreeMap<String, String>, DeskError> {
        Ok(self.store.display_names()?)
    }

    pub fn set_roles(&mut self, name: &str, roles: &[Role]) -> Result<Account, DeskError> {
        Ok(self.store.set_roles(&self.actor, name, roles)?)
    }

    /// An administrator sets another account's password (and clears its lock).
    pub fn reset_password(&mut self, name: &str, password: &Password) -> Result<Account, DeskError> {
        Ok(self.store.set_password(&self.actor, name, password)?)
    }

    /// One's own password, with the current one.
    pub fn change_own_password(&mut self, current: &Password, new: &Password) -> Result<Account, DeskError> {
        let name = self.actor.name().to_string();
        Ok(self.store.change_own_password(&name, current, new)?)
    }

    pub fn disable_account(&mut self, name: &str) -> Result<Account, DeskError> {
        Ok(self.store.disable_account(&self.actor, name)?)
    }

    pub fn unlock_account(&mut self, name: &str) -> Result<Account, DeskError> {
        Ok(self.store.unlock_account(&self.actor, name)?)
    }

    /// The counter's identity (`counter show`): any signed-in account reads it.
    pub fn counter(&self) -> Result<CounterIdentity, DeskError> {
        counter_identity(self.store)
    }

    /// Every setting an administrator edits, with the counter code's default (`get_settings`).
    /// The project a new intake starts with for this account: the one of its last case, else
    /// the administrator's `default_project`, else the catalog's first (#35: a 呼和浩特 counter
    /// once started on a Guangdong service). A project no longer in the catalog is passed over.
    pub fn intake_project(&self, catalog: &Catalog) -> Result<Option<String>, DeskError> {
        let known = |id: &String| catalog.project(id).is_ok();
        if let Some(last) = self.store.last_project_of(self.actor.name())?.filter(known) {
            return Ok(Some(last));
        }
        if let Some(set) = self.store.setting("default_project")?.filter(|p| !p.is_empty()).filter(known) {
            return Ok(Some(set));
        }
        Ok(catalog.projects.keys().next().cloned())
    }

    /// The counter's ID card reader as the administrator set it (a clerk reads cards with it).
    pub fn idcard_reader(&self) -> Result<crate::idcard::ReaderChoice, DeskError> {
        self.require("read ID cards", Role::Clerk)?;
        let mut values = std::collections::BTreeMap::new();
        for key in ["idcard_port", "idcard_library", "idcard_usb_port"] {
            values.insert(key, self.store.setting(key)?);
        }
        crate::idcard::ReaderChoice::from_settings(|k| values.get(k).cloned().flatten())?.ok_or(DeskError::NoIdCardReader)
    }

    pub fn settings(&self) -> Result<std::collections::BTreeMap<&'static str, String>, DeskError> {
        self.require("read the settings", Role::Admin)?;
        let mut out = std::collections::BTreeMap::new();
        for key in SETTINGS {
            let value = if key == "counter_code" { counter_code(self.store)? } else { self.store.setting(key)?.unwrap_or_default() };
            out.insert(key, value);
        }
        Ok(out)
    }

    /// A setting as it is stored, trimmed; `None` when unset or blank.
    pub(crate) fn setting(&self, key: &str) -> Result<Option<String>, DeskError> {
        Ok(self.store.setting(key)?.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()))
    }

    /// A setting, checked: the counter code's form, a number of idle minutes, a module file,
    /// the intake's default project among `catalog`'s (#79: an unknown one is refused, not
    /// saved and passed over at every intake).
    pub fn set_setting(&mut self, catalog: &Catalog, key: &str, value: &str) -> Result<(), DeskError> {
        if key == "default_project" && !value.trim().is_empty() {
            self.require("change the settings", Role::Admin)?;
            crate::intake::project(catalog, value.trim())?;
        }
        self.put_setting(key, value)
    }

    /// [`Desk::set_setting`] for the settings no catalog is needed to check (the counter's
    /// identity at the first start).
    fn put_setting(&mut self, key: &str, value: &str) -> Result<(), DeskError> {
        self.require("change the settings", Role::Admin)?;
        if !SETTINGS.contains(&key) {
            return Err(DeskError::UnknownSetting { key: key.to_string(), known: SETTINGS.join(", ") });
        }
        let mut value = value.trim().to_string();
        match key {
            "counter_code" => {
                value = value.to_ascii_uppercase();
                certdesk_domain::number::check_counter_code(&value).map_err(|why| DeskError::InvalidCounterCode { code: value.clone(), why })?;
            }
            "idle_minutes" if !value.is_empty() => {
                crate::limits::idle_minutes(&value)?;
            }
            "password_max_age_days" if !value.is_empty() => {
                crate::limits::password_max_age_days(&value)?;
            }
            "retention_years" if !value.is_empty() => {
                certdesk_domain::retention::RetentionYears::parse(&value).map_err(|e| DeskError::OutOfRange {
                    what: "retention_years",
                    value: format!("{value:?}"),
                    range: format!("{}–{} years: {}", certdesk_domain::retention::MIN_YEARS, certdesk_domain::retention::MAX_YEARS, e.zh()),
                })?;
            }
            "key_sign_in_roles" => {
                let roles = certdesk_domain::staff::parse_key_roles(&value).map_err(|_| DeskError::UnknownValue {
                    what: "key_sign_in_roles",
                    value: value.clone(),
                    known: "admin, clerk, supervisor, key_clerk".into(),
                })?;
                value = roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(",");
            }
            "idcard_usb_port" if !value.is_empty() => {
                value = crate::idcard::usb_port(&value)?.to_string();
            }
            "closures" => {
                value = crate::due::closures(&value)?.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
            }
            "idcard_library" if !value.is_empty() && !Path::new(&value).is_file() => {
                return Err(DeskError::IdCardLibraryMissing { path: value.clone() });
            }
            "pkcs11_module" if !value.is_empty() && !Path::new(&value).is_file() => {
                return Err(DeskError::KeyLibraryMissing { path: value.clone() });
            }
            _ => {}
        }
        Ok(self.store.set_setting(key, &value, &self.actor)?)
    }

    /// The days a password is used before it must be changed (`password_max_age_days`, else
    /// [`password_policy::DEFAULT_MAX_AGE_DAYS`](certdesk_domain::password_policy::DEFAULT_MAX_AGE_DAYS)).
    pub fn password_max_age_days(&self) -> Result<u32, DeskError> {
        let days = self.store.setting("password_max_age_days")?.and_then(|d| crate::limits::password_max_age_days(&d).ok());
        Ok(days.unwrap_or(certdesk_domain::password_policy::DEFAULT_MAX_AGE_DAYS))
    }

    /// Whether this account must change its password before it works (等保 2.0 level 3): an
    /// administrator set it, or it is `password_max_age_days` old on the counter's today. The
    /// CLI warns; the app shows only the change form until it is done.
    pub fn password_change_due(&self) -> Result<bool, DeskError> {
        let Some(account) = self.store.account(self.actor.name())? else { return Ok(false) };
        Ok(password_change_due(&account, self.password_max_age_days()?, crate::dates::today()))
    }

    /// The idle time after which a window locks (the `idle_minutes` setting).
    pub fn idle_timeout(&self) -> Result<Duration, DeskError> {
        let minutes = self.store.setting("idle_minutes")?.and_then(|m| crate::limits::idle_minutes(&m).ok());
        Ok(minutes.map(|m| Duration::from_secs(m * 60)).unwrap_or(DEFAULT_IDLE))
    }

    /// A verified copy of the store (an administrator), recorded on the chain, into `dest`.
    pub fn backup(&mut self, dest: &Path, cancel: Option<certdesk_store::CancelFlag>) -> Result<certdesk_store::BackupReport, DeskError> {
        self.require("back up the store", Role::Admin)?;
        Ok(self.store.backup_as(dest, &self.actor, cancel)?)
    }

    /// A verified copy of the store into the backup folder under a name of its time (the
    /// admin desk's 备份).
    pub fn backup_to_folder(&mut self, env: &Environment, cancel: Option<certdesk_store::CancelFlag>) -> Result<certdesk_store::BackupReport, DeskError> {
        let dest = self.folder(crate::folders::Folder::Backups, env)?.join(crate::folders::backup_file_name(chrono::Local::now()));
        self.backup(&dest, cancel)
    }

    /// On a hall, as the tables' owner: gives the desks' login role what a desk needs (an
    /// administrator of the hall), and records it on the chain.
    pub fn grant_desks(&mut self, role: &str) -> Result<certdesk_store::pg::schema::Granted, DeskError> {
        self.require("give the desks' role its rights", Role::Admin)?;
        if self.store.server().is_none() {
            return Err(DeskError::NotAHall { what: "store grant-desks" });
        }
        Ok(self.store.grant_desks(role, &self.actor)?)
    }
}

/// Whether `account` must change its password on the counter's day `today`: an administrator
/// set it, or it was set `max_age_days` ago (its UTC time read as the counter's local day). A
/// time that cannot be read asks for nothing (the account keeps working).
pub(crate) fn password_change_due(account: &Account, max_age_days: u32, today: chrono::NaiveDate) -> bool {
    if account.must_change {
        return true;
    }
    let Ok(changed) = chrono::DateTime::parse_from_rfc3339(&account.password_changed_at) else { return false };
    certdesk_domain::password_policy::must_change(changed.with_timezone(&chrono::Local).date_naive(), max_age_days, today)
}

fn saved(rec: &CaseRecord, warnings: Vec<FieldProblem>) -> Saved {
    Saved { number: rec.number.to_string(), status: rec.status.wire().into(), digest: rec.digest.clone(), warnings }
}

/// Replaces the store by a checked backup (an administrator); everyone must sign in again.
/// Consumes the store as the restore does; on failure gives back what the store gives back.
pub fn restore(store: CaseStore, session: &mut Session, backup: &Path) -> (Option<CaseStore>, Result<certdesk_store::Restored, DeskError>) {
    restore_with(store, session, backup, None)
}

/// What opens an encrypted backup made under another key than the store's (before a `store
/// rekey`, #30): the recovery key of its time (as typed), or the signed-in administrator's
/// password of its time.
pub enum BackupKey<'a> {
    RecoveryKey(&'a str),
    Password(&'a Password),
}

/// As [`restore`], with what opens an encrypted backup made under another key than the
/// store's (`Store::restore_with`).
pub fn restore_with(store: CaseStore, session: &mut Session, backup: &Path, key: Option<BackupKey<'_>>) -> (Option<CaseStore>, Result<certdesk_store::Restored, DeskError>) {
    let secret = match &key {
        Some(BackupKey::RecoveryKey(text)) => match certdesk_store::keys::RecoverySecret::parse(text) {
            Ok(s) => Some(s),
            Err(e) => return (Some(store), Err(certdesk_store::StoreError::from(e).into())),
        },
        _ => None,
    };
    let name = session.name().to_string();
    let unlock = match (&secret, &key) {
        (Some(secret), _) => Some(certdesk_store::Unlock::Recovery(secret)),
        (None, Some(BackupKey::Password(password))) => Some(certdesk_store::Unlock::Account { name: &name, password }),
        _ => None,
    };
    let mut store = store;
    let actor = match session.desk(&mut store) {
        Ok(desk) => desk.actor.clone(),
        Err(e) => return (Some(store), Err(e)),
    };
    if let Err(e) = actor.require("restore", &[Role::Admin]) {
        return (Some(store), Err(certdesk_store::ActError::from(e).into()));
    }
    match store.store.restore_with(backup, &actor, unlock) {
        Ok((s, r)) => (Some(CaseStore::new(s)), Ok(r)),
        Err((back, e)) => (back.map(CaseStore::new), Err(e.into())),
    }
}

/// Moves a counter's store file into an empty hall (`store migrate`), as an administrator of
/// the file (checked against the file, which is only read); the hall's store, and what was
/// copied. The rules of the copy are the store's (`Store::migrate_into_hall`).
pub fn migrate_to_hall(
    file: &Path,
    admin: &str,
    password: &Password,
    address: &certdesk_store::pg::HallAddress,
    server_password: certdesk_store::pg::ServerPassword,
) -> Result<(CaseStore, certdesk_store::Migrated), DeskError> {
    let (store, migrated) = Store::migrate_into_hall(file, admin, password, address, server_password)?;
    Ok((CaseStore::new(store), migrated))
}

/// The desk's conditions on a workflow move, decided on the case as loaded for it (#75): a
/// submission or an approval needs its checklist (an approval accepts promises only when the
/// supervisor does), a posted case's approval its money, and both the seal samples its forms
/// collect (#79). What it answers is the materials to follow, for the move's event.
pub(crate) fn conditions(catalog: &Catalog, action: Action, accept_to_follow: bool, case: &certdesk_store::LoadedCase) -> Result<Option<Vec<String>>, DeskError> {
    let (number, data) = (&case.record.number, &case.record.data);
    let to_follow = match action {
        Action::Submit => crate::materials::check_submit(catalog, number, data)?,
        Action::Approve => {
            if certdesk_domain::promise::ClockFacts::of(number, data).is_some_and(|f| f.channel == certdesk_domain::Channel::Post && f.paid_on.is_none()) {
                return Err(DeskError::MoneyNotIn { number: number.to_string() });
            }
            crate::materials::check_approve(catalog, number, data, accept_to_follow)?
        }
        _ => return Ok(None),
    };
    let forms = crate::seal::samples_missing(catalog, data, &case.history);
    if !forms.is_empty() {
        return Err(DeskError::SealSamplesMissing { number: number.to_string(), forms });
    }
    Ok(to_follow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::new(s.into())
    }

    fn store() -> (tempfile::TempDir, CaseStore, Session) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::place::open_file(&dir.path().join("c.db")).unwrap();
        let admin = Session::first_admin(&mut store, "admin", &pw("admin-pass-1"), "gz01", "").unwrap();
        (dir, store, admin)
    }

    #[test]
    fn the_account_is_read_again_on_every_call() {
        let (_d, mut store, mut admin) = store();
        assert_eq!(store.front_page().unwrap().counter_code, "GZ01");
        admin.desk(&mut store).unwrap().add_account("zhang", &[Role::Clerk, Role::Supervisor], &pw("zhang-pass-1")).unwrap();
        let mut zhang = Session::sign_in(&mut store, "zhang", &pw("zhang-pass-1")).unwrap();
        assert!(zhang.desk(&mut store).unwrap().actor().has(Role::Supervisor));
        // a role taken away counts at once, not at the next sign-in
        admin.desk(&mut store).unwrap().set_roles("zhang", &[Role::Clerk]).unwrap();
        assert!(!zhang.desk(&mut store).unwrap().actor().has(Role::Supervisor));
        // a disabled account's open session acts no more
        admin.desk(&mut store).unwrap().disable_account("zhang").unwrap();
        assert_eq!(zhang.desk(&mut store).err().unwrap().kind().as_str(), "account_disabled");
    }

    #[test]
    fn an_idle_session_locks_until_its_own_password_unlocks_it() {
        let (_d, mut store, admin) = store();
        let mut admin = admin.with_idle_timeout(Duration::from_millis(30));
        assert!(admin.desk(&mut store).is_ok());
        std::thread::sleep(Duration::from_millis(60));
        assert!(admin.is_locked());
        assert_eq!(admin.desk(&mut store).err().unwrap().kind().as_str(), "session_locked");
        // a wrong password keeps it locked (and counts as a failed sign-in)
        assert_eq!(admin.unlock(&mut store, &pw("not-the-pass-1")).unwrap_err().kind().as_str(), "wrong_password");
        assert_eq!(admin.desk(&mut store).err().unwrap().kind().as_str(), "session_locked");
        admin.unlock(&mut store, &pw("admin-pass-1")).unwrap();
        assert!(admin.desk(&mut store).is_ok());
        assert_eq!(store.store.account("admin").unwrap().unwrap().failed_logins, 0);
        // the window's own timer locks it at once
        admin.lock();
        assert_eq!(admin.desk(&mut store).err().unwrap().kind().as_str(), "session_locked");
        admin.unlock(&mut store, &pw("admin-pass-1")).unwrap();
        // the default, and the setting
        let mut admin = Session::sign_in(&mut store, "admin", &pw("admin-pass-1")).unwrap();
        assert_eq!(admin.desk(&mut store).unwrap().idle_timeout().unwrap(), DEFAULT_IDLE);
        admin.desk(&mut store).unwrap().put_setting("idle_minutes", "5").unwrap();
        assert_eq!(admin.desk(&mut store).unwrap().idle_timeout().unwrap(), Duration::from_secs(300));
        let refused = admin.desk(&mut store).unwrap().put_setting("idle_minutes", "0").unwrap_err();
        assert_eq!(refused.kind(), crate::ErrorKind::OutOfRange, "{refused}");
    }

    #[test]
    fn a_password_is_due_when_an_administrator_set_it_or_past_the_maximum_age() {
        let (_d, mut store, mut admin) = store();
        assert_eq!(admin.desk(&mut store).unwrap().password_max_age_days().unwrap(), 90);
        assert!(!admin.desk(&mut store).unwrap().password_change_due().unwrap());
        admin.desk(&mut store).unwrap().add_account("zhang", &[Role::Clerk], &pw("zhang-pass-1")).unwrap();
        let mut zhang = Session::sign_in(&mut store, "zhang", &pw("zhang-pass-1")).unwrap();
        assert!(zhang.desk(&mut store).unwrap().password_change_due().unwrap(), "an administrator chose it when adding the account");
        zhang.desk(&mut store).unwrap().change_own_password(&pw("zhang-pass-1"), &pw("zhang-own-1")).unwrap();
        assert!(!zhang.desk(&mut store).unwrap().password_change_due().unwrap());
        admin.desk(&mut store).unwrap().reset_password("zhang", &pw("Zhang-temp-1")).unwrap();
        let mut zhang = Session::sign_in(&mut store, "zhang", &pw("Zhang-temp-1")).unwrap();
        assert!(zhang.desk(&mut store).unwrap().password_change_due().unwrap(), "an administrator's password");
        // an app's window is held to the change: every desk refused but the change itself
        assert!(zhang.hold_until_password_changed(&mut store).unwrap());
        assert_eq!(zhang.desk(&mut store).err().map(|e| e.kind()), Some(crate::ErrorKind::PasswordChangeFirst));
        assert_eq!(zhang.desk_before_password_change(&mut store).unwrap().actor().name(), "zhang");
        // a refused call does not keep a held window unlocked: only what goes ahead renews it
        let mut held = Session::sign_in(&mut store, "zhang", &pw("Zhang-temp-1")).unwrap().with_idle_timeout(Duration::from_millis(80));
        assert!(held.hold_until_password_changed(&mut store).unwrap());
        for _ in 0..4 {
            std::thread::sleep(Duration::from_millis(30));
            if held.desk(&mut store).err().map(|e| e.kind()) == Some(crate::ErrorKind::SessionLocked) {
                break;
            }
        }
        assert!(held.is_locked(), "refused calls renewed the idle time");
        assert_eq!(zhang.change_own_password(&mut store, &pw("wrong-pass-9"), &pw("zhang-pass-2")).unwrap_err().kind(), crate::ErrorKind::WrongPassword);
        assert!(zhang.password_change_first(), "held until a change is made");
        zhang.change_own_password(&mut store, &pw("Zhang-temp-1"), &pw("zhang-pass-2")).unwrap();
        assert!(!zhang.password_change_first());
        assert!(!zhang.desk(&mut store).unwrap().password_change_due().unwrap());
        assert!(!zhang.hold_until_password_changed(&mut store).unwrap(), "nothing due: nothing held");
        admin.desk(&mut store).unwrap().put_setting("password_max_age_days", "30").unwrap();
        assert_eq!(zhang.desk(&mut store).unwrap().password_max_age_days().unwrap(), 30);
        // the age on the counter's local day: set 2026-08-25 16:30 UTC = 2026-08-26 in 广州
        let mut account = store.store.account("zhang").unwrap().unwrap();
        account.password_changed_at = "2026-08-25T16:30:00.000000Z".into();
        let day = |d: u32, m: u32| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(!password_change_due(&account, 90, day(23, 11)), "89 days");
        assert!(password_change_due(&account, 90, day(24, 11)), "90 days");
        assert!(password_change_due(&account, 30, day(25, 9)));
        account.must_change = true;
        assert!(password_change_due(&account, 90, day(26, 8)));
        for bad in ["0", "366", "x"] {
            assert_eq!(admin.desk(&mut store).unwrap().put_setting("password_max_age_days", bad).unwrap_err().kind(), crate::ErrorKind::OutOfRange);
        }
        // the rule's words reach the adapters, in Chinese too
        let weak = zhang.desk(&mut store).unwrap().change_own_password(&pw("zhang-pass-2"), &pw("zhangsan1")).unwrap_err();
        assert_eq!(weak.kind().as_str(), "password_policy");
        let again = zhang.desk(&mut store).unwrap().change_own_password(&pw("zhang-pass-2"), &pw("zhang-pass-1")).unwrap_err();
        assert_eq!(again.kind().as_str(), "password_reused");
    }

    #[test]
    fn the_first_administrator_is_the_only_change_without_a_session() {
        let (_d, mut store, _) = store();
        assert!(Session::first_admin(&mut store, "eve", &pw("eve-pass-12"), "EV01", "").is_err());
        assert!(add_first_admin(&mut store, "eve", &[Role::Admin], &pw("eve-pass-12")).is_err());
        assert!(!is_empty(&store).unwrap());
    }

    #[test]
    fn the_account_comes_from_the_flag_else_the_environment_with_its_own_password_file() {
        let env = Environment { user: Some("wang".into()), password_file: Some("/run/wang.pw".into()), ..Environment::default() };
        let none = Environment::default();
        assert_eq!(account_for("case show", None, None, &none).unwrap_err().kind(), crate::ErrorKind::NoAccount);
        let e = account_for("case show", None, None, &none).unwrap_err().to_string();
        assert!(e.starts_with("case show needs an account") && e.contains("CERTDESK_USER"), "{e}");
        assert_eq!(account_for("x", None, None, &env).unwrap(), AccountChoice { user: "wang".into(), password_file: Some("/run/wang.pw".into()) });
        // --as wins, and the environment's password file is not another account's
        assert_eq!(account_for("x", Some("li"), None, &env).unwrap(), AccountChoice { user: "li".into(), password_file: None });
        assert_eq!(account_for("x", Some("li"), Some(Path::new("li.pw")), &env).unwrap().password_file, Some(PathBuf::from("li.pw")));
        assert_eq!(account_for("x", Some("wang"), None, &env).unwrap().password_file, Some(PathBuf::from("/run/wang.pw")));
        assert_eq!(account_for("x", None, Some(Path::new("w.pw")), &env).unwrap().password_file, Some(PathBuf::from("w.pw")));
    }
}
