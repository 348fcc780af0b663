//! `store encrypt` and `store rekey` killed at every rename and every sync (#78): the real
//! binary run under `strace`, which kills it (SIGKILL) at the n-th `rename`, `fsync` or
//! `fdatasync` (SQLite's commits and the files' syncs), for every n until the command runs to
//! its end. After each kill the next command must find the store whole — plain with every case
//! (the encrypt undone), or under a key whose recovery key the killed command had printed —
//! and nothing left beside it: no empty store, no plain copy, no journal, and a recovery key
//! printed is never lost. The recovery reset's password history is here too.

mod common;

use certdesk_testkit::{Counter, fixture, stderr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Whether `strace` can inject faults here (it needs ptrace). A developer's container without
/// ptrace skips the kill tests, saying so; in CI (`CI` set: `scripts/deps.sh test` installs
/// strace) they must run, so a missing strace fails them instead of skipping.
fn strace_works() -> bool {
    let works = Command::new("strace").args(["-qq", "-o", "/dev/null", "-e", "inject=rename:error=EPERM:when=1", "true"]).output().is_ok_and(|o| o.status.success());
    assert!(works || std::env::var_os("CI").is_none(), "strace cannot inject faults here, and CI must run the kill tests: install strace (scripts/deps.sh test)");
    works
}

/// `cmd` run under strace, killed at the `nth` call of `syscall`.
fn killed_at(cmd: Command, syscall: &str, nth: usize) -> Output {
    let mut wrapped = Command::new("strace");
    wrapped.args(["-f", "-qq", "-o", "/dev/null", "-e", &format!("trace={syscall}"), "-e", &format!("inject={syscall}:signal=KILL:when={nth}")]);
    wrapped.arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    wrapped.stdin(std::process::Stdio::null());
    wrapped.output().expect("strace runs")
}

fn was_killed(out: &Output) -> bool {
    // strace passes the tracee's death by a signal on as its own (128 + 9)
    out.status.code() == Some(137) || std::os::unix::process::ExitStatusExt::signal(&out.status).is_some()
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

/// Every file of the counter's folder that belongs to the store (its name starts with it).
fn store_files(db: &Path) -> Vec<String> {
    let name = db.file_name().unwrap().to_string_lossy().to_string();
    let mut files: Vec<String> =
        std::fs::read_dir(db.parent().unwrap()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().to_string()).filter(|n| n.starts_with(&name)).collect();
    files.sort();
    files
}

/// Puts the store's files back as they were in `template` (a copy of the folder's store files).
fn put_back(db: &Path, template: &Path) {
    for f in store_files(db) {
        std::fs::remove_file(db.parent().unwrap().join(f)).unwrap();
    }
    for e in std::fs::read_dir(template).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), db.parent().unwrap().join(e.file_name())).unwrap();
    }
}

fn keep(db: &Path, template: &Path) {
    std::fs::create_dir_all(template).unwrap();
    for f in store_files(db) {
        if !f.ends_with(".lock") {
            std::fs::copy(db.parent().unwrap().join(&f), template.join(&f)).unwrap();
        }
    }
}

fn recovery_key_in(stdout: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stdout);
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("recovery key: ")) {
        return Some(line.trim().to_string());
    }
    let start = text.find('{')?;
    let value: serde_json::Value = serde_json::from_str(text[start..].lines().next()?).ok().or_else(|| serde_json::from_str(&text[start..]).ok())?;
    value["recovery_key"].as_str().map(str::to_string)
}

/// Whether `recovery_key` opens the encrypted store at `db` (in this process).
fn opens(db: &Path, recovery_key: &str) -> bool {
    let secret = certdesk_store::keys::RecoverySecret::parse(recovery_key).unwrap();
    certdesk_store::Store::open_encrypted(db, certdesk_store::Unlock::Recovery(&secret)).is_ok()
}

fn is_plain(db: &Path) -> bool {
    std::fs::read(db).is_ok_and(|b| b.starts_with(b"SQLite format 3\0"))
}

/// The store files a settled store may have beside it: itself, its WAL and shared memory, its
/// lock, its key file, the attempts counted before it opened.
fn leftovers(db: &Path) -> Vec<String> {
    let name = db.file_name().unwrap().to_string_lossy().to_string();
    store_files(db)
        .into_iter()
        .filter(|f| ![name.clone(), format!("{name}-wal"), format!("{name}-shm"), format!("{name}.lock"), format!("{name}.keys")].contains(f) && !f.contains(".attempts"))
        .collect()
}

/// Runs `args` killed at every call of each of `syscalls` in turn, checking with `after` each
/// time; returns how many kills were made.
fn every_kill(c: &Counter, args: &[&str], syscalls: &[&str], template: &Path, after: &mut dyn FnMut(&Output, &str, usize)) -> usize {
    let mut kills = 0;
    for syscall in syscalls {
        for nth in 1.. {
            put_back(&c.db(), template);
            let out = killed_at(c.cmd(args), syscall, nth);
            if !was_killed(&out) {
                assert_eq!(out.status.code(), Some(0), "{args:?} without a kill at {syscall} #{nth}: {}", stderr(&out));
                break;
            }
            kills += 1;
            after(&out, syscall, nth);
            assert!(nth < 400, "{syscall} is called more than 400 times: the loop would not end");
        }
    }
    kills
}

