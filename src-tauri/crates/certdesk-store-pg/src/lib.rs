//! The counter hall's back end as other crates name it: `certdesk_store::pg` (the PostgreSQL
//! back end lives inside `certdesk-store`, which opens a hall with `Store::open_hall`; see
//! that module for why). This crate owns no code of its own: it owns the hall's tests on a
//! real server that need processes of their own (`tests/hall.rs`: eight desk processes on one
//! chain, a backend terminated mid-change, a SQLite chain copied verbatim).

pub use certdesk_store::pg::*;
