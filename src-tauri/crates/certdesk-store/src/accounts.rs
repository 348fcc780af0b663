//! Local accounts. Owns the `accounts` table: names, roles, argon2id password hashes, the count
//! of wrong passwords in a row (five lock the account until an administrator resets it), and
//! disabling (a disabled account keeps its history); and `password_history`, the hashes of each
//! account's last passwords. Every password set (a new account, one's own change, an
//! administrator's reset, the first administrator) meets `certdesk_domain::password_policy` and
//! repeats none of the account's last [`password_policy::HISTORY`]; when it was set and whether
//! it must be changed at the next sign-in are kept with the account (the desk decides when that
//! is, from the setting and the counter's day). Every change is an audit event. Does not
//! decide what a role may do: that is `certdesk_domain::workflow`.

use crate::audit::AuditAction;
use crate::db::{Row, args};
use crate::key_files::SlotChange;
use crate::{Store, StoreError, audit};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use certdesk_domain::password_policy::{self, PolicyError};
use certdesk_domain::workflow::{AccountChecked, Actor, Role};
use serde::Serialize;
use zeroize::Zeroizing;

/// Checks that `name` is an administrator of a store that is only read (a file being moved
/// into the hall) with this password, writing nothing: no failed sign-in is counted there.
pub(crate) fn check_admin(db: &mut dyn crate::db::Sql, name: &str, password: &Password) -> Result<Actor, AuthError> {
    let checked = verify_password(db, name, password)?.filter(|c| c.good).ok_or(AuthError::WrongCredentials)?;
    checked.usable(name)?;
    if !checked.roles.contains(&Role::Admin) {
        return Err(AuthError::AdminOnly { what: "moves a store into the hall", who: Some(name.to_string()) });
    }
    Ok(Actor::new(AccountChecked::by_the_store(), name, checked.roles))
}

/// An account's stored state and whether a typed password is its password.
struct Checked {
    good: bool,
    roles: Vec<Role>,
    locked: bool,
    disabled: bool,
}

impl Checked {
    /// Refuses a disabled or locked account (said only after a good password: to a guesser,
    /// a locked account looks like any other).
    fn usable(&self, name: &str) -> Result<(), AuthError> {
        if self.disabled {
            return Err(AuthError::Disabled { name: name.into() });
        }
        if self.locked {
            return Err(AuthError::Locked { name: name.into() });
        }
        Ok(())
    }
}

/// Checks `password` against account `name`; `None` when there is no such account, after the
/// same work as for a real one, so that timing does not tell names apart. Writes nothing.
fn verify_password(db: &mut dyn crate::db::Sql, name: &str, password: &Password) -> Result<Option<Checked>, StoreError> {
    let Some(row) = db.row("reading an account", "SELECT password_hash, roles, locked, disabled FROM accounts WHERE name = ?1", args![name])? else {
        let _ = hash(password);
        return Ok(None);
    };
    let stored = row.text(0)?;
    let good = PasswordHash::new(&stored).map(|h| Argon2::default().verify_password(password.bytes(), &h).is_ok()).unwrap_or(false);
    Ok(Some(Checked { good, roles: parse_roles(&row.text(1)?), locked: row.int(2)? != 0, disabled: row.int(3)? != 0 }))
}

/// Wrong passwords in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;

/// A password as typed: wiped from memory when dropped, never printed.
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(text: String) -> Password {
        Password(Zeroizing::new(text))
    }
    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A password typed for the hall's server (the CLI's prompt) moves into the server's type
