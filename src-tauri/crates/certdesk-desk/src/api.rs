//! The application API: the one front door of certdesk. A [`Session`] is opened for an account
//! whose password was checked (or for the first administrator of an empty store); each call
//! opens a [`Desk`] from it, which re-reads the account (disabled, locked, roles now, idle
//! time) before anything else. Every use case is one method of the desk: it authorizes through
//! `certdesk_domain::workflow` (inside the store's write transaction where it changes a case)
//! and records its audit event with the change. The CLI and the Tauri shell only parse, call
//! and print or serialize: no role check, no SQL, no audit write of their own.
//!
//! What the desk does not own: the layout of forms (`certdesk-forms`), the seal importer
//! (`certdesk-seal`), tokens (`certdesk-token`); the key steps, printing and the seal sheet are
//! in `issue`, `print` and `seal`, which take a desk.

use crate::DeskError;
use certdesk_catalog::Catalog;
use certdesk_domain::workflow::{self, Actor, CaseCapabilities, Role};
use certdesk_domain::{Action, CaseData, CaseNumber, FieldProblem, Severity};
use certdesk_store::{Account, ActError, AttachmentInfo, AuditEvent, AuthError, CaseRecord, CaseSummary, Password, Store};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long an app window stays signed in without being used, unless the `idle_minutes`
/// setting says otherwise.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(15 * 60);

/// The largest case JSON accepted, before it is parsed.
pub const MAX_CASE_JSON: usize = 1 << 20;

/// A signed-in account. Holds no password and no roles: both are checked again on every call.
#[derive(Debug, Clone)]
pub struct Session {
    name: String,
    last_used: Instant,
    idle: Option<Duration>,
}

impl Session {
    /// Checks the password (counted and locked by the store) and opens a session.
    pub fn sign_in(store: &mut Store, name: &str, password: &Password) -> Result<Session, DeskError> {
        let actor = store.authenticate(name, password)?;
        Ok(Session { name: actor.name, last_used: Instant::now(), idle: None })
    }

    /// The first administrator of an empty store, with the counter's code and name: the one
    /// change made without a signed-in account. Refused once any account exists.
    pub fn first_admin(store: &mut Store, name: &str, password: &Password, counter_code: &str, counter_name: &str) -> Result<Session, DeskError> {
        if store.account_count()? > 0 {
            return Err(DeskError::Auth(AuthError::Refused("the administrator exists already: sign in".into())));
        }
        let code = counter_code.trim().to_ascii_uppercase();
        certdesk_domain::number::check_counter_code(&code).map_err(|e| DeskError::Invalid(format!("counter code {code:?}: {e}")))?;
        store.add_account(name, &[Role::Admin], password, None)?;
        let mut session = Session::sign_in(store, name, password)?;
        let mut desk = session.desk(store)?;
        desk.set_setting("counter_code", &code)?;
        if !counter_name.trim().is_empty() {
            desk.set_setting("counter_name", counter_name.trim())?;
        }
        Ok(session)
    }

    /// Signs the session out by itself after `idle` without a call (the app's windows).
    pub fn with_idle_timeout(mut self, idle: Duration) -> Session {
        self.idle = Some(idle);
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The desk for one call: the account as it is now. An idle session is over.
    pub fn desk<'a>(&mut self, store: &'a mut Store) -> Result<Desk<'a>, DeskError> {
        if let Some(idle) = self.idle
            && self.last_used.elapsed() > idle
        {
            return Err(DeskError::SessionExpired { minutes: idle.as_secs().div_ceil(60) });
        }
        let actor = store.signed_in_actor(&self.name)?;
        self.last_used = Instant::now();
        Ok(Desk { store, actor })
    }
}

/// One call's view of the store as the signed-in account: every use case is a method.
pub struct Desk<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) actor: Actor,
}

/// A case just stored: its number and the warnings of its data.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Saved {
    pub number: String,
    pub status: String,
    pub digest: String,
    pub warnings: Vec<FieldProblem>,
}

