//! Issuance benchmark on SoftHSM2: initialise a token, generate the key pair on it, make the
//! token-signed request, (the CA signs it: openssl, timed apart), write certificate, chain and a
//! 56 KB seal image, and read everything back. Prints the bare key generation and the overhead
//! beyond it per algorithm.
//!
//! `cargo run --release -p certdesk-bench --bin certdesk-bench-issue [-- --rounds N]`

use certdesk_token::token::{SEAL_APPLICATION, SEAL_LABEL};
use certdesk_token::{Algo, Keys, Pin, Subject, TokenSel};
use std::process::Command;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut rounds = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().and_then(|v| v.parse().ok()).expect("--rounds N"),
            other => {
                eprintln!("unknown argument {other}; usage: certdesk-bench-issue [--rounds N]");
                std::process::exit(2);
            }
        }
    }
    let module = std::env::var("CERTDESK_PKCS11_MODULE").unwrap_or_else(|_| "/usr/lib/softhsm/libsofthsm2.so".into());
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("tokens")).unwrap();
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", dir.path().join("tokens").display()))
        .unwrap();
    // SAFETY: single-threaded, before the module is loaded
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf)
    };
    let ca_key = dir.path().join("ca.key");
    let ca = dir.path().join("ca.pem");
    let ok = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout"])
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca)
        .args(["-subj", "/C=CN/O=Bench CA/CN=Bench Root", "-days", "30"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "openssl is needed to play the CA");
    let ca_bytes = std::fs::read(&ca).unwrap();
    let mut seal = b"\x89PNG\r\n\x1a\n".to_vec();
    seal.extend((0..56 * 1024).map(|i| (i * 7919 % 251) as u8));
    let keys = Keys::open(std::path::Path::new(&module)).expect("SoftHSM module");
    let so = Pin::new("87654321".into());
    let pin = Pin::new("24681357".into());
    println!("issuance on SoftHSM2, {rounds} rounds per algorithm (median)");
    println!("{:<8} {:>9} {:>9} {:>9} {:>9} {:>12}", "algo", "init ms", "keygen", "rest", "total", "overhead ms");
    for algo in [Algo::EcP256, Algo::Rsa2048] {
        let (mut init_t, mut keygen_t, mut rest_t, mut total_t) = (vec![], vec![], vec![], vec![]);
        for round in 0..rounds {
            let label = format!("B{}{round}", algo.name().replace('-', ""));
            let slot = keys.slots().unwrap().into_iter().find(|s| s.token.as_ref().is_some_and(|t| !t.initialized)).expect("an empty slot").slot_index;
            let t0 = Instant::now();
            keys.init(slot, &label, &so, &pin).expect("init");
            let t1 = Instant::now();
            let sel = TokenSel::Label(label.clone());
            let key = keys.generate(&sel, &pin, algo, "bench").expect("keygen");
            let t2 = Instant::now();
            let csr = keys.csr(&sel, &pin, &key.id, &Subject { common_name: "广州市示例科技有限公司".into(), country: "CN".into(), ..Default::default() }).expect("csr");
            let t3 = Instant::now();
            // the CA's part happens elsewhere: not counted
            let csr_path = dir.path().join("req.pem");
            let cert_path = dir.path().join("cert.pem");
            std::fs::write(&csr_path, &csr).unwrap();
            let out = Command::new("openssl")
                .args(["x509", "-req", "-in"])
                .arg(&csr_path)
                .arg("-CA")
                .arg(&ca)
                .arg("-CAkey")
                .arg(&ca_key)
                .args(["-CAcreateserial", "-days", "365", "-out"])
                .arg(&cert_path)
                .output()
                .unwrap();
            assert!(out.status.success());
            let cert = std::fs::read(&cert_path).unwrap();
            let t4 = Instant::now();
            keys.write_cert(&sel, &pin, &cert, Some(&ca_bytes)).expect("write cert");
            keys.write_data(&sel, &pin, SEAL_APPLICATION, SEAL_LABEL, &seal).expect("write seal");
            let shown = keys.show(&sel, Some(&pin)).expect("read back");
            assert_eq!(shown.certificates.len(), 2);
            let t5 = Instant::now();
            init_t.push(ms(t1 - t0));
            keygen_t.push(ms(t2 - t1));
            let rest = ms(t3 - t2) + ms(t5 - t4);
            rest_t.push(rest);
            total_t.push(ms(t1 - t0) + ms(t2 - t1) + rest);
        }
        let med = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (i, k, r, t) = (med(&mut init_t), med(&mut keygen_t), med(&mut rest_t), med(&mut total_t));
        println!("{:<8} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>12.1}", algo.name(), i, k, r, t, t - k);
    }
}