/// without a copy left behind.
impl From<Password> for crate::pg::ServerPassword {
    fn from(p: Password) -> crate::pg::ServerPassword {
        crate::pg::ServerPassword::from_zeroizing(p.0)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub name: String,
    /// 姓名 as printed on receipts and shown in the UI; empty: show the login.
    pub display_name: String,
    pub roles: Vec<Role>,
    pub failed_logins: i64,
    pub locked: bool,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
    /// When the password was last set (the store's UTC time).
    pub password_changed_at: String,
    /// An administrator set the password: the account changes it at its next sign-in.
    pub must_change: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong user name or password")]
    WrongCredentials,
    #[error("account {name} is locked after {MAX_FAILED_LOGINS} wrong passwords; an administrator must unlock it (certdesk user unlock {name})")]
    Locked { name: String },
    #[error("account {name} is disabled")]
    Disabled { name: String },
    #[error("account name {0:?}: 1-32 letters, digits, '_', '-', '.'")]
    BadName(String),
    /// A new password that does not meet the rule of 等保 2.0 level 3 (`PolicyError::zh` says it
    /// in Chinese).
    #[error("{0}")]
    Policy(PolicyError),
    /// A new password that is one of the account's last ones.
    #[error("the password is one of this account's last {} passwords: choose another", password_policy::HISTORY)]
    Reused,
    #[error("an account needs at least one role")]
    NoRole,
    /// what only an administrator does: what, and who asked (none: nobody is signed in)
    #[error("only an administrator {what}; {}", match who { Some(who) => format!("{who} is not one"), None => "sign in as one".to_string() })]
    AdminOnly { what: &'static str, who: Option<String> },
    /// what nobody does to their own account (disable it, drop their own admin role, set
    /// their password without the current one)
    #[error("{what}")]
    OwnAccount { what: &'static str },
    #[error("account {0} exists already")]
    Exists(String),
    #[error("no account {0}")]
    NoAccount(String),
    #[error("a display name (姓名) is at most 40 characters, without control characters")]
    BadDisplayName,
    /// The certificate is enrolled for an account already: each key is enrolled once.
    #[error("this certificate ({subject}) was enrolled for {account} already: each key is enrolled once")]
    KeyEnrolledAlready { subject: String, account: String },
    #[error("{account} has no USB key enrolled: an administrator enrols it (certdesk user enrol-key, 管理 → USB Key登记)")]
    NoKeyEnrolled { account: String },
    #[error("revoking a USB key needs a reason (--reason)")]
    RevokeNeedsReason,
    /// The first account of a new store is an administrator.
    #[error("the first account of a new store must be an administrator (--role admin)")]
    FirstAccountAdmin,
    /// The first account asked of a store that has accounts: an administrator adds the next.
    #[error("the store has accounts already: an administrator adds the next one (--as ADMIN)")]
    AccountsExist,
    /// An encrypted store made where a store or a key file is already.
    #[error("a store (or its key file) is at {path} already: an encrypted store is made only where there is none")]
    StoreExists { path: std::path::PathBuf },
    #[error("{path} is not an encrypted store: store encrypt makes it so (with a recovery key of its own)")]
    NotEncrypted { path: std::path::PathBuf },
    #[error("{path} is encrypted already")]
    EncryptedAlready { path: std::path::PathBuf },
    /// A key file whose key does not open its store (another store's key file copied over).
    #[error(
        "the key file {key_file} does not go with the store {store}: its key does not open it (the key file of another store copied over this one's, or a damaged store file; SQLite said: {sqlite}). Put back this store's own key file (a backup's X.db.keys is a copy of the key file of its time), or open the store with its recovery key (store open-with-recovery)"
    )]
    KeyFileMismatch { key_file: std::path::PathBuf, store: std::path::PathBuf, sqlite: String },
    /// certdesk's own broken expectation (a password hash that cannot be made, an account just
    /// made and not found).
    #[error("internal: {what} ({detail})")]
    Internal { what: &'static str, detail: String },
    #[error("the account signed in here no longer exists: sign in again")]
    SignedOut,
    /// The password was right; the account signs in with its USB key too (#31).
    #[error("account {name} signs in with its USB key: give --token LABEL and --pin-file F (须使用本人USB Key登录)")]
    KeyRequired { name: String },
    /// The account's enrolled certificate has expired: an administrator enrols a new one.
    #[error("the USB key certificate of {name} expired on {not_after}: an administrator must enrol a new one (certdesk user enrol-key)")]
    EnrolmentExpired { name: String, not_after: String },
    /// The key's signature of the sign-in challenge did not check (counted as a failed sign-in).
    #[error("the USB key's signature does not match the certificate enrolled for {name}: not this account's key")]
    WrongStaffKey { name: String },
    /// The sign-in challenge is older than two minutes: sign in again.
    #[error("the sign-in took too long (the key's challenge is valid for two minutes): sign in again")]
    ChallengeExpired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn roles_text(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(",")
}

fn parse_roles(text: &str) -> Vec<Role> {
    text.split(',').filter_map(Role::from_wire).collect()
}

fn check_name(name: &str) -> Result<(), AuthError> {
    let ok = !name.is_empty() && name.chars().count() <= 32 && name.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c));
    if ok { Ok(()) } else { Err(AuthError::BadName(name.to_string())) }
}

pub(crate) fn check_password(p: &Password) -> Result<(), AuthError> {
    password_policy::check(&p.0).map_err(AuthError::Policy)
}

/// Refuses `password` when it verifies against one of the last passwords of `name` (read
/// before the write: 5 × an argon2 check is too long to hold the write lock for).
pub(crate) fn check_not_reused(db: &mut dyn crate::db::Sql, name: &str, password: &Password) -> Result<(), AuthError> {
    let limit = password_policy::HISTORY as i64;
    let rows = db.rows("reading the last passwords", "SELECT hash FROM password_history WHERE account = ?1 ORDER BY set_at DESC LIMIT ?2", args![name, limit])?;
    for row in rows {
        let stored = row.text(0)?;
        if PasswordHash::new(&stored).map(|h| Argon2::default().verify_password(password.bytes(), &h).is_ok()).unwrap_or(false) {
            return Err(AuthError::Reused);
        }
    }
    Ok(())
}

/// Keeps `hashed` as the newest of `name`'s passwords, and only the last
/// [`password_policy::HISTORY`] (inside the write that sets it).
pub(crate) fn remember_password(db: &mut dyn crate::db::Sql, name: &str, hashed: &str, at: &str) -> Result<(), StoreError> {
    db.exec("keeping the password's hash", "INSERT INTO password_history (account, hash, set_at) VALUES (?1, ?2, ?3)", args![name, hashed, at])?;
    let limit = password_policy::HISTORY as i64;
    db.exec(
        "forgetting older passwords",
        "DELETE FROM password_history WHERE account = ?1 AND set_at NOT IN (SELECT set_at FROM password_history WHERE account = ?1 ORDER BY set_at DESC LIMIT ?2)",
        args![name, limit],
    )?;
    Ok(())
}

pub(crate) fn hash(p: &Password) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(p.bytes(), &salt).map(|h| h.to_string()).map_err(|e| AuthError::Internal { what: "the password cannot be hashed", detail: e.to_string() })
}

