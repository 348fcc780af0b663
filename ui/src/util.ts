// Small helpers shared by the views: IPC errors as Chinese text, debouncing, local dates,
// reading a dropped or picked file, a focus directive for the first field of a screen, a
// printed page as an image and a project's name.
import type { Directive } from 'vue'
import { errorDetail, errorKind, type FieldProblem, type ProjectView, type Sheet } from './ipc'
import { has, locale, t } from './i18n'

/** The message of an IPC error in the current locale (`errors.<kind>`). */
export function errText(e: unknown): string {
  const kind = errorKind(e)
  return has('errors.' + kind) ? t('errors.' + kind) : `${t('errors.unknown')}（${kind}）`
}

/** The backend's own detail text of an error, when it adds something to the message: not the
 *  structured lists some refusals carry for their screen (a batch's refused certificates, a
 *  roster's bad rows, the intake's field problems), which that screen lists itself. */
export function errSmall(e: unknown): string {
  const kind = errorKind(e)
  if (kind === 'invalid_case') return ''
  const d = errorDetail(e)
  if (!d || d === '[object Object]') return ''
  return isJson(d) ? '' : d
}
function isJson(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Whether a text has Han characters. */
export const hasHan = (s: string) => /\p{Script=Han}/u.test(s)

/** Whether a text is for a Chinese reader: more Han characters than Latin letters. The
 *  backend's details are English, quoting Chinese data (a holder's name) at most; a seed's rule
 *  or a field's 中文 message is Chinese. */
export const isChinese = (s: string) => (s.match(/\p{Script=Han}/gu)?.length ?? 0) > (s.match(/[A-Za-z]/g)?.length ?? 0)

/** The detail to show beside the message in the current locale: on zh-CN screens only a detail
 *  in Chinese (the backend's own words are English: each refusal has its kind, which the
 *  message names in Chinese); an English one stays available as the message's tooltip (errSmall). */
export function errShown(e: unknown): string {
  return detailShown(errSmall(e))
}
/** A backend detail as the screen shows it: all of it on English screens, on zh-CN screens only
 *  when it is Chinese (an English one goes in a tooltip). */
export function detailShown(d: string): string {
  if (locale.value !== 'zh-CN' || !d) return d
  return isChinese(d) ? d : ''
}

/** A backend reason written "中文 (English)" as the screen shows it: on zh-CN screens its Chinese
 *  part, or `fallback` when it has none (the whole text stays for the tooltip); else all of it. */
export function reasonShown(text: string, fallback = ''): string {
  if (locale.value !== 'zh-CN' || !text) return text
  const cut = text.indexOf(' (')
  const head = cut > 0 ? text.slice(0, cut) : text
  return hasHan(head) ? head : fallback
}

/** `invalid_case` errors carry a JSON array of FieldProblem in their detail. */
export function problemsOf(e: unknown): FieldProblem[] {
  if (errorKind(e) !== 'invalid_case') return []
  try {
    const v = JSON.parse(errorDetail(e))
    return Array.isArray(v) ? v : []
  } catch {
    return []
  }
}

export interface Debounced<A extends unknown[]> { (...args: A): void; cancel(): void; flush(): unknown }

/** fn after `ms` of quiet; flush() runs a pending call at once and returns what fn returned */
export function debounce<A extends unknown[]>(fn: (...args: A) => unknown, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null
  let last: A | null = null
  const d = ((...args: A) => {
    last = args
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => { timer = null; const a = last!; last = null; fn(...a) }, ms)
  }) as Debounced<A>
  d.cancel = () => { if (timer) clearTimeout(timer); timer = null; last = null }
  d.flush = () => {
    if (!timer) return undefined
    clearTimeout(timer)
    timer = null
    const a = last!
    last = null
    return fn(...a)
  }
  return d
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Today as YYYY-MM-DD in local time. */
export function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** An RFC 3339 time (the store keeps UTC) as `YYYY-MM-DD HH:MM:SS` in the counter's local time:
 *  a case taken at 09:30 in Beijing shows 09:30, not 01:30. Text that is no time stays as it is. */
export function fmtTime(s: string | null | undefined): string {
  if (!s) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** The same to the minute, `2026-11-22 14:05`: how lists and pages show a time. */
export function fmtMinute(s: string | null | undefined): string {
  return fmtTime(s).replace(/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}):\d{2}$/, '$1')
}

