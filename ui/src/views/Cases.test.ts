// Component tests of the case list and the case page (history, actions, printing, seal sheet)
// with the IPC mocked.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Cases from './Cases.vue'
import CaseDetail from './CaseDetail.vue'
import SealPanel from '../components/SealPanel.vue'
import PrintPanel from '../components/PrintPanel.vue'
import type { FieldProblem, PrintOutcome, SealVerdict, Sheet } from '../ipc'
import type { CaseSteps, Role } from '../bindings'
import { auditEvent, caseView, feeQuote, identOk, sampleCase, sampleChecklist, sampleProject, stepsOf, summaryOf, type CaseJson, lackingMaterials } from '../fixtures'
import { mockBackend, refusal } from '../testing/backend'
import { helpStep } from '../help'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// the store writes `create` for a new case (there is no `case_created` action)
const history = [
  auditEvent(1, '2026-11-20T09:30:00+08:00', 'zhang', 'create', { to: 'draft', roles: ['clerk'] }),
  auditEvent(2, '2026-11-20T09:40:00+08:00', 'li', 'return', { from: 'submitted', to: 'returned', roles: ['supervisor'], reason: '复印件未盖章' }),
  auditEvent(3, '2026-11-20T09:50:00+08:00', 'zhang', 'seal_imported', {
    file: 'scan.png', sha256: 'c3'.repeat(32), dpi: 300, stored: ['seal:official_seal'],
    rows: [{ row: 0, kind: 'official_seal', best_col: 1, needs_restamp: false }],
  }),
]

/** a backend paging `all` as the store does: newest first, the total of every match */
function pager(all: ReturnType<typeof summaryOf>[]) {
  return ({ text, status, offset, limit }: { text: string | null; status: string | null; offset: number; limit: number }) => {
    const hits = all.filter((c) => (!status || c.status === status) && (!text || c.organization.includes(text) || c.handler.includes(text) || c.number.includes(text)))
    return { total: hits.length, offset, rows: hits.slice(offset, offset + limit), capped: false }
  }
}

describe('Cases list', () => {
  it('lists with the filters and searches as you type', async () => {
    const calls = mockBackend({
      case_page: pager([summaryOf('GZ01-20261120-0001', 'draft'), summaryOf('GZ01-20261120-0002', 'submitted')]),
      catalog_projects: () => [],
    })
    const w = mount(Cases, { props: { opened: null } })
    await flushPromises()
    expect(w.findAll('[data-testid^=case-GZ01]')).toHaveLength(2)
    await w.get('[data-testid=filter-status]').setValue('submitted')
    await w.get('[data-testid=filter-from]').setValue('2026-11-01')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'case_page').at(-1)!.args).toEqual({ text: null, status: 'submitted', project: null, from: '2026-11-01', to: null, offset: 0, limit: 15 })
    expect(w.findAll('[data-testid^=case-GZ01]')).toHaveLength(1)
    await w.get('[data-testid=search]').setValue('0002')
    await sleep(200)
    await flushPromises()
    // the search goes to the backend with the filters, which apply to its hits
    expect(calls.filter((c) => c.cmd === 'case_page').at(-1)!.args).toEqual({ text: '0002', status: 'submitted', project: null, from: '2026-11-01', to: null, offset: 0, limit: 15 })
    expect(w.findAll('[data-testid^=case-GZ01]').map((b) => b.text())).toEqual(['GZ01-20261120-0002'])
    await w.get('[data-testid=case-GZ01-20261120-0002]').trigger('click')
    expect(w.emitted('open')?.[0]).toEqual(['GZ01-20261120-0002'])
  })
})

describe('Cases list: loading and pages', () => {
  it('says it is loading, then pages the cases with their total and the project by its name', async () => {
    const all = Array.from({ length: 40 }, (_, i) => summaryOf(`GZ01-20261120-${String(40 - i).padStart(4, '0')}`, 'draft', { created_at: '2026-11-20T01:05:00Z' }))
    const serve = pager(all)
    let answer: () => void = () => {}
    const calls = mockBackend({
      case_page: (args) => new Promise((r) => { answer = () => r(serve(args)) }),
      catalog_projects: () => [sampleProject],
    })
    const w = mount(Cases, { props: { opened: null } })
    await flushPromises()
    expect(w.get('[data-testid=cases-loading]').text()).toBe('加载中…')
    answer()
    await flushPromises()
    expect(w.find('[data-testid=cases-loading]').exists()).toBe(false)
    // the total of every case, not of the page read
    expect(w.get('[data-testid=cases-total]').text()).toBe('共40件')
    expect(w.findAll('[data-testid^=case-GZ01]')).toHaveLength(15)
    expect(w.get('tbody tr').text()).toContain('网证通 · 养老')
    expect(w.get('tbody tr').text()).toContain('2026-11-20 09:05')
    expect(w.get('tbody tr').text()).not.toContain('netca-gd-pension')
    expect(w.get('[data-testid=page-no]').text()).toBe('第1/3页')
    await w.get('[data-testid=page-next]').trigger('click')
    await w.get('[data-testid=page-next]').trigger('click')
    answer()
    await flushPromises()
    answer()
    await flushPromises()
    // each page is read when it is turned to, from its offset
    expect(calls.filter((c) => c.cmd === 'case_page').map((c) => (c.args as { offset: number }).offset)).toEqual([0, 15, 30])
    expect(w.findAll('[data-testid^=case-GZ01]').map((b) => b.text())).toEqual(all.slice(30).map((c) => c.number))
    expect(w.get('[data-testid=page-no]').text()).toBe('第3/3页')
    await w.get('section').trigger('keydown', { key: 'PageUp' })
    answer()
    await flushPromises()
    expect(w.get('[data-testid=page-no]').text()).toBe('第2/3页')
    expect(w.findAll('[data-testid^=case-GZ01]')[0].text()).toBe(all[15].number)
  })

  it('says when a search shows only its best hits', async () => {
    mockBackend({
      case_page: () => ({ total: 200, offset: 0, rows: [summaryOf('GZ01-20261120-0001', 'draft')], capped: true }),
      catalog_projects: () => [],
    })
    const w = mount(Cases, { props: { opened: null } })
    await flushPromises()
    expect(w.get('[data-testid=cases-total]').text()).toBe('最相关的200件（请输入更多字词缩小范围）')
  })
})