fn read_account(r: &Row) -> Result<Account, StoreError> {
    Ok(Account {
        name: r.text(0)?,
        roles: parse_roles(&r.text(1)?),
        failed_logins: r.int(2)?,
        locked: r.int(3)? != 0,
        disabled: r.int(4)? != 0,
        created_at: r.text(5)?,
        updated_at: r.text(6)?,
        display_name: r.text(7)?,
        password_changed_at: r.text(8)?,
        must_change: r.int(9)? != 0,
    })
}

const ACCOUNT_COLUMNS: &str = "name, roles, failed_logins, locked, disabled, created_at, updated_at, display_name, password_changed_at, must_change";

impl Store {
    pub fn account_count(&self) -> Result<i64, StoreError> {
        self.read(|db| db.one("counting accounts", "SELECT count(*) FROM accounts", &[])?.int(0))
    }

    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.read(|db| db.rows("listing accounts", &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY name"), &[])?.iter().map(read_account).collect())
    }

    pub fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        self.read(|db| db.row("reading an account", &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE name = ?1"), args![name])?.as_ref().map(read_account).transpose())
    }

    /// Creates an account. `by` is the administrator acting, or `None` for the very first
    /// account of an empty store, which must be an administrator (first-run set-up). An
    /// account an administrator adds must change its password at its first sign-in: the
    /// administrator chose it and knows it (as after [`Store::set_password`]); the first
    /// account's holder chose their own.
    pub fn add_account(&mut self, name: &str, roles: &[Role], password: &Password, by: Option<&Actor>) -> Result<Account, AuthError> {
        check_name(name)?;
        check_password(password)?;
        if roles.is_empty() {
            return Err(AuthError::NoRole);
        }
        let first = self.account_count()? == 0;
        let actor = match (by, first) {
            (Some(a), _) if a.has(Role::Admin) => a.name().to_string(),
            (Some(a), _) => return Err(AuthError::AdminOnly { what: "adds accounts", who: Some(a.name().to_string()) }),
            (None, true) if roles.contains(&Role::Admin) => name.to_string(),
            (None, true) => return Err(AuthError::FirstAccountAdmin),
            (None, false) => return Err(AuthError::AdminOnly { what: "adds accounts", who: None }),
        };
        let chosen_by_another = actor != name;
        let hashed = hash(password)?;
        // an encrypted store: the new account's slot, so its password opens the store, in one
        // step with the account (key_files)
        let slot = self.slot_for(name, password)?;
        self.write(|tx| {
            let exists = tx.db.one("reading an account", "SELECT count(*) FROM accounts WHERE name = ?1", args![name])?.int(0)? > 0;
            if exists {
                return Err(AuthError::Exists(name.to_string()));
            }
            tx.db.exec(
                "adding an account",
                "INSERT INTO accounts (name, password_hash, roles, failed_logins, locked, disabled, created_at, updated_at, password_changed_at, must_change) VALUES (?1, ?2, ?3, 0, 0, 0, ?4, ?4, ?4, ?5)",
                args![name, hashed.as_str(), roles_text(roles), tx.at.as_str(), i64::from(chosen_by_another)],
            )?;
            remember_password(tx.db, name, &hashed, &tx.at)?;
            let detail = crate::detail::AccountChange { user: name.into(), roles: Some(roles_text(roles)), failed_in_a_row: None, display_name: None, second_factor: None };
            tx.append(&audit::NewEvent::new(&actor, AuditAction::UserAdd, &detail))?;
            slot.stage(tx.db)?;
            Ok(())
        })?;
        slot.finish()?;
        Ok(self.account(name)?.expect("account just added"))
    }

    /// Checks a password. A wrong one is counted in the same statement that reads the count (so
    /// attempts in parallel all count); the fifth in a row locks the account. An unknown name
    /// and a wrong password get the same answer; only the right password learns that the
    /// account is locked or disabled.
    ///
    /// An account that must sign in with its USB key (#31) is refused here after the right
    /// password (`KeyRequired`): [`Store::authenticate_first`] and `authenticate_key` sign it in.
    pub fn authenticate(&mut self, name: &str, password: &Password) -> Result<Actor, AuthError> {
        match self.authenticate_first(name, password)? {
            crate::staff_keys::FirstFactor::Done(actor) => Ok(actor),
            crate::staff_keys::FirstFactor::KeyNeeded(_) => Err(AuthError::KeyRequired { name: name.into() }),
        }
    }

    /// The password alone, checked and a wrong one counted (the first factor); the count is
    /// reset by the caller once the whole sign-in succeeded.
    pub(crate) fn authenticate_password(&mut self, name: &str, password: &Password) -> Result<Actor, AuthError> {
        let checked = self.read(|db| verify_password(db, name, password))?.ok_or(AuthError::WrongCredentials)?;
        if checked.good {
            checked.usable(name)?;
            return Ok(Actor::new(AccountChecked::by_the_store(), name, checked.roles));
        }
        // the failure is written (and committed) before it is answered
        self.write(|tx| count_failed_login(tx, name, checked.locked, false))?;
        Err(AuthError::WrongCredentials)
    }

    /// A whole sign-in succeeded: the wrong attempts in a row start again from none.
    pub(crate) fn reset_failed_logins(&mut self, name: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let sql = "UPDATE accounts SET failed_logins = 0, updated_at = ?2 WHERE name = ?1 AND failed_logins > 0";
            tx.db.exec("resetting failed logins", sql, args![name, tx.at.as_str()])
        })?;
        Ok(())
    }

