//! The IPC commands: each checks who is signed in at this window, calls one library function
//! and returns plain data. No rule is decided here.

use crate::AppState;
use crate::error::IpcError;
use certdesk_domain::ident::{self, IdentKind};
use certdesk_domain::workflow::{Actor, Role};
use certdesk_domain::{Action, CaseData, Severity, Status};
use certdesk_store::Password;
use serde::Serialize;
use tauri::State;

pub(crate) fn signed_in(state: &AppState) -> Result<Actor, IpcError> {
    state.actor.lock().map_err(|_| IpcError::new("store", "state poisoned"))?.clone().ok_or_else(|| IpcError::new("not_signed_in", "sign in first"))
}

#[derive(Serialize, ts_rs::TS)]
#[ts(rename = "AppStatus")]
pub struct Status_ {
    first_run: bool,
    counter_code: String,
    counter_name: String,
    signed_in: Option<Actor>,
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> Result<Status_, IpcError> {
    let store = state.store.lock()?;
    Ok(Status_ {
        first_run: store.account_count()? == 0,
        counter_code: store.setting("counter_code")?.unwrap_or_else(|| "CD01".into()),
        counter_name: store.setting("counter_name")?.unwrap_or_default(),
        signed_in: state.actor.lock().ok().and_then(|a| a.clone()),
    })
}

/// First run: the administrator and the counter's identity. Refused once any account exists.
#[tauri::command]
pub fn setup_admin(state: State<'_, AppState>, name: String, password: String, counter_code: String, counter_name: String) -> Result<Actor, IpcError> {
    let mut store = state.store.lock()?;
    if store.account_count()? > 0 {
        return Err(IpcError::new("refused", "the administrator exists already"));
    }
    let code = counter_code.trim().to_ascii_uppercase();
    certdesk_domain::number::check_counter_code(&code).map_err(|e| IpcError::new("invalid_counter_code", e))?;
    store.add_account(&name, &[Role::Admin], &Password::new(password.clone()), None)?;
    let actor = store.authenticate(&name, &Password::new(password))?;
    store.set_setting("counter_code", &code, &actor.name)?;
    if !counter_name.trim().is_empty() {
        store.set_setting("counter_name", counter_name.trim(), &actor.name)?;
    }
    *state.actor.lock().map_err(|_| IpcError::new("store", "state poisoned"))? = Some(actor.clone());
    Ok(actor)
}

#[tauri::command]
pub fn login(state: State<'_, AppState>, name: String, password: String) -> Result<Actor, IpcError> {
    let actor = state.store.lock()?.authenticate(&name, &Password::new(password))?;
    *state.actor.lock().map_err(|_| IpcError::new("store", "state poisoned"))? = Some(actor.clone());
    Ok(actor)
}

#[tauri::command]
pub fn logout(state: State<'_, AppState>) -> Result<(), IpcError> {
    *state.actor.lock().map_err(|_| IpcError::new("store", "state poisoned"))? = None;
    Ok(())
}

#[tauri::command]
pub fn search_cases(state: State<'_, AppState>, text: String) -> Result<Vec<certdesk_store::CaseSummary>, IpcError> {
    signed_in(&state)?;
    Ok(state.store.lock()?.search(&text, 50)?)
}

/// Cases newest first; every filter optional (status, project, created from/to as local days).
#[tauri::command]
pub fn list_cases(
    state: State<'_, AppState>,
    status: Option<String>,
    project: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<certdesk_store::CaseSummary>, IpcError> {
    signed_in(&state)?;
    if let Some(s) = status.as_deref().filter(|s| !s.is_empty()) {
        Status::from_wire(s).ok_or_else(|| IpcError::new("invalid", format!("unknown status {s}")))?;
    }
    let filter = certdesk_store::CaseFilter { status, project, from, to };
    Ok(state.store.lock()?.list_filtered(&filter, 500)?)
}

/// Submitted cases this account may approve: the workflow's own four-eyes rule leaves out the
/// cases it took, submitted or edited (the same rule refuses the approval itself).
#[tauri::command]
pub fn review_queue(state: State<'_, AppState>) -> Result<Vec<certdesk_store::CaseSummary>, IpcError> {
    let actor = signed_in(&state)?;
    let store = state.store.lock()?;
    let mut out = Vec::new();
    for summary in store.list(Some(Status::Submitted), 500)? {
        let rec = store.case(&summary.number)?;
        let history = store.history(&summary.number)?;
        let facts = certdesk_store::case_facts(&rec, &history);
        if certdesk_domain::workflow::authorize(&actor, Action::Approve, &facts, None).is_ok() {
            out.push(summary);
        }
    }
    Ok(out)
}

#[derive(Serialize, ts_rs::TS)]
pub struct CaseView {
    case: serde_json::Value,
    history: Vec<certdesk_store::AuditEvent>,
    attachments: Vec<certdesk_store::AttachmentInfo>,
}

#[tauri::command]
pub fn get_case(state: State<'_, AppState>, number: String) -> Result<CaseView, IpcError> {
    signed_in(&state)?;
    let store = state.store.lock()?;
    let rec = store.case(&number)?;
    Ok(CaseView { case: rec.to_export_json(), history: store.history(&number)?, attachments: store.attachments(rec.number.as_str())? })
}

#[derive(Serialize, ts_rs::TS)]
pub struct Imported {
    number: String,
    warnings: Vec<certdesk_domain::FieldProblem>,
}

/// A new case from case JSON (the intake form sends the same shape), by the signed-in clerk.
/// Every problem comes back at once, with its field path.
#[tauri::command]
pub fn import_case(state: State<'_, AppState>, json: String) -> Result<Imported, IpcError> {
    let actor = signed_in(&state)?;
    if !actor.has(Role::Clerk) {
        return Err(IpcError::new("missing_role", "creating a case needs the role clerk"));
    }
    let (data, warnings) = checked_case(&state, &json)?;
    let mut store = state.store.lock()?;
    let counter = store.setting("counter_code")?.unwrap_or_else(|| "CD01".into());
    let rec = store.create_case(&data, &counter, chrono::Local::now().date_naive(), &actor.name)?;
    Ok(Imported { number: rec.number.to_string(), warnings })
}

/// Case JSON checked by the domain's rules; errors come back all at once, with their paths.
fn checked_case(state: &AppState, json: &str) -> Result<(CaseData, Vec<certdesk_domain::FieldProblem>), IpcError> {
    let mut data = CaseData::from_json(json).map_err(|e| IpcError::new("invalid_json", e.to_string()))?;
    let problems = data.validate_and_normalize(chrono::Local::now().date_naive());
    let (errors, warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(|p| p.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(IpcError::new("invalid_case", serde_json::to_string(&errors).unwrap_or_default()));
    }
    state.catalog.project(&data.project).map_err(|e| IpcError::new("unknown_project", e.to_string()))?;
    Ok((data, warnings))
}

/// Replaces a case's data as the signed-in clerk (the workflow decides whether the case's
/// status allows it; an approved case goes back to review).
#[tauri::command]
pub fn update_case(state: State<'_, AppState>, number: String, json: String) -> Result<Imported, IpcError> {
    let actor = signed_in(&state)?;
    let (data, warnings) = checked_case(&state, &json)?;
    let rec = state.store.lock()?.edit(&number, &data, &actor)?;
    Ok(Imported { number: rec.number.to_string(), warnings })
}

#[tauri::command]
pub fn case_action(state: State<'_, AppState>, number: String, action: String, reason: Option<String>) -> Result<String, IpcError> {
    let actor = signed_in(&state)?;
    let action = match action.as_str() {
        "accept" => Action::Accept,
        "submit" => Action::Submit,
        "approve" => Action::Approve,
        "return" => Action::Return,
        "cancel" => Action::Cancel,
        "deliver" => Action::Deliver,
        "close" => Action::Close,
        other => return Err(IpcError::new("invalid", format!("unknown action {other}"))),
    };
    let rec = state.store.lock()?.act(&number, action, &actor, reason.as_deref())?;
    Ok(rec.status.wire().to_string())
}

#[tauri::command]
pub fn validate_ident(kind: String, value: String) -> Result<ident::Checked, IpcError> {
    let kind = IdentKind::from_cli_name(&kind).ok_or_else(|| IpcError::new("invalid", format!("unknown identifier kind {kind}")))?;
    Ok(ident::check(kind, &value))
}

#[derive(Serialize, ts_rs::TS)]
pub struct ProjectView {
    id: String,
    ca_short: String,
    service: String,
    cert_kinds: Vec<String>,
    business_types: Vec<String>,
    media: Vec<String>,
    years: Vec<u32>,
}

#[tauri::command]
pub fn catalog_projects(state: State<'_, AppState>) -> Vec<ProjectView> {
    state
        .catalog
        .projects
        .values()
        .map(|p| ProjectView {
            id: p.id.clone(),
            ca_short: p.ca_short.clone(),
            service: p.service.clone(),
            cert_kinds: p.cert_kinds.iter().map(|k| k.wire().to_string()).collect(),
            business_types: p.business_types.iter().map(|b| b.wire().to_string()).collect(),
            media: p.media.iter().map(|m| m.wire().to_string()).collect(),
            years: p.years.clone(),
        })
        .collect()
}

#[tauri::command]
pub fn fee_quote(
    state: State<'_, AppState>,
    project: String,
    business: String,
    cert_kind: String,
    medium: String,
    years: Option<u32>,
    quantity: u32,
) -> Result<certdesk_catalog::FeeQuote, IpcError> {
    let bad = |what: &str| IpcError::new("invalid", format!("unknown {what}"));
    let req = certdesk_catalog::FeeRequest {
        business: certdesk_domain::BusinessType::from_wire(&business).ok_or_else(|| bad("business type"))?,
        cert_kind: certdesk_domain::CertKind::from_wire(&cert_kind).ok_or_else(|| bad("certificate kind"))?,
        medium: certdesk_domain::Medium::from_wire(&medium).ok_or_else(|| bad("medium"))?,
        years,
        quantity,
    };
    let p = state.catalog.project(&project).map_err(|e| IpcError::new("unknown_project", e.to_string()))?;
    p.fee(&req).map_err(|e| IpcError::new("fee_refused", e.zh()))
}

/// The catalog's materials checklist for a request.
#[tauri::command]
pub fn catalog_checklist(state: State<'_, AppState>, project: String, business: String, cert_kind: String) -> Result<Vec<certdesk_catalog::model::MaterialItem>, IpcError> {
    let bad = |what: &str| IpcError::new("invalid", format!("unknown {what}"));
    let business = certdesk_domain::BusinessType::from_wire(&business).ok_or_else(|| bad("business type"))?;
    let kind = certdesk_domain::CertKind::from_wire(&cert_kind).ok_or_else(|| bad("certificate kind"))?;
    let p = state.catalog.project(&project).map_err(|e| IpcError::new("unknown_project", e.to_string()))?;
    Ok(p.checklist(business, kind))
}

/// The signed-in account's unfinished intake form, kept in the store so it survives closing.
#[tauri::command]
pub fn save_draft(state: State<'_, AppState>, json: String) -> Result<(), IpcError> {
    let actor = signed_in(&state)?;
    Ok(state.store.lock()?.save_draft(&actor.name, &json)?)
}

#[tauri::command]
pub fn load_draft(state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    let actor = signed_in(&state)?;
    Ok(state.store.lock()?.draft(&actor.name)?)
}

#[tauri::command]
pub fn clear_draft(state: State<'_, AppState>) -> Result<(), IpcError> {
    let actor = signed_in(&state)?;
    Ok(state.store.lock()?.clear_draft(&actor.name)?)
}
