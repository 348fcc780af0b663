//! `certdesk key …`: the key desk on the command line. Owns reading PINs (files or stdin lines,
//! never arguments) and the warning about a CA's default PIN. A step for a case goes through
//! the desk (`certdesk_desk::issue`) as the signed-in key clerk (`--as`), which checks the
//! approval before the token is touched and records the step; without a case the token alone
//! is worked on and nothing is recorded.

use crate::commands::{load_catalog, open_store};
use crate::output::{CliError, print_json};
use crate::{ActAs, Global, KeyArgs, KeyCmd, TokenArg};
use certdesk_desk::api::Session;
use certdesk_desk::issue;
use certdesk_store::Store;
use certdesk_token::cert::{parse_many, to_pem};
use certdesk_token::token::{SEAL_APPLICATION, SEAL_LABEL};
use certdesk_token::{Algo, Keys, Pin, Subject, TokenError, TokenSel};
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

impl From<TokenError> for CliError {
    fn from(e: TokenError) -> CliError {
        CliError::Refused(e.to_string())
    }
}

/// PINs from files, else from the next lines of stdin (or a prompt on a terminal).
struct PinReader {
    stdin_lines: Option<std::io::Lines<std::io::StdinLock<'static>>>,
}

impl PinReader {
    fn new() -> PinReader {
        PinReader { stdin_lines: None }
    }

    fn read(&mut self, file: Option<&Path>, what: &str) -> Result<Pin, CliError> {
        let pin = match file {
            Some(path) => Pin::from_file(path).map_err(|source| CliError::Io { what: "cannot read", path: path.display().to_string(), source })?,
            None if std::io::stdin().is_terminal() => {
                Pin::new(rpassword::prompt_password(format!("{what}: ")).map_err(|source| CliError::Io { what: "cannot read", path: "the terminal".into(), source })?)
            }
            None => {
                let lines = self.stdin_lines.get_or_insert_with(|| std::io::stdin().lock().lines());
                match lines.next() {
                    Some(Ok(line)) => Pin::new(line.trim_end_matches('\r').to_string()),
                    _ => return Err(CliError::Usage(format!("no {what}: give it in a file (see --help) or on stdin"))),
                }
            }
        };
        if pin.is_empty() {
            return Err(CliError::Refused(format!("the {what} is empty")));
        }
        Ok(pin)
    }
}

fn sel(t: &TokenArg) -> TokenSel {
    match (&t.label, &t.serial) {
        (_, Some(s)) => TokenSel::Serial(s.clone()),
        (Some(l), None) => TokenSel::Label(l.clone()),
        (None, None) => TokenSel::Label(String::new()),
    }
}

/// Warns when a PIN is still a CA's published default (e.g. 12345678).
fn warn_default_pin(g: &Global, pin: &Pin) {
    let Ok(catalog) = load_catalog(g) else { return };
    for p in catalog.projects.values() {
        if let Some(default) = p.pin.as_ref().and_then(|p| p.default.as_deref())
            && pin.equals(default)
        {
            eprintln!("warning: the key still has the default PIN of {} ({}): the applicant should change it", p.id, p.ca_short);
            return;
        }
    }
}

/// With `--as`, the store and the session that record a token operation done outside a case
/// (unlock, wipe); without it, nothing is recorded.
fn recorder(g: &Global, by: &ActAs) -> Result<Option<(Store, Session)>, CliError> {
    if by.actor.is_none() {
        return Ok(None);
    }
    let mut store = open_store(g)?;
    let session = crate::people::session(&mut store, by)?;
    Ok(Some((store, session)))
}

/// The key clerk's session for a step on a case.
fn clerk(store: &mut Store, by: &ActAs, number: &str) -> Result<Session, CliError> {
    if by.actor.is_none() {
        return Err(CliError::Usage(format!(
            "a key step for case {} is recorded on the case: give --as KEYCLERK (and the password in --password-file or on stdin)",
            number.trim()
        )));
    }
    crate::people::session(store, by)
}

fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    certdesk_store::private::write(path, text.as_bytes()).map_err(|source| CliError::Io { what: "cannot write", path: path.display().to_string(), source })
}

