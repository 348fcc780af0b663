//! Test ID card readers, for the tests, the benchmark and the app's end-to-end test; never
//! shipped. Two of them, over the same card files (`card`): a GA/T 467 reader simulated on a
//! pseudo-terminal (`sim`, and the `certdesk-idcard-sim` program around it), which paces its
//! answers as a 115200-baud line would, and a soft vendor library,
//! `libcertdesk_idcard_soft.so` / `certdesk_idcard_soft.dll`, exporting the `SDT_*` functions
//! and a photo decoder `unpack` (`ffi`), whose card is the file named by `CERTDESK_SDT_CARD`.
//! Both inject every bad input of the issue on request (`Fault`).
//!
//! A card file is a JSON description (the CLI contract's field names, codes where the card
//! holds codes: `"nation": "01"`, `"nationality": "USA"`) or a raw 256-byte text block. It is
//! read again at each "find card": writing another file lays another card on the reader,
//! deleting it takes the card away.

pub mod card;
mod ffi;
#[cfg(unix)]
pub mod sim;

pub use card::{CardFile, Description, Fault, SAM_ID, SAM_ID_BYTES, soft_photo_bgr};
