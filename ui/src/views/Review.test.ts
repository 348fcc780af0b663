// Component tests of the review desk with the IPC mocked: the queue as the backend returns
// it, the case side by side with its seal samples and forms, approve, and return with a reason.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Review from './Review.vue'
import type { CaseSeal } from '../ipc'
import { caseView, sampleCase, sampleChecklist, sampleProject, summaryOf, type CaseJson } from '../fixtures'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const queue = [
  { ...summaryOf('GZ01-20261120-0003', 'submitted', { organization: '甲公司', handler: '王五', created_at: '2026-11-20T10:00:00+08:00' }), submitted_by: '张三（zhang）' },
  { ...summaryOf('GZ01-20261120-0007', 'submitted', { business: 'renew', cert_kind: 'employee', organization: '乙单位', handler: '赵六', created_at: '2026-11-20T11:00:00+08:00' }), submitted_by: 'zhou' },
]
const seal = (name: string, size: number, sha256: string) => ({ name, mime: 'image/png', size, sha256, at: '2026-11-20T09:50:00+08:00', actor: 'zhang' })

function backend() {
  let status = 'submitted'
  return mockBackend({
    review_queue: () => queue,
    get_case: ({ number }) => caseView({ ...sampleCase, number, status }, ['supervisor'], {
      attachments: [
        seal('seal:official_seal', 10240, 'a1'.repeat(32)),
        seal('seal:legal_rep_seal', 6144, 'b2'.repeat(32)),
        seal('scan.png', 204800, 'c3'.repeat(32)),
      ],
    }),
    attachment_url: ({ number, name }) => `asset://${number}/${name}`,
    catalog_checklist: () => sampleChecklist,
    catalog_projects: () => [sampleProject],
    preview_forms: () => ({ forms: [{ id: 'application', title: '申请表', pages: 1 }], sheets: [{ width: 210, height: 297, svg: '<svg xmlns="http://www.w3.org/2000/svg"><!--申请表--></svg>' }] }),
    case_action: ({ action }) => {
      status = action === 'approve' ? 'approved' : 'returned'
      return status
    },
  })
}

