//! The serial reader (`Reader`) against a GA/T 467 reader simulated on a real pseudo-terminal,
//! its answers paced as a 115200-baud line: every card type (decoded JSON compared with
//! hand-written expectations), every bad input of the issue (each a typed error of its own),
//! a card laid, swapped and taken away, fingerprints, SAM status and number.

#![cfg(unix)]

use certdesk_idcard::{CardReader, ErrorKind, IdCardError, Reader, Status, Timeouts};
use certdesk_idcard_soft::sim::{SimConfig, Simulator};
use certdesk_idcard_soft::{Fault, SAM_ID};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn card(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cards").join(name)
}

fn expected(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(card(&format!("{name}.expected.json"))).unwrap()).unwrap()
}

/// Short enough for the silent reader's test, long enough for a loaded CI machine.
const TIMEOUTS: Timeouts = Timeouts { answer: Duration::from_millis(800), read: Duration::from_millis(1500), gap: Duration::from_millis(250) };

fn reader_on(card_file: Option<PathBuf>, faults: &[Fault]) -> (Simulator, Reader) {
    let sim = Simulator::start(SimConfig { card: card_file, faults: faults.to_vec(), ..SimConfig::default() }).unwrap();
    let reader = Reader::open_with(sim.path(), TIMEOUTS).unwrap();
    (sim, reader)
}

fn read(name: &str, faults: &[Fault]) -> Result<certdesk_idcard::IdCard, IdCardError> {
    let (_sim, mut reader) = reader_on(Some(card(&format!("{name}.json"))), faults);
    reader.read_card()
}

#[test]
fn every_card_type_reads_into_the_cli_contract() {
    for name in ["resident", "resident_long_term", "hmt", "foreign", "foreign_no_chinese_name"] {
        let card = read(name, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_value(&card).unwrap(), expected(name), "{name}");
        assert!(card.photo.is_none(), "the serial line never decodes a photo");
    }
}

#[test]
fn the_2023_foreign_card_is_an_unsupported_card_type() {
    let err = read("foreign_2023", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedCardType, "{err}");
    assert!(err.to_string().contains("'Y'") && err.zh().contains("“Y”"), "{err} / {}", err.zh());
}

#[test]
fn each_bad_input_is_its_own_clear_error() {
    let cases = [
        (Fault::BadCheck, ErrorKind::BadCheckByte, "wrong check byte"),
        (Fault::ShortFrame, ErrorKind::ShortFrame, "short frame"),
        (Fault::ShortAnswer, ErrorKind::ShortFrame, "short frame: the answer to read text and photo has 104 data bytes, it needs 1284"),
        (Fault::Oversized, ErrorKind::OversizedFrame, "oversized frame: its length field says 4096"),
        (Fault::UnknownStatus, ErrorKind::UnknownStatus, "unknown status 00 00 55"),
        (Fault::Silence, ErrorKind::Timeout, "did not answer read text and photo within"),
        (Fault::Truncated, ErrorKind::Truncated, "stopped answering read text and photo after"),
        (Fault::Removed, ErrorKind::CardRemoved, "taken off the reader before it could be read"),
        (Fault::RemovedAtSelect, ErrorKind::CardRemoved, "before it could be selected"),
        (Fault::BadText, ErrorKind::BadText, "name is not UCS-2 text: 0xD800 at byte 2"),
        (Fault::BadCheckDigit, ErrorKind::BadIdNumber, "check character (position 18) is '1', the number computes to '2'"),
        (Fault::NoCard, ErrorKind::NoCard, "no card on the reader"),
    ];
    for (fault, kind, message) in cases {
        let err = read("resident", &[fault]).expect_err(fault.name());
        assert_eq!(err.kind(), kind, "{}: {err}", fault.name());
        assert!(err.to_string().contains(message), "{}: {err}", fault.name());
        assert!(!err.zh().is_empty());
    }
}

#[test]
fn noise_before_the_answers_is_skipped() {
    let card = read("hmt", &[Fault::Garbage]).unwrap();
    assert_eq!(serde_json::to_value(&card).unwrap(), expected("hmt"));
}

#[test]
fn a_card_is_laid_swapped_and_taken_away_and_a_failed_read_leaves_the_reader_usable() {
    let dir = tempfile::tempdir().unwrap();
    let on_reader = dir.path().join("card.json");
    let (_sim, mut reader) = reader_on(Some(on_reader.clone()), &[]);
    assert!(!reader.find_card().unwrap());
    assert_eq!(reader.read_card().unwrap_err().kind(), ErrorKind::NoCard);
    std::fs::copy(card("resident.json"), &on_reader).unwrap();
    assert!(reader.find_card().unwrap());
    assert_eq!(reader.read_card().unwrap().name, "张三丰");
    // a card whose answer is corrupt, then a good one: nothing of the first is kept
    let mut bad: serde_json::Value = serde_json::from_slice(&std::fs::read(card("foreign.json")).unwrap()).unwrap();
    bad["faults"] = serde_json::json!(["bad_check"]);
    std::fs::write(&on_reader, serde_json::to_vec(&bad).unwrap()).unwrap();
    assert_eq!(reader.read_card().unwrap_err().kind(), ErrorKind::BadCheckByte);
    std::fs::copy(card("foreign.json"), &on_reader).unwrap();
    assert_eq!(serde_json::to_value(reader.read_card().unwrap()).unwrap(), expected("foreign"));
    std::fs::remove_file(&on_reader).unwrap();
    assert!(!reader.find_card().unwrap());
}

#[test]
fn fingerprints_are_reported_not_kept() {
    let (_sim, mut reader) = reader_on(Some(card("resident.json")), &[]);
    assert!(reader.find_card().unwrap());
    reader.select_card().unwrap();
    let (card, has_fingerprint) = reader.read_selected_with_fingerprint().unwrap();
    assert_eq!(serde_json::to_value(&card).unwrap(), expected("resident"));
    assert!(has_fingerprint);
    let (_sim, mut reader) = reader_on(Some(card_path_without_fingerprint()), &[]);
    assert!(reader.find_card().unwrap());
    reader.select_card().unwrap();
    assert!(!reader.read_selected_with_fingerprint().unwrap().1);
}

fn card_path_without_fingerprint() -> PathBuf {
    card("hmt.json")
}

#[test]
fn sam_status_number_and_reset() {
    let (_sim, mut reader) = reader_on(None, &[]);
    reader.sam_status().unwrap();
    reader.reset_sam().unwrap();
    assert_eq!(reader.sam_id().unwrap(), SAM_ID);
    let (_sim, mut reader) = reader_on(None, &[Fault::SamFault]);
    let err = reader.sam_status().unwrap_err();
    assert!(matches!(err, IdCardError::Status { status: Status::SAM_SELF_TEST, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::ReaderStatus);
    assert!(err.zh().contains("SAM_V自检失败"), "{}", err.zh());
}

#[test]
fn a_device_that_does_not_exist_is_an_open_error() {
    let err = Reader::open("/dev/certdesk-no-such-reader").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Open);
    assert!(err.to_string().contains("/dev/certdesk-no-such-reader"), "{err}");
}