/** The counter's local day (YYYY-MM-DD) of an RFC 3339 time: what the date filters compare. */
export function localDay(s: string): string {
  return fmtTime(s).slice(0, 10)
}

export async function fileBytes(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer())
}

/** v-focus (or v-focus="cond"): focus the element when it is mounted (autofocus does not work for SPA views). */
export const vFocus: Directive<HTMLElement, boolean | undefined> = {
  mounted: (el, binding) => { if (binding.value !== false) el.focus() },
}

export function byteSize(n: number): string {
  return n < 1024 ? `${n} ${t('common.bytes')}` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** A printed page as an image the CSP allows (`data:`): the backend's SVG, glyphs as outlines. */
export const sheetUrl = (s: Sheet) => 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(s.svg)

/** A stored seal image (`seal:official_seal`) by its kind's name (公章); other names as they are. */
export function sealName(name: string): string {
  // the issued certificate the key desk keeps with the case (certdesk-desk issue::CERTIFICATE_ATTACHMENT)
  if (name === 'certificate') return t('detail.certificateFile')
  if (!name.startsWith('seal:')) return name
  const k = name.slice(5)
  return has('seal.kinds.' + k) ? t('seal.kinds.' + k) : k
}

/** A project as the counter names it (`网证通 · 养老`), its id when the catalog does not list it. */
export function projectName(projects: readonly ProjectView[], id: string): string {
  const p = projects.find((x) => x.id === id)
  return p ? `${p.ca_short} · ${p.service}` : id
}
/** The label of a case JSON path as the intake names the field (employees by their row): what
 *  the case page's warnings show instead of the path; '' for a path it has no name for (the
 *  message names the field itself). */
export function fieldLabel(p: string): string {
  const emp = /^employees\[(\d+)\]\.(\w+)$/.exec(p)
  if (emp) return t('intake.employeeField', { n: Number(emp[1]) + 1, field: t('emp.' + ({ name: 'name', id_number: 'idNumber', email: 'email' }[emp[2]] ?? 'name')) })
  const key = FIELD_LABELS[p]
  return key ? t(key) : ''
}
const FIELD_LABELS: Record<string, string> = {
  project: 'intake.project', years: 'intake.years', quantity: 'intake.quantity', organization: 'intake.stepOrg', 'organization.name': 'intake.orgName',
  'organization.uscc': 'intake.uscc', 'organization.org_code': 'intake.orgCode', 'organization.other_id': 'intake.otherId',
  'organization.license_valid_until': 'intake.licenceValidUntil', 'organization.certificate_serial': 'intake.unitCertSerial', 'organization.phone': 'intake.orgPhone', 'organization.email': 'intake.orgEmail', 'organization.postcode': 'intake.postcode',
  'organization.legal_rep.name': 'intake.repName', 'organization.legal_rep.id_number': 'intake.repId', 'organization.legal_rep.mobile': 'intake.repMobile',
  'handler.name': 'intake.handlerName', 'handler.id_number': 'intake.handlerId', 'handler.mobile': 'intake.handlerMobile', 'handler.email': 'intake.handlerEmail',
  employees: 'intake.stepEmployees', payment: 'intake.stepFee', 'payment.amount': 'pay.amount', 'payment.payer_name': 'pay.payerName',
  'payment.payer_account': 'pay.payerAccount', 'payment.date': 'pay.date', notes: 'intake.notes', materials: 'intake.stepMaterials',
}

/** A day as typed (2026-11-24, 2026/11/24, 2026.11.24, 2026-1-5, 20261124) as `YYYY-MM-DD`; ''
 *  for an empty text; null for anything else or a day that does not exist. */
export function normalizeDay(text: string): string | null {
  const v = text.trim()
  if (!v) return ''
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}
