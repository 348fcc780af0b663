//! The counter's settings (`settings` table): read by anyone the desk lets read, changed only by an
//! administrator and each change recorded on the audit chain. Owns the statements; not which keys
//! exist or what their values mean (the desk checks them).

use crate::db::args;
use crate::{AuditAction, NewEvent, Store, StoreError, detail};
use certdesk_domain::workflow::{self, Actor};

/// What the audit chain records for a secret setting that has a value.
pub const SECRET_SET: &str = "(set)";

/// Settings whose values the audit chain does not record: an RA's challenge password
/// (`ra.<project>.challenge`).
pub fn is_secret(key: &str) -> bool {
    key.ends_with(".challenge")
}

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|db| db.row("reading a setting", "SELECT value FROM settings WHERE key = ?1", args![key])?.map(|r| r.text(0)).transpose())
    }

    /// The project of the newest case `account` created (the intake's default for that clerk).
    pub fn last_project_of(&self, account: &str) -> Result<Option<String>, StoreError> {
        self.read(|db| {
            db.row("reading the last project used", "SELECT project FROM cases WHERE created_by = ?1 ORDER BY created_at DESC, id DESC LIMIT 1", args![account])?
                .map(|r| r.text(0))
                .transpose()
        })
    }

    /// Sets a setting as an administrator, with an audit event naming them.
    pub fn set_setting(&mut self, key: &str, value: &str, actor: &Actor) -> Result<(), StoreError> {
        if !actor.has(workflow::Role::Admin) {
            return Err(StoreError::AdminOnly { what: "changes settings", who: actor.name().to_string() });
        }
        if key == crate::RETENTION_YEARS {
            // 电子签名法 Art. 24: at least five years after the certificate expires
            certdesk_domain::retention::RetentionYears::parse(value)?;
        }
        let actor = actor.name();
        self.write(|tx| {
            let before = tx.db.row("reading a setting", "SELECT value FROM settings WHERE key = ?1", args![key])?.map(|r| r.text(0)).transpose()?;
            tx.db.exec("writing a setting", "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args![key, value])?;
            // a secret (an RA's challenge password) is recorded as set or not, never its value
            let shown = |v: &str| if is_secret(key) { if v.is_empty() { String::new() } else { SECRET_SET.to_string() } } else { v.to_string() };
            let before = before.as_deref().map(shown);
            tx.append(&NewEvent::new(actor, AuditAction::Setting, &detail::SettingChanged { key: key.into(), before, after: shown(value) }))?;
            Ok(())
        })
    }
}
