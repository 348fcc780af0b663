//! The app's IPC commands driven as the webview drives them, on Tauri's mock runtime with a
//! real store file: the findings of the "one front door" review that were found through the
//! app (a case number spelled otherwise, the approval and the seal images, what the case page
//! offers, sessions, panics) each have a test here; and one table of use cases run through the
//! application API, the `certdesk` binary and these commands must give the same results and the
//! same audit events.

use crate::{AppState, commands, desks};
use certdesk_desk::api::{CaseStore, Session};
use certdesk_desk::domain::workflow::Role;
use certdesk_desk::place::{Environment, Platform};
use certdesk_desk::store::Password;
use certdesk_store::Store;
use serde_json::{Value, json};
use tauri::Manager;
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};

#[path = "../crates/certdesk-store/tests/common/pg.rs"]
mod pg;

/// The org-new fixture with its checklist recorded as all received, as the intake sends a case
/// (#79: a case goes to the second check only with its materials).
static ORG_NEW: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    certdesk_desk::materials::case_json_all_received(&certdesk_desk::catalog::Catalog::embedded().unwrap(), include_str!("../../tests/fixtures/case-org-new.json")).unwrap()
});

struct Window {
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
}

/// A store with an administrator, a clerk `zhang`, a supervisor `li` and `both` (clerk and
/// supervisor), and an app window over it, signed in as nobody.
/// The environment of a test's app: its state and log folders, documents and data in `dir`.
fn env(dir: &std::path::Path) -> Environment {
    let platform = Platform { data_local: Some(dir.join("data")), documents: Some(dir.join("documents")), temp: dir.to_path_buf(), ..Platform::default() };
    Environment { log_dir: Some(dir.join("state").join("logs")), platform, ..Environment::default() }
}

fn window(dir: &std::path::Path) -> Window {
    let path = dir.join("c.db");
    let mut store = certdesk_desk::place::open_file(&path).unwrap();
    people(&mut store);
    let catalog = certdesk_desk::intake::load_catalog(None).unwrap();
    let forms = certdesk_desk::print::load_forms(catalog.clone()).unwrap();
    let state = AppState::new(store, catalog, forms, env(dir));
    assert_eq!(state.place.dir, dir.join("state"));
    window_over(state)
}

/// An app window over `state`, signed in as nobody.
fn window_over(state: AppState) -> Window {
    let app = mock_builder()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::setup_admin,
            commands::login,
            commands::logout,
            commands::lock_session,
            commands::unlock_session,
            commands::staff_key_watch,
            desks::reports::day_close,
            desks::reports::day_verify,
            desks::reports::report_daily_print,
            desks::reports::report_daily,
            desks::reports::due_list,
            desks::reports::export_report,
            desks::reports::audit_log,
            desks::reports::export_audit_log,
            desks::reports::payments_import,
            desks::reports::payments_list,
            desks::reports::payments_confirm,
            desks::admin::reset_password,
            desks::admin::change_own_password,
            desks::admin::add_account,
            desks::admin::set_display_name,
            commands::import_case,
            commands::update_case,
            commands::case_action,
            commands::get_case,
            commands::review_queue,
            commands::case_page,
            commands::fee_quote,
            commands::intake_form,
            commands::intake_project,
            commands::case_steps,
            commands::complete_step,
            commands::validate_ident,
            commands::materials_state,
            commands::materials_all_received,
            desks::seal::import_seal_from_folder,
            desks::admin::set_setting,
            desks::admin::check_key_library,
            desks::admin::sign_ins,
            desks::admin::recovery_sheet,
            desks::admin::save_recovery_key,
            desks::admin::list_accounts,
            desks::admin::key_enrolments,
            desks::admin::enrol_key,
            desks::admin::revoke_key,
            desks::admin::purge_preview,
            desks::admin::purge_run,
            desks::place::store_place,
            desks::place::hall_status,
            desks::idcard::idcard_poll,
            desks::place::set_store_place,
            desks::keys::key_slots,
            desks::keys::key_batch_pins,
            desks::keys::key_enrol,
            desks::keys::key_export_requests,
            desks::admin::ra_show,
            desks::admin::ra_set,
            desks::admin::ra_try,
            desks::admin::ra_clear,
            desks::keys::key_batch_pins_forget,
            desks::keys::intake_unit_key,
            desks::keys::intake_triage,
            desks::keys::case_prove_unit,
            commands::intake_on_file,
            desks::keys::key_queue,
            desks::keys::key_status,
            desks::keys::key_init,
            desks::keys::key_generate,
            desks::keys::key_import_cert,
            desks::keys::key_import_answers,
            desks::keys::case_withdraw_cert,
            desks::keys::case_reissue,
            commands::case_hold,
            commands::case_release_hold,
            commands::employees_read,
            desks::keys::key_write_cert,
            desks::keys::key_write_seal,
            desks::keys::key_verify,
            desks::keys::key_unlock,
            desks::keys::key_wipe,
            desks::seal::accept_seal_sample,
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

    /// Invokes `cmd` with a raw body and headers (the certificate upload).
    fn raw(&self, cmd: &str, body: Vec<u8>, headers: &[(&'static str, &str)]) -> Result<Value, Value> {
        let mut map = tauri::http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        let request = tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Raw(body),
            headers: map,
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

    /// The seal sheet fixture as `sheet.jpg` in a scan folder under `dir`, set as the
    /// counter's scan folder by the administrator (signed in after).
    fn seal_sheet_in_scan_folder(&self, dir: &std::path::Path) {
        let scans = dir.join("scans");
        std::fs::create_dir(&scans).unwrap();
        std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/seal/collection-150dpi.jpg"), scans.join("sheet.jpg")).unwrap();
        self.login("admin");
        self.ok("set_setting", json!({ "key": "scan_folder", "value": scans.display().to_string() }));
    }

    /// A case created, accepted and submitted by `clerk`.
    fn submitted(&self, clerk: &str) -> String {
        self.login(clerk);
        let n = self.ok("import_case", json!({ "json": ORG_NEW.as_str() }))["number"].as_str().unwrap().to_string();
        for action in ["accept", "submit"] {
            self.ok("case_action", json!({ "number": n, "action": action }));
        }
        n
    }
}

/// 管理 → 账号 (#79): who is signed in now, at which PC, and each account's last sign-in; a
/// sign-out ends the session's presence, its last sign-in stays; only an administrator asks.
#[test]
fn the_administrator_sees_who_is_signed_in_now_and_each_last_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    assert_eq!(w.kind("sign_ins", json!({})), "missing_role", "a clerk does not see who is signed in");
    w.ok("logout", json!({}));
    w.login("admin");
    // the window is heard of: its session stays present
    w.ok("app_status", json!({}));
    let seen = w.ok("sign_ins", json!({}));
    let now: Vec<(&str, &str)> = seen["now"].as_array().unwrap().iter().map(|s| (s["account"].as_str().unwrap(), s["desk"].as_str().unwrap())).collect();
    let desk = crate::commands::desk_name();
    assert_eq!(now, vec![("admin", desk.as_str())], "zhang signed out; the administrator is here: {seen}");
    assert_eq!(seen["last"]["zhang"]["desk"], desk.as_str());
    assert!(seen["last"]["zhang"]["ended_at"].is_string(), "zhang's session ended: {seen}");
    assert!(seen["last"]["admin"]["ended_at"].is_null());
    assert!(seen["last"].get("wang").is_none(), "wang never signed in at a window");
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
fn the_case_list_comes_a_page_at_a_time_with_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    let numbers: Vec<String> = (0..5).map(|_| w.ok("import_case", json!({ "json": ORG_NEW.as_str() }))["number"].as_str().unwrap().to_string()).collect();
    w.ok("case_action", json!({ "number": numbers[0], "action": "accept" }));
    let page = |args: Value| w.ok("case_page", args);
    let first = page(json!({ "offset": 0, "limit": 2 }));
    assert_eq!(first["total"], 5);
    assert_eq!(first["rows"].as_array().unwrap().iter().map(|r| r["number"].as_str().unwrap()).collect::<Vec<_>>(), [numbers[4].as_str(), numbers[3].as_str()]);
    assert_eq!(page(json!({ "offset": 4, "limit": 2 }))["rows"].as_array().unwrap().len(), 1);
    let accepted = page(json!({ "status": "accepted", "offset": 0, "limit": 10 }));
    assert_eq!((accepted["total"].as_u64(), accepted["rows"][0]["number"].as_str()), (Some(1), Some(numbers[0].as_str())));
    // a search with the filters applied to its hits
    let searched = page(json!({ "text": numbers[2], "offset": 0, "limit": 10 }));
    assert_eq!((searched["total"].as_u64(), searched["rows"][0]["number"].as_str(), searched["capped"].as_bool()), (Some(1), Some(numbers[2].as_str()), Some(false)));
    assert_eq!(page(json!({ "text": numbers[2], "status": "accepted", "offset": 0, "limit": 10 }))["total"], 0);
    assert_eq!(w.kind("case_page", json!({ "status": "nonsense", "offset": 0, "limit": 10 })), "unknown_value");
}

#[test]
fn the_review_queue_puts_the_longest_waiting_first_and_a_resubmitted_case_after() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let first = w.submitted("zhang");
    let second = w.submitted("zhang");
    w.login("li");
    let queue = |w: &Window| w.ok("review_queue", json!({})).as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(queue(&w), [first.clone(), second.clone()]);
    // which 受理员 sent it (#79): the account, with its 姓名 once it has one
    let by = |w: &Window| w.ok("review_queue", json!({}))[0]["submitted_by"].as_str().unwrap().to_string();
    assert_eq!(by(&w), "zhang");
    w.login("admin");
    w.ok("set_display_name", json!({ "name": "zhang", "displayName": "张三" }));
    w.login("li");
    assert_eq!(by(&w), "张三（zhang）");
    assert_eq!(w.ok("review_queue", json!({}))[0]["number"], first.as_str(), "the case's line is flattened beside it");
    w.ok("case_action", json!({ "number": first, "action": "return", "reason": "复印件未盖章" }));
    w.login("zhang");
    w.ok("case_action", json!({ "number": first, "action": "submit" }));
    w.login("li");
    // the returned case waits again from its new submission
    assert_eq!(queue(&w), [second, first]);
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
fn a_supervisor_freezes_a_case_on_its_page_and_releases_it() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let n = w.submitted("zhang");
    let hold = |w: &Window| w.ok("get_case", json!({ "number": n }))["hold"].clone();
    assert_eq!(hold(&w), json!({ "held": null, "may_hold": false, "may_release": false }), "a clerk is offered nothing");
    assert_eq!(w.kind("case_hold", json!({ "number": n, "reason": "法院调取" })), "missing_role", "and refused by the backend");
    w.login("li");
    assert_eq!(hold(&w), json!({ "held": null, "may_hold": true, "may_release": false }));
    assert_eq!(w.kind("case_hold", json!({ "number": n, "reason": "  " })), "reason_required");
    let view = w.ok("case_hold", json!({ "number": n, "reason": "法院调取" }));
    assert_eq!(view["hold"], json!({ "held": { "number": n, "reason": "法院调取", "held_by": "li" }, "may_hold": false, "may_release": true }));
    assert_eq!(view["history"].as_array().unwrap().last().unwrap()["action"], "case_hold");
    assert_eq!(w.kind("case_hold", json!({ "number": n, "reason": "审计" })), "held_already");
    w.login("zhang");
    assert_eq!(hold(&w)["held"]["reason"], "法院调取", "whoever opens the case sees it is held");
    assert_eq!(w.kind("case_release_hold", json!({ "number": n })), "missing_role");
    w.login("li");
    assert_eq!(w.ok("case_release_hold", json!({ "number": n }))["hold"], json!({ "held": null, "may_hold": true, "may_release": false }));
    assert_eq!(w.kind("case_release_hold", json!({ "number": n })), "not_held");
}

#[test]
fn a_seal_sheet_after_approval_sends_the_case_back_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.seal_sheet_in_scan_folder(dir.path());
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
fn a_locked_session_keeps_the_window_and_opens_again_with_its_own_password_only() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    let n = w.ok("import_case", json!({ "json": ORG_NEW.as_str() }))["number"].as_str().unwrap().to_string();
    assert_eq!(w.ok("app_status", json!({}))["idle_minutes"], 10, "the default idle time");
    // the window's idle timer locks it: nothing but unlock, logout and app_status
    w.ok("lock_session", json!({}));
    assert_eq!(w.kind("get_case", json!({ "number": n })), "session_locked");
    assert_eq!(w.kind("import_case", json!({ "json": ORG_NEW.as_str() })), "session_locked");
    let status = w.ok("app_status", json!({}));
    assert_eq!((status["locked"].as_str(), status["signed_in"].is_null()), (Some("zhang"), true), "{status}");
    // another account's password does not open it (counted against zhang, as at sign-in)
    assert_eq!(w.kind("unlock_session", json!({ "password": "li-pass-1" })), "wrong_password");
    assert_eq!(w.kind("get_case", json!({ "number": n })), "session_locked");
    assert_eq!(w.ok("unlock_session", json!({ "password": "zhang-pass-1" }))["name"], "zhang");
    assert_eq!(w.ok("get_case", json!({ "number": n }))["case"]["status"], "draft");
    assert!(w.ok("app_status", json!({}))["locked"].is_null());
    // the backend's own idle time locks it too, whatever the window does
    {
        let state = w.webview.state::<AppState>();
        let mut session = state.session.lock().unwrap();
        let s = session.take().unwrap();
        *session = Some(s.with_idle_timeout(std::time::Duration::from_millis(30)));
    }
    std::thread::sleep(std::time::Duration::from_millis(60));
    assert_eq!(w.kind("get_case", json!({ "number": n })), "session_locked");
    assert_eq!(w.ok("app_status", json!({}))["locked"], "zhang");
    // signing out is always possible (the other account's way in)
    w.ok("logout", json!({}));
    assert_eq!(w.kind("get_case", json!({ "number": n })), "not_signed_in");
    assert_eq!(w.kind("unlock_session", json!({ "password": "zhang-pass-1" })), "not_signed_in");
}