    /// The account as it is now, for a session that signed in earlier: refused once it is
    /// disabled, locked or gone; its roles as they are now.
    pub fn signed_in_actor(&self, name: &str) -> Result<Actor, AuthError> {
        let account = self.account(name)?.ok_or(AuthError::SignedOut)?;
        if account.disabled {
            return Err(AuthError::Disabled { name: name.into() });
        }
        if account.locked {
            return Err(AuthError::Locked { name: name.into() });
        }
        Ok(Actor::new(AccountChecked::by_the_store(), account.name, account.roles))
    }

    /// Changes one's own password: the current one is checked first (a wrong one counts as a
    /// failed sign-in). The new one meets the rule and is none of the account's last passwords (the current one
    /// included); the change clears `must_change`.
    pub fn change_own_password(&mut self, name: &str, current: &Password, new: &Password) -> Result<Account, AuthError> {
        check_password(new)?;
        let me = self.authenticate(name, current)?;
        self.read(|db| check_not_reused(db, name, new))?;
        let hashed = hash(new)?;
        let sql_text = "UPDATE accounts SET password_hash = ?3, updated_at = ?2, password_changed_at = ?2, must_change = 0 WHERE name = ?1";
        let slot = self.slot_for(name, new)?;
        self.account_change(&me, name, AuditAction::UserPasswd, sql_text, Some(hashed), &slot)
    }

