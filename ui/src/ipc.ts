// The typed IPC layer: one function per Tauri command; errors arrive as {kind, detail}.
// The shapes mirror the Rust types of src-tauri (see src-tauri/src/commands*.rs); PINs pass
// through here only as arguments of the key desk calls and are never stored by the UI.
import { invoke } from '@tauri-apps/api/core'

import type * as B from './bindings'
import type { ScanFile, Actor, AppStatus, CaseSummary, Checked, ProjectView, FeeQuote, IpcError, MaterialItem, Printed, PrintOutcome, Exported, DailyLedger, Expiring, KeySlots } from './bindings'

// The shapes are generated from the Rust types (./bindings.ts, checked by a Rust test); the
// names below are the UI's. Two fields the Rust side keeps as free JSON are typed as records.

/** Case JSON and event details as the UI reads them: free-form objects whose field names are a
 *  contract that only ever grows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON read field by field, as documented above
export type JsonObject = Record<string, any>
export type { ScanFile, Actor, AppStatus, CaseSummary, Checked, ProjectView, FeeQuote, IpcError, FieldProblem, MaterialItem, Printed, PrintOutcome, Sheet, Exported, LedgerRow, DailyLedger, Expiring, KeySlots } from './bindings'
export type AuditEvent = Omit<B.AuditEvent, 'detail'> & { detail: JsonObject }
export type CaseView = Omit<B.CaseView, 'case' | 'history'> & { case: JsonObject; history: AuditEvent[] }
export type Attachment = B.AttachmentInfo
export type FormPreview = B.Preview
export type SealSample = B.SampleView
export type SealRow = B.RowView
export type SealVerdict = B.Verdict
export type SlotToken = B.TokenView
export type Slot = B.SlotView
export type Reader = B.ReaderState
export type KeyStep = Omit<B.StepView, 'detail'> & { detail: JsonObject | null }
export type KeyStatus = Omit<B.KeyStatusView, 'steps'> & { steps: KeyStep[] }
export type KeyContents = B.Contents
export type Account = B.AccountView

/** What the clerk ticked for a checklist line; kept in the case JSON as `materials: [...]`. */
export interface MaterialReceived { id: string; original_seen: boolean; copies_received: number }
/** The settings an administrator edits (`get_settings` returns them all as strings). */
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
  importCase: (json: string) => invoke<B.Imported>('import_case', { json }),
  /** replaces the case data (draft/accepted/returned cases; recorded on the audit chain) */
  updateCase: (number: string, json: string) => invoke<B.Imported>('update_case', { number, json }),
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
  /** renders the forms: the PDF kept in the print folder, and the sheets to print */
  printForms: (number: string, form?: string) => invoke<Printed>('print_forms', { number, form: form ?? null }),
  /** the system print dialog for the sheets the window shows, on their paper without margins */
  printSheets: (number: string, width: number, height: number) => invoke<PrintOutcome>('print_sheets', { number, width, height }),

  // seal sheet: the scan's bytes go as the raw body
  importSealScan: (number: string, fileName: string, bytes: Uint8Array, dpi?: number) =>
    invoke<SealVerdict>('import_seal_scan', bytes, { headers: { 'x-case': number, 'x-file-name': encodeURIComponent(fileName), 'x-dpi': dpi ? String(dpi) : '' } }),
  /** the newest scans in the configured scanner folder (error kind no_scan_folder when none is set) */
  scanFolderFiles: () => invoke<ScanFile[]>('scan_folder_files'),
  /** imports a scan from the scanner folder by its plain file name */
  importSealFromFolder: (number: string, name: string, dpi?: number) => invoke<SealVerdict>('import_seal_from_folder', { number, name, dpi: dpi ?? null }),
  attachmentUrl: (number: string, name: string) => invoke<string>('attachment_url', { number, name }),

  // key desk
  keySlots: () => invoke<KeySlots>('key_slots'),
  keyStatus: (number: string) => invoke<KeyStatus>('key_status', { number }),
  keyInit: (number: string, slotIndex: number, label: string, soPin: string, userPin: string) => invoke<SlotToken>('key_init', { number, slotIndex, label, soPin, userPin }),
  /** generates the key pair on the key and writes the request package; returns its path */
  keyGenerate: (number: string, serial: string, pin: string, algo: string, employee?: number) =>
    invoke<B.Generated>('key_generate', { number, serial, pin, algo, employee: employee ?? null }),
  /** the issued certificate (PEM, DER or PKCS#7 bytes) as the raw body; checked against the case's request */
  keyImportCert: (number: string, bytes: Uint8Array) => invoke<B.ImportedCert>('key_import_cert', bytes, { headers: { 'x-case': number } }),
  keyWriteCert: (number: string, serial: string, pin: string) => invoke<B.Written>('key_write_cert', { number, serial, pin }),
  keyWriteSeal: (number: string, serial: string, pin: string) => invoke<B.SealWritten>('key_write_seal', { number, serial, pin }),
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
  backupStore: () => invoke<B.BackedUp>('backup_store'),
  /** replaces the store by a verified backup file (the current one is kept beside it) */
  restoreStore: (path: string) => invoke<B.Restored>('restore_store', { path }),
}

export function errorKind(e: unknown): string {
  return typeof e === 'object' && e !== null && 'kind' in e ? String((e as IpcError).kind) : 'store'
}

export function errorDetail(e: unknown): string {
  return typeof e === 'object' && e !== null && 'detail' in e ? String((e as IpcError).detail) : String(e)
}