describe('Case page', () => {
  it('shows the data, the history in Chinese, and takes an action', async () => {
    let status = 'draft'
    const acted: unknown[] = []
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status }, ['clerk'], {
        history, attachments: [{ name: 'seal:official_seal', mime: 'image/png', size: 2048, sha256: 'a1'.repeat(32), at: '2026-11-20T09:50:00+08:00', actor: 'zhang' }],
        payment_capital: '柒佰元整', materials: lackingMaterials,
      }),
      attachment_url: () => 'data:image/png;base64,AAAA',
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      case_action: (a) => {
        acted.push(a)
        if (a.action === 'approve') throw refusal('missing_role', 'approving needs the role supervisor')
        status = 'accepted'
        return status
      },
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.get('h2').text()).toContain('GZ01-20261120-0001')
    expect(w.get('[data-testid=case-status]').text()).toBe('草稿')
    expect(w.get('[data-testid=case-org]').text()).toContain('91440101MA59ABCD1D')
    expect(w.get('[data-testid=case-org]').text()).toContain('李明')
    // the project by its name, not its id
    expect(w.get('[data-testid=case-project]').text()).toBe('网证通 · 养老')
    // the money confirmed in figures and in capital numerals, as the backend writes it
    expect(w.get('[data-testid=case-amount]').text()).toBe('¥700.00（柒佰元整）')
    const hist = w.get('[data-testid=history]').text()
    expect(hist).toContain('创建案件')
    expect(hist).toContain('退回')
    expect(hist).toContain('复印件未盖章')
    expect(hist).toContain('导入印章采集表')
    // the checklist: the licence is complete, the form lacks a copy
    expect(w.get('[data-testid=case-mat-license]').classes()).not.toContain('missing')
    expect(w.get('[data-testid=case-mat-form]').classes()).toContain('missing')
    expect(w.get('[data-testid="attachment-seal:official_seal"] img').attributes('src')).toContain('data:image/png')
    expect(w.find('[data-testid=act-approve]').exists()).toBe(false)
    await w.get('[data-testid=act-accept]').trigger('click')
    await flushPromises()
    expect(acted[0]).toEqual({ number: sampleCase.number, action: 'accept', reason: null, acceptToFollow: null, pin: null })
    expect(w.get('[data-testid=case-status]').text()).toBe('已受理')
    expect(w.emitted('changed')).toBeTruthy()
  })

  it('marks an optional item not handed in as such, never as received (✔)', async () => {
    const proof = { id: 'payment_proof', text: '汇款凭证', kind: 'document', original: false, copies: 1, stamped: false, optional: true, note: null } as const
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'submitted' }, ['supervisor'], {
        materials: { recorded: true, items: [{ id: 'form', text: '《单位法人数字证书申请表》', state: 'received', to_follow: null }, { id: 'license', text: '《统一社会信用代码证书》', state: 'received', to_follow: null }, { id: 'payment_proof', text: '汇款凭证', state: 'optional', to_follow: null }], missing: [] },
      }),
      catalog_checklist: () => [...sampleChecklist, proof],
      catalog_projects: () => [sampleProject],
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.get('[data-testid=case-mark-form]').text()).toBe('✔')
    expect(w.get('[data-testid=case-mark-payment_proof]').text()).toBe('—')
    expect(w.get('[data-testid=case-mat-payment_proof]').text()).toContain('可选，未交')
    expect(w.get('[data-testid=case-mat-payment_proof]').classes()).not.toContain('missing')
  })

  it('says the kind of case open, for F1: a returned one, a posted one, else the case page (#77)', async () => {
    let c: CaseJson = { ...sampleCase, status: 'returned' }
    mockBackend({ get_case: () => caseView(c, ['clerk']), catalog_checklist: () => sampleChecklist, catalog_projects: () => [sampleProject] })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(helpStep.value).toBe('case_returned')
    w.unmount()
    expect(helpStep.value).toBeNull()
    c = { ...sampleCase, status: 'accepted', channel: 'post' } as CaseJson
    mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(helpStep.value).toBe('case_posted')
  })

  it('shows a refusal in Chinese', async () => {
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'submitted' }, ['supervisor']),
      catalog_checklist: () => [],
      catalog_projects: () => [],
      case_action: () => { throw refusal('four_eyes', 'four-eyes rule') },
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('复核须由他人进行')
  })

  it('offers exactly the actions the backend allows, a reason first where one is needed', async () => {
    const acted: unknown[] = []
    const mountAs = async (roles: Role[]) => {
      clearMocks()
      mockBackend({
        get_case: () => caseView({ ...sampleCase, status: 'submitted' }, roles),
        catalog_checklist: () => [],
        catalog_projects: () => [],
        case_action: (args) => { acted.push(args); return 'returned' },
      })
      const w = mount(CaseDetail, { props: { number: sampleCase.number } })
      await flushPromises()
      return w
    }
    // a clerk is not offered 复核通过, nor the seal import of a case under review by others
    const clerk = await mountAs(['clerk'])
    expect(clerk.find('[data-testid=act-approve]').exists()).toBe(false)
    expect(clerk.findAll('[data-testid^=act-]').map((b) => b.attributes('data-testid'))).toEqual(['act-cancel'])
    clerk.unmount()
    const sup = await mountAs(['supervisor'])
    expect(sup.findAll('[data-testid^=act-]').map((b) => b.attributes('data-testid'))).toEqual(['act-approve', 'act-return', 'act-cancel'])
    expect(sup.find('[data-testid=case-edit]').exists()).toBe(false)
    expect(sup.findComponent(SealPanel).exists()).toBe(false)
    // return needs a reason: the button waits for one, approve does not
    expect(sup.get('[data-testid=act-return]').attributes('disabled')).toBeDefined()
    expect(sup.get('[data-testid=act-approve]').attributes('disabled')).toBeUndefined()
    await sup.get('[data-testid=reason]').setValue('公章模糊')
    expect(sup.get('[data-testid=act-return]').attributes('disabled')).toBeUndefined()
    await sup.get('[data-testid=act-return]').trigger('click')
    await flushPromises()
    expect(acted[0]).toEqual({ number: sampleCase.number, action: 'return', reason: '公章模糊', acceptToFollow: null, pin: null })
  })
})

