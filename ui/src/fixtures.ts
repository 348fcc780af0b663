// Sample data shared by the component tests, typed by the generated bindings: a case as
// get_case returns it, its checklist and project, and builders of the replies several tests
// repeat (a case page, a case list line, an audit event, a fee quote, an identifier check).
import type { AuditEvent, Briefing, CaseCapabilities, CaseData, CaseSeal, CaseSteps, CaseSummary, CaseView, Checked, EventDetails, FeeLine, FeeQuote, IntakeForm, Labels, MaterialItem, MaterialReceived, MaterialsState, ProjectView, Role } from './bindings'

/** The case JSON of get_case: the case data (with the checklist the clerk ticked) and the fields
 *  the store adds on export. */
export type CaseJson = CaseData & { number: string; status: string; created_at: string; updated_at: string; digest: string; seals?: CaseSeal[] }

// `satisfies` rather than a type annotation: the tests read `sampleCase.organization` without a
// null check, and the literal values stay what they are.
export const sampleCase = {
  number: 'GZ01-20261120-0001', status: 'draft', project: 'netca-gd-pension', business: 'new', cert_kind: 'organization', years: 3, quantity: 1, medium: 'usb_key',
  organization: { name: '广州市示例科技有限公司', department: null, uscc: '91440101MA59ABCD1D', org_code: null, other_id: null, phone: '020-83561234', email: null, postcode: '510110', legal_address: '广州市越秀区', mailing_address: null, legal_rep: { name: '李明', id_type: 'resident_id', id_number: '440304199207271516', mobile: null } },
  handler: { name: '张伟', id_type: 'resident_id', id_number: '440106198503142038', mobile: '13800138000', email: null, address: null },
  employees: [], payment: { method: 'card', payer_account: null, payer_name: '广州市示例科技有限公司', amount: '700.00', date: null }, notes: '',
  materials: [{ id: 'license', original_seen: true, copies_received: 1 }, { id: 'form', original_seen: false, copies_received: 1 }],
  created_at: '2026-11-20T09:30:00+08:00', updated_at: '2026-11-20T09:30:00+08:00', digest: '5d41402abc4b2a76b9719d911017c592ae4ef3e0c5f1a3b6c2d8e7f9a0b1c2d3',
} satisfies CaseJson

export const sampleChecklist: MaterialItem[] = [
  { id: 'form', text: '《单位法人数字证书申请表》', kind: 'form', original: false, copies: 2, stamped: true, optional: false, note: null },
  { id: 'license', text: '《统一社会信用代码证书》', kind: 'document', original: true, copies: 1, stamped: true, optional: false, note: null },
]

/** What the clerk must know about the sample project (ProjectView.briefing): a project with
 *  nothing to say has empty lists and nulls. */
export function briefingOf(over: Partial<Briefing> = {}): Briefing {
  return { ca_name: '广东省电子商务认证有限公司', notes: [], bank: null, default_pin: null, rules: [], hours: '周一至周五 9:00-17:00', phone: ['020-83487000'], postal_address: null, ...over }
}

/** The project of the sample case as catalog_projects lists it. */
export const sampleProject: ProjectView = { id: 'netca-gd-pension', ca_name: '广东省电子商务认证有限公司', ca_short: '网证通', service: '养老', cert_kinds: ['organization'], business_types: ['new'], media: ['usb_key'], years: [1, 2, 3], forms: 3, briefing: briefingOf(), reads_old_key: false }

/** The sample case's materials against its checklist (CaseView.materials): all handed in, so
 *  that it may be submitted and approved (`lackingMaterials`: the form lacks a copy). */
export const sampleMaterials: MaterialsState = {
  recorded: true,
  items: [
    { id: 'form', text: '《单位法人数字证书申请表》', state: 'received', to_follow: null },
    { id: 'license', text: '《统一社会信用代码证书》', state: 'received', to_follow: null },
  ],
  missing: [],
}
/** The sample checklist with the form lacking a copy: submission and approval wait for it. */
export const lackingMaterials: MaterialsState = {
  recorded: true,
  items: [
    { id: 'form', text: '《单位法人数字证书申请表》', state: 'missing', to_follow: null },
    { id: 'license', text: '《统一社会信用代码证书》', state: 'received', to_follow: null },
  ],
  missing: [{ id: 'form', text: '《单位法人数字证书申请表》', to_follow: null }],
}

/** materials_state's reply for `received` against `checklist`: the backend's states
 *  (`MaterialItem::state` in the catalog), as a test shape for the mocks. */
