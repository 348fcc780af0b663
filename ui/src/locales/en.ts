// English, the second locale: same keys as zh-CN.
import type zh from './zh-CN'

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }

const en: Shape<typeof zh> = {
  app: { title: 'certdesk', counter: 'Counter', logout: 'Sign out' },
  setup: { title: 'First run: create the administrator', name: 'Administrator account', password: 'Password (8+ characters)', counterCode: 'Counter code (e.g. GZ01)', counterName: 'Counter name', submit: 'Create and sign in' },
  login: { title: 'Sign in', name: 'Account', password: 'Password', submit: 'Sign in' },
  nav: { intake: 'Intake', cases: 'Cases', review: 'Review' },
  roles: { admin: 'Administrator', clerk: 'Clerk', supervisor: 'Supervisor', key_clerk: 'Key clerk' },
  intake: { title: 'New case', project: 'CA project', business: 'Business', certKind: 'Certificate', medium: 'Medium', years: 'Years', quantity: 'Quantity', orgName: 'Organisation', uscc: 'USCC', handlerName: 'Handler', handlerId: 'Handler ID', handlerMobile: 'Handler mobile', fee: 'Fee', submit: 'Save as draft', created: 'Created case' },
  cases: { search: 'Search organisation, handler, ID, mobile…', number: 'Case', org: 'Organisation', handler: 'Handler', status: 'Status', empty: 'No cases' },
  detail: { history: 'History', reason: 'Reason', actions: 'Actions' },
  actions: { accept: 'Accept', submit: 'Submit for review', approve: 'Approve', return: 'Return', cancel: 'Cancel', deliver: 'Deliver', close: 'Close' },
  review: { title: 'Waiting for review', empty: 'Nothing to review' },
  status: { draft: 'Draft', accepted: 'Accepted', submitted: 'Submitted', approved: 'Approved', returned: 'Returned', key_issued: 'Key issued', delivered: 'Delivered', closed: 'Closed', cancelled: 'Cancelled' },
  business: { new: 'New', renew: 'Renew', change: 'Change', replace: 'Replace', unlock: 'Unlock', revoke: 'Revoke', suspend: 'Suspend', key_recovery: 'Key recovery', annual_check: 'Annual check' },
  certKind: { organization: 'Organisation', employee: 'Employee', personal: 'Personal' },
  medium: { usb_key: 'USB key', mobile_key: 'Mobile key' },
  errors: {
    wrong_password: 'Wrong account or password', account_locked: 'Account locked after 5 wrong passwords', account_disabled: 'Account disabled', not_signed_in: 'Sign in first',
    missing_role: 'Your account may not do this', four_eyes: 'Four-eyes rule: you accepted or edited this case', reason_required: 'Give a reason', transition: 'Not allowed in this status',
    invalid_case: 'The case has errors', invalid_json: 'Malformed case data', invalid_counter_code: 'Counter code: 1-12 capitals and digits', unknown_project: 'Unknown CA project',
    fee_refused: 'Not offered by this project', case_not_found: 'No such case', refused: 'Refused', invalid: 'Invalid input', store: 'Database error', rule: 'Against the rules',
  },
}
export default en
