//! The desktop app's sign-ins (#79): a row per session, written when it begins, when the
//! window is heard of (at most once a minute) and when it ends. Owns who is signed in now (a
//! session not ended and heard of within [`PRESENT_FOR`]) and each account's last sign-in.
//! Not part of the audit chain: a crashed window leaves its row open, and it stops counting
//! as present once it is no longer heard of.

use crate::db::args;
use crate::{Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// A session counts as signed in now while its window was heard of this recently.
pub const PRESENT_FOR: chrono::Duration = chrono::Duration::minutes(5);
/// A window's activity refreshes its row at most this often.
pub const SEEN_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// One sign-in as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SignIn {
    pub account: String,
    /// the PC's name
    pub desk: String,
    pub started_at: String,
    pub seen_at: String,
    pub ended_at: Option<String>,
}

const COLUMNS: &str = "account, desk, started_at, seen_at, ended_at";

fn sign_in(r: &crate::db::Row) -> Result<SignIn, StoreError> {
    Ok(SignIn { account: r.text(0)?, desk: r.text(1)?, started_at: r.text(2)?, seen_at: r.text(3)?, ended_at: r.opt_text(4)? })
}

impl Store {
    /// A session began at `desk`: its row's id (random), for the session to keep.
    pub fn sign_in_began(&mut self, account: &str, desk: &str) -> Result<String, StoreError> {
        let id = crate::staff_keys::random_hex(16);
        let now = crate::now();
        self.write(|tx| {
            tx.db.exec("recording a sign-in", &format!("INSERT INTO sign_ins (id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?4, NULL)"), args![id.as_str(), account, desk, now.as_str()])
        })?;
        Ok(id)
    }

    /// The session's window was heard of: its row refreshed when it is older than
    /// [`SEEN_EVERY`] (a read otherwise: no write per click).
    pub fn sign_in_seen(&mut self, id: &str) -> Result<(), StoreError> {
        let now = chrono::Utc::now();
        let stale = (now - SEEN_EVERY).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let due = self.read(|db| db.row("reading a sign-in", "SELECT 1 FROM sign_ins WHERE id = ?1 AND ended_at IS NULL AND seen_at < ?2", args![id, stale.as_str()]))?.is_some();
        if due {
            let at = crate::now();
            self.write(|tx| tx.db.exec("refreshing a sign-in", "UPDATE sign_ins SET seen_at = ?2 WHERE id = ?1 AND ended_at IS NULL", args![id, at.as_str()]))?;
        }
        Ok(())
    }

    /// The session ended (signed out, or the store closed under it).
    pub fn sign_in_ended(&mut self, id: &str) -> Result<(), StoreError> {
        let now = crate::now();
        self.write(|tx| tx.db.exec("ending a sign-in", "UPDATE sign_ins SET ended_at = ?2, seen_at = ?2 WHERE id = ?1 AND ended_at IS NULL", args![id, now.as_str()]))?;
        Ok(())
    }

    /// The sessions signed in now (not ended, heard of within [`PRESENT_FOR`]), oldest first.
    pub fn signed_in_now(&self) -> Result<Vec<SignIn>, StoreError> {
        let since = (chrono::Utc::now() - PRESENT_FOR).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let rows = self.read(|db| {
            db.rows("reading the sign-ins", &format!("SELECT {COLUMNS} FROM sign_ins WHERE ended_at IS NULL AND seen_at >= ?1 ORDER BY started_at"), args![since.as_str()])
        })?;
        rows.iter().map(sign_in).collect()
    }

    /// Each account's last sign-in, by account.
    pub fn last_sign_ins(&self) -> Result<BTreeMap<String, SignIn>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM sign_ins s WHERE started_at = (SELECT max(started_at) FROM sign_ins t WHERE t.account = s.account)");
        let rows = self.read(|db| db.rows("reading the last sign-ins", &sql, &[]))?;
        rows.iter().map(|r| sign_in(r).map(|s| (s.account.clone(), s))).collect()
    }
}
