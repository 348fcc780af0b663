//! The counter's workflows end to end on real parts: a SQLite store in a temp folder, the
//! embedded catalog and forms read back with poppler's `pdftotext`, a seal sheet fixture
//! through the importer, a SoftHSM2 token with a certificate issued by an `openssl` test CA,
//! and the reports' CSV / XLSX read back (Python's zipfile + XML parser).

mod common;

use certdesk_desk::keydesk::{KeyLibrary, RequestsTo};
use certdesk_desk::rounds::CertChoice;
use certdesk_desk::{issue, report};
use certdesk_domain::workflow::Role;
use certdesk_domain::{Action, Status};
use certdesk_token::{Algo, Pin, TokenSel};
use common::Counter;
use std::path::{Path, PathBuf};
use std::process::Command;

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../..");

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join(rel)).unwrap()
}

impl Counter {
    fn new(path: &Path) -> Counter {
        Counter::with_people(path, &[("zhang", Role::Clerk), ("li", Role::Supervisor), ("wang", Role::KeyClerk)])
    }

    /// A case from the org-new fixture, accepted, with the seal sheet imported when `seal`,
    /// submitted and approved.
    fn approved_case(&mut self, seal: bool) -> String {
        let json = String::from_utf8(fixture("tests/fixtures/case-org-new.json")).unwrap();
        let catalog = self.catalog.clone();
        let n = self.desk("zhang").import_case(&catalog, &json).unwrap().number;
        self.desk("zhang").record_materials(&catalog, n.as_str(), &certdesk_desk::materials::MaterialsChange::AllReceived).unwrap();
        self.desk("zhang").act(&catalog, &n, Action::Accept, None).unwrap();
        if seal {
            self.desk("zhang").import_seal_sheet(&catalog, &n, "collection.jpg", &fixture("tests/fixtures/seal/collection-150dpi.jpg"), None).unwrap();
        }
        self.desk("zhang").act(&catalog, &n, Action::Submit, None).unwrap();
        self.desk("li").act(&catalog, &n, Action::Approve, None).unwrap();
        n
    }
}

/// The catalog with `pem` as the CA certificate `project` trusts.
fn catalog_trusting(catalog: &certdesk_catalog::Catalog, project: &str, pem: &[u8]) -> certdesk_catalog::Catalog {
    let mut tree = catalog.tree.clone();
    tree.files.insert(format!("{project}/ca/root.pem"), pem.to_vec());
    certdesk_catalog::Catalog::from_tree(tree).unwrap()
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).current_dir(dir).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn forms_print_with_the_seal_imported_for_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let forms = certdesk_forms::Forms::load(c.catalog.clone()).unwrap();
    let json = String::from_utf8(fixture("tests/fixtures/case-org-new.json")).unwrap();
    let catalog = c.catalog.clone();
    let n = c.desk("zhang").import_case(&catalog, &json).unwrap().number;

    // a file that is no image changes nothing
    let before = c.desk("admin").history(&n).unwrap().len();
    assert!(c.desk("zhang").import_seal_sheet(&catalog, &n, "junk.png", b"\x89PNG\r\n\x1a\nnot really", None).is_err());
    assert_eq!(c.desk("admin").history(&n).unwrap().len(), before);
    assert!(c.desk("admin").attachments(&n).unwrap().is_empty());
    // only a clerk imports the sheet
    let err = c.desk("li").import_seal_sheet(&catalog, &n, "collection.jpg", &fixture("tests/fixtures/seal/collection-150dpi.jpg"), None).unwrap_err();
    assert_eq!(err.kind().as_str(), "missing_role");

    let v = c.desk("zhang").import_seal_sheet(&catalog, &n, "collection.jpg", &fixture("tests/fixtures/seal/collection-150dpi.jpg"), None).unwrap();
    assert!(v.scan_url.starts_with("data:image/jpeg;base64,"));
    assert!(v.samples.len() >= 9, "{} samples", v.samples.len());
    let official = v.rows.iter().find(|r| r.kind == "official_seal").expect("an official seal row");
    assert!(!official.needs_restamp && official.best_col.is_some());
    assert!(v.stored.contains(&"seal:official_seal".to_string()), "{:?}", v.stored);
    assert!(v.samples.iter().any(|s| s.defects.contains(&"pale")), "the fixture's pale impression is named");
    assert!(v.samples.iter().filter(|s| s.best).all(|s| s.image_url.as_deref().is_some_and(|u| u.starts_with("data:image/png"))));
    let names: Vec<String> = c.desk("admin").attachments(&n).unwrap().into_iter().map(|a| a.name).collect();
    assert!(names.contains(&"seal:scan".to_string()) && names.contains(&"seal:official_seal".to_string()), "{names:?}");
    let history = c.desk("admin").history(&n).unwrap();
    let ev = history.iter().rev().find(|e| e.action == "seal_imported").unwrap();
    assert_eq!(ev.detail["file"], "collection.jpg");
    // the scan, the chosen images and the verdict: one transaction, one time
    let files: Vec<_> = history.iter().filter(|e| e.action == "attachment_added").collect();
    assert_eq!(files.len(), 1 + v.stored.len());
    assert!(files.iter().all(|f| f.at == ev.at));

    let preview = c.desk("zhang").preview_forms(&forms, &n, None).unwrap();
    assert!(!preview.forms.is_empty() && preview.sheets.len() >= preview.forms.len());
    let pdf = dir.path().join("print").join("forms.pdf");
    let rendered = c.desk("zhang").render_forms(&forms, &n, None, &pdf).unwrap();
    assert_eq!(rendered.pages(), preview.sheets.len());
    assert_eq!(rendered.pages(), preview.forms.iter().map(|f| f.pages).sum::<usize>());
    assert!(rendered.sheets.iter().all(|s| s.width > 100.0 && s.height > 100.0 && s.svg.starts_with("<svg ")));
    assert_eq!(std::fs::read(&pdf).unwrap(), rendered.pdf, "the PDF is written before the print is recorded");
    let text = run(dir.path(), "pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(text.contains("广州市示例科技有限公司"), "{text}");
    assert!(text.contains(&n) || text.contains(&n.replace('-', "")), "the case number is printed");
    let ev = c.desk("admin").history(&n).unwrap().into_iter().rev().find(|e| e.action == "forms_printed").unwrap();
    assert_eq!(ev.detail["pdf_sha256"], certdesk_domain::case::sha256_hex(&rendered.pdf));
    // a PDF that cannot be written records nothing
    let before = c.desk("admin").history(&n).unwrap().len();
    let blocked = dir.path().join("c.db").join("forms.pdf");
    assert!(c.desk("zhang").render_forms(&forms, &n, None, &blocked).is_err());
    assert_eq!(c.desk("admin").history(&n).unwrap().len(), before);
    assert!(c.desk("admin").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()).unwrap().ok);
}

