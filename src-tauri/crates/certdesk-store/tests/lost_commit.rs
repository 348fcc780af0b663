//! A connection lost while committing, on a real server: a TCP proxy between the desk and the
//! throwaway cluster cuts the desk's connection at its `COMMIT`, either before passing it on
//! (the server rolls the change back) or after the server has answered it (the change is
//! written; the desk never hears). Either way the desk learns which: the change stands and the
//! call succeeds once, or nothing was written and it says 服务器连接中断; when the server still
//! holds the lost transaction, the desk says it cannot tell yet. The chain verifies and the desk
//! goes on.

mod common;

use certdesk_domain::workflow::Role;
use chrono::NaiveDate;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// What the proxy does at the next `COMMIT` it sees from the desk.
const PASS: u8 = 0;
const CUT_BEFORE: u8 = 1;
const CUT_AFTER_ANSWER: u8 = 2;
/// the desk cut, the server's side held open without the COMMIT: the server keeps the
/// transaction (and the chain lock) until the test lets go
const HOLD: u8 = 3;

/// The simple-query message `COMMIT` as tokio-postgres sends it: 'Q', length 11, the text.
const COMMIT: &[u8] = b"Q\x00\x00\x00\x0bCOMMIT\x00";

struct Proxy {
    port: u16,
    mode: Arc<AtomicU8>,
    held: Held,
}

type Held = Arc<std::sync::Mutex<Option<TcpStream>>>;

impl Proxy {
    fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let port = listener.local_addr().expect("its address").port();
        let mode = Arc::new(AtomicU8::new(PASS));
        let held: Held = Default::default();
        let (shared, holder) = (mode.clone(), held.clone());
        std::thread::spawn(move || {
            for desk in listener.incoming().flatten() {
                let server = TcpStream::connect(("127.0.0.1", upstream_port)).expect("the cluster");
                pipe(desk, server, shared.clone(), holder.clone());
            }
        });
        Proxy { port, mode, held }
    }

    /// Arms the proxy for the next `COMMIT` (once).
    fn arm(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }
}

/// Copies both ways; at an armed `COMMIT` cuts the desk's side (after passing the COMMIT on and
/// reading the server's answer, or without passing it on).
fn pipe(desk: TcpStream, server: TcpStream, mode: Arc<AtomicU8>, held: Held) {
    let cut = Arc::new(AtomicBool::new(false));
    let (mut desk_in, mut server_out) = (desk.try_clone().expect("a socket"), server.try_clone().expect("a socket"));
    let (desk_out, mut server_in) = (desk, server);
    let cut_up = cut.clone();
    let desk_side = desk_out.try_clone().expect("a socket");
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match desk_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            let at_commit = chunk.windows(COMMIT.len()).any(|w| w == COMMIT);
            let armed = if at_commit { mode.swap(PASS, Ordering::SeqCst) } else { PASS };
            match armed {
                CUT_BEFORE => {
                    // the server never sees the COMMIT; it sees the desk go away
                    let _ = desk_side.shutdown(Shutdown::Both);
                    let _ = server_out.shutdown(Shutdown::Both);
                    break;
                }
                HOLD => {
                    let _ = desk_side.shutdown(Shutdown::Both);
                    *held.lock().expect("the held socket") = Some(server_out);
                    break;
                }
                CUT_AFTER_ANSWER => {
                    cut_up.store(true, Ordering::SeqCst);
                    let _ = server_out.write_all(chunk);
                    break;
                }
                _ => {
                    if server_out.write_all(chunk).is_err() {
                        break;
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        let mut desk_out = desk_out;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match server_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if cut.load(Ordering::SeqCst) {
                // the server has answered the COMMIT: the change is written; the desk never hears
                let _ = desk_out.shutdown(Shutdown::Both);
                let _ = server_in.shutdown(Shutdown::Both);
                break;
            }
            if desk_out.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("a day")
}

#[test]
fn a_commit_whose_answer_is_lost_is_looked_for_and_never_done_twice_or_lost_silently() {
    let Some(server) = common::pg::server() else { return };
    let db = server.fresh_db("lost_commit");
    let direct = certdesk_store::pg::HallAddress::parse(&db.url).expect("the test address");
    let proxy = Proxy::start(direct.port());
    let through_proxy = format!("postgres://{}@127.0.0.1:{}/{}", direct.user(), proxy.port, direct.database());
    let address = certdesk_store::pg::HallAddress::parse(&through_proxy).expect("the proxy's address");
    let mut store = certdesk_store::Store::open_hall(&address, common::pg::password(&db.password_file)).expect("the hall through the proxy");
    let clerk = certdesk_domain::workflow::Actor::new(certdesk_domain::workflow::AccountChecked::by_the_store(), "zhang", vec![Role::Clerk]);
    let data = certdesk_domain::CaseData::from_json(include_str!("../../../../tests/fixtures/case-org-new.json")).expect("the example case");
    let mut raw = db.raw();
    let count = |raw: &mut postgres::Client| -> i64 { raw.query_one("SELECT count(*) FROM cases", &[]).expect("counting").get(0) };

    let first = store.create_case(&data, "A01", day(), &clerk).expect("a case through the proxy");
    assert_eq!(first.number.as_str(), "A01-20261123-0001");

    // the server commits, the desk never hears: the store looks, finds it, and says it is done
    proxy.arm(CUT_AFTER_ANSWER);
    let second = store.create_case(&data, "A01", day(), &clerk).expect("written, and the store learnt so");
    assert_eq!(second.number.as_str(), "A01-20261123-0002");
    assert_eq!(count(&mut raw), 2, "written once");
    assert_eq!(proxy.mode.load(Ordering::SeqCst), PASS, "the cut happened");

    // the COMMIT never reaches the server: the store looks, finds nothing, and says so
    proxy.arm(CUT_BEFORE);
    let err = store.create_case(&data, "A01", day(), &clerk).expect_err("not written");
    assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_connection_lost()), "{err:?}");
    assert!(err.to_string().contains("服务器连接中断") && err.to_string().contains("nothing of this change was written"), "{err}");
    assert_eq!(count(&mut raw), 2, "nothing of the lost change");

    // the server keeps the lost transaction open (it has not noticed the desk is gone): the
    // store cannot learn the outcome within its wait and says so, rather than guess
    proxy.arm(HOLD);
    let err = store.create_case(&data, "A01", day(), &clerk).expect_err("the outcome cannot be known yet");
    assert!(matches!(&err, certdesk_store::ActError::Store(e) if e.is_commit_unknown()), "{err:?}");
    assert!(err.to_string().contains("look before doing it again"), "{err}");
    let server_side = proxy.held.lock().expect("the held socket").take().expect("the proxy held the server's side");
    server_side.shutdown(Shutdown::Both).expect("letting the server see the desk gone");
    drop(server_side);
    // that transaction never committed: the server rolls it back once it sees the desk gone
    for _ in 0..100 {
        let open: i64 = raw.query_one("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'", &[]).expect("asking").get(0);
        if open == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(count(&mut raw), 2, "nothing of the held change");

    // the desk goes on; the numbers the lost changes held are given back; one gapless chain
    let third = store.create_case(&data, "A01", day(), &clerk).expect("the desk goes on");
    assert_eq!(third.number.as_str(), "A01-20261123-0003");
    let report = store.verify_audit().expect("verifying");
    assert!(report.ok, "{report:?}");
    assert_eq!(count(&mut raw), 3);
}
