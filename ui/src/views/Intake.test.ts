// Component tests of the intake desk with the IPC mocked: employees pasted from a spreadsheet,
// identifiers checked as typed, the draft restored and autosaved, the case JSON that is saved,
// and backend problems shown next to their fields.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Intake from './Intake.vue'
import { helpStep } from '../help'
import { parsePeople } from '../paste'
import { runSignOut } from '../session'
import type { CaseData } from '../bindings'
import type * as B from '../bindings'
import type { CardForIntake, FieldProblem, MaterialItem, MaterialReceived, ProjectView } from '../ipc'
import { allReceivedOf, briefingOf, feeQuote, identBad, identOk, intakeModel, materialsOf, sampleCase, type CaseJson } from '../fixtures'
import { mockBackend, refusal, type Handlers } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const project: ProjectView = {
  id: 'netca-gd-pension', ca_name: '广东省电子商务认证有限公司', ca_short: '网证通', service: '养老', forms: 3, cert_kinds: ['organization', 'employee'], business_types: ['new', 'renew'],
  media: ['usb_key'], years: [1, 2, 3], briefing: briefingOf(), reads_old_key: true,
}
/** A second project: the clerk's choice against the default the backend names. */
const other: ProjectView = { ...project, id: 'nmgca-procurement', ca_name: '内蒙古数字证书认证中心', ca_short: '内蒙古CA', service: '政府采购' }
const checklist: MaterialItem[] = [
  { id: 'form', text: '《单位法人数字证书申请表》', kind: 'form', original: false, copies: 2, stamped: true, optional: false, note: null },
  { id: 'license', text: '《统一社会信用代码证书》', kind: 'document', original: true, copies: 1, stamped: true, optional: false, note: null },
  { id: 'old_key', text: '旧Key', kind: 'old_key', original: false, copies: 0, stamped: false, optional: false, note: null },
]
/** A card as the backend judges it (the GA/T 467 simulator's resident card). */
function card(over: Partial<CardForIntake> = {}): CardForIntake {
  return {
    card_type: 'resident', card_type_zh: '居民身份证', id_type: 'resident_id', name: '张三丰', sex: '男', nation: '汉', birth_date: '1990-03-07',
    address: '广东省深圳市福田区深南大道1号', id_number: '440306199003071232', issuer: '深圳市公安局福田分局', valid_from: '2015-01-01', valid_to: '2035-01-01',
    english_name: null, nationality: null, pass_number: null, validity: 'valid', refused: null, photo: null, ...over,
  }
}
const GOOD_IDS = ['440106198503142038', '440106200109094066', '210102198801020030']
/** The case JSON the intake sends (import_case, update_case): the case data and the checklist. */
type SentCase = CaseData & { materials: MaterialReceived[] }

/** The checklist the mocked catalog_checklist answers (materials_state reads it). */
let currentChecklist: MaterialItem[] = checklist
/** The intake's backend: `overrides` replace the answers to single commands. */
function backend(overrides: Handlers = {}) {
  currentChecklist = checklist
  return mockBackend({
    catalog_projects: () => [project],
    catalog_checklist: () => checklist,
    intake_form: ({ business, certKind }) => intakeModel(business, certKind),
    // the backend quotes an employee case for the employees listed
    fee_quote: ({ years, quantity, employees }) => {
      const n = employees ?? quantity
      const total = (100 * n).toFixed(2)
      return feeQuote(years, n, total, '壹佰元整', [{ label: '证书费', per: 'unit', unit_price: '100.00', count: n, amount: total }])
    },
    materials_state: ({ received }) => materialsOf(currentChecklist, received),
    materials_all_received: ({ received }) => allReceivedOf(currentChecklist, received),
    load_draft: () => null,
    idcard_poll: () => null,
    intake_project: () => null,
    save_draft: () => null,
    clear_draft: () => null,
    validate_ident: ({ kind, value }) => {
      if (kind === 'ric') return GOOD_IDS.includes(value) ? identOk(value) : identBad(value, 'checksum', 'the check character does not match', '身份证号码校验位有误')
      if (kind === 'mobile') return /^1[3-9]\d{9}$/.test(value) ? identOk(value) : identBad(value, 'length', 'a mobile number has 11 digits', '手机号码应为11位')
      return identOk(value, value.replace(/\s+/g, '').toUpperCase())
    },
    ...overrides,
  })
}