fn read_bytes(path: &PathBuf, limit: u64) -> Result<Vec<u8>, CliError> {
    let meta = std::fs::metadata(path).map_err(|source| CliError::Io { what: "cannot read", path: path.display().to_string(), source })?;
    if meta.len() > limit {
        return Err(CliError::Refused(format!("{} is {} bytes; at most {limit} fit on a key", path.display(), meta.len())));
    }
    std::fs::read(path).map_err(|source| CliError::Io { what: "cannot read", path: path.display().to_string(), source })
}

fn watch(json: bool, seconds: Option<u64>) -> Result<ExitCode, CliError> {
    use certdesk_token::readers::{ReaderEvent, Readers};
    let readers = Readers::connect().map_err(|e| CliError::Refused(e.to_string()))?;
    let mut known = readers.list().map_err(|e| CliError::Refused(e.to_string()))?;
    let until = seconds.map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
    if !json {
        for r in &known {
            println!("{}: {}", r.reader, r.atr.as_deref().map(|a| format!("key {a} ({})", r.model.as_deref().unwrap_or("unknown model"))).unwrap_or_else(|| "empty".into()));
        }
    }
    while until.is_none_or(|u| std::time::Instant::now() < u) {
        let (events, now) = readers.wait(&known, std::time::Duration::from_millis(500)).map_err(|e| CliError::Refused(e.to_string()))?;
        known = now;
        for e in events {
            if json {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                match e {
                    ReaderEvent::CardInserted { reader, atr, model } => println!("inserted  {reader}: {atr} ({})", model.unwrap_or_else(|| "unknown model".into())),
                    ReaderEvent::CardRemoved { reader } => println!("removed   {reader}"),
                    ReaderEvent::ReaderAdded { reader } => println!("reader +  {reader}"),
                    ReaderEvent::ReaderRemoved { reader } => println!("reader -  {reader}"),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The case whose request carried this public key.
fn case_of_cert(store: &Store, cert_bytes: &[u8]) -> Result<Option<String>, CliError> {
    Ok(issue::case_of_cert(store, cert_bytes)?)
}

fn status(g: &Global, number: &str) -> Result<ExitCode, CliError> {
    let store = open_store(g)?;
    let catalog = load_catalog(g)?;
    let st = issue::status(&store, &catalog, number)?;
    if g.json {
        print_json(&st);
    } else {
        for s in &st.steps {
            println!("{} {}", if s.done { "✓" } else { "·" }, s.step);
        }
        if let Some(serial) = &st.token_serial {
            println!("key serial: {serial}");
        }
        println!("next: {}", st.next.unwrap_or("hand over the key (case deliver)"));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn key_cmd(g: &Global, args: KeyArgs) -> Result<ExitCode, CliError> {
    match &args.cmd {
        KeyCmd::Watch { seconds } => return watch(g.json, *seconds),
        KeyCmd::Status { case } => return status(g, case),
        KeyCmd::MatchCert { cert } => {
            let bytes = read_bytes(cert, 1 << 20)?;
            let store = open_store(g)?;
            return match case_of_cert(&store, &bytes)? {
                Some(n) => {
                    if g.json {
                        print_json(&serde_json::json!({ "case": n }));
                    } else {
                        println!("{n}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(CliError::Refused(format!("no case made a request for the public key of {}", cert.display()))),
            };
        }
        _ => {}
    }
    let named = args.module.clone().or_else(|| std::env::var_os("CERTDESK_PKCS11_MODULE").filter(|p| !p.is_empty()).map(PathBuf::from));
    let module = certdesk_token::modules::resolve(named.as_deref()).map_err(|e| CliError::Refused(e.to_string()))?;
    let keys = Keys::open(&module)?;
    let mut pins = PinReader::new();
    let json = g.json;
    let show = |value: serde_json::Value, human: String| {
        if json {
            print_json(&value);
        } else {
            println!("{human}");
        }
    };
    match args.cmd {
        KeyCmd::Watch { .. } | KeyCmd::Status { .. } | KeyCmd::MatchCert { .. } => return Ok(ExitCode::SUCCESS),
        KeyCmd::List => {
            let slots = keys.slots()?;
            let readers = certdesk_token::readers::Readers::connect().and_then(|r| r.list());
            if json {
                let (readers, pcsc_error) = match &readers {
                    Ok(r) => (serde_json::to_value(r).unwrap_or_default(), None),
                    Err(e) => (serde_json::json!([]), Some(e.to_string())),
                };
                print_json(&serde_json::json!({ "module": module, "readers": readers, "pcsc_error": pcsc_error, "slots": slots }));
            } else {
                match &readers {
                    Ok(list) => {
                        for r in list {
                            println!(
                                "reader  {:<40} {}",
                                r.reader,
                                r.atr.as_deref().map(|a| format!("{a} ({})", r.model.as_deref().unwrap_or("unknown model"))).unwrap_or_else(|| "empty".into())
                            );
                        }
                    }
                    Err(e) => println!("readers: {e}"),
                }
                for s in slots {
                    match s.token {
                        Some(t) if t.initialized => println!("slot {:<2} {:<32} token {:?} serial {} {}", s.slot_index, s.description, t.label, t.serial, t.model),
                        Some(t) => println!("slot {:<2} {:<32} blank token serial {} {}", s.slot_index, s.description, t.serial, t.model),
                        None => println!("slot {:<2} {:<32} (empty)", s.slot_index, s.description),
                    }
                }
            }
        }
        KeyCmd::Info { token } => {
            let t = keys.info(&sel(&token))?;
            let flags = [
                ("user PIN set", t.user_pin_initialized),
                ("tries low", t.user_pin_count_low),
                ("final try", t.user_pin_final_try),
                ("PIN LOCKED", t.user_pin_locked),
                ("SO PIN locked", t.so_pin_locked),
            ]
            .iter()
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ");
            show(serde_json::to_value(&t).unwrap_or_default(), format!("{:?} serial {} {} {}: {}", t.label, t.serial, t.manufacturer, t.model, flags));
        }
        KeyCmd::Init { slot_index, label, so_pin_file, user_pin_file, case, by } => {
            let so = pins.read(so_pin_file.as_deref(), "SO PIN")?;
            let user = pins.read(user_pin_file.as_deref(), "user PIN")?;
            let t = match &case {
                Some(n) => {
                    let mut store = open_store(g)?;
                    let mut session = clerk(&mut store, &by, n)?;
                    let catalog = load_catalog(g)?;
                    issue::init(&mut session.desk(&mut store)?, &keys, &catalog, n, slot_index, &label, &so, &user)?
                }
                None => keys.init(slot_index, &label, &so, &user)?,
            };
            warn_default_pin(g, &user);
            show(serde_json::to_value(&t).unwrap_or_default(), format!("initialised {:?} serial {}", t.label, t.serial));
        }
        KeyCmd::Gen { token, pin_file, algo, cn, case, employee, csr_out, package_out, by } => {
            let algo = Algo::parse(&algo).ok_or_else(|| CliError::Usage(format!("unknown --algo {algo:?} (rsa2048, ec-p256 or sm2)")))?;
            let pin = pins.read(pin_file.as_deref(), "PIN")?;
            let s = sel(&token);
            let t = keys.info(&s)?;
            let (key_json, key_id) = match (&cn, &case) {
                // for a case: the same step as the app's key desk (request package, audit event)
                (None, Some(n)) => {
                    let mut store = open_store(g)?;
                    let mut session = clerk(&mut store, &by, n)?;
                    let files = issue::RequestFiles { csr: csr_out.clone(), package: package_out.clone().unwrap_or_else(|| csr_out.with_extension("request.json")) };
                    let catalog = load_catalog(g)?;
                    let made = issue::generate(&mut session.desk(&mut store)?, &keys, &catalog, n, &s, &pin, algo, employee, &files)?;
                    (serde_json::json!({ "id": made.key_id, "algo": made.algo, "public_key_sha256": made.public_key_sha256 }), made.key_id)
                }
                (Some(cn), _) => {
                    let subject = Subject { common_name: cn.clone(), country: "CN".into(), ..Default::default() };
                    let key = keys.generate(&s, &pin, algo, &subject.common_name)?;
                    let csr = keys.csr(&s, &pin, &key.id, &subject)?;
                    write_file(&csr_out, &csr)?;
                    (serde_json::to_value(&key).unwrap_or_default(), key.id)
                }
                (None, None) => return Err(CliError::Usage("give --cn or --case".into())),
            };
            warn_default_pin(g, &pin);
            show(
                serde_json::json!({ "key": key_json, "csr": csr_out, "token_serial": t.serial }),
                format!("key {key_id} ({}) generated on {:?}; request written to {}", algo.name(), t.label, csr_out.display()),
            );
        }
        KeyCmd::WriteCert { token, pin_file, cert, chain, case, by } => {
            let cert_bytes = read_bytes(&cert, 1 << 20)?;
            let chain_bytes = chain.as_ref().map(|c| read_bytes(c, 1 << 20)).transpose()?;
            let s = sel(&token);
            let mut store = open_store(g)?;
            let case = match case {
                Some(n) => Some(n),
                None => case_of_cert(&store, &cert_bytes)?,
            };
            let (value, human) = match &case {
                // a case's certificate: the key clerk signs in first; the certificate is checked
                // against the case's key and approval, kept with the case, then written
                Some(n) => {
                    let mut session = clerk(&mut store, &by, n)?;
                    let pin = pins.read(pin_file.as_deref(), "PIN")?;
                    // the certificate and the chain file may differ in format (DER, PEM, PKCS#7)
                    let mut certs = parse_many(&cert_bytes).map_err(TokenError::from)?;
                    if let Some(extra) = &chain_bytes {
                        certs.extend(parse_many(extra).map_err(TokenError::from)?);
                    }
                    let combined = to_pem(&certs.iter().collect::<Vec<_>>());
                    let catalog = load_catalog(g)?;
                    let mut desk = session.desk(&mut store)?;
                    issue::import_cert(&mut desk, &catalog, n, combined.as_bytes())?;
                    let w = issue::write_cert(&mut desk, &keys, n, &s, &pin)?;
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = n.trim().to_ascii_uppercase().into();
                    (value, format!("certificate {} ({}) written with key {} and verified; recorded on case {}", w.serial_hex, w.subject, w.key_id, n.trim().to_ascii_uppercase()))
                }
                None => {
                    let pin = pins.read(pin_file.as_deref(), "PIN")?;
                    let written = keys.write_cert(&s, &pin, &cert_bytes, chain_bytes.as_deref())?;
                    let mut value = serde_json::to_value(&written).unwrap_or_default();
                    value["case"] = serde_json::Value::Null;
                    (value, format!("certificate {} ({}) written with key {} and verified", written.serial_hex, written.subject, written.id))
                }
            };
            show(value, human);
        }
        KeyCmd::ImportEnc { token, pin_file, envelope, enc_cert, key, case, by } => {
            let answer = read_bytes(&envelope, issue::MAX_ANSWER_BYTES as u64)?;
            let enc_bytes = enc_cert.as_ref().map(|c| read_bytes(c, 1 << 20)).transpose()?;
            let s = sel(&token);
            let (value, human) = match &case {
                Some(n) => {
                    let mut store = open_store(g)?;
                    let mut session = clerk(&mut store, &by, n)?;
                    let pin = pins.read(pin_file.as_deref(), "PIN")?;
                    let catalog = load_catalog(g)?;
                    let w = issue::import_enc(&mut session.desk(&mut store)?, &keys, &catalog, n, &s, &pin, &answer, enc_bytes.as_deref())?;
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = n.trim().to_ascii_uppercase().into();
                    let human = format!(
                        "encryption key pair ({:?} envelope) and encryption certificate {} ({}) imported into key {} and verified; recorded on case {}",
                        w.format,
                        w.serial_hex,
                        w.subject,
                        w.key_id,
                        n.trim().to_ascii_uppercase()
                    );
                    (value, human)
                }
                None => {
                    let pin = pins.read(pin_file.as_deref(), "PIN")?;
                    let read = certdesk_token::DualAnswer::read(&answer, enc_bytes.as_deref())?;
                    let w = keys.import_enc(&s, &pin, key.as_deref(), &read, &certdesk_token::DistId::default())?;
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = serde_json::Value::Null;
                    let e = &w.encryption_certificate;
                    (
                        value,
                        format!(
                            "encryption key pair ({:?} envelope) and encryption certificate {} ({}) imported into key {} and verified",
                            w.format, e.serial_hex, e.subject, w.key_id
                        ),
                    )
                }
            };
            show(value, human);
        }
        KeyCmd::WriteSeal { token, pin_file, image, case, by } => {
            let s = sel(&token);
            let (value, human) = match (&case, &image) {
                (Some(n), _) => {
                    let mut store = open_store(g)?;
                    let mut session = clerk(&mut store, &by, n)?;
                    let pin = pins.read(pin_file.as_deref(), "PIN")?;
                    let catalog = load_catalog(g)?;
                    let w = issue::write_seal(&mut session.desk(&mut store)?, &keys, &catalog, n, &s, &pin)?;
                    (
                        serde_json::to_value(&w).unwrap_or_default(),
                        format!("seal image {} written ({} bytes, sha256 {}) and verified; recorded on case {}", w.name, w.size, w.sha256, n.trim()),
                    )
                }
                (None, Some(image)) => {
                    let pin = pins.read(pin_file.as_deref(), "PIN")?;
                    let bytes = read_bytes(image, 512 * 1024)?;
                    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                        return Err(CliError::Refused(format!("{} is not a PNG image", image.display())));
                    }
                    let d = keys.write_data(&s, &pin, SEAL_APPLICATION, SEAL_LABEL, &bytes)?;
                    (serde_json::to_value(&d).unwrap_or_default(), format!("seal image written ({} bytes, sha256 {}) and verified", d.size, d.sha256))
                }
                (None, None) => return Err(CliError::Usage("give --image PNG or --case NUMBER".into())),
            };
            show(value, human);
        }
        KeyCmd::Show { token, pin_file } => {
            let pin = match &pin_file {
                Some(f) => Some(pins.read(Some(f), "PIN")?),
                None => None,
            };
            let c = keys.show(&sel(&token), pin.as_ref())?;
            let mut human = format!("{:?} serial {} {}\n", c.token.label, c.token.serial, c.token.model);
            for k in &c.keys {
                human.push_str(&format!("  key  {} {} {}\n", k.id, k.algo.name(), k.label));
            }
            for ce in &c.certificates {
                let usage = match ce.usage {
                    certdesk_token::CertUsage::Sign => "sign",
                    certdesk_token::CertUsage::Encrypt => "encrypt",
                    certdesk_token::CertUsage::Ca => "CA",
                };
                human.push_str(&format!("  cert {usage:<7} {} {} (issuer {}) until {}\n", ce.serial_hex, ce.subject, ce.issuer, ce.not_after));
            }
            for d in &c.data {
                human.push_str(&format!("  data {}/{} {} bytes\n", d.application, d.label, d.size));
            }
            show(serde_json::to_value(&c).unwrap_or_default(), human.trim_end().to_string());
        }
        KeyCmd::ChangePin { token, pin_file, new_pin_file } => {
            let old = pins.read(pin_file.as_deref(), "current PIN")?;
            let new = pins.read(new_pin_file.as_deref(), "new PIN")?;
            keys.change_pin(&sel(&token), &old, &new)?;
            warn_default_pin(g, &new);
            show(serde_json::json!({ "changed": true }), "PIN changed".into());
        }
        KeyCmd::Unlock { token, case, so_pin_file, new_pin_file, by } => {
            let mut recorded = recorder(g, &by)?;
            if case.is_some() && recorded.is_none() {
                return Err(CliError::Usage("key unlock --case records the unlock on the case: give --as KEY_CLERK and --password-file".into()));
            }
            let catalog = load_catalog(g)?;
            let so = pins.read(so_pin_file.as_deref(), "SO PIN")?;
            let new = pins.read(new_pin_file.as_deref(), "new user PIN")?;
            let t = match &mut recorded {
                Some((store, session)) => issue::unlock(&mut session.desk(store)?, &keys, &catalog, case.as_deref(), &sel(&token), &so, &new)?,
                None => keys.unlock(&sel(&token), &so, &new)?,
            };
            warn_default_pin(g, &new);
            show(serde_json::to_value(&t).unwrap_or_default(), format!("{:?} unlocked with a new user PIN", t.label));
        }
        KeyCmd::Wipe { token, case, so_pin_file, by } => {
            let mut recorded = recorder(g, &by)?;
            if case.is_some() && recorded.is_none() {
                return Err(CliError::Usage("key wipe --case records the wipe on the case: give --as KEY_CLERK and --password-file".into()));
            }
            let catalog = load_catalog(g)?;
            let so = pins.read(so_pin_file.as_deref(), "SO PIN")?;
            let t = match &mut recorded {
                Some((store, session)) => issue::wipe(&mut session.desk(store)?, &keys, &catalog, case.as_deref(), &sel(&token), &so)?,
                None => keys.wipe(&sel(&token), &so)?,
            };
            show(serde_json::to_value(&t).unwrap_or_default(), format!("{:?} wiped: no keys, certificates or user PIN left", t.label));
        }
    }
    Ok(ExitCode::SUCCESS)
}
