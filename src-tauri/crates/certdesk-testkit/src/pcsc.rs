//! A real PC/SC daemon for tests: a private `pcscd` (its own mount namespace, because pcscd
//! hard-codes /run/pcscd) with the vsmartcard `vpcd` reader driver, and a small virtual card of
//! our own speaking the vpcd socket protocol (insert, remove, ATR, a few APDUs, pulled out
//! mid-operation). Owns starting and stopping them; what is tested over them is the tests'.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub const VPCD: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// The virtual card's answer to reset (the product's reader table names it).
pub const ATR: [u8; 16] = [0x3B, 0x8A, 0x80, 0x01, 0x63, 0x65, 0x72, 0x74, 0x64, 0x65, 0x73, 0x6B, 0x31, 0x2E, 0x30, 0x5A];
/// What the card answers to GET DATA 9F7F.
pub const SERIAL: &[u8] = b"CD0001";

/// A private `pcscd` with one vpcd reader. Clients find it through `PCSCLITE_CSOCK_NAME` set to
/// `socket` (the caller sets it, before any PC/SC context and any other thread exist).
pub struct Daemon {
    child: Child,
    _dir: tempfile::TempDir,
    /// The TCP port vpcd listens on for a virtual card.
    pub port: u16,
    pub socket: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pair of ports (vpcd's two readers) free now, below Linux's ephemeral range (32768 and up):
/// in the ephemeral range a port can be held by a busy test run's own outgoing connections (the
/// hall tests leave thousands in TIME_WAIT), and vpcd, failing to bind it, shows no reader (a
/// CI run saw none after 60 s). Chosen by process id so parallel test binaries start apart.
fn free_port_pair() -> u16 {
    const LOW: u32 = 20_000;
    const PAIRS: u32 = 2_000;
    let start = std::process::id() % PAIRS;
    (0..PAIRS)
        .map(|i| (LOW + ((start + i) % PAIRS) * 2) as u16)
        .find(|&p| std::net::TcpListener::bind(("0.0.0.0", p)).is_ok() && std::net::TcpListener::bind(("0.0.0.0", p + 1)).is_ok())
        .expect("a free pair of ports for vpcd between 20000 and 24000")
}

/// Starts the daemon in its own mount namespace (needs root: pcscd hard-codes /run/pcscd).
pub fn start_daemon() -> Daemon {
    assert!(Path::new(VPCD).is_file(), "vsmartcard-vpcd is needed (scripts/deps.sh test installs it)");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port_pair();
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
    Daemon { child, _dir: dir, port, socket }
}

/// The virtual card: connects to vpcd (insertion), answers power/ATR control messages and
/// APDUs, and disconnects when dropped (removal) or on the APDU `00 EE 00 00` (pulled out
/// mid-operation).
pub struct Card {
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

pub fn insert_card(port: u16) -> Card {
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
