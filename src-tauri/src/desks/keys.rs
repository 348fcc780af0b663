//! The key desk's commands: the readers and keys polled, a case's issuance status and the
//! cases waiting for a key, each issuance step, and the key operations with or without a case
//! (unlock, wipe, reading a key back). PINs arrive as arguments, become zeroizing `Pin`s at
//! once and are never stored; whether one is still a CA's default is the desk's, on the chain.
//! Which library is loaded is the desk's choice too; this module keeps it loaded.

use super::{raw_body, required};
use crate::AppState;
use crate::error::IpcError;
use certdesk_desk::batch_pins::{BatchPinsHeld, Which};
use certdesk_desk::issue;
use certdesk_desk::keydesk::{KeyLibrary, KeySlots, RequestsFolder, RequestsTo};
use certdesk_desk::rounds::CertChoice;
use certdesk_desk::store::CaseSummary;
use certdesk_desk::token::{Algo, Contents, Pin, TokenSel, TokenView};
use tauri::State;

/// Runs `f` with the key library the desk chooses (loaded once, again when the choice changes).
pub(crate) fn with_keys<T>(state: &AppState, f: impl FnOnce(&KeyLibrary) -> Result<T, IpcError>) -> Result<T, IpcError> {
    let path = state.with_desk(|d| d.key_library_path(None, &state.env))?;
    with_library(state, &path, f)
}

/// Runs `f` with the key library at `path`, loaded once (the sign-in's staff key, before any
/// session, and the key desk alike).
pub(crate) fn with_library<T>(state: &AppState, path: &std::path::Path, f: impl FnOnce(&KeyLibrary) -> Result<T, IpcError>) -> Result<T, IpcError> {
    let path = path.to_path_buf();
    let mut guard = state.keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if guard.as_ref().is_none_or(|l| l.path() != path) {
        *guard = None;
        let library = KeyLibrary::open(&path)?;
        tracing::info!(module = %path.display(), "key library loaded");
        *guard = Some(library);
    }
    match guard.as_ref() {
        Some(library) => f(library),
        None => Err(IpcError::new(certdesk_desk::ErrorKind::NoModule, "no key library")),
    }
}

/// Readers (PC/SC) and tokens as they are now; the key desk polls this. A library that does
/// not load is said beside the readers, not an error.
#[tauri::command(async)]
pub fn key_slots(state: State<'_, AppState>) -> Result<KeySlots, IpcError> {
    crate::log::call("key_slots", || match with_keys(&state, |l| state.with_desk(|d| Ok(d.key_slots(Ok(l))))) {
        Ok(slots) => Ok(slots),
        Err(e) if e.kind == certdesk_desk::ErrorKind::NoModule => state.with_desk(|d| Ok(d.key_slots(Err(&e.detail)))),
        Err(e) => Err(e),
    })
}

/// The unit's organisation certificate on the key it brings (#71), read without a PIN at
/// intake: found (the intake fills its serial) or why the key shows none, in Chinese.
#[tauri::command(async)]
pub fn intake_unit_key(state: State<'_, AppState>, uscc: String) -> Result<certdesk_desk::old_key::UnitCertificate, IpcError> {
    crate::log::call("intake_unit_key", || {
        let certs = with_keys(&state, |l| state.with_desk(|d| d.keys(l, &state.catalog).read_certs(None)))?;
        Ok(certdesk_desk::old_key::unit_certificate(&certs, &uscc, chrono::Utc::now()))
    })
}

/// What the unit that brought the plugged key is offered (#74), read without a PIN at intake:
/// the business type, route, the guide's words and checklist, and how what is typed differs
/// from the certificate.
#[tauri::command(async)]
pub fn intake_triage(state: State<'_, AppState>, project: String, typed: Option<certdesk_desk::triage::Typed>) -> Result<certdesk_desk::triage::Triage, IpcError> {
    crate::log::call("intake_triage", || with_keys(&state, |l| state.with_desk(|d| d.triage_key(&state.catalog, &project, l, None, typed.as_ref()))))
}

/// The cases the key desk works on (approved, and those whose key is being issued).
#[tauri::command(async)]
pub fn key_queue(state: State<'_, AppState>) -> Result<Vec<CaseSummary>, IpcError> {
    crate::log::call("key_queue", || state.with_desk(|d| d.key_queue()))
}

