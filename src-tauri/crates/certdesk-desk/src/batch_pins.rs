//! The PINs of one key-desk batch (#72): the SO PIN and the initial user PIN a key clerk gives
//! once for a case's keys, so that initialising, generating, writing and reading back twenty
//! keys asks for them once. Held in zeroizing memory by the session that was given them, for
//! that case only; forgotten at the batch's end (the case has left the key desk: handed over,
//! closed, cancelled, sent back), at 清除本批PIN, when another batch's are given, when the
//! session locks or signs out, and with the process. Never written anywhere: not to the store, a log, an event or an answer.

use crate::DeskError;
use crate::api::Desk;
use certdesk_domain::workflow::Role;
use certdesk_token::Pin;
use serde::Serialize;
use std::sync::{Arc, Mutex, PoisonError};

/// A session's batch PINs; clones share them (a slow call's copy of the session uses the same).
#[derive(Clone, Default)]
pub struct BatchPins(Arc<Mutex<Option<Held>>>);

struct Held {
    case: String,
    so: Pin,
    user: Pin,
}

/// Which of a batch's PINs a key operation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    So,
    User,
}

impl std::fmt::Debug for BatchPins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BatchPins(held for {:?})", self.held_for())
    }
}

impl BatchPins {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Held>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The case whose batch PINs are held, if any.
    pub fn held_for(&self) -> Option<String> {
        self.slot().as_ref().map(|h| h.case.clone())
    }

    /// A copy of the batch's PIN for `case`, when its batch's are held (an SO PIN not given,
    /// the batch having no key left to initialise: none).
    pub fn get(&self, case: &str, which: Which) -> Option<Pin> {
        self.slot()
            .as_ref()
            .filter(|h| h.case == case)
            .map(|h| match which {
                Which::So => h.so.duplicate(),
                Which::User => h.user.duplicate(),
            })
            .filter(|p| !p.is_empty())
    }

    /// Drops the PINs (their memory zeroed).
    pub fn forget(&self) {
        self.slot().take();
    }

    fn hold(&self, case: String, so: Pin, user: Pin) {
        *self.slot() = Some(Held { case, so, user });
    }
}

/// Whether a case's batch PINs are held (the key desk shows it, never the PINs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct BatchPinsHeld {
    pub case: Option<String>,
}

impl Desk<'_> {
    /// Holds the SO PIN and the initial user PIN for case `number`'s keys (a key clerk, a case
    /// the key desk works on), replacing another batch's. Nothing is recorded.
    pub fn hold_batch_pins(&mut self, catalog: &certdesk_catalog::Catalog, number: &str, so: Pin, user: Pin) -> Result<BatchPinsHeld, DeskError> {
        self.require("key desk", Role::KeyClerk)?;
        let number = crate::api::case_number(number)?;
        let record = self.store.case(&number)?;
        certdesk_domain::workflow::may_make_key(record.status).map_err(certdesk_store::ActError::from)?;
        // the SO PIN only initialises keys: a batch with none left to initialise (a restart in
        // the write round) is given the user PIN alone
        if user.is_empty() || (so.is_empty() && crate::rounds::needs_key_init(&crate::steps::steps(self.store, catalog, number.as_str())?.certs)) {
            return Err(DeskError::BatchPinEmpty);
        }
        self.pins.hold(number.to_string(), so, user);
        Ok(BatchPinsHeld { case: Some(number.to_string()) })
    }

    /// The PIN a key operation on case `number` uses: the one given with it, else the batch's.
    pub fn pin_for(&self, number: &str, given: Option<String>, which: Which) -> Result<Pin, DeskError> {
        if let Some(pin) = given.filter(|p| !p.is_empty()) {
            return Ok(Pin::new(pin));
        }
        let missing = || DeskError::BatchPinMissing { number: number.to_string() };
        if !self.batch_open(number) {
            return Err(missing());
        }
        self.pins.get(number, which).ok_or_else(missing)
    }

    /// Whether case `number`'s batch PINs are held and its batch goes on: the case is still at
    /// the key desk (approved, keys being made). Once it has left (handed over, closed,
    /// cancelled, sent back) the batch is over and its PINs are forgotten here.
    fn batch_open(&self, number: &str) -> bool {
        let Some(held) = self.pins.held_for() else { return false };
        let Ok(case) = crate::api::case_number(number) else { return false };
        if held != case.as_str() {
            return false;
        }
        let at_key_desk = self.store.case(&case).is_ok_and(|r| certdesk_domain::workflow::may_make_key(r.status).is_ok());
        if !at_key_desk {
            self.pins.forget();
        }
        at_key_desk
    }

    /// Whether this session holds case `number`'s batch PINs (the key desk's status says so).
    pub fn batch_pins_held(&self, number: &str) -> bool {
        self.batch_open(number)
    }

    pub fn forget_batch_pins(&self) -> BatchPinsHeld {
        self.pins.forget();
        BatchPinsHeld { case: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pins_are_for_their_case_only_shared_by_clones_and_gone_when_forgotten() {
        let pins = BatchPins::default();
        pins.hold("GZ01-20261128-0001".into(), Pin::new("87654321".into()), Pin::new("24681357".into()));
        let copy = pins.clone();
        assert!(copy.get("GZ01-20261128-0001", Which::User).is_some_and(|p| p.equals("24681357")));
        assert!(copy.get("GZ01-20261128-0001", Which::So).is_some_and(|p| p.equals("87654321")));
        assert!(pins.get("GZ01-20261128-0002", Which::User).is_none(), "another case's keys ask for their own");
        assert!(!format!("{pins:?}").contains("2468"), "{pins:?}");
        copy.forget();
        assert!(pins.get("GZ01-20261128-0001", Which::User).is_none());
        assert_eq!(pins.held_for(), None);
    }
}
