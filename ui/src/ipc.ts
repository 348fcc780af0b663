// The typed IPC layer: one function per Tauri command; errors arrive as {kind, detail}.
// The shapes mirror the Rust types of src-tauri (see src-tauri/src/commands*.rs); PINs pass
// through here only as arguments of the key desk calls and are never stored by the UI.
import { invoke, type InvokeOptions } from '@tauri-apps/api/core'
import { sessionLocked } from './lock'

import type * as B from './bindings'
import type { ScanFile, Actor, AppStatus, CaseSummary, Checked, ProjectView, FeeQuote, IpcError, MaterialItem, Printed, PrintOutcome, Exported, DailyLedger, Expiring, KeySlots, CasePage, PickKind } from './bindings'

// The shapes are generated from the Rust types (./bindings.ts, checked by a Rust test); the
// names below are the UI's. Two fields the Rust side keeps as free JSON are typed as records.

/** Case JSON and event details as the UI reads them: free-form objects whose field names are a
 *  contract that only ever grows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON read field by field, as documented above
export type JsonObject = Record<string, any>
export type { ScanFile, Actor, AppStatus, CaseSummary, Checked, ProjectView, FeeQuote, IpcError, FieldProblem, MaterialItem, Printed, PrintOutcome, Sheet, Exported, LedgerRow, DailyLedger, Expiring, KeySlots, CaseSteps, StepState, CaseCapabilities, InvoiceRow, CaseRow, WithdrawnCert, Missing, CasePage, PickKind, RaView, DueList, PromisedCase, AwaitingCase, ImportReport, Credit, CreditState } from './bindings'
/** An audit event whose `detail` has the type the store writes for its action (EventDetails,
 *  generated from `certdesk_store::detail`): `e.action === 'return'` narrows `e.detail`. */
export type AuditEvent = {
  [A in keyof B.EventDetails]: Omit<B.AuditEvent, 'action' | 'detail'> & { action: A; detail: B.EventDetails[A] }
}[keyof B.EventDetails]
export type CaseView = Omit<B.CaseView, 'case' | 'history'> & { case: JsonObject; history: AuditEvent[] }
export type Attachment = B.AttachmentInfo
export type FormPreview = B.Preview
export type SetUp = B.SetUp
export type StorePlaceView = B.StorePlaceView
export type HallStatus = B.HallStatus
export type CardForIntake = B.CardForIntake
export type SealSample = B.SampleView
export type SealRow = B.RowView
export type SealVerdict = B.Verdict
/** Why the importer gave a label (#34): the quantity, its value and the limit it went past. */
export type SealFinding = B.FindingView
/** A seal image kept with a case as the case JSON's `seals` lists it, with the clerk's acceptance. */
export type CaseSeal = B.CaseSeal
export type SlotToken = B.TokenView
export type Slot = B.SlotView
export type Reader = B.ReaderState
export type KeyStep = Omit<B.StepView, 'detail'> & { detail: JsonObject | null }
export type KeyStatus = Omit<B.KeyStatus, 'steps'> & { steps: KeyStep[] }
export type KeyContents = B.Contents
export type CertState = B.CertState
export type BatchView = B.BatchView
export type AnswerRefusal = B.AnswerRefusal
export type Account = B.AccountView

/** What the clerk ticked for a checklist line, kept in the case JSON as `materials: [...]`; a
 *  required line not handed in carries the applicant's promise (`to_follow`, 后补说明). */
export type MaterialReceived = B.MaterialReceived
/** The case's checklist lines not received in full, with what the applicant promised. */
export type MaterialsState = B.MaterialsState
/** What the clerk must know about a project at intake (notes, bank, default PIN, rules). */
export type Briefing = B.Briefing
/** The settings an administrator edits (`get_settings` returns them all as strings). */
export interface Settings { counter_code: string; counter_name: string; counter_address: string; pkcs11_module: string; printer: string; export_dir: string; scan_folder: string; print_dir: string; backup_dir: string; idcard_port: string; idcard_library: string; idcard_usb_port: string; default_project: string; idle_minutes: string; password_max_age_days: string; retention_years: string; key_sign_in_roles: string; closures: string }