struct Hsm {
    dir: tempfile::TempDir,
}

impl Hsm {
    fn new() -> Hsm {
        let dir = tempfile::tempdir().unwrap();
        let conf = certdesk_testkit::softhsm_conf(dir.path());
        // SoftHSM reads its configuration when the module is loaded, once per process: one
        // test in this file uses a token
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("SOFTHSM2_CONF", &conf)
        };
        Hsm { dir }
    }
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// A throw-away CA signs the request.
    fn issue(&self, csr_pem: &str, out: &str) -> Vec<u8> {
        self.issue_with(csr_pem, out, &["-days", "20"])
    }
    /// … with other `openssl x509` options (validity, subject).
    fn issue_with(&self, csr_pem: &str, out: &str, extra: &[&str]) -> Vec<u8> {
        let d = self.dir.path();
        if !self.p("ca.pem").exists() {
            certdesk_testkit::self_signed(d, "ca", "/C=CN/O=Test CA/CN=Test Root", 30);
        }
        std::fs::write(self.p("req.csr"), csr_pem).unwrap();
        let mut args = vec!["x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", out];
        args.extend_from_slice(extra);
        run(d, "openssl", &args);
        std::fs::read(self.p(out)).unwrap()
    }
}

/// The case reads `f` made (`certdesk_store::reads`), with its answer.
fn reads_of<T>(f: impl FnOnce() -> T) -> (T, certdesk_store::reads::CaseReads) {
    let before = certdesk_store::reads::case_reads();
    let out = f();
    (out, certdesk_store::reads::case_reads().since(before))
}