export function materialsOf(checklist: MaterialItem[], received: MaterialReceived[]): MaterialsState {
  const items = checklist.map((it) => {
    const got = received.find((m) => m.id === it.id)
    const inFull = !!got && (!(it.original || it.kind === 'old_key' || it.copies === 0) || got.original_seen) && got.copies_received >= it.copies
    const promised = !!got?.to_follow?.trim()
    const state = inFull ? 'received' : it.optional ? 'optional' : promised ? 'to_follow' : 'missing'
    return { id: it.id, text: it.text, state, to_follow: state === 'to_follow' ? (got?.to_follow ?? null) : null } as const
  })
  const missing = items.filter((i) => i.state === 'missing' || i.state === 'to_follow').map((i) => ({ id: i.id, text: i.text, to_follow: i.to_follow }))
  return { recorded: received.length > 0, items, missing }
}

/** materials_all_received's reply (全部收齐, `materials::all_received` in the desk): every required
 *  line in full, an optional one as recorded, as a test shape for the mocks. */
export function allReceivedOf(checklist: MaterialItem[], received: MaterialReceived[]): MaterialReceived[] {
  return checklist.flatMap((it) => {
    const got = received.find((m) => m.id === it.id)
    if (it.optional) return got ? [got] : []
    const seen = it.original || it.kind === 'old_key' || it.copies === 0
    return [{ id: it.id, original_seen: seen || !!got?.original_seen, copies_received: Math.max(got?.copies_received ?? 0, it.copies) }]
  })
}

/** The status and role lists of app_status (the backend's, from the domain): a test shape. */
export const sampleLabels: Labels = {
  statuses: [
    { id: 'draft', zh: '草稿', en: 'Draft' }, { id: 'accepted', zh: '已受理', en: 'Accepted' }, { id: 'submitted', zh: '待复核', en: 'Submitted' },
    { id: 'approved', zh: '复核通过', en: 'Approved' }, { id: 'returned', zh: '已退回', en: 'Returned' }, { id: 'key_issued', zh: '已制证', en: 'Key issued' },
    { id: 'delivered', zh: '已交付', en: 'Delivered' }, { id: 'closed', zh: '已归档', en: 'Closed' }, { id: 'cancelled', zh: '已作废', en: 'Cancelled' },
  ],
  roles: [{ id: 'admin', zh: '管理员', en: 'Administrator' }, { id: 'clerk', zh: '受理员', en: 'Clerk' }, { id: 'supervisor', zh: '复核员', en: 'Supervisor' }, { id: 'key_clerk', zh: '制证员', en: 'Key clerk' }],
}

/** What the backend's workflow offers on a case of `status` to an account with `roles` who did
 *  not shape it: the `can` of get_case, for the mocks. The rules live in Rust; this is data. */
export function capsFor(status: string, roles: readonly string[] = ['clerk']): CaseCapabilities {
  const [clerk, sup, key] = ['clerk', 'supervisor', 'key_clerk'].map((r) => roles.includes(r))
  const act = (action: string, needs_reason = false) => ({ action, needs_reason, waits_for: null as string | null, signed: false })
  const actions = []
  if (clerk && status === 'draft') actions.push(act('accept'))
  if (clerk && ['accepted', 'returned'].includes(status)) actions.push(act('submit'))
  if (sup && status === 'submitted') actions.push(act('approve'), act('return', true))
  if (key && status === 'key_issued') actions.push(act('deliver'))
  if ((clerk || key) && status === 'delivered') actions.push(act('close'))
  if ((clerk || sup) && !['closed', 'cancelled'].includes(status)) actions.push(act('cancel', true))
  const editable = ['draft', 'accepted', 'returned', 'submitted', 'approved'].includes(status)
  return { actions, edit: clerk && editable, attach: clerk && editable, print: !['closed', 'cancelled'].includes(status), key_desk: key && ['approved', 'key_issued'].includes(status), withdraw_certs: [], reissue_certs: [] }
}

/** get_case's reply for `c` as an account with `roles` sees it: no history or files unless given,
 *  the sample checklist's state, nobody with a 姓名. */
export function caseView(c: CaseJson, roles: readonly string[] = ['clerk'], over: Partial<CaseView> = {}): CaseView {
  const view: CaseView = { case: c, history: [], attachments: [], can: capsFor(c.status, roles), steps: stepsOf(c.number, c.status), materials: sampleMaterials, people: {}, payment_capital: null, unit_proof_offered: false, notices: [], hold: { held: null, may_hold: roles.includes('supervisor'), may_release: false }, ...over }
  // the desk's case_view: submission and approval wait while a required item is neither in nor promised
  if (!over.can && view.materials.missing.some((m) => !m.to_follow)) {
    for (const a of view.can.actions) if (a.action === 'submit' || a.action === 'approve') a.waits_for = 'materials_missing'
  }
  return view
}

