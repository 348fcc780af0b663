//! `certdesk user …`: accounts and roles through the desk. The first administrator of an empty
//! store is the one change without a signed-in account; every other one is made, and the list
//! read, by an administrator (`user passwd` and `user name` also by the account itself).

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use crate::secrets::read_secret;
use crate::{RoleArg, UserCmd};
use certdesk_desk::api::Session;
use certdesk_desk::domain::workflow::Role;
use std::process::ExitCode;

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::Clerk => Role::Clerk,
        RoleArg::Supervisor => Role::Supervisor,
        RoleArg::KeyClerk => Role::KeyClerk,
    }
}

pub fn user_cmd(ctx: &Ctx, cmd: UserCmd) -> Result<ExitCode, CliError> {
    let account = match cmd {
        UserCmd::Add { name, roles, password_file, display_name, by } => {
            let roles: Vec<Role> = roles.into_iter().map(role).collect();
            // the first administrator of an empty store: the one change without a session. A
            // store file is made encrypted then (#30), and its recovery key shown once; a hall
            // keeps its data on its server
            let (mut first_file, mut first_hall) = (None, None);
            if by.actor.is_none() {
                match certdesk_desk::place::choose(ctx.g.db.as_deref(), &ctx.env)?.0 {
                    certdesk_desk::place::StoreTarget::File(path) => {
                        if certdesk_desk::place::awaits_first_account(&path)? {
                            first_file = Some(path);
                        }
                    }
                    certdesk_desk::place::StoreTarget::Hall(_) => first_hall = Some(ctx.open()?).filter(|s| certdesk_desk::api::is_empty(s).unwrap_or(false)),
                }
            }
            if let Some(path) = first_file {
                let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
                let made = certdesk_desk::place::create_first_admin_file(&path, &name, &roles, &password)?;
                let mut store = made.store;
                let account = match display_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(shown) => Session::sign_in(&mut store, &name, &password)?.desk(&mut store)?.set_display_name(&name, shown)?,
                    None => made.account,
                };
                print_first_admin(ctx, &account, &path, &made.recovery_key);
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(mut store) = first_hall {
                let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
                let added = certdesk_desk::api::add_first_admin(&mut store, &name, &roles, &password)?;
                match display_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    // the 姓名 set as that administrator, now that there is one to sign in
                    Some(shown) => Session::sign_in(&mut store, &name, &password)?.desk(&mut store)?.set_display_name(&name, shown)?,
                    None => added,
                }
            } else {
                let (mut store, mut session) = ctx.admin_session("user add", &by.admin())?;
                let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
                let mut desk = session.desk(&mut store)?;
                let added = desk.add_account(&name, &roles, &password)?;
                match display_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(shown) => desk.set_display_name(&name, shown)?,
                    None => added,
                }
            }
        }
        UserCmd::List { by } => {
            let (mut store, mut session) = ctx.session("user list", &by)?;
            let accounts = session.desk(&mut store)?.accounts()?;
            if ctx.g.json {
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
            let chosen = certdesk_desk::api::account_for("user passwd", by.actor.as_deref(), by.as_password_file.as_deref(), &ctx.env)?;
            let current = read_secret(chosen.password_file.as_deref(), &format!("password for {}: ", chosen.user), false)?;
            let opened =
                certdesk_desk::place::open_as(ctx.g.db.as_deref(), ctx.g.db_password_file.as_deref(), &ctx.env, crate::context::ask_hall_password, Some((&chosen.user, &current)))?;
            let mut store = opened.store;
            let held = ctx.hold_key(&store, &by.key)?;
            let mut session = Session::sign_in_with_key(&mut store, &chosen.user, &current, held.as_ref().map(|h| h.staff_key()).as_ref())?;
            let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
            let mut desk = session.desk(&mut store)?;
            if chosen.user == name { desk.change_own_password(&current, &password)? } else { desk.reset_password(&name, &password)? }
        }
        UserCmd::Disable { name, by } => {
            let (mut store, mut session) = ctx.admin_session("user disable", &by)?;
            session.desk(&mut store)?.disable_account(&name)?
        }
        UserCmd::Unlock { name, by } => {
            let (mut store, mut session) = ctx.admin_session("user unlock", &by)?;
            session.desk(&mut store)?.unlock_account(&name)?
        }
        UserCmd::EnrolKey { name, cert, chain, as_password_file, mut by } => {
            if by.password_file.is_none() {
                by.password_file = as_password_file;
            }
            let cert = certdesk_desk::limits::read_file(&cert, "the operator certificate", 64 * 1024)?;
            let chain = certdesk_desk::limits::read_file(&chain, "the operator CA certificates", 1024 * 1024)?;
            let (mut store, mut session) = ctx.session("user enrol-key", &by)?;
            let operator_ca = certdesk_desk::operator_ca::OperatorCa::find(&ctx.env)?;
            let enrolment = session.desk(&mut store)?.enrol_key(&name, &cert, &chain, &operator_ca)?;
            print_enrolments(ctx, &[enrolment]);
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::RevokeKey { name, reason, by } => {
            let (mut store, mut session) = ctx.admin_session("user revoke-key", &by)?;
            let enrolment = session.desk(&mut store)?.revoke_key(&name, &reason)?;
            print_enrolments(ctx, &[enrolment]);
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::Keys { name, by } => {
            let (mut store, mut session) = ctx.session("user keys", &by)?;
            let enrolments = session.desk(&mut store)?.enrolments(name.as_deref())?;
            print_enrolments(ctx, &enrolments);
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::Name { name, display_name, by } => {
            let (mut store, mut session) = ctx.session("user name", &by)?;
            session.desk(&mut store)?.set_display_name(&name, &display_name)?
        }
    };
    if ctx.g.json {
        print_json(&account);
    } else {
        println!("{} ({})", account.name, account.roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// The first administrator of a new store file and the store's recovery key, shown this once
/// (never logged, never stored: the administrator writes it down).
fn print_first_admin(ctx: &Ctx, account: &certdesk_desk::store::Account, path: &std::path::Path, recovery_key: &str) {
    if ctx.g.json {
        let mut value = serde_json::to_value(account).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.insert("store".into(), serde_json::Value::String(path.display().to_string()));
            object.insert("encrypted".into(), serde_json::Value::Bool(true));
            object.insert("recovery_key".into(), serde_json::Value::String(recovery_key.to_string()));
        }
        print_json(&value);
    } else {
        println!("{} ({})", account.name, account.roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", "));
        println!("The store {} is new and encrypted: every command on it signs in (--as USER --password-file F, or CERTDESK_USER and CERTDESK_PASSWORD_FILE).", path.display());
        println!("Write the recovery key down and keep it safe: it opens the store and its backups when every password is lost. It is not shown again.");
        println!("案件库已加密。请抄写恢复密钥并妥善保管：所有密码丢失时，用它打开案件库及其备份。它不会再次显示。");
        println!("recovery key: {recovery_key}");
    }
}

/// Enrolments: with `--json` as a list (one for enrol-key and revoke-key: that enrolment).
fn print_enrolments(ctx: &Ctx, enrolments: &[certdesk_desk::store::Enrolment]) {
    if ctx.g.json {
        match enrolments {
            [one] => print_json(one),
            many => print_json(&many),
        }
        return;
    }
    for e in enrolments {
        let state = match (&e.ended_at, &e.end_reason) {
            (Some(at), Some(why)) => format!("ended {at} ({why})"),
            _ => "in force".into(),
        };
        println!("{} {} {} valid {} to {}, fingerprint {}: {state}", e.account, e.algorithm, e.subject, e.not_before, e.not_after, e.fingerprint);
    }
}