describe('Case page: materials before 提交复核', () => {
  it('says before the button what a case made elsewhere still lacks, as the backend computed it (#79)', async () => {
    const missing = [{ id: 'license', text: '《营业执照》复印件', to_follow: null }]
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'accepted', materials: [] }, ['clerk'], { materials: { recorded: false, items: [], missing } }),
      catalog_checklist: () => [],
      catalog_projects: () => [],
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.find('[data-testid=act-submit]').exists()).toBe(true)
    expect(w.get('[data-testid=materials-not-recorded]').text()).toBe('本案未登记材料清单')
    expect(w.get('[data-testid=missing-license]').text()).toBe('《营业执照》复印件')
  })
})

describe('Case page: irreversible actions ask first', () => {
  it('作废 names the case and its reason, and reaches the backend only once confirmed', async () => {
    const calls = mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'accepted' }, ['clerk']),
      catalog_checklist: () => [],
      catalog_projects: () => [],
      case_action: () => 'cancelled',
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=reason]').setValue('申请人放弃办理')
    await w.get('[data-testid=act-cancel]').trigger('click')
    await flushPromises()
    const dialog = w.get('[data-testid=confirm-dialog]')
    expect(dialog.text()).toContain(sampleCase.number)
    expect(dialog.text()).toContain('申请人放弃办理')
    // Esc: nothing sent
    await w.get('[data-testid=confirm-cancel]').trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(w.find('[data-testid=confirm-dialog]').exists()).toBe(false)
    expect(calls.some((c) => c.cmd === 'case_action')).toBe(false)
    await w.get('[data-testid=act-cancel]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'case_action')).toBe(false)
    await w.get('[data-testid=confirm-ok]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'case_action')!.args).toEqual({ number: sampleCase.number, action: 'cancel', reason: '申请人放弃办理', acceptToFollow: null, pin: null })
  })
})

describe('Case page: 归档 asks first', () => {
  it('closes a delivered case only once confirmed', async () => {
    const calls = mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'delivered' }, ['clerk']),
      catalog_checklist: () => [],
      catalog_projects: () => [],
      scan_folder_files: () => [],
      complete_step: ({ number }) => stepsOf(number, 'closed'),
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=step-form]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'complete_step')).toBe(false)
    expect(w.get('[data-testid=confirm-subject]').text()).toContain(sampleCase.number)
    await w.get('[data-testid=step-close-confirm]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'complete_step')!.args).toMatchObject({ number: sampleCase.number, step: 'close' })
  })
})

