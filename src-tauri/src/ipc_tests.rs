//! The app's IPC commands driven as the webview drives them, on Tauri's mock runtime with a
//! real store file: the findings of the "one front door" review that were found through the
//! app (a case number spelled otherwise, the approval and the seal images, what the case page
//! offers, sessions, panics) each have a test here; and one table of use cases run through the
//! application API, the `certdesk` binary and these commands must give the same results and the
//! same audit events.

use crate::{AppState, commands, desk};
use certdesk_desk::api::Session;
use certdesk_domain::workflow::Role;
use certdesk_store::{Password, Store};
use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};

const ORG_NEW: &str = include_str!("../../tests/fixtures/case-org-new.json");

struct Window {
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
}

/// A store with an administrator, a clerk `zhang`, a supervisor `li` and `both` (clerk and
/// supervisor), and an app window over it, signed in as nobody.
fn window(dir: &std::path::Path) -> Window {
    let path = dir.join("c.db");
    let mut store = Store::open(&path).unwrap();
    people(&mut store);
    let catalog = certdesk_catalog::Catalog::embedded().unwrap();
    let forms = certdesk_forms::Forms::load(catalog.clone()).unwrap();
    let state = AppState::new(store, catalog, forms);
    let app = mock_builder()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::login,
            commands::logout,
            commands::import_case,
            commands::case_action,
            commands::get_case,
            commands::review_queue,
            commands::fee_quote,
            desk::import_seal_from_folder,
            desk::set_setting,
        ])
        // the real context: the capability of the "main" window decides what it may call, as in the app
        .build(tauri::generate_context!())
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Window { webview, _app: app }
}

impl Window {
    /// Invokes `cmd` with `args`: the command's answer, or the `{kind, detail}` it refused with.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args.clone()).unwrap_or_else(|e| panic!("{cmd} {args}: {e}"))
    }

    fn kind(&self, cmd: &str, args: Value) -> String {
        let e = self.call(cmd, args.clone()).err().unwrap_or_else(|| panic!("{cmd} {args} was not refused"));
        e["kind"].as_str().unwrap_or_default().to_string()
    }

    fn login(&self, name: &str) {
        self.ok("login", json!({ "name": name, "password": format!("{name}-pass-1") }));
    }

    /// A case created, accepted and submitted by `clerk`.
    fn submitted(&self, clerk: &str) -> String {
        self.login(clerk);
        let n = self.ok("import_case", json!({ "json": ORG_NEW }))["number"].as_str().unwrap().to_string();
        for action in ["accept", "submit"] {
            self.ok("case_action", json!({ "number": n, "action": action }));
        }
        n
    }
}

#[test]
fn a_case_number_spelled_otherwise_does_not_bypass_four_eyes() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let n = w.submitted("both");
    for spelled in [n.to_lowercase(), format!(" {n}"), format!("{} ", n.to_lowercase())] {
        assert_eq!(w.kind("case_action", json!({ "number": spelled, "action": "approve" })), "four_eyes", "{spelled:?}");
    }
    // the queue leaves the case out for its own clerk, and offers it to another supervisor
    assert!(w.ok("review_queue", json!({})).as_array().unwrap().iter().all(|c| c["number"] != n.as_str()));
    w.login("li");
    assert!(w.ok("review_queue", json!({})).as_array().unwrap().iter().any(|c| c["number"] == n.as_str()));
    assert_eq!(w.ok("case_action", json!({ "number": n.to_lowercase(), "action": "approve" })), "approved");
}

#[test]
fn the_case_page_offers_what_this_account_may_do() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let n = w.submitted("zhang");
    let can = |w: &Window| w.ok("get_case", json!({ "number": n }))["can"].clone();
    let actions = |c: &Value| c["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let clerk = can(&w);
    assert_eq!(actions(&clerk), ["cancel"], "a clerk is not offered 复核通过");
    assert_eq!(clerk["edit"], true);
    w.login("li");
    let sup = can(&w);
    assert_eq!(actions(&sup), ["approve", "return", "cancel"]);
    assert_eq!(sup["actions"][1]["needs_reason"], true);
    assert_eq!(sup["edit"], false);
    assert_eq!(sup["attach"], false);
    // and the backend refuses what it does not offer
    w.login("zhang");
    assert_eq!(w.kind("case_action", json!({ "number": n, "action": "approve" })), "missing_role");
}

