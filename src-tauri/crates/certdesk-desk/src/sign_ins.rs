//! Who is signed in now and each account's last sign-in (#79), for an administrator: the
//! app's sessions as the store records them (`certdesk_store::sign_ins`); the name a PC goes by
//! among the hall's desks is the app's to give (`Session::present_at`).

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
