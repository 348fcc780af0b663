//! Accounts, the counter's identity and case transitions on the command line. Owns reading
//! passwords (a file's first line, a prompt on a terminal, or a line of stdin — never an
//! argument) and signing an account in; the rules themselves are in the store and the domain.
//!
//! Administration without `--as` is done as the operating-system account at this machine
//! (recorded as `os:<name>`): whoever can run the CLI can already read and write the database
//! file, so the file's permissions are the boundary here. The desktop app always signs in.

use crate::commands::{db_path, load_catalog, read_case_file};
use crate::output::{CliError, print_json};
use crate::{ActAs, AdminAs, CounterCmd, Global, RoleArg, Transition, UserCmd};
use certdesk_domain::workflow::{Actor, Role};
use certdesk_domain::{Action, CaseNumber};
use certdesk_store::{ActError, AuthError, Password, Store};
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

impl From<ActError> for CliError {
    fn from(e: ActError) -> CliError {
        match e {
            ActError::Rule(r) => CliError::Refused(format!("refused: {r}")),
            ActError::Store(certdesk_store::StoreError::Transition(t)) => CliError::Refused(format!("refused: {t}")),
            ActError::Store(s) => CliError::Store(s),
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

/// Signs `by` in; without `--as`, an error naming what is missing.
pub fn sign_in(store: &mut Store, by: &ActAs) -> Result<Actor, CliError> {
    let name = by.actor.as_deref().ok_or_else(|| CliError::Usage("this command needs --as USER (and the password from --password-file or stdin)".into()))?;
    let password = read_secret(by.password_file.as_deref(), &format!("password for {name}: "), false)?;
    Ok(store.authenticate(name, &password)?)
}

fn os_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into())
}

/// The administrator acting: a signed-in admin with `--as`, else the OS account.
fn admin(store: &mut Store, by: &AdminAs) -> Result<Actor, CliError> {
    match &by.actor {
        Some(name) => {
            let password = read_secret(by.as_password_file.as_deref(), &format!("password for {name}: "), false)?;
            Ok(store.authenticate(name, &password)?)
        }
        None => Ok(Actor { name: format!("os:{}", os_user()), roles: vec![Role::Admin] }),
    }
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
    let mut store = Store::open(&db_path(g))?;
    let account = match cmd {
        UserCmd::Add { name, roles, password_file, by } => {
            let roles: Vec<Role> = roles.into_iter().map(role).collect();
            let first = store.account_count()? == 0;
            let actor = if first { None } else { Some(admin(&mut store, &by)?) };
            let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
            store.add_account(&name, &roles, &password, actor.as_ref())?
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
                    println!("{:<16} {:<8} {}", a.name, state, a.roles.iter().map(|r| format!("{}({})", r.wire(), r.zh())).collect::<Vec<_>>().join(" "));
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::Passwd { name, password_file, by } => {
            let actor = admin(&mut store, &by)?;
            let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
            store.set_password(&actor, &name, &password)?
        }
        UserCmd::Disable { name, by } => {
            let actor = admin(&mut store, &by)?;
            store.disable_account(&actor, &name)?
        }
        UserCmd::Unlock { name, by } => {
            let actor = admin(&mut store, &by)?;
            store.unlock_account(&actor, &name)?
        }
    };
    if g.json {
        print_json(&account);
    } else {
        println!("{} ({})", account.name, account.roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn counter_cmd(g: &Global, cmd: CounterCmd) -> Result<ExitCode, CliError> {
    let mut store = Store::open(&db_path(g))?;
    if let CounterCmd::Set { code, name, address, by } = cmd {
        let actor = admin(&mut store, &by)?;
        if !actor.has(Role::Admin) {
            return Err(CliError::Refused(format!("only an administrator sets the counter; {} is not one", actor.name)));
        }
        if let Some(code) = &code {
            let code = code.trim().to_ascii_uppercase();
            certdesk_domain::number::check_counter_code(&code).map_err(|e| CliError::Refused(format!("counter code {code:?}: {e}")))?;
            store.set_setting("counter_code", &code, &actor.name)?;
        }
        if let Some(name) = &name {
            store.set_setting("counter_name", name.trim(), &actor.name)?;
        }
        if let Some(address) = &address {
            store.set_setting("counter_address", address.trim(), &actor.name)?;
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
    let number = CaseNumber::parse(&t.number).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut store = Store::open(&db_path(g))?;
    store.case(number.as_str())?;
    let actor = sign_in(&mut store, &t.by)?;
    let rec = store.act(number.as_str(), action, &actor, t.reason.as_deref())?;
    if g.json {
        print_json(&serde_json::json!({ "number": rec.number, "status": rec.status.wire(), "digest": rec.digest, "actor": actor.name }));
    } else {
        println!("{} {} ({})", rec.number, rec.status.zh(), rec.status);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn edit(g: &Global, number: &str, file: &Path, by: &ActAs) -> Result<ExitCode, CliError> {
    let catalog = load_catalog(g)?;
    let (data, warnings) = read_case_file(&catalog, file)?;
    let mut store = Store::open(&db_path(g))?;
    store.case(number)?;
    let actor = sign_in(&mut store, by)?;
    let rec = store.edit(number, &data, &actor)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if g.json {
        print_json(&serde_json::json!({ "number": rec.number, "status": rec.status.wire(), "digest": rec.digest, "warnings": warnings }));
    } else {
        println!("{} {} ({})", rec.number, rec.status.zh(), rec.status);
    }
    Ok(ExitCode::SUCCESS)
}

/// The importer's name: a signed-in clerk with `--as`, else `cli:<os user>`.
pub fn importer(store: &mut Store, by: &ActAs) -> Result<String, CliError> {
    match &by.actor {
        Some(_) => {
            let actor = sign_in(store, by)?;
            if !actor.has(Role::Clerk) {
                return Err(CliError::Refused(format!(
                    "refused: creating a case needs the role clerk; {} has {}",
                    actor.name,
                    actor.roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", ")
                )));
            }
            Ok(actor.name)
        }
        None => Ok(format!("cli:{}", os_user())),
    }
}
