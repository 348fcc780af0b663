// The case statuses and account roles as the backend lists them (`app_status.labels`, from the
// domain's own lists), with their labels in the screen's language. The UI keeps no list of its
// own: App.vue hands the backend's in once it has them; a label not (yet) known shows its id.
import { reactive } from 'vue'
import { locale, t } from './i18n'
import type { CertState, Label, Labels } from './bindings'

const known = reactive<{ statuses: Label[]; roles: Label[] }>({ statuses: [], roles: [] })

/** The backend's lists, from `app_status`. */
export function setLabels(l: Labels) {
  known.statuses = l.statuses
  known.roles = l.roles
}

function labelOf(list: Label[], id: string): string {
  const l = list.find((x) => x.id === id)
  return l ? (locale.value === 'zh-CN' ? l.zh : l.en) : id
}

/** A case status by its label (已受理). */
export const statusLabel = (id: string) => labelOf(known.statuses, id)
/** A role by its label (受理员). */
export const roleLabel = (id: string) => labelOf(known.roles, id)
/** Every status, in the backend's order (the case list's filter). */
export const statusIds = () => known.statuses.map((s) => s.id)
/** Every role, in the backend's order (the account form). */
export const roleIds = () => known.roles.map((r) => r.id)
/** Where one certificate of a case stands, from its next step as the backend says it (待CA签发,
 *  已完成, 已撤回): the key desk's batch and the case page's list. */
export function certStateLabel(c: CertState): string {
  if (c.withdrawn) return t('keys.batch.withdrawn')
  if (c.done) return t('keys.batch.done')
  return t('keys.batch.next.' + (c.next ?? 'done'))
}

/** An audit action by its label (复核通过); an action not (yet) labelled shows its id. */
export function auditActionLabel(action: string): string {
  const key = 'audit.' + action
  const s = t(key)
  return s === key ? action : s
}
/** A counter setting by its name in 管理 without the hint in brackets (无操作自动锁定). */
function settingName(key: string): string {
  const s = t('settings.' + key)
  return s === 'settings.' + key ? key : s.split(/[（(]/)[0]
}
/** What an audit event says beside its action, on the case page and in 审计日志 alike: the
 *  reason, a step's reference, the hand-over, the materials to follow, a setting's or an
 *  account's name. */
export function auditEventNote(e: { action: string; detail: unknown }): string {
  const d = (e.detail ?? {}) as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  const parts = [text(d.reason)]
  if (text(d.reference)) parts.push(t('detail.reference', { ref: text(d.reference) }))
  const handover = (e.action === 'deliver' ? d.handover ?? {} : {}) as Record<string, unknown>
  if (text(handover.waybill)) parts.push(t('detail.waybill', { courier: text(handover.courier), waybill: text(handover.waybill) }).trim())
  if (text(handover.recipient)) parts.push(t('detail.recipient', { name: text(handover.recipient) }))
  const toFollow = Array.isArray(d.to_follow) ? d.to_follow.filter((x): x is string => typeof x === 'string') : []
  if ((e.action === 'submit' || e.action === 'approve') && toFollow.length) parts.push(t('detail.toFollow', { items: toFollow.join('；') }))
  // an account's events (the account, its roles, its 姓名, its failures in a row) and a setting's
  if (text(d.user)) parts.push(t('detail.account', { user: text(d.user) }))
  if (text(d.roles)) parts.push(text(d.roles).split(',').map((r) => roleLabel(r.trim())).join('、'))
  if (text(d.display_name)) parts.push(text(d.display_name))
  if (typeof d.failed_in_a_row === 'number') parts.push(t('detail.failedInARow', { n: d.failed_in_a_row }))
  if (text(d.key)) parts.push(t('detail.setting', { key: settingName(text(d.key)), value: text(d.after) }))
  return parts.filter(Boolean).join(' · ')
}