/// A case as a desk shows it: its data (case JSON with store fields), its history, its files,
/// and what this account may do to it now.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CaseView {
    #[ts(type = "JsonValue")]
    pub case: serde_json::Value,
    pub history: Vec<AuditEvent>,
    pub attachments: Vec<AttachmentInfo>,
    pub can: CaseCapabilities,
    /// The case's way to 归档: its steps, done or not, and the next one.
    pub steps: crate::steps::CaseSteps,
    /// The checklist items not handed in, with what the applicant promised.
    pub materials: crate::materials::MaterialsState,
    /// 姓名 by login of the accounts that have one (the UI shows people, not logins).
    pub people: std::collections::BTreeMap<String, String>,
    /// The amount paid in capital Chinese numerals (壹佰元整), as receipts and forms write it.
    pub payment_capital: Option<String>,
}

/// Why case JSON was refused: every problem at once, with its field path.
pub fn parse_case(catalog: &Catalog, json: &str, today: chrono::NaiveDate) -> Result<(CaseData, Vec<FieldProblem>), DeskError> {
    if json.len() > MAX_CASE_JSON {
        return Err(DeskError::Invalid(format!("the case JSON is {} bytes; a case is at most {MAX_CASE_JSON} bytes", json.len())));
    }
    let mut data = CaseData::from_json(json).map_err(|e| DeskError::InvalidJson(e.to_string()))?;
    let problems = data.validate_and_normalize(today);
    let (mut errors, mut warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(|p| p.severity == Severity::Error);
    match check_against_catalog(catalog, &data) {
        Ok(mut w) => warnings.append(&mut w),
        Err(mut e) => errors.append(&mut e),
    }
    if !errors.is_empty() {
        return Err(DeskError::InvalidCase(errors));
    }
    Ok((data, warnings))
}

fn problem(path: &str, message: String, message_zh: String, severity: Severity) -> FieldProblem {
    FieldProblem { path: path.into(), message, message_zh, severity }
}

/// Checks a case against its project's catalog: everything the CA does not offer is an error,
/// a payment that differs from the catalog's fee a warning.
pub fn check_against_catalog(catalog: &Catalog, data: &CaseData) -> Result<Vec<FieldProblem>, Vec<FieldProblem>> {
    use certdesk_catalog::{FeeError, FeeRequest};
    let Ok(project) = catalog.project(&data.project) else {
        let known = catalog.projects.keys().cloned().collect::<Vec<_>>().join(", ");
        return Err(vec![problem("project", format!("unknown CA project {:?} (known: {known})", data.project), format!("未知的CA项目 {:?}", data.project), Severity::Error)]);
    };
    let broken = counter_rules(&project.rules, data);
    if !broken.is_empty() {
        return Err(broken);
    }
    let req = FeeRequest { business: data.business, cert_kind: data.cert_kind, medium: data.medium, years: data.years, quantity: data.quantity.max(1) };
    match project.fee(&req) {
        Ok(quote) => {
            if let Some(p) = &data.payment
                && p.amount != quote.total
            {
                let message = format!("{} differs from the catalog fee {} ({})", p.amount, quote.total, quote.total_capital);
                let zh = format!("收费金额 {} 与收费标准 {} 不符", p.amount, quote.total);
                return Ok(vec![problem("payment.amount", message, zh, Severity::Warning)]);
            }
            Ok(vec![])
        }
        Err(FeeError::NoFeeRule { .. }) => Ok(vec![problem(
            "fee",
            format!("{} has no fee table for this request; check the amount by hand", project.id),
            "该项目没有此业务的收费标准，请人工核对金额".into(),
            Severity::Warning,
        )]),
        Err(e) => {
            let field = match e {
                FeeError::BusinessNotOffered { .. } => "business",
                FeeError::KindNotOffered { .. } => "cert_kind",
                FeeError::MediumNotOffered { .. } => "medium",
                FeeError::ZeroQuantity | FeeError::TooMany(_) | FeeError::TooLarge { .. } => "quantity",
                _ => "years",
            };
            Err(vec![problem(field, e.to_string(), e.zh(), Severity::Error)])
        }
    }
}

/// The seeds' counter rules a project applies (its catalog's `[rules]`): who pays, whom the
/// invoice names, where a key may be posted.
fn counter_rules(rules: &certdesk_catalog::Rules, data: &CaseData) -> Vec<FieldProblem> {
    use certdesk_domain::{DeliveryMethod, PaymentMethod, same_unit};
    let mut out = Vec::new();
    let org = data.organization.as_ref();
    let unit = org.map(|o| o.name.as_str()).unwrap_or_default();
    let mut error = |path: &str, en: String, zh: String| out.push(problem(path, en, zh, Severity::Error));
    if rules.payer_is_applicant
        && let Some(p) = &data.payment
        && p.method == PaymentMethod::BankTransfer
        && !p.payer_name.as_deref().is_some_and(|payer| same_unit(payer, unit))
    {
        error(
            "payment.payer_name",
            format!("this CA takes transfers only from the applying unit {unit:?} (汇款须单位汇款，私人汇款概不受理), not from {:?}", p.payer_name.as_deref().unwrap_or("")),
            format!("付款单位须与申请单位“{unit}”一致（汇款须单位汇款，私人汇款概不受理）"),
        );
    }
    if rules.invoice_title_is_applicant
        && let Some(inv) = &data.invoice
    {
        if !same_unit(&inv.title, unit) {
            error(
                "invoice.title",
                format!("the invoice must name the applying unit {unit:?} (办理单位必须与申请发票单位一致)"),
                format!("发票抬头须为申请单位“{unit}”（办理单位必须与申请发票单位一致）"),
            );
        }
        if let (Some(tax), Some(uscc)) = (&inv.taxpayer_id, org.and_then(|o| o.uscc.as_ref()))
            && tax != uscc
        {
            error("invoice.taxpayer_id", format!("the taxpayer ID must be the unit's USCC {uscc}"), format!("纳税人识别号须为申请单位的统一社会信用代码{uscc}"));
        }
    }
    if rules.mail_to_legal_address_only
        && let Some(d) = &data.delivery
        && d.method == DeliveryMethod::Mail
        && let Some(address) = &d.address
        && !org.and_then(|o| o.legal_address.as_deref()).is_some_and(|legal| same_unit(address, legal))
    {
        error(
            "delivery.address",
            "this CA posts keys only to the unit's legal address (证书仅回寄到单位法定地址): organization.legal_address".into(),
            "证书仅回寄到单位法定地址：收件地址须与单位法定地址一致".into(),
        );
    }
    out
}

/// The store's filter for a status, a project and the counter's local days a case was taken on
/// (`from` and `to` included).
fn case_filter(
    status: Option<certdesk_domain::Status>,
    project: Option<&str>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<certdesk_store::CaseFilter, DeskError> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(DeskError::Invalid(format!("from {f} is after to {t}")));
    }
    Ok(certdesk_store::CaseFilter {
        status: status.map(|s| s.wire().to_string()),
        project: project.filter(|p| !p.is_empty()).map(str::to_string),
        from: from.map(|d| crate::report::day_bounds(d).0),
        to: to.map(|d| crate::report::day_bounds(d).1),
    })
}