#[test]
fn the_day_is_signed_off_by_key_only_its_ledger_prints_either_way_and_keys_are_the_administrators() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("li");
    // a session without a USB key has nothing to watch, and stays open
    let watch = w.ok("staff_key_watch", json!({}));
    assert_eq!((&watch["watched"], &watch["locked"]), (&json!(false), &json!(false)), "{watch}");
    assert_eq!(w.ok("app_status", json!({}))["key_watch"], false);
    let day = certdesk_desk::dates::today().to_string();
    let v = w.ok("day_verify", json!({ "date": day }));
    assert_eq!((&v["closed"], &v["ok"]), (&json!(false), &json!(false)), "{v}");
    assert!(w.ok("report_daily", json!({ "date": day }))["close"].is_null());
    // 日结 without an enrolled key: refused, nothing closed
    assert_eq!(w.kind("day_close", json!({ "date": day, "pin": "24681357" })), "no_key_enrolled");
    // the printed ledger says 未日结 (read back by poppler)
    let printed = w.ok("report_daily_print", json!({ "date": day }));
    let pdf = printed["path"].as_str().unwrap().to_string();
    assert!(pdf.ends_with(&format!("受理日报-{day}.pdf")) && printed["pages"].as_u64() >= Some(1), "{printed}");
    let text = std::process::Command::new("pdftotext").args([pdf.as_str(), "-"]).output().expect("pdftotext (poppler-utils)");
    assert!(String::from_utf8_lossy(&text.stdout).contains("未日结"), "{}", String::from_utf8_lossy(&text.stdout));
    assert_eq!(w.kind("report_daily_print", json!({ "date": "2026-13-01" })), "invalid_day");
    // the enrolments are the administrator's to list and make; a file that is no certificate is refused
    assert_eq!(w.kind("key_enrolments", json!({})), "missing_role");
    w.ok("logout", json!({}));
    w.login("admin");
    assert_eq!(w.ok("key_enrolments", json!({})), json!([]));
    assert_eq!(w.kind("enrol_key", json!({ "name": "li", "cert": "not base64!", "chain": "" })), "usage");
    assert_eq!(w.kind("enrol_key", json!({ "name": "li", "cert": "bm90IGEgY2VydGlmaWNhdGU=", "chain": "bm90IGEgY2VydGlmaWNhdGU=" })), "staff_certificate");
    assert_eq!(w.kind("revoke_key", json!({ "name": "li", "reason": "lost" })), "no_key_enrolled", "no key enrolled to revoke");
}

#[test]
fn a_password_due_is_said_at_sign_in_and_a_weak_one_refused_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    // added by the administrator, who chose the password: due at the first sign-in
    w.login("admin");
    w.ok("add_account", json!({ "name": "zhao", "roles": ["clerk"], "password": "zhao-pass-1" }));
    assert_eq!(w.ok("login", json!({ "name": "zhao", "password": "zhao-pass-1" }))["must_change"], true);
    // held in the backend, not only by the screen: a reopened window is told, and every desk
    // but the change is refused until it is made
    let status = w.ok("app_status", json!({}));
    assert_eq!((status["signed_in"]["name"].as_str(), status["must_change"].as_bool()), (Some("zhao"), Some(true)), "{status}");
    assert_eq!(w.kind("review_queue", json!({})), "password_change_first");
    assert_eq!(w.kind("import_case", json!({ "json": ORG_NEW.as_str() })), "password_change_first");
    assert_eq!(w.kind("change_own_password", json!({ "current": "not-the-pass-1", "password": "zhao-own-1" })), "wrong_password");
    assert_eq!(w.kind("review_queue", json!({})), "password_change_first", "a refused change holds on");
    w.ok("change_own_password", json!({ "current": "zhao-pass-1", "password": "zhao-own-1" }));
    assert_eq!(w.ok("app_status", json!({}))["must_change"], false);
    w.ok("import_case", json!({ "json": ORG_NEW.as_str() }));
    assert_eq!(w.ok("login", json!({ "name": "zhao", "password": "zhao-own-1" }))["must_change"], false);
    w.login("admin");
    w.ok("reset_password", json!({ "name": "zhang", "password": "Zhang-temp-1" }));
    let listed = w.ok("list_accounts", json!({}));
    let zhang = listed.as_array().unwrap().iter().find(|a| a["name"] == "zhang").unwrap().clone();
    assert_eq!(zhang["must_change"], true, "the admin desk shows it waiting for the change: {zhang}");
    let signed = w.ok("login", json!({ "name": "zhang", "password": "Zhang-temp-1" }));
    assert_eq!((signed["name"].as_str(), signed["must_change"].as_bool()), (Some("zhang"), Some(true)), "{signed}");
    let weak = w.call("change_own_password", json!({ "current": "Zhang-temp-1", "password": "zhangsan" })).unwrap_err();
    assert_eq!(weak["kind"], "password_policy");
    assert!(weak["detail"].as_str().unwrap().contains("至少 3 类"), "{weak}");
    assert_eq!(w.kind("change_own_password", json!({ "current": "Zhang-temp-1", "password": "zhang-pass-1" })), "password_reused");
    assert_eq!(w.kind("change_own_password", json!({ "current": "not-the-pass-1", "password": "zhang-pass-3" })), "wrong_password");
    // still signed in after each refusal: the form stays
    w.ok("change_own_password", json!({ "current": "Zhang-temp-1", "password": "zhang-pass-2" }));
    assert_eq!(w.ok("login", json!({ "name": "zhang", "password": "zhang-pass-2" }))["must_change"], false);
}

#[test]
fn the_retention_view_is_an_administrators_and_lists_before_it_purges() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let n = w.submitted("zhang");
    w.ok("case_action", json!({ "number": n, "action": "cancel", "reason": "申请人撤回" }));
    assert_eq!(w.kind("purge_preview", json!({})), "missing_role");
    assert_eq!(w.kind("purge_run", json!({})), "missing_role");
    w.login("admin");
    assert_eq!(w.kind("set_setting", json!({ "key": "retention_years", "value": "4" })), "out_of_range");
    // the intake's default project is one of the catalog's (#79): a name typed for it is refused
    assert_eq!(w.kind("set_setting", json!({ "key": "default_project", "value": "广东社保" })), "unknown_project");
    w.ok("set_setting", json!({ "key": "default_project", "value": "netca-gd-pension" }));
    let preview = w.ok("purge_preview", json!({}));
    assert_eq!((preview["years"].as_u64(), preview["due"].as_array().map(Vec::len), preview["held"].as_array().map(Vec::len)), (Some(5), Some(0), Some(0)), "{preview}");
    assert_eq!(preview["today"], chrono::Local::now().date_naive().to_string());
    // cancelled today: kept for five years, nothing purged
    let run = w.ok("purge_run", json!({}));
    assert_eq!(run["purged"], json!([]), "{run}");
    assert_eq!(run["due"], json!([]), "{run}");
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

