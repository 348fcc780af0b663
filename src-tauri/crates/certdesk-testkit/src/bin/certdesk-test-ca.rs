//! `certdesk-test-ca`: the test SM2 CA and KMC (`certdesk_testkit::gm_ca`) as a command, for
//! tests that are not Rust (the app's end-to-end test): the CA the way a CA answers a counter,
//! with files. Never shipped; owns no rule of the product.
//!
//! ```text
//! certdesk-test-ca init  DIR                     a new SM2 root: DIR/ca.pem, DIR/ca.key.pem
//! certdesk-test-ca issue DIR REQ.pem OUT.pem     the signing certificate for an SM2 request
//!                                                (its signature checked under the standard ID)
//! certdesk-test-ca kmc   DIR SIGN.pem OUTDIR     the KMC's answer for that signing certificate:
//!                                                OUTDIR/enc.pem, envelope.gmt0009.der,
//!                                                envelope.skf.bin, answer.gmt0092.der
//! ```

use certdesk_testkit::gm_ca::{GmCa, pem};
use std::path::Path;
use std::process::ExitCode;

fn der_of(path: &str) -> Result<Vec<u8>, String> {
    let text = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    match certdesk_gm::der::pem::decode_vec(&text) {
        Ok((_, der)) => Ok(der),
        Err(_) => Ok(text),
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or_else(|| "usage: certdesk-test-ca init DIR | issue DIR REQ OUT | kmc DIR SIGN OUTDIR".to_string());
    match arg(0)? {
        "init" => {
            let dir = Path::new(arg(1)?);
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            GmCa::root("certdesk SM2 Test Root").save(dir).map_err(|e| e.to_string())
        }
        "issue" => {
            let ca = GmCa::load(Path::new(arg(1)?))?;
            let cert = ca.issue_signing(&der_of(arg(2)?)?).map_err(|e| format!("the request: {e}"))?;
            std::fs::write(arg(3)?, pem(&cert)).map_err(|e| e.to_string())
        }
        "kmc" => {
            let ca = GmCa::load(Path::new(arg(1)?))?;
            let answer = ca.kmc_answer(&der_of(arg(2)?)?);
            let out = Path::new(arg(3)?);
            std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
            for (name, bytes) in [
                ("enc.pem", pem(&answer.enc_cert_der).into_bytes()),
                ("envelope.gmt0009.der", answer.gmt0009_der),
                ("envelope.skf.bin", answer.skf_blob),
                ("answer.gmt0092.der", answer.csr_response_der),
            ] {
                std::fs::write(out.join(name), bytes).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        other => Err(format!("unknown command {other:?}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certdesk-test-ca: {e}");
            ExitCode::FAILURE
        }
    }
}
