//! The intake's ID card reader: the window asks every moment whether a card was laid on the
//! reader the administrator set; the desk reads it and judges it on the counter's today. The
//! reader stays open between calls (one per window). Which field the card fills is the intake
//! screen's choice (where the clerk is); the photo, when a vendor library decoded it, travels
//! only to the screen.

use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::idcard::{CardForIntake, CardWatch};
use tauri::State;

/// A card newly laid on the counter's reader, read and judged; `null` while there is none (or
/// the card read before still lies there). A clerk's call; no reader set: `idcard_not_set`; one that cannot be opened: `idcard_no_reader`.
#[tauri::command(async)]
pub fn idcard_poll(state: State<'_, AppState>) -> Result<Option<CardForIntake>, IpcError> {
    crate::log::call("idcard_poll", || {
        let choice = state.with_desk(|d| d.idcard_reader())?;
        let mut watch = state.idcard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if watch.as_ref().is_none_or(|w| w.choice() != &choice) {
            *watch = Some(CardWatch::new(choice));
        }
        let read = watch.as_mut().expect("set above").poll(certdesk_desk::dates::today())?;
        drop(watch);
        if let Some(card) = &read {
            // what was read, never who: no name, number or photo in the log
            tracing::info!(card_type = %card.card_type, validity = %card.validity, "ID card read");
            // the session vouches for this number's chip mark on the case (#72)
            if card.refused.is_none() && !card.id_number.is_empty() {
                state.with_desk(|d| {
                    d.note_chip_read(&card.id_number);
                    Ok(())
                })?;
            }
        }
        Ok(read)
    })
}