/// #71: the intake sends its annex rows (each row's business type and years) and the fee is
/// priced row by row; without `rows` (the screens as they are) the call answers as before.
#[test]
fn the_fee_of_an_annex_is_quoted_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let request = json!({ "project": "netca-gd-pension", "business": "new", "certKind": "employee", "medium": "usb_key", "years": 3, "quantity": 1, "employees": 3 });
    let uniform = w.ok("fee_quote", request.clone());
    assert_eq!((uniform["total"].as_str(), uniform.get("groups")), (Some("1200.00"), None), "no rows, no groups: {uniform}");
    let mut with_rows = request.clone();
    with_rows["rows"] = json!([{ "business": "new", "years": 3 }, { "business": "new", "years": 3 }, { "business": "renew", "years": 1 }]);
    let mixed = w.ok("fee_quote", with_rows.clone());
    assert_eq!((mixed["total"].as_str(), mixed["quantity"].as_u64()), (Some("900.00"), Some(3)), "{mixed}");
    let labels: Vec<&str> = mixed["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["新申请 3年 · 证书年服务费", "新申请 3年 · 证书介质费", "更新续期 1年 · 证书年服务费"], "{mixed}");
    assert_eq!(mixed["groups"][1]["label"], "更新续期 1年", "{mixed}");
    // a row's years the project does not sell: refused, naming the row
    with_rows["rows"][2]["years"] = json!(9);
    let refused = w.call("fee_quote", with_rows).unwrap_err();
    assert_eq!(refused["kind"], "fee_refused", "{refused}");
    assert!(refused["detail"].as_str().unwrap().starts_with("附页第3行：该项目不提供9年期"), "the row and the refusal in the counter's words: {refused}");
    // what a payment method pays is the backend's answer: 免费 owes nothing, cash the total
    let mut free = request.clone();
    free["paymentMethod"] = json!("free");
    assert_eq!((w.ok("fee_quote", free.clone())["due"].as_str(), uniform["due"].as_str()), (Some("0.00"), Some("1200.00")));
    free["paymentMethod"] = json!("cheque");
    assert_eq!(w.call("fee_quote", free).unwrap_err()["kind"], "unknown_value");
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

fn people(store: &mut CaseStore) {
    let mut admin = Session::first_admin(store, "admin", &Password::new("admin-pass-1".into()), "GZ01", "").unwrap();
    for (name, roles) in [("zhang", vec![Role::Clerk]), ("li", vec![Role::Supervisor]), ("both", vec![Role::Clerk, Role::Supervisor]), ("wang", vec![Role::KeyClerk])] {
        // the administrator chooses an initial password, which its holder changes at once
        let initial = Password::new(format!("{name}-initial-1"));
        admin.desk(store).unwrap().add_account(name, &roles, &initial).unwrap();
        Session::sign_in(store, name, &initial).unwrap().change_own_password(store, &initial, &Password::new(format!("{name}-pass-1"))).unwrap();
    }
}

fn events(store: &Store, number: &str) -> Vec<(String, String)> {
    let n = certdesk_desk::domain::CaseNumber::parse(number).unwrap();
    store.history(&n).unwrap().into_iter().map(|e| (e.actor, e.action)).collect()
}

fn through_the_api(dir: &std::path::Path) -> Outcome {
    let mut store = certdesk_desk::place::open_file(&dir.join("c.db")).unwrap();
    people(&mut store);
    let catalog = certdesk_desk::intake::load_catalog(None).unwrap();
    let sign = |store: &mut CaseStore, who: &str| Session::sign_in(store, who, &Password::new(format!("{who}-pass-1"))).unwrap();
    let n = sign(&mut store, "zhang").desk(&mut store).unwrap().import_case(&catalog, ORG_NEW.as_str()).unwrap().number;
    let mut steps = Vec::new();
    for (who, action, reason, _) in TABLE {
        let action = certdesk_desk::intake::action(action).unwrap();
        let ok = sign(&mut store, who).desk(&mut store).unwrap().act(&catalog, &n, action, *reason).is_ok();
        steps.push((ok, sign(&mut store, "admin").desk(&mut store).unwrap().case(&n).unwrap().status.wire().to_string()));
    }
    drop(store);
    (steps, events(&Store::open(&dir.join("c.db")).unwrap(), &n))
}

fn through_the_cli(dir: &std::path::Path) -> Outcome {
    // the binary cargo built beside this test's (scripts/test.sh builds it first)
    let bin = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().join(if cfg!(windows) { "certdesk.exe" } else { "certdesk" });
    assert!(bin.is_file(), "{} missing: cargo build -p certdesk-cli first (scripts/test.sh does)", bin.display());
    let db = dir.join("c.db");
    let mut store = certdesk_desk::place::open_file(&db).unwrap();
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
    std::fs::write(&case_file, ORG_NEW.as_str()).unwrap();
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
        steps.push((ok, store.case(&certdesk_desk::domain::CaseNumber::parse(&n).unwrap()).unwrap().status.wire().to_string()));
    }
    (steps, events(&Store::open(&db).unwrap(), &n))
}