/** The arguments of a command that takes none: invoke sends `{}` for them. */
export type NoArgs = Record<string, never>

/** Every Tauri command the UI calls: its name as invoked, the argument object exactly as sent
 *  (Tauri maps the camelCase keys to the Rust parameters), and the result as the backend
 *  serialises it (the generated bindings; `()` arrives as `null`). The raw-body commands take
 *  the bytes as their arguments and read the rest from headers. The test backend
 *  (testing/backend.ts) is typed from this too, so a mock cannot answer what Rust never sends. */
export interface Commands {
  app_status: { args: NoArgs; result: AppStatus }
  setup_admin: { args: { name: string; password: string; counterCode: string; counterName: string }; result: SetUp }
  /** the account, and must_change: its password is due (the window shows only the change form) */
  login: { args: { name: string; password: string; pin: string | null }; result: B.SignedIn }
  logout: { args: NoArgs; result: null }
  lock_session: { args: NoArgs; result: null }
  unlock_session: { args: { password: string; pin: string | null }; result: Actor }
  /** whether the session's USB key is still plugged in; pulled out, the backend locks the session (#31) */
  staff_key_watch: { args: NoArgs; result: B.KeyWatch }
  change_own_password: { args: { current: string; password: string }; result: null }

  search_cases: { args: { text: string }; result: CaseSummary[] }
  list_cases: { args: { status: string | null; project: string | null; from: string | null; to: string | null }; result: CaseSummary[] }
  pick_path: { args: { kind: PickKind; start: string | null }; result: string | null }
  list_printers: { args: NoArgs; result: string[] }
  case_page: { args: { text: string | null; status: string | null; project: string | null; from: string | null; to: string | null; offset: number; limit: number }; result: CasePage }
  get_case: { args: { number: string }; result: B.CaseView }
  import_case: { args: { json: string }; result: B.Imported }
  update_case: { args: { number: string; json: string }; result: B.Imported }
  case_action: { args: { number: string; action: string; reason: string | null; acceptToFollow: boolean | null; pin: string | null }; result: string }
  case_steps: { args: { number: string }; result: B.CaseSteps }
  complete_step: { args: { number: string; step: string; reference: string | null; courier: string | null; waybill: string | null; recipient: string | null; recipientId: string | null; acceptToFollow: boolean | null }; result: B.CaseSteps }
  review_queue: { args: NoArgs; result: B.QueuedCase[] }

  validate_ident: { args: { kind: string; value: string }; result: Checked }
  catalog_projects: { args: NoArgs; result: ProjectView[] }
  catalog_checklist: { args: { project: string; business: string; certKind: string; holders: number | null }; result: MaterialItem[] }
  /** the intake's form for a request (#71): sections, fields, what is required and why, the rules */
  intake_form: { args: { project: string; business: string; certKind: string; medium: string }; result: B.IntakeForm }
  /** quantity: an employee case is quoted for its employees (the backend counts them) */
  /** rows: an employee case's annex rows (business type, years), priced row by row (#71) */
  fee_quote: { args: { project: string; business: string; certKind: string; medium: string; years: number | null; quantity: number; employees: number | null; rows: B.RowOrder[] | null; paymentMethod: string | null }; result: FeeQuote }
  materials_state: { args: { project: string; business: string; certKind: string; received: MaterialReceived[]; holders: number | null }; result: MaterialsState }
  materials_all_received: { args: { project: string; business: string; certKind: string; received: MaterialReceived[]; holders: number | null }; result: MaterialReceived[] }
  save_draft: { args: { json: string }; result: null }
  load_draft: { args: NoArgs; result: string | null }
  clear_draft: { args: NoArgs; result: null }

  preview_forms: { args: { number: string; form: string | null }; result: B.Preview }
  print_forms: { args: { number: string; form: string | null }; result: Printed }
  print_sheets: { args: { number: string; width: number; height: number }; result: PrintOutcome }

  import_seal_scan: { args: Uint8Array; result: B.Verdict }
  scan_folder_files: { args: NoArgs; result: ScanFile[] }
  import_seal_from_folder: { args: { number: string; name: string; dpi: number | null }; result: B.Verdict }
  attachment_url: { args: { number: string; name: string }; result: string }