/// Where issuing stands for a case, with the stepper, the batch and the default-PIN warning:
/// certificate `cert`, else the one the desk works on next with the key `plugged` (its
/// serial) in the reader.
#[tauri::command(async)]
pub fn key_status(state: State<'_, AppState>, number: String, cert: Option<u32>, plugged: Option<String>) -> Result<issue::KeyStatus, IpcError> {
    crate::log::call("key_status", || {
        // the plugged key's own certificates: a key brought back for renewal names its holder
        let on_key = match &plugged {
            Some(serial) => with_keys(&state, |l| Ok(issue::subjects_on_key(l, &TokenSel::Serial(serial.clone())))).unwrap_or_default(),
            None => Vec::new(),
        };
        state.with_desk(|d| d.key_desk_status(&state.catalog, &number, cert, plugged.as_deref(), &on_key))
    })
}

/// The CA's answers for many certificates at once: the files concatenated as the raw body,
/// `x-case` the case, `x-files` their names and sizes in order (percent-encoded JSON
/// `[[name, size], …]`). Matched by public key; a batch with anything wrong is refused whole.
#[tauri::command(async)]
pub fn key_import_answers(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<issue::BatchImported, IpcError> {
    crate::log::call("key_import_answers", || {
        let number = required(&request, "x-case")?;
        let files = split_files(&required(&request, "x-files")?, raw_body(&request)?)?;
        state.with_own_desk(|d| d.import_answers(&state.catalog, &number, &files))
    })
}

/// The files of a multi-file body: `listing` names them and their sizes in order.
fn split_files(listing: &str, body: &[u8]) -> Result<Vec<(String, Vec<u8>)>, IpcError> {
    let usage = |why: &str| IpcError::new(certdesk_desk::ErrorKind::Usage, format!("the file listing {why}"));
    let listing = percent_encoding::percent_decode_str(listing).decode_utf8().map_err(|_| usage("is not UTF-8"))?;
    let names: Vec<(String, usize)> = serde_json::from_str(&listing).map_err(|_| usage("is not [[name, size], …]"))?;
    if names.iter().map(|(_, size)| *size).sum::<usize>() != body.len() {
        return Err(usage("does not add up to the bytes sent"));
    }
    let mut at = 0;
    Ok(names
        .into_iter()
        .map(|(name, size)| {
            let file = (name, body[at..at + size].to_vec());
            at += size;
            file
        })
        .collect())
}

/// A supervisor withdraws one certificate of a case (an employee left before the key was
/// made), with a reason; the case's other certificates go on.
#[tauri::command(async)]
pub fn case_withdraw_cert(state: State<'_, AppState>, number: String, cert: u32, reason: String) -> Result<certdesk_desk::steps::CaseSteps, IpcError> {
    crate::log::call("case_withdraw_cert", || {
        state.with_desk(|d| {
            d.withdraw_cert(&number, cert, &reason)?;
            d.case_steps(&state.catalog, &number)
        })
    })
}

/// A supervisor allows a second key for a written certificate (登记补办: its first key lost or
/// broken), with a reason; the key desk then makes the certificate's key again.
#[tauri::command(async)]
pub fn case_reissue(state: State<'_, AppState>, number: String, cert: u32, reason: String) -> Result<certdesk_desk::steps::CaseSteps, IpcError> {
    crate::log::call("case_reissue", || {
        state.with_desk(|d| {
            d.reissue(&number, &reason, Some(cert))?;
            d.case_steps(&state.catalog, &number)
        })
    })
}

/// The certificate a step works on: the one the desk shows (`cert`), else the case's next one
/// waiting for the step (the plugged key's first).
fn choice(cert: Option<u32>) -> CertChoice {
    CertChoice::from_flags(cert, None)
}

#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn key_init(
    state: State<'_, AppState>,
    number: String,
    slot_index: usize,
    label: String,
    so_pin: Option<String>,
    user_pin: Option<String>,
    cert: Option<u32>,
) -> Result<TokenView, IpcError> {
    crate::log::call("key_init", || {
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let (so, user) = (d.pin_for(&number, so_pin, Which::So)?, d.pin_for(&number, user_pin, Which::User)?);
                d.keys(keys, &state.catalog).init(&number, choice(cert), slot_index, Some(&label), &so, &user)
            })
        })
    })
}

