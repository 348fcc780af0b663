// The typed IPC layer: one function per Tauri command; errors arrive as {kind, detail}.
// The shapes mirror the Rust types of src-tauri (see src-tauri/src/commands*.rs); PINs pass
// through here only as arguments of the key desk calls and are never stored by the UI.
import { invoke } from '@tauri-apps/api/core'

export interface Actor { name: string; roles: string[] }
export interface AppStatus { first_run: boolean; counter_code: string; counter_name: string; signed_in: Actor | null }
export interface CaseSummary { number: string; status: string; project: string; business: string; cert_kind: string; organization: string; handler: string; created_at: string }
export interface AuditEvent { seq: number; at: string; actor: string; action: string; case_number: string | null; detail: Record<string, unknown> }
export interface CaseView { case: Record<string, any>; history: AuditEvent[]; attachments: Attachment[] }
export interface Checked { value: string; valid: boolean; normalized: string | null; error: string | null; error_zh: string | null; warnings: string[] }
export interface ProjectView { id: string; ca_short: string; service: string; cert_kinds: string[]; business_types: string[]; media: string[]; years: number[] }
export interface FeeQuote { total: string; total_capital: string; items: { label: string; unit_price: string; count: number; amount: string }[] }
export interface IpcError { kind: string; detail: string }
export interface FieldProblem { path: string; severity: 'error' | 'warning'; message: string; message_zh: string }

/** One line of the catalog's materials checklist (what the applicant brings). */
export interface MaterialItem { id: string; text: string; kind: 'form' | 'document' | 'id_copy' | 'authorization' | 'payment_proof' | 'old_key' | 'other'; original: boolean; copies: number; stamped: boolean; optional: boolean; note: string | null }
/** What the clerk ticked for a checklist line; kept in the case JSON as `materials: [...]`. */
export interface MaterialReceived { id: string; original_seen: boolean; copies_received: number }

/** A stored file of a case: the seal scan, chosen seal images, the issued certificate… */
export interface Attachment { name: string; mime: string; size: number; sha256: string; at: string; actor: string }

/** The intermediate form of a printed page, in mm from the top-left (drawn as SVG for preview). */
export type PreviewItem =
  | { t: 'text'; x: number; y: number; size: number; face: string; text: string }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; width: number }
  | { t: 'fill'; x: number; y: number; w: number; h: number }
  | { t: 'image'; x: number; y: number; w: number; h: number; path: string }
export interface PreviewPage { width: number; height: number; items: PreviewItem[] }
export interface FormPreview { forms: { id: string; title: string; pages: number }[]; pages: PreviewPage[] }
/** `print_forms`: the PDF written to the print folder and handed to the system's print dialog. */
export interface Printed { path: string; pages: number; bytes: number; opened: boolean; forms: { id: string; title: string; pages: number }[] }

/** The seal importer's verdict on one sample box (contract of `certdesk seal import --json`). */
export interface SealSample {
  row: number; col: number; kind: 'official_seal' | 'legal_rep_seal' | 'signature'; empty: boolean
  defects: string[]; score: number; best: boolean
  box_quad: [number, number][]; diameter_mm?: number | null; side_mm?: number | null
  /** PNG of the cleaned impression as a data: URL, for the clerk's eye */
  image_url: string | null
}
export interface SealRow { row: number; kind: string; best_col: number | null; needs_restamp: boolean }
export interface SealVerdict {
  samples: SealSample[]; rows: SealRow[]
  /** the scan, downscaled, as a data: URL; box_quad coordinates are in scan pixels of `width`×`height` */
  scan_url: string; width: number; height: number
  /** the chosen images stored on the case, e.g. `seal:official_seal` */
  stored: string[]
}