  key_slots: { args: NoArgs; result: KeySlots }
  intake_unit_key: { args: { uscc: string }; result: B.UnitCertificate }
  intake_triage: { args: { project: string; typed: B.Typed | null }; result: B.Triage }
  case_prove_unit: { args: { number: string; pin: string }; result: B.UnitProof }
  intake_on_file: { args: { typed: B.IntakeTyped }; result: B.IntakeOnFile }
  key_queue: { args: NoArgs; result: CaseSummary[] }
  key_status: { args: { number: string; cert: number | null; plugged: string | null }; result: B.KeyStatus }
  key_init: { args: { number: string; slotIndex: number; label: string; soPin: string; userPin: string; cert: number | null }; result: B.TokenView }
  key_generate: { args: { number: string; serial: string; pin: string; algo: string; employee: number | null; cert: number | null }; result: B.Generated }
  key_import_cert: { args: Uint8Array; result: B.ImportedCert }
  key_import_answers: { args: Uint8Array; result: B.BatchImported }
  key_write_cert: { args: { number: string; serial: string; pin: string; cert: number | null }; result: B.Written }
  key_import_enc: { args: Uint8Array; result: B.EncWritten }
  key_write_seal: { args: { number: string; serial: string; pin: string; cert: number | null }; result: B.SealWritten }
  case_withdraw_cert: { args: { number: string; cert: number; reason: string }; result: B.CaseSteps }
  case_reissue: { args: { number: string; cert: number; reason: string }; result: B.CaseSteps }
  case_hold: { args: { number: string; reason: string }; result: B.CaseView }
  case_release_hold: { args: { number: string }; result: B.CaseView }
  employees_read: { args: { file: string; business: string | null; years: number | null; existing: B.Employee[] }; result: B.Employee[] }
  key_verify: { args: { serial: string; pin: string; number: string | null }; result: B.Contents }
  key_batch_pins: { args: { number: string; soPin: string; userPin: string }; result: B.BatchPinsHeld }
  key_batch_pins_forget: { args: NoArgs; result: B.BatchPinsHeld }
  key_export_requests: { args: { number: string }; result: B.RequestsFolder }
  key_enrol: { args: { number: string; serial: string; pin: string | null; algo: string; cert: number | null }; result: B.Enrolled }
  ra_show: { args: { project: string }; result: B.RaView | null }
  ra_set: { args: { project: string; url: string; caCert: string; challenge: string }; result: B.RaView }
  ra_try: { args: { project: string }; result: B.RaView }
  ra_clear: { args: { project: string }; result: null }
  key_unlock: { args: { serial: string; soPin: string; newPin: string; number: string | null }; result: B.TokenView }
  key_wipe: { args: { serial: string; soPin: string; number: string | null }; result: B.TokenView }

  report_daily: { args: { date: string }; result: DailyLedger }
  /** 日结 with the supervisor's USB key (#31): the PIN only for this call */
  day_close: { args: { date: string; pin: string }; result: B.DayVerdict }
  day_verify: { args: { date: string }; result: B.DayVerdict }
  /** the ledger printed into the print folder, with the close's QR code once closed */
  report_daily_print: { args: { date: string }; result: B.LedgerPrinted }
  report_expiring: { args: { days: number }; result: Expiring[] }
  due_list: { args: { day: string }; result: B.DueList }
  payments_import: { args: { name: string; file: string }; result: B.ImportReport }
  payments_list: { args: { open: boolean }; result: B.Credit[] }
  payments_confirm: { args: { credit: string; cases: string[] }; result: string[] }
  export_report: { args: { kind: 'daily' | 'expiring' | 'invoices' | 'due'; format: 'csv' | 'xlsx'; arg: string }; result: Exported }
  audit_log: { args: { query: B.AuditQuery }; result: B.AuditPage }
  export_audit_log: { args: { query: B.AuditQuery; format: 'csv' | 'xlsx' }; result: Exported }

