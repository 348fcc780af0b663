//! The hall's store on a primary and its synchronous standby (the rig of
//! `scripts/pg-failover.sh`), given both servers as a desk is
//! (`postgres://h1:p1,h2:p2/db?target_session_attrs=read-write`): the status names the server
//! that takes writes, the one the desk is on and the standby's lag; with the standby gone a
//! commit that waits longer than the bound says it is saved and unconfirmed (once, never
//! twice) and a desk queued behind it says nothing was written, instead of hanging; the primary
//! SIGKILLed, the desk says 服务器连接中断 / 服务器切换中 with nothing written until the standby
//! is promoted, then writes on it by itself; the old primary rejoins as a standby and refuses
//! writes. The chain verifies on the new primary with every case once.

mod common;

use certdesk_store::Store;
use certdesk_store::pg::{HallAddress, ServerName, ServerPassword, ServerRole};

fn server_of(url: &str) -> ServerName {
    let a = HallAddress::parse(url).expect("a node's address");
    ServerName { host: a.host(), port: a.port() }
}

fn cases_on(rig: &common::rig::Rig, url: &str) -> Vec<String> {
    rig.raw(url).query("SELECT number FROM cases ORDER BY number", &[]).expect("reading the cases").iter().map(|r| r.get(0)).collect()
}