fn through_the_ipc(dir: &std::path::Path) -> Outcome {
    let w = window(dir);
    w.login("zhang");
    let n = w.ok("import_case", json!({ "json": ORG_NEW.as_str() }))["number"].as_str().unwrap().to_string();
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

/// Every project, business type and medium of the catalog walked to 归档 through the app's
/// commands, as the screens do it: `case_steps` says what is next and who does it, the key
/// desk's commands do the key steps on a private SoftHSM2 token (certificates from a throw-away
/// `openssl` CA), `complete_step` the rest. The same walk through the CLI is
/// `certdesk-cli/tests/lifecycle_cli.rs`.
#[test]
fn every_project_business_type_and_medium_reaches_the_archive_through_the_app() {
    const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
    let dir = tempfile::tempdir().unwrap();
    let conf = certdesk_testkit::softhsm_conf(dir.path());
    // SoftHSM reads its configuration once, when the module is loaded: only this test loads it
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf)
    };
    let w = window(dir.path());
    w.login("admin");
    w.ok("set_setting", json!({ "key": "pkcs11_module", "value": SOFTHSM }));
    // 管理 → Key驱动库 (#79 item 3): the saved path is loaded and said to be what it is; a wrong
    // one says which check failed, naming no other page to go to
    let checked = w.ok("check_key_library", json!({ "path": SOFTHSM }));
    assert_eq!((&checked["state"], &checked["backend"]), (&json!("usable"), &json!("pkcs11")), "{checked}");
    assert!(checked["slots"].as_u64().unwrap() >= 1, "{checked}");
    let missing = dir.path().join("vendor").join("gm3000.so");
    assert_eq!(w.kind("set_setting", json!({ "key": "pkcs11_module", "value": missing.display().to_string() })), "key_library_missing");
    assert_eq!(w.ok("check_key_library", json!({ "path": missing.display().to_string() }))["state"], "not_found");
    let notes = dir.path().join("notes.so");
    std::fs::write(&notes, "not a library").unwrap();
    assert_eq!(w.ok("check_key_library", json!({ "path": notes.display().to_string() }))["state"], "not_a_library");
    // a real shared library of this machine that is no key driver
    let zlib = ["/lib", "/usr/lib"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .map(|e| e.path().join("libz.so.1"))
        .find(|p| p.is_file())
        .expect("zlib is installed");
    assert_eq!(w.ok("check_key_library", json!({ "path": zlib.display().to_string() }))["state"], "not_a_key_library");
    w.ok("set_setting", json!({ "key": "export_dir", "value": dir.path().join("requests").display().to_string() }));
    // the stamped sheet of the cases whose forms collect seal samples, in the scanner's folder
    w.seal_sheet_in_scan_folder(dir.path());
    certdesk_testkit::self_signed(dir.path(), "ca", "/C=CN/O=Test CA/CN=Test Root", 30);
    let (so, pin) = ("93175046", "58203614");
    let state = w.webview.state::<AppState>();
    let free_slot = |w: &Window| {
        let slots = w.ok("key_slots", json!({}));
        slots["slots"].as_array().unwrap().iter().find(|s| s["token"].is_null() || s["token"]["initialized"] == false).unwrap()["slot_index"].as_u64().unwrap() as usize
    };
    let serial_of = |w: &Window, label: &str| {
        let slots = w.ok("key_slots", json!({}));
        slots["slots"].as_array().unwrap().iter().find(|s| s["token"]["label"] == label).map(|s| s["token"]["serial"].as_str().unwrap().to_string())
    };
    let catalog = certdesk_desk::intake::load_catalog(None).unwrap();
    let mut walked = 0;
    for project in catalog.projects.values() {
        for business in &project.business_types {
            for medium in &project.media {
                let kind = project.cert_kinds[0];
                let fixture = if kind == certdesk_desk::domain::CertKind::Employee { include_str!("../../tests/fixtures/case-employees-new.json") } else { ORG_NEW.as_str() };
                let mut case: Value = serde_json::from_str(fixture).unwrap();
                let takes_years = business.takes_years();
                case["project"] = json!(project.id);
                case["business"] = json!(business.wire());
                case["medium"] = json!(medium.wire());
                case["cert_kind"] = json!(kind.wire());
                case["years"] = if takes_years { json!(project.years[0]) } else { Value::Null };
                case.as_object_mut().unwrap().remove("payment");
                for e in case["employees"].as_array_mut().into_iter().flatten() {
                    e["business"] = json!(business.wire());
                    e["years"] = if takes_years { json!(project.years[0]) } else { Value::Null };
                }
                // this project's checklist, all received
                case.as_object_mut().unwrap().remove("materials");
                let json = certdesk_desk::materials::case_json_all_received(&catalog, &case.to_string()).unwrap();
                w.login("zhang");
                let imported = w.call("import_case", json!({ "json": json }));
                let n = imported.unwrap_or_else(|e| panic!("{} {business} {medium}: {e}", project.id))["number"].as_str().unwrap().to_string();
                let mut done = Vec::new();
                loop {
                    let s = w.ok("case_steps", json!({ "number": n }));
                    let Some(next) = s["next"].as_str().map(str::to_string) else { break };
                    let step = s["steps"].as_array().unwrap().iter().find(|x| x["id"] == next.as_str()).unwrap().clone();
                    // a certificate round's step is the first unfinished certificate's: a key each (#28)
                    let cert = s["certs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|c| c["withdrawn"] != true && c["done"] != true && c["next"] == next.as_str())
                        .map(|c| c["index"].as_u64().unwrap());
                    let label = match cert {
                        Some(k) if k > 1 => format!("{}-{k}", n.replace('-', "")),
                        _ => n.replace('-', ""),
                    };
                    let who = match step["role"].as_str().unwrap() {
                        "clerk" => "zhang",
                        "supervisor" => "li",
                        _ => "wang",
                    };
                    w.login(who);
                    // the applicant's own key, for the steps that work on it
                    let applicants_key = |w: &Window| {
                        if serial_of(w, &label).is_none() {
                            let index = free_slot(w);
                            // the applicant's key, made for no case (on the key desk's log)
                            crate::desks::keys::with_keys(&state, |k| {
                                let (so, pin) = (certdesk_desk::token::Pin::new(so.into()), certdesk_desk::token::Pin::new(pin.into()));
                                state.with_desk(|d| d.keys(k, &state.catalog).init_loose(index, Some(&label), &so, &pin)).map(drop)
                            })
                            .unwrap();
                        }
                        serial_of(w, &label).unwrap()
                    };
                    match next.as_str() {
                        "key_init" => {
                            let index = free_slot(&w);
                            w.ok("key_init", json!({ "number": n, "slotIndex": index, "label": label, "soPin": so, "userPin": pin, "cert": cert }));
                        }
                        "key_generate" => {
                            let serial = applicants_key(&w);
                            let g = w.ok("key_generate", json!({ "number": n, "serial": serial, "pin": pin, "algo": "ec-p256", "employee": null, "cert": cert }));
                            std::fs::write(dir.path().join("req.csr"), g["csr_pem"].as_str().unwrap()).unwrap();
                        }
                        "cert_import" => {
                            let o = std::process::Command::new("openssl")
                                .args(["x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "issued.pem", "-days", "365"])
                                .current_dir(dir.path())
                                .output()
                                .unwrap();
                            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                            w.raw("key_import_cert", std::fs::read(dir.path().join("issued.pem")).unwrap(), &[("x-case", &n)]).unwrap();
                        }
                        "cert_write" => {
                            w.ok("key_write_cert", json!({ "number": n, "serial": serial_of(&w, &label).unwrap(), "pin": pin, "cert": cert }));
                        }
                        "seal_write" => {
                            w.ok("key_write_seal", json!({ "number": n, "serial": serial_of(&w, &label).unwrap(), "pin": pin, "cert": cert }));
                        }
                        "unlock" => {
                            let serial = applicants_key(&w);
                            w.ok("key_unlock", json!({ "serial": serial, "soPin": so, "newPin": pin, "number": n }));
                        }
                        "wipe" => {
                            let serial = applicants_key(&w);
                            w.ok("key_wipe", json!({ "serial": serial, "soPin": so, "number": n }));
                        }
                        _ => {
                            assert_eq!(step["key_desk"], false, "{step}");
                            let reference = (step["needs_reference"] == true).then_some("CA-20261122-0001");
                            let args = json!({ "number": n, "step": next, "reference": reference });
                            // a case whose forms collect the seal samples goes to review with its
                            // stamped sheet (#79): refused by kind, the sheet imported, submitted
                            if let Err(e) = w.call("complete_step", args.clone()) {
                                assert_eq!((next.as_str(), &e["kind"]), ("submit", &json!("seal_samples_missing")), "{} {business} {medium}: {e}", project.id);
                                w.ok("import_seal_from_folder", json!({ "number": n, "name": "sheet.jpg" }));
                                w.ok("complete_step", args);
                            }
                        }
                    }
                    let after = w.ok("case_steps", json!({ "number": n }));
                    let steps = match cert {
                        Some(k) => after["certs"][(k - 1) as usize]["steps"].clone(),
                        None => after["steps"].clone(),
                    };
                    assert_eq!(steps.as_array().unwrap().iter().find(|x| x["id"] == next.as_str()).unwrap()["done"], true, "{next}: {after}");
                    done.push(next);
                    assert!(done.len() < 30, "{done:?}");
                }
                let view = w.ok("get_case", json!({ "number": n }));
                assert_eq!(view["case"]["status"], "closed", "{} {business} {medium}: {done:?}", project.id);
                assert_eq!(done.first().map(String::as_str), Some("accept"));
                assert_eq!(done.last().map(String::as_str), Some("close"));
                if *medium == certdesk_desk::domain::Medium::MobileKey {
                    assert!(!done.iter().any(|id| id.starts_with("key_") || id.starts_with("cert_") || id == "deliver"), "{done:?}");
                }
                walked += 1;
            }
        }
    }
    assert!(walked >= 30, "{walked} cases walked");
    the_key_desk_asks_the_desk_who_may_and_what_is_next(&w);
    a_unit_of_twenty_employees_gets_its_keys_as_a_batch(&w, dir.path(), so, pin);
    let store = Store::open(&dir.path().join("c.db")).unwrap();
    assert!(store.verify_audit().unwrap().ok);
    let db = std::fs::read(dir.path().join("c.db")).unwrap();
    for secret in [so, pin] {
        assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()), "a PIN reached the store");
    }
}

#[test]
fn the_hall_is_chosen_by_an_administrator_checked_without_a_change_and_applies_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let state_dir = dir.path().join("state");
    let setting = state_dir.join("store.json");
    let password_file = state_dir.join("hall.password");

    // the desk decides who may: a clerk is refused both
    w.login("zhang");
    assert_eq!(w.kind("store_place", json!({})), "missing_role");
    assert_eq!(w.kind("set_store_place", json!({"kind": "file"})), "missing_role");
    assert!(!setting.exists(), "a clerk saved nothing");
    w.ok("logout", json!({}));

    w.login("admin");
    let view = w.ok("store_place", json!({}));
    assert_eq!(
        (view["kind"].as_str(), view["chosen_by"].as_str(), view["saved_kind"].as_str(), view["restart_needed"].as_bool()),
        (Some("file"), Some("default"), None, Some(false)),
        "{view}"
    );

    // refused before anything is saved: no address, a password in the address, a server on
    // another computer without TLS, no password, a server that does not answer, a kind that
    // does not exist
    for (args, kind) in [
        (json!({"kind": "hall", "url": " ", "password": "x"}), "unknown_value"),
        (json!({"kind": "hall", "url": "postgres://desk:s3cret@127.0.0.1:1/certdesk", "password": "x"}), "hall_address"),
        (json!({"kind": "hall", "url": "postgres://desk@10.0.0.5:5432/certdesk", "password": "x"}), "hall_needs_tls"),
        (json!({"kind": "hall", "url": "postgres://desk@127.0.0.1:1/certdesk", "password": ""}), "empty_secret"),
        (json!({"kind": "hall", "url": "postgres://desk@127.0.0.1:1/certdesk", "password": "x"}), "server"),
        (json!({"kind": "cloud"}), "unknown_value"),
    ] {
        let err = w.call("set_store_place", args.clone()).unwrap_err();
        assert_eq!(err["kind"], kind, "{args}: {err}");
        assert!(!err["detail"].as_str().unwrap().contains("s3cret"), "the password is not echoed: {err}");
        assert!(!setting.exists() && !password_file.exists(), "{args}: nothing saved");
    }

    let Some(server) = pg::server() else { return };
    let db = server.fresh_db("app_place");
    let right = std::fs::read_to_string(&db.password_file).unwrap().trim_end().to_string();
    let err = w.call("set_store_place", json!({"kind": "hall", "url": db.url, "password": "not-the-password"})).unwrap_err();
    assert_eq!(err["kind"], "server", "{err}");
    assert!(!setting.exists() && !password_file.exists(), "a refused password saved nothing");

    let view = w.ok("set_store_place", json!({"kind": "hall", "url": db.url, "password": right}));
    assert_eq!(view["saved_kind"], "hall", "{view}");
    assert_eq!(view["saved_hall"], db.url.as_str());
    assert_eq!(view["restart_needed"], true, "this app still works on its file");
    let checked = &view["checked"];
    assert_eq!((checked["cases"].as_i64(), checked["accounts"].as_i64()), (Some(0), Some(0)), "{view}");
    assert_eq!((checked["schema_version"].as_u64(), checked["migration_pending"].as_bool()), (Some(0), Some(true)), "{view}");
    assert!(checked["server"].as_str().unwrap().ends_with(&format!("/{}", db.url.rsplit('/').next().unwrap())), "{view}");
    // the check changed nothing on the hall: no table made, no migration run
    let mut raw = db.raw();
    let tables: i64 = raw.query_one("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", &[]).unwrap().get(0);
    assert_eq!(tables, 0, "choosing a hall does not migrate it");
    // the password in its own private file, never in the setting; the next start finds both
    assert!(!std::fs::read_to_string(&setting).unwrap().contains(&right));
    let next_start = env(dir.path());
    let (target, chosen) = certdesk_desk::place::choose(None, &next_start).unwrap();
    assert_eq!(target, certdesk_desk::place::StoreTarget::Hall(db.url.clone()));
    let address = certdesk_desk::place::hall_address(&db.url).unwrap();
    assert_eq!(certdesk_desk::place::hall_password(&address, chosen, None, &next_start).unwrap().unwrap().expose(), right);
    let opened = certdesk_desk::place::open(None, None, &next_start, |_| panic!("no prompt: the saved password")).expect("the next start opens the hall");
    let mut hall = opened.store;
    people(&mut hall);
    let mut admin = Session::sign_in(&mut hall, "admin", &Password::new("admin-pass-1".into())).unwrap();
    assert_eq!(admin.desk(&mut hall).unwrap().accounts().unwrap().len(), 5);
    // checked again once a desk opened it: up to date, its accounts counted
    let view = w.ok("set_store_place", json!({"kind": "hall", "url": db.url, "password": right}));
    assert_eq!((view["checked"]["migration_pending"].as_bool(), view["checked"]["accounts"].as_i64()), (Some(false), Some(5)), "{view}");

    let view = w.ok("set_store_place", json!({"kind": "file"}));
    assert_eq!((view["saved_kind"].as_str(), view["restart_needed"].as_bool()), (Some("file"), Some(false)), "{view}");
    assert!(!password_file.exists(), "back on the file, the hall's password is removed");
}