/// Cases, newest first, filtered by status, project and the counter's local days they were
/// taken on (`from` and `to` included). Reading needs no rule: the CLI lists without signing in.
pub fn list_cases(
    store: &Store,
    status: Option<certdesk_domain::Status>,
    project: Option<&str>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    limit: usize,
) -> Result<Vec<certdesk_store::CaseSummary>, DeskError> {
    let filter = case_filter(status, project, from, to)?;
    Ok(store.list_filtered(&filter, limit)?)
}

/// A page of the case list: the cases of the page and how many match in all.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CasePage {
    /// every case matching the search and the filters (`capped`: at least this many)
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<CaseSummary>,
    /// a search stops at its best `SEARCH_HITS` hits: the total may be more
    pub capped: bool,
}

/// The hits a search ranks before the filters apply to them.
pub const SEARCH_HITS: usize = 200;

/// A page of the cases matching the text searched (when given: ranked hits) and the filters
/// (status, project, created from/to as the counter's local days); newest first without text.
#[allow(clippy::too_many_arguments)]
pub fn case_page(
    store: &Store,
    text: Option<&str>,
    status: Option<certdesk_domain::Status>,
    project: Option<&str>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    offset: usize,
    limit: usize,
) -> Result<CasePage, DeskError> {
    let limit = limit.clamp(1, 500);
    let filter = case_filter(status, project, from, to)?;
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            let (total, rows) = store.page_filtered(&filter, offset, limit)?;
            Ok(CasePage { total, offset: offset as u64, rows, capped: false })
        }
        Some(text) => {
            let hits = store.search(text, SEARCH_HITS)?;
            let capped = hits.len() >= SEARCH_HITS;
            let kept: Vec<CaseSummary> = hits
                .into_iter()
                .filter(|c| filter.status.as_deref().is_none_or(|s| c.status == s))
                .filter(|c| filter.project.as_deref().is_none_or(|p| c.project == p))
                .filter(|c| filter.from.as_deref().is_none_or(|f| c.created_at.as_str() >= f))
                .filter(|c| filter.to.as_deref().is_none_or(|t| c.created_at.as_str() < t))
                .collect();
            let total = kept.len() as u64;
            Ok(CasePage { total, offset: offset as u64, rows: kept.into_iter().skip(offset).take(limit).collect(), capped })
        }
    }
}

