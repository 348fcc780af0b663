// The typed IPC layer: one function per Tauri command; errors arrive as {kind, detail}.
import { invoke } from '@tauri-apps/api/core'

export interface Actor { name: string; roles: string[] }
export interface AppStatus { first_run: boolean; counter_code: string; counter_name: string; signed_in: Actor | null }
export interface CaseSummary { number: string; status: string; project: string; business: string; cert_kind: string; organization: string; handler: string; created_at: string }
export interface AuditEvent { seq: number; at: string; actor: string; action: string; detail: Record<string, unknown> }
export interface CaseView { case: Record<string, any>; history: AuditEvent[] }
export interface Checked { value: string; valid: boolean; normalized: string | null; error: string | null; error_zh: string | null; warnings: string[] }
export interface ProjectView { id: string; ca_short: string; service: string; cert_kinds: string[]; business_types: string[]; media: string[]; years: number[] }
export interface FeeQuote { total: string; total_capital: string; items: { label: string; unit_price: string; count: number; amount: string }[] }
export interface IpcError { kind: string; detail: string }

export const api = {
  appStatus: () => invoke<AppStatus>('app_status'),
  setupAdmin: (name: string, password: string, counterCode: string, counterName: string) => invoke<Actor>('setup_admin', { name, password, counterCode, counterName }),
  login: (name: string, password: string) => invoke<Actor>('login', { name, password }),
  logout: () => invoke<void>('logout'),
  searchCases: (text: string) => invoke<CaseSummary[]>('search_cases', { text }),
  listCases: (status?: string) => invoke<CaseSummary[]>('list_cases', { status: status ?? null }),
  getCase: (number: string) => invoke<CaseView>('get_case', { number }),
  importCase: (json: string) => invoke<{ number: string }>('import_case', { json }),
  caseAction: (number: string, action: string, reason?: string) => invoke<string>('case_action', { number, action, reason: reason ?? null }),
  validateIdent: (kind: string, value: string) => invoke<Checked>('validate_ident', { kind, value }),
  catalogProjects: () => invoke<ProjectView[]>('catalog_projects'),
  feeQuote: (project: string, business: string, certKind: string, medium: string, years: number | null, quantity: number) =>
    invoke<FeeQuote>('fee_quote', { project, business, certKind, medium, years, quantity }),
}

export function errorKind(e: unknown): string {
  return typeof e === 'object' && e !== null && 'kind' in e ? String((e as IpcError).kind) : 'store'
}
