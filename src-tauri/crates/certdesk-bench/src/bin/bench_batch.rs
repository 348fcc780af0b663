//! A unit's whole order on SoftHSM2 through the desk API (issue #28's target): a case of N
//! employee certificates (20 by default) taken, submitted and approved by a clerk and a
//! supervisor; then as the key clerk, for each certificate, its key initialised on a blank
//! SoftHSM2 token (`KeyDesk::init`, the case's step) and its key pair and request made
//! (`KeyDesk::generate`); the CA (openssl, elsewhere in real life: not counted) signs the N
//! requests; the N issued certificates imported at once and matched by public key
//! (`Desk::import_answers`, the files read from the answers folder included); each certificate
//! written to its key (`KeyDesk::write_cert`). The calls are the app's: every step opens its desk
//! from the signed-in session, as every IPC call does. For comparison the bare key generation
//! on the token layer (`Keys::generate`): a second key pair on each token right after the
//! desk's, so that both meet the same disk and the same load (the certificate is then written
//! to a token holding one key pair more than a real one).
//!
//! Prints per key the medians of each step, the desk's overhead beyond key generation (init +
//! generate + write − the bare key generation on the same token; target ≤ 100 ms median) and
//! the batch import (target ≤ 200 ms), with PASS/FAIL; beside it the overhead as
//! `certdesk-bench-issue` computes it (median of the sums − median of the bare key
//! generations). Exits 1 when a step fails, 2 on a usage error, never for a missed target. `--rounds R` repeats the order R times (a new case and N new tokens each;
//! the tokens of earlier rounds stay in the module's slot list); `--per-key` prints every key's
//! figures in the order they were made.
//!
//! ```text
//! cargo build --release -p certdesk-bench && target/release/certdesk-bench-batch [--employees N] [--rounds R] [--algo ec-p256|rsa2048] [--per-key]
//! ```
//! The PKCS#11 module is `CERTDESK_PKCS11_MODULE`, else Debian's SoftHSM2; its tokens live in a
//! temp folder of the run's own (`SOFTHSM2_CONF`), as does the store.

use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::catalog::Catalog;
use certdesk_desk::domain::workflow::Role;
use certdesk_desk::domain::{Action, Status};
use certdesk_desk::issue::RequestFiles;
use certdesk_desk::keydesk::{KeyLibrary, RequestsTo};
use certdesk_desk::rounds::CertChoice;
use certdesk_desk::store::Password;
use certdesk_desk::token::{Algo, Pin, TokenSel};
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const EMPLOYEES_NEW: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json"));
const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const USAGE: &str = "usage: certdesk-bench-batch [--employees N (1-999)] [--rounds R] [--algo ec-p256|rsa2048] [--per-key]";
const OVERHEAD_TARGET_MS: f64 = 100.0;
const IMPORT_TARGET_MS: f64 = 200.0;

const NAMES: [&str; 20] =
    ["王芳", "陈刚", "李娜", "张伟", "刘洋", "杨静", "赵磊", "黄敏", "周杰", "吴霞", "徐涛", "孙丽", "马超", "朱琳", "胡军", "郭婷", "何斌", "林燕", "高峰", "罗晶"];
const GIVEN: [&str; 20] =
    ["建国", "秀英", "志强", "丽华", "海燕", "文斌", "春梅", "国庆", "玉兰", "德明", "桂芳", "永红", "晓东", "淑珍", "卫东", "红梅", "立新", "美玲", "子豪", "雨涵"];

/// The step failed: say which and why, and end the run with exit 1.
fn or_die<T, E: Display>(r: Result<T, E>, what: impl Display) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("certdesk-bench-batch: {what}: {e}");
        std::process::exit(1)
    })
}

