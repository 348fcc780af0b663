//! Which instruction set the importer's hot loops run on. Owns the one CPU check (AVX2 with
//! BMI1/2, LZCNT and POPCNT, Intel since 2013 and AMD since 2015) and the `wide_when_available!`
//! macro that compiles a function twice, for that set and for the baseline x86-64 the release
//! is built for, and picks one at run time. It does not own what the loops compute: both
//! copies are the same source. Rust neither fuses a multiply and an add nor reorders float
//! sums unless told to, so the two copies give the same bits; `tests/instruction_sets.rs`
//! checks that on whole sheets.
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

/// Whether this CPU has AVX2, BMI1/2, LZCNT and POPCNT, every feature the wide copies use.
#[cfg(target_arch = "x86_64")]
pub fn cpu_has_wide() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("bmi1")
        && std::arch::is_x86_feature_detected!("bmi2")
        && std::arch::is_x86_feature_detected!("lzcnt")
        && std::arch::is_x86_feature_detected!("popcnt")
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

/// `fn name(args) -> T { body }`, compiled once as written and once with the wide instruction
/// set enabled; calls go to the wide copy when `isa::wide()`. The doc comment and attributes
/// stay on the function callers see. Arguments are plain names (write `let mut x = x;` in the
/// body for a mutable one); no generics.
macro_rules! wide_when_available {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $crate::isa::wide_when_available! { $(#[$attr])* $vis fn $name($($arg: $ty),*) -> () $body }
    };
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) -> $ret {
            // The body's own tokens in each copy, not a call of one inlined body: closures
            // inherit the features of the function they are written in.
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
                fn wide_copy($($arg: $ty),*) -> $ret $body
                if $crate::isa::wide() {
                    // SAFETY: `isa::wide()` is true only when the CPU reports every feature
                    // `wide_copy` is compiled for.
                    #[allow(unsafe_code)]
                    return unsafe { wide_copy($($arg),*) };
                }
            }
            $body
        }
    };
}
pub(crate) use wide_when_available;
