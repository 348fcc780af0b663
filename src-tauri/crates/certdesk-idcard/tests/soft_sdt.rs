//! The vendor-library path (`SdtLibrary`) against the real soft SDT library
//! (`libcertdesk_idcard_soft.so`, built beside this test as a dev-dependency), loaded from its
//! path as a vendor's would be: every card type, the photo decoded by the library's `unpack`
//! (and none when it declines), ports, SAM status and number, and the faults it injects. The
//! soft library reads `CERTDESK_SDT_CARD` and `CERTDESK_SDT_FAULT` at each call: the tests take
//! turns (a lock) and set them while holding it.

use certdesk_idcard::{CardReader, ErrorKind, IdCard, IdCardError, SdtLibrary, SdtPort, Status};
use certdesk_idcard_soft::{CardFile, SAM_ID, soft_photo_bgr};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

fn soft_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let name = if cfg!(windows) { "certdesk_idcard_soft.dll" } else { "libcertdesk_idcard_soft.so" };
    [deps.join(name), deps.join("..").join(name)].into_iter().find(|p| p.is_file()).unwrap_or_else(|| panic!("{name} not built next to {}", exe.display()))
}

fn card(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cards").join(name)
}

fn expected(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(card(&format!("{name}.expected.json"))).unwrap()).unwrap()
}

static TURN: Mutex<()> = Mutex::new(());

/// This test's turn, with the soft library's card and faults set.
fn setup(card_file: &Path, faults: &str) -> MutexGuard<'static, ()> {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    // The soft library reads its card from the environment, as the desk's testers set it.
    // SAFETY: set while holding TURN: no other test of this binary runs, and nothing else in
    // the process reads the environment concurrently.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("CERTDESK_SDT_CARD", card_file);
        std::env::set_var("CERTDESK_SDT_FAULT", faults);
    }
    turn
}

fn read(name: &str, faults: &str) -> Result<IdCard, IdCardError> {
    let _turn = setup(&card(&format!("{name}.json")), faults);
    let lib = SdtLibrary::open(&soft_library()).unwrap();
    let mut reader = lib.open_port(SdtPort::usb(1).unwrap()).unwrap();
    reader.read_card()
}

#[test]
fn every_card_type_reads_into_the_cli_contract_with_its_photo_decoded() {
    for name in ["resident", "resident_long_term", "hmt", "foreign", "foreign_no_chinese_name"] {
        let card_read = read(name, "").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_value(&card_read).unwrap(), expected(name), "{name}");
        let photo_block = CardFile::load(&card(&format!("{name}.json"))).unwrap().unwrap().photo;
        let photo = card_read.photo.as_ref().expect("the soft library decodes photos");
        assert_eq!(photo.bgr(), soft_photo_bgr(&photo_block).unwrap(), "{name}");
        assert!(!serde_json::to_string(&card_read).unwrap().contains("photo"), "the photo is never serialised");
    }
}

#[test]
fn no_photo_when_the_library_does_not_decode_it() {
    let card_read = read("resident", "no_photo").unwrap();
    assert!(card_read.photo.is_none());
    assert_eq!(serde_json::to_value(&card_read).unwrap(), expected("resident"));
}

#[test]
fn the_librarys_faults_are_clear_errors() {
    let cases = [
        ("no_card", ErrorKind::NoCard, "no card on the reader"),
        ("removed", ErrorKind::CardRemoved, "before it could be read"),
        ("removed_at_select", ErrorKind::CardRemoved, "before it could be selected"),
        ("bad_text", ErrorKind::BadText, "name is not UCS-2 text"),
        ("bad_check_digit", ErrorKind::BadIdNumber, "check character (position 18)"),
    ];
    for (fault, kind, message) in cases {
        let err = read("resident", fault).expect_err(fault);
        assert_eq!(err.kind(), kind, "{fault}: {err}");
        assert!(err.to_string().contains(message), "{fault}: {err}");
    }
    assert_eq!(read("foreign_2023", "").unwrap_err().kind(), ErrorKind::UnsupportedCardType);
    // no card file at all: no card
    let _turn = setup(Path::new("/nonexistent/certdesk-card.json"), "");
    let lib = SdtLibrary::open(&soft_library()).unwrap();
    let mut reader = lib.open_port(SdtPort::usb(1).unwrap()).unwrap();
    assert!(!reader.find_card().unwrap());
    assert_eq!(reader.read_card().unwrap_err().kind(), ErrorKind::NoCard);
}

#[test]
fn ports_are_searched_and_a_port_without_a_reader_is_refused() {
    let _turn = setup(&card("resident.json"), "");
    let lib = SdtLibrary::open(&soft_library()).unwrap();
    assert!(lib.decodes_photos());
    let err = lib.open_port(SdtPort::usb(2).unwrap()).unwrap_err();
    assert!(matches!(err, IdCardError::Library { function: "SDT_OpenPort", status: Status::PORT }), "{err}");
    assert!(err.zh().contains("端口打开失败"), "{}", err.zh());
    let mut reader = lib.find_port().expect("the soft reader is on USB port 1");
    assert_eq!(reader.port().number(), 1001);
    assert_eq!(reader.read_card().unwrap().name, "张三丰");
    assert_eq!(SdtPort::new(1017).unwrap_err().kind(), ErrorKind::Open);
    drop(reader);
    drop(_turn);
    let _turn = setup(&card("resident.json"), "port");
    let err = lib.find_port().unwrap_err();
    assert!(matches!(err, IdCardError::NoReader { .. }) && err.kind() == ErrorKind::Open, "{err}");
}

#[test]
fn sam_status_and_number() {
    let _turn = setup(&card("resident.json"), "");
    let lib = SdtLibrary::open(&soft_library()).unwrap();
    let mut reader = lib.open_port(SdtPort::usb(1).unwrap()).unwrap();
    reader.sam_status().unwrap();
    reader.reset_sam().unwrap();
    assert_eq!(reader.sam_id().unwrap(), SAM_ID);
    drop(reader);
    drop(_turn);
    let _turn = setup(&card("resident.json"), "sam_fault");
    let mut reader = lib.open_port(SdtPort::usb(1).unwrap()).unwrap();
    let err = reader.sam_status().unwrap_err();
    assert!(matches!(err, IdCardError::Library { function: "SDT_GetSAMStatus", status: Status::SAM_SELF_TEST }), "{err}");
}

#[test]
fn a_separate_decoder_library_decodes_photos_too() {
    let _turn = setup(&card("hmt.json"), "");
    let lib = SdtLibrary::open_with_decoder(&soft_library(), &soft_library()).unwrap();
    let mut reader = lib.open_port(SdtPort::usb(1).unwrap()).unwrap();
    assert!(reader.read_card().unwrap().photo.is_some());
}

#[test]
fn files_that_are_no_reader_library_are_refused() {
    let err = SdtLibrary::open(Path::new("/nonexistent/libsdtapi.so")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Open);
    #[cfg(target_os = "linux")]
    {
        let err = SdtLibrary::open(Path::new("libc.so.6")).unwrap_err();
        assert!(matches!(err, IdCardError::MissingSymbol { symbol: "SDT_OpenPort", .. }), "{err}");
        assert_eq!(err.kind(), ErrorKind::MissingFunction);
    }
}
