//! The app's IPC commands driven as the webview drives them, on Tauri's mock runtime with a
//! real store file: the findings of the "one front door" review that were found through the
//! app (a case number spelled otherwise, the approval and the seal images, what the case page
//! offers, sessions, panics) each have a test here.

use crate::{AppState, StoreCell, commands, desk};
use certdesk_desk::api::Session;
use certdesk_domain::workflow::Role;
use certdesk_store::{Password, Store};
use serde_json::{Value, json};
use std::sync::Mutex;
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
    let mut admin = Session::first_admin(&mut store, "admin", &Password::new("admin-pass-1".into()), "GZ01", "").unwrap();
    for (name, roles) in [("zhang", vec![Role::Clerk]), ("li", vec![Role::Supervisor]), ("both", vec![Role::Clerk, Role::Supervisor])] {
        admin.desk(&mut store).unwrap().add_account(name, &roles, &Password::new(format!("{name}-pass-1"))).unwrap();
    }
    let catalog = certdesk_catalog::Catalog::embedded().unwrap();
    let forms = certdesk_forms::Forms::load(catalog.clone()).unwrap();
    let state = AppState {
        store: StoreCell(Mutex::new(Some(store))),
        session: Mutex::new(None),
        catalog,
        forms,
        keys: Mutex::new(None),
        default_pin_tokens: Mutex::new(Default::default()),
    };
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
