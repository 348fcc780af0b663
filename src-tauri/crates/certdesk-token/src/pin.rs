//! PINs and SO PINs: held in zeroizing memory, never `Debug`-printed, read from a file's first
//! line or from stdin — never from a command-line argument, never logged.

use std::io::BufRead;
use zeroize::Zeroizing;

pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn new(text: String) -> Pin {
        Pin(Zeroizing::new(text))
    }

    /// The first line of a file (the file itself should be 0600 and removed after use).
    pub fn from_file(path: &std::path::Path) -> std::io::Result<Pin> {
        let text = Zeroizing::new(std::fs::read_to_string(path)?);
        Ok(Pin::new(text.lines().next().unwrap_or("").to_string()))
    }

    /// One line of stdin.
    pub fn from_stdin() -> std::io::Result<Pin> {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(Pin::new(line.trim_end_matches(['\n', '\r']).to_string()))
    }

    /// A second zeroizing copy, for a PIN held for a batch of keys (#72) and used once per key.
    pub fn duplicate(&self) -> Pin {
        Pin::new(self.0.as_str().to_string())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn auth(&self) -> cryptoki::types::AuthPin {
        cryptoki::types::AuthPin::from(self.0.to_string())
    }

    /// The same PIN for an SKF call (zeroized there too).
    pub(crate) fn skf(&self) -> certdesk_skf::Pin {
        certdesk_skf::Pin::new(self.0.as_str())
    }

    /// Compares without leaving a copy behind (used to warn about default PINs).
    pub fn equals(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}