describe('Review', () => {
  it('shows the queue the backend returns and opens a case side by side', async () => {
    const calls = backend()
    const w = mount(Review)
    await flushPromises()
    expect(w.findAll('[data-testid^=review-GZ01]').map((b) => b.text())).toEqual(['GZ01-20261120-0003', 'GZ01-20261120-0007'])
    // which 受理员 sent each case (#79)
    expect(w.get('[data-testid=review-by-GZ01-20261120-0003]').text()).toBe('张三（zhang）')
    expect(w.get('[data-testid=review-by-GZ01-20261120-0007]').text()).toBe('zhou')
    await w.get('[data-testid=review-GZ01-20261120-0007]').trigger('click')
    await flushPromises()
    expect(w.get('h2').text()).toContain('GZ01-20261120-0007')
    expect(w.get('[data-testid=case-status]').text()).toBe('待复核')
    expect(w.get('.left [data-testid=case-org]').text()).toContain('广州市示例科技有限公司')
    expect(w.get('[data-testid=case-mat-form]').classes()).not.toContain('missing')
    // only seal: attachments are shown as samples
    expect(calls.filter((c) => c.cmd === 'attachment_url').map((c) => c.args.name)).toEqual(['seal:official_seal', 'seal:legal_rep_seal'])
    expect(w.get('[data-testid=review-seal-official_seal] img').attributes('src')).toBe('asset://GZ01-20261120-0007/seal:official_seal')
    expect(w.get('[data-testid=review-seal-legal_rep_seal]').text()).toContain('法人章')
    expect(decodeURIComponent(w.get('[data-testid=review-forms] img').attributes('src')!)).toContain('<!--申请表-->')
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'case_action')!.args).toEqual({ number: 'GZ01-20261120-0007', action: 'approve', reason: null, acceptToFollow: null, pin: null })
    expect(w.get('[data-testid=case-status]').text()).toBe('复核通过')
    expect(w.find('[data-testid=act-approve]').exists()).toBe(false)
  })

  it('returns only with a reason', async () => {
    const calls = backend()
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=act-return]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toBe('请填写原因')
    expect(calls.some((c) => c.cmd === 'case_action')).toBe(false)
    await w.get('[data-testid=reason]').setValue('营业执照复印件未盖公章')
    await w.get('[data-testid=act-return]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'case_action')!.args).toEqual({ number: 'GZ01-20261120-0003', action: 'return', reason: '营业执照复印件未盖公章', acceptToFollow: null, pin: null })
    expect(w.get('[data-testid=case-status]').text()).toBe('已退回')
  })

  it('approves a case whose materials are to follow only once the supervisor accepts them', async () => {
    let status = 'submitted'
    const promised = { ...sampleCase, number: 'GZ01-20261120-0003', materials: [{ id: 'license', original_seen: false, copies_received: 1, to_follow: '原件下周一带来核验' }, { id: 'form', original_seen: false, copies_received: 2 }] } satisfies CaseJson
    const calls = mockBackend({
      review_queue: () => queue,
      get_case: () => caseView({ ...promised, status }, ['supervisor'], {
        materials: {
          recorded: true,
          items: [
            { id: 'form', text: '《单位法人数字证书申请表》', state: 'received', to_follow: null },
            { id: 'license', text: '《统一社会信用代码证书》', state: 'to_follow', to_follow: '原件下周一带来核验' },
          ],
          missing: [{ id: 'license', text: '《统一社会信用代码证书》', to_follow: '原件下周一带来核验' }],
        },
      }),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      preview_forms: () => ({ forms: [], sheets: [] }),
      case_action: ({ action }) => { status = action === 'approve' ? 'approved' : 'returned'; return status },
    })
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    const panel = w.get('[data-testid=to-follow]')
    expect(panel.text()).toContain('材料后补')
    expect(panel.get('[data-testid=to-follow-license]').text()).toContain('《统一社会信用代码证书》')
    expect(panel.get('[data-testid=to-follow-license]').text()).toContain('原件下周一带来核验')
    // the case data shows the promise beside the missing line
    expect(w.get('[data-testid=case-follow-license]').text()).toContain('原件下周一带来核验')
    const approve = w.get('[data-testid=act-approve]')
    expect(approve.attributes('disabled')).toBeDefined()
    await approve.trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'case_action')).toBe(false)
    await w.get('[data-testid=accept-to-follow]').setValue(true)
    expect(w.get('[data-testid=act-approve]').attributes('disabled')).toBeUndefined()
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'case_action').map((c) => c.args)).toEqual([
      { number: 'GZ01-20261120-0003', action: 'approve', reason: null, acceptToFollow: true, pin: null },
    ])
    expect(w.get('[data-testid=case-status]').text()).toBe('复核通过')
  })

  it('says before the button what a case with no materials checklist lacks, and keeps approval from being pressed (#79)', async () => {
    const missing = [{ id: 'license', text: '《营业执照》复印件', to_follow: null }, { id: 'application', text: '《数字证书申请表》', to_follow: null }]
    const calls = mockBackend({
      review_queue: () => queue,
      get_case: ({ number }) => caseView({ ...sampleCase, number, status: 'submitted', materials: [] }, ['supervisor'], { materials: { recorded: false, items: [], missing } }),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      preview_forms: () => ({ forms: [], sheets: [] }),
      case_action: () => { throw refusal('materials_missing', 'case GZ01-20261120-0007: required materials not received (材料未收齐): license (《营业执照》复印件)') },
    })
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0007]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=materials-not-recorded]').text()).toBe('本案未登记材料清单')
    expect(w.get('[data-testid=materials-missing]').text()).toContain('方可提交复核和复核通过')
    expect(w.get('[data-testid=missing-license]').text()).toBe('《营业执照》复印件')
    expect(w.get('[data-testid=missing-application]').text()).toBe('《数字证书申请表》')
    expect(w.find('[data-testid=accept-to-follow]').exists()).toBe(false)
    // the backend says approval waits for the checklist: the button is not pressed in vain
    expect(w.get('[data-testid=act-approve]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'case_action')).toEqual([])
    expect(w.get('[data-testid=case-status]').text()).toBe('待复核')
  })

  it('says before the button that the seal sheet is missing where the backend says approval waits for it (#79)', async () => {
    const calls = mockBackend({
      review_queue: () => queue,
      get_case: ({ number }) => {
        const view = caseView({ ...sampleCase, number, status: 'submitted' }, ['supervisor'], { materials: { recorded: true, items: [], missing: [] } })
        for (const a of view.can.actions) if (a.action === 'approve') a.waits_for = 'seal_samples_missing'
        return view
      },
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      preview_forms: () => ({ forms: [], sheets: [] }),
    })
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=waits-seal]').text()).toContain('尚未导入印章采集表')
    expect(w.get('[data-testid=act-approve]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'case_action')).toEqual([])
  })

  it('shows the supervisor the CA rule the intake warned the clerk of', async () => {
    const rule = '每个用户需先申请单位法人证书：本受理点未办过该单位（91440101MA59ABCD1D）的单位法人证书，请核对并填写其证书序列号'
    mockBackend({
      review_queue: () => queue,
      get_case: ({ number }) => caseView({ ...sampleCase, number, status: 'submitted' }, ['supervisor'], {
        notices: [{ path: 'organization.certificate_serial', message: 'organisation certificate first', message_zh: rule, severity: 'warning' }],
      }),
      catalog_checklist: () => sampleChecklist,
      catalog_projects: () => [sampleProject],
      preview_forms: () => ({ forms: [], sheets: [] }),
    })
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=review-notices]').text()).toContain(rule)
    expect(w.get('[data-testid=review-notices]').text()).toContain('单位法人证书序列号')
  })

  // #31: a supervisor who signs approvals with an enrolled USB key is asked its PIN with the
  // button, before pressing it (the backend says so); without that word, only after a refusal
  it('asks the USB key PIN with the approve button when the backend says the approval is signed', async () => {
    const backend = (signed: boolean) =>
      mockBackend({
        review_queue: () => queue,
        get_case: ({ number }) => {
          const view = caseView({ ...sampleCase, number, status: 'submitted' }, ['supervisor'], { materials: { recorded: true, items: [], missing: [] } })
          for (const a of view.can.actions) if (a.action === 'approve') a.signed = signed
          return view
        },
        catalog_checklist: () => sampleChecklist,
        catalog_projects: () => [sampleProject],
        preview_forms: () => ({ forms: [], sheets: [] }),
        case_action: ({ pin }) => {
          if (!pin) throw refusal('signature_required', 'li approves with the USB key')
          return 'approved'
        },
      })
    const calls = backend(true)
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    const pin = w.get('[data-testid=approve-pin]')
    expect(pin.attributes('placeholder')).toBe('您的USB Key PIN码（复核签名）')
    await pin.setValue('24681357')
    await pin.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'case_action').map((c) => c.cmd === 'case_action' && c.args.pin)).toEqual(['24681357'])
    expect(w.find('[data-testid=error]').exists()).toBe(false)
    w.unmount()

    // an account the backend does not mark: no PIN field until a refusal asks for the key
    const unmarked = backend(false)
    const v = mount(Review)
    await flushPromises()
    await v.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    expect(v.find('[data-testid=approve-pin]').exists()).toBe(false)
    await v.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(v.get('[data-testid=error]').text()).toContain('须使用本人USB Key签名复核')
    expect(v.find('[data-testid=approve-pin]').exists()).toBe(true)
    expect(unmarked.filter((c) => c.cmd === 'case_action')).toHaveLength(1)
  })

  it('shows an empty queue, and a four-eyes refusal in Chinese', async () => {
    mockBackend({ review_queue: () => [] })
    const w = mount(Review)
    await flushPromises()
    expect(w.get('[data-testid=review-empty]').text()).toBe('没有待复核的案件')
    w.unmount()
    mockBackend({
      review_queue: () => queue,
      get_case: ({ number }) => caseView({ ...sampleCase, number, status: 'submitted' }, ['supervisor']),
      catalog_checklist: () => [],
      catalog_projects: () => [],
      preview_forms: () => ({ forms: [], sheets: [] }),
      case_action: () => { throw refusal('four_eyes', 'zhang accepted this case') },
    })
    const v = mount(Review)
    await flushPromises()
    await v.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    await v.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(v.get('[data-testid=error]').text()).toContain('复核须由他人进行')
    expect(v.get('[data-testid=case-status]').text()).toBe('待复核')
  })

  it('is never blank while loading, puts the oldest first and goes on to the next case after a decision', async () => {
    let answer: (q: typeof queue) => void = () => {}
    let decidedOnes: string[] = []
    mockBackend({
      review_queue: () => decidedOnes.length ? queue.filter((q) => !decidedOnes.includes(q.number)) : new Promise((r) => { answer = r }),
      get_case: ({ number }) => caseView({ ...sampleCase, number, status: decidedOnes.includes(number) ? 'approved' : 'submitted' }, ['supervisor']),
      attachment_url: () => '',
      catalog_checklist: () => [],
      catalog_projects: () => [],
      preview_forms: () => ({ forms: [], sheets: [] }),
      case_action: ({ number }) => { decidedOnes = [...decidedOnes, number]; return 'approved' },
    })
    const w = mount(Review, { attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid=review-loading]').text()).toBe('加载中…')
    expect(w.find('[data-testid=review-empty]').exists()).toBe(false)
    // the backend's order (the longest waiting first) as it comes, with the time of submission
    answer([...queue])
    await flushPromises()
    expect(w.findAll('[data-testid^=review-GZ01]').map((b) => b.text())).toEqual(['GZ01-20261120-0003', 'GZ01-20261120-0007'])
    expect(w.get('[data-testid=review-list] tbody tr').text()).toContain('2026-11-20 09:45')
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    // the case opens with 复核通过 in focus: Enter approves (#72)
    expect(document.activeElement).toBe(w.get('[data-testid=act-approve]').element)
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    const next = w.get('[data-testid=review-next]')
    expect(next.text()).toContain('GZ01-20261120-0007')
    expect(document.activeElement).toBe(next.element)
    await next.trigger('click')
    await flushPromises()
    expect(w.get('h2').text()).toContain('GZ01-20261120-0007')
    await w.get('[data-testid=act-approve]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=review-done]').text()).toContain('全部处理')
  })
})