/// The CLI's `--json` error and the app's IPC error carry the same `ErrorKind` for the same
/// refusal: four-eyes, a missing role, a wrong password, an invalid case.
#[test]
fn the_clis_json_error_kind_is_the_apps_ipc_kind() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let bin = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().join(if cfg!(windows) { "certdesk.exe" } else { "certdesk" });
    assert!(bin.is_file(), "{} missing: cargo build -p certdesk-cli first (scripts/test.sh does)", bin.display());
    let cli = |who: &str, password: &str, args: &[&str]| -> String {
        let pw = dir.path().join(format!("{who}.cli.pw"));
        std::fs::write(&pw, format!("{password}\n")).unwrap();
        let out = std::process::Command::new(&bin)
            .args(args)
            .args(["--as", who, "--password-file", pw.to_str().unwrap(), "--json"])
            .env("CERTDESK_DB", dir.path().join("c.db"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["kind"].as_str().unwrap().to_string()
    };
    let n = w.submitted("both");
    // four-eyes
    w.login("both");
    let app = w.kind("case_action", json!({ "number": n, "action": "approve" }));
    assert_eq!((app.as_str(), cli("both", "both-pass-1", &["case", "approve", &n]).as_str()), ("four_eyes", "four_eyes"));
    // a missing role
    w.login("zhang");
    let app = w.kind("case_action", json!({ "number": n, "action": "approve" }));
    assert_eq!((app.as_str(), cli("zhang", "zhang-pass-1", &["case", "approve", &n]).as_str()), ("missing_role", "missing_role"));
    // a wrong password
    let app = w.kind("login", json!({ "name": "li", "password": "not-li-at-all" }));
    assert_eq!((app.as_str(), cli("li", "not-li-at-all", &["case", "show", &n]).as_str()), ("wrong_password", "wrong_password"));
    // an invalid case
    let mut bad: Value = serde_json::from_str(ORG_NEW.as_str()).unwrap();
    bad["handler"]["mobile"] = json!("1380013800");
    let file = dir.path().join("bad.json");
    std::fs::write(&file, bad.to_string()).unwrap();
    w.login("zhang");
    let app = w.kind("import_case", json!({ "json": bad.to_string() }));
    assert_eq!((app.as_str(), cli("zhang", "zhang-pass-1", &["case", "import", file.to_str().unwrap()]).as_str()), ("invalid_case", "invalid_case"));
}

/// The key desk's rules are the desk's, not the shell's: reading a key with its PIN
/// (`key_verify`) and unlocking one are a key clerk's; the queue, the stepper and the
/// default-PIN warning (from the chain) come from the backend. Run inside the walk below, the one
/// test of this binary that loads SoftHSM (which reads its configuration once per process).
/// #28 through the app's commands (SoftHSM loaded by the walk above): a unit's 明细表 read into
/// the intake, a 20-employee case approved, one certificate withdrawn by the supervisor, 19
/// keys made in the batch key desk's order (the desk naming the next holder each time), the
/// CA's 19 answers imported at once (a batch with a duplicate refused whole first), each
/// written to its key plugged in any order (another holder's key refused), the case to 归档.
fn a_unit_of_twenty_employees_gets_its_keys_as_a_batch(w: &Window, dir: &std::path::Path, so: &str, pin: &str) {
    use base64::Engine as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    w.login("zhang");
    // the 明细表 as a unit sends it: a title row, the headers, 20 rows
    let mut csv = String::from("\u{feff}员工明细表,,\n姓名,身份证号码,电子邮件\n");
    for k in 1..=20 {
        csv.push_str(&format!("员工{k:02},{},e{k}@example.gov.cn\n", certdesk_testkit::resident_id(k)));
    }
    let read = w.ok("employees_read", json!({ "file": b64(csv.as_bytes()), "business": "new", "years": 1, "existing": [] }));
    assert_eq!(read.as_array().unwrap().len(), 20, "{read}");
    // a bad list: every problem by row and column, nothing read
    let bad = csv.replace(&certdesk_testkit::resident_id(7), "440106199001010071").replace("员工03,", ",");
    let refused = w.call("employees_read", json!({ "file": b64(bad.as_bytes()), "business": "new", "years": 1, "existing": [] })).unwrap_err();
    assert_eq!(refused["kind"], "employee_list", "{refused}");
    let report: Value = serde_json::from_str(refused["detail"].as_str().unwrap()).unwrap();
    let rows: Vec<u64> = report["problems"].as_array().unwrap().iter().map(|p| p["row"].as_u64().unwrap()).collect();
    assert!(rows.contains(&5) && rows.contains(&9), "row 5 (no name) and row 9 (bad ID) named: {report}");

    let mut case: Value = serde_json::from_str(include_str!("../../tests/fixtures/case-employees-new.json")).unwrap();
    case["employees"] = read;
    case["quantity"] = json!(20);
    case.as_object_mut().unwrap().remove("payment");
    let json = certdesk_desk::materials::case_json_all_received(&certdesk_desk::catalog::Catalog::embedded().unwrap(), &case.to_string()).unwrap();
    let n = w.ok("import_case", json!({ "json": json }))["number"].as_str().unwrap().to_string();
    for action in ["accept", "submit"] {
        w.ok("case_action", json!({ "number": n, "action": action }));
    }
    // withdrawing is the supervisor's, with a reason
    assert_eq!(w.kind("case_withdraw_cert", json!({ "number": n, "cert": 20, "reason": "已离职" })), "missing_role");
    w.login("li");
    // the CA's rule the intake warned the clerk of (no organisation certificate on file) is said
    // to the supervisor too, until the keys are made
    let notices = w.ok("get_case", json!({ "number": n }))["notices"].clone();
    assert_eq!(notices[0]["path"], "organization.certificate_serial", "{notices}");
    assert!(notices[0]["message_zh"].as_str().unwrap().contains("单位法人证书"), "{notices}");
    w.ok("case_action", json!({ "number": n, "action": "approve" }));
    assert_eq!(w.kind("case_withdraw_cert", json!({ "number": n, "cert": 20, "reason": "" })), "reason_required");
    let steps = w.ok("case_withdraw_cert", json!({ "number": n, "cert": 20, "reason": "已离职" }));
    assert_eq!(steps["certs"][19]["withdrawn"], true, "{steps}");

    // #72: the PINs once for the batch, held by the key clerk's session; a clerk may not
    assert_eq!(w.kind("key_batch_pins", json!({ "number": n, "soPin": so, "userPin": pin })), "missing_role");
    w.login("wang");
    assert_eq!(w.kind("key_batch_pins", json!({ "number": n, "soPin": so, "userPin": "" })), "pin_required");
    assert_eq!(w.kind("key_batch_pins", json!({ "number": n, "soPin": "", "userPin": pin })), "pin_required", "keys to initialise: the SO PIN is needed");
    let held = w.ok("key_batch_pins", json!({ "number": n, "soPin": so, "userPin": pin }));
    assert_eq!(held, json!({ "case": n }), "the answer names the case, never a PIN");
    // every answer of the batch, to be searched for the PINs at its end
    let answers = std::cell::RefCell::new(Vec::<String>::new());
    let ok = |cmd: &str, args: Value| {
        let v = w.ok(cmd, args);
        answers.borrow_mut().push(v.to_string());
        v
    };
    let free_slot = || {
        let slots = w.ok("key_slots", json!({}));
        slots["slots"].as_array().unwrap().iter().find(|s| s["token"].is_null() || s["token"]["initialized"] == false).unwrap()["slot_index"].as_u64().unwrap()
    };
    let serial_of = |label: &str| {
        let slots = w.ok("key_slots", json!({}));
        slots["slots"].as_array().unwrap().iter().find(|s| s["token"]["label"] == label).map(|s| s["token"]["serial"].as_str().unwrap().to_string()).unwrap()
    };
    let mut serials = Vec::new();
    for k in 1..=19u32 {
        // the desk says whose key comes next, with a blank key plugged (none of the case's)
        let st = ok("key_status", json!({ "number": n, "cert": null, "plugged": null }));
        assert_eq!((st["cert"].as_u64(), st["batch"]["phase"].as_str()), (Some(u64::from(k)), Some("keys")), "{}", st["batch"]);
        assert_eq!(st["batch_pins_held"], true);
        assert_eq!(st["holder"], format!("员工{k:02}"));
        let label = st["label"].as_str().unwrap().to_string();
        assert_eq!(label, format!("{n}-{k}"));
        ok("key_init", json!({ "number": n, "slotIndex": free_slot(), "label": label, "soPin": null, "userPin": null, "cert": k }));
        let serial = serial_of(&label);
        // the plugged key still in: the desk stays on its certificate for the key pair
        let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": serial }));
        assert_eq!(st["cert"].as_u64(), Some(u64::from(k)));
        let g = ok("key_generate", json!({ "number": n, "serial": serial, "pin": null, "algo": "ec-p256", "employee": null, "cert": k }));
        std::fs::write(dir.join(format!("batch-{k}.csr")), g["csr_pem"].as_str().unwrap()).unwrap();
        serials.push(serial);
    }
    // the keys are made: the annex can no longer lose a holder, and the refusal says how it would
    // have changed, in the counter's words
    w.login("zhang");
    let mut fewer: Value = serde_json::from_str(&json).unwrap();
    fewer["employees"].as_array_mut().unwrap().pop();
    let refused = w.call("update_case", json!({ "number": n, "json": fewer.to_string() })).unwrap_err();
    assert_eq!((refused["kind"].as_str(), refused["detail"].as_str()), (Some("annex_frozen"), Some("证书将由 20 张变为 19 张")), "{refused}");
    w.login("wang");
    let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": serials[18] }));
    assert_eq!(st["batch"]["phase"], "answers", "{}", st["batch"]);
    assert_eq!(st["batch"]["awaiting_answers"].as_array().unwrap().len(), 19);
    let requests = st["batch"]["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 19, "every request package waiting, to go to the CA together");
    assert!(requests.iter().all(|r| std::path::Path::new(r["package"].as_str().unwrap()).is_file()), "{requests:?}");
    assert!(requests[0]["package"].as_str().unwrap().ends_with(&format!("{n}-1.request.json")), "certificate 1's named with its -1 as the others: {requests:?}");
    // one click: every request and its package in one folder for the CA, named alike
    let exported = ok("key_export_requests", json!({ "number": n }));
    assert_eq!(exported["files"].as_u64(), Some(38), "{exported}");
    let folder = std::path::PathBuf::from(exported["folder"].as_str().unwrap());
    assert!(folder.ends_with(format!("{n}-送CA")), "{exported}");
    let mut names: Vec<String> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.contains(&format!("{n}-1.request.csr.pem")) && names.contains(&format!("{n}-19.request.json")), "{names:?}");

    let mut files = Vec::new();
    for k in 1..=19 {
        let o = std::process::Command::new("openssl")
            .args(["x509", "-req", "-in", &format!("batch-{k}.csr"), "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", &format!("batch-{k}.pem"), "-days", "365"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files.push((format!("员工{k:02}.pem"), std::fs::read(dir.join(format!("batch-{k}.pem"))).unwrap()));
    }
    let send = |files: &[(String, Vec<u8>)]| {
        let listing: Vec<(String, usize)> = files.iter().map(|(name, bytes)| (name.clone(), bytes.len())).collect();
        let listing = percent_encoding::utf8_percent_encode(&serde_json::to_string(&listing).unwrap(), percent_encoding::NON_ALPHANUMERIC).to_string();
        w.raw("key_import_answers", files.iter().flat_map(|(_, b)| b.clone()).collect(), &[("x-case", &n), ("x-files", &listing)])
    };
    let mut twice = files.clone();
    twice.push(("again.pem".into(), files[3].1.clone()));
    let refused = send(&twice).unwrap_err();
    assert_eq!(refused["kind"], "batch_refused", "{refused}");
    let refusals: Value = serde_json::from_str(refused["detail"].as_str().unwrap()).unwrap();
    assert_eq!(refusals.as_array().unwrap().iter().map(|r| (r["file"].as_str().unwrap(), r["code"].as_str().unwrap())).collect::<Vec<_>>(), [("again.pem", "duplicate")]);
    let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": null }));
    assert_eq!(st["batch"]["awaiting_answers"].as_array().unwrap().len(), 19, "nothing of a refused batch imported");
    let imported = send(&files).unwrap();
    assert_eq!(imported["matched"].as_array().unwrap().len(), 19);
    assert_eq!(imported["waiting"], json!([]));

    // the write round after a restart: no key left to initialise, the user PIN alone is asked
    let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": null }));
    assert_eq!(st["so_pin_needed"], false, "{st}");
    w.ok("key_batch_pins_forget", json!({}));
    w.ok("key_batch_pins", json!({ "number": n, "soPin": "", "userPin": pin }));
    assert_eq!(w.kind("key_init", json!({ "number": n, "slotIndex": 0, "label": "x", "soPin": null, "userPin": null, "cert": 1 })), "pin_required", "no SO PIN held");

    // written in any order: the desk follows the plugged key and names the one it wants
    let wrong = w.call("key_write_cert", json!({ "number": n, "serial": serials[1], "pin": null, "cert": 1 })).unwrap_err();
    assert_eq!(wrong["kind"], "wrong_key", "{wrong}");
    assert!(wrong["detail"].as_str().unwrap().contains("员工02's key") && wrong["detail"].as_str().unwrap().contains("员工01's key"), "{wrong}");
    for k in (1..=19u32).rev() {
        let serial = &serials[k as usize - 1];
        let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": serial }));
        assert_eq!((st["cert"].as_u64(), st["batch"]["phase"].as_str(), st["batch"]["plugged_cert"].as_u64()), (Some(u64::from(k)), Some("write"), Some(u64::from(k))));
        ok("key_write_cert", json!({ "number": n, "serial": serial, "pin": null, "cert": k }));
        // each key read back as it is written, with the batch's PIN
        let read_back = ok("key_verify", json!({ "serial": serial, "pin": null, "number": n }));
        assert!(!read_back["certificates"].as_array().unwrap().is_empty(), "{read_back}");
        let done = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": null }))["batch"]["done"].as_u64();
        assert_eq!(done, Some(u64::from(20 - k)));
    }
    let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": null }));
    assert_eq!((st["batch"]["phase"].as_str(), st["batch"]["total"].as_u64(), st["batch"]["withdrawn"].as_u64()), (Some("done"), Some(19), Some(1)));
    // 登记补办: a written key lost before hand-over gets a second key, by a supervisor's reason
    assert_eq!(w.kind("case_reissue", json!({ "number": n, "cert": 3, "reason": "Key损坏" })), "missing_role");
    w.login("li");
    let can = w.ok("get_case", json!({ "number": n }))["can"]["reissue_certs"].clone();
    assert_eq!(can, json!((1..=19).collect::<Vec<u32>>()), "every written certificate, not the withdrawn one");
    assert_eq!(w.kind("case_reissue", json!({ "number": n, "cert": 3, "reason": " " })), "reason_required");
    assert_eq!(w.kind("case_reissue", json!({ "number": n, "cert": 20, "reason": "Key损坏" })), "nothing_to_reissue");
    let steps = w.ok("case_reissue", json!({ "number": n, "cert": 3, "reason": "Key损坏" }));
    assert_eq!((steps["certs"][2]["done"].as_bool(), steps["next"].as_str().is_some()), (Some(false), true), "certificate 3 is to be written again: {steps}");
    assert!(!w.ok("get_case", json!({ "number": n }))["can"]["reissue_certs"].as_array().unwrap().contains(&json!(3)), "not twice");
    w.login("wang");
    let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": null }));
    assert_eq!(st["cert"].as_u64(), Some(3), "the key desk takes certificate 3 again: {st}");
    // (its holder left meanwhile: withdrawn, so that the case goes on as before)
    w.login("li");
    w.ok("case_withdraw_cert", json!({ "number": n, "cert": 3, "reason": "已离职" }));
    loop {
        let s = w.ok("case_steps", json!({ "number": n }));
        let Some(next) = s["next"].as_str().map(str::to_string) else { break };
        let step = s["steps"].as_array().unwrap().iter().find(|x| x["id"] == next.as_str()).unwrap().clone();
        assert_eq!(step["key_desk"], false, "only the steps after the keys are left: {step}");
        w.login(match step["role"].as_str().unwrap() {
            "clerk" => "zhang",
            "supervisor" => "li",
            _ => "wang",
        });
        w.ok("complete_step", json!({ "number": n, "step": next, "reference": null }));
    }
    assert_eq!(w.ok("get_case", json!({ "number": n }))["case"]["status"], "closed");
    w.login("li");
    assert_eq!(w.kind("case_reissue", json!({ "number": n, "cert": 1, "reason": "Key损坏" })), "not_approved", "a closed case's keys are handed over");
    // the batch is over: its PINs are gone, a key asks for its own
    w.login("wang");
    let st = w.ok("key_status", json!({ "number": n, "cert": null, "plugged": null }));
    assert_eq!(st["batch_pins_held"], false, "{st}");
    assert_eq!(w.kind("key_verify", json!({ "serial": serials[0], "pin": null, "number": n })), "pin_required");
    assert!(w.ok("key_verify", json!({ "serial": serials[0], "pin": pin, "number": null }))["certificates"].is_array());
    // and in no answer, log or file of the run (the SoftHSM tokens aside: the key keeps its own)
    for secret in [so, pin] {
        assert!(answers.borrow().iter().all(|a| !a.contains(secret)), "a PIN in an answer");
        for file in walk_files(dir).into_iter().filter(|f| !f.starts_with(dir.join("tokens"))) {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "a PIN in {}", file.display());
        }
    }
    // a session that locks or signs out forgets them
    let other = w.submitted("zhang");
    w.login("li");
    w.ok("case_action", json!({ "number": other, "action": "approve" }));
    w.login("wang");
    w.ok("key_batch_pins", json!({ "number": other, "soPin": so, "userPin": pin }));
    w.ok("lock_session", json!({}));
    w.ok("unlock_session", json!({ "password": "wang-pass-1" }));
    assert_eq!(w.ok("key_status", json!({ "number": other }))["batch_pins_held"], false, "the lock forgot them");
    w.ok("key_batch_pins", json!({ "number": other, "soPin": so, "userPin": pin }));
    w.ok("logout", json!({}));
    w.login("wang");
    assert_eq!(w.ok("key_status", json!({ "number": other }))["batch_pins_held"], false, "the sign-out forgot them");
}

/// Every file under `dir`, recursively.
fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn the_key_desk_asks_the_desk_who_may_and_what_is_next(w: &Window) {
    let n = w.submitted("zhang");
    w.login("li");
    w.ok("case_action", json!({ "number": n, "action": "approve" }));
    // a clerk is refused by the desk
    w.login("zhang");
    assert_eq!(w.kind("key_verify", json!({ "serial": "0000", "pin": "12345678" })), "missing_role");
    assert_eq!(w.kind("key_unlock", json!({ "serial": "0000", "soPin": "1", "newPin": "2", "number": null })), "missing_role");
    // the queue and the stepper, as the backend sends them
    w.login("wang");
    let queue = w.ok("key_queue", json!({}));
    assert!(queue.as_array().unwrap().iter().any(|c| c["number"] == n.as_str()), "{queue}");
    let status = w.ok("key_status", json!({ "number": n }));
    let ids: Vec<&str> = status["desk_steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.first(), Some(&"token_initialized"), "{status}");
    assert_eq!(&ids[ids.len() - 2..], ["verify", "deliver"], "{status}");
    assert!(!ids.contains(&"seal_written"), "no seal image on this case: {status}");
    assert_eq!((status["desk_next"].as_str(), status["default_pin_warning"].as_bool()), (Some("token_initialized"), Some(false)), "{status}");
    // a key with the CA's published default PIN: the warning comes from the chain
    let slots = w.ok("key_slots", json!({}));
    let slot = slots["slots"].as_array().unwrap().iter().find(|s| s["token"].is_null() || s["token"]["initialized"] == false).unwrap()["slot_index"].clone();
    w.ok("key_init", json!({ "number": n, "slotIndex": slot, "label": "DEFPIN", "soPin": "87654321", "userPin": "12345678" }));
    let status = w.ok("key_status", json!({ "number": n }));
    assert_eq!((status["default_pin_warning"].as_bool(), status["desk_next"].as_str()), (Some(true), Some("key_generated")), "{status}");
}

/// What the intake form shows is computed in the backend: the phone's kind and each
/// material's state.
#[test]
fn the_intake_form_is_told_the_phone_kind_and_each_materials_state() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    assert_eq!(w.ok("validate_ident", json!({ "kind": "phone", "value": "13800138000" }))["kind"], "mobile");
    assert_eq!(w.ok("validate_ident", json!({ "kind": "phone", "value": "020-83487000" }))["kind"], "landline");
    let case: Value = serde_json::from_str(ORG_NEW.as_str()).unwrap();
    let (project, business, kind) = (case["project"].clone(), case["business"].clone(), case["cert_kind"].clone());
    let none = w.ok("materials_state", json!({ "project": project, "business": business, "certKind": kind, "received": [] }));
    let items = none["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let required = items.iter().find(|i| i["state"] == "missing").expect("a required item").clone();
    let promised = w.ok("materials_state", json!({ "project": project, "business": business, "certKind": kind, "received": [{ "id": required["id"], "to_follow": "下周一" }] }));
    let item = promised["items"].as_array().unwrap().iter().find(|i| i["id"] == required["id"]).unwrap().clone();
    assert_eq!((item["state"].as_str(), item["to_follow"].as_str()), (Some("to_follow"), Some("下周一")), "{item}");
    // 全部收齐 is the backend's: every required line in full, the promise gone
    let all = w.ok("materials_all_received", json!({ "project": project, "business": business, "certKind": kind, "received": [{ "id": required["id"], "to_follow": "下周一" }] }));
    let now = w.ok("materials_state", json!({ "project": project, "business": business, "certKind": kind, "received": all }));
    assert!(now["missing"].as_array().unwrap().is_empty(), "{now}");
    assert!(all.as_array().unwrap().iter().all(|m| m.get("to_follow").is_none()), "{all}");
}

/// The intake's fields come from the backend (#71): a 辽宁 employee case is asked its 业务单号
/// and 授权期限, a 内蒙古CA unit its 所属旗区; an unknown business type is refused by kind.
#[test]
fn the_intake_form_model_comes_from_the_catalog_and_the_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let keys = |v: &Value| -> Vec<String> {
        v["sections"].as_array().unwrap().iter().flat_map(|s| s["fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap().to_string())).collect()
    };
    let ln = w.ok("intake_form", json!({ "project": "netca-ln-procurement", "business": "new", "certKind": "employee", "medium": "usb_key" }));
    let ln_keys = keys(&ln);
    for key in ["ca_reference", "handler.authorization_until", "invoice.title", "invoice.bank", "delivery.address", "employees[].business"] {
        assert!(ln_keys.iter().any(|k| k == key), "{key} in {ln_keys:?}");
    }
    assert_eq!(ln["has_annex"], true);
    let nmg = w.ok("intake_form", json!({ "project": "nmgca-procurement", "business": "new", "certKind": "organization", "medium": "usb_key" }));
    assert!(keys(&nmg).iter().any(|k| k == "extra.banner_district"));
    assert!(nmg["rules"].as_array().unwrap().iter().any(|r| r["text"] == "单位证书只允许申请1条"));
    assert_eq!(w.kind("intake_form", json!({ "project": "nmgca-procurement", "business": "unsuspend", "certKind": "organization", "medium": "usb_key" })), "unknown_value");
}

#[cfg(unix)]
#[test]
fn a_card_laid_on_the_counters_reader_reaches_the_intake_once_and_an_expired_one_is_refused() {
    use certdesk_idcard_soft::sim::{SimConfig, Simulator};
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    let cards = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/certdesk-idcard/tests/cards");
    let lying = dir.path().join("card.json");
    let reader = Simulator::start(SimConfig { card: Some(lying.clone()), baud: 0, ..SimConfig::default() }).unwrap();

    // no reader set: said, nothing else
    w.login("zhang");
    assert_eq!(w.kind("idcard_poll", json!({})), "idcard_not_set");
    // one set that cannot be opened (a wrong port): its own kind, which the intake shows
    w.login("admin");
    w.ok("set_setting", json!({ "key": "idcard_port", "value": dir.path().join("no-such-port").to_str().unwrap() }));
    w.login("zhang");
    assert_eq!(w.kind("idcard_poll", json!({})), "idcard_no_reader");
    w.login("admin");
    w.ok("set_setting", json!({ "key": "idcard_port", "value": reader.path() }));
    assert_eq!(w.kind("idcard_poll", json!({})), "missing_role", "a clerk reads cards");

    w.login("zhang");
    assert_eq!(w.ok("idcard_poll", json!({})), Value::Null, "no card yet");
    std::fs::copy(format!("{cards}/resident.json"), &lying).unwrap();
    let card = w.ok("idcard_poll", json!({}));
    assert_eq!((card["name"].as_str(), card["id_number"].as_str(), card["id_type"].as_str()), (Some("张三丰"), Some("440306199003071232"), Some("resident_id")), "{card}");
    assert_eq!((card["nation"].as_str(), card["validity"].as_str(), card["refused"].as_str()), (Some("汉"), Some("valid"), None), "{card}");
    assert_eq!(card["photo"], Value::Null, "a GA/T 467 reader gives no decoded photo");
    assert_eq!(w.ok("idcard_poll", json!({})), Value::Null, "the same card still lying there is not read again");

    // taken off, then an expired card laid: read, and refused in the seed's words
    std::fs::remove_file(&lying).unwrap();
    assert_eq!(w.ok("idcard_poll", json!({})), Value::Null);
    let text = std::fs::read_to_string(format!("{cards}/resident.json")).unwrap().replace(r#""valid_to": "2035-01-01""#, r#""valid_to": "2025-01-01""#);
    std::fs::write(&lying, text).unwrap();
    let card = w.ok("idcard_poll", json!({}));
    assert_eq!(card["validity"], "expired", "{card}");
    let refused = card["refused"].as_str().unwrap();
    assert!(refused.contains("2025-01-01") && refused.contains("个人身份证件无法进行扫描验证"), "{refused}");

    // nothing of the card in the store or the log
    let db = std::fs::read(dir.path().join("c.db")).unwrap();
    assert!(!db.windows("440306199003071232".len()).any(|x| x == "440306199003071232".as_bytes()), "the card's number reached the store");
}

#[test]
fn a_new_intake_starts_on_the_accounts_last_project_else_the_administrators_else_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    assert_eq!(w.ok("intake_project", json!({})), "bjca-nmg", "nothing set, no case: the catalog's first");
    w.login("admin");
    w.ok("set_setting", json!({ "key": "default_project", "value": "snca-nmg" }));
    w.login("zhang");
    assert_eq!(w.ok("intake_project", json!({})), "snca-nmg", "the administrator's default");
    let last = serde_json::from_str::<Value>(ORG_NEW.as_str()).unwrap()["project"].as_str().unwrap().to_string();
    assert_ne!(last, "snca-nmg");
    w.ok("import_case", json!({ "json": ORG_NEW.as_str() }));
    assert_eq!(w.ok("intake_project", json!({})), last.as_str(), "this account's last case");
    w.login("li");
    assert_eq!(w.ok("intake_project", json!({})), "snca-nmg", "another account's last case is not this one's");
}

/// #30: the app starts without a store file, its first administrator's set-up makes it
/// encrypted and shows the recovery key once; the sign-out closes it (the key dropped) and the
/// sign-in opens it with the account's password; a wrong password opens nothing.
#[test]
fn a_new_store_file_is_made_encrypted_at_set_up_and_opened_by_the_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let env = env(dir.path());
    let path = env.default_file();
    let catalog = certdesk_desk::intake::load_catalog(None).unwrap();
    let forms = certdesk_desk::print::load_forms(catalog.clone()).unwrap();
    let w = window_over(AppState::waiting(certdesk_desk::place::Closed::Missing, catalog, forms, env));
    let status = w.ok("app_status", json!({}));
    assert_eq!((status["first_run"].as_bool(), status["encrypted"].as_bool()), (Some(true), Some(true)), "{status}");
    assert_eq!(w.kind("case_page", json!({ "offset": 0, "limit": 10 })), "not_signed_in");
    // a password against the rule, or a bad counter code: refused, nothing made
    assert_eq!(w.kind("setup_admin", json!({ "name": "admin", "password": "short", "counterCode": "CD01", "counterName": "" })), "password_policy");
    assert_eq!(w.kind("setup_admin", json!({ "name": "admin", "password": "admin-pass-1", "counterCode": "??", "counterName": "" })), "invalid_counter_code");
    assert!(!path.exists() && !std::path::Path::new(&format!("{}.keys", path.display())).exists(), "nothing made by a refused set-up");
    let set_up = w.ok("setup_admin", json!({ "name": "admin", "password": "admin-pass-1", "counterCode": "cd01", "counterName": "网点一" }));
    let recovery = set_up["recovery_key"].as_str().expect("the recovery key, once").to_string();
    assert!(recovery.starts_with("RK1-") && set_up["name"] == "admin", "{set_up}");
    assert!(!std::fs::read(&path).unwrap().starts_with(b"SQLite format 3"), "the new store file is encrypted");
    w.ok("add_account", json!({ "name": "zhang", "roles": ["clerk"], "password": "zhang-initial-1" }));
    let status = w.ok("app_status", json!({}));
    assert_eq!((status["first_run"].as_bool(), status["counter_code"].as_str()), (Some(false), Some("CD01")), "{status}");
    // signed out: the store is closed, and says only that it is encrypted
    w.ok("logout", json!({}));
    let status = w.ok("app_status", json!({}));
    assert_eq!((status["first_run"].as_bool(), status["encrypted"].as_bool(), status["counter_code"].as_str()), (Some(false), Some(true), Some("")), "{status}");
    assert_eq!(w.kind("login", json!({ "name": "admin", "password": "wrong-pass-1" })), "wrong_password");
    assert_eq!(w.kind("login", json!({ "name": "nobody", "password": "admin-pass-1" })), "wrong_password");
    assert_eq!(w.kind("case_page", json!({ "offset": 0, "limit": 10 })), "not_signed_in");
    // the holder's own password first (the administrator chose the initial one)
    assert_eq!(w.ok("login", json!({ "name": "zhang", "password": "zhang-initial-1" }))["must_change"], true);
    w.ok("change_own_password", json!({ "current": "zhang-initial-1", "password": "zhang-pass-1" }));
    w.ok("logout", json!({}));
    w.login("zhang");
    w.ok("import_case", json!({ "json": ORG_NEW.as_str() }));
    let page = w.ok("case_page", json!({ "offset": 0, "limit": 10 }));
    assert_eq!(page["total"], 1, "{page}");
    // the store the set-up made opens with the recovery key written down
    w.ok("logout", json!({}));
    let secret = certdesk_store::keys::RecoverySecret::parse(&recovery).unwrap();
    let store = Store::open_encrypted(&path, certdesk_store::Unlock::Recovery(&secret)).unwrap();
    assert_eq!(store.count_cases().unwrap(), 1);
}

#[test]
fn the_clerk_accepts_a_doubted_impression_through_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.seal_sheet_in_scan_folder(dir.path());
    let n = w.submitted("zhang");
    let v = w.ok("import_seal_from_folder", json!({ "number": n, "name": "sheet.jpg" }));
    assert_eq!(v["dpi_source"], "file", "the size's source reaches the panel");
    let samples = v["samples"].as_array().unwrap();
    let d = samples.iter().find(|s| s["doubted"] == true).expect("a doubted impression").clone();
    let clean = samples.iter().find(|s| s["empty"] == false && s["defects"].as_array().unwrap().is_empty()).unwrap().clone();
    let args = |s: &Value, note: Value| json!({ "number": n, "row": s["row"], "col": s["col"], "note": note });
    w.login("li");
    assert_eq!(w.kind("accept_seal_sample", args(&d, Value::Null)), "missing_role", "only a clerk accepts");
    w.login("zhang");
    assert_eq!(w.kind("accept_seal_sample", args(&clean, Value::Null)), "seal_sample_not_doubted");
    let after = w.ok("accept_seal_sample", args(&d, json!("申请人只带了这一枚章")));
    let s = after["samples"].as_array().unwrap().iter().find(|s| s["row"] == d["row"] && s["col"] == d["col"]).unwrap().clone();
    assert_eq!((s["accepted"].as_bool(), s["best"].as_bool()), (Some(true), Some(true)), "{s}");
    let case = w.ok("get_case", json!({ "number": n }));
    let seals = case["case"]["seals"].as_array().expect("the case page's seals");
    assert!(seals.iter().any(|x| x["accepted_by_clerk"]["note"] == "申请人只带了这一枚章" && x["row"] == d["row"]), "{seals:?}");
    assert_eq!(case["history"].as_array().unwrap().last().unwrap()["action"], "seal_accepted");
}

/// Every measure the seal crate's rules name (thresholds.json) has its words in the window's
/// locales (`seal.reasons.<measure>`): a finding the backend sends is said in Chinese, not by
/// the fallback with the measure's code (#34).
#[test]
fn every_measure_a_seal_rule_names_has_its_words_in_both_locales() {
    let file = format!("{}/crates/certdesk-seal/src/thresholds.json", env!("CARGO_MANIFEST_DIR"));
    let rules: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("the rules file")).expect("the rules file parses");
    let measures: std::collections::BTreeSet<String> = rules
        .as_object()
        .expect("rules by name")
        .values()
        .flat_map(|r| {
            let one_of = r["one_of"].as_array().into_iter().flatten().filter_map(Value::as_array);
            r["all"].as_array().into_iter().chain(one_of).chain(r["any"].as_array()).flatten()
        })
        .filter_map(|c| c["measure"].as_str().map(str::to_string))
        .collect();
    assert!(measures.len() > 5, "{measures:?}");
    for locale in ["zh-CN", "en"] {
        let text = std::fs::read_to_string(format!("{}/../ui/src/locales/{locale}.ts", env!("CARGO_MANIFEST_DIR"))).expect("the locale file");
        let reasons = &text[text.find("reasons: {").expect("seal.reasons")..];
        let reasons = &reasons[..reasons.find("\n    },").expect("the end of seal.reasons")];
        let missing: Vec<&String> = measures.iter().filter(|m| !reasons.contains(&format!("{m}:"))).collect();
        assert!(missing.is_empty(), "{locale}: no seal.reasons for {missing:?}");
    }
}

/// The due list (#73) over IPC: a posted 解锁 of seed 001 waiting for its money, a counter case
/// on no list (its project promises nothing at the counter), a wrong day refused by kind.
#[test]
fn the_due_list_reaches_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    let mut posted: serde_json::Value = serde_json::from_str(ORG_NEW.as_str()).unwrap();
    posted["business"] = json!("unlock");
    posted.as_object_mut().unwrap().remove("years");
    posted["channel"] = json!("post");
    posted["arrival"] = json!({ "date": "2025-09-30", "courier": "EMS", "waybill": "1180223344" });
    posted["payment"]["amount"] = json!("20.00");
    posted["payment"].as_object_mut().unwrap().remove("date");
    let n = w.ok("import_case", json!({ "json": posted.to_string() }))["number"].as_str().unwrap().to_string();
    w.ok("case_action", json!({ "number": n, "action": "accept" }));
    let counter = w.submitted("zhang");
    let list = w.ok("due_list", json!({ "day": "2025-10-09" }));
    assert_eq!(list["waiting"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect::<Vec<_>>(), [n.as_str()], "{list}");
    assert_eq!(list["waiting"][0]["waiting_zh"], json!(["款项未到账"]));
    assert!(!list.to_string().contains(&counter));
    assert_eq!(w.kind("due_list", json!({ "day": "2025-10-32" })), "invalid_day");
    // the morning report: the same lists exported into the export folder
    let exported = w.ok("export_report", json!({ "kind": "due", "format": "csv", "arg": "2025-10-09" }));
    let path = exported["path"].as_str().unwrap();
    assert!(path.ends_with("到期提醒-2025-10-09.csv"), "{exported}");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(&n) && text.contains("待申请人") && text.contains("款项未到账"), "{text}");
    // the counter case returned by the supervisor: on the list for the clerk, with the reason,
    // and in the morning report
    w.ok("logout", json!({}));
    w.login("li");
    w.ok("case_action", json!({ "number": counter, "action": "return", "reason": "经办人身份证复印件不清晰" }));
    w.ok("logout", json!({}));
    w.login("zhang");
    let list = w.ok("due_list", json!({ "day": "2025-10-09" }));
    assert_eq!((list["returned"][0]["number"].as_str(), list["returned"][0]["reason"].as_str()), (Some(counter.as_str()), Some("经办人身份证复印件不清晰")), "{list}");
    let exported = w.ok("export_report", json!({ "kind": "due", "format": "csv", "arg": "2025-10-09" }));
    let text = std::fs::read_to_string(exported["path"].as_str().unwrap()).unwrap();
    assert!(text.contains("已退回") && text.contains("li退回：经办人身份证复印件不清晰"), "{text}");
}