export interface SlotToken { label: string; serial: string; model: string; manufacturer: string; initialized: boolean; user_pin_initialized: boolean; user_pin_count_low: boolean; user_pin_final_try: boolean; user_pin_locked: boolean; so_pin_locked: boolean }
export interface Slot { slot_index: number; description: string; token: SlotToken | null }
export interface Reader { reader: string; atr: string | null; model: string | null }
export interface KeySlots { module: string | null; module_error: string | null; slots: Slot[]; readers: Reader[]; pcsc_error: string | null }
export interface KeyStep { step: 'token_initialized' | 'key_generated' | 'certificate_imported' | 'certificate_written' | 'seal_written'; done: boolean; at: string | null; detail: Record<string, unknown> | null }
export interface KeyStatus { case: string; status: string; token_serial: string | null; steps: KeyStep[]; next: string | null; default_pin_warning: boolean }
export interface KeyContents { token: SlotToken; keys: { id: string; algo: string; label: string }[]; certificates: { serial_hex: string; subject: string; issuer: string; not_after: string; has_key: boolean }[]; data: { application: string; label: string; size: number }[] }

export interface LedgerRow { key: string; cases: number; amount: string }
export interface DailyLedger {
  date: string; cases: number; total: string
  by_business: LedgerRow[]; by_project: LedgerRow[]; by_payment: LedgerRow[]; by_clerk: LedgerRow[]
  keys_issued: number; delivered: number
}
export interface Expiring { case: string; organization: string; handler: string; mobile: string | null; certificate_serial: string; subject: string; not_after: string; days_left: number }
export interface Exported { path: string; rows: number }

export interface Account { name: string; roles: string[]; locked: boolean; disabled: boolean; failed_logins: number; created_at: string }
export interface Settings { counter_code: string; counter_name: string; counter_address: string; pkcs11_module: string; printer: string; export_dir: string; scan_folder: string; print_dir: string }

