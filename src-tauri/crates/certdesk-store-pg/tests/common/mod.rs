//! The test cluster's helpers, shared with the store's own tests (one file, included).

#![allow(dead_code)]

#[path = "../../../certdesk-store/tests/common/pg.rs"]
mod pg;
pub use pg::*;
