//! `certdesk store …`: the store's verified backup and restore, a store file moved into a hall,
//! and the desks' role given its rights on a hall — each as an administrator signed in, each
//! recorded on the chain by the desk.

use crate::StoreCmd;
use crate::context::Ctx;
use crate::output::{CliError, print_json};
use crate::secrets::read_secret;
use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::place::PlaceStatus;
use certdesk_desk::store::pg::ServerRole;
use std::process::ExitCode;

pub fn store_cmd(ctx: &Ctx, cmd: StoreCmd) -> Result<ExitCode, CliError> {
    match cmd {
        StoreCmd::Status => {
            let status = ctx.place_status()?;
            if ctx.g.json {
                print_json(&status);
            } else {
                print_status(&status);
            }
            if !status.can_write() {
                return Ok(ExitCode::from(3));
            }
        }
        StoreCmd::Encrypt { by } => {
            let account = certdesk_desk::api::account_for("store encrypt", by.actor.as_deref(), by.password_file.as_deref(), &ctx.env)?;
            let password = read_secret(account.password_file.as_deref(), &format!("password for {}: ", account.user), false)?;
            // the recovery key is said before the encrypted copy takes the plain file's place
            // (#78): a crash after it leaves the store plain or encrypted under that key
            let json = ctx.g.json;
            let mut show = |done: &certdesk_desk::place::EncryptedStore| {
                if json {
                    print_json(done);
                } else {
                    println!("{}: the encrypted copy is made and checked ({} tables, {} rows compared with the plain file).", done.path, done.tables, done.rows);
                    println!("Write the recovery key down and keep it safe: it opens the store and its backups when every password is lost. It is not shown again.");
                    println!("recovery key: {}", done.recovery_key);
                }
                flushed()?;
                confirm_on_terminal(&done.recovery_key)
            };
            let done = certdesk_desk::place::encrypt_store(ctx.g.db.as_deref(), &ctx.env, &account.user, &password, &mut show)?;
            if !ctx.g.json {
                println!("{} is encrypted; the plain file is removed.", done.path);
                if !done.without_slot.is_empty() {
                    println!("these accounts need a new password from an administrator before they can sign in: {}", done.without_slot.join(", "));
                }
            }
        }
        StoreCmd::Rekey { by } => {
            let account = certdesk_desk::api::account_for("store rekey", by.actor.as_deref(), by.password_file.as_deref(), &ctx.env)?;
            let password = read_secret(account.password_file.as_deref(), &format!("password for {}: ", account.user), false)?;
            // the new recovery key is said before the store takes it (#78): until then the old
            // key and recovery key stay valid
            let json = ctx.g.json;
            let mut show = |done: &certdesk_desk::place::RekeyedStore| {
                if json {
                    print_json(done);
                } else {
                    println!(
                        "Write the new recovery key down and keep it safe: it opens the store and its backups from now on when every password is lost. It is not shown again."
                    );
                    println!("recovery key: {}", done.recovery_key);
                }
                flushed()?;
                confirm_on_terminal(&done.recovery_key)
            };
            let done = certdesk_desk::place::rekey_store(ctx.g.db.as_deref(), &ctx.env, &account.user, &password, &mut show)?;
            if !ctx.g.json {
                println!("{} has a new key: the old recovery key opens only the backups made before.", done.path);
                if !done.without_slot.is_empty() {
                    println!("these accounts need a new password from an administrator before they can sign in: {}", done.without_slot.join(", "));
                }
            }
        }
        StoreCmd::OpenWithRecovery { recovery_file, new_password_file, actor } => {
            let recovery = read_recovery_file(&recovery_file)?;
            let password = read_secret(new_password_file.as_deref(), &format!("new password for {actor}: "), true)?;
            certdesk_desk::place::recover_store(ctx.g.db.as_deref(), &ctx.env, &recovery, &actor, &password)?;
            if ctx.g.json {
                print_json(&serde_json::json!({ "recovered": true, "user": actor }));
            } else {
                println!("the store is open again: {actor} has the new password; give the other accounts new passwords if the key file was lost");
            }
        }
        StoreCmd::Backup { out, by } => {
            let (mut store, mut session) = ctx.session("store backup", &by)?;
            let r = session.desk(&mut store)?.backup(&out, None)?;
            if ctx.g.json {
                print_json(&r);
            } else {
                println!("{}: {} bytes, {} case(s), {} audit event(s), checked", r.path.display(), r.bytes, r.cases, r.audit_events);
                if let Some(k) = &r.key_file {
                    println!("its key file: {} (keep the two files together: the backup is the pair)", k.display());
                }
            }
        }
        StoreCmd::Restore { file, by, recovery_file, backup_password_file } => {
            let (store, mut session) = ctx.session("store restore", &by)?;
            // what opens a backup under another key: read before anything changes
            let recovery = recovery_file.as_deref().map(read_recovery_file).transpose()?;
            let old_password = backup_password_file.as_deref().map(|f| read_secret(Some(f), "", false)).transpose()?;
            let key = match (&recovery, &old_password) {
                (Some(text), _) => Some(certdesk_desk::api::BackupKey::RecoveryKey(text)),
                (None, Some(password)) => Some(certdesk_desk::api::BackupKey::Password(password)),
                (None, None) => None,
            };
            let (_, result) = certdesk_desk::api::restore_with(store, &mut session, &file, key);
            let r = result?;
            if ctx.g.json {
                print_json(&serde_json::json!({
                    "restored": file, "cases": r.report.cases, "kept": r.kept, "sha256": r.sha256,
                    "key_file": r.key_file, "encrypted_on_the_way_in": r.encrypted_on_the_way_in,
                }));
            } else {
                println!("restored {} ({} case(s)); the previous store is kept as {}", file.display(), r.report.cases, r.kept.display());
                if let Some(k) = &r.key_file {
                    println!("the store now has the backup's key file ({}): its accounts and passwords are those of the backup's time", k.display());
                }
                if r.encrypted_on_the_way_in {
                    println!("the plain backup was encrypted on the way in");
                }
            }
        }
        StoreCmd::Migrate { from, to, by } => {
            let address = certdesk_desk::place::hall_address(&to)?;
            let account = certdesk_desk::api::account_for("store migrate", by.actor.as_deref(), by.password_file.as_deref(), &ctx.env)?;
            let password = read_secret(account.password_file.as_deref(), &format!("password for {}: ", account.user), false)?;
            let server_password = match certdesk_desk::place::hall_password(&address, certdesk_desk::place::ChosenBy::CommandLine, ctx.g.db_password_file.as_deref(), &ctx.env)? {
                Some(p) => p,
                None => read_secret(None, &format!("password for {}: ", address.shown()), false)?.into(),
            };
            let (_, m) = certdesk_desk::api::migrate_to_hall(&from, &account.user, &password, &address, server_password)?;
            if ctx.g.json {
                print_json(&m);
            } else {
                println!(
                    "{} moved into {}: {} case(s), {} account(s), {} file(s), {} audit event(s), verified there",
                    from.display(),
                    m.server,
                    m.cases,
                    m.accounts,
                    m.attachments,
                    m.events
                );
            }
        }
        StoreCmd::Purge { dry_run, by } => {
            let (mut store, mut session) = ctx.session("store purge", &by)?;
            let r = session.desk(&mut store)?.purge(certdesk_desk::dates::today(), dry_run)?;
            if ctx.g.json {
                print_json(&r);
            } else {
                print_purge(&r, dry_run);
            }
        }
        StoreCmd::GrantDesks { role, by } => {
            // only a hall: said before anything is opened or asked
            if !matches!(certdesk_desk::place::choose(ctx.g.db.as_deref(), &ctx.env)?.0, certdesk_desk::place::StoreTarget::Hall(_)) {
                return Err(CliError::Usage(certdesk_desk::DeskError::NotAHall { what: "store grant-desks" }.to_string()));
            }
            let (mut store, mut session): (CaseStore, Session) = ctx.session("store grant-desks", &by)?;
            let server = store.server().unwrap_or_default().to_string();
            let granted = session.desk(&mut store)?.grant_desks(&role)?;
            if ctx.g.json {
                print_json(&granted);
            } else {
                println!("{} may now work as a desk on {server} ({}):", granted.role, granted.database);
                for (table, privileges) in &granted.tables {
                    println!("  {table}: {privileges}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The paper's key: a file's first line, wiped from memory after use.
fn read_recovery_file(path: &std::path::Path) -> Result<zeroize::Zeroizing<String>, CliError> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read the recovery key file {}: {e}", path.display())))?);
    Ok(zeroize::Zeroizing::new(text.lines().next().unwrap_or_default().to_string()))
}

fn print_purge(r: &certdesk_desk::store::PurgeReport, dry_run: bool) {
    println!("today {}, retention {} years: {} case(s) past it, {} held", r.today, r.years, r.due.len(), r.held.len());
    for d in &r.due {
        println!("  {} {:?} from {} ended {}", d.number, d.basis, d.from, d.end);
    }
    for h in &r.held {
        println!("  {} held by {}: {}", h.number, h.held_by, h.reason);
    }
    for f in &r.refused {
        let seqs = f.events.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        println!("  {} NOT purged (events {seqs}): {}", f.number, f.reason);
    }
    if dry_run {
        println!("dry run: nothing changed");
    } else {
        println!("purged {} case(s), {} file(s) emptied, {} event(s)' personal parts removed", r.purged.len(), r.attachments_emptied, r.events_redacted);
    }
}

fn print_status(status: &PlaceStatus) {
    let h = match status {
        PlaceStatus::File { path, exists, can_write } => {
            let state = match (exists, can_write) {
                (true, true) => "this desk can write",
                (true, false) => "this desk CANNOT write it",
                (false, true) => "not made yet; made at the first command that writes",
                (false, false) => "not there, and its folder cannot take it",
            };
            println!("store file: {path} ({state})");
            return;
        }
        PlaceStatus::Hall(h) => h,
    };
    println!("hall: {}", h.address);
    match &h.writable {
        Some(server) => println!("writes go to: {server} ({})", if h.can_write { "this desk can write" } else { "this desk cannot write" }),
        None => println!("writes go to: no server takes writes now (服务器切换中: nothing can be saved until a standby is promoted)"),
    }
    if let Some(on) = &h.connected {
        println!("this desk is on: {on}");
    }
    if h.several_writable {
        println!("WARNING: more than one server takes writes (two primaries): stop the old one before anything else is written");
    }
    println!("servers:");
    for s in &h.servers {
        let role = match s.role {
            ServerRole::Primary => "primary (takes writes)".to_string(),
            ServerRole::Standby => "standby (reads only)".to_string(),
            ServerRole::Unreachable => format!("no answer: {}", s.error.as_deref().unwrap_or("unreachable")),
        };
        println!("  {}  {role}", s.server);
    }
    if h.writable.is_some() {
        if h.standbys.is_empty() {
            println!("standbys: none connected");
        }
        for s in &h.standbys {
            let ms = |v: Option<f64>| v.map(|v| format!("{v:.1} ms")).unwrap_or_else(|| "-".into());
            println!(
                "standby {}{}: {} {}, lag write {} flush {} replay {}, {} byte(s) behind",
                s.name,
                s.client_addr.as_deref().map(|a| format!(" ({a})")).unwrap_or_default(),
                s.state.as_deref().unwrap_or("?"),
                s.sync_state.as_deref().unwrap_or("?"),
                ms(s.write_lag_ms),
                ms(s.flush_lag_ms),
                ms(s.replay_lag_ms),
                s.replay_behind_bytes.map(|b| b.to_string()).unwrap_or_else(|| "?".into())
            );
        }
        if h.standby_details_hidden {
            println!("(the standbys' state and lag are hidden from this role: grant it pg_monitor)");
        }
        match h.synchronous_standby_names.as_deref().filter(|n| !n.is_empty()) {
            Some(names) => {
                println!("synchronous standby: {names}{}", if h.commits_wait_for_standby { " — MISSING: every commit waits for it, then is saved unconfirmed" } else { "" })
            }
            None => println!("synchronous standby: none (commits do not wait for a standby)"),
        }
    }
}

/// Standard output flushed: the recovery key has left this process before the step that makes
/// it the store's (a closed pipe stops the command, the store as it was).
fn flushed() -> Result<(), certdesk_desk::DeskError> {
    use std::io::Write;
    std::io::stdout().flush().map_err(|source| certdesk_desk::DeskError::Io { what: "cannot write", path: "standard output".into(), source })
}

/// On a terminal, the recovery key's last group typed back (three tries), as the app asks at
/// its first start; a script (no terminal) has had the key on its standard output.
fn confirm_on_terminal(recovery_key: &str) -> Result<(), certdesk_desk::DeskError> {
    use std::io::{BufRead, IsTerminal, Write};
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Ok(());
    }
    let last = recovery_key.rsplit('-').next().unwrap_or_default().to_ascii_uppercase();
    for _ in 0..3 {
        print!("type the last group of the recovery key ({} characters) to confirm you wrote it down: ", last.len());
        flushed()?;
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line).map_err(|source| certdesk_desk::DeskError::Io { what: "cannot read", path: "the terminal".into(), source })?;
        let typed: String = line.trim().to_ascii_uppercase().replace('O', "0").replace(['I', 'L'], "1");
        if typed == last {
            return Ok(());
        }
        let _ = writeln!(std::io::stderr(), "that is not the last group");
    }
    Err(certdesk_desk::DeskError::RecoveryKeyNotConfirmed)
}