/// The key clerk gives the SO PIN and the initial user PIN once for case `number`'s keys
/// (#72); this session holds them, for that case only, until the batch ends, it locks or
/// signs out (`certdesk_desk::batch_pins`). The answer never carries them.
#[tauri::command(async)]
pub fn key_batch_pins(state: State<'_, AppState>, number: String, so_pin: String, user_pin: String) -> Result<BatchPinsHeld, IpcError> {
    crate::log::call("key_batch_pins", || {
        let (so, user) = (Pin::new(so_pin), Pin::new(user_pin));
        state.with_desk(|d| d.hold_batch_pins(&state.catalog, &number, so, user))
    })
}

/// Forgets the batch PINs now (the key clerk's 清除本批PIN).
#[tauri::command(async)]
pub fn key_batch_pins_forget(state: State<'_, AppState>) -> Result<BatchPinsHeld, IpcError> {
    crate::log::call("key_batch_pins_forget", || state.with_desk(|d| Ok(d.forget_batch_pins())))
}

#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn key_generate(
    state: State<'_, AppState>,
    number: String,
    serial: String,
    pin: Option<String>,
    algo: String,
    employee: Option<u32>,
    cert: Option<u32>,
) -> Result<issue::Generated, IpcError> {
    crate::log::call("key_generate", || {
        let algo =
            Algo::parse(&algo).ok_or_else(|| certdesk_desk::DeskError::UnknownValue { what: "key algorithm", value: algo.clone(), known: "rsa2048, ec-p256, sm2".into() })?;
        let sel = TokenSel::Serial(serial);
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let pin = d.pin_for(&number, pin, Which::User)?;
                d.keys(keys, &state.catalog).generate(&number, CertChoice::from_flags(cert, employee), &sel, &pin, algo, RequestsTo::Counter(&state.env))
            })
        })
    })
}

/// Online enrolment (#72): the key pair on the plugged key, the request with the project's RA
/// challenge, sent over SCEP, and the certificate imported; the key stays plugged for
/// `key_write_cert`.
#[tauri::command(async)]
pub fn key_enrol(
    state: State<'_, AppState>,
    number: String,
    serial: String,
    pin: Option<String>,
    algo: String,
    cert: Option<u32>,
) -> Result<certdesk_desk::online::Enrolled, IpcError> {
    crate::log::call("key_enrol", || {
        let algo = Algo::parse(&algo).ok_or_else(|| certdesk_desk::DeskError::UnknownValue { what: "key algorithm", value: algo.clone(), known: "rsa2048, ec-p256".into() })?;
        let sel = TokenSel::Serial(serial);
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let pin = d.pin_for(&number, pin, Which::User)?;
                d.keys(keys, &state.catalog).enrol(&state.env, &number, choice(cert), &sel, &pin, Some(algo), None)
            })
        })
    })
}

/// Every request of the case waiting for the CA, with its package, copied into one folder
/// (`<requests folder>/<case>-送CA`) for the CA: one click at the key desk.
#[tauri::command(async)]
pub fn key_export_requests(state: State<'_, AppState>, number: String) -> Result<RequestsFolder, IpcError> {
    crate::log::call("key_export_requests", || state.with_own_desk(|d| d.export_requests_for_ca(&state.catalog, &state.env, &number)))
}

/// The issued certificate arrives as the raw body; `x-case` names the case.
#[tauri::command(async)]
pub fn key_import_cert(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<issue::ImportedCert, IpcError> {
    crate::log::call("key_import_cert", || {
        let number = required(&request, "x-case")?;
        let bytes = raw_body(&request)?;
        state.with_own_desk(|d| d.import_cert(&state.catalog, &number, bytes))
    })
}

#[tauri::command(async)]
pub fn key_write_cert(state: State<'_, AppState>, number: String, serial: String, pin: Option<String>, cert: Option<u32>) -> Result<issue::Written, IpcError> {
    crate::log::call("key_write_cert", || {
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let pin = d.pin_for(&number, pin, Which::User)?;
                d.keys(keys, &state.catalog).write_cert(&number, choice(cert), &TokenSel::Serial(serial), &pin)
            })
        })
    })
}