/// A case number as typed (any case, spaces around): parsed once, here.
pub fn case_number(text: &str) -> Result<CaseNumber, DeskError> {
    CaseNumber::parse(text).map_err(|e| DeskError::Invalid(e.to_string()))
}

/// The settings an administrator may change.
pub const SETTINGS: [&str; 10] =
    ["counter_code", "counter_name", "counter_address", "pkcs11_module", "printer", "export_dir", "scan_folder", "print_dir", "backup_dir", "idle_minutes"];

impl Desk<'_> {
    /// The account this call acts as, as it is now.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Read access for what needs no rule (lists, search, reports, settings).
    pub fn store(&self) -> &Store {
        self.store
    }

    fn counter_code(&self) -> Result<String, DeskError> {
        Ok(self.store.setting("counter_code")?.unwrap_or_else(|| crate::print::DEFAULT_COUNTER.into()))
    }

    /// A new draft case from case JSON, validated whole (domain and catalog) before anything
    /// is stored; numbered in the counter's local day.
    pub fn import_case(&mut self, catalog: &Catalog, json: &str) -> Result<Saved, DeskError> {
        let today = chrono::Local::now().date_naive();
        let (data, warnings) = parse_case(catalog, json, today)?;
        let counter = self.counter_code()?;
        let rec = self.store.create_case(&data, &counter, today, &self.actor)?;
        Ok(saved(&rec, warnings))
    }

    /// Replaces a case's data (an approved case goes back to review).
    pub fn edit_case(&mut self, catalog: &Catalog, number: &str, json: &str) -> Result<Saved, DeskError> {
        let number = case_number(number)?;
        let (data, warnings) = parse_case(catalog, json, chrono::Local::now().date_naive())?;
        let rec = self.store.edit(&number, &data, &self.actor)?;
        Ok(saved(&rec, warnings))
    }

    /// A workflow action (accept, submit, approve, return, cancel, deliver, close). Delivering
    /// and closing are steps of the case's plan: taken only when they are its next step (a
    /// delivery as `case complete` with nothing more said: pickup by the handler).
    pub fn act(&mut self, catalog: &Catalog, number: &str, action: Action, reason: Option<&str>) -> Result<CaseRecord, DeskError> {
        self.act_accepting(catalog, number, action, reason, false)
    }

    /// [`Desk::act`]; approving a case whose materials are to follow needs `accept_to_follow`
    /// (the supervisor has seen the promises and accepts them).
    pub fn act_accepting(&mut self, catalog: &Catalog, number: &str, action: Action, reason: Option<&str>, accept_to_follow: bool) -> Result<CaseRecord, DeskError> {
        if action == Action::Edit || action == Action::IssueKey {
            return Err(DeskError::Invalid(format!("{} is not taken directly: edit the case, or write its certificate at the key desk", action.wire())));
        }
        let number = case_number(number)?;
        if matches!(action, Action::Deliver | Action::Close) {
            crate::steps::complete(self, catalog, number.as_str(), action.wire(), &crate::steps::Completion::default())?;
            return Ok(self.store.case(&number)?);
        }
        self.act_checked(catalog, &number, action, reason, accept_to_follow, None)
    }

    /// A transition whose place in the case's plan the caller has checked; submission and
    /// approval hold the case to its materials first.
    pub(crate) fn act_checked(
        &mut self,
        catalog: &Catalog,
        number: &CaseNumber,
        action: Action,
        reason: Option<&str>,
        accept_to_follow: bool,
        handover: Option<certdesk_store::detail::Handover>,
    ) -> Result<CaseRecord, DeskError> {
        let to_follow = match action {
            Action::Submit | Action::Approve => {
                // the move itself may be refused (wrong status, own case): say that first
                let (record, facts) = self.store.facts(number)?;
                certdesk_domain::status::next(record.status, action).map_err(certdesk_store::StoreError::from)?;
                certdesk_domain::workflow::authorize(&self.actor, action, &facts, reason).map_err(certdesk_store::ActError::from)?;
                if action == Action::Submit {
                    crate::materials::check_submit(catalog, number, &record.data)?
                } else {
                    crate::materials::check_approve(catalog, number, &record.data, accept_to_follow)?
                }
            }
            _ => None,
        };
        Ok(self.store.act_with(number, action, &self.actor, reason, certdesk_store::ActNote { handover, to_follow })?)
    }

    /// A supervisor's permission for a second key on a case whose certificate was written.
    pub fn reissue(&mut self, number: &str, reason: &str) -> Result<(), DeskError> {
        let number = case_number(number)?;
        Ok(self.store.reissue(&number, &self.actor, reason)?)
    }

    pub fn case(&self, number: &str) -> Result<CaseRecord, DeskError> {
        Ok(self.store.case(&case_number(number)?)?)
    }

    /// The case with its history, files and what this account may do to it now.
    pub fn case_view(&self, catalog: &Catalog, number: &str) -> Result<CaseView, DeskError> {
        let number = case_number(number)?;
        let (record, facts) = self.store.facts(&number)?;
        let steps = crate::steps::steps(self.store, catalog, number.as_str())?;
        let mut can = workflow::capabilities(&self.actor, &facts);
        // delivering and closing are steps of the plan: offered only when they are next
        can.actions.retain(|a| !matches!(a.action, "deliver" | "close") || steps.next.as_deref() == Some(a.action));
        let materials = crate::materials::state(catalog, &record.data)?;
        Ok(CaseView {
            case: record.to_export_json(),
            history: self.store.history(&number)?,
            attachments: self.store.attachments(&number)?,
            can,
            steps,
            materials,
            people: self.store.display_names()?,
            payment_capital: record.data.payment.as_ref().map(|p| p.amount.to_capital()),
        })
    }

    /// Cases, newest first, filtered by status, project and the counter's local days.
    pub fn list_cases(
        &self,
        status: Option<certdesk_domain::Status>,
        project: Option<&str>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        limit: usize,
    ) -> Result<Vec<certdesk_store::CaseSummary>, DeskError> {
        list_cases(self.store, status, project, from, to, limit)
    }

    /// A page of the case list with its total (`case_page`).
    #[allow(clippy::too_many_arguments)]
    pub fn case_page(
        &self,
        text: Option<&str>,
        status: Option<certdesk_domain::Status>,
        project: Option<&str>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        offset: usize,
        limit: usize,
    ) -> Result<CasePage, DeskError> {
        case_page(self.store, text, status, project, from, to, offset, limit)
    }

    /// The case's steps to 归档 (`case steps`).
    pub fn case_steps(&self, catalog: &Catalog, number: &str) -> Result<crate::steps::CaseSteps, DeskError> {
        crate::steps::steps(self.store, catalog, number)
    }

    /// Does the case's next step when it is not a key-desk operation (`case complete`).
    pub fn complete_step(&mut self, catalog: &Catalog, number: &str, step: &str, with: &crate::steps::Completion) -> Result<crate::steps::CaseSteps, DeskError> {
        crate::steps::complete(self, catalog, number, step, with)
    }

    /// Submitted cases this account may approve, oldest first: the four-eyes rule leaves out
    /// every case it shaped.
    pub fn review_queue(&self) -> Result<Vec<CaseSummary>, DeskError> {
        let mut out = Vec::new();
        for summary in self.store.waiting(certdesk_domain::Status::Submitted, 2000)? {
            let (_, facts) = self.store.facts(&case_number(&summary.number)?)?;
            if workflow::authorize(&self.actor, Action::Approve, &facts, None).is_ok() {
                out.push(summary);
            }
        }
        Ok(out)
    }

    /// This account's unfinished intake form (any JSON), kept so that it survives closing.
    pub fn save_draft(&mut self, json: &str) -> Result<(), DeskError> {
        Ok(self.store.save_draft(&self.actor.name, json)?)
    }

    pub fn draft(&self) -> Result<Option<String>, DeskError> {
        Ok(self.store.draft(&self.actor.name)?)
    }

    pub fn clear_draft(&mut self) -> Result<(), DeskError> {
        Ok(self.store.clear_draft(&self.actor.name)?)
    }

    // ------------------------------------------------------------ accounts and settings

    /// Refused unless the account has `role` (the app's admin-only commands outside the desk).
    pub fn require(&self, role: Role) -> Result<(), DeskError> {
        if self.actor.has(role) {
            Ok(())
        } else {
            Err(ActError::Rule(workflow::RuleError::MissingRole {
                actor: self.actor.name.clone(),
                action: "this",
                needed: workflow::RoleList(vec![role]),
                has: self.actor.roles.clone(),
            })
            .into())
        }
    }

    pub fn accounts(&self) -> Result<Vec<Account>, DeskError> {
        self.require(Role::Admin)?;
        Ok(self.store.accounts()?.into_iter().collect())
    }

    pub fn add_account(&mut self, name: &str, roles: &[Role], password: &Password) -> Result<Account, DeskError> {
        Ok(self.store.add_account(name.trim(), roles, password, Some(&self.actor))?)
    }

    /// An account's 姓名 (an administrator for anyone, an account for itself).
    pub fn set_display_name(&mut self, name: &str, display_name: &str) -> Result<Account, DeskError> {
        Ok(self.store.set_display_name(&self.actor, name, display_name)?)
    }

    /// Display names by login, for showing people instead of logins.
    pub fn display_names(&self) -> Result<std::collections::BTreeMap<String, String>, DeskError> {
        Ok(self.store.display_names()?)
    }

    pub fn set_roles(&mut self, name: &str, roles: &[Role]) -> Result<Account, DeskError> {
        Ok(self.store.set_roles(&self.actor, name, roles)?)
    }

    /// An administrator sets another account's password (and clears its lock).
    pub fn reset_password(&mut self, name: &str, password: &Password) -> Result<Account, DeskError> {
        Ok(self.store.set_password(&self.actor, name, password)?)
    }

    /// One's own password, with the current one.
    pub fn change_own_password(&mut self, current: &Password, new: &Password) -> Result<Account, DeskError> {
        let name = self.actor.name.clone();
        Ok(self.store.change_own_password(&name, current, new)?)
    }

    pub fn disable_account(&mut self, name: &str) -> Result<Account, DeskError> {
        Ok(self.store.disable_account(&self.actor, name)?)
    }

    pub fn unlock_account(&mut self, name: &str) -> Result<Account, DeskError> {
        Ok(self.store.unlock_account(&self.actor, name)?)
    }

    /// A setting, checked: the counter code's form, a number of idle minutes, a module file.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), DeskError> {
        self.require(Role::Admin)?;
        if !SETTINGS.contains(&key) {
            return Err(DeskError::Invalid(format!("unknown setting {key} (known: {})", SETTINGS.join(", "))));
        }
        let mut value = value.trim().to_string();
        match key {
            "counter_code" => {
                value = value.to_ascii_uppercase();
                certdesk_domain::number::check_counter_code(&value).map_err(|e| DeskError::InvalidCounterCode(format!("counter code {value:?}: {e}")))?;
            }
            "idle_minutes" if !value.is_empty() => {
                let ok = value.parse::<u64>().is_ok_and(|m| (1..=480).contains(&m));
                if !ok {
                    return Err(DeskError::Invalid(format!("idle_minutes {value:?}: give 1 to 480 minutes")));
                }
            }
            "pkcs11_module" if !value.is_empty() && !std::path::Path::new(&value).is_file() => {
                return Err(DeskError::Token(certdesk_token::TokenError::Module { path: value.clone(), why: "not a file".into() }));
            }
            _ => {}
        }
        Ok(self.store.set_setting(key, &value, &self.actor)?)
    }

    /// The idle time after which a window signs out (the `idle_minutes` setting).
    pub fn idle_timeout(&self) -> Result<Duration, DeskError> {
        let minutes = self.store.setting("idle_minutes")?.and_then(|m| m.trim().parse::<u64>().ok()).filter(|m| (1..=480).contains(m));
        Ok(minutes.map(|m| Duration::from_secs(m * 60)).unwrap_or(DEFAULT_IDLE))
    }

    /// A verified copy of the store (an administrator), recorded on the chain.
    pub fn backup(&mut self, dest: &std::path::Path, cancel: Option<certdesk_store::CancelFlag>) -> Result<certdesk_store::BackupReport, DeskError> {
        self.require(Role::Admin)?;
        Ok(self.store.backup_as(dest, &self.actor, cancel)?)
    }
}

