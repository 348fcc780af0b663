//! The day signed off (日结, #31) and its ledgers through the `certdesk` binary, on a store file
//! and on a hall (the test cluster): the printed ledger says 未日结 before the close and carries
//! the close's reference as a QR code after it (read back with poppler and zbar); an exported
//! ledger (CSV, XLSX) is held against the signed day by `day verify --ledger`, one edited in a
//! spreadsheet is named; a closed day rewritten behind certdesk's back is found; the
//! supervisor's key comes from `CERTDESK_TOKEN`/`CERTDESK_PIN_FILE` beside `CERTDESK_USER`.

#[path = "../../certdesk-store/tests/common/pg.rs"]
mod pg;

mod common;

use certdesk_testkit::operator_ca::{CaKey, OperatorCa};
use certdesk_testkit::{Counter, stderr};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");

fn ok(out: Output, what: &str) -> String {
    assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), stderr(out)))
}

/// The supervisor li with a P-256 key on a SoftHSM token `LI-KEY`, enrolled; the PIN's file.
fn enrol_li(c: &Counter) -> String {
    for (name, pin) in [("so", "87654321"), ("pin", "24681357")] {
        std::fs::write(c.p(name), format!("{pin}\n")).unwrap();
    }
    let (so, pin) = (c.p("so"), c.p("pin"));
    let key = |args: &[&str]| {
        let wang = c.pw("wang");
        let mut all = vec!["key", "--module", SOFTHSM];
        all.extend_from_slice(args);
        all.extend(["--as", "wang", "--password-file", &wang]);
        ok(c.run(&all), &format!("{args:?}"));
    };
    key(&["init", "--slot-index", "0", "--label", "LI-KEY", "--so-pin-file", &so, "--user-pin-file", &pin]);
    let csr = c.p("li.csr");
    key(&["gen", "--token", "LI-KEY", "--pin-file", &pin, "--algo", "ec-p256", "--cn", "李复核", "--csr-out", &csr]);
    let ca = OperatorCa::new(c.dir.path(), "operator-ca", CaKey::P256);
    let cert = ca.issue(&std::fs::read_to_string(&csr).unwrap(), "LI-KEY", 365).display().to_string();
    key(&["write-cert", "--token", "LI-KEY", "--pin-file", &pin, "--cert", &cert]);
    let admin = c.pw("admin");
    ok(c.run(&["user", "enrol-key", "li", "--cert", &cert, "--chain", &ca.cert.display().to_string(), "--as", "admin", "--password-file", &admin]), "enrol-key");
    pin
}