  list_accounts: { args: NoArgs; result: B.AccountView[] }
  /** USB key enrolments (#31): every account's, current and ended */
  key_enrolments: { args: NoArgs; result: B.Enrolment[] }
  /** an operator certificate bound to an account: the certificate and the operator CA's file, Base64 */
  enrol_key: { args: { name: string; cert: string; chain: string }; result: B.Enrolment }
  revoke_key: { args: { name: string; reason: string }; result: B.Enrolment }
  add_account: { args: { name: string; roles: string[]; password: string }; result: null }
  set_account_roles: { args: { name: string; roles: string[] }; result: null }
  set_display_name: { args: { name: string; displayName: string }; result: null }
  reset_password: { args: { name: string; password: string }; result: null }
  disable_account: { args: { name: string }; result: null }
  unlock_account: { args: { name: string }; result: null }
  get_settings: { args: NoArgs; result: Settings }
  set_setting: { args: { key: keyof Settings; value: string }; result: null }
  check_key_library: { args: { path: string }; result: B.LibraryCheck }
  sign_ins: { args: NoArgs; result: B.SignIns }
  recovery_sheet: { args: { key: string }; result: B.RecoverySheet }
  save_recovery_key: { args: { key: string; path: string }; result: string }
  print_recovery_sheet: { args: NoArgs; result: PrintOutcome }
  open_help: { args: { topic: B.HelpTopic }; result: null }
  backup_store: { args: NoArgs; result: B.BackedUp }
  cancel_backup: { args: NoArgs; result: null }
  purge_preview: { args: NoArgs; result: B.PurgeReport }
  purge_run: { args: NoArgs; result: B.PurgeReport }
  restore_store: { args: { path: string }; result: B.Restored }
  store_place: { args: NoArgs; result: B.StorePlaceView }
  hall_status: { args: NoArgs; result: B.HallStatus | null }
  idcard_poll: { args: NoArgs; result: B.CardForIntake | null }
  intake_project: { args: NoArgs; result: string | null }
  set_store_place: { args: { kind: 'file' | 'hall'; url: string | null; password: string | null }; result: B.StorePlaceView }
  recent_logs: { args: { lines?: number }; result: string[] }
  export_logs: { args: NoArgs; result: B.LogExport }
  accept_seal_sample: { args: { number: string; row: number; col: number; note: string | null }; result: B.Verdict }
}

/** Bytes as Base64 (a file that travels in a header beside a raw body). */
function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}

/** The one way to the backend: the name, the arguments and the result type all come from
 *  `Commands`, so a typo or a changed argument is a type error here rather than at run time. */
function call<K extends keyof Commands>(cmd: K, args: Commands[K]['args'], options?: InvokeOptions): Promise<Commands[K]['result']> {
  return invoke<Commands[K]['result']>(cmd, args, options).catch((e: unknown) => {
    // any refusal of a locked session shows the lock screen (another window, a sleep, the backend's own idle time)
    if (errorKind(e) === 'session_locked') sessionLocked.value = true
    throw e
  })
}

