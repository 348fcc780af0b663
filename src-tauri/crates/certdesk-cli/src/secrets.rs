//! Reading secrets on the command line: passwords (a file's first line, a prompt on a terminal,
//! or a line of stdin) and PINs (files, else the next lines of stdin or a prompt) — never an
//! argument, never echoed. Both come back as zeroizing values for the desk.

use crate::output::CliError;
use certdesk_desk::DeskError;
use certdesk_desk::store::Password;
use certdesk_desk::token::Pin;
use std::io::{BufRead, IsTerminal};
use std::path::Path;

fn io<'a>(what: &'static str, path: &'a str) -> impl Fn(std::io::Error) -> CliError + 'a {
    move |source| CliError::Desk(DeskError::Io { what, path: path.to_string(), source })
}

/// A secret from the first line of `file`, else a prompt (terminal) or one line of stdin.
pub fn read_secret(file: Option<&Path>, prompt: &str, confirm: bool) -> Result<Password, CliError> {
    if let Some(path) = file {
        let shown = path.display().to_string();
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(io("cannot read", &shown))?);
        let first = text.lines().next().unwrap_or("").to_string();
        return Ok(Password::new(first));
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).map_err(io("cannot read", "the terminal"))?;
        if confirm {
            let again = zeroize::Zeroizing::new(rpassword::prompt_password("again: ").map_err(io("cannot read", "the terminal"))?);
            if *again != first {
                return Err(DeskError::PasswordsDiffer.into());
            }
        }
        return Ok(Password::new(first));
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(io("cannot read", "stdin"))?;
    Ok(Password::new(line.trim_end_matches(['\n', '\r']).to_string()))
}

/// PINs from files, else from the next lines of stdin (or a prompt on a terminal).
pub struct PinReader {
    stdin_lines: Option<std::io::Lines<std::io::StdinLock<'static>>>,
}

impl PinReader {
    pub fn new() -> PinReader {
        PinReader { stdin_lines: None }
    }

    pub fn read(&mut self, file: Option<&Path>, what: &'static str) -> Result<Pin, CliError> {
        let pin = match file {
            Some(path) => Pin::from_file(path).map_err(io("cannot read", &path.display().to_string()))?,
            None if std::io::stdin().is_terminal() => Pin::new(rpassword::prompt_password(format!("{what}: ")).map_err(io("cannot read", "the terminal"))?),
            None => {
                let lines = self.stdin_lines.get_or_insert_with(|| std::io::stdin().lock().lines());
                match lines.next() {
                    Some(Ok(line)) => Pin::new(line.trim_end_matches('\r').to_string()),
                    _ => return Err(CliError::Usage(format!("no {what}: give it in a file (see --help) or on stdin"))),
                }
            }
        };
        if pin.is_empty() {
            return Err(DeskError::EmptySecret { what }.into());
        }
        Ok(pin)
    }
}
