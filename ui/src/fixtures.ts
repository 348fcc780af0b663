// Sample data shared by the component tests (a case as get_case returns it, its checklist).
import type { CaseCapabilities } from './bindings'
export const sampleCase = {
  number: 'GZ01-20261120-0001', status: 'draft', project: 'netca-gd-pension', business: 'new', cert_kind: 'organization', years: 3, quantity: 1, medium: 'usb_key',
  organization: { name: '广州市示例科技有限公司', department: null, uscc: '91440101MA59ABCD1D', org_code: null, other_id: null, phone: '020-83561234', email: null, postcode: '510110', legal_address: '广州市越秀区', mailing_address: null, legal_rep: { name: '李明', id_type: 'resident_id', id_number: '440304199207271516', mobile: null } },
  handler: { name: '张伟', id_type: 'resident_id', id_number: '440106198503142038', mobile: '13800138000', email: null, address: null },
  employees: [], payment: { method: 'card', payer_account: null, payer_name: '广州市示例科技有限公司', amount: '700.00', date: null }, notes: '',
  materials: [{ id: 'license', original_seen: true, copies_received: 1 }, { id: 'form', original_seen: false, copies_received: 1 }],
}
export const sampleChecklist = [
  { id: 'form', text: '《单位法人数字证书申请表》', kind: 'form', original: false, copies: 2, stamped: true, optional: false, note: null },
  { id: 'license', text: '《统一社会信用代码证书》', kind: 'document', original: true, copies: 1, stamped: true, optional: false, note: null },
]

/** What the backend's workflow offers on a case of `status` to an account with `roles` who did
 *  not shape it: the `can` of get_case, for the mocks. The rules live in Rust; this is data. */
export function capsFor(status: string, roles: readonly string[] = ['clerk']): CaseCapabilities {
  const [clerk, sup, key] = ['clerk', 'supervisor', 'key_clerk'].map((r) => roles.includes(r))
  const act = (action: string, needs_reason = false) => ({ action, needs_reason })
  const actions = []
  if (clerk && status === 'draft') actions.push(act('accept'))
  if (clerk && ['accepted', 'returned'].includes(status)) actions.push(act('submit'))
  if (sup && status === 'submitted') actions.push(act('approve'), act('return', true))
  if (key && status === 'key_issued') actions.push(act('deliver'))
  if ((clerk || sup) && !['closed', 'cancelled'].includes(status)) actions.push(act('cancel', true))
  const editable = ['draft', 'accepted', 'returned', 'submitted', 'approved'].includes(status)
  return { actions, edit: clerk && editable, attach: clerk && editable, print: !['closed', 'cancelled'].includes(status), key_desk: key && ['approved', 'key_issued'].includes(status) }
}
