//! `certdesk counter …`: the counter's identity (code, name, address), read by any signed-in
//! account and set by an administrator, through the desk; the administrator also names the
//! counter's ID card reader there, a password's days (`--password-max-age-days`) and an app
//! window's idle minutes (`--idle-minutes`).

use crate::CounterCmd;
use crate::context::Ctx;
use crate::output::{CliError, show};
use std::process::ExitCode;

pub fn counter_cmd(ctx: &Ctx, cmd: CounterCmd) -> Result<ExitCode, CliError> {
    let (mut store, mut session) = match &cmd {
        CounterCmd::Show { by } => ctx.session("counter show", by)?,
        CounterCmd::Set { by, .. } => ctx.admin_session("counter set", by)?,
    };
    let mut desk = session.desk(&mut store)?;
    if let CounterCmd::Set {
        code,
        name,
        address,
        idcard_port,
        idcard_library,
        idcard_usb_port,
        default_project,
        password_max_age_days,
        idle_minutes,
        retention_years,
        key_sign_in_roles,
        closures,
        ..
    } = cmd
    {
        let settings = [
            ("counter_code", code),
            ("counter_name", name),
            ("counter_address", address),
            ("idcard_port", idcard_port),
            ("idcard_library", idcard_library),
            ("idcard_usb_port", idcard_usb_port),
            ("default_project", default_project),
            ("password_max_age_days", password_max_age_days),
            ("idle_minutes", idle_minutes),
            ("retention_years", retention_years),
            ("key_sign_in_roles", key_sign_in_roles),
            ("closures", closures),
        ];
        // the catalog the intake offers (the counter's own forms folder, else the built-in
        // one): a default project must be one of its projects
        let catalog = ctx.catalog()?;
        for (key, value) in settings {
            if let Some(value) = value {
                desk.set_setting(&catalog, key, &value)?;
            }
        }
    }
    let c = desk.counter()?;
    show(ctx.g.json, &c, || format!("code:    {}\nname:    {}\naddress: {}", c.code, c.name, c.address));
    Ok(ExitCode::SUCCESS)
}