#[test]
fn store_encrypt_killed_at_every_rename_and_sync_leaves_the_store_whole_and_no_plain_copy() {
    if !strace_works() {
        eprintln!("strace cannot inject faults on this machine (no ptrace): skipped, and said so");
        return;
    }
    let c = common::plain_counter(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.import(&fixture("case-org-new.json"));
    let template = c.dir.path().join("template");
    keep(&c.db(), &template);
    let (mut undone, mut encrypted) = (0, 0);
    let kills = every_kill(&c, &["--json", "store", "encrypt"], &["rename", "fsync", "fdatasync"], &template, &mut |out, syscall, nth| {
        let printed = recovery_key_in(&out.stdout);
        // the next command settles what the kill left
        let next = c.as_user("admin", &["--json", "case", "list"]);
        assert_eq!(next.status.code(), Some(0), "after a kill at {syscall} #{nth}: {}", stderr(&next));
        assert!(String::from_utf8_lossy(&next.stdout).contains(&n), "after a kill at {syscall} #{nth}: the case is gone");
        assert_eq!(leftovers(&c.db()), Vec::<String>::new(), "after a kill at {syscall} #{nth}");
        if is_plain(&c.db()) {
            undone += 1;
            assert!(!side(&c.db(), ".keys").exists(), "a plain store with a key file beside it after a kill at {syscall} #{nth}");
        } else {
            encrypted += 1;
            let key = printed.unwrap_or_else(|| panic!("encrypted after a kill at {syscall} #{nth}, and no recovery key was printed"));
            assert!(opens(&c.db(), &key), "the recovery key printed does not open the store after a kill at {syscall} #{nth}");
        }
    });
    assert!(kills >= 5 && undone > 0 && encrypted > 0, "kills {kills}: undone {undone}, finished {encrypted}: both ends must be reached");
}

#[test]
fn store_rekey_killed_at_every_rename_and_sync_keeps_a_recovery_key_that_was_printed() {
    if !strace_works() {
        eprintln!("strace cannot inject faults on this machine (no ptrace): skipped, and said so");
        return;
    }
    let c = common::plain_counter(env!("CARGO_BIN_EXE_certdesk"));
    let n = c.import(&fixture("case-org-new.json"));
    let out = c.as_user("admin", &["--json", "store", "encrypt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let old_key = recovery_key_in(&out.stdout).expect("store encrypt printed its recovery key");
    let template = c.dir.path().join("template");
    keep(&c.db(), &template);
    let (mut kept_old, mut took_new) = (0, 0);
    let kills = every_kill(
        &c,
        &["--json", "store", "rekey", "--as", "admin", "--password-file", &c.pw("admin")],
        &["rename", "fsync", "fdatasync"],
        &template,
        &mut |out, syscall, nth| {
            let printed = recovery_key_in(&out.stdout);
            let next = c.as_user("admin", &["--json", "case", "list"]);
            assert_eq!(next.status.code(), Some(0), "after a kill at {syscall} #{nth}: {}", stderr(&next));
            assert!(String::from_utf8_lossy(&next.stdout).contains(&n), "after a kill at {syscall} #{nth}: the case is gone");
            assert_eq!(leftovers(&c.db()), Vec::<String>::new(), "after a kill at {syscall} #{nth}");
            if opens(&c.db(), &old_key) {
                kept_old += 1;
                if printed.is_some() {
                    assert!(stderr(&next).contains("did not finish"), "an undone rekey is said after a kill at {syscall} #{nth}: {}", stderr(&next));
                }
            } else {
                took_new += 1;
                let key = printed.unwrap_or_else(|| panic!("a new key after a kill at {syscall} #{nth}, and no recovery key was printed: lost"));
                assert!(opens(&c.db(), &key), "neither the old nor the printed recovery key opens the store after a kill at {syscall} #{nth}");
            }
        },
    );
    assert!(kills >= 3 && kept_old > 0 && took_new > 0, "kills {kills}: kept {kept_old}, new {took_new}: both ends must be reached");
}

#[test]
fn the_recovery_reset_refuses_a_password_the_account_had() {
    let c = common::plain_counter(env!("CARGO_BIN_EXE_certdesk"));
    let out = c.as_user("admin", &["--json", "store", "encrypt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let key = recovery_key_in(&out.stdout).expect("a recovery key");
    let rk = c.p("recovery.txt");
    std::fs::write(&rk, format!("{key}\n")).unwrap();
    // the current password, then one of before: refused as `user passwd` refuses them
    let reused = c.run(&["store", "open-with-recovery", "--recovery-file", &rk, "--new-password-file", &c.pw("admin"), "--as", "admin"]);
    assert_eq!(reused.status.code(), Some(1), "{}", stderr(&reused));
    assert!(stderr(&reused).contains("last 5 passwords"), "{}", stderr(&reused));
    let fresh = c.p("admin-new.pw");
    std::fs::write(&fresh, "Admin-new-pass-7\n").unwrap();
    let ok = c.run(&["store", "open-with-recovery", "--recovery-file", &rk, "--new-password-file", &fresh, "--as", "admin"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let again = c.run(&["store", "open-with-recovery", "--recovery-file", &rk, "--new-password-file", &c.pw("admin"), "--as", "admin"]);
    assert_eq!(again.status.code(), Some(1), "an earlier password: {}", stderr(&again));
}
