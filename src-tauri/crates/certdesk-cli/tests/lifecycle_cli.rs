//! Every case to 归档 through `certdesk case steps` / `case complete` and the key desk's
//! `certdesk key … --case`: for every project of the catalog, every business type and medium
//! it offers, a case imported, taken, approved and walked along its plan (the key-desk steps on
//! a private SoftHSM2, the issued certificates from a throw-away `openssl` CA); and the seeds'
//! counter rules (delivery, who pays, invoice) through the same front door.

mod common;

use serde_json::{Value, json};
use std::process::Output;

const ORG_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-org-new.json");
const EMPLOYEES_NEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/case-employees-new.json");

struct Desk {
    c: certdesk_testkit::Counter,
    /// Tokens initialised so far: SoftHSM lists them first, its one empty slot after them.
    tokens: std::cell::Cell<usize>,
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

impl Desk {
    fn new() -> Desk {
        let c = certdesk_testkit::Counter::new(env!("CARGO_BIN_EXE_certdesk")).softhsm();
        for (name, pin) in [("so", "87654321"), ("pin", "24681357"), ("pin2", "11223344")] {
            std::fs::write(c.dir.path().join(name), format!("{pin}\n")).unwrap();
        }
        Desk { c, tokens: std::cell::Cell::new(0) }
    }

    fn p(&self, name: &str) -> String {
        self.c.p(name)
    }

    fn steps(&self, n: &str) -> Value {
        let (code, v) = self.c.read_json(&["--json", "case", "steps", n]);
        assert_eq!(code, 0, "{v}");
        v
    }

    fn who(role: &str) -> &'static str {
        match role {
            "clerk" => "zhang",
            "supervisor" => "li",
            "key_clerk" => "wang",
            other => panic!("unknown role {other}"),
        }
    }

    /// A blank key initialised outside any case (the applicant's own key, for an unlock or a
    /// renewal onto it).
    fn applicants_key(&self, label: &str) {
        let slot = self.tokens.get().to_string();
        self.c.ok_as(
            "wang",
            &["key", "--module", certdesk_testkit::SOFTHSM, "init", "--slot-index", &slot, "--label", label, "--so-pin-file", &self.p("so"), "--user-pin-file", &self.p("pin")],
        );
        self.tokens.set(self.tokens.get() + 1);
    }

    fn key_as_wang(&self, args: &[&str]) -> Output {
        let mut all = vec!["key", "--module", certdesk_testkit::SOFTHSM];
        all.extend_from_slice(args);
        self.c.as_user("wang", &all)
    }

    fn key_ok(&self, args: &[&str]) {
        let out = self.key_as_wang(args);
        assert_eq!(out.status.code(), Some(0), "key {args:?}: {}", stderr(&out));
    }

    /// Walks a case along its plan to the end; the step ids done, in order.
    fn walk(&self, n: &str) -> Vec<String> {
        let mut done = Vec::new();
        let mut s = self.steps(n);
        while s["next"].is_string() {
            let (id, after) = self.walk_one(n, &s);
            done.push(id);
            s = after;
            assert!(done.len() < 30, "{done:?}");
        }
        done
    }

    /// Walks until `stop` is next; the step ids done.
    fn walk_until(&self, n: &str, stop: &str) -> Vec<String> {
        let mut done = Vec::new();
        let mut s = self.steps(n);
        while s["next"].as_str().is_some_and(|next| next != stop) {
            let (id, after) = self.walk_one(n, &s);
            done.push(id);
            s = after;
        }
        done
    }

    /// Does the next step of a case whose steps are `s` the way its role does it (the key
    /// desk's through `certdesk key … --case`, the others through `case complete`); checks
    /// that it is done. The step's id and the case's steps after it (read once per step: every
    /// command on the encrypted store derives its key, and this walk makes hundreds).
    fn walk_one(&self, n: &str, s: &Value) -> (String, Value) {
        let next = s["next"].as_str().unwrap().to_string();
        let step = s["steps"].as_array().unwrap().iter().find(|x| x["id"] == next.as_str()).unwrap().clone();
        // a key-desk step of a certificate round is the first unfinished certificate's (#28):
        // each certificate has its own key
        let cert = s["certs"].as_array().unwrap().iter().find(|c| c["withdrawn"] != true && c["done"] != true && c["next"] == next.as_str()).map(|c| c["index"].as_u64().unwrap());
        let label = match cert {
            Some(k) if k > 1 => format!("{}-{k}", n.replace('-', "")),
            _ => n.replace('-', ""),
        };
        match next.as_str() {
            "key_init" => {
                let slot = self.tokens.get().to_string();
                self.key_ok(&["init", "--slot-index", &slot, "--label", &label, "--so-pin-file", &self.p("so"), "--user-pin-file", &self.p("pin"), "--case", n]);
                self.tokens.set(self.tokens.get() + 1);
            }
            "key_generate" => {
                // the certificate's own round: a 续期 row of a 新申请 annex has no 初始化Key (#71)
                let round = match cert {
                    Some(k) => &s["certs"][(k - 1) as usize]["steps"],
                    None => &s["steps"],
                };
                if !round.as_array().unwrap().iter().any(|x| x["id"] == "key_init") {
                    // a renewal onto the applicant's key: the key is theirs, not new
                    self.applicants_key(&label);
                }
                let csr = self.p(&format!("{label}.csr"));
                self.key_ok(&["gen", "--token", &label, "--pin-file", &self.p("pin"), "--algo", "ec-p256", "--case", n, "--csr-out", &csr]);
            }
            "cert_import" | "cert_write" => {
                let dir = self.c.dir.path();
                if !dir.join("ca.pem").exists() {
                    certdesk_testkit::self_signed(dir, "ca", "/C=CN/O=Test CA/CN=Test Root", 30);
                }
                let pem = self.p(&format!("{label}.pem"));
                let o = std::process::Command::new("openssl")
                    .args([
                        "x509",
                        "-req",
                        "-in",
                        &self.p(&format!("{label}.csr")),
                        "-CA",
                        &self.p("ca.pem"),
                        "-CAkey",
                        &self.p("ca.key"),
                        "-CAcreateserial",
                        "-out",
                        &pem,
                        "-days",
                        "365",
                    ])
                    .output()
                    .unwrap();
                assert!(o.status.success(), "{}", stderr(&o));
                self.key_ok(&["write-cert", "--token", &label, "--pin-file", &self.p("pin"), "--cert", &pem, "--case", n]);
            }
            "seal_write" => {
                self.key_ok(&["write-seal", "--token", &label, "--pin-file", &self.p("pin"), "--case", n]);
            }
            "unlock" => {
                self.applicants_key(&label);
                self.key_ok(&["unlock", "--token", &label, "--so-pin-file", &self.p("so"), "--new-pin-file", &self.p("pin2"), "--case", n]);
            }
            "wipe" => {
                if self.c.read_as("wang", &["key", "--module", certdesk_testkit::SOFTHSM, "info", "--token", &label]).status.code() != Some(0) {
                    self.applicants_key(&label);
                }
                self.key_ok(&["wipe", "--token", &label, "--so-pin-file", &self.p("so"), "--case", n]);
            }
            _ => {
                assert_eq!(step["key_desk"], false, "{step}");
                let mut args = vec!["case", "complete", n, next.as_str()];
                if step["needs_reference"] == true {
                    args.extend(["--reference", "CA-20261122-0001"]);
                }
                // a case whose forms collect the seal samples is submitted with its seal sheet
                // (#79): the refusal says so, the stamped sheet is imported, and it goes on
                if next == "submit" {
                    let tried = self.c.as_user("zhang", &args);
                    if tried.status.code() != Some(0) {
                        assert!(stderr(&tried).contains("no seal sheet has been imported"), "{}", stderr(&tried));
                        self.c.ok_as("zhang", &["case", "seal", n, &certdesk_testkit::fixture("seal/collection-150dpi.jpg")]);
                        self.c.ok_as("zhang", &args);
                    }
                } else {
                    self.c.ok_as(Self::who(step["role"].as_str().unwrap()), &args);
                }
            }
        }
        let after = self.steps(n);
        let steps = match cert {
            Some(k) => after["certs"][(k - 1) as usize]["steps"].clone(),
            None => after["steps"].clone(),
        };
        let now = steps.as_array().unwrap().iter().find(|x| x["id"] == next.as_str()).unwrap();
        assert_eq!(now["done"], true, "{next} done: {after}");
        (next, after)
    }