export const api = {
  appStatus: () => call('app_status', {}),
  setupAdmin: (name: string, password: string, counterCode: string, counterName: string) => call('setup_admin', { name, password, counterCode, counterName }),
  /** `pin`: the account's own USB key's, once the backend said `key_required` (#31) */
  login: (name: string, password: string, pin?: string) => call('login', { name, password, pin: pin ?? null }),
  logout: () => call('logout', {}),
  /** locks this window's session (the idle timer): the desks stay, the backend refuses them until unlocked */
  lockSession: () => call('lock_session', {}),
  /** the same account's password opens the locked session again */
  /** `pin`: the session's USB key's, once the backend said `key_required` (#31) */
  unlockSession: (password: string, pin?: string) => call('unlock_session', { password, pin: pin ?? null }),
  /** the session's USB key looked for (#31): pulled out, the session is locked by the backend */
  staffKeyWatch: () => call('staff_key_watch', {}),
  /** one's own password, with the current one (policy and the last 5 checked by the backend) */
  changeOwnPassword: (current: string, password: string) => call('change_own_password', { current, password }),

  // cases
  searchCases: (text: string) => call('search_cases', { text }),
  /** filters: status, project, created from/to as YYYY-MM-DD (local days), all optional */
  /** the system's picker for a folder, the key's driver library or a backup; null when cancelled */
  pickPath: (kind: PickKind, start: string | null) => call('pick_path', { kind, start }),
  /** the system's printers, its default first (none where it has no print service) */
  listPrinters: () => call('list_printers', {}),
  /** a page of the case list with the total of every match (the text searched, the filters) */
  casePage: (q: { text?: string; status?: string; project?: string; from?: string; to?: string }, offset: number, limit: number) =>
    call('case_page', { text: q.text || null, status: q.status || null, project: q.project || null, from: q.from || null, to: q.to || null, offset, limit }),
  listCases: (status?: string, project?: string, from?: string, to?: string) =>
    call('list_cases', { status: status ?? null, project: project ?? null, from: from ?? null, to: to ?? null }),
  // the case JSON is free JSON on the wire, read as a record; event details typed by their action
  getCase: (number: string) => call('get_case', { number }) as Promise<CaseView>,
  importCase: (json: string) => call('import_case', { json }),
  /** replaces the case data (draft/accepted/returned cases; recorded on the audit chain) */
  updateCase: (number: string, json: string) => call('update_case', { number, json }),
  /** acceptToFollow: approving, the supervisor accepts the materials to follow (材料后补) */
  /** `pin`: an approval signed with the supervisor's USB key (#31) */
  caseAction: (number: string, action: string, reason?: string, acceptToFollow?: boolean, pin?: string) =>
    call('case_action', { number, action, reason: reason ?? null, acceptToFollow: acceptToFollow ?? null, pin: pin ?? null }),
  /** the case's steps to 归档 and the next one */
  caseSteps: (number: string) => call('case_steps', { number }),
  /** does the case's next step when it is not a key-desk operation */
  completeStep: (number: string, step: string, w: { reference?: string; courier?: string; waybill?: string; recipient?: string; recipientId?: string; acceptToFollow?: boolean } = {}) =>
    call('complete_step', {
      number, step, reference: w.reference ?? null, courier: w.courier ?? null, waybill: w.waybill ?? null, recipient: w.recipient ?? null,
      recipientId: w.recipientId ?? null, acceptToFollow: w.acceptToFollow ?? null,
    }),
  /** submitted cases this account may approve (its own cases are left out by the backend) */
  reviewQueue: () => call('review_queue', {}),

  // intake helpers
  validateIdent: (kind: string, value: string) => call('validate_ident', { kind, value }),
  catalogProjects: () => call('catalog_projects', {}),
  /** `holders`: the order's certificate holders (annex rows), counted by per-holder copies (#72) */
  catalogChecklist: (project: string, business: string, certKind: string, holders?: number) => call('catalog_checklist', { project, business, certKind, holders: holders || null }),
  /** what the intake asks for this request, decided by the backend from the catalog and the layouts */
  intakeForm: (project: string, business: string, certKind: string, medium: string) => call('intake_form', { project, business, certKind, medium }),
  /** the fee, and the quantity it is for: `employees` listed on an employee case set it; with
   *  the annex's `rows` (each row's business type and years) it is priced row by row, one
   *  group of lines per business type and years (`groups`) */
  /** the fee; `due` is what `paymentMethod` pays (the backend decides: nothing for 免费) */
  feeQuote: (project: string, business: string, certKind: string, medium: string, years: number | null, quantity: number, employees?: number, rows?: B.RowOrder[], paymentMethod?: string) =>
    call('fee_quote', { project, business, certKind, medium, years, quantity, employees: employees ?? null, rows: rows ?? null, paymentMethod: paymentMethod || null }),
  /** each checklist item's state for what is ticked (received, optional, to follow, missing) */
  materialsState: (project: string, business: string, certKind: string, received: MaterialReceived[], holders?: number) => call('materials_state', { project, business, certKind, received, holders: holders || null }),
  /** 全部收齐: the checklist's lines as the backend ticks them (every required item in full, an optional one as it was) */
  materialsAllReceived: (project: string, business: string, certKind: string, received: MaterialReceived[], holders?: number) => call('materials_all_received', { project, business, certKind, received, holders: holders || null }),
  /** the intake draft of the signed-in account (any JSON text), kept in the store */
  saveDraft: (json: string) => call('save_draft', { json }),
  loadDraft: () => call('load_draft', {}),
  clearDraft: () => call('clear_draft', {}),

  // printing
  previewForms: (number: string, form?: string) => call('preview_forms', { number, form: form ?? null }),
  /** renders the forms: the PDF kept in the print folder, and the sheets to print */
  printForms: (number: string, form?: string) => call('print_forms', { number, form: form ?? null }),
  /** the system print dialog for the sheets the window shows, on their paper without margins */
  printSheets: (number: string, width: number, height: number) => call('print_sheets', { number, width, height }),

  // seal sheet: the scan's bytes go as the raw body
  importSealScan: (number: string, fileName: string, bytes: Uint8Array, dpi?: number) =>
    call('import_seal_scan', bytes, { headers: { 'x-case': number, 'x-file-name': encodeURIComponent(fileName), 'x-dpi': dpi ? String(dpi) : '' } }),
  /** the newest scans in the configured scanner folder (error kind no_scan_folder when none is set) */
  scanFolderFiles: () => call('scan_folder_files', {}),
  /** imports a scan from the scanner folder by its plain file name */
  importSealFromFolder: (number: string, name: string, dpi?: number) => call('import_seal_from_folder', { number, name, dpi: dpi ?? null }),
  attachmentUrl: (number: string, name: string) => call('attachment_url', { number, name }),

  // key desk
  keySlots: () => call('key_slots', {}),
  /** the unit's organisation certificate on the key it brings, or why there is none (#71) */
  intakeUnitKey: (uscc: string) => call('intake_unit_key', { uscc }),
  intakeTriage: (project: string, typed: B.Typed | null) => call('intake_triage', { project, typed }),
  caseProveUnit: (number: string, pin: string) => call('case_prove_unit', { number, pin }),
  intakeOnFile: (typed: B.IntakeTyped) => call('intake_on_file', { typed }),
  /** the cases the key desk works on (approved, and those whose key is being issued) */
  keyQueue: () => call('key_queue', {}),
  // the steps' details are free JSON on the wire, read as records like the case's
  /** certificate `cert`, else the one the desk works on next with the key `plugged` (its serial) in the reader */
  keyStatus: (number: string, cert?: number | null, plugged?: string | null) => call('key_status', { number, cert: cert ?? null, plugged: plugged ?? null }) as Promise<KeyStatus>,
  keyInit: (number: string, slotIndex: number, label: string, soPin: string, userPin: string, cert?: number) =>
    call('key_init', { number, slotIndex, label, soPin, userPin, cert: cert ?? null }),
  /** generates the key pair on the key and writes the request package; returns its path */
  keyGenerate: (number: string, serial: string, pin: string, algo: string, employee?: number, cert?: number) =>
    call('key_generate', { number, serial, pin, algo, employee: employee ?? null, cert: cert ?? null }),
  /** the CA's answers for many certificates at once (several files), matched by public key;
   *  anything wrong refuses the whole batch (kind batch_refused, detail: the refusals as JSON) */
  keyImportAnswers: (number: string, files: { name: string; bytes: Uint8Array }[]) => {
    const body = new Uint8Array(files.reduce((n, f) => n + f.bytes.length, 0))
    let at = 0
    for (const f of files) {
      body.set(f.bytes, at)
      at += f.bytes.length
    }
    const listing = encodeURIComponent(JSON.stringify(files.map((f) => [f.name, f.bytes.length])))
    return call('key_import_answers', body, { headers: { 'x-case': number, 'x-files': listing } })
  },
  /** the issued certificate (PEM, DER or PKCS#7 bytes) as the raw body; checked against the case's request */
  keyImportCert: (number: string, bytes: Uint8Array) => call('key_import_cert', bytes, { headers: { 'x-case': number } }),
  keyWriteCert: (number: string, serial: string, pin: string, cert?: number) => call('key_write_cert', { number, serial, pin, cert: cert ?? null }),
  /** dual certificates: the CA's answer (the enveloped encryption key pair) as the raw body, the
   *  encryption certificate (absent when the answer carries it) in a header as Base64 */
  keyImportEnc: (number: string, serial: string, pin: string, answer: Uint8Array, encCert?: Uint8Array, cert?: number) => {
    const headers: Record<string, string> = { 'x-case': number, 'x-serial': serial }
    // no PIN: the batch's (#72)
    if (pin) headers['x-pin'] = encodeURIComponent(pin)
    if (cert) headers['x-cert'] = String(cert)
    if (encCert) headers['x-enc-cert'] = toBase64(encCert)
    return call('key_import_enc', answer, { headers })
  },
  keyWriteSeal: (number: string, serial: string, pin: string, cert?: number) => call('key_write_seal', { number, serial, pin, cert: cert ?? null }),
  /** a supervisor withdraws one certificate of a case, with a reason */
  caseWithdrawCert: (number: string, cert: number, reason: string) => call('case_withdraw_cert', { number, cert, reason }),
  /** a supervisor allows a second key for a written certificate (登记补办), with a reason */
  caseReissue: (number: string, cert: number, reason: string) => call('case_reissue', { number, cert, reason }),
  /** a supervisor freezes a case (冻结: a legal hold, not purged while held), with a reason */
  caseHold: (number: string, reason: string) => call('case_hold', { number, reason }),
  /** a supervisor releases a case's legal hold (解除冻结) */
  caseReleaseHold: (number: string) => call('case_release_hold', { number }),
  /** a unit's employee list (XLSX, XLS, CSV) read into the intake's table; kind employee_list lists the bad rows */
  employeesRead: (file: Uint8Array, business: string | null, years: number | null, existing: B.Employee[]) =>
    call('employees_read', { file: toBase64(file), business, years, existing }),
  /** an empty PIN: the batch's user PIN of case `number` (#72) */
  keyVerify: (serial: string, pin: string, number?: string) => call('key_verify', { serial, pin, number: number ?? null }),
  /** the SO PIN and the initial user PIN given once for case `number`'s keys, held by the backend (#72) */
  keyBatchPins: (number: string, soPin: string, userPin: string) => call('key_batch_pins', { number, soPin, userPin }),
  keyBatchPinsForget: () => call('key_batch_pins_forget', {}),
  /** online enrolment (#72): key pair, request with the RA's challenge, certificate back; '' PIN: the batch's */
  keyEnrol: (number: string, serial: string, pin: string, algo: string, cert?: number) =>
    call('key_enrol', { number, serial, pin: pin || null, algo, cert: cert ?? null }),
  /** a batch's requests waiting for the CA, with their packages, copied into one folder */
  keyExportRequests: (number: string) => call('key_export_requests', { number }),
  raShow: (project: string) => call('ra_show', { project }),
  raSet: (project: string, url: string, caCert: Uint8Array, challenge: string) => call('ra_set', { project, url, caCert: toBase64(caCert), challenge }),
  raTry: (project: string) => call('ra_try', { project }),
  raClear: (project: string) => call('ra_clear', { project }),
  /** with `number`: the unlock is that 解锁 case's step */
  keyUnlock: (serial: string, soPin: string, newPin: string, number?: string) => call('key_unlock', { serial, soPin, newPin, number: number ?? null }),
  /** with `number`: the wipe is that case's step (a returned key) */
  keyWipe: (serial: string, soPin: string, number?: string) => call('key_wipe', { serial, soPin, number: number ?? null }),

  // reports
  reportDaily: (date: string) => call('report_daily', { date }),
  dayClose: (date: string, pin: string) => call('day_close', { date, pin }),
  dayVerify: (date: string) => call('day_verify', { date }),
  reportDailyPrint: (date: string) => call('report_daily_print', { date }),
  reportExpiring: (days: number) => call('report_expiring', { days }),
  /** the due list of a day (#73): due today, late, waiting on the applicant */
  dueList: (day: string) => call('due_list', { day }),
  /** a bank statement imported by an administrator (#73): its credits matched and recorded */
  paymentsImport: (name: string, file: Uint8Array) => call('payments_import', { name, file: toBase64(file) }),
  /** the credits recorded: those still to look at (`open`: proposed, unmatched, refused), else all */
  paymentsList: (open: boolean) => call('payments_list', { open }),
  /** a credit confirmed as the money of `cases` (a clerk's) */
  paymentsConfirm: (credit: string, cases: string[]) => call('payments_confirm', { credit, cases }),
  /** kind: 'daily' | 'expiring'; format: 'csv' | 'xlsx'; arg: the date (daily) or days (expiring) */
  exportReport: (kind: 'daily' | 'expiring' | 'invoices' | 'due', format: 'csv' | 'xlsx', arg: string) => call('export_report', { kind, format, arg }),
  auditLog: (query: B.AuditQuery) => call('audit_log', { query }),
  exportAuditLog: (query: B.AuditQuery, format: 'csv' | 'xlsx') => call('export_audit_log', { query, format }),

  // admin
  listAccounts: () => call('list_accounts', {}),
  keyEnrolments: () => call('key_enrolments', {}),
  enrolKey: (name: string, cert: Uint8Array, chain: Uint8Array) => call('enrol_key', { name, cert: toBase64(cert), chain: toBase64(chain) }),
  revokeKey: (name: string, reason: string) => call('revoke_key', { name, reason }),
  addAccount: (name: string, roles: string[], password: string) => call('add_account', { name, roles, password }),
  setAccountRoles: (name: string, roles: string[]) => call('set_account_roles', { name, roles }),
  /** an account's 姓名 (empty: show the login) */
  setDisplayName: (name: string, displayName: string) => call('set_display_name', { name, displayName }),
  resetPassword: (name: string, password: string) => call('reset_password', { name, password }),
  disableAccount: (name: string) => call('disable_account', { name }),
  unlockAccount: (name: string) => call('unlock_account', { name }),
  getSettings: () => call('get_settings', {}),
  /** keys of Settings; counter_code is checked by the backend */
  setSetting: (key: keyof Settings, value: string) => call('set_setting', { key, value }),
  checkKeyLibrary: (path: string) => call('check_key_library', { path }),
  signIns: () => call('sign_ins', {}),
  recoverySheet: (key: string) => call('recovery_sheet', { key }),
  saveRecoveryKey: (key: string, path: string) => call('save_recovery_key', { key, path }),
  printRecoverySheet: () => call('print_recovery_sheet', {}),
  /** the manual at the page of `topic` (F1), in a window of its own */
  openHelp: (topic: B.HelpTopic) => call('open_help', { topic }),
  /** a consistent copy of the store (VACUUM INTO), verified; returns its path */
  backupStore: () => call('backup_store', {}),
  /** stops the backup under way: nothing of it stays */
  cancelBackup: () => call('cancel_backup', {}),
  /** 保存期限 (#30): the cases past their retention and the held ones; nothing changed (administrators) */
  purgePreview: () => call('purge_preview', {}),
  /** removes the personal data of the cases past their retention, held cases kept (administrators) */
  purgeRun: () => call('purge_run', {}),
  /** replaces the store by a verified backup file (the current one is kept beside it) */
  restoreStore: (path: string) => call('restore_store', { path }),
  /** where this PC's store is and what is saved for the next start (administrators) */
  storePlace: () => call('store_place', {}),
  /** the hall's servers now (null on a store file): which takes writes, which this desk is on, the standbys' lag */
  hallStatus: () => call('hall_status', {}),
  /** a card newly laid on the counter's ID card reader, read and judged (null: none) */
  idcardPoll: () => call('idcard_poll', {}),
  /** the project a new intake starts with for this account */
  intakeProject: () => call('intake_project', {}),
  /** the store for the next start: this PC's file, or a hall checked with its password first */
  setStorePlace: (kind: 'file' | 'hall', url?: string, password?: string) => call('set_store_place', { kind, url: url ?? null, password: password ?? null }),
  /** the last lines of the app's log (administrators) */
  recentLogs: (lines?: number) => call('recent_logs', { lines }),
  /** the recent log lines written to the export folder, for support */
  exportLogs: () => call('export_logs', {}),
  /** the clerk takes an impression the importer doubted as its row's seal (#34); the new verdict */
  acceptSealSample: (number: string, row: number, col: number, note?: string) => call('accept_seal_sample', { number, row, col, note: note?.trim() ? note.trim() : null }),
}

export function errorKind(e: unknown): string {
  return typeof e === 'object' && e !== null && 'kind' in e ? String((e as IpcError).kind) : 'store'
}

export function errorDetail(e: unknown): string {
  return typeof e === 'object' && e !== null && 'detail' in e ? String((e as IpcError).detail) : String(e)
}
