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

fn signed_in(state: &AppState) -> Result<Actor, IpcError> {
    state.actor.lock().map_err(|_| IpcError::new("store", "state poisoned"))?.clone().ok_or_else(|| IpcError::new("not_signed_in", "sign in first"))
}

#[derive(Serialize)]
pub struct Status_ {
    first_run: bool,
    counter_code: String,
    counter_name: String,
    signed_in: Option<Actor>,
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> Result<Status_, IpcError> {
    let store = state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?;
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
    let mut store = state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?;
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
    let actor = state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?.authenticate(&name, &Password::new(password))?;
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
    Ok(state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?.search(&text, 50)?)
}

#[tauri::command]
pub fn list_cases(state: State<'_, AppState>, status: Option<String>) -> Result<Vec<certdesk_store::CaseSummary>, IpcError> {
    signed_in(&state)?;
    let status = status.filter(|s| !s.is_empty()).map(|s| Status::from_wire(&s).ok_or_else(|| IpcError::new("invalid", format!("unknown status {s}")))).transpose()?;
    Ok(state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?.list(status, 200)?)
}

#[derive(Serialize)]
pub struct CaseView {
    case: serde_json::Value,
    history: Vec<certdesk_store::AuditEvent>,
}

#[tauri::command]
pub fn get_case(state: State<'_, AppState>, number: String) -> Result<CaseView, IpcError> {
    signed_in(&state)?;
    let store = state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?;
    let rec = store.case(&number)?;
    Ok(CaseView { case: rec.to_export_json(), history: store.history(&number)? })
}

#[derive(Serialize)]
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
    let mut data = CaseData::from_json(&json).map_err(|e| IpcError::new("invalid_json", e.to_string()))?;
    let problems = data.validate_and_normalize(chrono::Local::now().date_naive());
    let (errors, warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(|p| p.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(IpcError::new("invalid_case", serde_json::to_string(&errors).unwrap_or_default()));
    }
    state.catalog.project(&data.project).map_err(|e| IpcError::new("unknown_project", e.to_string()))?;
    let mut store = state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?;
    let counter = store.setting("counter_code")?.unwrap_or_else(|| "CD01".into());
    let rec = store.create_case(&data, &counter, chrono::Local::now().date_naive(), &actor.name)?;
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
    let rec = state.store.lock().map_err(|_| IpcError::new("store", "state poisoned"))?.act(&number, action, &actor, reason.as_deref())?;
    Ok(rec.status.wire().to_string())
}

#[tauri::command]
pub fn validate_ident(kind: String, value: String) -> Result<ident::Checked, IpcError> {
    let kind = IdentKind::from_cli_name(&kind).ok_or_else(|| IpcError::new("invalid", format!("unknown identifier kind {kind}")))?;
    Ok(ident::check(kind, &value))
}

#[derive(Serialize)]
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
pub fn fee_quote(state: State<'_, AppState>, project: String, business: String, cert_kind: String, medium: String, years: Option<u32>, quantity: u32) -> Result<certdesk_catalog::FeeQuote, IpcError> {
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
