//! The `certdesk-idcard-sim` program as the app's end-to-end test and a tester at a shell run
//! it: started with a card file and a link path, it prints its device, the link points there,
//! the host reads the card through it, a fault given on its command line is injected, and a
//! bad argument or card file stops it with a message.

#![cfg(unix)]

use certdesk_idcard::{CardReader, ErrorKind, Reader, Timeouts};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Sim {
    child: Child,
    path: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk-idcard-sim")).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("/dev/"), "first line: {line:?}");
    Sim { child, path: line.trim().to_string() }
}

fn card_file(dir: &std::path::Path, faults: &[&str]) -> std::path::PathBuf {
    let path = dir.join("card.json");
    let card = serde_json::json!({"card_type": "hmt_residence", "name": "李家明", "sex": "男", "birth_date": "1995-05-22",
        "address": "广东省珠海市香洲区情侣中路9号", "id_number": "820000199505220038", "issuer": "珠海市公安局",
        "valid_from": "2020-01-01", "valid_to": "2025-01-01", "pass_number": "M87654321", "issue_count": 1, "faults": faults});
    std::fs::write(&path, card.to_string()).unwrap();
    path
}

const TIMEOUTS: Timeouts = Timeouts { answer: Duration::from_millis(800), read: Duration::from_millis(1500), gap: Duration::from_millis(250) };

#[test]
fn the_program_serves_its_card_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let card = card_file(dir.path(), &[]);
    let link = dir.path().join("ttyIDCARD");
    let sim = start(&["--card", card.to_str().unwrap(), "--link", link.to_str().unwrap()]);
    assert_eq!(std::fs::read_link(&link).unwrap().to_str().unwrap(), sim.path);
    let mut reader = Reader::open_with(link.to_str().unwrap(), TIMEOUTS).unwrap();
    let read = reader.read_card().unwrap();
    assert_eq!((read.name.as_str(), read.sex.zh(), read.id_number.as_str()), ("李家明", "男", "820000199505220038"));
    assert_eq!((read.pass_number.as_deref(), read.issue_count), (Some("M87654321"), Some(1)));
    // a second opening of the same device (the CLI runs once per read)
    drop(reader);
    let mut again = Reader::open_with(&sim.path, TIMEOUTS).unwrap();
    assert_eq!(again.read_card().unwrap().name, "李家明");
}

#[test]
fn faults_on_the_command_line_are_injected() {
    let dir = tempfile::tempdir().unwrap();
    let card = card_file(dir.path(), &[]);
    let sim = start(&["--card", card.to_str().unwrap(), "--fault", "bad_check_digit", "--baud", "0"]);
    let err = Reader::open_with(&sim.path, TIMEOUTS).unwrap().read_card().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadIdNumber, "{err}");
    let sim = start(&["--fault", "sam_fault"]);
    let mut reader = Reader::open_with(&sim.path, TIMEOUTS).unwrap();
    assert_eq!(reader.sam_status().unwrap_err().kind(), ErrorKind::ReaderStatus);
    assert_eq!(reader.read_card().unwrap_err().kind(), ErrorKind::NoCard);
}

#[test]
fn bad_arguments_and_card_files_stop_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk-idcard-sim")).args(["--fault", "nonsense"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault \"nonsense\""));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"card_type": "passport"}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk-idcard-sim")).args(["--card", bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown card_type \"passport\""));
}
