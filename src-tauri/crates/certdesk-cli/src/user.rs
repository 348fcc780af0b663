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
    let mut store = ctx.open()?;
    let account = match cmd {
        UserCmd::Add { name, roles, password_file, display_name, by } => {
            let roles: Vec<Role> = roles.into_iter().map(role).collect();
            if certdesk_desk::api::is_empty(&store)? && by.actor.is_none() {
                // the first administrator of an empty store: the one change without a session
                let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
                let added = certdesk_desk::api::add_first_admin(&mut store, &name, &roles, &password)?;
                match display_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    // the 姓名 set as that administrator, now that there is one to sign in
                    Some(shown) => Session::sign_in(&mut store, &name, &password)?.desk(&mut store)?.set_display_name(&name, shown)?,
                    None => added,
                }
            } else {
                let mut session = ctx.admin_session(&mut store, "user add", &by)?;
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
            let mut session = ctx.sign_in(&mut store, "user list", by.actor.as_deref(), by.password_file.as_deref())?;
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
            let mut session = Session::sign_in(&mut store, &chosen.user, &current)?;
            let password = read_secret(password_file.as_deref(), &format!("new password for {name}: "), true)?;
            let mut desk = session.desk(&mut store)?;
            if chosen.user == name { desk.change_own_password(&current, &password)? } else { desk.reset_password(&name, &password)? }
        }
        UserCmd::Disable { name, by } => ctx.admin_session(&mut store, "user disable", &by)?.desk(&mut store)?.disable_account(&name)?,
        UserCmd::Unlock { name, by } => ctx.admin_session(&mut store, "user unlock", &by)?.desk(&mut store)?.unlock_account(&name)?,
        UserCmd::Name { name, display_name, by } => {
            ctx.sign_in(&mut store, "user name", by.actor.as_deref(), by.password_file.as_deref())?.desk(&mut store)?.set_display_name(&name, &display_name)?
        }
    };
    if ctx.g.json {
        print_json(&account);
    } else {
        println!("{} ({})", account.name, account.roles.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