#[test]
fn a_key_is_issued_step_by_step_and_reports_count_it() {
    let hsm = Hsm::new();
    let mut c = Counter::new(&hsm.p("c.db"));
    let n = c.approved_case(true);
    let catalog = c.catalog.clone();
    let keys = KeyLibrary::open(Path::new(SOFTHSM)).unwrap();
    let (so, pin) = (Pin::new("87654321".into()), Pin::new("24681357".into()));

    let st = c.desk("admin").key_status(&catalog, &n, None).unwrap();
    assert!(st.steps.iter().all(|s| !s.done) && st.has_seal);
    assert!(st.next.unwrap().contains("initialise"));

    // a draft case gets no key, and nobody but a key clerk makes one
    let json = String::from_utf8(fixture("tests/fixtures/case-org-new.json")).unwrap();
    let draft = c.desk("zhang").import_case(&catalog, &json).unwrap().number;
    assert_eq!(c.desk("wang").keys(&keys, &catalog).init(&draft, CertChoice::Next, 0, Some("X"), &so, &pin).unwrap_err().kind().as_str(), "not_approved");
    assert_eq!(c.desk("zhang").keys(&keys, &catalog).init(&n, CertChoice::Next, 0, Some("X"), &so, &pin).unwrap_err().kind().as_str(), "missing_role");

    // #75: a key-desk step loads its case once to check before the key is touched, and once in
    // the write that records it
    let twice = certdesk_store::reads::CaseReads { cases: 2, histories: 2, file_lists: 2 };
    let (t, reads) = reads_of(|| c.desk("wang").keys(&keys, &catalog).init(&n, CertChoice::Next, 0, Some(&n), &so, &pin).unwrap());
    assert_eq!(reads, twice, "init");
    // the key desk's list (the same loaded module) shows the key initialised at once
    let listed = c.desk("wang").key_slots(Ok(&keys)).slots;
    assert!(listed.iter().any(|s| s.token.as_ref().is_some_and(|tk| tk.initialized && tk.serial == t.serial && tk.label == n)), "{listed:?}");
    let sel = TokenSel::Serial(t.serial.clone());
    let files = || issue::RequestFiles::in_dir(&hsm.p("out"), &n);
    let wrong = c.desk("wang").keys(&keys, &catalog).generate(&n, CertChoice::Next, &sel, &Pin::new("00000000".into()), Algo::EcP256, RequestsTo::Files(files())).unwrap_err();
    assert_eq!(wrong.kind().as_str(), "pin_incorrect");
    let (g, reads) = reads_of(|| c.desk("wang").keys(&keys, &catalog).generate(&n, CertChoice::Next, &sel, &pin, Algo::EcP256, RequestsTo::Files(files())).unwrap());
    assert_eq!(reads, twice, "generate");
    let package: serde_json::Value = serde_json::from_slice(&std::fs::read(&g.package_path).unwrap()).unwrap();
    assert_eq!(package["case"]["number"], n.as_str());
    assert_eq!(package["key"]["public_key_sha256"], g.public_key_sha256.as_str());
    assert_eq!(c.desk("admin").key_status(&catalog, &n, None).unwrap().token_serial.as_deref(), Some(t.serial.as_str()));

    // writing before the certificate was imported is refused
    assert!(matches!(c.desk("wang").keys(&keys, &catalog).write_cert(&n, CertChoice::Next, &sel, &pin), Err(certdesk_desk::DeskError::KeyStepOutOfOrder { .. })));
    // a certificate for another key is refused and not kept
    let foreign_csr =
        run(hsm.dir.path(), "openssl", &["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key", "-subj", "/CN=other"]);
    let foreign = hsm.issue(&foreign_csr, "foreign.pem");
    let err = c.desk("wang").import_cert(&catalog, &n, &foreign).unwrap_err();
    assert_eq!(err.kind().as_str(), "cert_mismatch");
    assert!(matches!(&err, certdesk_desk::DeskError::CertMismatch { refusal, .. } if matches!(**refusal, issue::CertRefusal::NotThisCasesKey { other_case: None })), "{err:?}");
    assert_eq!(err.zh_detail().as_deref(), Some("该证书的公钥不是为本案件的证书生成的密钥"));
    assert!(c.desk("admin").attachment(&n, issue::CERTIFICATE_ATTACHMENT).is_err());

    // the right key, but issued to someone else, or no longer valid: refused, not kept
    let other = hsm.issue_with(&g.csr_pem, "other-subject.pem", &["-days", "20", "-subj", "/CN=Other Co Ltd"]);
    let err = c.desk("wang").import_cert(&catalog, &n, &other).unwrap_err();
    assert_eq!(err.kind().as_str(), "cert_mismatch");
    assert!(err.to_string().contains("CN=Other Co Ltd") && err.to_string().contains("广州市示例科技有限公司"), "{err}");
    let said = err.zh_detail().unwrap();
    assert!(said.starts_with("证书签发给 CN=Other Co Ltd，而第 1 张证书属于 广州市示例科技有限公司"), "{said}");
    let stale = hsm.issue_with(&g.csr_pem, "stale.pem", &["-days", "0"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let err = c.desk("wang").import_cert(&catalog, &n, &stale).unwrap_err();
    assert!(err.to_string().contains("not now"), "{err}");
    assert!(err.zh_detail().unwrap().contains("当前不在有效期内"), "{err:?}");
    assert!(c.desk("admin").attachment(&n, issue::CERTIFICATE_ATTACHMENT).is_err());

    let cert = hsm.issue(&g.csr_pem, "issued.pem");
    assert_eq!(c.desk("admin").case_of_cert(&cert).unwrap(), n);
    // the project trusts another CA: refused, not kept
    certdesk_testkit::self_signed(hsm.dir.path(), "elsewhere", "/CN=Elsewhere Root", 30);
    let elsewhere = std::fs::read(hsm.p("elsewhere.pem")).unwrap();
    let project = c.desk("admin").case(&n).unwrap().data.project.clone();
    let trusts_elsewhere = catalog_trusting(&c.catalog, &project, &elsewhere);
    let err = c.desk("wang").import_cert(&trusts_elsewhere, &n, &cert).unwrap_err();
    assert_eq!(err.kind().as_str(), "cert_mismatch");
    assert!(err.to_string().contains("issuer chain") && err.to_string().contains("Test Root"), "{err}");
    let said = err.zh_detail().unwrap();
    assert!(said.starts_with("证书链无法验证：") && said.contains("Test Root"), "{said}");
    assert!(c.desk("admin").attachment(&n, issue::CERTIFICATE_ATTACHMENT).is_err());
    // the project configures no CA: accepted, and said so
    let unchecked = c.desk("wang").import_cert(&catalog, &n, &cert).unwrap();
    assert!(!unchecked.issuer_trusted);
    // the project's CA configured: the chain ends there; an unrelated certificate sent along is
    // neither kept nor written
    let trusts_ours = catalog_trusting(&c.catalog, &project, &std::fs::read(hsm.p("ca.pem")).unwrap());
    let sent = [cert.clone(), elsewhere.clone()].concat();
    let (imported, reads) = reads_of(|| c.desk("wang").import_cert(&trusts_ours, &n, &sent).unwrap());
    assert_eq!(reads, twice, "import_cert");
    assert!(imported.issuer_trusted);
    assert_eq!(imported.left_out, ["CN=Elsewhere Root"]);
    assert!(imported.subject.contains("广州市示例科技有限公司"), "{}", imported.subject);
    let (_, kept) = c.desk("admin").attachment(&n, issue::CERTIFICATE_ATTACHMENT).unwrap();
    let kept = certdesk_token::cert::parse_many(&kept).unwrap();
    assert_eq!(kept.iter().map(|k| k.subject.as_str()).collect::<Vec<_>>()[1..], ["CN=Test Root,O=Test CA,C=CN"]);
    let (w, reads) = reads_of(|| c.desk("wang").keys(&keys, &catalog).write_cert(&n, CertChoice::Next, &sel, &pin).unwrap());
    assert_eq!(reads, twice, "write_cert");
    assert_eq!(w.serial_hex, imported.serial_hex);
    assert_eq!(c.desk("admin").case(&n).unwrap().status, Status::KeyIssued);
    // the same step again (a retry) is not a second key in the ledger
    c.desk("wang").keys(&keys, &catalog).write_cert(&n, CertChoice::Next, &sel, &pin).unwrap();
    // a second key for the case needs a supervisor's reissue with a reason
    assert_eq!(c.desk("wang").keys(&keys, &catalog).init(&n, CertChoice::Next, 1, Some("second"), &so, &pin).unwrap_err().kind().as_str(), "reissue_needed");
    let (sw, reads) = reads_of(|| c.desk("wang").keys(&keys, &catalog).write_seal(&n, CertChoice::Next, &sel, &pin).unwrap());
    let each = 1 + sw.images.len() as u32;
    assert_eq!(reads, certdesk_store::reads::CaseReads { cases: each, histories: each, file_lists: each }, "write_seal: its check, then a write per image");
    let (st, reads) = reads_of(|| c.desk("admin").key_status(&catalog, &n, None).unwrap());
    assert_eq!((st.next, reads.cases), (None, 1), "key status is one load");
    assert_eq!(sw.name, "seal:official_seal");
    let contents = c.desk("wang").keys(&keys, &catalog).show(&sel, Some(&pin)).unwrap();
    assert!(contents.certificates.iter().any(|c| c.serial_hex == w.serial_hex && c.has_key));
    assert!(contents.certificates.iter().any(|c| c.subject.contains("Test Root")), "the CA's certificate is on the key");
    assert!(!contents.certificates.iter().any(|c| c.subject.contains("Elsewhere")), "what does not chain stays off the key");
    // every seal image the sheet gave (机构印章, 法人印章, 签字) is its own data object, read back
    let chosen: std::collections::BTreeSet<String> =
        c.desk("admin").attachments(&n).unwrap().into_iter().filter(|a| a.name.starts_with("seal:") && a.name != "seal:scan" && a.mime == "image/png").map(|a| a.name).collect();
    assert!(chosen.len() >= 3, "{chosen:?}");
    assert_eq!(sw.images.iter().map(|i| i.name.clone()).collect::<std::collections::BTreeSet<_>>(), chosen);
    assert_eq!(sw.images[0].label, "certdesk-seal-image", "the official seal keeps the label readers know");
    let labels: std::collections::BTreeSet<&str> = sw.images.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels.len(), sw.images.len(), "one data object per image");
    for i in &sw.images {
        assert!(contents.data.iter().any(|d| d.label == i.label && d.size == i.size && d.sha256 == i.sha256), "{} not on the key: {:?}", i.label, contents.data);
    }
    let data = Command::new("pkcs11-tool").args(["--module", SOFTHSM, "--token-label", &n, "--list-objects", "--type", "data"]).output().unwrap();
    let data = String::from_utf8_lossy(&data.stdout);
    for i in &sw.images {
        assert!(data.contains(&format!("label:       {}", i.label)) || data.contains(&i.label), "{data}");
    }
    assert_eq!(c.desk("admin").history(&n).unwrap().iter().filter(|e| e.action == "seal_written").count(), sw.images.len());
    // cross-check with OpenSC: the certificate is on the token
    let listed = Command::new("pkcs11-tool").args(["--module", SOFTHSM, "--token-label", &n, "--list-objects", "--type", "cert"]).output().unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Certificate Object"), "{}", String::from_utf8_lossy(&listed.stdout));
    let st = c.desk("admin").key_status(&catalog, &n, None).unwrap();
    assert!(st.steps.iter().all(|s| s.done), "{:?}", st.steps);
    assert_eq!(st.next, None);
    c.desk("wang").act(&catalog, &n, Action::Deliver, None).unwrap();
    assert!(c.desk("admin").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()).unwrap().ok);
    // no PIN anywhere in the database file
    let db = std::fs::read(hsm.p("c.db")).unwrap();
    for secret in ["87654321", "24681357"] {
        assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()), "a PIN reached the store");
    }

    // the day's ledger and the expiring list see it
    let today = chrono::Local::now().date_naive();
    let ledger = c.desk("admin").daily(today).unwrap();
    assert_eq!(ledger.cases, 2);
    assert_eq!(ledger.keys_issued, 1);
    assert_eq!(ledger.delivered, 1);
    assert_eq!(ledger.by_business.iter().map(|r| r.cases).sum::<usize>(), 2);
    assert_eq!(ledger.total.to_string(), "1400.00", "two cases of 700.00");
    // one certificate each; this one written
    assert_eq!((ledger.certificates, ledger.certificates_written, ledger.certificates_withdrawn), (2, 1, 0));
    let row = ledger.by_case.iter().find(|r| r.case == n).unwrap();
    assert_eq!((row.certs, row.written, row.amount.to_string().as_str(), row.applicant.as_str()), (1, 1, "700.00", "广州市示例科技有限公司"));
    let none = c.desk("admin").daily(today.pred_opt().unwrap()).unwrap();
    assert_eq!(none.cases, 0);
    let soon = c.desk("admin").expiring(30).unwrap();
    assert_eq!(soon.len(), 1, "the 20-day certificate expires within 30 days");
    assert_eq!(soon[0].case, n);
    assert_eq!(soon[0].mobile.as_deref(), Some("138****8000"), "masked in a list: the full number is on the case page");
    assert!((18..=20).contains(&soon[0].days_left), "{}", soon[0].days_left);
    assert_eq!((soon[0].cert, soon[0].holder.as_str()), (1, "广州市示例科技有限公司"), "the organisation's one certificate");
    assert!(c.desk("admin").expiring(10).unwrap().is_empty());

    let csv = String::from_utf8(report::to_csv(&report::expiring_table(&soon, 30))).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains(&n) && csv.contains("138****8000") && !csv.contains("13800138000"), "the export is masked too");
    let xlsx = certdesk_desk::xlsx::workbook(&[report::daily_table(&ledger), report::expiring_table(&soon, 30)]);
    let path = hsm.p("report.xlsx");
    std::fs::write(&path, &xlsx).unwrap();
    let check = r#"