describe('Case page: the receipt scanned, the next case', () => {
  it('says when the receipt no longer matches the case, and when it does', async () => {
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'accepted', digest: 'aa11bb22cc33dd44ee55ff66' } as CaseJson, ['clerk']),
      catalog_checklist: () => [],
      catalog_projects: () => [],
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number, scan: { number: sampleCase.number, digest: '0000111122223333' } } })
    await flushPromises()
    expect(w.get('[data-testid=scan-stale]').text()).toContain('不一致')
    await w.setProps({ scan: { number: sampleCase.number, digest: 'aa11bb22cc33dd44' } })
    expect(w.find('[data-testid=scan-stale]').exists()).toBe(false)
    expect(w.get('[data-testid=scan-ok]').text()).toContain('一致')
  })

  it('focuses the case\'s next action right after the intake saved it, and drops the stale notice after it', async () => {
    let status = 'draft'
    const calls = mockBackend({
      get_case: () => caseView({ ...sampleCase, status }, ['clerk']),
      case_action: () => { status = 'accepted'; return 'accepted' },
      catalog_checklist: () => [],
      catalog_projects: () => [],
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number, fresh: true }, attachTo: document.body })
    await flushPromises()
    // Enter takes 受理, not a new case
    expect(document.activeElement?.getAttribute('data-testid')).toBe('act-accept')
    expect(w.get('[data-testid=case-created]').text()).toContain(sampleCase.number)
    await w.get('[data-testid=next-intake]').trigger('click')
    expect(w.emitted('nextIntake')).toHaveLength(1)
    await w.get('[data-testid=act-accept]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'case_action')).toBe(true)
    expect(w.find('[data-testid=case-created]').exists()).toBe(false)
    expect(w.find('[data-testid=next-intake]').exists()).toBe(false)
  })
})

describe('Case page: corrections', () => {
  const returnedHistory = [
    ...history,
    auditEvent(4, '2026-11-20T10:10:00+08:00', 'zhang', 'submit', { from: 'accepted', to: 'submitted', roles: ['clerk'] }),
    auditEvent(5, '2026-11-20T10:30:00+08:00', 'li', 'return', { from: 'submitted', to: 'returned', roles: ['supervisor'], reason: '经办人手机号码有误' }),
  ]
  function backend(status: string, roles: Role[] = ['clerk']) {
    let data: CaseJson = { ...sampleCase, status }
    return mockBackend({
      get_case: () => caseView(data, roles, { history: status === 'returned' ? returnedHistory : history }),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      fee_quote: ({ years, quantity }) => feeQuote(years, quantity, '700.00', '柒佰元整', [
        { label: '证书年服务费', per: 'year', unit_price: '200.00', count: 3, amount: '600.00' },
        { label: '证书介质费', per: 'unit', unit_price: '100.00', count: 1, amount: '100.00' },
      ]),
      validate_ident: ({ value }) => identOk(value),
      scan_folder_files: () => [],
      update_case: ({ number, json }) => {
        // the store replaces the case data and keeps its own fields beside it
        data = { ...JSON.parse(json), number, status, created_at: data.created_at, updated_at: '2026-11-20T10:40:00+08:00', digest: 'f0'.repeat(32) }
        return { number, warnings: [{ path: 'handler.email', severity: 'warning', message: 'no email', message_zh: '建议填写经办人邮箱' }, { path: 'organization.certificate_serial', severity: 'warning', message: 'no unit certificate here', message_zh: '请核对并填写其证书序列号' }, { path: 'organization.some_new_field', severity: 'warning', message: 'x', message_zh: '新规则的提示' }] }
      },
    })
  }

  it('shows the latest return reason and lets a clerk correct the case in place', async () => {
    const calls = backend('returned')
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.get('[data-testid=return-reason]').text()).toContain('经办人手机号码有误')
    expect(w.get('[data-testid=return-reason]').text()).not.toContain('复印件未盖章')
    await w.get('[data-testid=case-edit]').trigger('click')
    await flushPromises()
    // the intake form, filled from the case, in place of the case data
    expect(w.get('[data-testid=intake-title]').text()).toContain('修改案件 GZ01-20261120-0001')
    expect(w.find('[data-testid=case-data]').exists()).toBe(false)
    expect((w.get('[data-testid=intake-mobile]').element as HTMLInputElement).value).toBe('13800138000')
    await w.get('[data-testid=intake-mobile]').setValue('13800138009')
    await w.get('[data-testid=intake-edit]').trigger('submit')
    await flushPromises()
    const upd = calls.filter((c) => c.cmd === 'update_case')
    expect(upd).toHaveLength(1)
    expect(JSON.parse(upd[0].args.json).handler.mobile).toBe('13800138009')
    expect(calls.some((c) => ['save_draft', 'load_draft', 'clear_draft'].includes(c.cmd))).toBe(false)
    // reloaded and shown, with the backend's warnings of the save
    expect(calls.filter((c) => c.cmd === 'get_case').length).toBe(2)
    expect(w.find('[data-testid=intake-edit]').exists()).toBe(false)
    expect(w.get('[data-testid=case-handler]').text()).toContain('13800138009')
    expect(w.get('[data-testid=case-warnings]').text()).toContain('建议填写经办人邮箱')
    // the field by its label, not its JSON path
    expect(w.get('[data-testid=case-warnings]').text()).toContain('（经办人邮箱）')
    expect(w.get('[data-testid=case-warnings]').text()).not.toContain('handler.email')
    // each field by its name on the intake; a path the page has no name for is not shown raw
    expect(w.get('[data-testid=case-warnings]').text()).toContain('（单位法人证书序列号）')
    expect(w.get('[data-testid=case-warnings]').text()).toContain('新规则的提示')
    expect(w.get('[data-testid=case-warnings]').text()).not.toContain('organization.')
    expect(w.emitted('changed')?.[0]).toEqual([sampleCase.number])
  })

  it('closes the form on cancel without saving', async () => {
    const calls = backend('accepted')
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.find('[data-testid=return-reason]').exists()).toBe(false)
    await w.get('[data-testid=case-edit]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=intake-cancel]').trigger('click')
    expect(w.find('[data-testid=intake-edit]').exists()).toBe(false)
    expect(w.find('[data-testid=case-data]').exists()).toBe(true)
    expect(calls.some((c) => c.cmd === 'update_case')).toBe(false)
  })

  it('offers the correction where the backend allows it', async () => {
    backend('returned', ['supervisor'])
    const s = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(s.find('[data-testid=return-reason]').exists()).toBe(true)
    expect(s.find('[data-testid=case-edit]').exists()).toBe(false)
    s.unmount()
    for (const [st, shown] of [['draft', true], ['approved', true], ['submitted', true], ['key_issued', false], ['cancelled', false]] as const) {
      clearMocks()
      backend(st, ['clerk', 'key_clerk'])
      const w = mount(CaseDetail, { props: { number: sampleCase.number } })
      await flushPromises()
      expect(w.find('[data-testid=case-edit]').exists(), st).toBe(shown)
      w.unmount()
    }
  })

  it('shows the warnings of a new case until dismissed', async () => {
    backend('draft')
    const warnings: FieldProblem[] = [{ path: 'organization.email', severity: 'warning', message: 'no email', message_zh: '建议填写单位邮箱' }]
    const w = mount(CaseDetail, { props: { number: sampleCase.number, warnings } })
    await flushPromises()
    expect(w.get('[data-testid=case-warnings]').text()).toContain('建议填写单位邮箱')
    await w.get('[data-testid=case-warnings-dismiss]').trigger('click')
    expect(w.find('[data-testid=case-warnings]').exists()).toBe(false)
  })
})

