//! Accounts, the counter's identity and case transitions on the command line. Owns reading
//! passwords (a file's first line, a prompt on a terminal, or a line of stdin — never an
//! argument) and opening a session for `--as`; every change then goes through the desk
//! (`certdesk_desk::api`), which re-reads the account and applies the rules. There is no
//! change without a signed-in account, except the first administrator of an empty store.

use crate::commands::{load_catalog, open_store};
use crate::output::{CliError, print_json};
use crate::{ActAs, AdminAs, CounterCmd, Global, RoleArg, Transition, UserCmd};
use certdesk_desk::DeskError;
use certdesk_desk::api::Session;
use certdesk_domain::Action;
use certdesk_domain::workflow::Role;
use certdesk_store::{AuthError, Password, Store};
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

impl From<AuthError> for CliError {
    fn from(e: AuthError) -> CliError {
        match e {
            AuthError::Store(s) => CliError::Store(s),
            other => CliError::Refused(other.to_string()),
        }
    }
}

impl From<DeskError> for CliError {
    fn from(e: DeskError) -> CliError {
        match e {
            DeskError::Store(s) => CliError::Store(s),
            DeskError::Act(certdesk_store::ActError::Store(certdesk_store::StoreError::Transition(t))) => CliError::Refused(format!("refused: {t}")),
            DeskError::Act(certdesk_store::ActError::Store(s)) => CliError::Store(s),
            DeskError::Act(certdesk_store::ActError::Rule(r)) => CliError::Refused(format!("refused: {r}")),
            DeskError::InvalidCase(problems) => {
                let list = problems.iter().map(|p| format!("{}: {}", p.path, p.message)).collect::<Vec<_>>().join("\n  ");
                CliError::Refused(format!("refused, nothing stored ({} problem(s)):\n  {list}", problems.len()))
            }
            other => CliError::Refused(other.to_string()),
        }
    }
}

/// A secret from the first line of `file`, else a prompt (terminal) or one line of stdin.
pub fn read_secret(file: Option<&Path>, prompt: &str, confirm: bool) -> Result<Password, CliError> {
    if let Some(path) = file {
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|source| CliError::Io { what: "cannot read", path: path.display().to_string(), source })?);
        let first = text.lines().next().unwrap_or("").to_string();
        return Ok(Password::new(first));
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).map_err(|source| CliError::Io { what: "cannot read", path: "the terminal".into(), source })?;
        if confirm {
            let again =
                zeroize::Zeroizing::new(rpassword::prompt_password("again: ").map_err(|source| CliError::Io { what: "cannot read", path: "the terminal".into(), source })?);
            if *again != first {
                return Err(CliError::Refused("the two passwords differ".into()));
            }
        }
        return Ok(Password::new(first));
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(|source| CliError::Io { what: "cannot read", path: "stdin".into(), source })?;
    Ok(Password::new(line.trim_end_matches(['\n', '\r']).to_string()))
}

/// Opens a session for `--as` with its password; without `--as`, an error naming what is
/// missing.
pub fn session(store: &mut Store, by: &ActAs) -> Result<Session, CliError> {
    let name = by
        .actor
        .as_deref()
        .ok_or_else(|| CliError::Usage("this command changes the store: give --as USER (and the password in --password-file, on stdin or at the prompt)".into()))?;
    let password = read_secret(by.password_file.as_deref(), &format!("password for {name}: "), false)?;
    Ok(Session::sign_in(store, name, &password)?)
}

/// The administrator's session for account and counter commands (`--as ADMIN
/// --as-password-file F`).
fn admin_session(store: &mut Store, by: &AdminAs) -> Result<Session, CliError> {
    let name =
        by.actor.as_deref().ok_or_else(|| CliError::Usage("this command needs an administrator: give --as ADMIN and --as-password-file F (or the password on stdin)".into()))?;
    let password = read_secret(by.as_password_file.as_deref(), &format!("password for {name}: "), false)?;
    Ok(Session::sign_in(store, name, &password)?)
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::Clerk => Role::Clerk,
        RoleArg::Supervisor => Role::Supervisor,
        RoleArg::KeyClerk => Role::KeyClerk,
    }
}

