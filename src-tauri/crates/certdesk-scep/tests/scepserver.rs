//! The client against a SCEP server this repository did not write: Debian's `scep` package
//! (micromdm's `scepserver`) as a throwaway CA on loopback. Requests are made by OpenSSL
//! (`openssl req`, the challenge in the request), the issued certificate is checked by
//! OpenSSL against the server's CA.

use certdesk_scep::{Ra, ScepError, Signer};
use certdesk_testkit::scep::{ScepServer, available};
use std::path::Path;
use std::process::Command;
use zeroize::Zeroizing;

/// The server these tests need: installed by `scripts/deps.sh test` (Debian's `scep`), as
/// SoftHSM is for the key tests; a machine without it fails here, saying so, rather than skip.
fn need_server() {
    assert!(available(), "scepserver is needed (scripts/deps.sh test installs the scep package)");
}

/// A PKCS#10 request (DER) with `challenge`, and its key, made by OpenSSL.
fn openssl_request(dir: &Path, cn: &str, challenge: &str) -> Vec<u8> {
    let conf = dir.join(format!("{cn}.cnf"));
    std::fs::write(&conf, format!("[req]\nprompt = no\ndistinguished_name = dn\nattributes = attrs\n[dn]\nC = CN\nCN = {cn}\n[attrs]\nchallengePassword = {challenge}\n")).unwrap();
    let out = dir.join(format!("{cn}.csr.der"));
    let st = Command::new("openssl")
        .args(["req", "-utf8", "-new", "-newkey", "rsa:2048", "-nodes", "-outform", "DER", "-config"])
        .arg(&conf)
        .arg("-keyout")
        .arg(dir.join(format!("{cn}.key")))
        .arg("-out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    std::fs::read(out).unwrap()
}

fn ra(server: &ScepServer, challenge: &str) -> Ra {
    Ra { url: server.url.clone(), ca_der: server.ca_der(), challenge: Zeroizing::new(challenge.into()) }
}

#[test]
fn a_request_with_the_challenge_comes_back_issued_and_openssl_verifies_it() {
    need_server();
    let dir = tempfile::tempdir().unwrap();
    let server = ScepServer::start(dir.path(), "s3cret-Challenge");
    let signer = Signer::new().unwrap();
    let csr = openssl_request(dir.path(), "张三", "s3cret-Challenge");
    let got = certdesk_scep::enrol(&ra(&server, "s3cret-Challenge"), &csr, &signer).unwrap_or_else(|e| panic!("{e}\n{}", server.log_text()));
    assert_eq!(got.ca_certificates, vec![server.ca_der()]);
    let cert = dir.path().join("issued.der");
    std::fs::write(&cert, &got.certificate).unwrap();
    let verify = Command::new("openssl").args(["verify", "-CAfile"]).arg(&server.ca_pem).arg("-inform").arg("DER").arg(&cert).output().unwrap();
    // openssl verify takes PEM only in older versions: convert first
    let pem = dir.path().join("issued.pem");
    let conv = Command::new("openssl").args(["x509", "-inform", "DER", "-in"]).arg(&cert).arg("-out").arg(&pem).output().unwrap();
    assert!(conv.status.success());
    let verify = if verify.status.success() { verify } else { Command::new("openssl").args(["verify", "-CAfile"]).arg(&server.ca_pem).arg(&pem).output().unwrap() };
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    let text = Command::new("openssl").args(["x509", "-noout", "-subject", "-nameopt", "utf8", "-in"]).arg(&pem).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("CN=张三") || String::from_utf8_lossy(&text.stdout).contains("CN = 张三"), "{}", String::from_utf8_lossy(&text.stdout));
    // the issued certificate's key is the request's
    let key_pub = Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(dir.path().join("张三.key")).output().unwrap().stdout;
    let cert_pub = Command::new("openssl").args(["x509", "-noout", "-pubkey", "-in"]).arg(&pem).output().unwrap().stdout;
    assert_eq!(key_pub, cert_pub);
}

#[test]
fn a_wrong_challenge_is_refused_with_the_reason_and_an_unpinned_ca_is_not_trusted() {
    need_server();
    let dir = tempfile::tempdir().unwrap();
    let server = ScepServer::start(dir.path(), "right");
    let signer = Signer::new().unwrap();
    let csr = openssl_request(dir.path(), "李四", "wrong");
    match certdesk_scep::enrol(&ra(&server, "right"), &csr, &signer) {
        Err(ScepError::Refused { reason }) => assert!(reason.starts_with("badRequest"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // another CA pinned: nothing is sent
    let other_dir = tempfile::tempdir().unwrap();
    let other = ScepServer::start(other_dir.path(), "x");
    let pinned_elsewhere = Ra { ca_der: other.ca_der(), ..ra(&server, "right") };
    assert!(matches!(certdesk_scep::enrol(&pinned_elsewhere, &csr, &signer), Err(ScepError::NotPinned { .. })));
    // nobody listening
    let gone = Ra { url: "http://127.0.0.1:9/scep".into(), ..ra(&server, "right") };
    assert!(matches!(certdesk_scep::enrol(&gone, &csr, &signer), Err(ScepError::Unreachable { .. })));
}