describe('Case page: steps', () => {
  /** a 注销 case after approval: the CA's revocation confirmed with its number, the returned key wiped, closed */
  const revokePlan = (done: number, at: string | null = null): CaseSteps => {
    const plan: [string, string, Role, boolean, boolean][] = [
      ['accept', '受理', 'clerk', false, false], ['submit', '提交复核', 'clerk', false, false], ['approve', '复核通过', 'supervisor', false, false],
      ['ca_revoke', 'CA系统注销完成', 'clerk', false, true], ['wipe', '清除回收的Key', 'key_clerk', true, false], ['close', '归档', 'clerk', false, false],
    ]
    const steps = plan.map(([id, title, role, keyDesk, ref], i) => ({ id, title, role, done: i < done, key_desk: keyDesk, needs_reference: ref, at: i < done ? at ?? '2026-11-20T01:30:00Z' : null }))
    return { number: sampleCase.number, status: 'approved', steps, next: steps.find((s) => !s.done)?.id ?? null, certs: [] }
  }

  it('confirms a step with its reference, refusing to send it without one, and reloads the case', async () => {
    let done = 3
    const calls = mockBackend({
      get_case: () => caseView({ ...sampleCase, business: 'revoke', status: 'approved' }, ['clerk'], {
        steps: revokePlan(done),
        history: [auditEvent(1, '2026-11-20T09:30:00+08:00', 'zhang', 'create', { to: 'draft', roles: ['clerk'] })],
        people: { zhang: '张三' },
      }),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      scan_folder_files: () => [],
      complete_step: ({ step }) => {
        if (step !== 'ca_revoke') throw refusal('refused', `the next step is ca_revoke, not ${step}`)
        done = 4
        return revokePlan(done)
      },
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number }, attachTo: document.body })
    await flushPromises()
    const steps = w.get('[data-testid=steps]')
    // every step: done with its local time, the next one highlighted, who does each
    expect(steps.get('[data-testid=step-approve]').text()).toContain('✓')
    expect(steps.get('[data-testid=step-approve]').text()).toContain('2026-11-20 09:30')
    expect(steps.get('[data-testid=step-approve]').text()).toContain('复核员')
    expect(steps.get('[data-testid=step-ca_revoke]').classes()).toContain('step-next')
    expect(steps.get('[data-testid=step-ca_revoke]').attributes('aria-current')).toBe('step')
    expect(steps.get('[data-testid=step-wipe]').text()).toContain('制证员')
    expect(steps.get('[data-testid=step-wipe]').classes()).toContain('step-pending')
    // the history names people by their 姓名
    expect(w.get('[data-testid=history]').text()).toContain('张三')
    expect(w.get('[data-testid=history]').text()).not.toContain('zhang')

    await w.get('[data-testid=step-complete]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'complete_step')).toBe(false)
    expect(w.get('[data-testid=step-error]').text()).toBe('请填写参考号')
    expect(document.activeElement).toBe(w.get('[data-testid=step-reference]').element)

    await w.get('[data-testid=step-reference]').setValue('  ZX-2026-0042 ')
    await w.get('[data-testid=step-form]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'complete_step').map((c) => c.args)).toEqual([
      { number: sampleCase.number, step: 'ca_revoke', reference: 'ZX-2026-0042', courier: null, waybill: null, recipient: null, recipientId: null, acceptToFollow: null },
    ])
    // the case is read again: the confirmation is done, the key-desk step is next
    expect(calls.filter((c) => c.cmd === 'get_case')).toHaveLength(2)
    expect(w.get('[data-testid=step-ca_revoke]').classes()).toContain('step-done')
    expect(w.find('[data-testid=step-error]').exists()).toBe(false)
    expect(w.get('[data-testid=step-wipe]').text()).toContain('在制证台办理')
    expect(w.find('[data-testid=step-form]').exists()).toBe(false)
    expect(w.emitted('changed')?.[0]).toEqual([sampleCase.number])
    w.unmount()
  })

  /** a key made and written for a case that goes back by post: the key clerk hands it over */
  function deliveryBackend(delivery: CaseJson['delivery']) {
    let status = 'key_issued'
    const calls = mockBackend({
      get_case: () => caseView({ ...sampleCase, status, delivery }, ['key_clerk']),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      scan_folder_files: () => [],
      complete_step: () => {
        status = 'delivered'
        return stepsOf(sampleCase.number, status)
      },
    })
    return calls
  }

  it('hands over by post only with the courier and the waybill', async () => {
    const calls = deliveryBackend({ method: 'mail', recipient: '李明', phone: '13800138000', address: '广州市越秀区东风中路1号' })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    // the hand-over is this form, not a bare button
    expect(w.find('[data-testid=act-deliver]').exists()).toBe(false)
    expect(w.get('[data-testid=step-deliver]').text()).toContain('广州市越秀区东风中路1号')
    expect(w.find('[data-testid=step-recipient]').exists()).toBe(false)
    await w.get('[data-testid=step-courier]').setValue('顺丰速运')
    await w.get('[data-testid=step-form]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'complete_step')).toBe(false)
    expect(w.get('[data-testid=step-error]').text()).toContain('运单号')
    await w.get('[data-testid=step-waybill]').setValue('SF1234567890')
    await w.get('[data-testid=step-form]').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'complete_step')!.args).toEqual({
      number: sampleCase.number, step: 'deliver', reference: null, courier: '顺丰速运', waybill: 'SF1234567890', recipient: null, recipientId: null, acceptToFollow: null,
    })
    expect(w.get('[data-testid=case-status]').text()).toBe('已交付')
    expect(w.get('[data-testid=step-deliver]').classes()).toContain('step-done')
  })

  it('hands over at the counter to the handler, or to someone named with their ID number', async () => {
    const calls = deliveryBackend(null)
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.find('[data-testid=step-courier]').exists()).toBe(false)
    expect(w.get('[data-testid=step-deliver]').text()).toContain('张伟')
    await w.get('[data-testid=step-recipient]').setValue('王五')
    await w.get('[data-testid=step-form]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'complete_step')).toBe(false)
    expect(w.get('[data-testid=step-error]').text()).toContain('证件号码')
    await w.get('[data-testid=step-recipient-id]').setValue('440106200109094066')
    await w.get('[data-testid=step-form]').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'complete_step')!.args).toMatchObject({ step: 'deliver', recipient: '王五', recipientId: '440106200109094066', courier: null, waybill: null })
  })

  it('approves on the case page only with the acceptance of the materials to follow', async () => {
    const acted: unknown[] = []
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'submitted' }, ['supervisor'], {
        materials: {
          recorded: true,
          items: [{ id: 'form', text: '《单位法人数字证书申请表》', state: 'to_follow', to_follow: '第二份申请表明天补交' }, { id: 'license', text: '《统一社会信用代码证书》', state: 'received', to_follow: null }],
          missing: [{ id: 'form', text: '《单位法人数字证书申请表》', to_follow: '第二份申请表明天补交' }],
        },
      }),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      case_action: (args) => { acted.push(args); return 'approved' },
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.get('[data-testid=to-follow]').text()).toContain('第二份申请表明天补交')
    expect(w.get('[data-testid=act-approve]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid=accept-to-follow]').setValue(true)
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(acted).toEqual([{ number: sampleCase.number, action: 'approve', reason: null, acceptToFollow: true, pin: null }])
  })

  it('sends key-desk steps to the key desk, and leaves the review steps to their buttons', async () => {
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'approved' }, ['key_clerk']),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
    })
    const w = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    expect(w.get('[data-testid=step-key_init]').text()).toContain('在制证台办理')
    expect(w.find('[data-testid=step-form]').exists()).toBe(false)
    await w.get('[data-testid=step-key-desk]').trigger('click')
    expect(w.emitted('keyDesk')?.[0]).toEqual([sampleCase.number])
    w.unmount()
    clearMocks()
    mockBackend({
      get_case: () => caseView({ ...sampleCase, status: 'submitted' }, ['clerk']),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      scan_folder_files: () => [],
    })
    const c = mount(CaseDetail, { props: { number: sampleCase.number } })
    await flushPromises()
    // the clerk waits for a supervisor: no form, and no way to the key desk
    expect(c.get('[data-testid=step-approve]').text()).toContain('待复核员办理')
    expect(c.find('[data-testid=step-form]').exists()).toBe(false)
    expect(c.find('[data-testid=step-key-desk]').exists()).toBe(false)
  })
})

