//! Who is signed in now and each account's last sign-in (#79), for an administrator: the
//! app's sessions as the store records them (`certdesk_store::sign_ins`), and the name this PC
//! goes by among the hall's desks.

use crate::DeskError;
use crate::api::Desk;
use certdesk_domain::workflow::Role;
use certdesk_store::SignIn;
use serde::Serialize;
use std::collections::BTreeMap;

/// The sessions signed in now (on a hall: at every desk) and each account's last sign-in.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SignIns {
    pub now: Vec<SignIn>,
    pub last: BTreeMap<String, SignIn>,
}

impl Desk<'_> {
    /// [`SignIns`], for an administrator.
    pub fn sign_ins(&self) -> Result<SignIns, DeskError> {
        self.require("see who is signed in", Role::Admin)?;
        Ok(SignIns { now: self.store.signed_in_now()?, last: self.store.last_sign_ins()? })
    }
}

/// This PC's name as the operating system has it (Windows' `COMPUTERNAME`, the kernel's host
/// name elsewhere), else 本机.
pub fn desk_name() -> String {
    let named = std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("HOSTNAME").ok());
    named.map(|n| n.trim().chars().take(64).collect::<String>()).filter(|n| !n.is_empty()).unwrap_or_else(|| "本机".to_string())
}
