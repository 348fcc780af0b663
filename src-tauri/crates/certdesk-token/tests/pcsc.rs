//! PC/SC against a real daemon: a private `pcscd` (its own mount namespace, because pcscd
//! hard-codes /run/pcscd) with the vsmartcard `vpcd` reader driver, and a small virtual card of
//! our own speaking the vpcd socket protocol. Insertion and removal, ATR identification, APDU
//! exchange, a key pulled out mid-operation and the daemon going away.

use certdesk_token::readers::{ReaderError, ReaderEvent, Readers};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const VPCD: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
const ATR: [u8; 16] = [0x3B, 0x8A, 0x80, 0x01, 0x63, 0x65, 0x72, 0x74, 0x64, 0x65, 0x73, 0x6B, 0x31, 0x2E, 0x30, 0x5A];
const SERIAL: &[u8] = b"CD0001";

struct Daemon {
    child: Child,
    _dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_daemon() -> Daemon {
    assert!(Path::new(VPCD).is_file(), "vsmartcard-vpcd is needed (scripts/deps.sh test installs it)");
    let dir = tempfile::tempdir().unwrap();
    let port: u16 = 0x8D00 + (std::process::id() % 400) as u16 * 2;
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::fs::create_dir(dir.path().join("sock")).unwrap();
    std::fs::write(dir.path().join("conf/vpcd"), format!("FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH {VPCD}\nCHANNELID 0x{port:04X}\n")).unwrap();
    let script = format!(
        "mount -t tmpfs tmpfs /run && mkdir -p /run/pcscd && mount --bind {sock} /run/pcscd && exec pcscd --foreground --config {conf}",
        sock = dir.path().join("sock").display(),
        conf = dir.path().join("conf").display()
    );
    let child = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("unshare (util-linux) and pcscd are needed; the test runs as root to make a private mount namespace");
    let socket = dir.path().join("sock/pcscd.comm");
    let start = Instant::now();
    while !socket.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "pcscd did not start (is this root?)");
        std::thread::sleep(Duration::from_millis(50));
    }
    // clients find the private daemon through this variable
    // SAFETY: set before any PC/SC context exists; this binary has a single test
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("PCSCLITE_CSOCK_NAME", &socket)
    };
    Daemon { child, _dir: dir, port }
}

/// The virtual card: connects to vpcd (insertion), answers power/ATR control messages and
/// APDUs, and disconnects when dropped (removal) or on the APDU `00 EE 00 00` (pulled out
/// mid-operation).
struct Card {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Card {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn quickack(stream: &TcpStream) {
    // without it every APDU waits for the delayed ACK (~44 ms)
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket fd and a c_int option value
        #[allow(unsafe_code)]
        unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                &one as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
    }
}

fn insert_card(port: u16) -> Card {
    let start = Instant::now();
    let stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(10) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("vpcd does not listen on {port}: {e}"),
        }
    };
    stream.set_nodelay(true).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        let mut s = stream;
        loop {
            if flag.load(Ordering::SeqCst) {
                return;
            }
            let mut len = [0u8; 2];
            match s.read_exact(&mut len) {
                Ok(()) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
                Err(_) => return,
            }
            let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
            if s.read_exact(&mut msg).is_err() {
                return;
            }
            quickack(&s);
            let reply: Option<Vec<u8>> = match msg.as_slice() {
                [0] | [1] | [2] => None, // power off, power on, reset
                [4] => Some(ATR.to_vec()),
                [0x00, 0xEE, ..] => return, // pulled out mid-operation
                [0x00, 0xA4, 0x04, 0x00, ..] => Some(vec![0x90, 0x00]),
                [0x80, 0xCA, 0x9F, 0x7F, ..] => Some([SERIAL, &[0x90, 0x00]].concat()),
                _ => Some(vec![0x6D, 0x00]),
            };
            if let Some(r) = reply {
                let mut out = (r.len() as u16).to_be_bytes().to_vec();
                out.extend(r);
                if s.write_all(&out).is_err() {
                    return;
                }
            }
        }
    });
    Card { stop, thread: Some(thread) }
}

fn wait_for(readers: &Readers, known: &mut Vec<certdesk_token::readers::ReaderState>, want: impl Fn(&ReaderEvent) -> bool) -> ReaderEvent {
    let start = Instant::now();
    loop {
        let (events, now) = readers.wait(known, Duration::from_millis(500)).unwrap();
        *known = now;
        if let Some(e) = events.into_iter().find(|e| want(e)) {
            return e;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "event did not come");
    }
}

#[test]
fn readers_keys_and_apdus_on_a_real_pcsc_daemon() {
    let daemon = start_daemon();
    let readers = Readers::connect().expect("the private pcscd answers");
    let start = Instant::now();
    let mut known = loop {
        let l = readers.list().unwrap();
        if l.len() >= 2 || start.elapsed() > Duration::from_secs(10) {
            break l;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(known.iter().any(|r| r.reader.starts_with("Virtual PCD")), "{known:?}");
    assert!(known.iter().all(|r| !r.card_present));

    // insertion: the ATR identifies the model
    let card = insert_card(daemon.port);
    let inserted = wait_for(&readers, &mut known, |e| matches!(e, ReaderEvent::CardInserted { .. }));
    let ReaderEvent::CardInserted { reader, atr, model } = inserted else { unreachable!() };
    assert_eq!(atr, "3B 8A 80 01 63 65 72 74 64 65 73 6B 31 2E 30 5A");
    assert_eq!(model.as_deref(), Some("certdesk virtual test key (certdesk)"));

    // APDUs
    let select = readers.transmit(&reader, &[0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x00, 0x01]).unwrap();
    assert_eq!(select, vec![0x90, 0x00]);
    let serial = readers.transmit(&reader, &[0x80, 0xCA, 0x9F, 0x7F, 0x00]).unwrap();
    assert_eq!(serial, [SERIAL, &[0x90, 0x00]].concat());
    let t = Instant::now();
    for _ in 0..20 {
        readers.transmit(&reader, &[0x00, 0xA4, 0x04, 0x00, 0x00]).unwrap();
    }
    eprintln!("20 APDUs (connect + transmit each) in {:?}", t.elapsed());

    // removal
    drop(card);
    wait_for(&readers, &mut known, |e| matches!(e, ReaderEvent::CardRemoved { .. }));
    assert!(matches!(readers.transmit(&reader, &[0x00, 0xA4, 0x04, 0x00, 0x00]), Err(ReaderError::NoCard(_))));

    // pulled out in the middle of an exchange: a clear error, not a hang
    let _card = insert_card(daemon.port);
    wait_for(&readers, &mut known, |e| matches!(e, ReaderEvent::CardInserted { .. }));
    let err = readers.transmit(&reader, &[0x00, 0xEE, 0x00, 0x00]).unwrap_err();
    assert!(matches!(err, ReaderError::Removed(_)), "{err:?}");
    assert!(err.to_string().contains(&reader) && err.to_string().contains("removed"), "{err}");

    // the daemon goes away: an ordinary, named state
    drop(daemon);
    std::thread::sleep(Duration::from_millis(300));
    let gone = Readers::connect().and_then(|r| r.list());
    assert!(matches!(gone, Err(ReaderError::NoService)), "{gone:?}");
}