describe('Print panel', () => {
  const sheet = (text: string): Sheet => ({ width: 210, height: 297, svg: `<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297"><!--${text}--></svg>` })
  /** the calls, and how many sheets the window showed when the print dialog was asked for */
  function printBackend(outcome: PrintOutcome) {
    const shown = { atDialog: -1 }
    const calls = mockBackend({
      preview_forms: () => ({ forms: [{ id: 'application', title: '申请表', pages: 2 }], sheets: [sheet('申请表'), sheet('附页')] }),
      print_forms: () => ({ path: '/home/clerk/print/GZ01-20261120-0001.pdf', pages: 2, bytes: 1000, forms: [{ id: 'application', title: '申请表', pages: 2 }], sheets: [sheet('申请表'), sheet('附页')] }),
      print_sheets: () => {
        shown.atDialog = document.querySelectorAll('[data-testid=print-sheets] .print-sheet').length
        return outcome
      },
    })
    return { calls, shown }
  }

  it('previews the pages the backend drew, one at a time', async () => {
    printBackend('printed')
    const w = mount(PrintPanel, { props: { number: sampleCase.number } })
    await w.get('[data-testid=print-preview]').trigger('click')
    await flushPromises()
    const img = w.get('[data-testid=page-image]')
    expect(decodeURIComponent(img.attributes('src')!)).toContain('<!--申请表-->')
    expect(img.attributes('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,/)
    expect(w.get('[data-testid=page-no]').text()).toContain('1/2')
    await w.get('[data-testid=print-pages]').trigger('keydown', { key: 'PageDown' })
    expect(decodeURIComponent(w.get('[data-testid=page-image]').attributes('src')!)).toContain('<!--附页-->')
    expect(w.get('[data-testid=page-no]').text()).toContain('2/2')
    // a dialog over the page; Esc closes it
    expect(w.get('[data-testid=preview-dialog] [role=dialog]').attributes('aria-modal')).toBe('true')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(w.find('[data-testid=preview-dialog]').exists()).toBe(false)
  })

  it('puts the sheets up at their true size, opens the print dialog on their paper, then takes them down', async () => {
    const { calls, shown } = printBackend('printed')
    const w = mount(PrintPanel, { props: { number: sampleCase.number }, attachTo: document.body })
    await w.get('[data-testid=print-forms]').trigger('click')
    // the sheets' images are decoded before the dialog opens: a loaded machine takes more than one tick
    await vi.waitFor(() => expect(w.find('[data-testid=print-result]').exists()).toBe(true))
    const dialog = calls.find((c) => c.cmd === 'print_sheets')!
    expect(dialog.args).toEqual({ number: sampleCase.number, width: 210, height: 297 })
    expect(shown.atDialog).toBe(2)
    expect(calls.map((c) => c.cmd), JSON.stringify(calls.map((c) => c.cmd))).toEqual(['print_forms', 'print_sheets'])
    expect(document.querySelector('[data-testid=print-sheets]')).toBeNull()
    const result = w.get('[data-testid=print-result]').text()
    expect(result).toContain('已打印，共2页')
    expect(result).toContain('/home/clerk/print/GZ01-20261120-0001.pdf')
    expect(w.emitted('printed')).toHaveLength(1)
    w.unmount()
  })

  it('says so when the dialog was cancelled, and Ctrl+P prints the forms rather than the screen', async () => {
    const { calls } = printBackend('cancelled')
    const w = mount(PrintPanel, { props: { number: sampleCase.number }, attachTo: document.body })
    const e = new KeyboardEvent('keydown', { key: 'p', ctrlKey: true, cancelable: true })
    window.dispatchEvent(e)
    await vi.waitFor(() => expect(w.find('[data-testid=print-result]').exists()).toBe(true))
    expect(e.defaultPrevented).toBe(true)
    expect(calls.map((c) => c.cmd)).toEqual(['print_forms', 'print_sheets'])
    expect(w.get('[data-testid=print-result]').text()).toContain('已取消打印')
    w.unmount()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'p', ctrlKey: true }))
    await flushPromises()
    expect(calls).toHaveLength(2)
  })
})

