//! A soft SKF (GM/T 0016) library for tests and CI: `libcertdesk_skf_soft.so` exports the
//! `SKF_*` functions a counter uses with the C ABI, so that the host crate (`certdesk-skf`) and
//! the CLI drive it exactly as they drive a vendor's key library. Its devices live in the
//! directory `CERTDESK_SKF_DIR` (`state`), its behaviour is in `token` (PIN lock after 10 wrong
//! tries, SM2 keys made inside and never returned, both envelope forms), its C edge in `ffi`.
//! Fault switches: `removed`, `short_buffer`, `small_buffer` (a `fault` file in the state directory or
//! `CERTDESK_SKF_FAULT`). Only tests load it; it is a test double, never shipped.

mod ffi;
mod state;
mod token;

pub use state::{DEFAULT_DEV_AUTH_KEY, DEFAULT_USER_PIN};
