//! What the benchmarks share (included by each `src/bin/bench_*.rs` as `mod bench`): a small
//! deterministic generator for their data and the percentiles they print.
#![allow(dead_code)] // each benchmark uses its part

use std::time::Duration;

/// xorshift64: the same data on every run, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick(&mut self, s: &str) -> char {
        let chars: Vec<char> = s.chars().collect();
        chars[self.below(chars.len())]
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// The value at `p` (0..=1) of sorted durations (nearest rank).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}