import sys, zipfile, xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
wb = ET.fromstring(z.read('xl/workbook.xml'))
print('|'.join(s.get('name') for s in wb.find('m:sheets', ns)))
for i in (1, 2):
    sheet = ET.fromstring(z.read(f'xl/worksheets/sheet{i}.xml'))
    for c in sheet.iter('{%s}c' % ns['m']):
        t = c.find('m:is/m:t', ns); v = c.find('m:v', ns)
        print(c.get('r'), (t.text if t is not None else 'N:' + v.text))
"#;
    let out = run(hsm.dir.path(), "python3", &["-c", check, path.to_str().unwrap()]);
    assert!(out.starts_with("受理日报"), "{out}");
    assert!(out.contains("30天内到期的证书"), "{out}");
    assert!(out.contains("A1 分类"), "{out}");
    assert!(out.contains(&format!("A2 {n}")), "{out}");
    assert!(out.contains("D2 138****8000"), "the mobile stays text, masked: {out}");
    assert!(out.lines().any(|l| l.ends_with("N:1400.00")), "the total is a number: {out}");

    // #75: a supervisor's reissue loads the case once, in its write (refused here: the key was
    // handed over)
    let before = certdesk_store::reads::case_reads();
    assert_eq!(c.desk("li").reissue(&n, "密钥损坏", None).unwrap_err().kind().as_str(), "not_approved");
    assert_eq!(certdesk_store::reads::case_reads().since(before), certdesk_store::reads::CaseReads { cases: 1, histories: 1, file_lists: 1 });
}