export const api = {
  appStatus: () => invoke<AppStatus>('app_status'),
  setupAdmin: (name: string, password: string, counterCode: string, counterName: string) => invoke<Actor>('setup_admin', { name, password, counterCode, counterName }),
  login: (name: string, password: string) => invoke<Actor>('login', { name, password }),
  logout: () => invoke<void>('logout'),

  // cases
  searchCases: (text: string) => invoke<CaseSummary[]>('search_cases', { text }),
  /** filters: status, project, created from/to as YYYY-MM-DD (local days), all optional */
  listCases: (status?: string, project?: string, from?: string, to?: string) =>
    invoke<CaseSummary[]>('list_cases', { status: status ?? null, project: project ?? null, from: from ?? null, to: to ?? null }),
  getCase: (number: string) => invoke<CaseView>('get_case', { number }),
  importCase: (json: string) => invoke<{ number: string; warnings: FieldProblem[] }>('import_case', { json }),
  /** replaces the case data (draft/accepted/returned cases; recorded on the audit chain) */
  updateCase: (number: string, json: string) => invoke<{ number: string; warnings: FieldProblem[] }>('update_case', { number, json }),
  caseAction: (number: string, action: string, reason?: string) => invoke<string>('case_action', { number, action, reason: reason ?? null }),
  /** submitted cases this account may approve (its own cases are left out by the backend) */
  reviewQueue: () => invoke<CaseSummary[]>('review_queue'),

  // intake helpers
  validateIdent: (kind: string, value: string) => invoke<Checked>('validate_ident', { kind, value }),
  catalogProjects: () => invoke<ProjectView[]>('catalog_projects'),
  catalogChecklist: (project: string, business: string, certKind: string) => invoke<MaterialItem[]>('catalog_checklist', { project, business, certKind }),
  feeQuote: (project: string, business: string, certKind: string, medium: string, years: number | null, quantity: number) =>
    invoke<FeeQuote>('fee_quote', { project, business, certKind, medium, years, quantity }),
  /** the intake draft of the signed-in account (any JSON text), kept in the store */
  saveDraft: (json: string) => invoke<void>('save_draft', { json }),
  loadDraft: () => invoke<string | null>('load_draft'),
  clearDraft: () => invoke<void>('clear_draft'),

  // printing
  previewForms: (number: string, form?: string) => invoke<FormPreview>('preview_forms', { number, form: form ?? null }),
  printForms: (number: string, form?: string) => invoke<Printed>('print_forms', { number, form: form ?? null }),

  // seal sheet: the scan's bytes go as the raw body
  importSealScan: (number: string, fileName: string, bytes: Uint8Array, dpi?: number) =>
    invoke<SealVerdict>('import_seal_scan', bytes, { headers: { 'x-case': number, 'x-file-name': encodeURIComponent(fileName), 'x-dpi': dpi ? String(dpi) : '' } }),
  attachmentUrl: (number: string, name: string) => invoke<string>('attachment_url', { number, name }),

  // key desk
  keySlots: () => invoke<KeySlots>('key_slots'),
  keyStatus: (number: string) => invoke<KeyStatus>('key_status', { number }),
  keyInit: (number: string, slotIndex: number, label: string, soPin: string, userPin: string) => invoke<SlotToken>('key_init', { number, slotIndex, label, soPin, userPin }),
  /** generates the key pair on the key and writes the request package; returns its path */
  keyGenerate: (number: string, serial: string, pin: string, algo: string, employee?: number) =>
    invoke<{ package_path: string; csr_pem: string; key_id: string }>('key_generate', { number, serial, pin, algo, employee: employee ?? null }),
  /** the issued certificate (PEM, DER or PKCS#7 bytes) as the raw body; checked against the case's request */
  keyImportCert: (number: string, bytes: Uint8Array) => invoke<{ subject: string; serial_hex: string; not_after: string }>('key_import_cert', bytes, { headers: { 'x-case': number } }),
  keyWriteCert: (number: string, serial: string, pin: string) => invoke<{ serial_hex: string; subject: string; not_after: string }>('key_write_cert', { number, serial, pin }),
  keyWriteSeal: (number: string, serial: string, pin: string) => invoke<{ size: number; sha256: string }>('key_write_seal', { number, serial, pin }),
  keyVerify: (serial: string, pin: string) => invoke<KeyContents>('key_verify', { serial, pin }),
  keyUnlock: (serial: string, soPin: string, newPin: string) => invoke<SlotToken>('key_unlock', { serial, soPin, newPin }),
  keyWipe: (serial: string, soPin: string) => invoke<SlotToken>('key_wipe', { serial, soPin }),

  // reports
  reportDaily: (date: string) => invoke<DailyLedger>('report_daily', { date }),
  reportExpiring: (days: number) => invoke<Expiring[]>('report_expiring', { days }),
  /** kind: 'daily' | 'expiring'; format: 'csv' | 'xlsx'; arg: the date (daily) or days (expiring) */
  exportReport: (kind: 'daily' | 'expiring', format: 'csv' | 'xlsx', arg: string) => invoke<Exported>('export_report', { kind, format, arg }),

  // admin
  listAccounts: () => invoke<Account[]>('list_accounts'),
  addAccount: (name: string, roles: string[], password: string) => invoke<void>('add_account', { name, roles, password }),
  setAccountRoles: (name: string, roles: string[]) => invoke<void>('set_account_roles', { name, roles }),
  resetPassword: (name: string, password: string) => invoke<void>('reset_password', { name, password }),
  disableAccount: (name: string) => invoke<void>('disable_account', { name }),
  unlockAccount: (name: string) => invoke<void>('unlock_account', { name }),
  getSettings: () => invoke<Settings>('get_settings'),
  /** keys of Settings; counter_code is checked by the backend */
  setSetting: (key: keyof Settings, value: string) => invoke<void>('set_setting', { key, value }),
  /** a consistent copy of the store (VACUUM INTO), verified; returns its path */
  backupStore: () => invoke<{ path: string; bytes: number }>('backup_store'),
  /** replaces the store by a verified backup file (the current one is kept beside it) */
  restoreStore: (path: string) => invoke<{ cases: number; kept: string }>('restore_store', { path }),
}

export function errorKind(e: unknown): string {
  return typeof e === 'object' && e !== null && 'kind' in e ? String((e as IpcError).kind) : 'store'
}

export function errorDetail(e: unknown): string {
  return typeof e === 'object' && e !== null && 'detail' in e ? String((e as IpcError).detail) : String(e)
}
