//! `certdesk key …`: the key desk on the command line. Owns reading PINs (files or stdin lines,
//! never arguments) and printing. Every operation is the desk's (`certdesk_desk::keydesk`) as a
//! signed-in account (`--as`, or the environment's): reads with any account, a step for a case
//! as that case's key clerk (checked against the approval before the key is touched, recorded
//! on the case), any other write as a key clerk on the key desk's log. Whether a PIN is still a
//! CA's default is the desk's to say; this module prints its warning.

use crate::context::Ctx;
use crate::output::{CliError, print_json};
use crate::secrets::PinReader;
use crate::{ActAs, KeyActAs, KeyArgs, KeyCmd, TokenArg};
use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::catalog::Catalog;
use certdesk_desk::keydesk::{CertOnKey, KeyLibrary, RequestsTo, Watched};
use certdesk_desk::rounds::CertChoice;
use certdesk_desk::token::{Algo, CertUsage, Pin, ReaderEvent, TokenSel};
use std::path::Path;
use std::process::ExitCode;

fn sel(t: &TokenArg) -> TokenSel {
    match (&t.label, &t.serial) {
        (_, Some(s)) => TokenSel::Serial(s.clone()),
        (Some(l), None) => TokenSel::Label(l.clone()),
        (None, None) => TokenSel::Label(String::new()),
    }
}

/// `--token LABEL` or `--serial SERIAL` where both may be left out (the one key plugged in).
pub(crate) fn sel_of(label: Option<String>, serial: Option<String>) -> Option<TokenSel> {
    serial.map(TokenSel::Serial).or(label.map(TokenSel::Label))
}

/// One line of `key read-certs`: use, serial, subject, the code, validity, algorithm, issuer.
fn read_cert_line(c: &certdesk_desk::old_key::BroughtCert) -> String {
    let usage = match c.usage {
        CertUsage::Sign => "sign",
        CertUsage::Encrypt => "encrypt",
        CertUsage::Ca => "CA",
    };
    let names = [c.subject.o.as_deref(), c.subject.cn.as_deref(), c.subject.uscc.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" / ");
    let names = if names.is_empty() { c.subject.dn.clone() } else { names };
    format!("{usage:<7} {} {names} {}…{} {} (issuer {})", c.serial, c.not_before, c.not_after, c.key_algorithm, c.issuer)
}

/// `certdesk case triage` (#74): what the unit that brought the key is offered.
pub fn triage(ctx: &Ctx, project: &str, sel: Option<TokenSel>, module: Option<&Path>, case_json: Option<&Path>, by: &KeyActAs) -> Result<ExitCode, CliError> {
    let typed = match case_json {
        Some(file) => {
            let text = String::from_utf8(read(file, "the case JSON", certdesk_desk::limits::MAX_CASE_JSON)?)
                .map_err(|_| CliError::Usage(format!("{}: the case JSON is not UTF-8", file.display())))?;
            let data = certdesk_desk::domain::CaseData::from_json(&text).map_err(|e| certdesk_desk::DeskError::invalid_json(Some(file), e))?;
            Some(certdesk_desk::triage::Typed::of(&data))
        }
        None => None,
    };
    let (mut store, mut session): (CaseStore, Session) = ctx.session("case triage", &ActAs::from(by))?;
    let catalog = ctx.catalog()?;
    let desk = session.desk(&mut store)?;
    let library = KeyLibrary::open(&desk.key_library_path(module, &ctx.env)?)?;
    let t = desk.triage_key(&catalog, project, &library, sel.as_ref(), typed.as_ref())?;
    if ctx.g.json {
        print_json(&t);
        return Ok(ExitCode::SUCCESS);
    }
    let state = match t.state {
        certdesk_desk::catalog::Validity::Valid => format!("valid, {} days left", t.days),
        certdesk_desk::catalog::Validity::Expired => format!("expired {} days ago", t.days),
    };
    println!("{}", read_cert_line(&t.certificate));
    println!("certificate {state}: {} · {}", t.business_type.zh(), t.route_zh);
    println!("{}", t.reason);
    if let Some(r) = &t.refused {
        println!("refused: {} ({})", r.business.zh(), r.why);
    }
    for d in &t.differences {
        println!("differs: {} typed {:?}, on the key {:?}", d.field, d.typed, d.on_key);
    }
    for m in &t.materials {
        println!("  □ {}", m.text);
    }
    Ok(ExitCode::SUCCESS)
}