#[test]
fn a_desk_given_both_servers_finds_the_writer_says_what_it_waits_for_and_never_hangs() {
    let Some(mut rig) = common::rig::Rig::start("store", &[]) else { return };
    let password = ServerPassword::from_file(&rig.password_file).expect("the rig's password");
    let (first_primary, first_standby) = (server_of(&rig.primary_url), server_of(&rig.standby_url));
    // two desks: one whose commit waits 3 s at most, one that waits 1 s for the write lock
    let address = HallAddress::parse(&format!("{}&standby_wait=3", rig.url)).expect("both servers");
    let impatient = HallAddress::parse(&format!("{}&standby_wait=1", rig.url)).expect("both servers");
    assert!(address.writer_only());
    let mut store = Store::open_hall(&address, password.clone()).expect("the hall on both servers");
    let mut other = Store::open_hall(&impatient, password.clone()).expect("a second desk");
    let clerk = common::as_clerk("zhang");
    let data = common::case(common::ORG_NEW);
    let mut numbers = Vec::new();

    // a healthy pair: the writer named, the desk on it, the standby synchronous and its lag seen
    let status = store.hall_status().expect("a hall has a status");
    assert_eq!(status.writable.as_ref(), Some(&first_primary), "{status:?}");
    assert_eq!(status.connected.as_ref(), Some(&first_primary), "{status:?}");
    assert!(status.can_write && !status.commits_wait_for_standby && !status.several_writable && !status.standby_details_hidden, "{status:?}");
    assert_eq!(
        status.servers.iter().map(|s| (s.server.clone(), s.role)).collect::<Vec<_>>(),
        [(first_primary.clone(), ServerRole::Primary), (first_standby.clone(), ServerRole::Standby)]
    );
    assert_eq!(status.servers[1].in_recovery, Some(true));
    assert_eq!(status.synchronous_standby_names.as_deref(), Some("*"));
    assert_eq!(status.standbys.len(), 1, "{status:?}");
    let standby = &status.standbys[0];
    assert_eq!((standby.name.as_str(), standby.state.as_deref(), standby.sync_state.as_deref()), ("hall_b", Some("streaming"), Some("sync")));
    assert!(standby.replay_behind_bytes.is_some_and(|b| b >= 0), "{standby:?}");
    numbers.push(store.create_case(&data, "A01", common::day(), &clerk).expect("a case on the pair").number.as_str().to_string());

    // the standby gone: the primary holds every commit. The desk whose commit waits is told,
    // after its bound, that the case is saved but unconfirmed; a desk queued behind it for the
    // write lock is told nothing was written. Neither hangs.
    rig.run(&["standby-down"]);
    let status = store.hall_status().expect("a status");
    assert!(status.commits_wait_for_standby && status.can_write && status.standbys.is_empty(), "{status:?}");
    let queued = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        let err = other.create_case(&common::case(common::ORG_NEW), "A01", common::day(), &common::as_clerk("li")).expect_err("the write lock is held past its bound");
        (other, err)
    });
    let err = store.create_case(&data, "A01", common::day(), &clerk).expect_err("no standby confirms it");
    assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_standby_wait()), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("已保存") && text.contains("A01-20261122-0002") && text.contains("do not do it again") && text.contains("committed locally"), "{text}");
    numbers.push("A01-20261122-0002".into());
    let (other, queued_err) = queued.join().expect("the second desk");
    assert!(matches!(&queued_err, certdesk_store::ActError::Store(e) if e.is_write_wait()), "{queued_err:?}");
    assert!(queued_err.to_string().contains("nothing of this change was written") && queued_err.to_string().contains("synchronous standby"), "{queued_err}");
    assert_eq!(cases_on(&rig, &rig.primary_url), numbers, "the unconfirmed case saved once, the queued one not at all");
    // the clerk's draft is scratch, not a change of the chain: saved on the primary alone while
    // the standby is away, never held behind it (an unbounded wait would hang this test: it
    // fails after 20 s instead)
    let (done, saved) = std::sync::mpsc::channel();
    let drafting = std::thread::spawn(move || {
        let mut other = other;
        let outcome = other.save_draft("li", r#"{"v":1,"form":{"org":"广州市示例科技有限公司"}}"#).and_then(|()| other.draft("li"));
        let _ = done.send(outcome.map_err(|e| e.to_string()));
        other
    });
    let draft = saved.recv_timeout(std::time::Duration::from_secs(20)).expect("a draft save is not held by the missing standby");
    assert!(draft.expect("the draft saved").is_some_and(|d| d.contains("示例科技")));
    let mut other = drafting.join().expect("the drafting desk");

    // the standby back: both desks write again
    rig.run(&["standby-up"]);
    numbers.push(store.create_case(&data, "A01", common::day(), &clerk).expect("the standby is back").number.as_str().to_string());
    numbers.push(other.create_case(&data, "A01", common::day(), &common::as_clerk("li")).expect("the other desk too").number.as_str().to_string());
    assert_eq!(numbers[2..], ["A01-20261122-0003", "A01-20261122-0004"]);

    // the primary SIGKILLed: nothing written while no server takes writes, and the desk says so
    rig.run(&["kill-primary"]);
    let status = store.hall_status().expect("a status");
    assert!(status.connected.is_none() && status.writable.is_none() && !status.can_write, "the desk's server is gone: {status:?}");
    let err = store.create_case(&data, "A01", common::day(), &clerk).expect_err("the primary is gone");
    assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_connection_lost() || e.is_no_writable_server()), "{err:?}");
    let err = store.create_case(&data, "A01", common::day(), &clerk).expect_err("the standby is not promoted yet");
    assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_no_writable_server()), "{err:?}");
    assert!(err.to_string().contains("服务器切换中") && err.to_string().contains("takes no writes"), "{err}");
    let status = certdesk_store::pg::status::status(&address, &password);
    assert!(status.writable.is_none() && !status.can_write && status.connected.is_none(), "{status:?}");
    assert_eq!(status.servers.iter().map(|s| s.role).collect::<Vec<_>>(), [ServerRole::Unreachable, ServerRole::Standby]);
    assert!(status.servers[0].error.is_some(), "{status:?}");

    // promoted: the same desk writes on it by itself, the numbers go on, nothing lost or twice
    rig.run(&["promote"]);
    rig.refresh();
    assert_eq!(server_of(&rig.primary_url), first_standby);
    numbers.push(store.create_case(&data, "A01", common::day(), &clerk).expect("the promoted standby takes writes").number.as_str().to_string());
    assert_eq!(numbers[4], "A01-20261122-0005");
    let status = store.hall_status().expect("a status");
    assert_eq!((status.writable.as_ref(), status.connected.as_ref()), (Some(&first_standby), Some(&first_standby)), "{status:?}");
    assert_eq!(status.synchronous_standby_names.as_deref(), Some(""), "the promoted server commits alone: {status:?}");
    assert!(!status.commits_wait_for_standby, "{status:?}");
    assert_eq!(cases_on(&rig, &rig.primary_url), numbers);
    let report = store.verify_audit().expect("verifying on the new primary");
    assert!(report.ok && report.cases_checked == numbers.len() as i64, "{report:?}");

    // the old primary back as a standby (pg_rewind): one writer, synchronous again, and it
    // refuses a desk's write even when the desk is pointed at it alone
    rig.run(&["rejoin"]);
    rig.refresh();
    assert_eq!(server_of(&rig.standby_url), first_primary);
    let status = store.hall_status().expect("a status");
    assert!(!status.several_writable && status.writable.as_ref() == Some(&first_standby), "{status:?}");
    assert_eq!(status.servers.iter().map(|s| s.role).collect::<Vec<_>>(), [ServerRole::Standby, ServerRole::Primary]);
    assert_eq!(status.synchronous_standby_names.as_deref(), Some("*"));
    assert!(status.standbys.iter().any(|s| s.name == "hall_a" && s.sync_state.as_deref() == Some("sync")), "{status:?}");
    let on_standby = HallAddress::parse(&rig.standby_url).expect("the standby alone");
    match Store::open_hall(&on_standby, password.clone()) {
        Ok(mut desk) => {
            let err = desk.create_case(&data, "A01", common::day(), &clerk).expect_err("a standby takes no writes");
            assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_no_writable_server()), "{err:?}");
        }
        Err(e) => panic!("a desk may read a standby (its schema is up to date): {e}"),
    }
    let writer_only = HallAddress::parse(&format!("{}?target_session_attrs=read-write", rig.standby_url)).expect("the standby, writer only");
    match Store::open_hall(&writer_only, password.clone()) {
        Err(refused) => assert!(refused.is_no_writable_server(), "{refused:?}"),
        Ok(_) => panic!("no server of that address takes writes"),
    }
    assert_eq!(cases_on(&rig, &rig.primary_url), numbers, "nothing written on the standby");
    numbers.push(store.create_case(&data, "A01", common::day(), &clerk).expect("the hall goes on").number.as_str().to_string());
    assert!(store.verify_audit().expect("verifying").ok);
}