#[test]
fn a_seal_sheet_after_approval_sends_the_case_back_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let scans = dir.path().join("scans");
    std::fs::create_dir(&scans).unwrap();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/seal/collection-150dpi.jpg"), scans.join("sheet.jpg")).unwrap();
    w.login("admin");
    w.ok("set_setting", json!({ "key": "scan_folder", "value": scans.display().to_string() }));
    let n = w.submitted("zhang");
    w.login("li");
    assert_eq!(w.kind("import_seal_from_folder", json!({ "number": n, "name": "sheet.jpg" })), "missing_role", "only a clerk imports the sheet");
    w.ok("case_action", json!({ "number": n, "action": "approve" }));
    w.login("zhang");
    w.ok("import_seal_from_folder", json!({ "number": n, "name": "sheet.jpg" }));
    assert_eq!(w.ok("get_case", json!({ "number": n }))["case"]["status"], "submitted", "the approval covered the old images");
}

#[test]
fn a_session_ends_with_its_account_and_after_the_idle_time() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    assert_eq!(w.kind("get_case", json!({ "number": "GZ01-20261122-0001" })), "not_signed_in");
    assert_eq!(w.kind("login", json!({ "name": "zhang", "password": "wrong-password" })), "wrong_password");
    assert_eq!(w.kind("login", json!({ "name": "nobody", "password": "wrong-password" })), "wrong_password");
    w.login("zhang");
    w.ok("logout", json!({}));
    assert_eq!(w.kind("review_queue", json!({})), "not_signed_in");
}

#[test]
fn out_of_range_input_is_refused_and_the_app_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let quote = |years: u32, quantity: u32| {
        w.call("fee_quote", json!({ "project": "netca-gd-pension", "business": "new", "certKind": "organization", "medium": "usb_key", "years": years, "quantity": quantity }))
    };
    // an absurd quantity is an error for this call, never a crash of the window
    assert!(quote(5, 1_000_000_000).is_err());
    w.login("zhang");
    assert!(w.call("review_queue", json!({})).is_ok(), "the store is still usable");
}

#[test]
fn a_panic_inside_a_command_is_that_commands_error_and_the_store_stays_usable() {
    use tauri::Manager;
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let n = w.submitted("zhang");
    let state = w.webview.state::<AppState>();
    // a panic while the command holds the store (shared connection) and on its own connection
    let err = state.with_desk(|_| -> Result<(), certdesk_desk::DeskError> { panic!("boom in a command") }).unwrap_err();
    assert_eq!((err.kind, err.detail.contains("boom in a command")), (certdesk_desk::ErrorKind::Internal, true), "{}", err.detail);
    let err = state.with_own_desk(|_| -> Result<(), certdesk_desk::DeskError> { panic!("boom on its own connection") }).unwrap_err();
    assert_eq!(err.kind, certdesk_desk::ErrorKind::Internal);
    // the next commands run: the lock is not poisoned, the session and the case are as they were
    assert_eq!(w.ok("get_case", json!({ "number": n }))["case"]["status"], "submitted");
    w.login("li");
    assert_eq!(w.ok("case_action", json!({ "number": n, "action": "approve" })), "approved");
}