    /// The case's audit events as text (what the hand-over recorded).
    fn history(&self, n: &str) -> String {
        let store = common::store(&self.c);
        serde_json::to_string(&store.history(&certdesk_desk::domain::CaseNumber::parse(n).unwrap()).unwrap()).unwrap()
    }

    /// A case of `project` for `business` on `medium` with its first certificate kind, from the
    /// fixtures; imported by the clerk. Tries the project's validity years in turn (a fee table
    /// may offer fewer).
    fn import(&self, project: &certdesk_desk::catalog::Project, business: &str, medium: &str, kind: &str) -> String {
        let fixture = if kind == "employee" { EMPLOYEES_NEW } else { ORG_NEW };
        let mut case: Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
        let takes_years = matches!(business, "new" | "renew");
        let mut last = String::new();
        for years in &project.years {
            case["project"] = json!(project.id);
            case["business"] = json!(business);
            case["medium"] = json!(medium);
            case["cert_kind"] = json!(kind);
            case["years"] = if takes_years { json!(years) } else { Value::Null };
            case.as_object_mut().unwrap().remove("payment");
            if let Some(employees) = case["employees"].as_array_mut() {
                for e in employees {
                    e["business"] = json!(business);
                    e["years"] = if takes_years { json!(years) } else { Value::Null };
                }
            }
            let file = self.p("case.json");
            std::fs::write(&file, case.to_string()).unwrap();
            let out = self.c.as_user("zhang", &["case", "import", &file]);
            if out.status.code() == Some(0) {
                let n = String::from_utf8_lossy(&out.stdout).trim().to_string();
                self.c.ok_as("zhang", &["case", "materials", &n, "--all-received"]);
                return n;
            }
            last = stderr(&out);
        }
        panic!("{} {business} {medium} {kind}: {last}", project.id)
    }
}

/// Walks shard `shard` of `shards` of the catalog's projects (by their order), each project's
/// every business type and medium, on a store of its own; how many cases it walked. The
/// shards are separate tests so that the test threads walk them side by side (one walk of
/// every project after another took 4½ minutes of a CI run on one core).
fn walk_shard(shard: usize, shards: usize) -> usize {
    let d = Desk::new();
    let catalog = certdesk_desk::catalog::Catalog::embedded().unwrap();
    let mut walked = 0;
    for project in catalog.projects.values().skip(shard).step_by(shards) {
        for business in &project.business_types {
            for medium in &project.media {
                let kind = project.cert_kinds[0].wire();
                let n = d.import(project, business.wire(), medium.wire(), kind);
                let done = d.walk(&n);
                let s = d.steps(&n);
                assert_eq!(s["status"], "closed", "{} {business} {medium}: {s}", project.id);
                assert_eq!(s["next"], Value::Null);
                assert!(s["steps"].as_array().unwrap().iter().all(|x| x["done"] == true), "{s}");
                assert_eq!(done.first().map(String::as_str), Some("accept"));
                assert_eq!(done.last().map(String::as_str), Some("close"));
                let (route, _) = project.route_for(*business, *medium, project.cert_kinds[0]);
                if *medium == certdesk_desk::domain::Medium::MobileKey {
                    assert!(!done.iter().any(|id| id.starts_with("key_") || id.starts_with("cert_") || id == "deliver"), "no USB steps for a mobile certificate: {done:?}");
                }
                if route.contains(&certdesk_desk::domain::steps::RouteStep::Unlock) {
                    assert!(done.contains(&"unlock".to_string()), "{done:?}");
                }
                walked += 1;
            }
        }
    }
    let (code, verify) = d.c.read_json(&["--json", "audit", "verify"]);
    assert_eq!(code, 0, "{verify}");
    walked
}

/// The shards' count: the walks run side by side on the CI's two cores and the other tests' threads.
const SHARDS: usize = 3;

/// How many cases the shards walk together: every project × business type × medium.
fn walks_in_the_catalog() -> usize {
    let catalog = certdesk_desk::catalog::Catalog::embedded().unwrap();
    catalog.projects.values().map(|p| p.business_types.len() * p.media.len()).sum()
}

#[test]
fn every_project_business_type_and_medium_reaches_the_archive_1() {
    let walked = walk_shard(0, SHARDS);
    assert!(walked > 0 && walks_in_the_catalog() >= 30, "{walked} of {} cases walked", walks_in_the_catalog());
}

#[test]
fn every_project_business_type_and_medium_reaches_the_archive_2() {
    assert!(walk_shard(1, SHARDS) > 0);
}

#[test]
fn every_project_business_type_and_medium_reaches_the_archive_3() {
    assert!(walk_shard(2, SHARDS) > 0);
}