fn die(what: impl Display) -> ! {
    eprintln!("certdesk-bench-batch: {what}");
    std::process::exit(1)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, 90th percentile (nearest rank) and maximum.
fn stats(v: &[f64]) -> (f64, f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let p90 = s[((s.len() * 9).div_ceil(10)).clamp(1, s.len()) - 1];
    (s[s.len() / 2], p90, s[s.len() - 1])
}

/// Employee `i`'s name (0-based): the 20 of the CLI's test, then surname + given name.
fn name(i: usize) -> String {
    if i < NAMES.len() { NAMES[i].to_string() } else { format!("{}{}", NAMES[i % 20].chars().next().unwrap_or('王'), GIVEN[(i / 20) % 20]) }
}

/// A resident ID number with its GB 11643 check digit (`seq` 1-999).
fn resident_id(seq: usize) -> String {
    let body = format!("44010619900101{seq:03}");
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// The employee case fixture with `n` employees on its annex (quantity n, no payment yet).
fn case_json(n: usize) -> String {
    let mut case: serde_json::Value = or_die(serde_json::from_str(EMPLOYEES_NEW), "the fixture case-employees-new.json");
    let employees: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({ "name": name(i), "id_type": "resident_id", "id_number": resident_id(i + 1), "email": format!("e{i}@example.gov.cn"), "business": "new", "years": 1 }))
        .collect();
    case["employees"] = serde_json::Value::Array(employees);
    case["quantity"] = serde_json::json!(n);
    if let Some(o) = case.as_object_mut() {
        o.remove("payment");
    }
    case.to_string()
}

fn openssl(args: &[&str], what: &str) {
    let out = or_die(Command::new("openssl").args(args).output(), format!("{what} (openssl is needed to play the CA)"));
    if !out.status.success() {
        die(format!("{what}: openssl: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap_or_else(|| die(format!("a temp path that is not UTF-8: {}", p.display())))
}

/// What one key cost at the desk, and on the bare token.
struct KeyTimes {
    init: f64,
    generate: f64,
    write: f64,
    bare_keygen: f64,
}

fn main() {
    let (mut employees, mut rounds, mut algo, mut per_key) = (20usize, 1usize, Algo::EcP256, false);
    let usage = || -> ! {
        eprintln!("{USAGE}");
        std::process::exit(2)
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--per-key" {
            per_key = true;
            continue;
        }
        let value = args.next();
        match (a.as_str(), value.as_deref()) {
            ("--employees", Some(v)) => employees = v.parse().ok().filter(|n| (1..=999).contains(n)).unwrap_or_else(|| usage()),
            ("--rounds", Some(v)) => rounds = v.parse().ok().filter(|n| *n > 0).unwrap_or_else(|| usage()),
            ("--algo", Some(v)) => algo = Algo::parse(v).filter(|a| *a != Algo::Sm2).unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }
    let module = PathBuf::from(std::env::var("CERTDESK_PKCS11_MODULE").unwrap_or_else(|_| SOFTHSM.into()));
    let dir = or_die(tempfile::tempdir(), "a temp folder");
    let d = dir.path();
    or_die(std::fs::create_dir(d.join("tokens")), "the tokens' folder");
    let conf = d.join("softhsm2.conf");
    let conf_text = format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", d.join("tokens").display());
    or_die(std::fs::write(&conf, conf_text), "the SoftHSM2 configuration");
    // SAFETY: single-threaded, before the module is loaded
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf)
    };

    // the CA: a throw-away openssl root, which the project trusts here (the import checks the
    // chain to it, and writes it to the key with the certificate)
    let (ca_key, ca_pem) = (d.join("ca.key"), d.join("ca.pem"));
    openssl(
        &["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path(&ca_key), "-out", path(&ca_pem)]
            .into_iter()
            .chain(["-subj", "/C=CN/O=Bench CA/CN=Bench Root", "-days", "30"])
            .collect::<Vec<_>>(),
        "the CA's certificate",
    );
    let embedded = or_die(Catalog::embedded(), "the embedded catalog");
    let project = or_die(serde_json::from_str::<serde_json::Value>(EMPLOYEES_NEW), "the fixture")["project"].as_str().unwrap_or_default().to_string();
    let mut tree = embedded.tree.clone();
    tree.files.insert(format!("{project}/ca/root.pem"), or_die(std::fs::read(&ca_pem), "the CA's certificate"));
    let catalog = or_die(Catalog::from_tree(tree), "the catalog trusting the bench CA");

    // the counter: an administrator, a clerk, a supervisor and a key clerk, signed in
    let pw = |who: &str| Password::new(format!("{who}-bench-pass-1"));
    let mut store: CaseStore = or_die(certdesk_desk::place::open_file(&d.join("c.db")), "the store");
    let mut admin = or_die(Session::first_admin(&mut store, "admin", &pw("admin"), "GZ01", "广州受理点"), "the first administrator");
    for (who, role) in [("zhang", Role::Clerk), ("li", Role::Supervisor), ("wang", Role::KeyClerk)] {
        or_die(or_die(admin.desk(&mut store), "the administrator's desk").add_account(who, &[role], &pw(who)), format!("the account {who}"));
    }
    let mut clerk = or_die(Session::sign_in(&mut store, "zhang", &pw("zhang")), "signing in the clerk");
    let mut supervisor = or_die(Session::sign_in(&mut store, "li", &pw("li")), "signing in the supervisor");
    let mut key_clerk = or_die(Session::sign_in(&mut store, "wang", &pw("wang")), "signing in the key clerk");

    let library = or_die(KeyLibrary::open(&module), format!("the PKCS#11 module {}", module.display()));
    // the token layer, only for the bare key generation compared with
    let bare = or_die(certdesk_token::Keys::open(&module), format!("the PKCS#11 module {} (bare)", module.display()));
    let (so, pin) = (Pin::new("87654321".into()), Pin::new("24681357".into()));

    let mut keys: Vec<KeyTimes> = Vec::new();
    let mut imports: Vec<f64> = Vec::new();
    for round in 0..rounds {
        let json = or_die(certdesk_desk::materials::case_json_all_received(&catalog, &case_json(employees)), "the case's checklist");
        let saved = or_die(or_die(clerk.desk(&mut store), "the clerk's desk").import_case(&catalog, &json), format!("importing the {employees}-employee case"));
        let n = saved.number;
        for (who, action) in [("clerk", Action::Accept), ("clerk", Action::Submit), ("supervisor", Action::Approve)] {
            let session = if who == "clerk" { &mut clerk } else { &mut supervisor };
            or_die(or_die(session.desk(&mut store), "a desk").act(&catalog, &n, action, None), format!("case {n}: {} by the {who}", action.wire()));
        }
        let requests = d.join(format!("requests-{round}"));
        let answers = d.join(format!("answers-{round}"));
        or_die(std::fs::create_dir(&answers), "the answers' folder");

        // for each certificate: its key initialised, its key pair and request made
        let mut serials = Vec::with_capacity(employees);
        let mut times = Vec::with_capacity(employees);
        for k in 1..=employees as u32 {
            let slots = or_die(key_clerk.desk(&mut store), "the key clerk's desk").key_slots(Ok(&library));
            if let Some(why) = slots.module_error {
                die(format!("listing the module's slots: {why}"));
            }
            let slot = slots.slots.iter().find(|s| s.token.as_ref().is_some_and(|t| !t.initialized)).unwrap_or_else(|| die("no blank token left in the module")).slot_index;
            let t0 = Instant::now();
            let mut desk = or_die(key_clerk.desk(&mut store), "the key clerk's desk");
            let t = or_die(desk.keys(&library, &catalog).init(n.as_str(), CertChoice::Given(k), slot, None, &so, &pin), format!("case {n}, certificate {k}: key init"));
            let t1 = Instant::now();
            let sel = TokenSel::Serial(t.serial.clone());
            let mut desk = or_die(key_clerk.desk(&mut store), "the key clerk's desk");
            let files = RequestFiles::in_dir_for(&requests, &n, k, employees);
            let g =
                or_die(desk.keys(&library, &catalog).generate(&n, CertChoice::Given(k), &sel, &pin, algo, RequestsTo::Files(files)), format!("case {n}, certificate {k}: key gen"));
            let t2 = Instant::now();
            if g.cert != k {
                die(format!("case {n}: the key pair made for certificate {k} is certificate {}'s", g.cert));
            }
            // for comparison, at once on the same token: the bare key generation (token layer)
            let t3 = Instant::now();
            or_die(bare.generate(&sel, &pin, algo, "bench-bare"), format!("the bare key generation on token {}", t.serial));
            let t4 = Instant::now();
            serials.push(t.serial);
            times.push((ms(t1 - t0), ms(t2 - t1), ms(t4 - t3)));
        }

        // the CA signs the requests: elsewhere in real life, not counted
        for k in 1..=employees as u32 {
            let csr = RequestFiles::in_dir_for(&requests, &n, k, employees).csr;
            let out = answers.join(format!("{k:03}.pem"));
            openssl(
                &["x509", "-req", "-in", path(&csr), "-CA", path(&ca_pem), "-CAkey", path(&ca_key), "-CAcreateserial", "-days", "365", "-out", path(&out)],
                &format!("the CA signing certificate {k}'s request"),
            );
        }

        // the N answers at once, read from the folder as `key import-certs DIR` does
        let t0 = Instant::now();
        let mut names: Vec<PathBuf> = or_die(std::fs::read_dir(&answers), "the answers' folder").filter_map(Result::ok).map(|e| e.path()).collect();
        names.sort();
        let files: Vec<(String, Vec<u8>)> = names.iter().map(|p| (p.display().to_string(), or_die(std::fs::read(p), format!("reading {}", p.display())))).collect();
        let batch = or_die(or_die(key_clerk.desk(&mut store), "the key clerk's desk").import_answers(&catalog, &n, &files), format!("case {n}: importing the CA's answers"));
        let t1 = Instant::now();
        if batch.matched.len() != employees || !batch.waiting.is_empty() {
            die(format!("case {n}: {} of {employees} answers matched, {} certificates waiting", batch.matched.len(), batch.waiting.len()));
        }
        if !batch.matched.iter().all(|m| m.issuer_trusted) {
            die(format!("case {n}: an answer did not chain to the bench CA"));
        }
        imports.push(ms(t1 - t0));

        // each certificate written to its key
        for (k, serial) in (1..=employees as u32).zip(&serials) {
            let sel = TokenSel::Serial(serial.clone());
            let t0 = Instant::now();
            let mut desk = or_die(key_clerk.desk(&mut store), "the key clerk's desk");
            let w = or_die(desk.keys(&library, &catalog).write_cert(&n, CertChoice::Given(k), &sel, &pin), format!("case {n}, certificate {k}: key write-cert"));
            let t1 = Instant::now();
            if w.cert != k {
                die(format!("case {n}: certificate {}'s written for {k}", w.cert));
            }
            let (init, generate, bare_keygen) = times[k as usize - 1];
            keys.push(KeyTimes { init, generate, write: ms(t1 - t0), bare_keygen });
        }
        let status = or_die(or_die(admin.desk(&mut store), "the administrator's desk").case(&n), format!("reading case {n}")).status;
        if status != Status::KeyIssued {
            die(format!("case {n} is {} after every key was written, not key_issued", status.wire()));
        }
    }
    let verified = or_die(or_die(admin.desk(&mut store), "the administrator's desk").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()), "audit verify");
    if !verified.ok {
        die("the audit chain does not verify after the run");
    }

    let build = if cfg!(debug_assertions) { "debug build: figures are not the target's" } else { "release build" };
    println!("a unit's whole order on SoftHSM2 through the desk API: {employees} employee keys ({}), {rounds} round(s), {build}", algo.name());
    println!("per key, over {} keys (ms):", keys.len());
    let overheads: Vec<f64> = keys.iter().map(|k| k.init + k.generate + k.write - k.bare_keygen).collect();
    let rows = [
        ("key init (KeyDesk::init, the case's step)", keys.iter().map(|k| k.init).collect::<Vec<_>>()),
        ("key pair + request + package (KeyDesk::generate)", keys.iter().map(|k| k.generate).collect()),
        ("certificate + chain written, read back (KeyDesk::write_cert)", keys.iter().map(|k| k.write).collect()),
        ("bare key generation on the token (Keys::generate)", keys.iter().map(|k| k.bare_keygen).collect()),
        ("desk overhead beyond key generation (init+gen+write-bare)", overheads.clone()),
    ];
    if per_key {
        println!("  {:>4} {:>8} {:>8} {:>8} {:>8} {:>9}", "key", "init", "generate", "write", "bare", "overhead");
        for (i, (k, o)) in keys.iter().zip(&overheads).enumerate() {
            println!("  {:>4} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.1}", i + 1, k.init, k.generate, k.write, k.bare_keygen, o);
        }
    }
    println!("  {:<60} {:>8} {:>8} {:>8}", "step", "median", "p90", "max");
    for (what, v) in &rows {
        let (m, p, x) = stats(v);
        println!("  {what:<60} {m:>8.1} {p:>8.1} {x:>8.1}");
    }
    let (overhead, _, _) = stats(&overheads);
    // the same figure as `certdesk-bench-issue` computes it: less sensitive to one slow key
    // generation (RSA's vary by hundreds of ms from key to key)
    let sums: Vec<f64> = keys.iter().map(|k| k.init + k.generate + k.write).collect();
    let apart = stats(&sums).0 - stats(&rows[3].1).0;
    let (import, _, import_max) = stats(&imports);
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    println!(
        "importing {employees} certificates at once (files read, matched, checked, kept): {import:.1} ms{} (target ≤ {IMPORT_TARGET_MS:.0} ms for 20): {}",
        if rounds > 1 { format!(" median of {rounds}, max {import_max:.1} ms") } else { String::new() },
        verdict(import <= IMPORT_TARGET_MS)
    );
    println!(
        "desk overhead per key beyond key generation: median {overhead:.1} ms (target ≤ {OVERHEAD_TARGET_MS:.0} ms): {}; median of init+gen+write − median bare keygen: {apart:.1} ms",
        verdict(overhead <= OVERHEAD_TARGET_MS)
    );
}
