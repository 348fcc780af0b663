//! The hall's rehearsals (#33), on the rig of `scripts/pg-failover.sh` (a primary and a
//! streaming standby on this machine): the hall benchmark's desks working at a counter's pace
//! while (1) the primary is SIGKILLed and the standby promoted, then the old primary rejoins as
//! a standby with pg_rewind; (2) a restore point is made, then the hall is recovered from its
//! base backup and archived WAL to that point and to a moment. Each time the list of changes
//! the desks were told are saved (the benchmark's report) is compared with the server: after
//! the failover every one is on the promoted server exactly once and nothing else is; after a
//! recovery, everything acknowledged before the moment is there, nothing started after it, and
//! the recovered chain is the live chain's beginning; `audit verify` passes on each. The
//! benchmark's own checks must pass too. The figures it prints (writing again after the
//! promotion) are in the output; the README's come from a release build with 20 desks.

#[path = "../../certdesk-store/tests/common/rig.rs"]
mod rig;

use certdesk_store::Store;
use certdesk_store::pg::{HallAddress, ServerName, ServerPassword, ServerRole};
use std::collections::BTreeMap;
use std::process::Command;

/// The desks and rounds of a rehearsal: the 20 desks, fewer rounds than the README's
/// run (6, not 20) to keep CI's time.
const DESKS: &str = "20";
const ROUNDS: &str = "6";

