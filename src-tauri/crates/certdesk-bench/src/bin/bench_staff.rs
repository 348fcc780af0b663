//! Staff keys benchmark (#31) on SoftHSM2: a supervisor's P-256 key on a token, its certificate
//! from an openssl operator CA, enrolled on a store file; then, round after round, the key's own
//! signature (PIN login and sign, through the token layer), the sign-in with password and key
//! (password check, challenge, the key's signature, its check) and a signed approval (the
//! approval statement signed on the key, checked and recorded in the approval's transaction).
//! Prints medians and the overhead of each beyond the key's own signature (target ≤ 300 ms).
//!
//! `cargo run --release -p certdesk-bench --bin certdesk-bench-staff [-- --rounds N]`

use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::catalog::Catalog;
use certdesk_desk::domain::Action;
use certdesk_desk::domain::workflow::Role;
use certdesk_desk::keydesk::KeyLibrary;
use certdesk_desk::staff::StaffKey;
use certdesk_desk::store::Password;
use certdesk_desk::token::{Algo, Pin, TokenSel};
use std::fmt::Display;
use std::process::Command;
use std::time::Instant;

const ORG_NEW: &str = include_str!("../../../../../tests/fixtures/case-org-new.json");

fn or_die<T, E: Display>(r: Result<T, E>, what: impl Display) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("certdesk-bench-staff: {what}: {e}");
        std::process::exit(1)
    })
}

