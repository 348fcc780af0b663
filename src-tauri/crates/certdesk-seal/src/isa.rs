//! Which instruction set the importer's hot loops run on. Owns the one CPU check (AVX2 with
//! BMI1/2, LZCNT and POPCNT, Intel since 2013 and AMD since 2015) and the choice it makes,
//! which the benchmark and the tests can force back to the baseline. A function marked
//! `#[wide_when_available]` (crate `certdesk-seal-wide`) is written out twice, for that set and
//! for the baseline x86-64 the release is built for, and asks `wide()` which copy to run. This
//! module does not own what the loops compute: both copies are the same source. Rust neither
//! fuses a multiply and an add nor reorders float sums unless told to, so the two copies give
//! the same bits; `tests/instruction_sets.rs` checks that on whole sheets.
//!
//! Why at run time: counter PCs include Celeron and Pentium machines without AVX2 (until
//! about 2020), so the release cannot require it, and on the machines that have it the box
//! loops run wider.

use std::sync::atomic::{AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const WIDE: u8 = 1;
const BASELINE: u8 = 2;

static CHOICE: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Whether the wide copies run: the CPU has the instruction set and nothing forced the
/// baseline.
#[inline]
pub(crate) fn wide() -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        WIDE => true,
        BASELINE => false,
        _ => {
            let wide = cpu_has_wide();
            CHOICE.store(if wide { WIDE } else { BASELINE }, Ordering::Relaxed);
            wide
        }
    }
}

/// Whether this CPU has AVX2, BMI1/2, LZCNT and POPCNT, every feature the wide copies are
/// compiled with (the list is `certdesk-seal-wide`'s, for the copies and this check alike).
#[cfg(target_arch = "x86_64")]
pub fn cpu_has_wide() -> bool {
    certdesk_seal_wide::cpu_has_wide_features!()
}

/// No wide copies off x86-64.
#[cfg(not(target_arch = "x86_64"))]
pub fn cpu_has_wide() -> bool {
    false
}

/// Makes the importer run its baseline copies from now on (`false` goes back to what the CPU
/// has). For comparing the two copies and for timing the baseline on a machine that has both.
pub fn force_baseline(baseline: bool) {
    CHOICE.store(if !baseline && cpu_has_wide() { WIDE } else { BASELINE }, Ordering::Relaxed);
}

/// Which copies run, in words (for the benchmark's first line).
pub fn running() -> &'static str {
    if wide() { "AVX2 (wide copies)" } else { "baseline x86-64" }
}
