//! PC/SC against a real daemon: a private `pcscd` (its own mount namespace, because pcscd
//! hard-codes /run/pcscd) with the vsmartcard `vpcd` reader driver, and a small virtual card of
//! our own speaking the vpcd socket protocol. Insertion and removal, ATR identification, APDU
//! exchange, a key pulled out mid-operation and the daemon going away.

use certdesk_testkit::pcsc::{SERIAL, insert_card, start_daemon};
use certdesk_token::readers::{ReaderError, ReaderEvent, Readers};
use std::time::{Duration, Instant};

fn wait_for(readers: &Readers, known: &mut Vec<certdesk_token::readers::ReaderState>, want: impl Fn(&ReaderEvent) -> bool) -> ReaderEvent {
    let start = Instant::now();
    loop {
        let (events, now) = readers.wait(known, Duration::from_millis(500)).unwrap();
        *known = now;
        if let Some(e) = events.into_iter().find(|e| want(e)) {
            return e;
        }
        // Generous: the loop returns as soon as the event comes; a loaded CI machine (the
        // whole workspace's tests beside it) can take many seconds to schedule the daemon.
        assert!(start.elapsed() < Duration::from_secs(60), "event did not come");
    }
}

#[test]
fn readers_keys_and_apdus_on_a_real_pcsc_daemon() {
    let daemon = start_daemon();
    // SAFETY: set before any PC/SC context exists; this binary has a single test
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("PCSCLITE_CSOCK_NAME", &daemon.socket)
    };
    let readers = Readers::connect().expect("the private pcscd answers");
    let start = Instant::now();
    let mut known = loop {
        let l = readers.list().unwrap();
        // vpcd's two readers appear once pcscd has loaded the driver: seconds, or tens of
        // seconds on a loaded machine (a CI run saw none after 10 s; alone it takes under 5).
        if l.len() >= 2 || start.elapsed() > Duration::from_secs(60) {
            break l;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(known.iter().any(|r| r.reader.starts_with("Virtual PCD")), "{known:?}");
    assert!(known.iter().all(|r| !r.card_present));

    // insertion: the ATR identifies the model
    let card = insert_card(daemon.port);
    let inserted = wait_for(&readers, &mut known, |e| matches!(e, ReaderEvent::CardInserted { .. }));
    let ReaderEvent::CardInserted { reader, atr, model } = inserted else { unreachable!() };
    assert_eq!(atr, "3B 8A 80 01 63 65 72 74 64 65 73 6B 31 2E 30 5A");
    assert_eq!(model.as_deref(), Some("certdesk virtual test key (certdesk)"));

    // APDUs
    let select = readers.transmit(&reader, &[0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x00, 0x01]).unwrap();
    assert_eq!(select, vec![0x90, 0x00]);
    let serial = readers.transmit(&reader, &[0x80, 0xCA, 0x9F, 0x7F, 0x00]).unwrap();
    assert_eq!(serial, [SERIAL, &[0x90, 0x00]].concat());
    let t = Instant::now();
    for _ in 0..20 {
        readers.transmit(&reader, &[0x00, 0xA4, 0x04, 0x00, 0x00]).unwrap();
    }
    eprintln!("20 APDUs (connect + transmit each) in {:?}", t.elapsed());

    // removal
    drop(card);
    wait_for(&readers, &mut known, |e| matches!(e, ReaderEvent::CardRemoved { .. }));
    assert!(matches!(readers.transmit(&reader, &[0x00, 0xA4, 0x04, 0x00, 0x00]), Err(ReaderError::NoCard(_))));

    // pulled out in the middle of an exchange: a clear error, not a hang
    let _card = insert_card(daemon.port);
    wait_for(&readers, &mut known, |e| matches!(e, ReaderEvent::CardInserted { .. }));
    let err = readers.transmit(&reader, &[0x00, 0xEE, 0x00, 0x00]).unwrap_err();
    assert!(matches!(err, ReaderError::Removed(_)), "{err:?}");
    assert!(err.to_string().contains(&reader) && err.to_string().contains("removed"), "{err}");

    // the daemon goes away: an ordinary, named state
    drop(daemon);
    std::thread::sleep(Duration::from_millis(300));
    let gone = Readers::connect().and_then(|r| r.list());
    assert!(matches!(gone, Err(ReaderError::NoService)), "{gone:?}");
}