    fn admin_change(&mut self, by: &Actor, name: &str, action: AuditAction, sql_text: &str, extra: Option<String>, slot: &SlotChange) -> Result<Account, AuthError> {
        if !by.has(Role::Admin) {
            return Err(AuthError::AdminOnly { what: "changes another account", who: Some(by.name().to_string()) });
        }
        if by.name() == name && matches!(action, AuditAction::UserDisable | AuditAction::UserPasswd) {
            let why = if action == AuditAction::UserPasswd {
                "change your own password with the current one (user passwd --current-password-file)"
            } else {
                "an administrator cannot disable their own account"
            };
            return Err(AuthError::OwnAccount { what: why });
        }
        self.account_change(by, name, action, sql_text, extra, slot)
    }

    /// An account changed, its audit event appended and its slot changed (`slot`: nothing
    /// when the change touches no slot or the store is not encrypted) in one write.
    fn account_change(&mut self, by: &Actor, name: &str, action: AuditAction, sql_text: &str, extra: Option<String>, slot: &SlotChange) -> Result<Account, AuthError> {
        self.write(|tx| {
            let changed = tx.db.exec("changing an account", sql_text, args![name, tx.at.as_str(), extra.as_deref()])?;
            if changed == 0 {
                return Err(AuthError::NoAccount(name.to_string()));
            }
            if action == AuditAction::UserPasswd
                && let Some(hashed) = extra.as_deref()
            {
                remember_password(tx.db, name, hashed, &tx.at)?;
            }
            // the password hash (extra of user_passwd) never goes on the chain; roles do
            let (roles, display_name) = match action {
                AuditAction::UserRoles => (extra, None),
                AuditAction::UserName => (None, extra),
                _ => (None, None),
            };
            tx.append(&audit::NewEvent::new(
                by.name(),
                action,
                &crate::detail::AccountChange { user: name.into(), roles, failed_in_a_row: None, display_name, second_factor: None },
            ))?;
            // a disabled account's USB key ends with it (#31): enabled again, it is enrolled anew
            if action == AuditAction::UserDisable {
                crate::staff_keys::end_open_enrolment(tx, by.name(), name, "account disabled")?;
            }
            slot.stage(tx.db)?;
            Ok(())
        })?;
        slot.finish()?;
        Ok(self.account(name)?.expect("account exists"))
    }

    /// Sets a new password for another account (an administrator) and clears its lock. The
    /// rule and the account's last passwords apply as to its own change; the account must
    /// change it at its next sign-in (someone else knows it).
    pub fn set_password(&mut self, by: &Actor, name: &str, password: &Password) -> Result<Account, AuthError> {
        check_password(password)?;
        self.read(|db| check_not_reused(db, name, password))?;
        let hashed = hash(password)?;
        let sql_text = "UPDATE accounts SET password_hash = ?3, failed_logins = 0, locked = 0, updated_at = ?2, password_changed_at = ?2, must_change = 1 WHERE name = ?1";
        let slot = if by.has(Role::Admin) && by.name() != name { self.slot_for(name, password)? } else { SlotChange::none() };
        let account = self.admin_change(by, name, AuditAction::UserPasswd, sql_text, Some(hashed), &slot)?;
        if self.is_encrypted() {
            crate::attempts::clear(self.path(), name)?;
        }
        Ok(account)
    }