fn openssl(args: &[&str], what: &str) {
    let out = or_die(Command::new("openssl").args(args).output(), format!("{what} (openssl is needed to play the operator CA)"));
    if !out.status.success() {
        eprintln!("certdesk-bench-staff: {what}: {}", String::from_utf8_lossy(&out.stderr).trim());
        std::process::exit(1);
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let mut rounds = 20usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| or_die(Err::<usize, _>("--rounds N"), "usage")),
            other => or_die(Err::<(), _>(format!("unknown argument {other}; usage: certdesk-bench-staff [--rounds N]")), "usage"),
        }
    }
    let module = std::path::PathBuf::from(std::env::var("CERTDESK_PKCS11_MODULE").unwrap_or_else(|_| "/usr/lib/softhsm/libsofthsm2.so".into()));
    let dir = or_die(tempfile::tempdir(), "a temp folder");
    let d = dir.path();
    or_die(std::fs::create_dir(d.join("tokens")), "the token folder");
    let conf = d.join("softhsm2.conf");
    or_die(
        std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", d.join("tokens").display())),
        "the SoftHSM2 configuration",
    );
    // SAFETY: single-threaded, before the module is loaded
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf)
    };
    let p = |name: &str| d.join(name).display().to_string();

    // the supervisor's key and certificate
    let bare = or_die(certdesk_token::Keys::open(&module), "the PKCS#11 module");
    let (so, pin) = (Pin::new("87654321".into()), Pin::new("24681357".into()));
    or_die(bare.init(0, "LI-KEY", &so, &pin), "initialising the token");
    let sel = TokenSel::Label("LI-KEY".into());
    let key = or_die(bare.generate(&sel, &pin, Algo::EcP256, "li"), "the key pair");
    let csr = or_die(bare.csr(&sel, &pin, &key.id, &certdesk_token::Subject { common_name: "李复核".into(), country: "CN".into(), ..Default::default() }), "the request");
    or_die(std::fs::write(p("li.csr"), csr), "the request file");
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.pem"),
            "-subj",
            "/CN=Operator CA",
            "-days",
            "30",
        ],
        "the operator CA",
    );
    or_die(std::fs::write(p("li.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"), "the extensions");
    openssl(
        &["x509", "-req", "-in", &p("li.csr"), "-CA", &p("ca.pem"), "-CAkey", &p("ca.key"), "-CAcreateserial", "-days", "30", "-extfile", &p("li.ext"), "-out", &p("li.pem")],
        "li's certificate",
    );
    let cert_pem = or_die(std::fs::read(p("li.pem")), "li's certificate");
    or_die(bare.write_cert(&sel, &pin, &cert_pem, None), "writing the certificate");
    let cert = or_die(certdesk_token::cert::parse_many(&cert_pem), "li's certificate").remove(0);

    // the counter
    let catalog = or_die(Catalog::embedded(), "the embedded catalog");
    let pw = |who: &str| Password::new(format!("{who}-bench-pass-1"));
    let mut store: CaseStore = or_die(certdesk_desk::place::open_file(&d.join("c.db")), "the store");
    let mut admin = or_die(Session::first_admin(&mut store, "admin", &pw("admin"), "GZ01", "广州受理点"), "the first administrator");
    for (who, role) in [("zhang", Role::Clerk), ("li", Role::Supervisor)] {
        or_die(or_die(admin.desk(&mut store), "the administrator's desk").add_account(who, &[role], &pw(who)), format!("the account {who}"));
    }
    let ca = or_die(std::fs::read(p("ca.pem")), "the operator CA");
    // the installation's operator CA named as CERTDESK_OPERATOR_CA would: nothing installed in the user's folder
    let operator_ca = or_die(certdesk_desk::operator_ca::OperatorCa::from_file(&d.join("ca.pem")), "the operator CA as the installation's");
    or_die(or_die(admin.desk(&mut store), "the administrator's desk").enrol_key("li", &cert_pem, &ca, &operator_ca), "enrolling li's key");
    let mut clerk = or_die(Session::sign_in(&mut store, "zhang", &pw("zhang")), "signing in the clerk");
    let library = or_die(KeyLibrary::open(&module), "the PKCS#11 module (desk)");
    let staff = StaffKey { library: &library, token: None, pin: &pin };

    let (mut bare_sign, mut sign_in, mut approve) = (Vec::new(), Vec::new(), Vec::new());
    let statement = b"certdesk-approval-v1\ncounter GZ01\ncase -\napproval -\nsigner li\ncertificate -\n";
    for _ in 0..rounds {
        let json = or_die(certdesk_desk::materials::case_json_all_received(&catalog, ORG_NEW), "the case's checklist");
        let n = or_die(or_die(clerk.desk(&mut store), "the clerk's desk").import_case(&catalog, &json), "a case").number;
        for action in [Action::Accept, Action::Submit] {
            or_die(or_die(clerk.desk(&mut store), "the clerk's desk").act(&catalog, &n, action, None), "the clerk's step");
        }
        let t0 = Instant::now();
        or_die(bare.sign_as(&sel, &pin, &cert, statement), "the key's own signature");
        let t1 = Instant::now();
        let mut li = or_die(Session::sign_in_with_key(&mut store, "li", &pw("li"), Some(&staff)), "signing li in with the key");
        let t2 = Instant::now();
        or_die(or_die(li.desk(&mut store), "li's desk").approve_signed(&catalog, &n, false, &staff), "the signed approval");
        let t3 = Instant::now();
        bare_sign.push((t1 - t0).as_secs_f64() * 1000.0);
        sign_in.push((t2 - t1).as_secs_f64() * 1000.0);
        approve.push((t3 - t2).as_secs_f64() * 1000.0);
    }
    let report = or_die(or_die(admin.desk(&mut store), "the administrator's desk").verify_audit(&operator_ca), "audit verify");
    if !report.ok || report.signatures.checked != rounds as u64 {
        or_die(Err::<(), _>(format!("audit verify: ok {}, {} signatures checked of {rounds}", report.ok, report.signatures.checked)), "the run's check");
    }
    let (key, signin, appr) = (median(&mut bare_sign), median(&mut sign_in), median(&mut approve));
    println!("staff keys on SoftHSM2 (P-256), {rounds} rounds, medians; every approval's signature verified by audit verify");
    println!("{:<38} {:>9} {:>16}", "", "total ms", "beyond the key ms");
    println!("{:<38} {:>9.1} {:>16}", "the key's own signature (PIN + sign)", key, "-");
    println!("{:<38} {:>9.1} {:>16.1}", "sign-in with password and key", signin, signin - key);
    println!("{:<38} {:>9.1} {:>16.1}", "signed approval", appr, appr - key);
    for (what, overhead) in [("sign-in", signin - key), ("approval", appr - key)] {
        if overhead > 300.0 {
            println!("TARGET MISSED: {what} {overhead:.1} ms beyond the key's own signature (target 300 ms)");
        }
    }
}