/// Seed-less counter practice the issue asks for: required materials not handed in stop the
/// submission unless the applicant's promise (后补说明) is recorded, and the supervisor approves
/// such a case only by accepting the promises; both land on the audit chain. The receipt shows
/// the promises, the clerk's 姓名, where a transfer goes and the invoice; the ledger lists it.
#[test]
fn materials_to_follow_are_promised_at_submission_and_accepted_at_approval() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let catalog = c.catalog.clone();
    let forms = certdesk_forms::Forms::load(catalog.clone()).unwrap();
    let mut case: serde_json::Value = serde_json::from_slice(&fixture("tests/fixtures/case-org-new.json")).unwrap();
    let project = catalog.project(case["project"].as_str().unwrap()).unwrap();
    let checklist = project.checklist(certdesk_domain::BusinessType::New, certdesk_domain::CertKind::Organization);
    let required: Vec<_> = checklist.iter().filter(|i| !i.optional).collect();
    assert!(required.len() >= 2, "{checklist:?}");
    // everything received but the last required item
    let (last, rest) = required.split_last().unwrap();
    let received = |i: &certdesk_catalog::MaterialItem| serde_json::json!({ "id": i.id, "original_seen": true, "copies_received": i.copies });
    case["materials"] = rest.iter().map(|i| received(i)).collect();
    case["invoice"] = serde_json::json!({ "type": "special", "title": case["organization"]["name"], "taxpayer_id": case["organization"]["uscc"] });
    let n = c.desk("zhang").import_case(&catalog, &case.to_string()).unwrap().number;
    c.desk("zhang").act(&catalog, &n, Action::Accept, None).unwrap();
    let before = c.desk("admin").history(&n).unwrap().len();
    let err = c.desk("zhang").act(&catalog, &n, Action::Submit, None).unwrap_err();
    assert_eq!(err.kind().as_str(), "materials_missing");
    assert!(err.to_string().contains("材料未收齐") && err.to_string().contains(&last.id), "{err}");
    assert_eq!(c.desk("admin").case(&n).unwrap().status, Status::Accepted, "nothing moved");
    assert_eq!(c.desk("admin").history(&n).unwrap().len(), before, "nothing recorded");

    // the promise recorded: submitted, and the event says what is to follow
    let mut promised = rest.iter().map(|i| received(i)).collect::<Vec<_>>();
    promised.push(serde_json::json!({ "id": last.id, "original_seen": false, "copies_received": 0, "to_follow": "下周一前补交" }));
    case["materials"] = promised.into();
    c.desk("zhang").edit_case(&catalog, &n, &case.to_string()).unwrap();
    c.desk("zhang").act(&catalog, &n, Action::Submit, None).unwrap();
    let submitted = c.desk("admin").history(&n).unwrap().into_iter().rev().find(|e| e.action == "submit").unwrap();
    assert_eq!(submitted.detail["to_follow"], serde_json::json!([format!("{}: 下周一前补交", last.id)]));
    // the supervisor sees it, and approves only by accepting it
    let view = c.desk("li").case_view(&catalog, &n).unwrap();
    assert!(view.materials.recorded);
    assert_eq!(view.materials.missing.len(), 1);
    assert_eq!(view.materials.missing[0].to_follow.as_deref(), Some("下周一前补交"));
    let err = c.desk("li").act(&catalog, &n, Action::Approve, None).unwrap_err();
    assert!(err.to_string().contains("材料后补") && err.to_string().contains("--accept-to-follow"), "{err}");
    assert_eq!(c.desk("admin").case(&n).unwrap().status, Status::Submitted);
    c.desk("li").act_accepting(&catalog, &n, Action::Approve, None, true).unwrap();
    let approved = c.desk("admin").history(&n).unwrap().into_iter().rev().find(|e| e.action == "approve").unwrap();
    assert_eq!(approved.detail["to_follow"], submitted.detail["to_follow"]);
    assert_eq!(c.desk("admin").case(&n).unwrap().status, Status::Approved);

    // the receipt: the clerk's 姓名 (not the login), the promise, where the transfer goes, the invoice
    c.desk("admin").set_display_name("zhang", "张晓燕").unwrap();
    assert_eq!(c.desk("zhang").set_display_name("li", "李四").unwrap_err().kind().as_str(), "admin_only", "only for oneself");
    let pdf = dir.path().join("receipt.pdf");
    c.desk("zhang").render_forms(&forms, &n, Some("receipt"), &pdf).unwrap();
    let text = run(dir.path(), "pdftotext", &[pdf.to_str().unwrap(), "-"]);
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains("受理员：张晓燕"), "{text}");
    assert!(flat.contains("后补：下周一前补交"), "{text}");
    let bank = project.bank.as_ref().expect("the project's bank");
    assert!(flat.contains(&bank.account.split_whitespace().collect::<String>()), "{text}");
    assert!(flat.contains("增值税专用发票") && flat.contains(case["organization"]["uscc"].as_str().unwrap()), "{text}");

    // the day's ledger lists the invoice, and the clerk by name
    let ledger = c.desk("admin").daily(chrono::Local::now().date_naive()).unwrap();
    assert_eq!(ledger.invoices.len(), 1);
    assert_eq!(ledger.invoices[0].kind, "special");
    assert!(ledger.by_clerk.iter().any(|r| r.key == "张晓燕"), "{:?}", ledger.by_clerk);
    let csv = String::from_utf8(report::to_csv(&report::daily_table(&ledger))).unwrap();
    assert!(csv.contains("发票") && csv.contains(case["organization"]["name"].as_str().unwrap()), "{csv}");
    assert!(c.desk("admin").verify_audit(&certdesk_desk::operator_ca::OperatorCa::default()).unwrap().ok);
}