    /// Clears the lock of an account locked by wrong passwords (on an encrypted store, the
    /// wrong passwords counted before it was open too).
    pub fn unlock_account(&mut self, by: &Actor, name: &str) -> Result<Account, AuthError> {
        let account = self.admin_change(
            by,
            name,
            AuditAction::UserUnlock,
            "UPDATE accounts SET failed_logins = 0, locked = 0, updated_at = ?2 WHERE name = ?1 AND CAST(?3 AS TEXT) IS NULL",
            None,
            &SlotChange::none(),
        )?;
        if self.is_encrypted() {
            crate::attempts::clear(self.path(), name)?;
        }
        Ok(account)
    }

    /// Replaces an account's roles (an administrator). An administrator cannot take the
    /// administrator role from their own account, so the store always keeps one.
    pub fn set_roles(&mut self, by: &Actor, name: &str, roles: &[Role]) -> Result<Account, AuthError> {
        if roles.is_empty() {
            return Err(AuthError::NoRole);
        }
        if by.name() == name && !roles.contains(&Role::Admin) {
            return Err(AuthError::OwnAccount { what: "an administrator cannot remove their own administrator role" });
        }
        self.admin_change(by, name, AuditAction::UserRoles, "UPDATE accounts SET roles = ?3, updated_at = ?2 WHERE name = ?1", Some(roles_text(roles)), &SlotChange::none())
    }

    /// Sets an account's display name (姓名): an administrator for anyone, an account for itself.
    pub fn set_display_name(&mut self, by: &Actor, name: &str, display_name: &str) -> Result<Account, AuthError> {
        let display_name = display_name.trim();
        if display_name.chars().count() > 40 || display_name.chars().any(char::is_control) {
            return Err(AuthError::BadDisplayName);
        }
        let sql_text = "UPDATE accounts SET display_name = ?3, updated_at = ?2 WHERE name = ?1";
        if by.name() == name {
            return self.account_change(by, name, AuditAction::UserName, sql_text, Some(display_name.to_string()), &SlotChange::none());
        }
        self.admin_change(by, name, AuditAction::UserName, sql_text, Some(display_name.to_string()), &SlotChange::none())
    }

    /// Display names by login, for the accounts that have one.
    pub fn display_names(&self) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        let rows = self.read(|db| db.rows("listing display names", "SELECT name, display_name FROM accounts WHERE display_name != ''", &[]))?;
        rows.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
    }

    /// Disables an account for good; its name stays on every event it took part in.
    pub fn disable_account(&mut self, by: &Actor, name: &str) -> Result<Account, AuthError> {
        // an encrypted store: a disabled account's password opens nothing any more (its slot goes
        // in the same step)
        let slot = self.slot_removal(name);
        self.admin_change(by, name, AuditAction::UserDisable, "UPDATE accounts SET disabled = 1, updated_at = ?2 WHERE name = ?1 AND CAST(?3 AS TEXT) IS NULL", None, &slot)
    }
}

/// One wrong password of the existing account `name` counted in `tx`: its failures in a row,
/// the lock at the fifth, and the event (`login_failed`, or `user_locked` when this one locks
/// it; `locked` says whether it was locked before). Returns whether it is locked now. Shared by
/// `authenticate` and the failures counted before an encrypted store was open (`attempts`).
pub(crate) fn count_failed_login(tx: &mut crate::db::Tx<'_>, name: &str, locked: bool, second_factor: bool) -> Result<bool, StoreError> {
    let failed = tx
        .db
        .one(
            "counting a failed login",
            "UPDATE accounts SET failed_logins = failed_logins + 1, locked = CASE WHEN locked <> 0 OR failed_logins + 1 >= ?2 THEN 1 ELSE 0 END, updated_at = ?3
             WHERE name = ?1 RETURNING failed_logins",
            args![name, MAX_FAILED_LOGINS, tx.at.as_str()],
        )?
        .int(0)?;
    let lock = failed >= MAX_FAILED_LOGINS && !locked;
    let action = if lock { AuditAction::UserLocked } else { AuditAction::LoginFailed };
    tx.append(&audit::NewEvent::new(
        name,
        action,
        &crate::detail::AccountChange { user: name.into(), roles: None, failed_in_a_row: Some(failed), display_name: None, second_factor: second_factor.then_some(true) },
    ))?;
    Ok(locked || lock)
}
