//! The `certdesk` binary driven as outside checks drive it: exit codes, `--json` shapes and
//! field names, global options before or after the subcommand, a temp database per test.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");
const EMPLOYEES_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json");

/// A counter's store with its people (certdesk-testkit); cases are imported by the clerk.
struct Env {
    c: certdesk_testkit::Counter,
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { c: certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk")), dir: tempfile::tempdir().unwrap() }
    }
    /// Runs `args`; a read signs in as the administrator through the environment's account.
    fn run(&self, args: &[&str]) -> Output {
        self.c.read_as("admin", args)
    }
    fn json(&self, args: &[&str]) -> (i32, Value) {
        self.c.read_json(args)
    }
    /// `case import` (and whatever follows) as the clerk zhang.
    fn import(&self, args: &[&str]) -> Output {
        let mut all = vec!["case", "import"];
        all.extend_from_slice(args);
        self.c.as_user("zhang", &all)
    }
    fn import_json(&self, args: &[&str]) -> (i32, Value) {
        let out = self.import(args);
        (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap_or(Value::Null))
    }
    fn write(&self, name: &str, value: &Value) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, value.to_string()).unwrap();
        p
    }
}

fn example(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn validate_reports_each_value_and_exits_1_on_any_invalid() {
    let e = Env::new();
    let (code, v) = e.json(&["validate", "uscc", "91110000600037341L", "9111 0000 6000 3734 1l", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["valid"], true);
    assert_eq!(v[1]["normalized"], "91110000600037341L");
    for key in ["value", "valid", "normalized", "error", "warnings"] {
        assert!(v[0].get(key).is_some(), "missing {key}");
    }
    let (code, v) = e.json(&["--json", "validate", "ric", "360426199101010071", "360426199101010072"]);
    assert_eq!(code, 1);
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[1]["valid"], false);
    assert!(v[1]["error"].as_str().unwrap().contains("check"), "{v}");
    for (kind, good, bad) in [
        ("orgcode", "60003734-1", "60003734-2"),
        ("mobile", "+86 138 0013 8000", "12800138000"),
        ("landline", "020-87654321", "87654321"),
        ("email", "office@example-tech.cn", "office@"),
        ("postcode", "510030", "51003"),
    ] {
        let (code, v) = e.json(&["validate", kind, good, "--json"]);
        assert_eq!((code, &v[0]["valid"]), (0, &Value::Bool(true)), "{kind} {good}");
        let (code, v) = e.json(&["validate", kind, bad, "--json"]);
        assert_eq!((code, &v[0]["valid"]), (1, &Value::Bool(false)), "{kind} {bad}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let e = Env::new();
    assert_eq!(e.run(&["validate", "passport", "x"]).status.code(), Some(2));
    assert_eq!(e.run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(e.run(&["fee", "--project", "cfca-xs", "--business", "renewal", "--cert-kind", "organization", "--medium", "usb_key"]).status.code(), Some(2));
    assert_eq!(e.run(&["--help"]).status.code(), Some(0));
}

#[test]
fn fee_json_has_total_and_items() {
    let e = Env::new();
    let (code, v) = e.json(&["fee", "--project", "netca-gd-pension", "--business", "new", "--cert-kind", "organization", "--medium", "usb_key", "--years", "3", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["total"], "700.00");
    assert_eq!(v["total_capital"], "柒佰元整");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (code, v) = e.json(&["--json", "fee", "--project", "cfca-xs", "--business", "new", "--cert-kind", "organization", "--medium", "usb_key", "--years", "3"]);
    assert_eq!(code, 1);
    assert!(v["error"]["message"].as_str().unwrap().contains("1, 2, 4"), "{v}");
    let (code, _) = e.json(&["--json", "fee", "--project", "nope", "--business", "new", "--cert-kind", "organization", "--medium", "usb_key"]);
    assert_eq!(code, 1);
}

#[test]
fn catalog_list_and_show() {
    let e = Env::new();
    let (code, v) = e.json(&["catalog", "list", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v.as_array().unwrap().len(), 8);
    let (code, v) = e.json(&["catalog", "show", "cfca-xs", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v["id"], "cfca-xs");
    assert!(v["fees"].as_array().unwrap().len() >= 2);
}

#[test]
fn import_show_export_round_trip() {
    let e = Env::new();
    for path in [ORG_NEW, EMPLOYEES_NEW] {
        let out = e.import(&[path]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let number = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(number.starts_with("CD01-") && number.len() == "CD01-20261122-0001".len(), "{number}");
        let (code, exported) = e.json(&["case", "export", &number, "--json"]);
        assert_eq!(code, 0);
        assert_eq!(exported["number"], number.as_str());
        assert_eq!(exported["status"], "draft");
        let original = example(path);
        for (k, v) in original.as_object().unwrap() {
            assert_eq!(&exported[k], v, "field {k} of {path}");
        }
        let (_, mut shown) = e.json(&["case", "show", &number, "--json"]);
        // `show` adds the approval's signature (#31), none for a draft
        assert_eq!(shown.as_object_mut().unwrap().remove("approval_signature"), Some(serde_json::Value::Null));
        // and the fee as the receipt prints it (#71): the payment of the examples
        let fee = shown.as_object_mut().unwrap().remove("fee").unwrap();
        assert_eq!(fee["total"], original["payment"]["amount"], "{fee}");
        assert_eq!(shown, exported);
    }
}

/// #71: an imported case whose annex mixes 新申请 3 years and 续期 1 year shows its fee row
/// group by row group, charged as the catalog prices each group; the payment of that fee
/// draws no warning, the old price of the whole annex as 新申请 3 years does.
#[test]
fn a_mixed_annex_shows_its_fee_by_row_group() {
    let e = Env::new();
    let mixed = |amount: &str| {
        let mut case = example(EMPLOYEES_NEW);
        case["years"] = 3.into();
        case["quantity"] = 3.into();
        let rows = case["employees"].as_array_mut().unwrap();
        for row in rows.iter_mut() {
            row["years"] = 3.into();
        }
        rows.push(serde_json::json!({"name": "邓伟明", "id_type": "resident_id", "id_number": "441900197802110118", "business": "renew", "years": 1}));
        case["payment"]["amount"] = amount.into();
        case
    };
    let (code, v) = e.import_json(&[s(&e.write("old-price.json", &mixed("1200.00"))), "--json"]);
    assert_eq!(code, 0, "{v}");
    assert!(v["warnings"].to_string().contains("payment.amount"), "{v}");
    let (code, v) = e.import_json(&[s(&e.write("mixed.json", &mixed("900.00"))), "--json"]);
    assert_eq!(code, 0, "{v}");
    assert!(!v["warnings"].to_string().contains("payment.amount"), "{v}");
    let number = v["number"].as_str().unwrap().to_string();
    let (code, shown) = e.json(&["--json", "case", "show", &number]);
    assert_eq!(code, 0);
    let fee = &shown["fee"];
    let lines: Vec<(&str, u64, &str)> =
        fee["items"].as_array().unwrap().iter().map(|i| (i["label"].as_str().unwrap(), i["count"].as_u64().unwrap(), i["amount"].as_str().unwrap())).collect();
    assert_eq!(lines, [("新申请 3年 · 证书年服务费", 6, "600.00"), ("新申请 3年 · 证书介质费", 2, "200.00"), ("更新续期 1年 · 证书年服务费", 1, "100.00")], "{fee}");
    assert_eq!((fee["total"].as_str(), fee["total_capital"].as_str(), fee["quantity"].as_u64()), (Some("900.00"), Some("玖佰元整"), Some(3)), "{fee}");
    let groups: Vec<(&str, u64, &str)> =
        fee["groups"].as_array().unwrap().iter().map(|g| (g["label"].as_str().unwrap(), g["count"].as_u64().unwrap(), g["subtotal"].as_str().unwrap())).collect();
    assert_eq!(groups, [("新申请 3年", 2, "800.00"), ("更新续期 1年", 1, "100.00")], "{fee}");
}

#[test]
fn import_of_an_export_makes_a_new_case() {
    let e = Env::new();
    let first = String::from_utf8(e.import(&[ORG_NEW]).stdout).unwrap().trim().to_string();
    let out_file = e.dir.path().join("export.json");
    assert_eq!(e.run(&["case", "export", &first, "--out", s(&out_file)]).status.code(), Some(0));
    let (code, v) = e.import_json(&[s(&out_file), "--json"]);
    assert_eq!(code, 0);
    assert_ne!(v["number"], first.as_str());
    let (_, list) = e.json(&["case", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[test]
fn invalid_case_is_refused_whole_with_every_problem() {
    let e = Env::new();
    assert_eq!(e.import(&[ORG_NEW]).status.code(), Some(0));
    let mut bad = example(ORG_NEW);
    bad["organization"]["uscc"] = "91440101MA59ABCD1X".into();
    bad["handler"]["mobile"] = "1380013800".into();
    bad["years"] = 6.into();
    let path = e.write("bad.json", &bad);
    let out = e.import(&[s(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for field in ["organization.uscc", "handler.mobile", "years"] {
        assert!(stderr.contains(field), "{field} not named in: {stderr}");
    }
    assert!(stderr.contains("nothing stored"), "{stderr}");
    let (_, list) = e.json(&["case", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "the refused case must not be stored");

    for broken in ["{", "[]", "{\"project\": 1}"] {
        let p = e.dir.path().join("broken.json");
        std::fs::write(&p, broken).unwrap();
        assert_eq!(e.import(&[s(&p)]).status.code(), Some(1), "{broken}");
    }
    assert_eq!(e.import(&["/nonexistent/case.json"]).status.code(), Some(1));
    let (_, list) = e.json(&["case", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn search_and_list_by_status() {
    let e = Env::new();
    e.import(&[ORG_NEW]);
    e.import(&[EMPLOYEES_NEW]);
    let (code, v) = e.json(&["case", "search", "示例科技", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["org_name"], "广州市示例科技有限公司");
    assert_eq!(v[0]["organization"]["name"], "广州市示例科技有限公司");
    assert!(v[0]["number"].as_str().unwrap().starts_with("CD01-"));
    let (_, v) = e.json(&["--json", "case", "search", "陈刚"]);
    assert_eq!(v[0]["org_name"], "广东省示例事业单位");
    let (_, v) = e.json(&["case", "list", "--status", "draft", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (_, v) = e.json(&["case", "list", "--status", "approved", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 0);
    assert_eq!(e.run(&["case", "list", "--status", "bogus"]).status.code(), Some(2));
}

#[test]
fn missing_case_exits_1() {
    let e = Env::new();
    let (code, v) = e.json(&["case", "show", "CD01-20261122-0042", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["kind"], "case_not_found");
}

/// Every read of the store signs in first, as the app's do: without an account a read exits 1
/// saying which account is missing; the environment's account (CERTDESK_USER with
/// CERTDESK_PASSWORD_FILE) serves when no --as is given, and --as wins over it.
#[test]
fn a_read_needs_an_account_and_the_environments_one_serves() {
    let e = Env::new();
    let n = String::from_utf8(e.import(&[ORG_NEW]).stdout).unwrap().trim().to_string();
    for read in [
        vec!["case", "show", n.as_str()],
        vec!["case", "list"],
        vec!["case", "search", "示例"],
        vec!["audit", "verify"],
        vec!["report", "daily"],
        vec!["counter", "show"],
        vec!["user", "list"],
    ] {
        let mut args = read.clone();
        args.push("--json");
        let out = e.c.cmd_without_account(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{read:?} without an account: {}", certdesk_testkit::stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "no_account", "{read:?}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(read[..2].join(" ").as_str()) && message.contains("--as") && message.contains("CERTDESK_USER"), "{message}");
    }
    // the environment's account reads; a wrong password file is refused as a wrong password
    let shown: Value = serde_json::from_slice(&e.c.read_as("zhang", &["case", "show", &n, "--json"]).stdout).unwrap();
    assert_eq!(shown["number"], n.as_str());
    let wrong = e.dir.path().join("wrong.pw");
    std::fs::write(&wrong, "not-the-password\n").unwrap();
    let out = e.c.cmd(&["case", "show", &n, "--json"]).env("CERTDESK_USER", "zhang").env("CERTDESK_PASSWORD_FILE", &wrong).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["kind"], "wrong_password");
    // --as wins over the environment (and does not take its password file)
    let out =
        e.c.cmd(&["user", "list", "--json", "--as", "admin", "--password-file", &e.c.pw("admin")])
            .env("CERTDESK_USER", "zhang")
            .env("CERTDESK_PASSWORD_FILE", &wrong)
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    // what a read needs beyond an account is the desk's: the account list is an administrator's
    assert_eq!(e.c.read_as("zhang", &["user", "list", "--json"]).status.code(), Some(1), "a clerk does not list the accounts");
}

/// The CLI opens the store the app was set to open (管理 → 案件库位置: store.json in the app's
/// state folder) when neither --db nor CERTDESK_DB names one.
#[test]
fn the_cli_honours_the_apps_saved_store_choice() {
    let e = Env::new();
    let state = e.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("store.json"), r#"{"kind":"file"}"#).unwrap();
    let data = e.dir.path().join("data");
    let run =
        |args: &[&str]| e.c.cmd(args).env_remove("CERTDESK_DB").env("CERTDESK_LOG_DIR", state.join("logs")).env("XDG_DATA_HOME", &data).env("HOME", e.dir.path()).output().unwrap();
    let out = run(&["user", "add", "admin", "--role", "admin", "--password-file", &e.c.pw("admin")]);
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    assert!(data.join("certdesk").join("certdesk.db").is_file(), "the app's choice (this PC's store file) was opened");
    // a damaged choice is said, naming the file, rather than a silent other store
    std::fs::write(state.join("store.json"), "{").unwrap();
    let out = run(&["--json", "case", "list", "--as", "admin", "--password-file", &e.c.pw("admin")]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "store_setting", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("store.json"), "{v}");
}

#[test]
fn audit_verify_finds_a_tampered_event() {
    let e = Env::new();
    e.import(&[ORG_NEW]);
    e.import(&[EMPLOYEES_NEW]);
    let (code, v) = e.json(&["audit", "verify", "--json"]);
    assert_eq!((code, &v["ok"]), (0, &Value::Bool(true)));
    common::raw_sql(&e.c, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 1;");
    let (code, v) = e.json(&["audit", "verify", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(v["first_break"]["seq"], 1);
    assert_eq!(v["first_break"]["kind"], "edited");
}

#[test]
fn db_option_overrides_the_environment() {
    let e = Env::new();
    let other = e.dir.path().join("other.db");
    e.import(&[ORG_NEW]);
    let (_, here) = e.json(&["case", "list", "--json"]);
    // the other store, with its own administrator
    let out = e.c.cmd(&["--db", s(&other), "user", "add", "admin", "--role", "admin", "--password-file", &e.c.pw("admin")]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    let (_, there) = e.json(&["--db", s(&other), "case", "list", "--json"]);
    assert_eq!(here.as_array().unwrap().len(), 1);
    assert_eq!(there.as_array().unwrap().len(), 0);
    // and nobody can import into the other store: it has no accounts
    assert_eq!(e.import(&[ORG_NEW, "--db", s(&other)]).status.code(), Some(1));
}

#[test]
fn a_broken_forms_folder_is_refused_with_file_and_line() {
    let e = Env::new();
    let forms = e.dir.path().join("forms/demo");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::write(forms.join("catalog.toml"), "id = \"demo\"\nca_name = 3\n").unwrap();
    let out = e.run(&["--forms", s(&e.dir.path().join("forms")), "catalog", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("demo/catalog.toml:2:"), "{stderr}");
}

#[test]
fn an_absurd_fee_request_is_refused_not_a_crash() {
    let e = Env::new();
    let out =
        e.run(&["fee", "--project", "netca-gd-pension", "--business", "new", "--cert-kind", "organization", "--medium", "usb_key", "--years", "5", "--quantity", "1000000000"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quantity"), "{}", String::from_utf8_lossy(&out.stderr));
    // and a case asking for it is refused whole, naming the field
    let mut bad = example(ORG_NEW);
    bad["quantity"] = 1_000_000_000.into();
    bad["organization"]["name"] = "示例\u{202E}司公".into();
    let path = e.write("absurd.json", &bad);
    let out = e.import(&[s(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("quantity") && stderr.contains("organization.name"), "{stderr}");
}

#[test]
fn an_account_is_made_with_its_display_name_the_first_administrator_too() {
    let c = certdesk_testkit::Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let admin_pw = c.pw("admin");
    c.ok(&["user", "add", "admin", "--role", "admin", "--password-file", &admin_pw, "--display-name", "王管理"]);
    let zhang_pw = c.pw("zhang");
    c.ok(&["user", "add", "zhang", "--role", "clerk", "--password-file", &zhang_pw, "--display-name", " 张三 ", "--as", "admin", "--as-password-file", &admin_pw]);
    let (code, accounts) = c.read_json(&["user", "list", "--json"]);
    assert_eq!(code, 0, "{accounts}");
    let shown = |name: &str| accounts.as_array().unwrap().iter().find(|a| a["name"] == name).map(|a| a["display_name"].clone()).unwrap();
    assert_eq!((shown("admin"), shown("zhang")), (serde_json::json!("王管理"), serde_json::json!("张三")));
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // the reader is gone before the command writes a byte (`certdesk … | head` that has read enough)
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["--json", "catalog", "show", "netca-gd-pension"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // any other failure still says what it is
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["catalog", "show", "no-such-project"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-project"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_acting_accounts_password_is_password_file_on_every_command_and_the_old_spelling_stays() {
    let e = Env::new();
    let c = &e.c;
    let admin = c.pw("admin");
    let new_pw = e.dir.path().join("new.pw");
    std::fs::write(&new_pw, "zhao-secret-pass-1\n").unwrap();
    // a new account's password has its own name; the administrator's is --as-password-file there
    let out = c.run(&["user", "add", "zhao", "--role", "clerk", "--new-password-file", s(&new_pw), "--as", "admin", "--as-password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    // the acting administrator's password is --password-file, as on every command …
    let out = c.run(&["user", "unlock", "zhao", "--as", "admin", "--password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    // … and the earlier spelling still works
    let out = c.run(&["user", "disable", "zhao", "--as", "admin", "--as-password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    let (_, list) = c.read_json(&["--json", "user", "list"]);
    let zhao = list.as_array().unwrap().iter().find(|a| a["name"] == "zhao").cloned().unwrap_or_default();
    assert_eq!(zhao["disabled"], true, "{list}");
    // the new password's earlier spelling on user add still names the new account's password
    let out = c.run(&["user", "add", "qian", "--role", "clerk", "--password-file", s(&new_pw), "--as", "admin", "--as-password-file", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
    let out = c.cmd_without_account(&["case", "list", "--as", "qian", "--password-file", s(&new_pw)]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", certdesk_testkit::stderr(&out));
}
