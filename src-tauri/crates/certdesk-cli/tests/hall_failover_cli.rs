//! `certdesk store status` on a hall of two servers (the failover rig of
//! `scripts/pg-failover.sh`), through the binary as an operator or a monitoring script uses it:
//! the server that takes writes named, the standby's lag given; while no server takes writes
//! it still answers (exit 3, `writable: null`) and a change is refused as 服务器切换中 with
//! nothing written; after the promotion the other server is named and the same commands go on.
//! A store file is said to be a file.

#[path = "../../certdesk-store/tests/common/rig.rs"]
mod rig;

use certdesk_testkit::{Counter, stderr};
use serde_json::Value;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

/// `HOST:PORT` of a node's own address (`postgres://USER@HOST:PORT/DB…`; a socket folder as host).
fn host_port(url: &str) -> (String, u64) {
    let config: postgres::Config = url.parse().expect("a node's address");
    let host = match &config.get_hosts()[0] {
        postgres::config::Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    (host, config.get_ports()[0] as u64)
}

fn named(v: &Value) -> (String, u64) {
    (v["host"].as_str().unwrap_or_default().to_string(), v["port"].as_u64().unwrap_or_default())
}

#[test]
fn store_status_names_the_writer_through_a_failover_and_changes_wait_for_it() {
    let Some(mut rig) = rig::Rig::start("cli-status", &[]) else { return };
    let password_file = rig.password_file.display().to_string();
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk")).with_env("CERTDESK_DB", &rig.url).with_env("CERTDESK_DB_PASSWORD_FILE", &password_file);
    c.add_people();
    let first = c.import(ORG_NEW);

    // both up: the primary takes writes, the standby streams synchronously
    let (code, status) = c.json(&["store", "status", "--json"]);
    assert_eq!(code, 0, "{status}");
    assert_eq!(status["store"], "hall", "{status}");
    assert_eq!(status["can_write"], true, "{status}");
    assert_eq!(named(&status["writable"]), host_port(&rig.primary_url), "{status}");
    let standbys = status["standbys"].as_array().expect("standbys");
    assert_eq!(standbys.len(), 1, "{status}");
    assert_eq!(standbys[0]["sync_state"], "sync", "{status}");
    assert!(standbys[0]["replay_behind_bytes"].is_i64(), "the lag in bytes is given: {status}");
    let roles: Vec<&str> = status["servers"].as_array().expect("servers").iter().map(|s| s["role"].as_str().unwrap_or_default()).collect();
    assert_eq!(roles, ["primary", "standby"], "{status}");
    let text = c.ok(&["store", "status"]);
    let (host, port) = host_port(&rig.primary_url);
    assert!(text.contains(&format!("writes go to: {host}:{port}")), "{text}");
    assert!(text.contains("standby hall_") && text.contains("sync"), "the standby and its lag in words: {text}");

    // the primary gone, the standby not promoted yet: 服务器切换中, still an answer
    rig.run(&["kill-primary"]);
    let (code, status) = c.json(&["store", "status", "--json"]);
    assert_eq!(code, 3, "no server takes writes: exit 3 ({status})");
    assert_eq!(status["writable"], Value::Null, "{status}");
    assert_eq!(status["can_write"], false, "{status}");
    let roles: Vec<&str> = status["servers"].as_array().expect("servers").iter().map(|s| s["role"].as_str().unwrap_or_default()).collect();
    assert_eq!(roles, ["unreachable", "standby"], "{status}");
    let out = c.run(&["store", "status"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no server takes writes now (服务器切换中"), "{text}");
    let pw = c.pw("zhang");
    let out = c.run(&["--json", "case", "accept", &first, "--as", "zhang", "--password-file", &pw]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said: Value = serde_json::from_slice(&out.stdout).expect("a JSON error");
    assert_eq!(said["error"]["kind"], "server_switching", "{said}");

    // promoted: the other server named, the change goes through once
    rig.run(&["promote"]);
    let standby = host_port(&rig.standby_url);
    rig.refresh();
    let (code, status) = c.json(&["store", "status", "--json"]);
    assert_eq!(code, 0, "{status}");
    assert_eq!(named(&status["writable"]), standby, "the promoted server takes writes: {status}");
    assert_eq!(status["synchronous_standby_names"], "", "the promoted server commits alone until a standby joins: {status}");
    c.ok_as("zhang", &["case", "accept", &first]);
    assert_eq!(c.status(&first), "accepted");
    let (code, report) = c.read_json(&["audit", "verify", "--json"]);
    assert_eq!((code, &report["ok"]), (0, &Value::Bool(true)), "{report}");
}

#[test]
fn store_status_on_a_file_says_it_is_a_file() {
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let (code, status) = c.json(&["store", "status", "--json"]);
    assert_eq!(code, 0, "{status}");
    assert_eq!(status["store"], "file", "{status}");
    assert_eq!(status["exists"], false, "{status}");
    c.add_people();
    let (_, status) = c.json(&["store", "status", "--json"]);
    assert_eq!((&status["exists"], &status["can_write"]), (&Value::Bool(true), &Value::Bool(true)), "{status}");
    assert_eq!(status["path"], c.db().display().to_string(), "{status}");
    assert!(c.ok(&["store", "status"]).starts_with("store file: "));
}
