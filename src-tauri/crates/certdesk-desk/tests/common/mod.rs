//! What the desk's workflow tests share: a counter's store file with its people signed in
//! through the desk API (the first administrator made with the counter's code, the others
//! added by it), and their passwords.
#![allow(dead_code)]

use certdesk_desk::api::{CaseStore, Desk, Session};
use certdesk_domain::workflow::Role;
use certdesk_store::Password;
use std::collections::BTreeMap;
use std::path::Path;

/// `<name>-pass-1`: the password of each test account.
pub fn pw(name: &str) -> Password {
    Password::new(format!("{name}-pass-1"))
}

/// A counter's store (GZ01, 广州受理点) with `admin` and `people` signed in, and the embedded
/// catalog.
pub struct Counter {
    pub store: CaseStore,
    pub sessions: BTreeMap<&'static str, Session>,
    pub catalog: certdesk_catalog::Catalog,
}

impl Counter {
    pub fn with_people(path: &Path, people: &[(&'static str, Role)]) -> Counter {
        let mut store = certdesk_desk::place::open_file(path).unwrap();
        let mut sessions = BTreeMap::new();
        sessions.insert("admin", Session::first_admin(&mut store, "admin", &pw("admin"), "GZ01", "广州受理点").unwrap());
        for &(name, role) in people {
            sessions.get_mut("admin").unwrap().desk(&mut store).unwrap().add_account(name, &[role], &pw(name)).unwrap();
            sessions.insert(name, Session::sign_in(&mut store, name, &pw(name)).unwrap());
        }
        Counter { store, sessions, catalog: certdesk_catalog::Catalog::embedded().unwrap() }
    }

    /// The desk of `who` for one call.
    pub fn desk(&mut self, who: &str) -> Desk<'_> {
        self.sessions.get_mut(who).unwrap().desk(&mut self.store).unwrap()
    }
}