/// One use case of the table: who, which action, with what reason; and whether it goes through.
type Step = (&'static str, &'static str, Option<&'static str>, bool);

/// The second check as a table, run through the three front doors: the application API (as a
/// library caller), the `certdesk` binary, and the app's IPC commands. Each must give the same
/// outcome for every step, the same statuses and the same events on the case's audit chain.
const TABLE: &[Step] = &[
    ("zhang", "accept", None, true),
    ("li", "accept", None, false),
    ("zhang", "submit", None, true),
    ("li", "return", None, false),
    ("li", "return", Some("公章不清晰"), true),
    ("zhang", "submit", None, true),
    ("zhang", "approve", None, false),
    ("both", "approve", None, true),
    ("li", "cancel", None, false),
    ("zhang", "deliver", None, false),
];

/// What a front door did with the table: each step's outcome and status after it, and the
/// case's events (actor and action) at the end.
type Outcome = (Vec<(bool, String)>, Vec<(String, String)>);

fn people(store: &mut Store) {
    let mut admin = Session::first_admin(store, "admin", &Password::new("admin-pass-1".into()), "GZ01", "").unwrap();
    for (name, roles) in [("zhang", vec![Role::Clerk]), ("li", vec![Role::Supervisor]), ("both", vec![Role::Clerk, Role::Supervisor])] {
        admin.desk(store).unwrap().add_account(name, &roles, &Password::new(format!("{name}-pass-1"))).unwrap();
    }
}

fn events(store: &Store, number: &str) -> Vec<(String, String)> {
    let n = certdesk_domain::CaseNumber::parse(number).unwrap();
    store.history(&n).unwrap().into_iter().map(|e| (e.actor, e.action)).collect()
}

fn through_the_api(dir: &std::path::Path) -> Outcome {
    let mut store = Store::open(&dir.join("c.db")).unwrap();
    people(&mut store);
    let catalog = certdesk_catalog::Catalog::embedded().unwrap();
    let sign = |store: &mut Store, who: &str| Session::sign_in(store, who, &Password::new(format!("{who}-pass-1"))).unwrap();
    let n = sign(&mut store, "zhang").desk(&mut store).unwrap().import_case(&catalog, ORG_NEW).unwrap().number;
    let mut steps = Vec::new();
    for (who, action, reason, _) in TABLE {
        let action = certdesk_domain::Action::from_wire(action).unwrap();
        let ok = sign(&mut store, who).desk(&mut store).unwrap().act(&catalog, &n, action, *reason).is_ok();
        steps.push((ok, store.case(&certdesk_domain::CaseNumber::parse(&n).unwrap()).unwrap().status.wire().to_string()));
    }
    (steps, events(&store, &n))
}

fn through_the_cli(dir: &std::path::Path) -> Outcome {
    // the binary cargo built beside this test's (scripts/test.sh builds it first)
    let bin = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().join(if cfg!(windows) { "certdesk.exe" } else { "certdesk" });
    assert!(bin.is_file(), "{} missing: cargo build -p certdesk-cli first (scripts/test.sh does)", bin.display());
    let db = dir.join("c.db");
    let mut store = Store::open(&db).unwrap();
    people(&mut store);
    drop(store);
    let run = |args: &[&str], who: &str| {
        let pw = dir.join(format!("{who}.pw"));
        std::fs::write(&pw, format!("{who}-pass-1\n")).unwrap();
        std::process::Command::new(&bin)
            .args(args)
            .args(["--as", who, "--password-file", pw.to_str().unwrap(), "--json"])
            .env("CERTDESK_DB", &db)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let case_file = dir.join("case.json");
    std::fs::write(&case_file, ORG_NEW).unwrap();
    let out = run(&["case", "import", case_file.to_str().unwrap()], "zhang");
    let n = serde_json::from_slice::<Value>(&out.stdout).unwrap()["number"].as_str().unwrap().to_string();
    let mut steps = Vec::new();
    for (who, action, reason, _) in TABLE {
        let mut args = vec!["case", action, n.as_str()];
        if let Some(r) = reason {
            args.extend(["--reason", r]);
        }
        let ok = run(&args, who).status.success();
        let store = Store::open(&db).unwrap();
        steps.push((ok, store.case(&certdesk_domain::CaseNumber::parse(&n).unwrap()).unwrap().status.wire().to_string()));
    }
    (steps, events(&Store::open(&db).unwrap(), &n))
}

fn through_the_ipc(dir: &std::path::Path) -> Outcome {
    let w = window(dir);
    w.login("zhang");
    let n = w.ok("import_case", json!({ "json": ORG_NEW }))["number"].as_str().unwrap().to_string();
    let mut steps = Vec::new();
    for (who, action, reason, _) in TABLE {
        w.login(who);
        let ok = w.call("case_action", json!({ "number": n, "action": action, "reason": reason })).is_ok();
        steps.push((ok, w.ok("get_case", json!({ "number": n }))["case"]["status"].as_str().unwrap().to_string()));
    }
    let store = Store::open(&dir.join("c.db")).unwrap();
    (steps, events(&store, &n))
}

#[test]
fn the_same_use_cases_give_the_same_results_through_every_front_door() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let api = through_the_api(dirs[0].path());
    let expected: Vec<bool> = TABLE.iter().map(|s| s.3).collect();
    assert_eq!(api.0.iter().map(|s| s.0).collect::<Vec<_>>(), expected, "the table's outcomes through the API");
    assert_eq!(api.0.last().unwrap().1, "approved");
    let cli = through_the_cli(dirs[1].path());
    let ipc = through_the_ipc(dirs[2].path());
    assert_eq!(cli, api, "the CLI and the API differ");
    assert_eq!(ipc, api, "the app's IPC and the API differ");
    let actions: Vec<&str> = api.1.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(actions, ["create", "accept", "submit", "return", "submit", "approve"]);
}
