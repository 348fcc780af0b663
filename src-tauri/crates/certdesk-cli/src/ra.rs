//! `certdesk ra …`: a project's registration authority for online enrolment (#72), shown to
//! any signed-in account (the challenge only as set or not), set and cleared by an
//! administrator (the challenge read from a file, a prompt or stdin, never argv), tried
//! (GetCACert and the pinned CA certificate) by anyone.

use crate::RaCmd;
use crate::context::Ctx;
use crate::output::{CliError, show};
use certdesk_desk::DeskError;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use zeroize::Zeroizing;

fn read_challenge(file: Option<&Path>) -> Result<Zeroizing<String>, CliError> {
    let io = |what: &'static str, path: String| move |source| CliError::Desk(DeskError::Io { what, path: path.clone(), source });
    if let Some(path) = file {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io("cannot read", path.display().to_string()))?);
        return Ok(Zeroizing::new(text.lines().next().unwrap_or("").to_string()));
    }
    if std::io::stdin().is_terminal() {
        return Ok(Zeroizing::new(rpassword::prompt_password("the RA's challenge password: ").map_err(io("cannot read", "the terminal".into()))?));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(io("cannot read", "stdin".into()))?;
    Ok(Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_string()))
}

fn human(v: &certdesk_desk::online::RaView) -> String {
    format!("{}: {} · CA {} (SHA-256 {}, until {}) · challenge {}", v.project, v.url, v.ca_subject, v.ca_sha256, v.ca_not_after, if v.challenge_set { "set" } else { "not set" })
}

pub fn ra_cmd(ctx: &Ctx, cmd: RaCmd) -> Result<ExitCode, CliError> {
    let catalog = ctx.catalog()?;
    let (mut store, mut session) = match &cmd {
        RaCmd::Show { by, .. } => ctx.session("ra show", by)?,
        RaCmd::Try { by, .. } => ctx.session("ra try", by)?,
        RaCmd::Set { by, .. } => ctx.admin_session("ra set", by)?,
        RaCmd::Clear { by, .. } => ctx.admin_session("ra clear", by)?,
    };
    let mut desk = session.desk(&mut store)?;
    let json = ctx.g.json;
    let show = |value: serde_json::Value, text: String| show(json, &value, || text);
    match cmd {
        RaCmd::Show { project, .. } => match desk.ra(&catalog, &project)? {
            Some(v) => show(serde_json::to_value(&v).unwrap_or_default(), human(&v)),
            None => show(serde_json::json!({ "project": project, "set": false }), format!("{project}: offline only (no RA set)")),
        },
        RaCmd::Set { project, url, ca_cert, challenge_file, .. } => {
            let ca = std::fs::read(&ca_cert).map_err(|source| CliError::Desk(DeskError::Io { what: "cannot read", path: ca_cert.display().to_string(), source }))?;
            let challenge = read_challenge(challenge_file.as_deref())?;
            let v = desk.set_ra(&catalog, &project, &url, &ca, &challenge)?;
            show(serde_json::to_value(&v).unwrap_or_default(), human(&v));
        }
        RaCmd::Try { project, .. } => {
            let v = desk.try_ra(&catalog, &project)?;
            show(serde_json::to_value(&v).unwrap_or_default(), format!("{}: the RA answers and presents the pinned CA certificate", human(&v)));
        }
        RaCmd::Clear { project, .. } => {
            desk.clear_ra(&catalog, &project)?;
            show(serde_json::json!({ "project": project, "set": false }), format!("{project}: offline only"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