describe('Seal panel', () => {
  const verdict: SealVerdict = {
    scan_url: 'data:image/png;base64,SCAN', width: 1000, height: 1400, stored: ['seal:official_seal'],
    dpi: 300, dpi_source: 'file', size_warning: null, paper_unchecked: null,
    rows: [
      { row: 0, kind: 'official_seal', best_col: 1, needs_restamp: false, single_box: false, column: false },
      { row: 1, kind: 'legal_rep_seal', best_col: null, needs_restamp: true, single_box: false, column: false },
    ],
    samples: [
      { row: 0, col: 0, kind: 'official_seal', empty: false, defects: ['pale'], findings: [], unchecked: [], doubted: true, accepted: false, score: 0.41, best: false, box_quad: [[10, 10], [300, 10], [300, 300], [10, 300]], diameter_mm: 41.6, side_mm: null, image_url: 'data:image/png;base64,A' },
      { row: 0, col: 1, kind: 'official_seal', empty: false, defects: [], findings: [], unchecked: [], doubted: false, accepted: false, score: 0.93, best: true, box_quad: [[310, 10], [600, 10], [600, 300], [310, 300]], diameter_mm: 42.0, side_mm: null, image_url: 'data:image/png;base64,B' },
      { row: 1, col: 0, kind: 'legal_rep_seal', empty: false, defects: ['overlap_line', 'tilted'], findings: [], unchecked: [], doubted: true, accepted: false, score: 0.2, best: false, box_quad: [[10, 400], [200, 400], [200, 600], [10, 600]], diameter_mm: null, side_mm: 18.2, image_url: 'data:image/png;base64,C' },
      { row: 1, col: 1, kind: 'legal_rep_seal', empty: true, defects: [], findings: [], unchecked: [], doubted: false, accepted: false, score: 0, best: false, box_quad: [[210, 400], [400, 400], [400, 600], [210, 600]], diameter_mm: null, side_mm: null, image_url: null },
    ],
  }

  it('sends the picked scan as raw bytes, shows busy, then the verdict with the restamp banner and defects in Chinese', async () => {
    let received: Uint8Array | null = null
    let release: () => void = () => {}
    mockBackend({
      import_seal_scan: (bytes) => {
        received = bytes
        return new Promise((r) => { release = () => r(verdict) })
      },
    })
    const w = mount(SealPanel, { props: { number: sampleCase.number } })
    const input = w.get('[data-testid=seal-file]')
    expect(input.attributes('accept')).toBe('image/*,.tif,.tiff,.bmp')
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], '采集表.png', { type: 'image/png' })
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await flushPromises()
    expect(w.find('[data-testid=seal-busy]').exists()).toBe(true)
    expect(received).toBeInstanceOf(Uint8Array)
    expect(Array.from(received ?? [])).toEqual([0x89, 0x50, 0x4e, 0x47])
    release()
    await flushPromises()
    expect(w.find('[data-testid=seal-busy]').exists()).toBe(false)
    const v = w.get('[data-testid=seal-verdict]')
    expect(v.get('[data-testid=seal-restamp-1]').text()).toContain('第2行需要重新盖章/签字')
    expect(v.find('[data-testid=seal-restamp-0]').exists()).toBe(false)
    const row1 = v.get('[data-testid=seal-row-1]').text()
    expect(row1).toContain('压线')
    expect(row1).toContain('歪斜')
    expect(row1).toContain('空白')
    expect(row1).toContain('18.2')
    expect(v.get('[data-testid=seal-row-0]').text()).toContain('印迹过淡')
    expect(v.get('[data-testid=seal-row-0]').text()).toContain('42.0')
    expect(v.get('[data-testid=seal-box-0-1]').classes()).toContain('q-best')
    expect(v.get('[data-testid=seal-box-0-0]').classes()).toContain('q-bad')
    expect(v.get('[data-testid=seal-box-1-1]').classes()).toContain('q-bad')
    expect(v.get('[data-testid=seal-box-0-1]').attributes('points')).toBe('310,10 600,10 600,300 310,300')
    expect(v.get('[data-testid=seal-scan] image').attributes('href')).toBe('data:image/png;base64,SCAN')
    expect(w.emitted('imported')).toBeTruthy()
  })

  it('takes a dropped file and shows an unreadable scan in Chinese', async () => {
    let name = ''
    mockBackend({
      import_seal_scan: (bytes) => {
        name = bytes.length ? 'bytes' : ''
        throw refusal('seal_unreadable', 'no ruled boxes found')
      },
    })
    const w = mount(SealPanel, { props: { number: sampleCase.number } })
    const file = new File([new Uint8Array([1, 2, 3])], 'scan.tif')
    await w.get('[data-testid=seal-drop]').trigger('drop', { dataTransfer: { files: [file] } })
    await flushPromises()
    expect(name).toBe('bytes')
    expect(w.get('[data-testid=seal-error]').text()).toContain('无法识别印章采集表')
  })
})