/// #72: a person read off the ID card keeps `source: "chip"` only when this session's reader
/// read that number (or the case already held it as read); any other claim is dropped with a
/// warning, so the supervisor's mark can be trusted.
#[test]
fn the_chip_mark_is_kept_only_for_a_number_this_desk_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let catalog = c.catalog.clone();
    let mut case: serde_json::Value = serde_json::from_slice(&fixture("tests/fixtures/case-employees-new.json")).unwrap();
    for e in case["employees"].as_array_mut().unwrap() {
        e["source"] = "chip".into();
    }
    case["handler"]["source"] = "chip".into();
    let first_id = case["employees"][0]["id_number"].as_str().unwrap().to_string();
    // a claim in a file: no card was read here, every mark dropped and said
    let saved = c.desk("zhang").import_case(&catalog, &case.to_string()).unwrap();
    let dropped: Vec<&str> = saved.warnings.iter().filter(|w| w.path.ends_with(".source")).map(|w| w.path.as_str()).collect();
    assert_eq!(dropped, ["handler.source", "employees[0].source", "employees[1].source"], "{:?}", saved.warnings);
    assert!(saved.warnings.iter().all(|w| !w.path.ends_with(".source") || w.message_zh == "该证件号码未经本机读卡，已去除“读卡”标记"));
    let n = saved.number;
    let stored = |c: &mut Counter| c.desk("zhang").case(&n).unwrap().data;
    assert!(stored(&mut c).employees.iter().all(|e| e.source.is_none()));
    // the first employee's card read at this desk (its number as the chip gives it): kept
    c.desk("zhang").note_chip_read(&format!(" {} ", first_id.to_lowercase()));
    let saved = c.desk("zhang").edit_case(&catalog, &n, &case.to_string()).unwrap();
    // the handler is the first employee in this file: the same card vouches for both
    let dropped: Vec<&str> = saved.warnings.iter().filter(|w| w.path.ends_with(".source")).map(|w| w.path.as_str()).collect();
    assert_eq!(dropped, ["employees[1].source"], "{:?}", saved.warnings);
    let data = stored(&mut c);
    assert_eq!(data.employees.iter().map(|e| e.source).collect::<Vec<_>>(), [Some(certdesk_domain::IdSource::Chip), None]);
    // another session (the supervisor's correction round) keeps what the case held as read
    let other = certdesk_desk::api::Session::sign_in(&mut c.store, "zhang", &common::pw("zhang")).unwrap();
    c.sessions.insert("zhang", other);
    let saved = c.desk("zhang").edit_case(&catalog, &n, &case.to_string()).unwrap();
    assert_eq!(stored(&mut c).employees[0].source, Some(certdesk_domain::IdSource::Chip), "{:?}", saved.warnings);
    // #73: a case by post is taken without the applicant, so no card of its people was at the
    // desk, even one this session's reader read: the marks are dropped, the copies are checked
    let mut posted = case.clone();
    posted["channel"] = "post".into();
    posted["arrival"] = serde_json::json!({ "date": "2025-10-08", "courier": "顺丰速运", "waybill": "SF1402334455" });
    let saved = c.desk("zhang").import_case(&catalog, &posted.to_string()).unwrap();
    let dropped: Vec<&str> = saved.warnings.iter().filter(|w| w.path.ends_with(".source")).map(|w| w.message_zh.as_str()).collect();
    assert_eq!(dropped, ["邮寄案件申请人不到场，身份以证件复印件核对，已去除“读卡”标记"; 3], "{:?}", saved.warnings);
    let posted_case = c.desk("zhang").case(&saved.number).unwrap().data;
    assert!(posted_case.handler.source.is_none() && posted_case.employees.iter().all(|e| e.source.is_none()));
}