/// One rehearsal at a time: both load the machine, and the failover's figure is a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the hall benchmark on the rig with `--during CMD`, keeping its database; panics (with
/// its output) when it fails or a check of its own fails. Returns its report.
fn bench(rig: &rig::Rig, tag: &str, during: &str) -> serde_json::Value {
    let report = std::env::temp_dir().join(format!("certdesk-rehearsal-{tag}-{}.json", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk-bench-hall"))
        .args(["--db", &rig.url, "--db-password-file"])
        .arg(&rig.password_file)
        .args(["--desks", DESKS, "--rounds", ROUNDS, "--pause-ms", "100", "--patience-s", "60", "--keep", "--during", during, "--report"])
        .arg(&report)
        .env("CERTDESK_HALL_DIR", rig.dir())
        .output()
        .expect("running certdesk-bench-hall");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // the figures, in the test's output
    println!("{stdout}");
    assert!(out.status.success(), "the hall benchmark failed ({}):\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read(&report).expect("the benchmark's report");
    let _ = std::fs::remove_file(&report);
    serde_json::from_slice(&text).expect("the report is JSON")
}

fn url_with_db(node_url: &str, database: &str) -> String {
    let (server, _) = node_url.rsplit_once('/').expect("an address ends with /DB");
    format!("{server}/{database}")
}

fn server_of(url: &str) -> ServerName {
    let a = HallAddress::parse(url).expect("an address");
    ServerName { host: a.host(), port: a.port() }
}

/// A change the desks were told is saved, from the report.
struct Ack {
    step: String,
    case: String,
    started_ms: u64,
    acked_ms: u64,
}

fn acks(report: &serde_json::Value) -> Vec<Ack> {
    report["changes"]
        .as_array()
        .expect("the report's changes")
        .iter()
        .map(|c| Ack {
            step: c["step"].as_str().expect("a step").to_string(),
            case: c["case"].as_str().expect("a case").to_string(),
            started_ms: c["started_ms"].as_u64().expect("a start"),
            acked_ms: c["acked_ms"].as_u64().expect("an acknowledgement"),
        })
        .collect()
}

/// The benchmark's steps as the chain names them.
fn wire(step: &str) -> &str {
    if step == "import" { "create" } else { step }
}

/// (action, case) → how many times on the chain after the setup.
fn changes_on(chain: &[certdesk_store::StoredEvent], setup: usize) -> BTreeMap<(String, String), usize> {
    let mut on = BTreeMap::new();
    for ev in &chain[setup..] {
        *on.entry((ev.action.clone(), ev.case_number.clone().unwrap_or_default())).or_default() += 1;
    }
    on
}

fn moment(report: &serde_json::Value, key: &str) -> u64 {
    report["during"]["said"][key].as_str().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("the command during the load said no {key}: {}", report["during"]))
}

#[test]
fn failover_under_paced_load_loses_and_doubles_nothing_and_the_old_primary_rejoins_as_a_standby() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mut rig) = rig::Rig::start("failover", &[]) else { return };
    let (old_primary, standby) = (server_of(&rig.primary_url), server_of(&rig.standby_url));
    let script = rig.script().display().to_string();
    let report = bench(&rig, "failover", &format!("bash {script} failover 1"));
    assert_eq!(report["during"]["ok"], true, "{}", report["during"]);
    let (killed, promoted) = (moment(&report, "KILLED_AT"), moment(&report, "PROMOTED_AT"));
    assert!(killed < promoted);
    // the desks met the failover (otherwise nothing was rehearsed), and came back
    let seen = report["seen"].as_object().expect("what the desks saw");
    assert!(seen.contains_key("server_lost") || seen.contains_key("no_writable_server"), "the desks never met the failover: {seen:?}");
    assert!(report["writing_again_ms"]["max"].as_u64().is_some(), "no desk wrote after the promotion: {report}");
    assert_eq!(report["server"].as_str(), Some(standby.to_string().as_str()), "the checks ran on the promoted server");

    // the list of acknowledged changes against the promoted server, independently of the
    // benchmark's own check: each once, nothing else
    rig.refresh();
    let database = report["database"].as_str().expect("the run's database").to_string();
    let password = ServerPassword::from_file(&rig.password_file).expect("the rig's password");
    let on_new_primary = HallAddress::parse(&url_with_db(&rig.primary_url, &database)).expect("the promoted server");
    let store = Store::open_hall(&on_new_primary, password.clone()).expect("the run's database on the promoted server");
    let (chain, _) = store.stored_chain().expect("the chain");
    let setup = report["setup_events"].as_u64().expect("the setup's events") as usize;
    let on_chain = changes_on(&chain, setup);
    let acked = acks(&report);
    let desks: usize = DESKS.parse().expect("a number");
    let rounds: usize = ROUNDS.parse().expect("a number");
    assert_eq!(acked.len(), desks * rounds * 4, "every change of every desk acknowledged");
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for a in &acked {
        *expected.entry((wire(&a.step).to_string(), a.case.clone())).or_default() += 1;
    }
    assert_eq!(on_chain, expected, "the promoted server holds exactly the acknowledged changes, each once");
    assert!(acked.iter().any(|a| a.acked_ms < killed) && acked.iter().any(|a| a.started_ms > promoted), "the failover came mid-load");
    let verified = store.verify_audit().expect("audit verify");
    assert!(verified.ok && verified.events as usize == chain.len(), "{verified:?}");
    drop(store);

    // the old primary rewound and started as a standby: one writer, and it follows
    rig.run(&["rejoin"]);
    rig.refresh();
    assert_eq!(server_of(&rig.standby_url), old_primary);
    let status = certdesk_store::pg::status::status(&HallAddress::parse(&rig.url).expect("both servers"), &password);
    assert_eq!(status.writable.as_ref(), Some(&standby), "{status:?}");
    assert!(!status.several_writable, "{status:?}");
    assert_eq!(status.servers.iter().map(|s| s.role).collect::<Vec<_>>(), [ServerRole::Standby, ServerRole::Primary]);
    let mut rejoined = rig.raw(&url_with_db(&rig.standby_url, &database));
    let refused = rejoined.batch_execute("CREATE TABLE certdesk_probe (x int)").expect_err("the rejoined node takes no writes");
    assert_eq!(refused.code(), Some(&postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION), "{refused}");
    let count = |c: &mut postgres::Client| -> i64 { c.query_one("SELECT count(*) FROM audit_events", &[]).expect("counting").get(0) };
    let mut replayed = 0;
    for _ in 0..100 {
        replayed = count(&mut rejoined);
        if replayed as usize == chain.len() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(replayed as usize, chain.len(), "the rejoined standby replays the promoted server's chain");
}

#[test]
fn point_in_time_recovery_keeps_what_was_acknowledged_before_the_moment_and_nothing_after() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // asynchronous replication this time (the recovery needs only the primary's archive)
    let Some(rig) = rig::Rig::start("pitr", &["--async"]) else { return };
    let script = rig.script().display().to_string();
    let report = bench(&rig, "pitr", &format!("bash {script} restore-point rehearsal"));
    assert_eq!(report["during"]["ok"], true, "{}", report["during"]);
    let database = report["database"].as_str().expect("the run's database").to_string();
    let setup = report["setup_events"].as_u64().expect("the setup's events") as usize;
    let password = ServerPassword::from_file(&rig.password_file).expect("the rig's password");
    let live = Store::open_hall(&HallAddress::parse(&url_with_db(&rig.primary_url, &database)).expect("the primary"), password.clone()).expect("the live hall");
    let (live_chain, _) = live.stored_chain().expect("the live chain");
    // everything so far archived, for the recovery to a moment after the restore point
    rig.run(&["restore-point", "after_load"]);
    let acked = acks(&report);
    let (asked, made) = (report["during"]["started_ms"].as_u64().expect("when the restore point was asked"), moment(&report, "RESTORE_POINT"));

    // to the named restore point, then to a moment in the load's second half
    let late = acked.iter().filter(|a| a.acked_ms > made).map(|a| a.acked_ms).max().expect("changes after the restore point");
    let at_ms = made + (late - made) / 2;
    let at = chrono::DateTime::from_timestamp_millis(at_ms as i64).expect("a moment").format("%Y-%m-%d %H:%M:%S%.3f+00").to_string();
    for (target, before, after) in [(vec!["--name", "rehearsal"], asked, made), (vec!["--time", at.as_str()], at_ms, at_ms)] {
        let mut pitr = vec!["pitr"];
        pitr.extend(target.iter().copied());
        let said = rig.run(&pitr);
        let url = said.get("CERTDESK_HALL_PITR_URL").expect("the recovered cluster's address");
        let recovered = Store::open_hall(&HallAddress::parse(&url_with_db(url, &database)).expect("the recovered cluster"), password.clone()).expect("the recovered hall");
        let (chain, _) = recovered.stored_chain().expect("the recovered chain");
        let verified = recovered.verify_audit().expect("audit verify on the recovered hall");
        assert!(verified.ok && verified.events as usize == chain.len(), "{target:?}: {verified:?}");
        // the live chain's beginning, event for event
        assert!(setup < chain.len() && chain.len() < live_chain.len(), "{target:?}: {} events recovered of {} (setup {setup})", chain.len(), live_chain.len());
        for (r, l) in chain.iter().zip(&live_chain) {
            assert_eq!((r.seq, &r.hash), (l.seq, &l.hash), "{target:?}: the recovered chain is the live one's beginning");
        }
        let on = changes_on(&chain, setup);
        let present = |a: &Ack| on.contains_key(&(wire(&a.step).to_string(), a.case.clone()));
        let missing: Vec<String> = acked.iter().filter(|a| a.acked_ms < before && !present(a)).map(|a| format!("{} {}", a.step, a.case)).collect();
        assert!(missing.is_empty(), "{target:?}: acknowledged before the moment and not recovered: {missing:?}");
        let extra: Vec<String> = acked.iter().filter(|a| a.started_ms > after && present(a)).map(|a| format!("{} {}", a.step, a.case)).collect();
        assert!(extra.is_empty(), "{target:?}: started after the moment and recovered: {extra:?}");
        assert!(acked.iter().any(|a| a.acked_ms < before) && acked.iter().any(|a| a.started_ms > after), "{target:?}: the moment came mid-load");
        println!("recovered to {target:?}: {} of {} events", chain.len(), live_chain.len());
    }
}
