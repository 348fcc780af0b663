//! A key initialised with the label of another key still plugged (a certificate's second key,
//! 补办, while its first sits in the next slot): the new key is found again and its user PIN
//! set, the other left as it was. On SoftHSM2, whose slot ids change at C_InitToken.

use certdesk_token::{Keys, Pin, TokenError, TokenSel};

#[test]
fn a_second_key_takes_the_label_of_a_key_still_plugged() {
    let dir = tempfile::tempdir().unwrap();
    let conf = certdesk_testkit::softhsm_conf(dir.path());
    // SAFETY: the only test of this binary; before the module is loaded, no other thread
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf)
    };
    let keys = Keys::open(std::path::Path::new(certdesk_testkit::SOFTHSM)).unwrap();
    let blank = || keys.slots().unwrap().into_iter().find(|s| s.token.as_ref().is_some_and(|t| !t.initialized)).expect("a blank key").slot_index;
    let (so, first_pin, second_pin) = (Pin::new("87654321".into()), Pin::new("24681357".into()), Pin::new("13572468".into()));
    let label = "GZ01-20261130-0001";

    let first = keys.init(blank(), label, &so, &first_pin).unwrap();
    let second = keys.init(blank(), label, &so, &second_pin).unwrap();
    assert_ne!(first.serial, second.serial);
    assert!(second.user_pin_initialized, "the new key's user PIN is set: {second:?}");
    let (old, new) = (TokenSel::Serial(first.serial.clone()), TokenSel::Serial(second.serial.clone()));
    keys.show(&new, Some(&second_pin)).unwrap();
    assert!(matches!(keys.show(&new, Some(&first_pin)), Err(TokenError::WrongPin { .. })), "the new key has its own PIN");
    keys.show(&old, Some(&first_pin)).unwrap();
    assert!(matches!(keys.info(&TokenSel::Label(label.into())), Err(TokenError::Ambiguous { count: 2, .. })), "two keys bear the label");

    // the first initialised again in its own slot, its label kept: found, though it bore the label before
    let slot = keys.info(&old).unwrap().slot_index;
    let again = keys.init(slot, label, &so, &second_pin).unwrap();
    assert!(again.user_pin_initialized);
    keys.show(&TokenSel::Serial(again.serial.clone()), Some(&second_pin)).unwrap();
}
