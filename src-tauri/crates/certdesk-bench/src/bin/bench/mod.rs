//! What the benchmarks share (included by each `src/bin/bench_*.rs` as `mod bench`): a small
//! deterministic generator for their data, the percentiles they print, a raw connection to a
//! hall's server for what no desk does (making a run's database, rebuilding an index), the
//! generated cases the search benchmarks fill a store with (`cases`), and how a hall
//! benchmark's desk carries on while the server is away (`outage`).
#![allow(dead_code)] // each benchmark uses its part

pub mod cases;
pub mod outage;

use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// The server refused or could not be reached; the password file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("reading the server's password file {}", .0.display())]
    PasswordFile(PathBuf, #[source] std::io::Error),
    #[error("the server refused {op}")]
    Db {
        op: &'static str,
        #[source]
        source: postgres::Error,
    },
}

/// A raw client on `url` (no password in it) with the first line of `password_file`.
pub fn server_client(url: &str, password_file: &Path) -> Result<postgres::Client, ServerError> {
    let text = Zeroizing::new(std::fs::read_to_string(password_file).map_err(|e| ServerError::PasswordFile(password_file.to_path_buf(), e))?);
    let mut config: postgres::Config = url.parse().map_err(|source| ServerError::Db { op: "the address", source })?;
    config.password(text.lines().next().unwrap_or_default());
    config.connect(postgres::NoTls).map_err(|source| ServerError::Db { op: "a connection", source })
}

/// Runs `sql` (one or more statements) on a raw client.
pub fn execute(client: &mut postgres::Client, op: &'static str, sql: &str) -> Result<(), ServerError> {
    client.batch_execute(sql).map_err(|source| ServerError::Db { op, source })
}

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