pub fn user_cmd(g: &Global, cmd: UserCmd) -> Result<ExitCode, CliError> {
    let mut store = open_store(g)?;
    let account = match cmd {
        UserCmd::Add { name, roles, password_file, by } => {
            let roles: Vec<Role> = roles.into_iter().map(role).collect();
            if store.account_count()? == 0 && by.actor.is_none() {
                // the first administrator of an empty store: the one change without a session
                let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
                certdesk_desk::api::add_first_admin(&mut store, &name, &roles, &password)?
            } else {
                let mut session = admin_session(&mut store, &by)?;
                let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
                session.desk(&mut store)?.add_account(&name, &roles, &password)?
            }
        }
        UserCmd::List => {
            let accounts = store.accounts()?;
            if g.json {
                print_json(&accounts);
            } else {
                for a in accounts {
                    let state = if a.disabled {
                        "disabled"
                    } else if a.locked {
                        "LOCKED"
                    } else {
                        "active"
                    };
                    println!("{:<16} {:<10} {:<8} {}", a.name, a.display_name, state, a.roles.iter().map(|r| format!("{}({})", r.wire(), r.zh())).collect::<Vec<_>>().join(" "));
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::Passwd { name, password_file, by } => {
            let own = by.actor.as_deref() == Some(name.as_str());
            let who = by.actor.as_deref().unwrap_or("");
            let current = read_secret(by.as_password_file.as_deref(), &format!("password for {who}: "), false)?;
            let mut session = match &by.actor {
                Some(n) => Session::sign_in(&mut store, n, &current)?,
                None => return Err(CliError::Usage("user passwd needs --as: the account itself (with its current password) or an administrator".into())),
            };
            let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
            let mut desk = session.desk(&mut store)?;
            if own { desk.change_own_password(&current, &password)? } else { desk.reset_password(&name, &password)? }
        }
        UserCmd::Disable { name, by } => admin_session(&mut store, &by)?.desk(&mut store)?.disable_account(&name)?,
        UserCmd::Unlock { name, by } => admin_session(&mut store, &by)?.desk(&mut store)?.unlock_account(&name)?,
        UserCmd::Name { name, display_name, by } => session(&mut store, &by)?.desk(&mut store)?.set_display_name(&name, &display_name)?,
    };
    if g.json {
        print_json(&account);
    } else {
        println!("{} ({})", account.name, account.roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn counter_cmd(g: &Global, cmd: CounterCmd) -> Result<ExitCode, CliError> {
    let mut store = open_store(g)?;
    if let CounterCmd::Set { code, name, address, by } = cmd {
        let mut session = admin_session(&mut store, &by)?;
        let mut desk = session.desk(&mut store)?;
        for (key, value) in [("counter_code", code), ("counter_name", name), ("counter_address", address)] {
            if let Some(value) = value {
                desk.set_setting(key, &value)?;
            }
        }
    }
    let shown = serde_json::json!({
        "code": store.setting("counter_code")?.unwrap_or_else(|| crate::commands::DEFAULT_COUNTER.into()),
        "name": store.setting("counter_name")?.unwrap_or_default(),
        "address": store.setting("counter_address")?.unwrap_or_default(),
    });
    if g.json {
        print_json(&shown);
    } else {
        println!("code:    {}\nname:    {}\naddress: {}", shown["code"].as_str().unwrap_or(""), shown["name"].as_str().unwrap_or(""), shown["address"].as_str().unwrap_or(""));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn transition(g: &Global, action: Action, t: Transition) -> Result<ExitCode, CliError> {
    let number = certdesk_desk::api::case_number(&t.number).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut store = open_store(g)?;
    store.case(&number)?;
    let catalog = load_catalog(g)?;
    let mut session = session(&mut store, &t.by)?;
    let rec = session.desk(&mut store)?.act_accepting(&catalog, number.as_str(), action, t.reason.as_deref(), t.accept_to_follow)?;
    if g.json {
        print_json(&serde_json::json!({ "number": rec.number, "status": rec.status.wire(), "digest": rec.digest, "actor": session.name() }));
    } else {
        println!("{} {} ({})", rec.number, rec.status.zh(), rec.status);
    }
    Ok(ExitCode::SUCCESS)
}

/// `case complete NUMBER STEP`: the case's next step when it is not a key-desk operation.
pub fn complete(g: &Global, number: &str, step: &str, with: &certdesk_desk::steps::Completion, by: &ActAs) -> Result<ExitCode, CliError> {
    let number = certdesk_desk::api::case_number(number).map_err(|e| CliError::Usage(e.to_string()))?;
    let catalog = load_catalog(g)?;
    let mut store = open_store(g)?;
    store.case(&number)?;
    let mut session = session(&mut store, by)?;
    let steps = session.desk(&mut store)?.complete_step(&catalog, number.as_str(), step, with)?;
    crate::commands::print_steps(g, &steps);
    Ok(ExitCode::SUCCESS)
}

pub fn reissue(g: &Global, t: Transition) -> Result<ExitCode, CliError> {
    let reason = t.reason.clone().ok_or_else(|| CliError::Usage("case reissue needs --reason".into()))?;
    let mut store = open_store(g)?;
    let mut session = session(&mut store, &t.by)?;
    session.desk(&mut store)?.reissue(&t.number, &reason)?;
    if g.json {
        print_json(&serde_json::json!({ "number": t.number.trim().to_ascii_uppercase(), "second_key_allowed": true }));
    } else {
        println!("{}: a second key may be made", t.number.trim());
    }
    Ok(ExitCode::SUCCESS)
}

fn read_case_text(file: &Path) -> Result<String, CliError> {
    let meta = std::fs::metadata(file).map_err(|source| CliError::Io { what: "cannot read", path: file.display().to_string(), source })?;
    if meta.len() > certdesk_desk::api::MAX_CASE_JSON as u64 {
        return Err(CliError::Refused(format!("{}: {} bytes; a case is at most {} bytes", file.display(), meta.len(), certdesk_desk::api::MAX_CASE_JSON)));
    }
    std::fs::read_to_string(file).map_err(|source| CliError::Io { what: "cannot read", path: file.display().to_string(), source })
}

fn print_saved(g: &Global, saved: &certdesk_desk::api::Saved, json_out: bool) {
    for w in &saved.warnings {
        eprintln!("warning: {}: {}", w.path, w.message);
    }
    if g.json && json_out {
        let warnings: Vec<String> = saved.warnings.iter().map(|w| format!("{}: {}", w.path, w.message)).collect();
        print_json(&serde_json::json!({ "number": saved.number, "status": saved.status, "digest": saved.digest, "warnings": warnings }));
    } else {
        println!("{}", saved.number);
    }
}

pub fn import(g: &Global, file: &Path, by: &ActAs) -> Result<ExitCode, CliError> {
    let catalog = load_catalog(g)?;
    let text = read_case_text(file)?;
    let mut store = open_store(g)?;
    let mut session = session(&mut store, by)?;
    let saved = session.desk(&mut store)?.import_case(&catalog, &text).map_err(|e| in_file(file, e))?;
    print_saved(g, &saved, true);
    Ok(ExitCode::SUCCESS)
}

fn in_file(file: &Path, e: DeskError) -> CliError {
    match CliError::from(e) {
        CliError::Refused(m) => CliError::Refused(format!("{}: {m}", file.display())),
        other => other,
    }
}

pub fn edit(g: &Global, number: &str, file: &Path, by: &ActAs) -> Result<ExitCode, CliError> {
    let catalog = load_catalog(g)?;
    let text = read_case_text(file)?;
    let mut store = open_store(g)?;
    store.case(&certdesk_desk::api::case_number(number)?)?;
    let mut session = session(&mut store, by)?;
    let saved = session.desk(&mut store)?.edit_case(&catalog, number, &text).map_err(|e| in_file(file, e))?;
    print_saved(g, &saved, true);
    Ok(ExitCode::SUCCESS)
}

/// `case seal NUMBER SCAN`: the seal collection sheet onto a case, exactly as the app does.
pub fn seal(g: &Global, number: &str, scan: &Path, dpi: Option<f32>, by: &ActAs) -> Result<ExitCode, CliError> {
    let meta = std::fs::metadata(scan).map_err(|source| CliError::Io { what: "cannot read", path: scan.display().to_string(), source })?;
    if meta.len() > certdesk_store::MAX_ATTACHMENT_BYTES as u64 {
        return Err(CliError::Refused(format!("{}: {} bytes is too large for a scan", scan.display(), meta.len())));
    }
    let bytes = std::fs::read(scan).map_err(|source| CliError::Io { what: "cannot read", path: scan.display().to_string(), source })?;
    let mut store = open_store(g)?;
    let mut session = session(&mut store, by)?;
    let name = scan.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "scan".into());
    let verdict = certdesk_desk::seal::import_for_case(&mut session.desk(&mut store)?, number, &name, &bytes, dpi)?;
    if g.json {
        let mut v = serde_json::to_value(&verdict).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            // the screen copies are for the app; a script reads the verdict
            m.remove("scan_url");
            for s in m.get_mut("samples").and_then(|s| s.as_array_mut()).into_iter().flatten() {
                if let Some(o) = s.as_object_mut() {
                    o.remove("image_url");
                }
            }
        }
        print_json(&v);
    } else {
        for r in &verdict.rows {
            let pick = r.best_col.map(|c| format!("column {c} chosen")).unwrap_or_else(|| "none chosen".into());
            println!("row {} ({}): {pick}{}", r.row, r.kind, if r.needs_restamp { " — 没有合格的样本，请申请人重新盖章/签名" } else { "" });
        }
        println!("stored with {}: {}", number.trim().to_ascii_uppercase(), verdict.stored.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
