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