/** The plan of the sample case (a new key, then delivery), done as far as `status` shows. */
export function stepsOf(number: string, status: string): CaseSteps {
  const plan: [string, string, Role][] = [
    ['accept', '受理', 'clerk'], ['submit', '提交复核', 'clerk'], ['approve', '复核通过', 'supervisor'],
    ['key_init', '初始化Key', 'key_clerk'], ['key_generate', '生成密钥对和证书请求', 'key_clerk'], ['cert_import', '导入CA签发的证书', 'key_clerk'],
    ['cert_write', '写入证书', 'key_clerk'], ['deliver', '交付', 'key_clerk'], ['close', '归档', 'clerk'],
  ]
  const reached: Record<string, number> = { draft: 0, accepted: 1, returned: 1, submitted: 2, approved: 3, key_issued: 7, delivered: 8, closed: 9, cancelled: 0 }
  const n = reached[status] ?? 0
  const steps = plan.map(([id, title, role], i) => ({ id, title, role, done: i < n, key_desk: role === 'key_clerk' && id !== 'deliver', needs_reference: false, at: null }))
  const open = !['closed', 'cancelled'].includes(status)
  return { number, status, steps, next: open ? (steps.find((s) => !s.done)?.id ?? null) : null, certs: [] }
}

/** A line of list_cases / search_cases / review_queue for the sample organisation. */
export function summaryOf(number: string, status: string, over: Partial<CaseSummary> = {}): CaseSummary {
  return { number, status, project: 'netca-gd-pension', business: 'new', cert_kind: 'organization', organization: '广州市示例科技有限公司', handler: '张伟', created_at: '2026-11-20T09:30:00+08:00', updated_at: '2026-11-20T09:45:00+08:00', ...over }
}

/** An audit event of the sample case; the detail is the one the store writes for `action`
 *  (EventDetails), the hashes are placeholders the UI does not check. */
export function auditEvent<A extends keyof EventDetails>(seq: number, at: string, actor: string, action: A, detail: EventDetails[A]): AuditEvent {
  const hash = (n: number) => n.toString(16).padStart(64, '0')
  return { seq, at, actor, action, case_number: sampleCase.number, digest_before: seq > 1 ? sampleCase.digest : null, digest_after: sampleCase.digest, detail, prev_hash: hash(seq - 1), hash: hash(seq) }
}

/** fee_quote's reply for the sample case's choices: `lines` priced, their amounts summed. */
export function feeQuote(years: number | null, quantity: number, total: string, totalCapital: string, items: FeeLine[] = []): FeeQuote {
  return { project: 'netca-gd-pension', business: 'new', cert_kind: 'organization', medium: 'usb_key', years, quantity, items, total, total_capital: totalCapital, due: total, note: null }
}

/** validate_ident's reply for a valid identifier, normalised as the backend does. */
export function identOk(value: string, normalized: string = value, kind = 'mobile'): Checked {
  return { kind, value, valid: true, normalized, error: null, error_code: null, error_zh: null, warnings: [] }
}

/** validate_ident's reply for an invalid one: the backend always sends all three of the
 *  problem's English text, its code (`checksum`, `length`, `format`…) and its Chinese text. */
export function identBad(value: string, code: string, error: string, errorZh: string, kind = 'mobile'): Checked {
  return { kind, value, valid: false, normalized: null, error, error_code: code, error_zh: errorZh, warnings: [] }
}

/** The backend's intake form model (intake_form) for a request, as the Rust side decides it for
 *  the catalog's projects: an annex for employee certificates, the unit for all but personal
 *  ones, years for 新申请 and 续期; `sections` as a test gives them (none: the page's own fields). */
export function intakeModel(business: string, certKind: string, sections: IntakeForm['sections'] = []): IntakeForm {
  return {
    project: 'netca-gd-pension', business: business as IntakeForm['business'], cert_kind: certKind as IntakeForm['cert_kind'], medium: 'usb_key',
    takes_years: business === 'new' || business === 'renew', has_organization: certKind !== 'personal', has_annex: certKind === 'employee',
    counts_as_person: ['name', 'id_number', 'email'], rules: [], sections,
  }
}