/// Payments by transfer (#73) over IPC: a statement (CSV, GBK as a bank exports it, Base64)
/// imported by the administrator only, its match listed, confirmed by the clerk, after which
/// the posted case is approved; a statement that is no table is refused by kind.
#[test]
fn a_statement_is_imported_and_its_match_confirmed_through_the_window() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    let mut posted: serde_json::Value = serde_json::from_str(ORG_NEW.as_str()).unwrap();
    posted["channel"] = json!("post");
    posted["arrival"] = json!({ "date": "2025-10-08", "courier": "EMS", "waybill": "1180223344" });
    posted["payment"].as_object_mut().unwrap().remove("date");
    let n = w.ok("import_case", json!({ "json": posted.to_string() }))["number"].as_str().unwrap().to_string();
    for action in ["accept", "submit"] {
        w.ok("case_action", json!({ "number": n, "action": action }));
    }
    let org = posted["organization"]["name"].as_str().unwrap();
    let csv = format!("交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号\n2025-10-09,CA证书费 {n},,700.00,\"10,700.00\",{org},3602000109200123456\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let file = base64::engine::general_purpose::STANDARD.encode(&gbk);
    assert_eq!(w.kind("payments_import", json!({ "name": "工行明细.csv", "file": file })), "missing_role");
    w.login("admin");
    let report = w.ok("payments_import", json!({ "name": "工行明细.csv", "file": file }));
    assert_eq!(report["matched"][0]["cases"], json!([n]), "{report}");
    let credit = report["matched"][0]["credit"].as_str().unwrap().to_string();
    assert_eq!(w.kind("payments_import", json!({ "name": "x.csv", "file": base64::engine::general_purpose::STANDARD.encode(b"\x00\x01 not a table") })), "statement_unreadable");
    w.login("li");
    assert_eq!(w.kind("case_action", json!({ "number": n, "action": "approve" })), "money_not_in");
    w.login("zhang");
    let open = w.ok("payments_list", json!({ "open": true }));
    assert_eq!(open.as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap()).collect::<Vec<_>>(), ["proposed"]);
    assert_eq!(w.ok("payments_confirm", json!({ "credit": credit, "cases": [n] })), json!([n]));
    w.login("li");
    w.ok("case_action", json!({ "number": n, "action": "approve" }));
}