#[test]
fn the_legal_representatives_signature_row_goes_to_the_unit_and_a_holders_row_to_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let catalog = c.catalog.clone();
    // 辽宁's 电子印章申请表 (3/8): 公章, 法人章, 法人签字, 使用人签字, a row of boxes each
    let ln = catalog.projects.get("netca-ln-procurement").unwrap();
    let rows: Vec<Vec<String>> = certdesk_forms::seal_boxes(&catalog.tree, ln)
        .into_iter()
        .map(|mut r| {
            r.dedup();
            r
        })
        .collect();
    assert_eq!(rows, [["official_seal"], ["legal_rep_seal"], ["legal_rep_signature"], ["signature"]]);
    let mut case: serde_json::Value = serde_json::from_slice(&fixture("tests/fixtures/case-employees-new.json")).unwrap();
    case["project"] = "netca-ln-procurement".into();
    case["handler"]["authorization_until"] = "2099-12-31".into();
    case.as_object_mut().unwrap().remove("payment");
    let n = c.desk("zhang").import_case(&catalog, &case.to_string()).unwrap().number;
    // a sheet of those four rows, the third signed by the legal representative
    let v = c.desk("zhang").import_seal_sheet(&catalog, &n, "sheet.jpg", &fixture("tests/fixtures/seal/application-150dpi-yellow.jpg"), None).unwrap();
    let kinds: Vec<&str> = v.rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["official_seal", "legal_rep_seal", "legal_rep_signature", "signature"], "{:?}", v.rows);
    // the yellow paper leaves every impression in doubt: the clerk takes the two signatures
    assert!(v.stored.is_empty(), "{:?}", v.stored);
    c.desk("zhang").accept_seal_sample(&n, 2, 0, Some("黄色纸张".into())).unwrap();
    let v = c.desk("zhang").accept_seal_sample(&n, 3, 0, Some("黄色纸张".into())).unwrap();
    assert_eq!(v.stored, ["seal:legal_rep_signature", "seal:signature"], "{:?}", v.stored);
    let names: Vec<String> = v.stored.iter().filter(|n| *n != "seal:scan").cloned().collect();
    // the first holder's key gets the holders' row, never the legal representative's signature
    assert_eq!(issue::seal_images_for(certdesk_domain::CertKind::Employee, 1, &names, true), ["seal:signature"]);
    assert_eq!(issue::seal_images_for(certdesk_domain::CertKind::Employee, 2, &names, true), Vec::<String>::new());
    // the unit's key: the unit's seals and its legal representative's signature
    assert!(issue::seal_images_for(certdesk_domain::CertKind::Organization, 1, &names, true).contains(&"seal:legal_rep_signature".to_string()));

    // a sheet of other rows than the project's (the generic collection fixture): the importer's reading stands
    let n2 = c.desk("zhang").import_case(&catalog, &case.to_string()).unwrap().number;
    let v = c.desk("zhang").import_seal_sheet(&catalog, &n2, "collection.jpg", &fixture("tests/fixtures/seal/collection-150dpi.jpg"), None).unwrap();
    let kinds: Vec<&str> = v.rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["official_seal", "signature", "legal_rep_seal"], "{:?}", v.rows);
}

/// #74: CFCA's 签章采集表 is one printed row 企业公章 | 法人方章 | 法人签字. A scan of it is read box
/// by box as printed: the 公章, the 法人章 and the legal representative's signature each kept
/// under its own name (before, the row was one kind and the signature box read as an empty
/// seal box), each named by what it is for on the screen; the unit's key gets the 公章 alone
/// unless the unit chose otherwise. A doubted box is accepted under its own name.
#[test]
fn cfcas_one_row_of_three_different_boxes_is_read_box_by_box() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let catalog = c.catalog.clone();
    assert_eq!(certdesk_forms::seal_boxes(&catalog.tree, &catalog.projects["cfca-xs"]), [["official_seal", "legal_rep_seal", "legal_rep_signature"]]);
    let mut case: serde_json::Value = serde_json::from_slice(&fixture("tests/fixtures/case-org-new.json")).unwrap();
    case["project"] = "cfca-xs".into();
    case["years"] = 1.into();
    case.as_object_mut().unwrap().remove("payment");
    let n = c.desk("zhang").import_case(&catalog, &case.to_string()).unwrap().number;
    let v = c.desk("zhang").import_seal_sheet(&catalog, &n, "cfca.jpg", &fixture("tests/fixtures/seal/cfca-application-200dpi.jpg"), None).unwrap();
    let rows: Vec<(&str, bool, Option<usize>)> = v.rows.iter().map(|r| (r.kind.as_str(), r.single_box, r.best_col)).collect();
    assert_eq!(rows, [("official_seal", true, Some(0)), ("legal_rep_seal", true, Some(0)), ("legal_rep_signature", true, Some(0))], "{:?}", v.samples);
    assert_eq!(v.stored, ["seal:official_seal", "seal:legal_rep_seal", "seal:legal_rep_signature"]);
    let kinds: Vec<&str> = v.samples.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["official_seal", "legal_rep_seal", "legal_rep_signature"]);
    // the chain says how the sheet was read, so it is judged again the same way
    let history = c.desk("zhang").history(&n).unwrap();
    let sheet = history.iter().rev().find(|e| e.action == certdesk_store::AuditAction::SealImported).unwrap();
    assert_eq!(sheet.detail["printed_rows"], serde_json::json!([["official_seal", "legal_rep_seal", "legal_rep_signature"]]));
    // CFCA keeps the 法人章 and 法人签字 off the unit's key unless the unit chose otherwise
    assert_eq!(issue::seal_images_for(certdesk_domain::CertKind::Organization, 1, &v.stored, false), ["seal:official_seal"]);
    assert_eq!(issue::seal_images_for(certdesk_domain::CertKind::Organization, 1, &v.stored, true), v.stored);
    // a box the clerk accepts after a doubt keeps its own name: re-judged as recorded
    let refused = c.desk("zhang").accept_seal_sample(&n, 2, 0, None).unwrap_err();
    assert!(matches!(refused, certdesk_desk::DeskError::SealSampleNotDoubted { row: 2, col: 0, .. }), "{refused:?}");
}