/// Dual certificates: the CA's answer (the enveloped encryption key pair) arrives as the raw
/// body; `x-case` names the case, `x-serial` the key, `x-pin` the user PIN (percent-encoded),
/// `x-enc-cert` the encryption certificate file (Base64; absent when the answer carries it).
#[tauri::command(async)]
pub fn key_import_enc(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<issue::EncWritten, IpcError> {
    crate::log::call("key_import_enc", || {
        use base64::Engine as _;
        let number = required(&request, "x-case")?;
        let serial = required(&request, "x-serial")?;
        // absent: the batch's user PIN (#72)
        let pin = match super::header(&request, "x-pin") {
            Some(pin) => {
                Some(percent_encoding::percent_decode_str(&pin).decode_utf8().map_err(|_| IpcError::new(certdesk_desk::ErrorKind::Usage, "the PIN is not UTF-8"))?.into_owned())
            }
            None => None,
        };
        let enc_cert = match super::header(&request, "x-enc-cert") {
            Some(b64) => Some(
                base64::engine::general_purpose::STANDARD.decode(&b64).map_err(|_| IpcError::new(certdesk_desk::ErrorKind::Usage, "the encryption certificate is not Base64"))?,
            ),
            None => None,
        };
        let answer = raw_body(&request)?;
        let cert = choice(super::header(&request, "x-cert").and_then(|c| c.parse().ok()));
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let pin = d.pin_for(&number, pin, Which::User)?;
                d.keys(keys, &state.catalog).import_enc(&number, cert, &TokenSel::Serial(serial.clone()), &pin, answer, enc_cert.as_deref())
            })
        })
    })
}

#[tauri::command(async)]
pub fn key_write_seal(state: State<'_, AppState>, number: String, serial: String, pin: Option<String>, cert: Option<u32>) -> Result<issue::SealWritten, IpcError> {
    crate::log::call("key_write_seal", || {
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let pin = d.pin_for(&number, pin, Which::User)?;
                d.keys(keys, &state.catalog).write_seal(&number, choice(cert), &TokenSel::Serial(serial), &pin)
            })
        })
    })
}

/// What is on a key, read with its PIN (a key clerk: the desk checks); without one, the batch's
/// user PIN of case `number`.
#[tauri::command(async)]
pub fn key_verify(state: State<'_, AppState>, serial: String, pin: Option<String>, number: Option<String>) -> Result<Contents, IpcError> {
    crate::log::call("key_verify", || {
        with_keys(&state, |keys| {
            state.with_own_desk(|d| {
                let pin = d.pin_for(number.as_deref().unwrap_or_default(), pin, Which::User)?;
                d.keys(keys, &state.catalog).show(&TokenSel::Serial(serial), Some(&pin))
            })
        })
    })
}

/// Unlocks a key; with `number`, as that 解锁 case's step, else on the key desk's log.
#[tauri::command(async)]
pub fn key_unlock(state: State<'_, AppState>, serial: String, so_pin: String, new_pin: String, number: Option<String>) -> Result<TokenView, IpcError> {
    crate::log::call("key_unlock", || {
        let (so, new) = (Pin::new(so_pin), Pin::new(new_pin));
        with_keys(&state, |keys| state.with_own_desk(|d| d.keys(keys, &state.catalog).unlock(number.as_deref(), &TokenSel::Serial(serial.clone()), &so, &new)))
    })
}

/// Wipes a returned key; with `number`, as that case's step, else on the key desk's log.
#[tauri::command(async)]
pub fn key_wipe(state: State<'_, AppState>, serial: String, so_pin: String, number: Option<String>) -> Result<TokenView, IpcError> {
    crate::log::call("key_wipe", || {
        let so = Pin::new(so_pin);
        with_keys(&state, |keys| state.with_own_desk(|d| d.keys(keys, &state.catalog).wipe(number.as_deref(), &TokenSel::Serial(serial.clone()), &so)))
    })
}

/// The case's unit proved by its own certificate on the plugged key (#74): the key signs the
/// desk's challenge with the handler's PIN, held for this call only.
#[tauri::command(async)]
pub fn case_prove_unit(state: State<'_, AppState>, number: String, pin: String) -> Result<certdesk_desk::domain::UnitProof, IpcError> {
    crate::log::call("case_prove_unit", || {
        let pin = Pin::new(pin);
        with_keys(&state, |keys| {
            state.with_desk(|d| {
                let record = d.prove_unit(&state.catalog, &number, keys, None, &pin)?;
                Ok(record.data.unit_proof.expect("a proved case holds its proof"))
            })
        })
    })
}