#[test]
fn the_intake_is_told_what_the_counter_holds_of_the_unit_before_it_saves() {
    let dir = tempfile::tempdir().unwrap();
    let w = window(dir.path());
    w.login("zhang");
    // a 陕西CA case whose handler brought the unit's letter, valid to 2099
    let mut case: Value = serde_json::from_str(ORG_NEW.as_str()).unwrap();
    case["project"] = json!("snca-nmg");
    case["years"] = json!(1);
    case["handler"]["authorization_until"] = json!("2099-12-31");
    case.as_object_mut().unwrap().remove("payment");
    let first = w.ok("import_case", json!({ "json": case.to_string() }))["number"].as_str().unwrap().to_string();
    let uscc = case["organization"]["uscc"].as_str().unwrap().to_string();
    let handler = case["handler"]["id_number"].as_str().unwrap().to_string();
    let typed = |handler_id: &str, editing: Option<&str>| json!({ "typed": { "project": "snca-nmg", "business": "new", "cert_kind": "organization", "uscc": uscc, "handler_id": handler_id, "holders": null, "editing": editing } });
    // the same handler comes back: the letter's line is on file
    let on_file = w.ok("intake_on_file", typed(&handler, None));
    assert_eq!(on_file["letters"], json!([{ "id": "authorization", "holder": case["handler"]["name"], "until": "2099-12-31", "case": first }]), "{on_file}");
    assert_eq!((on_file["cases"].as_u64(), on_file["certificates"].as_u64()), (Some(1), Some(0)), "{on_file}");
    // another handler brings a letter of their own; the first case's own letter is not on file for itself
    assert_eq!(w.ok("intake_on_file", typed("11010519491231002X", None))["letters"], json!([]));
    let editing = w.ok("intake_on_file", typed(&handler, Some(&first)));
    assert_eq!((editing["letters"].clone(), editing["cases"].as_u64()), (json!([]), Some(0)), "{editing}");
    // a letter is on the CA's own form: at another project it is asked again
    let elsewhere = json!({ "typed": { "project": "netca-ln-procurement", "business": "new", "cert_kind": "employee", "uscc": uscc, "handler_id": handler, "holders": 1 } });
    assert_eq!(w.ok("intake_on_file", elsewhere)["letters"], json!([]));
    // a code still being typed is no unit yet
    assert_eq!(
        w.ok("intake_on_file", json!({ "typed": { "project": "snca-nmg", "business": "new", "cert_kind": "organization", "uscc": "9144", "handler_id": handler } }))["cases"],
        0
    );
}