describe('Intake', () => {
  it('appends 3 employees pasted from a spreadsheet and flags the bad ID number next to its cell', async () => {
    backend()
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    const rows = ['王芳\t440106200109094066\twangfang@example.gov.cn', '陈刚\t210102198801020039\tchengang@example.gov.cn', '张伟\t440106198503142038\t'].join('\r\n')
    await w.get('[data-testid=emp-paste]').setValue(rows)
    await w.get('[data-testid=emp-paste-add]').trigger('click')
    await flushPromises()
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(3)
    expect((w.get('[data-testid=emp-name-1]').element as HTMLInputElement).value).toBe('陈刚')
    expect(w.get('[data-testid=emp-id-error-1]').text()).toContain('校验位')
    expect(w.find('[data-testid=emp-id-error-0]').exists()).toBe(false)
    expect(w.find('[data-testid=emp-id-error-2]').exists()).toBe(false)
    // the quantity is the backend's: one per employee of the annex
    expect((w.get('[data-testid=intake-quantity]').element as HTMLInputElement).value).toBe('3')
    // a paste event on the area adds rows at once
    await w.get('[data-testid=emp-paste]').trigger('paste', { clipboardData: { getData: () => '李四\t440106198503142038\tli@example.cn' } })
    await flushPromises()
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(4)
  })

  it('imports the unit\'s 明细表 through the backend, or lists its bad rows and imports nobody', async () => {
    let bad = true
    const calls = backend({
      employees_read: ({ existing }) => {
        if (bad) {
          bad = false
          throw refusal('employee_list', JSON.stringify({ kind: 'employee_list', problems: [{ row: 5, column: 'B', header: '身份证号码', message_zh: '身份证号码校验位有误' }] }))
        }
        expect(existing.map((e) => e.name)).toEqual(['王芳'])
        return [
          { name: '陈刚', id_type: 'resident_id', id_number: '210102198801020030', email: null, business: 'new', years: 1 },
          { name: '张伟', id_type: 'resident_id', id_number: '440106198503142038', email: 'zw@example.cn', business: 'new', years: 1 },
        ]
      },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    await w.get('[data-testid=emp-name-0]').setValue('王芳')
    await w.get('[data-testid=emp-id-0]').setValue('440106200109094066')
    const input = w.get('[data-testid=emp-list-file]')
    Object.defineProperty(input.element, 'files', { value: [new File(['x'], '明细表.xlsx')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    expect(w.get('[data-testid=emp-list-problems]').text()).toBe('第5行“身份证号码”列：身份证号码校验位有误')
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(1)
    await input.trigger('change')
    await flushPromises()
    expect(w.find('[data-testid=emp-list-problems]').exists()).toBe(false)
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(3)
    expect((w.get('[data-testid=emp-name-2]').element as HTMLInputElement).value).toBe('张伟')
    expect(w.get('[data-testid=emp-list-info]').text()).toBe('已从 明细表.xlsx 导入 2 人')
    expect(w.find('[data-testid=emp-paste-info]').exists(), 'said under the file button, not beside 添加粘贴的行').toBe(false)
    const sent = calls.filter((c) => c.cmd === 'employees_read')
    expect(sent).toHaveLength(2)
    expect(sent[0].cmd === 'employees_read' && [sent[0].args.business, sent[0].args.years]).toEqual(['new', 1])
  })

  it('checks an identifier as it is typed, after a pause, without leaving the field', async () => {
    backend()
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-mobile]').setValue('1380013800')
    await flushPromises()
    expect(w.find('[data-testid=mobile-error]').exists()).toBe(false)
    await sleep(350)
    await flushPromises()
    expect(w.get('[data-testid=mobile-error]').text()).toContain('11位')
    await w.get('[data-testid=intake-mobile]').setValue('13800138000')
    await sleep(350)
    await flushPromises()
    expect(w.find('[data-testid=mobile-error]').exists()).toBe(false)
  })

  it('asks the backend whether an organisation phone is a mobile or a landline', async () => {
    const calls = backend()
    const w = mount(Intake)
    await flushPromises()
    for (const phone of ['13800138000', '020-83561234']) {
      await w.get('[data-testid=intake-org-phone]').setValue(phone)
      await w.get('[data-testid=intake-org-phone]').trigger('blur')
      await flushPromises()
      expect(calls.filter((c) => c.cmd === 'validate_ident').map((c) => c.args).at(-1)).toEqual({ kind: 'phone', value: phone })
    }
  })

  it('restores the draft on mount and saves it again after an edit', async () => {
    const draft = { v: 1, form: { project: 'netca-gd-pension', certKind: 'organization', orgName: '广州市示例科技有限公司', uscc: '91440101MA59ABCD1D', handlerName: '张伟', years: 2 } }
    const calls = backend({ load_draft: () => JSON.stringify(draft) })
    const w = mount(Intake)
    await flushPromises()
    expect((w.get('[data-testid=intake-org]').element as HTMLInputElement).value).toBe('广州市示例科技有限公司')
    expect((w.get('[data-testid=intake-handler]').element as HTMLInputElement).value).toBe('张伟')
    expect((w.get('[data-testid=intake-years]').element as HTMLSelectElement).value).toBe('2')
    expect(w.find('[data-testid=draft-restored]').exists()).toBe(true)
    await sleep(900)
    expect(calls.filter((c) => c.cmd === 'save_draft')).toHaveLength(0)
    await w.get('[data-testid=intake-mobile]').setValue('13800138000')
    await sleep(900)
    const saves = calls.filter((c) => c.cmd === 'save_draft')
    expect(saves.length).toBe(1)
    const saved = JSON.parse(saves[0].args.json)
    expect(saved.form.handlerMobile).toBe('13800138000')
    expect(saved.form.orgName).toBe('广州市示例科技有限公司')
  })

  it('a saved case leaves no draft behind: no draft is written while it is saved, and one on its way is cleared after it lands', async () => {
    // the draft write answers late: a clear sent before it landed let it come back as the next
    // intake's draft, the applicant before's data on the next form (seen in the e2e suite)
    let landWrite: () => void = () => {}
    let answerImport: () => void = () => {}
    const order: string[] = []
    const calls = backend({
      save_draft: () => new Promise<null>((resolve) => { landWrite = () => { order.push('draft written'); resolve(null) } }),
      import_case: () => new Promise((resolve) => { answerImport = () => resolve({ number: 'GZ01-20261120-0009', warnings: [] }) }),
      clear_draft: () => { order.push('draft cleared'); return null },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('广州市示例科技有限公司')
    await sleep(900)
    expect(calls.filter((c) => c.cmd === 'save_draft')).toHaveLength(1)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'import_case')).toBe(true)
    // typed while the case is being saved: no second draft write
    await w.get('[data-testid=intake-handler]').setValue('张伟')
    await sleep(900)
    expect(calls.filter((c) => c.cmd === 'save_draft')).toHaveLength(1)
    answerImport()
    await flushPromises()
    expect(order, 'the clear waits for the write on its way').toEqual([])
    landWrite()
    await flushPromises()
    expect(order).toEqual(['draft written', 'draft cleared'])
    expect(w.emitted('created')?.[0]?.[0]).toBe('GZ01-20261120-0009')
  })

  it('what the clerk types before the draft arrives is not overwritten by it', async () => {
    let answerDraft: (d: string) => void = () => {}
    backend({ load_draft: () => new Promise<string>((resolve) => { answerDraft = resolve }) })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('新来的单位')
    answerDraft(JSON.stringify({ v: 1, form: { project: 'netca-gd-pension', orgName: '上一位的单位' } }))
    await flushPromises()
    expect((w.get('[data-testid=intake-org]').element as HTMLInputElement).value).toBe('新来的单位')
    expect(w.find('[data-testid=draft-restored]').exists()).toBe(false)
  })

  it('a project the clerk chooses before the default project arrives is not put back by it', async () => {
    let answerStart: (id: string) => void = () => {}
    backend({ catalog_projects: () => [project, other], intake_project: () => new Promise<string>((resolve) => { answerStart = resolve }) })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-project]').setValue('nmgca-procurement')
    answerStart('netca-gd-pension')
    await flushPromises()
    expect((w.get('[data-testid=intake-project]').element as HTMLSelectElement).value).toBe('nmgca-procurement')
  })

  it('takes the default project the backend names when the clerk has chosen none', async () => {
    backend({ catalog_projects: () => [project, other], intake_project: () => 'nmgca-procurement' })
    const w = mount(Intake)
    await flushPromises()
    expect((w.get('[data-testid=intake-project]').element as HTMLSelectElement).value).toBe('nmgca-procurement')
  })

  it('saves a pending draft at once when the account signs out', async () => {
    const calls = backend()
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('某单位')
    await runSignOut()
    const saves = calls.filter((c) => c.cmd === 'save_draft')
    expect(saves).toHaveLength(1)
    expect(JSON.parse(saves[0].args.json).form.orgName).toBe('某单位')
  })

  it('reads the unit\'s organisation certificate off its key into the serial, or says in the backend\'s words why not', async () => {
    const field = (key: string, label: string): B.FieldSpec => ({ key, label, kind: 'text', required: false })
    const found = { usage: 'sign', serial: '1A2B3C4D', issuer: 'CN=Test', not_before: '2026-01-01T00:00:00Z', not_after: '2027-01-01T00:00:00Z', key_algorithm: 'sm2', label: 'org', key_id: '01', sha256: '',
      subject: { cn: '广州市示例科技有限公司', o: '广州市示例科技有限公司', uscc: '91440101MA59ABCD1D', dn: '' } } as B.BroughtCert
    const answers: B.UnitCertificate[] = [
      { found: null, problem: 'no', problem_zh: '该Key上的证书不是本单位（91440101MA59ABCD1D）的：别的单位' },
      { found, problem: null, problem_zh: null },
    ]
    const asked: string[] = []
    backend({
      intake_form: ({ business, certKind }) => {
        const m = intakeModel(business, certKind)
        return { ...m, sections: [...m.sections, { id: 'organization', title: '申请单位', fields: [field('organization.certificate_serial', '单位法人证书序列号')] }] }
      },
      intake_unit_key: ({ uscc }) => { asked.push(uscc); return answers.shift()! },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-uscc]').setValue('91440101MA59ABCD1D')
    await w.get('[data-testid=read-unit-key]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=unit-key-note]').text()).toBe('该Key上的证书不是本单位（91440101MA59ABCD1D）的：别的单位')
    expect((w.get('[data-testid=more-organization-certificate_serial]').element as HTMLInputElement).value).toBe('')
    await w.get('[data-testid=read-unit-key]').trigger('click')
    await flushPromises()
    expect(asked).toEqual(['91440101MA59ABCD1D', '91440101MA59ABCD1D'])
    expect((w.get('[data-testid=more-organization-certificate_serial]').element as HTMLInputElement).value).toBe('1A2B3C4D')
    expect(w.get('[data-testid=unit-key-note]').text()).toContain('有效期至2027-01-01')
  })

  it('reads the old key a returning unit brings and takes the backend\'s verdict by keyboard (#74)', async () => {
    const certificate = { usage: 'sign', serial: '5A01', issuer: 'CN=Test', not_before: '2025-01-01T00:00:00Z', not_after: '2026-10-31T15:59:59Z', key_algorithm: 'sm2', label: 'unit', key_id: '01', sha256: '',
      subject: { cn: '广州市示例科技有限公司', o: '广州市示例科技有限公司', uscc: '91440101MA59ABCD1D', dn: '' } } as B.BroughtCert
    const asked: (B.Typed | null)[] = []
    backend({
      catalog_projects: () => [{ ...project, business_types: ['new', 'renew', 'change'] }],
      intake_triage: ({ typed }) => {
        asked.push(typed)
        return {
          business_type: 'change', route: 'counter', route_zh: '现场办理', reason: '办理证书更新业务时，证书的任何信息必须为原来的信息，不能变更，否则请选择新申请或变更：请办理变更', quoted: true,
          materials: [], differences: [{ field: 'organization.name', typed: '广州市新名科技有限公司', on_key: '广州市示例科技有限公司' }],
          refused: { business: 'renew', why: '办理证书更新业务时，证书的任何信息必须为原来的信息，不能变更，否则请选择新申请或变更' }, certificate, state: 'expired', days: 28,
        } as B.Triage
      },
    })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('广州市新名科技有限公司')
    // Alt+K anywhere in the form reads the plugged key; what is typed goes with it
    await w.get('[data-testid=intake-org]').trigger('keydown', { key: 'k', altKey: true })
    await flushPromises()
    expect(asked).toEqual([{ cert_kind: 'organization', name: '广州市新名科技有限公司', uscc: null, holders: null }])
    expect(w.get('[data-testid=triage-verdict]').text()).toContain('已过期28天')
    expect(w.get('[data-testid=triage-verdict]').text()).toContain('应办理：变更（现场办理）')
    expect(w.get('[data-testid=triage-refused]').text()).toBe('不能按更新续期办理')
    expect(w.get('[data-testid=triage-differences]').text()).toContain('单位名称与原证书不一致：填写“广州市新名科技有限公司”，证书上为“广州市示例科技有限公司”')
    await w.get('[data-testid=triage-apply]').trigger('click')
    await flushPromises()
    expect((w.get('[data-testid=intake-business]').element as HTMLSelectElement).value).toBe('change')
    expect((w.get('[data-testid=intake-uscc]').element as HTMLInputElement).value).toBe('91440101MA59ABCD1D') // the code taken from the certificate where none was typed
    expect((w.get('[data-testid=intake-org]').element as HTMLInputElement).value).toBe('广州市新名科技有限公司') // what the clerk typed stays
    w.unmount()
  })

  it('takes what is due from the backend: a 免费 case saves the amount the backend says, the fee line says 应收', async () => {
    let sent: SentCase | null = null
    const calls = backend({
      // the backend's answer for the method asked (the rule is the backend's, not this view's)
      fee_quote: ({ years, quantity, paymentMethod }) => ({ ...feeQuote(years, quantity, '100.00', '壹佰元整'), due: paymentMethod === 'free' ? '0.00' : '100.00' }),
      import_case: ({ json }) => {
        sent = JSON.parse(json)
        return { number: 'GZ01-20261120-0002', warnings: [] }
      },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('广州市示例科技有限公司')
    await w.get('[data-testid=intake-uscc]').setValue('91440101MA59ABCD1D')
    await w.get('[data-testid=intake-handler]').setValue('张伟')
    await w.get('[data-testid=intake-handler-id]').setValue('440106198503142038')
    await w.get('[data-testid=intake-mobile]').setValue('13800138000')
    await w.get('[data-testid=pay-method]').setValue('free')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'fee_quote').at(-1)?.args.paymentMethod).toBe('free')
    expect(w.get('[data-testid=fee-due]').text()).toContain('应收 ¥0.00')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.payment).toMatchObject({ method: 'free', amount: '0.00' })
  })

  it('says why a fee is refused in the counter\'s words, the backend\'s English only in the tooltip', async () => {
    let detail = '附页第3行：该项目不提供9年期，可选：1, 2, 3年'
    backend({ fee_quote: () => { throw refusal('fee_refused', detail) } })
    const w = mount(Intake)
    await flushPromises()
    expect(w.get('[data-testid=fee-error]').text()).toBe('该项目不提供此选项：附页第3行：该项目不提供9年期，可选：1, 2, 3年')
    detail = 'netca-gd-pension does not offer 9 year(s) for renew employee certificates'
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    expect(w.get('[data-testid=fee-error]').text()).toBe('该项目不提供此选项')
    expect(w.get('[data-testid=fee-error]').attributes('title')).toBe(detail)
  })

  it('saves the case JSON with materials and bank transfer, clears the draft and emits the number', async () => {
    let sent: SentCase | null = null
    const calls = backend({
      import_case: ({ json }) => {
        sent = JSON.parse(json)
        return { number: 'GZ01-20261120-0001', warnings: [] }
      },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('广州市示例科技有限公司')
    await w.get('[data-testid=intake-uscc]').setValue('9144 0101 ma59 abcd1d')
    await w.get('[data-testid=intake-uscc]').trigger('blur')
    await w.get('[data-testid=intake-rep-name]').setValue('李明')
    await w.get('[data-testid=intake-rep-id]').setValue('440304199207271516')
    await w.get('[data-testid=intake-handler]').setValue('张伟')
    await w.get('[data-testid=intake-handler-id]').setValue('440106198503142038')
    await w.get('[data-testid=intake-mobile]').setValue('13800138000')
    await w.get('[data-testid=mat-original-license]').setValue(true)
    await w.get('[data-testid=mat-copies-form]').setValue('2')
    await w.get('[data-testid=mat-old-key-old_key]').setValue(true)
    await w.get('[data-testid=pay-method]').setValue('bank_transfer')
    await w.get('[data-testid=pay-account]').setValue('3602000109200123456')
    await w.get('[data-testid=pay-date]').setValue('2026-11-20')
    await flushPromises()
    expect(w.get('[data-testid=fee]').text()).toContain('100.00')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent).not.toBeNull()
    const c = sent!
    expect(c.organization?.uscc).toBe('91440101MA59ABCD1D')
    expect(c.organization?.legal_rep).toEqual({ name: '李明', id_type: 'resident_id', id_number: '440304199207271516', mobile: null })
    expect(c.handler).toMatchObject({ name: '张伟', id_type: 'resident_id', id_number: '440106198503142038', mobile: '13800138000' })
    expect(c.materials).toEqual([
      { id: 'form', original_seen: false, copies_received: 2 },
      { id: 'license', original_seen: true, copies_received: 0 },
      { id: 'old_key', original_seen: true, copies_received: 0 },
    ])
    expect(c.payment).toEqual({ method: 'bank_transfer', payer_account: '3602000109200123456', payer_name: '广州市示例科技有限公司', amount: '100.00', date: '2026-11-20' })
    expect(c.years).toBe(1)
    expect(c.employees).toEqual([])
    expect(calls.some((x) => x.cmd === 'clear_draft')).toBe(true)
    expect(w.emitted('created')?.[0]).toEqual(['GZ01-20261120-0001', []])
    // the form is blank again for the next applicant
    expect((w.get('[data-testid=intake-org]').element as HTMLInputElement).value).toBe('')
  })

  it('records the promise for a required item not handed in (后补说明) into the case JSON', async () => {
    let sent: SentCase | null = null
    const withOptional: MaterialItem[] = [...checklist, { id: 'authorization', text: '授权委托书', kind: 'authorization', original: true, copies: 0, stamped: true, optional: true, note: null }]
    backend({
      catalog_checklist: () => { currentChecklist = withOptional; return withOptional },
      import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261120-0003', warnings: [] } },
    })
    const w = mount(Intake)
    await flushPromises()
    // every required item still missing takes a note; an optional one never does
    expect(w.find('[data-testid=mat-follow-form]').exists()).toBe(true)
    expect(w.find('[data-testid=mat-follow-license]').exists()).toBe(true)
    expect(w.find('[data-testid=mat-follow-authorization]').exists()).toBe(false)
    await w.get('[data-testid=mat-copies-form]').setValue('2')
    await w.get('[data-testid=mat-old-key-old_key]').setValue(true)
    await w.get('[data-testid=mat-copies-license]').setValue('1')
    // each line's state comes back from the backend
    await flushPromises()
    expect(w.find('[data-testid=mat-follow-form]').exists()).toBe(false)
    expect(w.find('[data-testid=mat-follow-old_key]').exists()).toBe(false)
    // the licence's copy is here, its original is not: the applicant brings it on Monday
    await w.get('[data-testid=mat-follow-license]').setValue('  原件下周一带来核验 ')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.materials).toEqual([
      { id: 'form', original_seen: false, copies_received: 2 },
      { id: 'license', original_seen: false, copies_received: 1, to_follow: '原件下周一带来核验' },
      { id: 'old_key', original_seen: true, copies_received: 0 },
      { id: 'authorization', original_seen: false, copies_received: 0 },
    ])
  })

  it('ticks every required item with 全部收齐 and leaves an optional one to the clerk', async () => {
    let sent: SentCase | null = null
    const withOptional: MaterialItem[] = [...checklist, { id: 'remittance', text: '汇款凭证', kind: 'document', original: false, copies: 0, stamped: false, optional: true, note: null }]
    backend({ catalog_checklist: () => withOptional, import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261124-0005', warnings: [] } } })
    currentChecklist = withOptional
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=mat-all]').trigger('click')
    await flushPromises()
    await w.get('form').trigger('submit')
    await flushPromises()
    const got = (id: string) => sent!.materials.find((m) => m.id === id)
    expect(got('form')).toEqual({ id: 'form', original_seen: false, copies_received: 2 })
    expect(got('license')).toEqual({ id: 'license', original_seen: true, copies_received: 1 })
    expect(got('old_key')).toEqual({ id: 'old_key', original_seen: true, copies_received: 0 })
    // the 汇款凭证 of a card payment is not received by 全部收齐
    expect(got('remittance')?.original_seen ?? false).toBe(false)
  })

  it('sends no promise for an item received in the end', async () => {
    let sent: SentCase | null = null
    backend({ import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261120-0004', warnings: [] } } })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=mat-follow-license]').setValue('明天补')
    await w.get('[data-testid=mat-all]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid=mat-follow-license]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.materials.every((m) => !('to_follow' in m))).toBe(true)
  })

  it('renders the fields the backend\'s form model asks (业务单号, invoice, the project\'s own) and sends them at their paths', async () => {
    let sent: (SentCase & { ca_reference?: string; extra?: Record<string, string | number> }) | null = null
    const asked: string[] = []
    const field = (key: string, label: string, more: Partial<B.FieldSpec> = {}): B.FieldSpec => ({ key, label, kind: 'text', required: false, ...more })
    const model = (business: string): B.IntakeForm => ({
      project: project.id, business: business as B.IntakeForm['business'], cert_kind: 'organization', medium: 'usb_key',
      takes_years: true, has_organization: true, has_annex: false, counts_as_person: ['name', 'id_number', 'email'],
      rules: [{ id: 'invoice_title_is_applicant', text: '办理单位必须与申请发票单位一致', key: 'invoice.title' }],
      sections: [
        { id: 'case', title: '业务', fields: [field('years', '年限'), field('ca_reference', '业务单号', { why: '《机构员工申请表》须有业务单号才能打印' })] },
        { id: 'invoice', title: '发票', fields: [
          field('invoice.type', '发票类型', { kind: 'choice', default: 'normal', choices: [{ value: 'normal', label: '增值税普通发票' }, { value: 'special', label: '增值税专用发票' }] }),
          field('invoice.title', '发票抬头'),
          field('invoice.bank', '开户行', { required_when: { key: 'invoice.type', equals: 'special' }, why: '专票还需要填写营业地址、电话号码、开户行信息' }),
          field('invoice.account', '账号', { required_when: { key: 'invoice.type', equals: 'special' }, why: '专票还需要填写营业地址、电话号码、开户行信息' }),
        ] },
        { id: 'project_fields', title: '内蒙古CA专用信息', fields: [field('extra.banner_district', '所属旗区'), field('extra.secondary_certs', '副证个数', { kind: 'count' })] },
        { id: 'delivery', title: '交付', fields: [field('delivery.method', '交付方式', { kind: 'choice', default: 'pickup', choices: [{ value: 'pickup', label: '自取' }, { value: 'mail', label: '邮寄' }] }), field('delivery.address', '收件地址')] },
      ],
    })
    backend({
      intake_form: ({ business }) => { asked.push(business); return model(business) },
      import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261128-0001', warnings: [] } },
    })
    const w = mount(Intake)
    await flushPromises()
    expect(asked.length).toBeGreaterThan(0)
    expect(w.get('[data-testid=intake-rules]').text()).toContain('办理单位必须与申请发票单位一致')
    expect(w.get('[data-testid=intake-rules] h4').text()).toBe('受理规则')
    // a reason two neighbours share is said once; the sections are numbered as shown, the fee last
    expect(w.get('[data-testid=more-invoice]').text().split('专票还需要填写营业地址').length - 1).toBe(1)
    const legends = w.findAll('legend').map((l) => l.text())
    expect(legends.map((l) => l.slice(0, 1))).toEqual(['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧'].slice(0, legends.length))
    expect(legends.at(-1)).toContain('费用与付款')
    expect(legends.some((l) => l.includes('发票'))).toBe(true)
    expect(w.get('[data-testid=more-ca_reference]').element.closest('label')!.textContent).toContain('《机构员工申请表》须有业务单号才能打印')
    await w.get('[data-testid=more-ca_reference]').setValue('20261128000123')
    // the bank is required once the invoice is a 专票
    const bankLabel = () => w.get('[data-testid=more-invoice-bank]').element.closest('label')!.textContent!
    expect(bankLabel()).not.toContain('*')
    await w.get('[data-testid=more-invoice-type]').setValue('special')
    expect(bankLabel()).toContain('*')
    await w.get('[data-testid=more-invoice-title]').setValue('广州市示例科技有限公司')
    await w.get('[data-testid=more-invoice-bank]').setValue('工商银行')
    await w.get('[data-testid=more-extra-banner_district]').setValue('赛罕区')
    await w.get('[data-testid=more-extra-secondary_certs]').setValue('2')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.ca_reference).toBe('20261128000123')
    expect(sent!.invoice).toEqual({ type: 'special', title: '广州市示例科技有限公司', bank: '工商银行', account: null })
    expect(sent!.extra).toEqual({ banner_district: '赛罕区', secondary_certs: 2 })
    expect(sent!.delivery, 'nothing chosen beyond the default: no delivery section').toBeUndefined()
    // another business type asks the backend again
    await w.get('[data-testid=intake-business]').setValue('renew')
    await flushPromises()
    expect(asked.at(-1)).toBe('renew')
  })

  it('asks a posted case\'s arrival only once 邮寄 is chosen and sends channel and arrival (#73)', async () => {
    let sent: (SentCase & { channel?: string; arrival?: Record<string, string> }) | null = null
    const field = (key: string, label: string, more: Partial<B.FieldSpec> = {}): B.FieldSpec => ({ key, label, kind: 'text', required: false, ...more })
    const post = { key: 'channel', equals: 'post' }
    const why = '邮寄案件须填写收件日期、快递公司和运单号'
    backend({
      intake_form: ({ business }) => ({
        project: project.id, business: business as B.IntakeForm['business'], cert_kind: 'organization', medium: 'usb_key',
        takes_years: true, has_organization: true, has_annex: false, counts_as_person: ['name', 'id_number', 'email'], rules: [],
        sections: [{ id: 'case', title: '业务', fields: [
          field('years', '年限'),
          field('channel', '受理方式', { kind: 'choice', default: 'counter', choices: [{ value: 'counter', label: '窗口' }, { value: 'post', label: '邮寄' }] }),
          field('arrival.date', '收件日期', { kind: 'date', required_when: post, why, shown_when: post }),
          field('arrival.courier', '快递公司', { required_when: post, why, shown_when: post }),
          field('arrival.waybill', '运单号', { required_when: post, why, shown_when: post }),
        ] }],
      }),
      import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261129-0001', warnings: [] } },
    })
    const w = mount(Intake)
    await flushPromises()
    expect(w.find('[data-testid=more-arrival-waybill]').exists(), 'a counter case asks no arrival').toBe(false)
    await w.get('[data-testid=more-channel]').setValue('post')
    expect(w.get('[data-testid=more-arrival-waybill]').element.closest('label')!.textContent).toContain('*')
    await w.get('[data-testid=more-arrival-date]').setValue('2026-11-27')
    await w.get('[data-testid=more-arrival-courier]').setValue('顺丰速运')
    await w.get('[data-testid=more-arrival-waybill]').setValue('SF1234567890')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.channel).toBe('post')
    expect(sent!.arrival).toEqual({ date: '2026-11-27', courier: '顺丰速运', waybill: 'SF1234567890' })
  })

  it('shows no years for a business the model says takes none (补办), and sends none', async () => {
    const years: (number | null)[] = []
    backend({
      catalog_projects: () => [{ ...project, business_types: ['new', 'replace'] }],
      intake_form: ({ business }) => ({
        project: project.id, business: business as B.IntakeForm['business'], cert_kind: 'organization', medium: 'usb_key',
        takes_years: business !== 'replace', has_organization: true, has_annex: false, counts_as_person: ['name', 'id_number', 'email'], rules: [], sections: [],
      }),
      fee_quote: (a) => { years.push(a.years); return feeQuote(a.years, 1, '100.00', '壹佰元整', []) },
    })
    const w = mount(Intake)
    await flushPromises()
    expect((w.get('[data-testid=intake-years]').element as HTMLSelectElement).disabled).toBe(false)
    await w.get('[data-testid=intake-business]').setValue('replace')
    await flushPromises()
    const select = w.get('[data-testid=intake-years]').element as HTMLSelectElement
    expect(select.disabled).toBe(true)
    expect(select.selectedOptions[0]?.textContent, 'not the last choice (1)').toBe('不按年限（与原证书相同）')
    expect(years.at(-1), 'priced without years').toBeNull()
  })

  it('prices and sends each annex row by its own business type and years where the model has those columns', async () => {
    let sent: SentCase | null = null
    const quoted: (B.RowOrder[] | null)[] = []
    const choice = (value: string, label: string) => ({ value, label })
    const model = (certKind: string): B.IntakeForm => ({
      project: project.id, business: 'new', cert_kind: certKind as B.IntakeForm['cert_kind'], medium: 'usb_key',
      takes_years: true, has_organization: true, has_annex: certKind === 'employee', counts_as_person: ['name', 'id_number', 'email'], rules: [],
      sections: certKind === 'employee'
        ? [{ id: 'employees', title: '员工（附页）', fields: [
            { key: 'employees[].name', label: '姓名', kind: 'text', required: true },
            { key: 'employees[].business', label: '业务类型', kind: 'choice', required: false, default: 'new', choices: [choice('new', '新申请'), choice('renew', '更新续期')] },
            { key: 'employees[].years', label: '年限', kind: 'choice', required: false, default: '1', choices: [choice('1', '1年'), choice('3', '3年')] },
          ] }]
        : [],
    })
    backend({
      intake_form: ({ certKind }) => model(certKind),
      fee_quote: ({ years, quantity, employees, rows }) => {
        quoted.push(rows)
        const n = employees ?? quantity
        return feeQuote(years, n, (100 * n).toFixed(2), '壹佰元整', [])
      },
      import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261128-0002', warnings: [] } },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    await w.get('[data-testid=intake-years]').setValue('3')
    await flushPromises()
    await w.get('[data-testid=emp-paste]').setValue(['王芳\t440106200109094066\t', '陈刚\t210102198801020030\t', '张伟\t440106198503142038\t'].join('\n'))
    await w.get('[data-testid=emp-paste-add]').trigger('click')
    await flushPromises()
    expect((w.get('[data-testid=emp-business-2]').element as HTMLSelectElement).value, 'a row takes the case\'s order').toBe('new')
    await w.get('[data-testid=emp-business-2]').setValue('renew')
    await w.get('[data-testid=emp-years-2]').setValue('1')
    await flushPromises()
    expect(quoted.at(-1)).toEqual([{ business: 'new', years: 3 }, { business: 'new', years: 3 }, { business: 'renew', years: 1 }])
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.employees.map((e) => [e.business, e.years])).toEqual([['new', 3], ['new', 3], ['renew', 1]])
  })

  it('shows what the clerk must know about the project, folded ahead of the form', async () => {
    const briefed: ProjectView = {
      ...project,
      briefing: briefingOf({
        notes: ['证书到期前30天内办理更新'],
        bank: { payee: '广东省电子商务认证有限公司', bank: '中国工商银行广州东山支行', account: '3602 0001 0920 0123 456', remark: '汇款用途请注明单位名称' },
        default_pin: '12345678',
        rules: ['证书仅回寄到单位法定地址', '付款单位名称须与申请单位名称一致，私人汇款概不受理'],
      }),
    }
    backend({ catalog_projects: () => [briefed] })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    const b = w.get('[data-testid=briefing]')
    expect(b.element.tagName).toBe('DETAILS')
    expect((b.element as HTMLDetailsElement).open).toBe(false)
    // the project choice keeps the focus; the panel comes before it, reached with Shift+Tab
    expect(document.activeElement).toBe(w.get('[data-testid=intake-project]').element)
    expect(b.element.compareDocumentPosition(w.get('[data-testid=intake-project]').element) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    expect(w.get('[data-testid=briefing-summary]').attributes('tabindex')).toBeUndefined()
    expect(w.get('[data-testid=briefing-bank]').text()).toContain('3602 0001 0920 0123 456')
    expect(w.get('[data-testid=briefing-bank]').text()).toContain('中国工商银行广州东山支行')
    expect(w.get('[data-testid=briefing-pin]').text()).toBe('默认PIN：12345678，请提醒申请人修改')
    // the warning shows on the folded panel too
    expect(w.get('[data-testid=briefing-summary]').text()).toContain('默认PIN：12345678')
    expect(w.findAll('[data-testid=briefing-rules] li').map((li) => li.text())).toEqual(['证书仅回寄到单位法定地址', '付款单位名称须与申请单位名称一致，私人汇款概不受理'])
    expect(b.text()).toContain('证书到期前30天内办理更新')
    expect(w.get('[data-testid=briefing-contact]').text()).toContain('020-83487000')
    // a bank transfer shows where the money goes
    expect(w.find('[data-testid=pay-to]').exists()).toBe(false)
    await w.get('[data-testid=pay-method]').setValue('bank_transfer')
    expect(w.get('[data-testid=pay-to]').text()).toContain('3602 0001 0920 0123 456')
    w.unmount()
  })

  it('leaves out what a project does not say', async () => {
    backend()
    const w = mount(Intake)
    await flushPromises()
    expect(w.find('[data-testid=briefing]').exists()).toBe(true)
    expect(w.find('[data-testid=briefing-bank]').exists()).toBe(false)
    expect(w.find('[data-testid=briefing-pin]').exists()).toBe(false)
    expect(w.find('[data-testid=briefing-rules]').exists()).toBe(false)
  })

  it('shows the backend problems next to their fields and lists the others', async () => {
    const problems: FieldProblem[] = [
      { path: 'handler.mobile', severity: 'error', message: 'required', message_zh: '经办人手机号码必填' },
      { path: 'payment.amount', severity: 'error', message: 'negative', message_zh: '金额不能为负数' },
    ]
    backend({ import_case: () => { throw refusal('invalid_case', JSON.stringify(problems)) } })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-submit]').trigger('click')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('资料有误')
    expect(w.get('[data-testid=mobile-error]').text()).toBe('经办人手机号码必填')
    expect(w.get('[data-testid=problems]').text()).toContain('金额不能为负数')
    // typing in the field clears its problem
    await w.get('[data-testid=intake-mobile]').setValue('1')
    expect(w.find('[data-testid=mobile-error]').exists()).toBe(false)
  })

  it('keeps the typed case while the hall switches servers and saves it once a server takes writes', async () => {
    const sent: string[] = []
    backend({
      import_case: ({ json }) => {
        sent.push(json)
        if (sent.length === 1) throw refusal('server_switching', 'no server of the hall takes writes')
        return { number: 'GZ01-20261124-0001', warnings: [] }
      },
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('广州市示例科技有限公司')
    await w.get('form').trigger('submit')
    await flushPromises()
    // refused with nothing written: said, the form as typed, tried again by itself
    expect(w.get('[data-testid=intake-switching]').text()).toContain('服务器切换中')
    expect((w.get('[data-testid=intake-org]').element as HTMLInputElement).value).toBe('广州市示例科技有限公司')
    expect(w.emitted('created')).toBeUndefined()
    await sleep(2300)
    await flushPromises()
    expect(sent).toHaveLength(2)
    expect(sent[1]).toBe(sent[0])
    expect(w.emitted('created')).toEqual([['GZ01-20261124-0001', []]])
    expect(w.find('[data-testid=intake-switching]').exists()).toBe(false)
  })

  it('does not try again after a refusal that is not the hall switching', async () => {
    let tries = 0
    backend({ import_case: () => { tries++; throw refusal('server_commit_unknown', 'lost while committing') } })
    const w = mount(Intake)
    await flushPromises()
    await w.get('form').trigger('submit')
    await flushPromises()
    await sleep(50)
    expect(tries).toBe(1)
    expect(w.find('[data-testid=intake-switching]').exists()).toBe(false)
    expect(w.get('[data-testid=error]').text()).toContain('无法确认是否已保存')
  })

  it('says which section the focus is in, for F1 (#77)', async () => {
    backend({})
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-handler]').trigger('focusin')
    expect(helpStep.value).toBe('intake_handler')
    await w.get('[data-testid=mat-all]').trigger('focusin')
    expect(helpStep.value).toBe('intake_materials')
    await w.get('[data-testid=intake-uscc]').trigger('focusin')
    expect(helpStep.value).toBe('intake_unit')
    w.unmount()
    expect(helpStep.value).toBeNull()
  })

  it('fills the handler the clerk is at from a card laid on the reader', async () => {
    const cards: (CardForIntake | null)[] = [card(), null, card({ name: '李四', id_number: '440106200109094066' })]
    backend({ idcard_poll: () => cards.shift() ?? null })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-handler]').trigger('focusin')
    await sleep(30)
    await flushPromises()
    expect((w.get('[data-testid=intake-handler]').element as HTMLInputElement).value).toBe('张三丰')
    expect((w.get('[data-testid=intake-handler-id]').element as HTMLInputElement).value).toBe('440306199003071232')
    expect((w.get('[data-testid=intake-handler-address]').element as HTMLInputElement).value).toBe('广东省深圳市福田区深南大道1号')
    expect(w.get('[data-testid=idcard-info]').text()).toBe('已从身份证读入经办人：张三丰')
  })

  it('a card fills the next employee row, marks it 读卡 beside the row with the focus there, and sends source chip until a typed change (#72)', async () => {
    let sent: SentCase | null = null
    let polls = 0
    const cards: (CardForIntake | null)[] = [card(), null, card({ name: '李四', id_number: '440106200109094066' })]
    backend({
      idcard_poll: () => { polls++; return polls > 2 ? cards.shift() ?? null : null },
      import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261128-0003', warnings: [] } },
    })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    await sleep(3200)
    await flushPromises()
    expect((w.get('[data-testid=emp-name-0]').element as HTMLInputElement).value).toBe('张三丰')
    expect((w.get('[data-testid=emp-name-1]').element as HTMLInputElement).value).toBe('李四')
    expect(w.get('[data-testid=emp-chip-0]').text()).toBe('读卡')
    expect(w.get('[data-testid=emp-chip-1]').text()).toBe('读卡')
    // the last row filled is in view with the focus on what is left to type there, and says so
    expect((document.activeElement as HTMLElement).dataset.testid).toBe('emp-email-1')
    expect(w.get('[data-testid=emp-row-1] [data-testid=emp-card-note]').text()).toBe('已从身份证读入员工2：李四')
    // a typed change to the number: the row is typed, not read
    await w.get('[data-testid=emp-id-0]').setValue('440306199003071231')
    expect(w.find('[data-testid=emp-chip-0]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    const rows = sent!.employees as { source?: string }[]
    expect(rows.map((e) => e.source ?? null)).toEqual([null, 'chip'])
  }, 15_000)

  it('refuses an expired card in the seed\'s words and fills nothing', async () => {
    const refused = '证件已于2025-01-01过期，不能受理（个人身份证件无法进行扫描验证，将导致数字证书及电子签章无法办理）'
    let once = true
    backend({ idcard_poll: () => (once ? ((once = false), card({ validity: 'expired', valid_to: '2025-01-01', refused })) : null) })
    const w = mount(Intake)
    await flushPromises()
    await sleep(30)
    await flushPromises()
    expect(w.get('[data-testid=idcard-error]').text()).toBe(refused)
    expect((w.get('[data-testid=intake-handler]').element as HTMLInputElement).value).toBe('')
  })

  it('shows where typed data differ from the chip and keeps them unless the clerk takes the chip', async () => {
    const cards: (CardForIntake | null)[] = [null, card(), null, card()]
    backend({ idcard_poll: () => cards.shift() ?? null })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-handler]').setValue('张三')
    await w.get('[data-testid=intake-handler]').trigger('focusin')
    // the card laid after the name was typed (the reader is asked every 500 ms)
    await sleep(600)
    await flushPromises()
    // asked; the typed name stays until the clerk says otherwise
    expect(document.body.textContent).toContain('经办人姓名：已填写“张三”，证件为“张三丰”')
    expect((w.get('[data-testid=intake-handler]').element as HTMLInputElement).value).toBe('张三')
    ;(document.querySelector('[data-testid=confirm-cancel]') as HTMLButtonElement | null)?.click()
    await flushPromises()
    expect((w.get('[data-testid=intake-handler]').element as HTMLInputElement).value).toBe('张三')
    expect(w.get('[data-testid=idcard-info]').text()).toContain('已保留经办人已填写的信息')
    // the card laid again: this time the clerk takes the chip
    await sleep(1000)
    await flushPromises()
    ;(document.querySelector('[data-testid=idcard-use-chip]') as HTMLButtonElement).click()
    await flushPromises()
    expect((w.get('[data-testid=intake-handler]').element as HTMLInputElement).value).toBe('张三丰')
  })

  it('starts on the project the backend names for this account, not on a fixed one', async () => {
    const other: ProjectView = { ...project, id: 'nmgca-org', ca_name: '内蒙古数字证书认证中心', ca_short: '内蒙古CA', service: '数字证书' }
    backend({ catalog_projects: () => [project, other], intake_project: () => 'nmgca-org' })
    const w = mount(Intake)
    await flushPromises()
    expect((w.get('[data-testid=intake-project]').element as HTMLSelectElement).value).toBe('nmgca-org')
  })

  it('clears the whole form and the stored draft after a confirmation', async () => {
    const calls = backend()
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-org]').setValue('某单位')
    await w.get('[data-testid=intake-clear]').trigger('click')
    expect(calls.some((c) => c.cmd === 'clear_draft')).toBe(false)
    await w.get('[data-testid=intake-clear-confirm]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'clear_draft')).toBe(true)
    expect((w.get('[data-testid=intake-org]').element as HTMLInputElement).value).toBe('')
  })
})

describe('Intake, correcting a stored case', () => {
  const returned = {
    ...sampleCase, status: 'returned', created_at: '2026-11-20T09:30:00+08:00', updated_at: '2026-11-20T09:40:00+08:00', digest: 'abc',
    organization: { ...sampleCase.organization, org_code: 'MA59ABCD1', department: '财务部', legal_rep: { ...sampleCase.organization.legal_rep, mobile: '13912345678' } },
    payment: { method: 'bank_transfer', payer_account: '3602000109200123456', payer_name: '广州市示例财务有限公司', amount: '300.00', date: '2026-11-20' },
    notes: '加急', years: 3,
    materials: [{ id: 'form', original_seen: false, copies_received: 1 }, { id: 'license', original_seen: true, copies_received: 1 }],
  } satisfies CaseJson
  const warning: FieldProblem = { path: 'handler.email', severity: 'warning', message: 'no email', message_zh: '建议填写经办人邮箱' }

  it('fills every section from the case JSON, leaves the draft alone and saves with update_case', async () => {
    let sent: SentCase | null = null
    const calls = backend({
      update_case: ({ number, json }) => {
        sent = JSON.parse(json)
        return { number, warnings: [warning] }
      },
    })
    const w = mount(Intake, { props: { edit: { number: returned.number, case: returned } } })
    await flushPromises()
    expect(w.get('[data-testid=intake-title]').text()).toBe('修改案件 GZ01-20261120-0001')
    const val = (id: string) => (w.get(`[data-testid=${id}]`).element as HTMLInputElement).value
    expect(val('intake-project')).toBe('netca-gd-pension')
    expect(val('intake-kind')).toBe('organization')
    expect(val('intake-years')).toBe('3')
    expect(val('intake-org')).toBe('广州市示例科技有限公司')
    expect(val('intake-uscc')).toBe('91440101MA59ABCD1D')
    expect(val('intake-department')).toBe('财务部')
    expect(val('intake-org-phone')).toBe('020-83561234')
    expect(val('intake-postcode')).toBe('510110')
    expect(val('intake-legal-address')).toBe('广州市越秀区')
    expect(val('intake-rep-name')).toBe('李明')
    expect(val('intake-rep-id')).toBe('440304199207271516')
    expect(val('intake-rep-mobile')).toBe('13912345678')
    expect(val('intake-handler')).toBe('张伟')
    expect(val('intake-handler-id')).toBe('440106198503142038')
    expect(val('intake-mobile')).toBe('13800138000')
    expect(val('pay-method')).toBe('bank_transfer')
    expect(val('pay-payer-name')).toBe('广州市示例财务有限公司')
    expect(val('pay-account')).toBe('3602000109200123456')
    expect(val('pay-date')).toBe('2026-11-20')
    expect(val('intake-notes')).toBe('加急')
    expect((w.get('[data-testid=mat-original-license]').element as HTMLInputElement).checked).toBe(true)
    expect(val('mat-copies-form')).toBe('1')
    expect(w.find('[data-testid=intake-clear]').exists()).toBe(false)
    expect(w.find('[data-testid=draft-state]').exists()).toBe(false)

    // the clerk corrects what the supervisor returned
    await w.get('[data-testid=intake-mobile]').setValue('13800138001')
    await w.get('[data-testid=mat-copies-form]').setValue('2')
    await sleep(900)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent).not.toBeNull()
    const c = sent!
    expect(c.handler).toEqual({ name: '张伟', id_type: 'resident_id', id_number: '440106198503142038', mobile: '13800138001', email: null, address: null })
    expect(c.organization).toMatchObject({ name: '广州市示例科技有限公司', uscc: '91440101MA59ABCD1D', org_code: 'MA59ABCD1', department: '财务部', legal_rep: { name: '李明', mobile: '13912345678' } })
    expect(c.materials).toEqual([
      { id: 'form', original_seen: false, copies_received: 2 },
      { id: 'license', original_seen: true, copies_received: 1 },
      { id: 'old_key', original_seen: false, copies_received: 0 },
    ])
    expect(c.payment).toEqual({ method: 'bank_transfer', payer_account: '3602000109200123456', payer_name: '广州市示例财务有限公司', amount: '100.00', date: '2026-11-20' })
    expect(c.years).toBe(3)
    expect(c.notes).toBe('加急')
    for (const k of ['number', 'status', 'created_at', 'updated_at', 'digest']) expect(c).not.toHaveProperty(k)
    expect(calls.filter((x) => x.cmd === 'update_case').map((x) => x.args.number)).toEqual([returned.number])
    for (const cmd of ['load_draft', 'save_draft', 'clear_draft', 'import_case']) expect(calls.some((x) => x.cmd === cmd)).toBe(false)
    expect(w.emitted('updated')?.[0]).toEqual([returned.number, [warning]])
    // the form is not cleared after a correction
    expect(val('intake-mobile')).toBe('13800138001')
  })

  it('shows the backend problems of a correction next to their fields', async () => {
    const problems: FieldProblem[] = [{ path: 'handler.id_number', severity: 'error', message: 'check digit', message_zh: '身份证号码校验位有误' }]
    const calls = backend({ update_case: () => { throw refusal('invalid_case', JSON.stringify(problems)) } })
    const w = mount(Intake, { props: { edit: { number: returned.number, case: returned } } })
    await flushPromises()
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('资料有误')
    expect(w.get('[data-testid=handler-id-error]').text()).toBe('身份证号码校验位有误')
    expect(w.emitted('updated')).toBeUndefined()
    await w.get('[data-testid=intake-cancel]').trigger('click')
    expect(w.emitted('cancel')).toHaveLength(1)
    await sleep(900)
    expect(calls.some((x) => x.cmd === 'save_draft')).toBe(false)
  })

  it('keeps the ID types of employees and the payer default of the stored annex', async () => {
    let sent: SentCase | null = null
    backend({ update_case: ({ number, json }) => { sent = JSON.parse(json); return { number, warnings: [] } } })
    const c = {
      ...sampleCase, cert_kind: 'employee', quantity: 2,
      employees: [
        { name: '王芳', id_type: 'resident_id', id_number: '440106200109094066', email: 'w@x.cn', business: 'new', years: 3 },
        { name: 'John Smith', id_type: 'passport', id_number: 'E12345678', email: null, business: 'new', years: 3 },
      ],
    } satisfies CaseJson
    const w = mount(Intake, { props: { edit: { number: c.number, case: c } } })
    await flushPromises()
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(2)
    expect((w.get('[data-testid=emp-id-1]').element as HTMLInputElement).value).toBe('E12345678')
    expect(w.find('[data-testid=emp-id-error-1]').exists()).toBe(false)
    // the payer was the organisation: left as the default, it follows a corrected name
    expect((w.get('[data-testid=pay-payer-name]').element as HTMLInputElement).value).toBe('')
    await w.get('[data-testid=intake-org]').setValue('广州市示例科技股份有限公司')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(sent!.employees.map((e) => e.id_type)).toEqual(['resident_id', 'passport'])
    expect(sent!.quantity).toBe(2)
    expect(sent!.payment?.payer_name).toBe('广州市示例科技股份有限公司')
  })
})

describe('Intake, new case warnings', () => {
  it('emits the warnings of the import with the number', async () => {
    const warning: FieldProblem = { path: 'handler.email', severity: 'warning', message: 'no email', message_zh: '建议填写经办人邮箱' }
    backend({ import_case: () => ({ number: 'GZ01-20261120-0002', warnings: [warning] }) })
    const w = mount(Intake)
    await flushPromises()
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.emitted('created')?.[0]).toEqual(['GZ01-20261120-0002', [warning]])
  })
})

describe('parsePeople', () => {
  it('reads tab-separated rows, skips a header and blank lines, tidies ID numbers', () => {
    expect(parsePeople('姓名\t证件号码\t邮箱\n王芳\t44010620010909406x\tw@x.cn\n\n陈刚, 210102198801020030')).toEqual([
      { name: '王芳', id_number: '44010620010909406X', email: 'w@x.cn' },
      { name: '陈刚', id_number: '210102198801020030', email: '' },
    ])
  })
})

describe('Intake, keyboard first', () => {
  const focused = () => (document.activeElement as HTMLElement | null)?.dataset.testid
  const enter = (w: ReturnType<typeof mount>, id: string, over: Record<string, unknown> = {}) => w.get(`[data-testid=${id}]`).trigger('keydown', { key: 'Enter', ...over })

  it('moves to the next field on Enter and back on Shift+Enter, never saving; not while an input method composes', async () => {
    const calls = backend()
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    expect(focused()).toBe('intake-project')
    await enter(w, 'intake-project')
    expect(focused()).toBe('intake-business')
    ;(w.get('[data-testid=intake-org]').element as HTMLElement).focus()
    await enter(w, 'intake-org')
    expect(focused()).toBe('intake-uscc')
    await enter(w, 'intake-uscc', { shiftKey: true })
    expect(focused()).toBe('intake-org')
    // Enter that picks a 拼音 candidate stays in the field
    await enter(w, 'intake-org', { isComposing: true })
    expect(focused()).toBe('intake-org')
    // Ctrl+↓ skips the rest of a section: from the organisation to the handler, and back
    await w.get('[data-testid=intake-uscc]').trigger('keydown', { key: 'ArrowDown', ctrlKey: true })
    expect(focused()).toBe('intake-handler')
    await w.get('[data-testid=intake-handler]').trigger('keydown', { key: 'ArrowUp', ctrlKey: true })
    expect(focused()).toBe('intake-org')
    // into the checklist: on 全部收齐, where a section names its start, not its first 份数 (#72)
    await w.get('[data-testid=intake-handler]').trigger('keydown', { key: 'ArrowDown', ctrlKey: true })
    expect(focused()).toBe('mat-all')
    ;(w.get('[data-testid=intake-notes]').element as HTMLElement).focus()
    await enter(w, 'intake-notes')
    expect(focused()).toBe('intake-submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'import_case')).toBe(false)
  })

  it('goes across a row with Enter in the employee table, down with ↓, and leaves it on an empty last row', async () => {
    let sent: SentCase | null = null
    backend({ import_case: ({ json }) => { sent = JSON.parse(json); return { number: 'GZ01-20261120-0003', warnings: [] } } })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    // the table has a row to type into at once
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(1)
    ;(w.get('[data-testid=emp-name-0]').element as HTMLElement).focus()
    expect(focused()).toBe('emp-name-0')
    // 姓名 → 证件号码 → 邮箱 → the next row's 姓名, as everywhere above the table
    await w.get('[data-testid=emp-name-0]').setValue('王芳')
    await enter(w, 'emp-name-0')
    expect(focused()).toBe('emp-id-0')
    await w.get('[data-testid=emp-id-0]').setValue('440106198503142038')
    await enter(w, 'emp-id-0')
    expect(focused()).toBe('emp-email-0')
    await w.get('[data-testid=emp-email-0]').setValue('wangfang@example.com')
    await enter(w, 'emp-email-0')
    await flushPromises()
    expect(focused()).toBe('emp-name-1')
    await w.get('[data-testid=emp-name-1]').setValue('陈刚')
    // Shift+Enter back across, into the row above
    await enter(w, 'emp-name-1', { shiftKey: true })
    expect(focused()).toBe('emp-email-0')
    await enter(w, 'emp-email-0', { shiftKey: true })
    expect(focused()).toBe('emp-id-0')
    await w.get('[data-testid=emp-id-0]').trigger('keydown', { key: 'ArrowDown' })
    expect(focused()).toBe('emp-id-1')
    ;(w.get('[data-testid=emp-email-1]').element as HTMLElement).focus()
    await enter(w, 'emp-email-1')
    await flushPromises()
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(3)
    // an empty last row: Enter drops it and goes on to the materials
    await enter(w, 'emp-name-2')
    await flushPromises()
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(2)
    expect(focused()).toMatch(/^mat-/)
    // Ctrl+Enter saves from anywhere on the intake
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await flushPromises()
    expect(sent!.employees.map((e) => e.name)).toEqual(['王芳', '陈刚'])
  })

  it('flags a 姓名 that is a number or an e-mail address, and counts no empty row as a person', async () => {
    const calls = backend()
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=intake-kind]').setValue('employee')
    await flushPromises()
    await w.get('[data-testid=emp-name-0]').setValue('440106198503142038')
    expect(w.get('[data-testid=emp-name-error-0]').text()).toContain('姓名不能是数字')
    await w.get('[data-testid=emp-name-0]').setValue('wangfang@example.com')
    expect(w.get('[data-testid=emp-name-error-0]').text()).toContain('姓名不能是邮箱地址')
    await w.get('[data-testid=emp-name-0]').setValue('王芳')
    expect(w.find('[data-testid=emp-name-error-0]').exists()).toBe(false)
    // three people and the row open for the fourth: 3 people, quoted for 3
    for (const [i, name] of ['陈刚', '李娜'].entries()) {
      await w.get('[data-testid=emp-add]').trigger('click')
      await flushPromises()
      await w.get(`[data-testid=emp-name-${i + 1}]`).setValue(name)
    }
    await w.get('[data-testid=emp-add]').trigger('click')
    await flushPromises()
    expect(w.findAll('[data-testid^=emp-row-]')).toHaveLength(4)
    expect(w.get('[data-testid=emp-count]').text()).toContain('3')
    const quotes = calls.filter((c) => c.cmd === 'fee_quote')
    const last = quotes[quotes.length - 1]
    expect(last.cmd === 'fee_quote' && last.args.employees).toBe(3)
  })

  it('marks required fields, and a refusal lists its problems on top, each jumping to its field', async () => {
    const problems: FieldProblem[] = [
      { path: 'handler.mobile', severity: 'error', message: 'required', message_zh: '经办人手机号码必填' },
      { path: 'organization.name', severity: 'error', message: 'required', message_zh: '必填' },
      { path: 'payment.amount', severity: 'error', message: 'negative', message_zh: '金额不能为负数' },
    ]
    backend({ import_case: () => { throw refusal('invalid_case', JSON.stringify(problems)) } })
    const w = mount(Intake, { attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid=intake-org]').attributes('aria-required')).toBe('true')
    expect(w.get('[data-testid=intake-handler-id]').attributes('aria-required')).toBe('true')
    expect(w.get('[data-testid=intake-department]').attributes('aria-required')).toBeUndefined()
    expect(w.findAll('.req').length).toBeGreaterThan(3)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true }))
    await flushPromises()
    const summary = w.get('[data-testid=problem-summary]')
    expect(summary.text()).toContain('有3处')
    // in the form's order, by their labels (no JSON paths on screen)
    expect(summary.findAll('li').map((li) => li.text())).toEqual(['机构名称：必填', '经办人手机：经办人手机号码必填', '金额：金额不能为负数'])
    expect(document.activeElement).toBe(summary.get('button').element)
    await summary.findAll('button')[1].trigger('click')
    expect(focused()).toBe('intake-mobile')
    // the refusal stays in the action bar at the bottom of the window
    expect(w.get('[data-testid=action-bar]').text()).toContain('资料有误')
  })

  it('shows a returning handler\'s letter on file on its line, not asked again, and the unit\'s record beside its code (#74)', async () => {
    const letter: MaterialItem = { id: 'authorization', text: '单位授权书', kind: 'authorization', original: true, copies: 0, stamped: true, optional: false, note: null }
    const calls = backend({
      catalog_checklist: () => [...checklist, letter],
      materials_state: ({ received }) => {
        // the backend counts a line on file as handed in
        const list: MaterialItem[] = [...checklist, letter]
        const state = materialsOf(list, received.filter((m: MaterialReceived) => !m.on_file))
        for (const i of state.items) if (received.some((m: MaterialReceived) => m.id === i.id && m.on_file)) Object.assign(i, { state: 'received' })
        return state
      },
      intake_on_file: ({ typed }) => (typed.handler_id === '440106198503142038'
        ? { letters: [{ id: 'authorization', holder: '张伟', until: '2027-06-30', case: 'GZ01-20261020-0003' }], cases: 2, licence_valid_until: '长期', certificates: 1 }
        : { letters: [], cases: 2, licence_valid_until: '长期', certificates: 1 }),
    })
    const w = mount(Intake)
    await flushPromises()
    await w.get('[data-testid=intake-uscc]').setValue('91440101MA59ABCD1D')
    await sleep(300)
    await flushPromises()
    expect(w.get('[data-testid=intake-unit-on-file]').text()).toContain('已有2件案件')
    expect(w.get('[data-testid=intake-unit-on-file]').text()).toContain('营业执照有效期至长期')
    expect(w.find('[data-testid=mat-onfile-authorization]').exists(), 'another handler: the letter is asked').toBe(false)
    await w.get('[data-testid=intake-handler-id]').setValue('440106198503142038')
    await sleep(300)
    await flushPromises()
    expect(w.get('[data-testid=mat-onfile-authorization]').text()).toContain('随案件GZ01-20261020-0003提交，授权期限至2027-06-30')
    const asked = calls.filter((c) => c.cmd === 'intake_on_file').map((c) => (c.args as { typed: B.IntakeTyped }).typed)
    expect(asked.at(-1)).toMatchObject({ project: 'netca-gd-pension', uscc: '91440101MA59ABCD1D', handler_id: '440106198503142038', editing: null })
    const states = calls.filter((c) => c.cmd === 'materials_state')
    const sent = (states.at(-1)!.args as { received: MaterialReceived[] }).received
    expect(sent.find((m) => m.id === 'authorization')?.on_file).toBe('GZ01-20261020-0003')
    expect(w.find('[data-testid=mat-follow-authorization]').exists(), 'no promise asked for a letter on file').toBe(false)
  })
})