fn pdf_text(pdf: &str) -> String {
    let out = Command::new("pdftotext").args(["-layout", pdf, "-"]).output().expect("pdftotext (poppler-utils) is needed");
    assert!(out.status.success(), "pdftotext {pdf}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the QR codes on the PDF's first page say (poppler renders, zbar reads).
fn qr_codes(pdf: &str, dir: &Path) -> Vec<String> {
    let png = dir.join("ledger-page");
    let out = Command::new("pdftoppm").args(["-r", "200", "-png", "-singlefile", pdf, &png.display().to_string()]).output().expect("pdftoppm");
    assert!(out.status.success(), "pdftoppm {pdf}");
    let out = Command::new("zbarimg").args(["-q", "--raw", &format!("{}.png", png.display())]).output().expect("zbarimg (zbar-tools) is needed");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// The exported CSV with the 4th column of the first row starting `first` changed to `amount`.
fn edited_csv(csv: &str, first: &str, amount: &str) -> String {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut done = false;
    let lines: Vec<String> = text
        .split("\r\n")
        .map(|line| {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            if !done && cells.first().is_some_and(|c| c.trim_start_matches('\u{feff}') == first) {
                cells[3] = amount.to_string();
                done = true;
            }
            cells.join(",")
        })
        .collect();
    assert!(done, "no {first} row in {text}");
    lines.join("\r\n")
}

/// One counter's day: a case approved, the ledger printed and exported before the close, the
/// close, then the ledgers checked; `rewrite_sheet` changes the closed day behind certdesk.
fn a_closed_day_and_its_ledgers(c: Counter, rewrite_sheet: &dyn Fn(&Counter)) {
    // #79: why an account cannot close the day is in the ledger, said before any PIN is asked
    let today = chrono::Local::now().date_naive().to_string();
    let blocked = |who: &str| json_of(&c.as_user(who, &["--json", "report", "daily", "--date", &today]))["close_blocked"].clone();
    assert_eq!(blocked("zhang"), "not_supervisor", "a clerk closes no day");
    assert_eq!(blocked("li"), "no_key_enrolled", "a supervisor with no USB key enrolled");
    let out = c.as_user("li", &["--json", "day", "close", "--day", &today]);
    assert_ne!(out.status.code(), Some(0));
    let refused = json_of(&out);
    assert!(refused["error"]["message"].as_str().is_some_and(|m| m.contains("管理 → USB Key登记")), "says where the key is enrolled: {refused}");
    let pin = enrol_li(&c);
    let n = c.import(ORG_NEW);
    for action in ["accept", "submit"] {
        c.ok_as("zhang", &["case", action, &n]);
    }
    // li's key from the environment, beside CERTDESK_USER: no flag on the command line
    let env_li = |args: &[&str]| {
        c.cmd(args).env("CERTDESK_USER", "li").env("CERTDESK_PASSWORD_FILE", c.pw("li")).env("CERTDESK_TOKEN", "LI-KEY").env("CERTDESK_PIN_FILE", &pin).output().expect("runs")
    };
    // enrolled: li (signed in with the key) may close the day; the ledger says nothing blocks it
    let out = env_li(&["--json", "report", "daily", "--date", &today]);
    let ledger = json_of(&out);
    assert!(ledger.get("close_blocked").is_some_and(Value::is_null) && ledger["date"] == today.as_str(), "{ledger} {}", stderr(&out));
    let out = c.cmd(&["--json", "case", "approve", &n]).env("CERTDESK_USER", "li").env("CERTDESK_PASSWORD_FILE", c.pw("li")).output().expect("runs");
    assert_eq!(json_of(&out)["error"]["kind"], "key_required", "li without a key: {}", stderr(&out));
    ok(env_li(&["case", "approve", &n]), "approve with CERTDESK_TOKEN");
    assert_eq!(c.status(&n), "approved");

    let day = chrono::Local::now().date_naive().to_string();
    // before the close: the print says 未日结 and has no QR code; `--ledger` has nothing to hold it against
    let before_pdf = c.p("before.pdf");
    ok(c.as_user("zhang", &["report", "daily", "--date", &day, "--pdf", &before_pdf]), "report daily --pdf");
    let text = pdf_text(&before_pdf);
    assert!(text.contains("受理日报") && text.contains("未日结") && text.contains(&n), "{text}");
    assert!(qr_codes(&before_pdf, c.dir.path()).is_empty(), "no QR code before the close");
    let before_csv = c.p("before.csv");
    ok(c.as_user("zhang", &["report", "daily", "--date", &day, "--out", &before_csv, "--format", "csv"]), "export before the close");
    assert!(std::fs::read_to_string(&before_csv).unwrap().contains("日结签名,未日结"), "the export says it was not closed");
    let out = c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--ledger", &before_csv]);
    assert_eq!(out.status.code(), Some(1), "nothing signed yet: {}", stderr(&out));

    // the close, signed with li's key from the environment
    let out = env_li(&["--json", "day", "close", "--day", &day]);
    let closed = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{closed} {}", stderr(&out));
    let reference = closed["reference"].as_str().expect("a reference").to_string();

    // the printed ledger: 已日结, the signer, the reference, and the QR code carrying it
    let after_pdf = c.p("after.pdf");
    ok(c.as_user("zhang", &["report", "daily", "--date", &day, "--pdf", &after_pdf]), "report daily --pdf after the close");
    let text = pdf_text(&after_pdf);
    assert!(text.contains("已日结") && !text.contains("未日结"), "{text}");
    assert_eq!(qr_codes(&after_pdf, c.dir.path()), vec![reference.clone()], "the QR code is the close's reference");
    let out = c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--reference", &reference]);
    assert_eq!(out.status.code(), Some(0), "what the QR reader typed in: {}", stderr(&out));
    // #78: the ledger names the installation's operator CA (the one li's enrolment installed),
    // and the QR check chains the close's certificate to it: under another operator CA it fails
    let (_, report) = c.json(&["--json", "audit", "verify"]);
    let anchor = report["operator_ca"]["sha256"].as_str().expect("the operator CA the enrolment installed").to_string();
    assert!(text.contains(&anchor), "the ledger prints the operator CA's SHA-256 {anchor}: {text}");
    std::fs::create_dir_all(c.dir.path().join("elsewhere")).unwrap();
    let elsewhere = OperatorCa::new(&c.dir.path().join("elsewhere"), "operator-ca", CaKey::P256);
    let out = c.cmd(&["--json", "day", "verify", "--day", &day, "--reference", &reference]).env("CERTDESK_OPERATOR_CA", &elsewhere.cert).output().unwrap();
    let v = json_of(&out);
    assert_eq!((out.status.code(), &v["signature_ok"]), (Some(1), &Value::Bool(false)), "{v}");
    assert!(v["problems"].to_string().contains("does not chain to the installation's operator CA"), "{v}");

    // the exported ledgers: CSV and XLSX agree with the signed day and name its close
    let csv = c.p("ledger.csv");
    ok(c.as_user("zhang", &["report", "daily", "--date", &day, "--out", &csv, "--format", "csv"]), "export csv");
    let exported = std::fs::read_to_string(&csv).unwrap();
    assert!(exported.contains(&format!("日结签名,{reference}")) && exported.contains("签名人,") && exported.contains("签名时间,"), "{exported}");
    let xlsx = c.p("ledger.xlsx");
    ok(c.as_user("zhang", &["report", "daily", "--date", &day, "--out", &xlsx, "--format", "xlsx"]), "export xlsx");
    for file in [&csv, &xlsx] {
        let out = c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--ledger", file]);
        let v = json_of(&out);
        assert_eq!(out.status.code(), Some(0), "{file}: {v}");
        assert_eq!((&v["ledger"]["ok"], v["ledger"]["reference"].as_str()), (&Value::Bool(true), Some(reference.as_str())), "{v}");
        assert!(v["ledger"]["compared"].as_u64().unwrap() >= 5, "{v}");
    }
    // the export made before the close still agrees: its figures are the signed day's
    let v = json_of(&c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--ledger", &before_csv]));
    assert_eq!((&v["ok"], &v["ledger"]["ok"], &v["ledger"]["reference"]), (&Value::Bool(true), &Value::Bool(true), &Value::Null), "{v}");

    // a fee edited in the CSV is named by its case; the total edited in the XLSX by 合计
    let edited = c.p("edited.csv");
    std::fs::write(&edited, edited_csv(&csv, "案件", "99999.00")).unwrap();
    let out = c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--ledger", &edited]);
    let v = json_of(&out);
    assert_eq!((out.status.code(), &v["ledger"]["ok"]), (Some(1), &Value::Bool(false)), "{v}");
    assert!(v["ledger"]["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains(&n) && p.as_str().unwrap().contains("99999.00")), "{v}");
    let edited_xlsx = c.p("edited.xlsx");
    let script = format!(
        "import openpyxl\nwb = openpyxl.load_workbook({xlsx:?})\nws = wb.worksheets[0]\nfor row in ws.iter_rows():\n    if row[0].value == '合计':\n        row[3].value = 123456.5\nwb.save({edited_xlsx:?})\n"
    );
    // the first python3 with openpyxl (a pyenv shim may come before Debian's)
    let python = ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| Command::new(p).args(["-c", "import openpyxl"]).output().is_ok_and(|o| o.status.success()))
        .expect("no python3 with openpyxl: run `bash scripts/deps.sh test` (python3-openpyxl)");
    let out = Command::new(python).args(["-c", &script]).output().expect("python3 runs");
    assert!(out.status.success(), "openpyxl: {}", stderr(&out));
    let v = json_of(&c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--ledger", &edited_xlsx]));
    assert!(v["ledger"]["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("合计 金额") && p.as_str().unwrap().contains("123456.50")), "{v}");
    // not a table at all: a clear error, exit 1
    let out = c.as_user("zhang", &["--json", "day", "verify", "--day", &day, "--ledger", &after_pdf]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // 审计日志 (#79): the day's events for a supervisor or an administrator, newest first and
    // chosen by action, case and page; a clerk is refused; the export says it in Chinese
    let out = c.as_user("zhang", &["--json", "audit", "log"]);
    assert_ne!(out.status.code(), Some(0), "a clerk reads no audit log");
    assert_eq!(json_of(&out)["error"]["kind"], "missing_role", "{}", stderr(&out));
    let out = env_li(&["--json", "audit", "log", "--from", &day]);
    let page = json_of(&out);
    let events = page["events"].as_array().unwrap_or_else(|| panic!("li reads the audit log: {page} {}", stderr(&out)));
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.len() > 5 && seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
    assert_eq!(events[0]["action"], "day_closed", "{page}");
    assert!(events.iter().any(|e| e["action"] == "operator_key_enrolled" && e["actor"] == "admin"), "the account events too: {page}");
    let approvals = json_of(&c.as_user("admin", &["--json", "audit", "log", "--from", &day, "--to", &day, "--action", "approve"]));
    let approvals: Vec<(String, String)> =
        approvals["events"].as_array().unwrap().iter().map(|e| (e["case_number"].as_str().unwrap().to_string(), e["actor"].as_str().unwrap().to_string())).collect();
    assert_eq!(approvals, vec![(n.clone(), "li".to_string())]);
    let of_case = json_of(&env_li(&["--json", "audit", "log", "--from", &day, "--case", &n.to_ascii_lowercase()]));
    let actions: Vec<&str> = of_case["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.starts_with(&["approve", "submit", "accept"]) && !actions.contains(&"day_closed"), "{actions:?}");
    let older = json_of(&env_li(&["--json", "audit", "log", "--from", &day, "--before", &seqs[0].to_string()]));
    assert_eq!(older["events"][0]["seq"].as_i64(), Some(seqs[1]), "the next page starts below the given event");
    let tomorrow = (chrono::Local::now().date_naive() + chrono::Duration::days(1)).to_string();
    assert_eq!(json_of(&env_li(&["--json", "audit", "log", "--from", &tomorrow]))["events"], Value::Array(vec![]));
    let out = env_li(&["--json", "audit", "log", "--from", &day, "--action", "approved"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(json_of(&out)["error"]["message"].as_str().is_some_and(|m| m.contains("approve, return")), "names the known actions: {}", stderr(&out));
    let done = json_of(&env_li(&["--json", "audit", "log", "--from", &day, "--export", "csv"]));
    assert_eq!(done["rows"].as_u64(), Some(seqs.len() as u64), "{done}");
    let log = std::fs::read_to_string(done["path"].as_str().expect("a path")).unwrap();
    assert!(log.contains("序号,时间,操作人,操作,案件编号,说明") && log.contains(&format!("复核通过,{n}")) && log.contains(",日结,"), "{log}");
    // a day typed as some date pickers give it (2026/11/24) names the file by the day, in the export folder
    let slashed = day.replace('-', "/");
    let done = json_of(&env_li(&["--json", "audit", "log", "--from", &slashed, "--export", "xlsx"]));
    let path = std::path::PathBuf::from(done["path"].as_str().expect("a path"));
    assert_eq!(path.file_name().and_then(|f| f.to_str()), Some(format!("审计日志-{day}至{day}.xlsx").as_str()), "{done}");
    assert!(path.is_file(), "{done}");

    // the closed day rewritten behind certdesk's back: named
    rewrite_sheet(&c);
    let out = c.as_user("zhang", &["--json", "day", "verify", "--day", &day]);
    let v = json_of(&out);
    assert_eq!((out.status.code(), &v["sheet_ok"]), (Some(1), &Value::Bool(false)), "{v}");
}

#[test]
fn a_closed_day_and_its_ledgers_on_a_store_file() {
    let c = Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm().with_env("CERTDESK_PKCS11_MODULE", SOFTHSM);
    a_closed_day_and_its_ledgers(c, &|c| {
        common::raw_sql(c, "DROP TRIGGER day_closes_no_update; UPDATE day_closes SET sheet = replace(sheet, '\"status\":\"approved\"', '\"status\":\"submitted\"');")
    });
}

#[test]
fn a_closed_day_and_its_ledgers_on_a_hall() {
    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("day");
    let c = Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let pgpass = db.pgpass(c.dir.path());
    let c = c.with_env("CERTDESK_DB", &db.url).with_env("PGPASSFILE", &pgpass).softhsm().with_env("CERTDESK_PKCS11_MODULE", SOFTHSM);
    c.add_people();
    a_closed_day_and_its_ledgers(c, &|_| {
        db.raw()
            .batch_execute("ALTER TABLE day_closes DISABLE TRIGGER USER; UPDATE day_closes SET sheet = replace(sheet, '\"status\":\"approved\"', '\"status\":\"submitted\"'); ALTER TABLE day_closes ENABLE TRIGGER USER;")
            .expect("rewriting the closed day on the hall");
    });
}
