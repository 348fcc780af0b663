// English, the second locale: same keys as zh-CN.
import type zh from './zh-CN'

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }

const en: Shape<typeof zh> = {
  app: { title: 'certdesk', counter: 'Counter', logout: 'Sign out', shortcuts: 'Alt+1…Alt+6 switch desks' },
  setup: { title: 'First run: create the administrator', name: 'Administrator account', password: 'Password (8+ characters)', counterCode: 'Counter code (e.g. GZ01)', counterName: 'Counter name', submit: 'Create and sign in' },
  login: { title: 'Sign in', name: 'Account', password: 'Password', submit: 'Sign in' },
  nav: { intake: 'Intake', cases: 'Cases', review: 'Review', keys: 'Keys', reports: 'Reports', admin: 'Admin' },
  roles: { admin: 'Administrator', clerk: 'Clerk', supervisor: 'Supervisor', key_clerk: 'Key clerk' },
  common: {
    save: 'Save', cancel: 'Cancel', confirm: 'Confirm', back: 'Back', yes: 'Yes', no: 'No', none: 'None', busy: 'Working…',
    saved: 'Saved', clear: 'Clear', add: 'Add', remove: 'Remove', prev: 'Previous', next: 'Next', page: 'Page {n}/{total}',
    loading: 'Loading…', total: 'Total', path: 'File', rows: 'Rows', count: 'Count', amount: 'Amount', yuan: 'CNY',
  },
  intake: {
    title: 'New case', stepProject: '1 Project and business', stepOrg: '2 Organisation', stepHandler: '3 Handler', stepEmployees: '4 Employees (annex)',
    stepMaterials: '5 Materials', stepFee: '6 Fee and payment', project: 'CA project', business: 'Business', certKind: 'Certificate', medium: 'Medium',
    years: 'Years', quantity: 'Quantity', orgName: 'Organisation', department: 'Department', uscc: 'USCC', orgPhone: 'Phone', orgEmail: 'E-mail',
    postcode: 'Postcode', legalAddress: 'Registered address', mailingAddress: 'Mailing address', legalRep: 'Legal representative',
    repName: 'Legal rep. name', repIdType: 'Legal rep. ID type', repId: 'Legal rep. ID number', repMobile: 'Legal rep. mobile',
    handlerName: 'Handler', handlerIdType: 'ID type', handlerId: 'Handler ID', handlerMobile: 'Handler mobile', handlerEmail: 'Handler e-mail',
    handlerAddress: 'Handler address', notes: 'Notes', fee: 'Fee', submit: 'Save', clear: 'Clear', clearConfirm: 'Clear the whole form?',
    created: 'Created case', draftRestored: 'Restored the unsaved form', draftSaved: 'Draft saved', warnings: 'Notes',
  },
  emp: {
    name: 'Name', idNumber: 'ID number', email: 'E-mail', add: 'Add employee', remove: 'Remove', paste: 'Paste',
    pasteHint: 'Copy the columns name, ID number, e-mail from a spreadsheet and paste them here (one per line)',
    pasteAdd: 'Add pasted rows', pasted: 'Added {n} employees', count: '{n} in all',
  },
  materials: {
    formCopies: 'Copies', original: 'Original seen', copies: 'Copies', oldKey: 'Old key received', received: 'Received', optional: 'optional',
    stamped: 'with company seal', allReceived: 'All received', none: 'Nothing to check for this business', need: '{n} needed',
  },
  pay: {
    method: 'Payment', payerName: 'Payer', payerAccount: 'Payer account', date: 'Date', amount: 'Amount',
    methods: { bank_transfer: 'Bank transfer', card: 'Card', cash: 'Cash', wechat: 'WeChat', alipay: 'Alipay', free: 'Free' },
  },
  fee: { item: 'Item', unitPrice: 'Unit price', count: 'Count', amount: 'Amount', total: 'Total', capital: 'In words' },
  idType: {
    resident_id: 'Resident ID', passport: 'Passport', hk_macao_permit: 'HK/Macao permit', taiwan_permit: 'Taiwan permit',
    hmt_residence_permit: 'HK/Macao/Taiwan residence permit', foreigner_residence_permit: 'Foreigner permanent residence', military_officer: 'Officer ID', other: 'Other',
  },
  cases: {
    search: 'Search organisation, handler, ID, mobile…', number: 'Case', org: 'Organisation', handler: 'Handler', status: 'Status', empty: 'No cases',
    project: 'Project', business: 'Business', created: 'Created', from: 'From', to: 'To', allStatus: 'All statuses', allProjects: 'All projects',
  },
  detail: {
    history: 'History', reason: 'Reason', actions: 'Actions', back: 'Back to list', application: 'Application', organization: 'Organisation',
    handler: 'Handler', legalRep: 'Legal representative', employees: 'Employees', materials: 'Materials', payment: 'Payment', attachments: 'Attachments',
    time: 'Time', actor: 'By', action: 'Action', notes: 'Notes', noAttachments: 'No attachments', checked: 'checked', missing: 'missing', size: 'Size',
  },
  actions: { accept: 'Accept', submit: 'Submit for review', approve: 'Approve', return: 'Return', cancel: 'Cancel', deliver: 'Deliver', close: 'Close' },
  audit: {
    create: 'Case created', attachment_added: 'Attachment added', token_unlocked: 'Key unlocked', token_wiped: 'Key wiped', setting: 'Setting changed', store_backup: 'Store backed up', user_add: 'Account added',
    case_created: 'Case created', case_edited: 'Data edited', accept: 'Accepted', submit: 'Submitted', approve: 'Approved', return: 'Returned',
    cancel: 'Cancelled', deliver: 'Delivered', close: 'Closed', issue_key: 'Key issued', token_initialized: 'Key initialised', key_generated: 'Key and request generated',
    certificate_imported: 'Certificate imported', certificate_written: 'Certificate written', seal_written: 'Seal written', seal_imported: 'Seal sheet imported',
    forms_printed: 'Forms printed', edit: 'Data edited',
  },
  print: { title: 'Print', preview: 'Preview', print: 'Print', printed: 'Wrote {path} ({pages} pages); print it from the dialog', noPages: 'Nothing to print' },
  seal: {
    title: 'Seal sheet', pick: 'Choose scan', drop: 'Drop the scan here or choose a file', busy: 'Reading the seal sheet…',
    restamp: 'Row {n}: stamp or sign again', rowOk: 'Row {n} is fine', best: 'chosen', score: 'Score', diameter: '⌀ {mm} mm', side: '{mm} mm side',
    stored: 'Stored: {names}', emptyBox: 'empty',
    kinds: { official_seal: 'Official seal', legal_rep_seal: 'Legal rep. seal', signature: 'Signature' },
    defects: {
      empty: 'empty', pale: 'pale', broken: 'broken', double: 'double', smudged: 'smudged', overlap_line: 'on the line', tilted: 'tilted',
      bg_not_white: 'background not white', text_under: 'over text', off_color: 'not red',
    },
  },
  review: {
    title: 'Waiting for review', empty: 'Nothing to review', back: 'Back to queue', seals: 'Seal samples', forms: 'Printed forms', noSeals: 'No seal samples yet',
    approve: 'Approve', return: 'Return', reasonHint: 'Reason for returning (required)',
  },
  keys: {
    title: 'Keys', readers: 'Readers and keys', noSlots: 'No keys found', module: 'PKCS#11 module', reader: 'Reader', atr: 'ATR', model: 'Model',
    label: 'Label', serial: 'Serial', manufacturer: 'Manufacturer', pinState: 'PIN', noToken: '(no key)', uninitialized: 'not initialised',
    pin: { set: 'set', unset: 'not set', low: 'few tries left', final: 'last try', locked: 'locked', soLocked: 'SO PIN locked' },
    case: 'Case', pickCase: 'Choose an approved case…', steps: 'Steps', caseStatus: 'Case status',
    step: {
      token_initialized: '1 Initialise', key_generated: '2 Generate key and request', certificate_imported: '3 Import certificate',
      certificate_written: '4 Write certificate', seal_written: '5 Write seal', verify: '6 Verify', deliver: '7 Deliver',
    },
    done: 'done', current: 'current',
    slot: 'Key', soPin: 'SO PIN', userPin: 'User PIN', userPin2: 'User PIN again', newPin: 'New user PIN', newPin2: 'New PIN again',
    pinMismatch: 'The PINs differ', pinEmpty: 'Enter the PIN', init: 'Initialise', algo: 'Algorithm', employee: 'Employee',
    generate: 'Generate', packagePath: 'Request package written: {path}', certFile: 'Choose the issued certificate (PEM/DER/P7B)',
    imported: 'Imported {subject} (serial {serial}, until {until})', writeCert: 'Write certificate', written: 'Written and read back: {subject}',
    writeSeal: 'Write seal', sealWritten: 'Seal written ({size} bytes)', verify: 'Verify', deliver: 'Hand over', delivered: 'Delivered',
    keysOnToken: 'Keys', certsOnToken: 'Certificates', dataOnToken: 'Data objects', initialized: 'Initialised: {label} ({serial})',
    unlock: 'Unlock', unlockDo: 'Unlock', unlocked: 'Key unlocked', wipe: 'Wipe', wipeDo: 'Wipe', wipeConfirm: 'Erase everything on this key? This cannot be undone',
    wiped: 'Key wiped', defaultPin: 'This key still has the default PIN: ask the applicant to change it', noSerial: 'Insert and choose a key first',
    noSealAttachment: 'This case has no seal image: step skipped',
  },
  reports: {
    title: 'Reports', date: 'Date', daily: 'Daily ledger', byBusiness: 'By business', byProject: 'By project', byPayment: 'By payment', byClerk: 'By clerk',
    keysIssued: 'Keys issued', delivered: 'Delivered', cases: 'Cases', total: 'Fees', expiring: 'Certificates expiring', days: 'Days',
    exportCsv: 'Export CSV', exportXlsx: 'Export XLSX', exported: 'Exported {path} ({rows} rows)', key: 'Key', none: 'None',
    case: 'Case', organization: 'Organisation', handler: 'Handler', mobile: 'Mobile', serial: 'Serial', subject: 'Subject', notAfter: 'Expires', daysLeft: 'Days left',
  },
  admin: {
    title: 'Admin', accounts: 'Accounts', name: 'Account', roles: 'Roles', state: 'State', created: 'Created', active: 'active', locked: 'locked',
    disabled: 'disabled', failed: '{n} wrong passwords', disable: 'Disable', unlock: 'Unlock', resetPassword: 'Reset password', newPassword: 'New password',
    addAccount: 'Add account', password: 'Initial password', add: 'Add', settings: 'Settings', backup: 'Backup', backupDo: 'Back up now',
    backedUp: 'Backed up to {path} ({bytes} bytes)', restore: 'Restore from backup', restorePath: 'Backup file', restoreDo: 'Restore',
    restoreConfirm: 'Replace the current store by this backup? The current one is kept beside it', restored: 'Restored ({cases} cases); the old store is {kept}',
    passwordReset: 'Password reset', added: 'Added {name}', rolesSaved: 'Roles saved',
  },
  settings: {
    counter_code: 'Counter code', counter_name: 'Counter name', counter_address: 'Counter address', pkcs11_module: 'PKCS#11 module',
    printer: 'Printer', print_dir: 'Print folder', export_dir: 'Export folder', scan_folder: 'Scanner folder',
  },
  status: { draft: 'Draft', accepted: 'Accepted', submitted: 'Submitted', approved: 'Approved', returned: 'Returned', key_issued: 'Key issued', delivered: 'Delivered', closed: 'Closed', cancelled: 'Cancelled' },
  business: { new: 'New', renew: 'Renew', change: 'Change', replace: 'Replace', unlock: 'Unlock', revoke: 'Revoke', suspend: 'Suspend', key_recovery: 'Key recovery', annual_check: 'Annual check' },
  certKind: { organization: 'Organisation', employee: 'Employee', personal: 'Personal' },
  medium: { usb_key: 'USB key', mobile_key: 'Mobile key' },
  errors: {
    wrong_password: 'Wrong account or password', account_locked: 'Account locked after 5 wrong passwords', account_disabled: 'Account disabled', not_signed_in: 'Sign in first',
    missing_role: 'Your account may not do this', four_eyes: 'Four-eyes rule: you accepted or edited this case', reason_required: 'Give a reason', transition: 'Not allowed in this status',
    invalid_case: 'The case has errors', invalid_json: 'Malformed case data', invalid_counter_code: 'Counter code: 1-12 capitals and digits', unknown_project: 'Unknown CA project',
    fee_refused: 'Not offered by this project', case_not_found: 'No such case', refused: 'Refused', invalid: 'Invalid input', store: 'Database error', rule: 'Against the rules',
    pin_incorrect: 'Wrong PIN (too many lock the key)', pin_locked: 'PIN locked: unlock with the SO PIN', so_pin_incorrect: 'Wrong SO PIN', so_pin_locked: 'SO PIN locked: the key cannot be unlocked',
    pin_refused: 'The key refuses this PIN', token_not_found: 'Key not found: is it inserted?', token_removed: 'The key was removed: insert it and retry', token_device: 'The key refused the operation',
    no_module: 'Cannot load the PKCS#11 module: set its path under Admin', no_slot: 'No such slot: refresh', seal_unreadable: 'Cannot read the seal sheet: scan it again',
    cert_mismatch: 'The certificate does not match this case\'s request', cert_invalid: 'Cannot read the certificate', no_seal: 'The case has no seal image',
    print_failed: 'Printing failed', form_error: 'Form template error', exists: 'Exists already', weak_password: 'Password too weak: 8+ characters',
    token_ambiguous: 'Several keys with this label: keep one or use the serial', cert_unreadable: 'Cannot read the certificate (PEM, DER or PKCS#7)', token: 'Key operation failed',
    forms: 'Cannot lay out the forms', not_found: 'File not found',
    account_not_found: 'No such account', backup_invalid: 'Invalid or damaged backup', io: 'File error', pin_mismatch: 'The PINs differ', unknown: 'Failed',
  },
}
export default en