/// What a window does with a refused call (#75): the session ends only when the account itself
/// may no longer act, never for what the call asked of another account.
#[test]
fn a_refused_call_ends_the_session_only_when_the_account_may_no_longer_act() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::with_people(&dir.path().join("cases.db"), &[("zhang", Role::Clerk), ("li", Role::Supervisor)]);
    /// `who`'s call refused: its kind, and whether the window's session ends with it.
    fn refused_of(c: &mut Counter, who: &'static str, call: &dyn Fn(&mut certdesk_desk::api::Desk<'_>) -> Result<(), certdesk_desk::DeskError>) -> (String, bool) {
        let mut session = c.sessions.remove(who).unwrap();
        let refusal = session.desk(&mut c.store).and_then(|mut desk| call(&mut desk)).unwrap_err();
        let ends = session.ends_after(&mut c.store, &refusal);
        c.sessions.insert(who, session);
        (refusal.kind().as_str(), ends)
    }
    // the administrator's own mistakes about other accounts: refused, still signed in
    assert_eq!(refused_of(&mut c, "admin", &|d| d.add_account("bad name!", &[Role::Clerk], &common::pw("x")).map(drop)), ("account_name_invalid".to_string(), false));
    assert_eq!(refused_of(&mut c, "admin", &|d| d.add_account("zhang", &[Role::Clerk], &common::pw("zhang")).map(drop)), ("account_exists".to_string(), false));
    assert!(!refused_of(&mut c, "admin", &|d| d.disable_account("admin").map(drop)).1, "disabling oneself is refused, not a sign-out");
    c.desk("admin").counter().unwrap();
    c.desk("admin").disable_account("li").unwrap();
    // a wrong current password once: refused, still signed in; the clerk goes on working
    assert_eq!(refused_of(&mut c, "zhang", &|d| d.change_own_password(&common::pw("nope"), &common::pw("zhang-2")).map(drop)), ("wrong_password".to_string(), false));
    c.desk("zhang").counter().unwrap();
    // the account disabled meanwhile (li above): its next call ends its session
    assert_eq!(refused_of(&mut c, "li", &|d| d.counter().map(drop)), ("account_disabled".to_string(), true));
}

/// #75: a workflow move loads its case, its chain and its files once, in the transaction that
/// writes, and decides there (the state machine, the roles and four-eyes, the checklist, the
/// money, the seal samples); a refused move reads no more than that either.
#[test]
fn a_workflow_move_reads_its_case_once() {
    use certdesk_store::reads::{CaseReads, case_reads};
    let dir = tempfile::tempdir().unwrap();
    let mut c = Counter::new(&dir.path().join("c.db"));
    let catalog = c.catalog.clone();
    let json = String::from_utf8(fixture("tests/fixtures/case-org-new.json")).unwrap();
    let n = c.desk("zhang").import_case(&catalog, &json).unwrap().number;
    c.desk("zhang").record_materials(&catalog, n.as_str(), &certdesk_desk::materials::MaterialsChange::AllReceived).unwrap();
    let once = CaseReads { cases: 1, histories: 1, file_lists: 1 };
    let moves = [
        ("zhang", Action::Accept, None),
        ("zhang", Action::Submit, None),
        ("li", Action::Return, Some("营业执照复印件不清晰")),
        ("zhang", Action::Submit, None),
        ("li", Action::Approve, None),
    ];
    for (who, action, reason) in moves {
        let mut desk = c.desk(who);
        let before = case_reads();
        desk.act(&catalog, &n, action, reason).unwrap_or_else(|e| panic!("{action:?}: {e}"));
        assert_eq!(case_reads().since(before), once, "{action:?} by {who}");
    }
    assert_eq!(c.desk("admin").case(&n).unwrap().status, Status::Approved);
    let mut desk = c.desk("zhang");
    let before = case_reads();
    assert_eq!(desk.act(&catalog, &n, Action::Approve, None).unwrap_err().kind().as_str(), "transition");
    assert_eq!(case_reads().since(before), once, "a refusal");
    drop(desk);
    let desk = c.desk("li");
    let before = case_reads();
    let view = desk.case_view(&catalog, &n).unwrap();
    assert_eq!((view.steps.next.as_deref(), case_reads().since(before)), (Some("key_init"), once), "the case page is one read");
    drop(desk);
    let mut desk = c.desk("li");
    for (what, act) in [("hold", true), ("release", false)] {
        let before = case_reads();
        if act { desk.hold(&n, "法院调取材料") } else { desk.release_hold(&n) }.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(case_reads().since(before), once, "{what}");
    }
    drop(desk);

    // a step of the plan: decided on the one load of its write; the plan it answers is read after
    let n = c.desk("zhang").import_case(&catalog, &json).unwrap().number;
    let mut desk = c.desk("zhang");
    let before = case_reads();
    let plan = desk.case_steps(&catalog, &n).unwrap();
    assert_eq!((plan.next.as_deref(), case_reads().since(before)), (Some("accept"), once), "the plan is one read");
    let before = case_reads();
    assert_eq!(desk.complete_step(&catalog, &n, "submit", &Default::default()).unwrap_err().kind().as_str(), "not_next_step");
    assert_eq!(case_reads().since(before), once, "a step refused");
    let before = case_reads();
    let plan = desk.complete_step(&catalog, &n, "accept", &Default::default()).unwrap();
    assert_eq!(plan.next.as_deref(), Some("submit"));
    assert_eq!(case_reads().since(before), CaseReads { cases: 2, histories: 2, file_lists: 2 }, "the step's write and the plan it answers");
}
