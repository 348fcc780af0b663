//! What every subcommand starts from: the global flags and the process environment, read once
//! here (the library crates read neither), and the three things a command asks of them: the
//! catalog (`--forms`, else `CERTDESK_FORMS`, else the built-in one), the store the desk's
//! `place` chooses (`--db` first; a hall's password prompted for only when nothing else gives
//! it), and a signed-in session for the account the desk's `account_for` names (`--as`, else
//! `CERTDESK_USER`), whose password is read here.

use crate::output::CliError;
use crate::{ActAs, AdminAs, Global};
use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::catalog::Catalog;
use certdesk_desk::place::{Environment, Platform};
use certdesk_desk::store::pg::ServerPassword;
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

    /// Signs `command`'s account in on `store`: `--as` with its password file, else the
    /// environment's account; the password read from its file, a prompt or stdin. A password
    /// due for a change (an administrator set it, or past `password_max_age_days`) is said on
    /// stderr and the command goes on.
    pub fn sign_in(&self, store: &mut CaseStore, command: &str, user: Option<&str>, password_file: Option<&Path>) -> Result<Session, CliError> {
        let account = certdesk_desk::api::account_for(command, user, password_file, &self.env)?;
        let password = crate::secrets::read_secret(account.password_file.as_deref(), &format!("password for {}: ", account.user), false)?;
        let mut session = Session::sign_in(store, &account.user, &password)?;
        if session.desk(store)?.password_change_due()? {
            eprintln!(
                "warning: the password of {} must be changed (密码已到期或由管理员设置，请修改): certdesk user passwd {} --password-file NEW --as {} --as-password-file CURRENT",
                account.user, account.user, account.user
            );
        }
        Ok(session)
    }

    /// The store, and a session on it for `by` (`--as USER --password-file F`).
    pub fn session(&self, command: &str, by: &ActAs) -> Result<(CaseStore, Session), CliError> {
        let mut store = self.open()?;
        let session = self.sign_in(&mut store, command, by.actor.as_deref(), by.password_file.as_deref())?;
        Ok((store, session))
    }

    /// The same for an administrator's command (`--as ADMIN --as-password-file F`).
    pub fn admin_session(&self, store: &mut CaseStore, command: &str, by: &AdminAs) -> Result<Session, CliError> {
        self.sign_in(store, command, by.actor.as_deref(), by.as_password_file.as_deref())
    }
}

/// A hall's password from the prompt, when no file or pgpass entry had it.
fn ask_hall_password(address: &certdesk_desk::store::pg::HallAddress) -> Result<ServerPassword, certdesk_desk::DeskError> {
    let password = crate::secrets::read_secret(None, &format!("password for {}: ", address.shown()), false).map_err(|e| match e {
        CliError::Desk(d) => d,
        CliError::Usage(u) => certdesk_desk::DeskError::HallPasswordMissing { server: u },
    })?;
    Ok(password.into())
}