#[test]
fn steps_are_done_in_order_by_their_role_and_key_desk_steps_only_at_the_key_desk() {
    let d = Desk::new();
    let n = d.c.import(ORG_NEW);
    let s = d.steps(&n);
    assert_eq!(s["next"], "accept");
    let ids: Vec<&str> = s["steps"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["accept", "submit", "approve", "key_init", "key_generate", "cert_import", "cert_write", "deliver", "close"]);
    let roles: Vec<&str> = s["steps"].as_array().unwrap().iter().map(|x| x["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["clerk", "clerk", "supervisor", "key_clerk", "key_clerk", "key_clerk", "key_clerk", "key_clerk", "clerk"]);
    // out of order, and by the wrong role: refused, exit 1, nothing recorded
    let refused = d.c.as_user("zhang", &["case", "complete", &n, "submit"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("next step is accept"), "{}", stderr(&refused));
    let refused = d.c.as_user("li", &["case", "complete", &n, "accept"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("clerk"), "{}", stderr(&refused));
    d.c.ok_as("zhang", &["case", "complete", &n, "accept"]);
    d.c.ok_as("zhang", &["case", "complete", &n, "submit"]);
    // four-eyes holds through `case complete` too
    let both = d.c.as_user("zhang", &["case", "complete", &n, "approve"]);
    assert_eq!(both.status.code(), Some(1));
    d.c.ok_as("li", &["case", "complete", &n, "approve"]);
    let s = d.steps(&n);
    assert_eq!(s["next"], "key_init");
    let at_desk = d.c.as_user("wang", &["case", "complete", &n, "key_init"]);
    assert_eq!(at_desk.status.code(), Some(1));
    assert!(stderr(&at_desk).contains("key init --case"), "{}", stderr(&at_desk));
    // delivering before the key is made is refused, through the old command too
    let early = d.c.as_user("wang", &["case", "deliver", &n]);
    assert_eq!(early.status.code(), Some(1));
    assert!(stderr(&early).contains("next step is key_init"), "{}", stderr(&early));
    // an unlock is not a step of a new-key case
    d.applicants_key("OTHER");
    let unlock = d.key_as_wang(&["unlock", "--token", "OTHER", "--so-pin-file", &d.p("so"), "--new-pin-file", &d.p("pin2"), "--case", &n]);
    assert_eq!(unlock.status.code(), Some(1));
    assert!(stderr(&unlock).contains("unlock is not a step"), "{}", stderr(&unlock));
    let unknown = d.c.as_user("zhang", &["case", "complete", &n, "ca_revoke"]);
    assert_eq!(unknown.status.code(), Some(1));
    // a cancelled case has no next step
    d.c.ok_as("li", &["case", "cancel", &n, "--reason", "申请人撤回"]);
    assert_eq!(d.steps(&n)["next"], Value::Null);
}

/// A case file from the org fixture with `edit` applied.
fn case_with(d: &Desk, name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(ORG_NEW).unwrap()).unwrap();
    edit(&mut case);
    let file = d.p(name);
    std::fs::write(&file, case.to_string()).unwrap();
    file
}

fn to_the_hand_over(d: &Desk, file: &str) -> String {
    let n = d.c.approved_case(file);
    d.walk_until(&n, "deliver");
    let s = d.steps(&n);
    assert!(s["steps"].as_array().unwrap().iter().filter(|x| x["id"] != "deliver" && x["id"] != "close").all(|x| x["done"] == true), "{s}");
    assert_eq!(d.c.status(&n), "key_issued");
    n
}

#[test]
fn the_hand_over_records_the_collector_or_the_waybill() {
    let d = Desk::new();
    // pickup by someone else: their name and a valid ID number
    let n = to_the_hand_over(&d, ORG_NEW);
    let no_id = d.c.as_user("wang", &["case", "complete", &n, "deliver", "--recipient", "赵六"]);
    assert_eq!(no_id.status.code(), Some(1));
    assert!(stderr(&no_id).contains("--recipient-id"), "{}", stderr(&no_id));
    let bad_id = d.c.as_user("wang", &["case", "complete", &n, "deliver", "--recipient", "赵六", "--recipient-id", "110105194912310023"]);
    assert_eq!(bad_id.status.code(), Some(1));
    assert!(stderr(&bad_id).contains("ID number"), "{}", stderr(&bad_id));
    d.c.ok_as("wang", &["case", "complete", &n, "deliver", "--recipient", "赵六", "--recipient-id", "11010519491231002X"]);
    let text = d.history(&n);
    assert!(text.contains("\"recipient\":\"赵六\"") && text.contains("11010519491231002X"), "{text}");

    // by post: refused without a waybill, recorded with courier and waybill
    let mailed = case_with(&d, "mail.json", |c| {
        let legal = c["organization"]["legal_address"].clone();
        c["delivery"] = json!({ "method": "mail", "recipient": "张三", "phone": "13800138000", "address": legal });
    });
    let n = to_the_hand_over(&d, &mailed);
    let no_waybill = d.c.as_user("wang", &["case", "complete", &n, "deliver"]);
    assert_eq!(no_waybill.status.code(), Some(1));
    assert!(stderr(&no_waybill).contains("waybill"), "{}", stderr(&no_waybill));
    d.c.ok_as("wang", &["case", "complete", &n, "deliver", "--courier", "顺丰速运", "--waybill", "SF1234567890"]);
    let text = d.history(&n);
    assert!(text.contains("SF1234567890") && text.contains("顺丰速运"), "{text}");
    // the outgoing courier and waybill on the case itself (#73), not only on its chain
    let (_, shown) = d.c.read_json(&["case", "show", &n, "--json"]);
    assert_eq!(
        (shown["dispatch"]["courier"].as_str(), shown["dispatch"]["waybill"].as_str(), shown["dispatch"]["by"].as_str()),
        (Some("顺丰速运"), Some("SF1234567890"), Some("wang")),
        "{shown}"
    );
    d.c.ok_as("zhang", &["case", "complete", &n, "close"]);
    assert_eq!(d.c.status(&n), "closed");
}

/// The catalogs copied to the counter's folder with every seed rule set for netca-gd-pension
/// (a `[rules]` table, as a project's catalog declares them).
fn forms_with_rules(d: &Desk) -> String {
    let forms = d.c.dir.path().join("forms");
    let copied = std::process::Command::new("cp").args(["-r", concat!(env!("CARGO_MANIFEST_DIR"), "/../../../forms")]).arg(&forms).output().unwrap();
    assert!(copied.status.success());
    let catalog = forms.join("netca-gd-pension/catalog.toml");
    let text = std::fs::read_to_string(&catalog).unwrap();
    // the project's own [rules] table (if any) replaced by one with every rule
    let mut kept = Vec::new();
    let mut in_rules = false;
    for line in text.lines() {
        let header = line.trim_start().starts_with('[');
        if header {
            in_rules = line.trim() == "[rules]";
        }
        if !in_rules {
            kept.push(line);
        }
    }
    let text = kept.join("\n") + "\n[rules]\nmail_to_legal_address_only = true\ninvoice_title_is_applicant = true\npayer_is_applicant = true\n";
    std::fs::write(&catalog, text).unwrap();
    forms.display().to_string()
}

#[test]
fn the_seeds_counter_rules_refuse_at_intake() {
    let d = Desk::new();
    let forms = forms_with_rules(&d);
    let import = |file: &str| d.c.as_user("zhang", &["--forms", &forms, "case", "import", file]);
    // seed 001: "证书仅回寄到单位法定地址"
    let file = case_with(&d, "elsewhere.json", |c| {
        c["delivery"] = json!({ "method": "mail", "recipient": "张三", "phone": "13800138000", "address": "北京市海淀区某路1号" });
    });
    let out = import(&file);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("delivery.address") && stderr(&out).contains("legal address"), "{}", stderr(&out));
    // seed 001 "汇款须单位汇款，私人汇款概不受理" / seed 004 "付款账户名与申请办理的单位名称一致"
    let file = case_with(&d, "payer.json", |c| c["payment"]["payer_name"] = json!("张伟"));
    let out = import(&file);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("payment.payer_name"), "{}", stderr(&out));
    // the unit's own name, spaced, with full-width brackets, is the same unit
    let file = case_with(&d, "payer-ok.json", |c| {
        let name = c["organization"]["name"].as_str().unwrap().replace('(', "（").replace(')', "）");
        c["payment"]["payer_name"] = json!(format!(" {name} "));
    });
    let out = import(&file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // seed 002: "注：办理单位必须与申请发票单位一致。"
    let file = case_with(&d, "invoice.json", |c| c["invoice"] = json!({ "type": "special", "title": "代办公司", "taxpayer_id": "91440101MA59ABCD1D" }));
    let out = import(&file);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invoice.title"), "{}", stderr(&out));
    // without the rules (the embedded catalog of this project sets none of them) the same case passes
    let out = d.c.as_user("zhang", &["case", "import", &file]);
    let ruled = catalog_rules("netca-gd-pension");
    assert_eq!(out.status.code() == Some(0), !ruled.invoice_title_is_applicant, "{}", stderr(&out));
    // the fields travel: ca_reference, delivery and invoice come back on export
    let file = case_with(&d, "fields.json", |c| {
        c["ca_reference"] = json!("00202009200000485");
        c["invoice"] = json!({ "type": "normal", "title": c["organization"]["name"].clone(), "email": "finance@example.com" });
    });
    let n = d.c.import(&file);
    let (_, exported) = d.c.read_json(&["case", "show", &n, "--json"]);
    assert_eq!(exported["ca_reference"], "00202009200000485");
    assert_eq!(exported["invoice"]["type"], "normal");
    let bad = case_with(&d, "bad-ref.json", |c| c["ca_reference"] = json!("002020<script>"));
    let out = d.c.as_user("zhang", &["case", "import", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ca_reference"), "{}", stderr(&out));
}

fn catalog_rules(project: &str) -> certdesk_desk::catalog::Rules {
    certdesk_desk::catalog::Catalog::embedded().unwrap().project(project).unwrap().rules.clone()
}

fn listed(d: &Desk, tz: &str, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--json", "case", "list"];
    all.extend_from_slice(args);
    let out = d.c.cmd(&all).env("TZ", tz).env("CERTDESK_USER", "li").env("CERTDESK_PASSWORD_FILE", d.c.pw("li")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap().to_string()).collect()
}

#[test]
fn the_case_list_filters_by_the_counters_local_day_around_midnight() {
    let d = Desk::new();
    let late = d.c.import(ORG_NEW);
    let early = d.c.import(ORG_NEW);
    // 23:59:30 and 00:00:30 in Beijing are 15:59:30 and 16:00:30 of the same UTC day: the
    // times are set in the file (the store keeps UTC) so that the test does not depend on when
    // it runs
    for (n, at) in [(&late, "2026-11-22T15:59:30.000000Z"), (&early, "2026-11-22T16:00:30.000000Z")] {
        let sql = format!("UPDATE cases SET created_at = '{at}' WHERE number = '{n}'");
        common::raw_sql(&d.c, &sql);
    }
    assert_eq!(listed(&d, "Asia/Shanghai", &["--from", "2026-11-22", "--to", "2026-11-22"]), vec![late.clone()]);
    assert_eq!(listed(&d, "Asia/Shanghai", &["--from", "2026-11-23", "--to", "2026-11-23"]), vec![early.clone()]);
    assert_eq!(listed(&d, "Asia/Shanghai", &["--to", "2026-11-23"]), [early.clone(), late.clone()], "newest first");
    // the same store read by a desk in UTC: both on its 22nd (the days are the reader's)
    assert_eq!(listed(&d, "UTC", &["--from", "2026-11-22", "--to", "2026-11-22"]).len(), 2);
    let backwards = d.c.read_as("li", &["--json", "case", "list", "--from", "2026-11-23", "--to", "2026-11-22"]);
    assert_eq!(backwards.status.code(), Some(1), "{}", stderr(&backwards));
    assert_eq!(serde_json::from_slice::<Value>(&backwards.stdout).unwrap()["error"]["kind"], "day_range");
    // a day as some locales' pickers write it is read the same
    assert_eq!(listed(&d, "Asia/Shanghai", &["--from", "2026/11/22", "--to", "2026/11/22"]), vec![late.clone()]);
}

/// `certdesk args` on a clock that starts at `at` in Beijing time (libfaketime, the Debian
/// package `faketime`) and runs on from there.
fn on_clock(c: &certdesk_testkit::Counter, at: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("faketime")
        .arg(at)
        .arg(env!("CARGO_BIN_EXE_certdesk"))
        .args(args)
        .env("CERTDESK_DB", c.db())
        .env("TZ", "Asia/Shanghai")
        // reads and prints sign in as the clerk (the environment's account)
        .env("CERTDESK_USER", "zhang")
        .env("CERTDESK_PASSWORD_FILE", c.pw("zhang"))
        .env_remove("CERTDESK_FORMS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("faketime runs (scripts/deps.sh test installs it)");
    assert_eq!(out.status.code(), Some(0), "{args:?} at {at}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A counter's evening and the next morning on a faked clock: a case taken at 23:59:50 in
/// Beijing (15:59:50 UTC) belongs to the 22nd and one taken at 00:00:10 (16:00:10 UTC, the same
/// UTC day) to the 23rd: in its number, the day's sequence, the case list, the daily ledger and
/// the receipt's 受理时间.
#[test]
fn a_counter_day_ends_at_local_midnight_on_a_faked_clock() {
    let c = certdesk_testkit::Counter::empty(env!("CARGO_BIN_EXE_certdesk"));
    let (admin, zhang) = (c.pw("admin"), c.pw("zhang"));
    let as_admin = ["--as", "admin", "--as-password-file", admin.as_str()];
    on_clock(&c, "2026-11-22 23:58:00", &["user", "add", "admin", "--role", "admin", "--password-file", &admin]);
    on_clock(&c, "2026-11-22 23:58:10", &[&["counter", "set", "--code", "GZ01"][..], &as_admin].concat());
    on_clock(&c, "2026-11-22 23:58:20", &[&["user", "add", "zhang", "--role", "clerk", "--password-file", &zhang][..], &as_admin].concat());
    let clerk = ["--as", "zhang", "--password-file", zhang.as_str()];
    let late = on_clock(&c, "2026-11-22 23:59:50", &[&["case", "import", ORG_NEW][..], &clerk].concat());
    on_clock(&c, "2026-11-22 23:59:55", &[&["case", "accept", &late][..], &clerk].concat());
    let early = on_clock(&c, "2026-11-23 00:00:10", &[&["case", "import", ORG_NEW][..], &clerk].concat());
    on_clock(&c, "2026-11-23 00:00:15", &[&["case", "accept", &early][..], &clerk].concat());
    assert_eq!(late, "GZ01-20261122-0001");
    assert_eq!(early, "GZ01-20261123-0001", "a new local day numbers from 1 again");

    let list = |day: &str| -> Vec<String> {
        let out = on_clock(&c, "2026-11-23 09:00:00", &["--json", "case", "list", "--from", day, "--to", day]);
        serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(list("2026-11-22"), [late.as_str()]);
    assert_eq!(list("2026-11-23"), [early.as_str()]);
    for (day, number) in [("2026-11-22", &late), ("2026-11-23", &early)] {
        let ledger: Value = serde_json::from_str(&on_clock(&c, "2026-11-23 09:00:00", &["--json", "report", "daily", "--date", day])).unwrap();
        assert_eq!(ledger["cases"], 1, "{day}: {ledger}");
        let pdf = c.p(&format!("{number}.pdf"));
        on_clock(&c, "2026-11-23 09:00:00", &["form", "render", "--case", number, "--form", "receipt", "--out", &pdf]);
        let text = std::process::Command::new("pdftotext").args([&pdf, "-"]).output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<String>();
        let (y, m, d) = (&day[0..4], day[5..7].trim_start_matches('0'), day[8..10].trim_start_matches('0'));
        let hour = if number == &late { "23时" } else { "0时" };
        let printed = [format!("{y}年{m}月{d}日{hour}"), format!("{y}年{}月{}日{}", &day[5..7], &day[8..10], if number == &late { "23时" } else { "00时" })];
        assert!(printed.iter().any(|p| text.contains(p.as_str())), "{number}: 受理时间 {printed:?} in {text}");
    }
}

#[test]
fn each_annex_row_takes_the_key_round_of_its_own_business_type() {
    let d = Desk::new();
    let ids = |v: &Value| v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    // a 续期 annex with one 新申请 row, and a 新申请 annex with one 续期 row (seed 001's 附页)
    for (case_business, odd_row) in [("renew", "new"), ("new", "renew")] {
        let mut c: Value = serde_json::from_str(&std::fs::read_to_string(EMPLOYEES_NEW).unwrap()).unwrap();
        c["business"] = json!(case_business);
        for e in c["employees"].as_array_mut().unwrap() {
            e["business"] = json!(case_business);
        }
        c["employees"][1]["business"] = json!(odd_row);
        c.as_object_mut().unwrap().remove("payment");
        let file = d.p(&format!("mixed-{case_business}.json"));
        std::fs::write(&file, c.to_string()).unwrap();
        let n = d.c.approved_case(&file);
        let s = d.steps(&n);
        let plan = ids(&s["steps"]);
        assert!(plan.contains(&"key_init".to_string()), "{case_business} with a new row: the case's plan has 初始化Key: {plan:?}");
        let new_row = if case_business == "new" { 0 } else { 1 };
        for (i, c) in s["certs"].as_array().unwrap().iter().enumerate() {
            let round = ids(&c["steps"]);
            assert_eq!(round.contains(&"key_init".to_string()), i == new_row, "{case_business}: certificate {} round {round:?}", i + 1);
            assert!(round.contains(&"key_generate".to_string()) && round.contains(&"cert_write".to_string()));
        }
        let done = d.walk(&n);
        assert_eq!(done.iter().filter(|id| *id == "key_init").count(), 1, "one new key, for the 新申请 row: {done:?}");
        assert_eq!(done.iter().filter(|id| *id == "key_generate").count(), s["certs"].as_array().unwrap().len(), "{done:?}");
        assert_eq!(done.last().map(String::as_str), Some("close"));
    }
}

/// The day's invoice list (#73): a case asking for a 专票 walked to 归档 today is on today's list
/// once (its 交付 and 归档 the same day), with its title, 税号, the 专票 fields, the amount and the
/// handler's mobile and e-mail, in the 开票 tool's columns (`forms/_counter/invoice-export.toml`),
/// as CSV and XLSX; a case not done, or asking for no invoice, is not; another day's list is empty.
#[test]
fn the_days_invoice_list_has_each_case_done_that_day_once() {
    let d = Desk::new();
    let file = case_with(&d, "invoice.json", |c| {
        c["invoice"] = json!({ "type": "special", "title": "广州市示例科技有限公司", "taxpayer_id": "91440101MA59TEST1X", "email": "finance@example-tech.cn",
            "phone": "020-38886666", "address": "广州市天河区体育西路191号", "bank": "中国工商银行广州天河支行", "account": "3602000109200123456" });
    });
    let done = d.c.import(&file);
    d.walk(&done);
    let open = d.c.import(&file);
    d.c.ok_as("zhang", &["case", "accept", &open]);
    let plain = d.c.import(ORG_NEW);
    d.walk(&plain);
    let today = chrono::Local::now().date_naive().to_string();

    let (code, list) = d.c.read_json(&["report", "invoices", "--day", &today, "--json"]);
    assert_eq!(code, 0, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.iter().map(|r| r["case"].as_str().unwrap()).collect::<Vec<_>>(), [done.as_str()], "the done case asking for an invoice, once");
    assert_eq!((list[0]["kind"].as_str(), list[0]["amount"].as_str(), list[0]["mobile"].as_str()), (Some("special"), Some("700.00"), Some("13800138000")));

    let csv = d.p("开票.csv");
    let out = d.c.as_user("admin", &["report", "invoices", "--day", &today, "--out", &csv]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("单据编号,发票类型,购买方名称,购买方纳税人识别号,购买方地址电话,购买方开户行及账号,商品名称,含税金额,收票人手机,收票人邮箱,办结日期"));
    let row = lines.next().unwrap();
    for want in [
        done.as_str(),
        "增值税专用发票",
        "91440101MA59TEST1X",
        "广州市天河区体育西路191号 020-38886666",
        "中国工商银行广州天河支行 3602000109200123456",
        "数字证书服务费",
        "700.00",
        "finance@example-tech.cn",
        &today,
    ] {
        assert!(row.contains(want), "{want:?} not in {row}");
    }
    assert_eq!(lines.next(), None);
    let xlsx = d.p("开票.xlsx");
    d.c.ok_as("admin", &["report", "invoices", "--day", &today, "--out", &xlsx]);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "an XLSX workbook");
    let (_, other) = d.c.read_json(&["report", "invoices", "--day", "2025-10-09", "--json"]);
    assert_eq!(other, json!([]));
    let bad = d.c.as_user("admin", &["report", "invoices", "--day", &today, "--out", &d.p("开票.pdf")]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
}

/// A 工商银行-style statement written by Python's `csv` module in GB18030, with one signed
/// amount column and a 借贷标志 (the other shape the banks export), title rows above the header
/// and dates as digits: other code, and another layout, than the importer's own tests.
const ICBC_CSV: &str = r#"
import csv, sys
out, case_no, amount = sys.argv[1], sys.argv[2], sys.argv[3]
with open(out, "w", encoding="gb18030", newline="") as f:
    w = csv.writer(f)
    w.writerow(["中国工商银行账户历史明细"])
    w.writerow(["账号: 3602000109200088888", "户名: 广东省电子商务认证有限公司"])
    w.writerow(["交易日期", "摘要", "借贷标志", "交易金额", "账户余额", "对方单位", "对方账号", "用途"])
    w.writerow(["20251013", "跨行汇入", "贷", amount, "52,400.00", "广东省示例事业单位", "44001234567890123456", "养老保险员工证书 " + case_no])
    w.writerow(["20251013", "手续费", "借", "15.00", "52,385.00", "", "", ""])
"#;

/// #73, done when: a posted order of seed 001's employees arrives (its waybill and online
/// application recorded, no chip: the copies are checked), is refused a courier back to any
/// address but the unit's legal one, waits for its money, is matched from a GBK statement of
/// other code, is reviewed, goes through the key desk certificate by certificate, goes back by
/// courier to the legal address, and lands in the day's invoice list once.
#[test]
fn a_posted_employee_order_goes_from_its_waybill_to_the_courier_back_to_the_legal_address() {
    let d = Desk::new();
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(EMPLOYEES_NEW).unwrap()).unwrap();
    let today = chrono::Local::now().date_naive().to_string();
    case["channel"] = json!("post");
    case["arrival"] = json!({ "date": "2025-10-10", "courier": "顺丰速运", "waybill": "SF1402334455", "online_application": "YL2025100800123" });
    case["handler"]["source"] = json!("chip");
    case["payment"] = json!({ "method": "bank_transfer", "payer_name": "广东省示例事业单位", "payer_account": "44001234567890123456", "amount": "400.00" });
    case["delivery"] = json!({ "method": "mail", "recipient": "王芳", "phone": "13711112222", "address": "广州市天河区体育西路1号" });
    case["invoice"] = json!({ "title": "广东省示例事业单位", "taxpayer_id": "12440000455600109U", "email": "caiwu@example.gov.cn", "phone": "13711112222" });
    let file = d.p("posted.json");
    std::fs::write(&file, case.to_string()).unwrap();
    // seed 001: "证书仅回寄到单位法定地址"
    let elsewhere = d.c.as_user("zhang", &["case", "import", &file]);
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(stderr(&elsewhere).contains("delivery.address"), "{}", stderr(&elsewhere));
    case["delivery"]["address"] = case["organization"]["legal_address"].clone();
    std::fs::write(&file, case.to_string()).unwrap();
    let n = d.c.import(&file);
    let (_, shown) = d.c.read_json(&["case", "show", &n, "--json"]);
    assert_eq!(
        (shown["channel"].as_str(), shown["arrival"]["waybill"].as_str(), shown["arrival"]["online_application"].as_str()),
        (Some("post"), Some("SF1402334455"), Some("YL2025100800123")),
        "{shown}"
    );
    assert_eq!(shown["handler"]["source"], Value::Null, "no card was at the desk for a posted case: {shown}");
    // the letter to the unit names the online application the paper follows
    let pdf = d.p("letter.pdf");
    d.c.ok_as("zhang", &["form", "render", "--case", &n, "--form", "receipt", "--out", &pdf]);
    let text = std::process::Command::new("pdftotext").args([pdf.as_str(), "-"]).output().expect("pdftotext (poppler-utils)");
    assert!(String::from_utf8_lossy(&text.stdout).contains("网上申请编号：YL2025100800123"), "{}", String::from_utf8_lossy(&text.stdout));
    for action in ["accept", "submit"] {
        d.c.ok_as("zhang", &["case", action, &n]);
    }
    let early = d.c.as_user("li", &["case", "approve", &n, "--json"]);
    assert!(String::from_utf8_lossy(&early.stdout).contains("money_not_in"), "{}", String::from_utf8_lossy(&early.stdout));

    let csv = d.p("工商银行明细.csv");
    let run = std::process::Command::new(certdesk_testkit::python_with(&["csv"])).args(["-c", ICBC_CSV, &csv, &n, "400.00"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let imported = d.c.as_user("admin", &["payments", "import", &csv, "--json"]);
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    let report: Value = serde_json::from_slice(&imported.stdout).unwrap();
    assert_eq!((report["credits"].as_u64(), report["matched"][0]["cases"].clone()), (Some(1), json!([n])), "{report}");
    d.c.ok_as("zhang", &["payments", "confirm", report["matched"][0]["credit"].as_str().unwrap(), &n]);
    d.c.ok_as("li", &["case", "approve", &n]);

    // the key desk: each employee's certificate on its own key, then the courier back
    let done = d.walk_until(&n, "deliver");
    assert_eq!(done.iter().filter(|s| *s == "key_init").count(), 2, "{done:?}");
    let no_waybill = d.c.as_user("wang", &["case", "complete", &n, "deliver"]);
    assert_eq!(no_waybill.status.code(), Some(1), "a posted key goes by courier, with its waybill");
    d.c.ok_as("wang", &["case", "complete", &n, "deliver", "--courier", "顺丰速运", "--waybill", "SF9988776655"]);
    d.c.ok_as("zhang", &["case", "complete", &n, "close"]);
    let (_, shown) = d.c.read_json(&["case", "show", &n, "--json"]);
    assert_eq!((shown["status"].as_str(), shown["dispatch"]["waybill"].as_str()), (Some("closed"), Some("SF9988776655")), "{shown}");

    // the invoice request, in today's list once
    let (code, list) = d.c.read_json(&["report", "invoices", "--day", &today, "--json"]);
    assert_eq!(code, 0, "{list}");
    let mine: Vec<&Value> = list.as_array().unwrap().iter().filter(|r| r["case"] == n.as_str()).collect();
    assert_eq!(mine.len(), 1, "{list}");
    assert_eq!((mine[0]["amount"].as_str(), mine[0]["mobile"].as_str()), (Some("400.00"), Some("13711112222")), "{list}");
}

/// The data objects on the key `label` (pkcs11-tool, logged in): their labels. The slot is found
/// by the exact label: pkcs11-tool's `--token-label` takes a key whose label only begins with it
/// (`…0001` would find `…0001-2`).
fn data_labels(d: &Desk, label: &str) -> Vec<String> {
    let pkcs11 = |args: &[&str]| {
        std::process::Command::new("pkcs11-tool").args([&["--module", certdesk_testkit::SOFTHSM][..], args].concat()).env("SOFTHSM2_CONF", d.p("softhsm2.conf")).output().unwrap()
    };
    let slots = String::from_utf8_lossy(&pkcs11(&["--list-token-slots"]).stdout).into_owned();
    let mut slot = None;
    let mut current = None;
    for line in slots.lines() {
        if let Some(rest) = line.strip_prefix("Slot ") {
            current = rest.split_once("(0x").and_then(|(_, id)| id.split_once(')')).map(|(id, _)| format!("0x{id}"));
        } else if line.trim().strip_prefix("token label").and_then(|l| l.trim().strip_prefix(':')).is_some_and(|l| l.trim() == label) {
            slot = current.clone();
        }
    }
    let slot = slot.unwrap_or_else(|| panic!("no key labelled {label}: {slots}"));
    let out = pkcs11(&["--slot", &slot, "--login", "--pin", "24681357", "--list-objects", "--type", "data"]);
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().strip_prefix("label:")).map(|l| l.trim().trim_matches('\'').to_string()).collect()
}

/// #74: "一个数字证书对应一个电子签章": an employee order whose seal sheet gave the unit's seals
/// and one signature, issued key by key: the first holder's key carries only that signature
/// (read back with OpenSC's pkcs11-tool), the second holder's nothing, and neither the unit's
/// 公章 or 法人章.
#[test]
fn an_employees_key_carries_only_its_holders_signature() {
    let d = Desk::new();
    let n = d.c.import(EMPLOYEES_NEW);
    let out = d.c.as_user("zhang", &["case", "seal", &n, &certdesk_testkit::fixture("seal/collection-150dpi.jpg"), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stored: Vec<&str> = v["stored"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(stored.contains(&"seal:official_seal") && stored.contains(&"seal:signature"), "the sheet gives the unit's seal and a signature: {v}");
    for (action, who) in [("accept", "zhang"), ("submit", "zhang"), ("approve", "li")] {
        d.c.ok_as(who, &["case", action, &n]);
    }
    let done = d.walk_until(&n, "deliver");
    assert_eq!(done.iter().filter(|s| *s == "seal_write").count(), 1, "one holder has a signature on the sheet: {done:?}");
    let first = n.replace('-', "");
    assert_eq!(data_labels(&d, &first), ["certdesk-seal-image"], "the first holder's signature alone");
    assert_eq!(data_labels(&d, &format!("{first}-2")), Vec::<String>::new(), "no seal of another on the second holder's key");
    let history = d.history(&n);
    assert!(history.contains("\"image\":\"seal:signature\"") && !history.contains("\"image\":\"seal:official_seal\""), "{history}");
}

/// #74, CFCA 服务协议（五）: "原则上单位的公章和法人的手写签名或印章要分开办理。如果用户自愿将法人的
/// 手写签名或印章放到单位锁里…": a CFCA unit's key gets its 公章 and not the 法人章 the sheet
/// gave, the write saying why; with the handler's choice 自愿放入单位锁 on the case it gets both
/// (read back with pkcs11-tool); the sheet is CFCA's own, its one row 企业公章 | 法人方章 |
/// 法人签字 read box by box. The legal representative's own (personal) key gets his 法人章 and
/// 法人签字 and not the 公章. A 辽宁 unit's key, whose project does not keep them apart,
/// gets both without being asked.
#[test]
fn the_legal_representatives_seal_goes_onto_a_cfca_units_key_only_by_the_units_choice() {
    let d = Desk::new();
    let seal_labels = |n: &str| -> Vec<String> {
        let mut labels = data_labels(&d, &n.replace('-', ""));
        labels.sort();
        labels
    };
    let issued = |edit: &dyn Fn(&mut Value)| -> (String, Value) {
        let file = case_with(&d, &format!("case-{}.json", d.tokens.get()), |c| {
            c["project"] = json!("cfca-xs");
            c["years"] = json!(1);
            c.as_object_mut().unwrap().remove("payment");
            edit(c);
        });
        let n = d.c.import(&file);
        // CFCA's own 签章采集表, one row 企业公章 | 法人方章 | 法人签字, read box by box
        let out = d.c.as_user("zhang", &["case", "seal", &n, &certdesk_testkit::fixture("seal/cfca-application-200dpi.jpg"), "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let stored: Vec<&str> = v["stored"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert_eq!(stored, ["seal:official_seal", "seal:legal_rep_seal", "seal:legal_rep_signature"], "the sheet gives the 公章, the 法人章 and the 法人签字: {v}");
        for (action, who) in [("accept", "zhang"), ("submit", "zhang"), ("approve", "li")] {
            d.c.ok_as(who, &["case", action, &n]);
        }
        d.walk_until(&n, "seal_write");
        // the key desk's write, with what it says
        let written =
            d.c.as_user("wang", &["--json", "key", "--module", certdesk_testkit::SOFTHSM, "write-seal", "--token", &n.replace('-', ""), "--pin-file", &d.p("pin"), "--case", &n]);
        assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
        (n, serde_json::from_slice::<Value>(&written.stdout).unwrap())
    };
    let (apart, w) = issued(&|_| {});
    let labels = seal_labels(&apart);
    assert!(labels.contains(&"certdesk-seal-image".to_string()), "the 公章 is on the unit's key: {labels:?}");
    assert!(!labels.iter().any(|l| l.contains("legal_rep")), "the 法人章 is kept off: {labels:?}");
    let history = d.history(&apart);
    assert!(!history.contains("\"image\":\"seal:legal_rep_seal\""), "{history}");
    assert_eq!(w["kept_apart"], json!(["seal:legal_rep_seal", "seal:legal_rep_signature"]), "{w}");
    assert!(w["kept_apart_why"].as_str().unwrap().contains("原则上单位的公章和法人的手写签名或印章要分开办理"), "{w}");

    let (together, w) = issued(&|c| c["extra"] = json!({"legal_rep_in_unit_key": "自愿放入单位锁"}));
    assert_eq!(w["kept_apart"], json!([]), "{w}");
    let labels = seal_labels(&together);
    assert_eq!(labels, ["certdesk-seal-image", "certdesk-seal-image:legal_rep_seal", "certdesk-seal-image:legal_rep_signature"], "{labels:?}");
    assert!(d.history(&together).contains("\"image\":\"seal:legal_rep_seal\""));

    // the legal representative's own certificate (a CFCA personal case, "单独办理法人的数字证书"):
    // his 法人章 and 法人签字 go onto his key, the unit's 公章 does not
    let (own, w) = issued(&|c| c["cert_kind"] = json!("personal"));
    assert_eq!(w["kept_apart"], json!([]), "{w}");
    assert_eq!(seal_labels(&own), ["certdesk-seal-image", "certdesk-seal-image:legal_rep_signature"], "the 法人章 first, then the signature");
    let history = d.history(&own);
    assert!(history.contains("\"image\":\"seal:legal_rep_seal\"") && !history.contains("\"image\":\"seal:official_seal\""), "{history}");

    // a choice that is none of the field's is refused at import
    let wrong = case_with(&d, "wrong.json", |c| {
        c["project"] = json!("cfca-xs");
        c["years"] = json!(1);
        c["extra"] = json!({"legal_rep_in_unit_key": "都放"});
    });
    let out = d.c.as_user("zhang", &["case", "import", &wrong]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("法人签名或印章"), "{}", stderr(&out));
}

/// #74: what the counter has on file for a unit (`unit show USCC`): the authorisation letter its
/// handlers brought (each case's), the certificate the key desk wrote for it with the
/// key it went onto; a cancelled case and another unit's case left out; a wrong code refused.
#[test]
fn a_units_papers_and_certificates_on_file() {
    let d = Desk::new();
    let with_letter = |name: &str, until: &str| {
        case_with(&d, name, |c| {
            c["handler"]["authorization_until"] = json!(until);
            c["organization"]["license_valid_until"] = json!("长期");
        })
    };
    let issued = d.c.approved_case(&with_letter("letter.json", "2099-12-31"));
    d.walk_until(&issued, "deliver");
    let later = d.c.import(&with_letter("later-letter.json", "2030-06-30"));
    let cancelled = d.c.import(&with_letter("cancelled.json", "2098-01-01"));
    d.c.ok_as("zhang", &["case", "accept", &cancelled]);
    d.c.ok_as("li", &["case", "cancel", &cancelled, "--reason", "申请人撤回"]);
    let other = case_with(&d, "other.json", |c| {
        c["organization"]["uscc"] = json!("91110108MA01ABCD2H");
        c["organization"]["name"] = json!("北京市示例科技有限公司");
        c["payment"]["payer_name"] = json!("北京市示例科技有限公司");
    });
    let other_unit = d.c.import(&other);

    let (code, on_file) = d.c.read_json(&["--json", "unit", "show", "91440101ma59abcd1d"]);
    assert_eq!(code, 0, "{on_file}");
    assert_eq!(on_file["uscc"], "91440101MA59ABCD1D");
    let cases: Vec<&str> = on_file["cases"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(cases, [later.as_str(), issued.as_str()], "newest first: {on_file}");
    assert!(!cases.contains(&cancelled.as_str()) && !cases.contains(&other_unit.as_str()), "{on_file}");
    let letters: Vec<(&str, &str, bool)> =
        on_file["authorizations"].as_array().unwrap().iter().map(|a| (a["until"].as_str().unwrap(), a["holder"].as_str().unwrap(), a["valid"].as_bool().unwrap())).collect();
    assert_eq!(letters, [("2030-06-30", "张伟", true), ("2099-12-31", "张伟", true)], "{on_file}");
    let certs = on_file["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "{on_file}");
    assert_eq!(certs[0]["case"], issued.as_str());
    let label = issued.replace('-', "");
    let (_, info) = d.c.read_json(&["--json", "key", "--module", certdesk_testkit::SOFTHSM, "info", "--token", &label]);
    assert_eq!(certs[0]["key_serial"], info["serial"], "{info}");
    assert!(certs[0]["not_after"].as_str().is_some_and(|t| !t.is_empty()) && certs[0]["serial"].as_str().is_some_and(|s| !s.is_empty()), "{on_file}");
    assert_eq!(on_file["licence_valid_until"], "长期");

    let bad = d.c.as_user("zhang", &["unit", "show", "91440101MA59ABCD1X"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("统一社会信用代码"), "{}", stderr(&bad));
}

/// #74: a handler who brought the unit's authorisation letter with an earlier case (陕西CA's
/// 法人授权委托书, its 授权期限 still ahead) is not asked for it again: the new case's line is
/// 在案 with the earlier case's number and the case submits without it; another handler is
/// asked, and a mark written into a case file is not trusted.
#[test]
fn a_returning_handlers_letter_on_file_is_not_asked_again() {
    let d = Desk::new();
    let snca = |name: &str, handler_id: &str, mark: bool| {
        case_with(&d, name, |c| {
            c["project"] = json!("snca-nmg");
            c["years"] = json!(1);
            c["handler"]["authorization_until"] = json!("2099-12-31");
            c["handler"]["id_number"] = json!(handler_id);
            c.as_object_mut().unwrap().remove("payment");
            if mark {
                c["materials"] = json!([{ "id": "authorization", "on_file": "GZ01-20200101-0001" }]);
            }
        })
    };
    let first = d.c.import_unrecorded(&snca("first.json", "440106200109094066", false));
    d.c.ok_as("zhang", &["case", "materials", &first, "--all-received"]);
    d.c.ok_as("zhang", &["case", "accept", &first]);

    let lines = |n: &str| {
        let (_, shown) = d.c.read_json(&["case", "show", n, "--json"]);
        shown["materials"].as_array().cloned().unwrap_or_default()
    };
    let take_the_rest = |n: &str| {
        for (item, copies) in [("form", "3"), ("seal_form", "1"), ("license_copy", "1"), ("legal_rep_id_copy", "1")] {
            d.c.ok_as("zhang", &["case", "materials", n, "--item", item, "--copies", copies]);
        }
        d.c.ok_as("zhang", &["case", "accept", n]);
    };
    // the same handler: 在案, and the case submits without the letter
    let again = d.c.as_user("zhang", &["case", "import", &snca("again.json", "440106200109094066", false)]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains("on file") || String::from_utf8_lossy(&again.stdout).contains("on file"), "{}", stderr(&again));
    let second = String::from_utf8_lossy(&again.stdout).trim().to_string();
    let letter = lines(&second).into_iter().find(|m| m["id"] == "authorization").expect("the letter's line");
    assert_eq!(letter["on_file"], first.as_str(), "{letter}");
    take_the_rest(&second);
    // 陕西CA's 印章采集表 collects the unit's seals: the stamped sheet before the second check (#79)
    d.c.ok_as("zhang", &["case", "seal", &second, &certdesk_testkit::fixture("seal/collection-150dpi.jpg")]);
    d.c.ok_as("zhang", &["case", "submit", &second]);

    // another handler, and a mark the file brought itself: asked for the letter
    let other = d.c.import_unrecorded(&snca("other.json", "11010519491231002X", true));
    assert!(lines(&other).iter().all(|m| m["on_file"].is_null()), "{:?}", lines(&other));
    take_the_rest(&other);
    let refused = d.c.as_user("zhang", &["case", "submit", &other, "--json"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stdout).contains("materials_missing") && String::from_utf8_lossy(&refused.stdout).contains("authorization"),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
}
