//! What every subcommand starts from: the global flags and the process environment, read once
//! here (the library crates read neither), and the three things a command asks of them: the
//! catalog (`--forms`, else `CERTDESK_FORMS`, else the built-in one), the store the desk's
//! `place` chooses (`--db` first; a hall's password prompted for only when nothing else gives
//! it), and a signed-in session for the account the desk's `account_for` names (`--as`, else
//! `CERTDESK_USER`), whose password is read here.

use crate::output::CliError;
use crate::secrets::PinReader;
use crate::{ActAs, AdminAs, Global, StaffKeyArgs};
use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::catalog::Catalog;
use certdesk_desk::keydesk::KeyLibrary;
use certdesk_desk::place::{Environment, Platform};
use certdesk_desk::staff::StaffKey;
use certdesk_desk::store::pg::ServerPassword;
use certdesk_desk::token::{Pin, TokenSel};
use std::path::Path;

pub struct Ctx {
    pub g: Global,
    pub env: Environment,
}

impl Ctx {
    pub fn new(g: Global) -> Ctx {
        let platform =
            Platform { home: dirs::home_dir(), data_local: dirs::data_local_dir(), state: dirs::state_dir(), documents: dirs::document_dir(), temp: std::env::temp_dir() };
        Ctx { g, env: Environment::read(|name| std::env::var_os(name), platform) }
    }

    pub fn catalog(&self) -> Result<Catalog, CliError> {
        Ok(certdesk_desk::intake::load_catalog(self.g.forms.as_deref().or(self.env.forms.as_deref()))?)
    }

    /// The store `--db` (and the rest, in the desk's order) names.
    pub fn open(&self) -> Result<CaseStore, CliError> {
        Ok(certdesk_desk::place::open(self.g.db.as_deref(), self.g.db_password_file.as_deref(), &self.env, ask_hall_password)?.store)
    }

    /// What that store's servers (or file) are doing, without opening it as a desk.
    pub fn place_status(&self) -> Result<certdesk_desk::place::PlaceStatus, CliError> {
        Ok(certdesk_desk::place::status(self.g.db.as_deref(), self.g.db_password_file.as_deref(), &self.env, ask_hall_password)?)
    }

    /// The store opened for `command`'s account and a session of it: the account's password
    /// opens an encrypted store (its slot) and signs it in, read once. A password due for a
    /// change (an administrator set it, or past `password_max_age_days`) is said on stderr and
    /// the command goes on.
    pub fn open_signed_in(&self, command: &str, user: Option<&str>, password_file: Option<&Path>, key: &StaffKeyArgs) -> Result<(CaseStore, Session, Option<HeldKey>), CliError> {
        // a plain file or a hall first: what is wrong with the store is said before the account
        let encrypted = certdesk_desk::place::is_encrypted_file(self.g.db.as_deref(), &self.env)?;
        let opened_first = if encrypted { None } else { Some(self.open()?) };
        // without an account an encrypted store is said to be one (#30: exit 1, saying so)
        let command = if encrypted { format!("{command} on an encrypted store") } else { command.to_string() };
        let account = certdesk_desk::api::account_for(&command, user, password_file, &self.env)?;
        let password = crate::secrets::read_secret(account.password_file.as_deref(), &format!("password for {}: ", account.user), false)?;
        let mut store = match opened_first {
            Some(store) => store,
            None => certdesk_desk::place::open_as(self.g.db.as_deref(), self.g.db_password_file.as_deref(), &self.env, ask_hall_password, Some((&account.user, &password)))?.store,
        };
        // the account from CERTDESK_USER takes its key from CERTDESK_TOKEN/CERTDESK_PIN_FILE
        let from_env = StaffKeyArgs { token: self.env.token.clone(), pin_file: self.env.pin_file.clone(), module: key.module.clone() };
        let key = if user.is_none() && !key.given() { &from_env } else { key };
        let held = self.hold_key(&store, key)?;
        let mut session = Session::sign_in_with_key(&mut store, &account.user, &password, held.as_ref().map(HeldKey::staff_key).as_ref())?;
        warn_if_due(&mut store, &mut session, &account.user)?;
        Ok((store, session, held))
    }

    /// The acting account's USB key as the flags give it (none without `--token`/`--pin-file`).
    pub fn hold_key(&self, store: &CaseStore, key: &StaffKeyArgs) -> Result<Option<HeldKey>, CliError> {
        if !key.given() {
            return Ok(None);
        }
        let library = KeyLibrary::open(&certdesk_desk::keydesk::sign_in_library(store, key.module.as_deref(), &self.env)?)?;
        let pin = PinReader::new().read(key.pin_file.as_deref(), "PIN of your USB key")?;
        Ok(Some(HeldKey { library, token: key.token.clone().map(TokenSel::Label), pin }))
    }

    /// The store, and a session on it for `by` (`--as USER --password-file F`, and the
    /// account's key where it must use one).
    pub fn session(&self, command: &str, by: &ActAs) -> Result<(CaseStore, Session), CliError> {
        self.session_with_key(command, by).map(|(store, session, _)| (store, session))
    }

    /// [`Ctx::session`], keeping the account's key for the command.
    pub fn session_with_key(&self, command: &str, by: &ActAs) -> Result<(CaseStore, Session, Option<HeldKey>), CliError> {
        self.open_signed_in(command, by.actor.as_deref(), by.password_file.as_deref(), &by.key)
    }

    /// The same for an administrator's command (`--as ADMIN --as-password-file F`).
    pub fn admin_session(&self, command: &str, by: &AdminAs) -> Result<(CaseStore, Session), CliError> {
        self.open_signed_in(command, by.actor.as_deref(), by.as_password_file.as_deref(), &by.key).map(|(store, session, _)| (store, session))
    }
}

/// The acting account's USB key for one command: its library, token and PIN (zeroized when
/// the command ends).
pub struct HeldKey {
    pub library: KeyLibrary,
    pub token: Option<TokenSel>,
    pub pin: Pin,
}

impl HeldKey {
    pub fn staff_key(&self) -> StaffKey<'_> {
        StaffKey { library: &self.library, token: self.token.clone(), pin: &self.pin }
    }
}

/// A hall's password from the prompt, when no file or pgpass entry had it.
pub(crate) fn ask_hall_password(address: &certdesk_desk::store::pg::HallAddress) -> Result<ServerPassword, certdesk_desk::DeskError> {
    let password = crate::secrets::read_secret(None, &format!("password for {}: ", address.shown()), false).map_err(|e| match e {
        CliError::Desk(d) => d,
        CliError::Usage(u) => certdesk_desk::DeskError::HallPasswordMissing { server: u },
    })?;
    Ok(password.into())
}

/// Says on stderr that `user`'s password must be changed, when it must (the CLI goes on).
pub(crate) fn warn_if_due(store: &mut CaseStore, session: &mut Session, user: &str) -> Result<(), CliError> {
    if session.desk(store)?.password_change_due()? {
        eprintln!(
            "warning: the password of {user} must be changed (密码已到期或由管理员设置，请修改): certdesk user passwd {user} --new-password-file NEW --as {user} --as-password-file CURRENT"
        );
    }
    Ok(())
}