fn saved(rec: &CaseRecord, warnings: Vec<FieldProblem>) -> Saved {
    Saved { number: rec.number.to_string(), status: rec.status.wire().into(), digest: rec.digest.clone(), warnings }
}

/// The first account of an empty store, which must be an administrator: the one change made
/// without a signed-in account (the CLI's first `user add`).
pub fn add_first_admin(store: &mut Store, name: &str, roles: &[Role], password: &Password) -> Result<Account, DeskError> {
    if store.account_count()? > 0 {
        return Err(DeskError::Auth(AuthError::Refused("the store has accounts already: an administrator adds the next one (--as ADMIN)".into())));
    }
    Ok(store.add_account(name, roles, password, None)?)
}

/// Replaces the store by a checked backup (an administrator); everyone must sign in again.
/// Consumes the store as the restore does; on failure gives back what the store gives back.
pub fn restore(store: Store, session: &mut Session, backup: &std::path::Path) -> (Option<Store>, Result<certdesk_store::Restored, DeskError>) {
    let mut store = store;
    let actor = match session.desk(&mut store) {
        Ok(desk) => desk.actor.clone(),
        Err(e) => return (Some(store), Err(e)),
    };
    if !actor.has(Role::Admin) {
        let e = ActError::Rule(workflow::RuleError::MissingRole {
            actor: actor.name.clone(),
            action: "restore",
            needed: workflow::RoleList(vec![Role::Admin]),
            has: actor.roles.clone(),
        });
        return (Some(store), Err(e.into()));
    }
    match store.restore_from(backup, &actor) {
        Ok((s, r)) => (Some(s), Ok(r)),
        Err((back, e)) => (back, Err(e.into())),
    }
}