describe('Review of a seal the clerk accepted (#34)', () => {
  /** the review opened on a submitted case whose chain gives `seals` (the official seal's and
   *  the 法人章's images kept) */
  async function reviewWith(seals: CaseSeal[]) {
    mockBackend({
      review_queue: () => queue,
      get_case: ({ number }) => caseView({ ...sampleCase, number, status: 'submitted', seals }, ['supervisor'], {
        attachments: [seal('seal:official_seal', 10240, 'a1'.repeat(32)), seal('seal:legal_rep_seal', 6144, 'b2'.repeat(32))],
        people: { zhang: '张晓燕' },
      }),
      attachment_url: ({ number, name }) => `asset://${number}/${name}`,
      preview_forms: () => ({ forms: [], sheets: [] }),
    })
    const w = mount(Review)
    await flushPromises()
    await w.get('[data-testid=review-GZ01-20261120-0003]').trigger('click')
    await flushPromises()
    return w
  }

  it('shows who accepted a doubted impression, the reasons overridden and the note, beside its image', async () => {
    const seals = [
      { name: 'seal:official_seal', kind: 'official_seal', row: 0, col: 0, sheet_sha256: 'd4'.repeat(32), diameter_mm: 41.8, dpi_source: 'file',
        accepted_by_clerk: { account: 'zhang', at: '2026-11-20T09:55:00+08:00', defects: ['broken', 'tilted'], findings: [{ label: 'broken', quantity: 'border_gap_mm', value: 3.4, limit: 2, unit: 'mm', op: '>' }],
          unchecked: [{ label: 'double', quantity: 'ink_snr', value: 2.1, limit: 2.83, unit: 'level', op: '<' }, { label: 'smudged', quantity: 'ink_snr', value: 2.1, limit: 2.83, unit: 'level', op: '<' }], note: '申请人只带了这一枚章' } },
      { name: 'seal:legal_rep_seal', kind: 'legal_rep_seal', row: 2, col: 2, sheet_sha256: 'd4'.repeat(32), side_mm: 18.6, dpi_source: 'file' },
    ]
    const w = await reviewWith(seals)
    expect(w.get('[data-testid=review-seal-accepted-official_seal]').text()).toBe('张晓燕采用（系统存疑：边框缺口3.4毫米（上限2毫米）；歪斜）说明：申请人只带了这一枚章')
    expect(w.find('[data-testid=review-seal-accepted-legal_rep_seal]').exists()).toBe(false)
    // the checks the importer could not make reach the supervisor, the labels of one reason together
    expect(w.get('[data-testid=review-seal-unchecked-official_seal]').text()).toBe('未能检查是否重影、模糊/洇开：印迹只比纸面噪声高2.1倍（下限2.8倍），请目视核对')
    expect(w.find('[data-testid=review-seal-unchecked-legal_rep_seal]').exists()).toBe(false)
    // white paper, read: no question about it
    expect(w.find('[data-testid=review-seal-paper-unchecked]').exists()).toBe(false)
  })

  it("asks the supervisor about the sheet's paper colour once, as the clerk was asked (#76)", async () => {
    const paper = { label: 'bg_not_white', quantity: 'paper_tint', value: 15.2, limit: 12, unit: 'level', op: '>' }
    const seals = [
      { name: 'seal:official_seal', kind: 'official_seal', row: 0, col: 0, sheet_sha256: 'd4'.repeat(32), diameter_mm: 41.8, dpi_source: 'file', paper_unchecked: paper },
      { name: 'seal:legal_rep_seal', kind: 'legal_rep_seal', row: 2, col: 2, sheet_sha256: 'd4'.repeat(32), side_mm: 18.6, dpi_source: 'file', paper_unchecked: paper },
    ]
    const w = await reviewWith(seals)
    const asked = w.findAll('[data-testid=review-seal-paper-unchecked]')
    expect(asked).toHaveLength(1)
    expect(asked[0].text()).toBe('未能检查是否背景不白：纸面偏色15（超过12）。浅色纸与扫描、拍摄时的偏色在图像上无法区分，请目视核对纸张是否为白色')
  })
})