/// `certdesk case prove-unit` (#74): the case's unit proved by its own certificate.
pub fn prove_unit(ctx: &Ctx, number: &str, sel: Option<TokenSel>, module: Option<&Path>, pin_file: Option<&Path>, by: &KeyActAs) -> Result<ExitCode, CliError> {
    let (mut store, mut session): (CaseStore, Session) = ctx.session("case prove-unit", &ActAs::from(by))?;
    let catalog = ctx.catalog()?;
    let mut desk = session.desk(&mut store)?;
    let library = KeyLibrary::open(&desk.key_library_path(module, &ctx.env)?)?;
    let pin = PinReader::new().read(pin_file, "PIN of the unit's key")?;
    let record = desk.prove_unit(&catalog, number, &library, sel.as_ref(), &pin)?;
    let proof = record.data.unit_proof.clone().expect("a proved case holds its proof");
    let spared: Vec<&str> = record.data.materials.iter().filter(|m| m.by_unit_certificate.is_some()).map(|m| m.id.as_str()).collect();
    if ctx.g.json {
        print_json(&serde_json::json!({ "number": record.number.as_str(), "unit_proof": proof, "spared": spared }));
    } else {
        println!(
            "{}: the unit {} proved by its certificate {} ({}, issued by {}, valid until {})",
            record.number, proof.uscc, proof.serial, proof.algorithm, proof.issuer, proof.not_after
        );
        for id in spared {
            println!("  original no longer asked: {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Warns when a PIN set or used is still a CA's published default (e.g. 12345678).
fn warn_default_pin(catalog: &Catalog, pin: &Pin) {
    if let Some(project) = certdesk_desk::keydesk::default_pin_of(catalog, pin) {
        eprintln!("warning: the key still has the default PIN of {project}: the applicant should change it");
    }
}

fn read(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    Ok(certdesk_desk::limits::read_file(path, what, limit)?)
}

/// The acting account of a key command.
fn by_of(cmd: &KeyCmd) -> &KeyActAs {
    match cmd {
        KeyCmd::List { by }
        | KeyCmd::ImportCerts { by, .. }
        | KeyCmd::Requests { by, .. }
        | KeyCmd::Watch { by, .. }
        | KeyCmd::Info { by, .. }
        | KeyCmd::Init { by, .. }
        | KeyCmd::Gen { by, .. }
        | KeyCmd::WriteCert { by, .. }
        | KeyCmd::Enrol { by, .. }
        | KeyCmd::ImportEnc { by, .. }
        | KeyCmd::MatchCert { by, .. }
        | KeyCmd::Status { by, .. }
        | KeyCmd::WriteSeal { by, .. }
        | KeyCmd::Show { by, .. }
        | KeyCmd::ReadCerts { by, .. }
        | KeyCmd::UnitCert { by, .. }
        | KeyCmd::ChangePin { by, .. }
        | KeyCmd::Unlock { by, .. }
        | KeyCmd::Wipe { by, .. } => by,
    }
}

fn name_of(cmd: &KeyCmd) -> &'static str {
    match cmd {
        KeyCmd::List { .. } => "key list",
        KeyCmd::Watch { .. } => "key watch",
        KeyCmd::Info { .. } => "key info",
        KeyCmd::Init { .. } => "key init",
        KeyCmd::Gen { .. } => "key gen",
        KeyCmd::WriteCert { .. } => "key write-cert",
        KeyCmd::Enrol { .. } => "key enrol",
        KeyCmd::ImportEnc { .. } => "key import-enc",
        KeyCmd::MatchCert { .. } => "key match-cert",
        KeyCmd::Status { .. } => "key status",
        KeyCmd::ImportCerts { .. } => "key import-certs",
        KeyCmd::Requests { .. } => "key requests",
        KeyCmd::WriteSeal { .. } => "key write-seal",
        KeyCmd::Show { .. } => "key show",
        KeyCmd::ReadCerts { .. } => "key read-certs",
        KeyCmd::UnitCert { .. } => "key unit-cert",
        KeyCmd::ChangePin { .. } => "key change-pin",
        KeyCmd::Unlock { .. } => "key unlock",
        KeyCmd::Wipe { .. } => "key wipe",
    }
}

pub fn key_cmd(ctx: &Ctx, args: KeyArgs) -> Result<ExitCode, CliError> {
    let json = ctx.g.json;
    let (mut store, mut session): (CaseStore, Session) = ctx.session(name_of(&args.cmd), &ActAs::from(by_of(&args.cmd)))?;
    let catalog = ctx.catalog()?;
    // the commands that need no key library
    match &args.cmd {
        KeyCmd::Watch { seconds, .. } => return watch(json, &session.desk(&mut store)?, *seconds),
        KeyCmd::Status { case, cert, .. } => {
            let st = session.desk(&mut store)?.key_status(&catalog, case, *cert)?;
            if json {
                print_json(&st);
            } else {
                if st.certs.len() > 1 {
                    let open = st.certs.iter().filter(|c| !c.withdrawn).count();
                    let done = st.certs.iter().filter(|c| c.done).count();
                    println!("certificates {done}/{open}; certificate {} ({}):", st.cert, st.holder);
                }
                for s in &st.steps {
                    println!("{} {}", if s.done { "✓" } else { "·" }, s.step);
                }
                if let Some(serial) = &st.token_serial {
                    println!("key serial: {serial}");
                }
                if st.default_pin_warning {
                    println!("warning: the key still has a CA's default PIN: the applicant should change it");
                }
                println!("next: {}", st.next.unwrap_or("hand over the key (case deliver)"));
            }
            return Ok(ExitCode::SUCCESS);
        }
        KeyCmd::ImportCerts { case, files, .. } => {
            let files = answer_files(files)?;
            let done = session.desk(&mut store)?.import_answers(&catalog, case, &files);
            let batch = match done {
                Ok(b) => b,
                Err(certdesk_desk::DeskError::BatchRefused(refusals)) => {
                    eprintln!("certdesk: the CA's answers were refused, nothing imported:");
                    for r in &refusals {
                        eprintln!("  {} [{}] {}", r.file, r.code, r.why);
                    }
                    if json {
                        let message = refusals.iter().map(|r| format!("{}: {}", r.file, r.why)).collect::<Vec<_>>().join("; ");
                        print_json(&serde_json::json!({ "error": { "kind": "batch_refused", "message": message, "refusals": refusals } }));
                    }
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e.into()),
            };
            if json {
                print_json(&batch);
            } else {
                for m in &batch.matched {
                    println!("certificate {} ({}): {} serial {} until {}", m.cert, m.holder, m.subject, m.serial_hex, m.not_after);
                }
                println!("{} imported; waiting for the CA: {}", batch.matched.len(), if batch.waiting.is_empty() { "none".to_string() } else { format!("{:?}", batch.waiting) });
            }
            return Ok(ExitCode::SUCCESS);
        }
        KeyCmd::Requests { case, out, .. } => {
            let files = session.desk(&mut store)?.export_requests(&catalog, case, out)?;
            if json {
                print_json(&serde_json::json!({ "case": case, "out": out, "files": files }));
            } else {
                for f in &files {
                    println!("{}", f.display());
                }
                println!("{} files in {}", files.len(), out.display());
            }
            return Ok(ExitCode::SUCCESS);
        }
        KeyCmd::MatchCert { cert, .. } => {
            let bytes = read(cert, "the certificate file", certdesk_desk::limits::MAX_CERTIFICATE)?;
            let n = session.desk(&mut store)?.case_of_cert(&bytes)?;
            if json {
                print_json(&serde_json::json!({ "case": n }));
            } else {
                println!("{n}");
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let mut desk = session.desk(&mut store)?;
    let library = KeyLibrary::open(&desk.key_library_path(args.module.as_deref(), &ctx.env)?)?;
    let mut pins = PinReader::new();
    let show = |value: serde_json::Value, human: String| {
        if json {
            print_json(&value);
        } else {
            println!("{human}");
        }
    };
    match args.cmd {
        KeyCmd::Watch { .. } | KeyCmd::Status { .. } | KeyCmd::MatchCert { .. } | KeyCmd::ImportCerts { .. } | KeyCmd::Requests { .. } => {}
        KeyCmd::List { .. } => {
            let k = desk.key_slots(Ok(&library));
            if json {
                print_json(&k);
            } else {
                match &k.pcsc_error {
                    None => {
                        for r in &k.readers {
                            let card = r.atr.as_deref().map(|a| format!("{a} ({})", r.model.as_deref().unwrap_or("unknown model"))).unwrap_or_else(|| "empty".into());
                            println!("reader  {:<40} {card}", r.reader);
                        }
                    }
                    Some(e) => println!("readers: {e}"),
                }
                if let Some(e) = &k.module_error {
                    println!("module: {e}");
                }
                for s in &k.slots {
                    match &s.token {
                        Some(t) if t.initialized => println!("slot {:<2} {:<32} token {:?} serial {} {}", s.slot_index, s.description, t.label, t.serial, t.model),
                        Some(t) => println!("slot {:<2} {:<32} blank token serial {} {}", s.slot_index, s.description, t.serial, t.model),
                        None => println!("slot {:<2} {:<32} (empty)", s.slot_index, s.description),
                    }
                }
            }
        }
        KeyCmd::Info { token, .. } => {
            let t = desk.keys(&library, &catalog).info(&sel(&token))?;
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
            let default = desk.default_pin_warning(&t.serial)?;
            let mut value = serde_json::to_value(&t).unwrap_or_default();
            value["default_pin_warning"] = default.into();
            let warning = if default { " (still a CA's default PIN)" } else { "" };
            show(value, format!("{:?} serial {} {} {}: {flags}{warning}", t.label, t.serial, t.manufacturer, t.model));
        }
        KeyCmd::Init { slot_index, label, so_pin_file, user_pin_file, case, cert, employee, .. } => {
            let so = pins.read(so_pin_file.as_deref(), "SO PIN")?;
            let user = pins.read(user_pin_file.as_deref(), "user PIN")?;
            let mut keys = desk.keys(&library, &catalog);
            let t = match case.as_deref() {
                Some(n) => keys.init(n, CertChoice::from_flags(cert, employee), slot_index, label.as_deref(), &so, &user)?,
                None => keys.init_loose(slot_index, label.as_deref(), &so, &user)?,
            };
            warn_default_pin(&catalog, &user);
            show(serde_json::to_value(&t).unwrap_or_default(), format!("initialised {:?} serial {}", t.label, t.serial));
        }
        KeyCmd::Gen { token, pin_file, algo, cn, case, cert, employee, csr_out, package_out, .. } => {
            let algo = Algo::parse(&algo).ok_or_else(|| CliError::Usage(format!("unknown --algo {algo:?} (rsa2048, ec-p256 or sm2)")))?;
            // Decided before the PIN is asked for: a command that will be refused asks for none.
            let target = For::of(cn.as_deref(), case.as_deref()).ok_or_else(|| CliError::Usage("give --cn or --case".into()))?;
            let pin = pins.read(pin_file.as_deref(), "PIN")?;
            let mut keys = desk.keys(&library, &catalog);
            let t = keys.info(&sel(&token))?;
            let (key, key_id, cert) = match target {
                For::Loose(cn) => {
                    let k = keys.generate_loose(cn, &sel(&token), &pin, algo, &csr_out)?;
                    (serde_json::to_value(&k).unwrap_or_default(), k.id, None)
                }
                For::Case(n) => {
                    let files = RequestsTo::Files(certdesk_desk::issue::RequestFiles::beside(&csr_out, package_out.as_deref()));
                    let g = keys.generate(n, CertChoice::from_flags(cert, employee), &sel(&token), &pin, algo, files)?;
                    (serde_json::json!({ "id": g.key_id, "algo": g.algo, "public_key_sha256": g.public_key_sha256 }), g.key_id, Some(g.cert))
                }
            };
            warn_default_pin(&catalog, &pin);
            show(
                serde_json::json!({ "key": key, "csr": csr_out, "token_serial": t.serial, "cert": cert }),
                format!("key {key_id} ({}) generated on {:?}; request written to {}", algo.name(), t.label, csr_out.display()),
            );
        }
        KeyCmd::Enrol { token, pin_file, algo, case, cert, employee, csr_out, .. } => {
            let algo = algo.map(|a| Algo::parse(&a).ok_or_else(|| CliError::Usage(format!("unknown --algo {a:?} (rsa2048 or ec-p256)")))).transpose()?;
            let files = csr_out.as_deref().map(|out| certdesk_desk::issue::RequestFiles::beside(out, None));
            let pin = pins.read(pin_file.as_deref(), "PIN")?;
            let got = desk.keys(&library, &catalog).enrol(&ctx.env, &case, CertChoice::from_flags(cert, employee), &sel(&token), &pin, algo, files)?;
            warn_default_pin(&catalog, &pin);
            show(
                serde_json::to_value(&got).unwrap_or_default(),
                format!(
                    "certificate {} ({}): key {} ({}) made and certificate {} issued by {} online, valid until {}; next: key write-cert",
                    got.imported.cert, got.imported.holder, got.generated.key_id, got.generated.algo, got.imported.serial_hex, got.imported.issuer, got.imported.not_after
                ),
            );
        }
        KeyCmd::WriteCert { token, pin_file, cert, chain, case, employee, .. } => {
            let (index, file) = cert_or_file(&cert, case.is_some())?;
            let cert_bytes = file.map(|f| read(&f, "the certificate file", certdesk_desk::limits::MAX_CERTIFICATE)).transpose()?;
            let chain_bytes = chain.as_ref().map(|c| read(c, "the chain file", certdesk_desk::limits::MAX_CERTIFICATE)).transpose()?;
            let pin = pins.read(pin_file.as_deref(), "PIN")?;
            let choice = CertChoice::from_flags(index, employee);
            let mut keys = desk.keys(&library, &catalog);
            let on_key = match (&cert_bytes, case.as_deref()) {
                (Some(bytes), case) => keys.write_cert_file(case, choice, &sel(&token), &pin, bytes, chain_bytes.as_deref())?,
                (None, Some(n)) => {
                    let number = certdesk_desk::api::case_number(n)?.to_string();
                    CertOnKey::Case { written: keys.write_cert(&number, choice, &sel(&token), &pin)?, case: number }
                }
                (None, None) => return Err(CliError::Usage("key write-cert needs --cert FILE (or --case NUMBER with an imported certificate)".into())),
            };
            let (value, human) = match on_key {
                CertOnKey::Case { case, written: w } => {
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = case.clone().into();
                    (
                        value,
                        format!(
                            "certificate {} ({}) of certificate {} ({}) written with key {} and verified; recorded on case {case}",
                            w.serial_hex, w.subject, w.cert, w.holder, w.key_id
                        ),
                    )
                }
                CertOnKey::Loose(w) => {
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = serde_json::Value::Null;
                    (value, format!("certificate {} ({}) written with key {} and verified; recorded on the key desk's log", w.serial_hex, w.subject, w.id))
                }
            };
            warn_default_pin(&catalog, &pin);
            show(value, human);
        }
        KeyCmd::ImportEnc { token, pin_file, envelope, enc_cert, key, case, cert, employee, .. } => {
            let answer = read(&envelope, "the CA's answer", certdesk_desk::limits::MAX_ANSWER)?;
            let enc_bytes = enc_cert.as_ref().map(|c| read(c, "the encryption certificate", certdesk_desk::limits::MAX_CERTIFICATE)).transpose()?;
            let pin = pins.read(pin_file.as_deref(), "PIN")?;
            let mut keys = desk.keys(&library, &catalog);
            let (value, human) = match case.as_deref() {
                Some(n) => {
                    let w = keys.import_enc(n, CertChoice::from_flags(cert, employee), &sel(&token), &pin, &answer, enc_bytes.as_deref())?;
                    let case = certdesk_desk::api::case_number(n)?.to_string();
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = case.clone().into();
                    let human = format!(
                        "encryption key pair ({:?} envelope) and encryption certificate {} ({}) imported into key {} and verified; recorded on case {case}",
                        w.format, w.serial_hex, w.subject, w.key_id
                    );
                    (value, human)
                }
                None => {
                    let w = keys.import_enc_loose(key.as_deref(), &sel(&token), &pin, &answer, enc_bytes.as_deref())?;
                    let mut value = serde_json::to_value(&w).unwrap_or_default();
                    value["case"] = serde_json::Value::Null;
                    let e = &w.encryption_certificate;
                    let human = format!(
                        "encryption key pair ({:?} envelope) and encryption certificate {} ({}) imported into key {} and verified; recorded on the key desk's log",
                        w.format, e.serial_hex, e.subject, w.key_id
                    );
                    (value, human)
                }
            };
            show(value, human);
        }
        KeyCmd::WriteSeal { token, pin_file, image, case, cert, employee, .. } => {
            let png = image.as_ref().map(|i| read(i, "the seal image", certdesk_desk::limits::MAX_SEAL_IMAGE)).transpose()?;
            let image_name = image.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            // A case takes its own seal image; a PNG without a case is a loose one. Decided
            // before the PIN is asked for.
            let target = For::of(png.as_deref(), case.as_deref()).ok_or_else(|| CliError::Usage("give --image PNG or --case NUMBER".into()))?;
            let pin = pins.read(pin_file.as_deref(), "PIN")?;
            let mut keys = desk.keys(&library, &catalog);
            let (value, human) = match target {
                For::Case(n) => {
                    let w = keys.write_seal(n, CertChoice::from_flags(cert, employee), &sel(&token), &pin)?;
                    (
                        serde_json::to_value(&w).unwrap_or_default(),
                        format!(
                            "seal image {} written ({} bytes, sha256 {}) and verified; recorded on case {}{}",
                            w.name,
                            w.size,
                            w.sha256,
                            case.as_deref().unwrap_or("").trim(),
                            if w.kept_apart.is_empty() {
                                String::new()
                            } else {
                                format!("; kept off the unit's key: {} ({})", w.kept_apart.join(", "), w.kept_apart_why.as_deref().unwrap_or_default())
                            }
                        ),
                    )
                }
                For::Loose(bytes) => {
                    let d = keys.write_seal_png(bytes, &image_name, &sel(&token), &pin)?;
                    (
                        serde_json::to_value(&d).unwrap_or_default(),
                        format!("seal image written ({} bytes, sha256 {}) and verified; recorded on the key desk's log", d.size, d.sha256),
                    )
                }
            };
            show(value, human);
        }
        KeyCmd::Show { token, pin_file, .. } => {
            let pin = pin_file.as_deref().map(|f| pins.read(Some(f), "PIN")).transpose()?;
            let c = desk.keys(&library, &catalog).show(&sel(&token), pin.as_ref())?;
            let mut human = format!("{:?} serial {} {}\n", c.token.label, c.token.serial, c.token.model);
            for k in &c.keys {
                human.push_str(&format!("  key  {} {} {}\n", k.id, k.algo.name(), k.label));
            }
            for ce in &c.certificates {
                let usage = match ce.usage {
                    CertUsage::Sign => "sign",
                    CertUsage::Encrypt => "encrypt",
                    CertUsage::Ca => "CA",
                };
                human.push_str(&format!("  cert {usage:<7} {} {} (issuer {}) until {}\n", ce.serial_hex, ce.subject, ce.issuer, ce.not_after));
            }
            for d in &c.data {
                human.push_str(&format!("  data {}/{} {} bytes\n", d.application, d.label, d.size));
            }
            show(serde_json::to_value(&c).unwrap_or_default(), human.trim_end().to_string());
        }
        KeyCmd::ReadCerts { label, serial, .. } => {
            let named = sel_of(label, serial);
            let certs = desk.keys(&library, &catalog).read_certs(named.as_ref())?;
            if json {
                print_json(&certs);
            } else if certs.is_empty() {
                println!("no certificate on the key");
            } else {
                for c in &certs {
                    println!("{}", read_cert_line(c));
                }
            }
        }
        KeyCmd::UnitCert { uscc, label, serial, .. } => {
            let named = sel_of(label, serial);
            let certs = desk.keys(&library, &catalog).read_certs(named.as_ref())?;
            let verdict = certdesk_desk::old_key::unit_certificate(&certs, &uscc, chrono::Utc::now());
            if json {
                print_json(&verdict);
            } else if let Some(c) = &verdict.found {
                println!("{}", read_cert_line(c));
            }
            if verdict.found.is_none() {
                eprintln!("{}", verdict.problem_zh.as_deref().unwrap_or_default());
                return Ok(ExitCode::from(1));
            }
        }
        KeyCmd::ChangePin { token, pin_file, new_pin_file, .. } => {
            let old = pins.read(pin_file.as_deref(), "current PIN")?;
            let new = pins.read(new_pin_file.as_deref(), "new PIN")?;
            desk.keys(&library, &catalog).change_pin(&sel(&token), &old, &new)?;
            warn_default_pin(&catalog, &new);
            show(serde_json::json!({ "changed": true }), "PIN changed".into());
        }
        KeyCmd::Unlock { token, case, so_pin_file, new_pin_file, .. } => {
            let so = pins.read(so_pin_file.as_deref(), "SO PIN")?;
            let new = pins.read(new_pin_file.as_deref(), "new user PIN")?;
            let t = desk.keys(&library, &catalog).unlock(case.as_deref(), &sel(&token), &so, &new)?;
            warn_default_pin(&catalog, &new);
            show(serde_json::to_value(&t).unwrap_or_default(), format!("{:?} unlocked with a new user PIN", t.label));
        }
        KeyCmd::Wipe { token, case, so_pin_file, .. } => {
            let so = pins.read(so_pin_file.as_deref(), "SO PIN")?;
            let t = desk.keys(&library, &catalog).wipe(case.as_deref(), &sel(&token), &so)?;
            show(serde_json::to_value(&t).unwrap_or_default(), format!("{:?} wiped: no keys, certificates or user PIN left", t.label));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `key write-cert --cert`: K (a number that is no file's name, with --case) and/or the file.
fn cert_or_file(values: &[String], with_case: bool) -> Result<(Option<u32>, Option<std::path::PathBuf>), CliError> {
    let (mut index, mut file) = (None, None);
    for v in values {
        let as_index = v.parse::<u32>().ok().filter(|_| with_case && !Path::new(v).exists());
        match (as_index, &index, &file) {
            (Some(k), None, _) => index = Some(k),
            (None, _, None) => file = Some(std::path::PathBuf::from(v)),
            _ => return Err(CliError::Usage("key write-cert: give --cert K and/or --cert FILE once each".into())),
        }
    }
    if file.is_none() && !with_case {
        return Err(CliError::Usage("key write-cert needs --cert FILE (or --case NUMBER with an imported certificate)".into()));
    }
    Ok((index, file))
}

/// The CA's answers named on the command line: files, and each folder's certificate files
/// (not recursive, at most 200).
fn answer_files(paths: &[std::path::PathBuf]) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    const EXTENSIONS: [&str; 6] = ["pem", "crt", "cer", "der", "p7b", "p7c"];
    let mut named = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| certdesk_desk::DeskError::Io { what: "cannot read the folder", path: p.display().to_string(), source: e })?;
            let mut found: Vec<std::path::PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.is_file() && f.extension().and_then(|x| x.to_str()).is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str())))
                .collect();
            found.sort();
            named.extend(found);
        } else {
            named.push(p.clone());
        }
    }
    if named.is_empty() {
        return Err(CliError::Usage("no certificate file found (*.pem *.crt *.cer *.der *.p7b *.p7c)".into()));
    }
    if named.len() > 200 {
        return Err(CliError::Usage(format!("{} files: at most 200 are imported at once", named.len())));
    }
    named.iter().map(|f| Ok((f.display().to_string(), read(f, "the certificate file", certdesk_desk::limits::MAX_CERTIFICATE)?))).collect()
}

fn watch(json: bool, desk: &certdesk_desk::api::Desk<'_>, seconds: Option<u64>) -> Result<ExitCode, CliError> {
    desk.watch_readers(seconds, |seen| {
        match seen {
            Watched::Present(readers) if !json => {
                for r in &readers {
                    println!(
                        "{}: {}",
                        r.reader,
                        r.atr.as_deref().map(|a| format!("key {a} ({})", r.model.as_deref().unwrap_or("unknown model"))).unwrap_or_else(|| "empty".into())
                    );
                }
            }
            Watched::Present(_) => {}
            Watched::Changed(e) if json => println!("{}", serde_json::to_string(&e).unwrap_or_default()),
            Watched::Changed(e) => match e {
                ReaderEvent::CardInserted { reader, atr, model } => println!("inserted  {reader}: {atr} ({})", model.unwrap_or_else(|| "unknown model".into())),
                ReaderEvent::CardRemoved { reader } => println!("removed   {reader}"),
                ReaderEvent::ReaderAdded { reader } => println!("reader +  {reader}"),
                ReaderEvent::ReaderRemoved { reader } => println!("reader -  {reader}"),
            },
        }
        true
    })?;
    Ok(ExitCode::SUCCESS)
}

/// What a key command acts for: a case (which then decides the rest), or something given
/// without one (a common name, a seal image). The parser refuses both at once
/// (`conflicts_with`); neither is a usage error, said before any PIN prompt.
enum For<'a, T: ?Sized> {
    Case(&'a str),
    Loose(&'a T),
}

impl<'a, T: ?Sized> For<'a, T> {
    fn of(loose: Option<&'a T>, case: Option<&'a str>) -> Option<Self> {
        match (case, loose) {
            (Some(n), _) => Some(For::Case(n)),
            (None, Some(l)) => Some(For::Loose(l)),
            (None, None) => None,
        }
    }
}