/// Moves a counter's store file into an empty hall (`store migrate`), as an administrator of
/// the file (checked against the file, which is only read); the hall's store, and what was
/// copied. The rules of the copy are the store's (`Store::migrate_into_hall`).
pub fn migrate_to_hall(
    file: &std::path::Path,
    admin: &str,
    password: &Password,
    address: &certdesk_store::pg::HallAddress,
    server_password: certdesk_store::pg::ServerPassword,
) -> Result<(Store, certdesk_store::Migrated), DeskError> {
    Ok(Store::migrate_into_hall(file, admin, password, address, server_password)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::new(s.into())
    }

    fn store() -> (tempfile::TempDir, Store, Session) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        let admin = Session::first_admin(&mut store, "admin", &pw("admin-pass-1"), "gz01", "").unwrap();
        (dir, store, admin)
    }

    #[test]
    fn the_account_is_read_again_on_every_call() {
        let (_d, mut store, mut admin) = store();
        assert_eq!(store.setting("counter_code").unwrap().as_deref(), Some("GZ01"));
        admin.desk(&mut store).unwrap().add_account("zhang", &[Role::Clerk, Role::Supervisor], &pw("zhang-pass-1")).unwrap();
        let mut zhang = Session::sign_in(&mut store, "zhang", &pw("zhang-pass-1")).unwrap();
        assert!(zhang.desk(&mut store).unwrap().actor().has(Role::Supervisor));
        // a role taken away counts at once, not at the next sign-in
        admin.desk(&mut store).unwrap().set_roles("zhang", &[Role::Clerk]).unwrap();
        assert!(!zhang.desk(&mut store).unwrap().actor().has(Role::Supervisor));
        // a disabled account's open session acts no more
        admin.desk(&mut store).unwrap().disable_account("zhang").unwrap();
        assert_eq!(zhang.desk(&mut store).err().unwrap().kind().as_str(), "account_disabled");
    }

    #[test]
    fn an_idle_session_is_over() {
        let (_d, mut store, admin) = store();
        let mut admin = admin.with_idle_timeout(Duration::from_millis(30));
        assert!(admin.desk(&mut store).is_ok());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(admin.desk(&mut store).err().unwrap().kind().as_str(), "session_expired");
        // the default, and the setting
        let mut admin = Session::sign_in(&mut store, "admin", &pw("admin-pass-1")).unwrap();
        assert_eq!(admin.desk(&mut store).unwrap().idle_timeout().unwrap(), DEFAULT_IDLE);
        admin.desk(&mut store).unwrap().set_setting("idle_minutes", "5").unwrap();
        assert_eq!(admin.desk(&mut store).unwrap().idle_timeout().unwrap(), Duration::from_secs(300));
        assert!(admin.desk(&mut store).unwrap().set_setting("idle_minutes", "0").is_err());
    }

    #[test]
    fn the_first_administrator_is_the_only_change_without_a_session() {
        let (_d, mut store, _) = store();
        assert!(Session::first_admin(&mut store, "eve", &pw("eve-pass-12"), "EV01", "").is_err());
        assert!(add_first_admin(&mut store, "eve", &[Role::Admin], &pw("eve-pass-12")).is_err());
        assert_eq!(store.account_count().unwrap(), 1);
    }
}
