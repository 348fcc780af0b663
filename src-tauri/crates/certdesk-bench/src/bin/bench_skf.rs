//! Dual-certificate issuance benchmark on the soft SKF library (issue #14's target): per round
//! a fresh application on the key, an SM2 key pair made on it, the token-signed request, the
//! signing certificate with its chain, the KMC's enveloped encryption key pair and the
//! encryption certificate, a 56 KB seal image, and everything read back. The test CA's and
//! KMC's work happens elsewhere in real life and is not counted. Prints the median key
//! generation and the overhead beyond it (target: ≤ 100 ms).
//!
//! `cargo build --release -p certdesk-skf-soft -p certdesk-bench && target/release/certdesk-bench-skf [--rounds N] [--module PATH]`

use certdesk_testkit::gm_ca::GmCa;
use certdesk_token::token::{SEAL_APPLICATION, SEAL_LABEL};
use certdesk_token::{Algo, DistId, DualAnswer, Keys, Pin, Subject, TokenSel};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut rounds = 20usize;
    let exe = std::env::current_exe().expect("the benchmark's path");
    let mut module = exe.with_file_name(if cfg!(windows) { "certdesk_skf_soft.dll" } else { "libcertdesk_skf_soft.so" });
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => rounds = args.next().and_then(|v| v.parse().ok()).filter(|n| *n > 0).expect("--rounds N"),
            "--module" => module = PathBuf::from(args.next().expect("--module PATH")),
            other => {
                eprintln!("unknown argument {other}; usage: certdesk-bench-skf [--rounds N] [--module PATH]");
                std::process::exit(2);
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("soft-key-1")).expect("the soft key's folder");
    // SAFETY: single-threaded, before the library is loaded
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("CERTDESK_SKF_DIR", dir.path());
        std::env::set_var("CERTDESK_SKF_FAULT", "");
    }
    let keys = Keys::open(&module).unwrap_or_else(|e| panic!("{}: {e} (build it: cargo build -p certdesk-skf-soft)", module.display()));
    let ca = GmCa::root("certdesk bench SM2 Root");
    let (so, pin) = (Pin::new("admin-8765".into()), Pin::new("24681357".into()));
    let mut seal = b"\x89PNG\r\n\x1a\n".to_vec();
    seal.extend((0..56 * 1024).map(|i| (i * 7919 % 251) as u8));
    let subject =
        Subject { common_name: "呼和浩特市示例科技有限公司".into(), serial_number: Some("91150100MA0N2X3Y4Z".into()), country: "CN".into(), ..Default::default() };
    let (mut keygen_t, mut rest_t) = (Vec::new(), Vec::new());
    let mut phases: [Vec<f64>; 5] = Default::default();
    for round in 0..rounds {
        let label = format!("BENCH{round}");
        keys.init(0, &label, &so, &pin).expect("init");
        let sel = TokenSel::Label(label);
        let t0 = Instant::now();
        let key = keys.generate(&sel, &pin, Algo::Sm2, &subject.common_name).expect("keygen");
        let t1 = Instant::now();
        let csr = keys.csr_with_id(&sel, &pin, &key.id, &subject, &DistId::default()).expect("request");
        let t2 = Instant::now();
        // the CA and the KMC: elsewhere, not counted
        let (_, csr_der) = certdesk_gm::der::pem::decode_vec(csr.as_bytes()).expect("PEM");
        let sign = ca.issue_signing(&csr_der).expect("the CA issues");
        let answer = ca.kmc_answer(&sign);
        let t3 = Instant::now();
        keys.write_cert(&sel, &pin, &sign, Some(ca.cert_der())).expect("signing certificate");
        let t3a = Instant::now();
        let read = DualAnswer::read(&answer.csr_response_der, None).expect("the KMC's answer");
        keys.import_enc(&sel, &pin, Some(&key.id), &read, &DistId::default()).expect("encryption key pair and certificate");
        let t3b = Instant::now();
        keys.write_data(&sel, &pin, SEAL_APPLICATION, SEAL_LABEL, &seal).expect("seal image");
        let t3c = Instant::now();
        let shown = keys.show(&sel, Some(&pin)).expect("read back");
        let t4 = Instant::now();
        for (i, d) in [t2 - t1, t3a - t3, t3b - t3a, t3c - t3b, t4 - t3c].into_iter().enumerate() {
            phases[i].push(ms(d));
        }
        assert_eq!(shown.certificates.len(), 3, "signing, encryption and CA certificates");
        keygen_t.push(ms(t1 - t0));
        rest_t.push(ms(t2 - t1) + ms(t4 - t3));
    }
    let (k, r) = (median(&mut keygen_t), median(&mut rest_t));
    let worst = rest_t.iter().copied().fold(0.0, f64::max);
    println!("SM2 dual-certificate issuance on the soft SKF library, {rounds} rounds (median)");
    let names = ["request", "signing certificate + chain", "encryption key pair + certificate", "seal image", "read-back"];
    let split: Vec<String> = names.iter().zip(phases.iter_mut()).map(|(n, v)| format!("{n} {:.1}", median(v))).collect();
    println!("medians by step (ms): {}", split.join(", "));
    println!("keygen {k:.1} ms; beyond it (request, both certificates, enveloped key pair, 56 KB seal image, read-back): median {r:.1} ms, worst {worst:.1} ms (target ≤ 100 ms)");
}
