// The seal panel's scanner folder: new scans listed by polling, imported by name.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import SealPanel from './SealPanel.vue'
import type { ScanFile, SealSample, SealVerdict } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const verdict: SealVerdict = {
  scan_url: 'data:image/jpeg;base64,S', width: 100, height: 140, stored: [], dpi: 150, dpi_source: 'file', size_warning: null, paper_unchecked: null,
  rows: [{ row: 0, kind: 'signature', best_col: null, needs_restamp: true, single_box: false, column: false }],
  samples: [{ row: 0, col: 0, kind: 'signature', empty: true, defects: ['empty'], findings: [], unchecked: [], doubted: false, accepted: false, score: 0, best: false, box_quad: [[1, 1], [9, 1], [9, 9], [1, 9]], diameter_mm: null, side_mm: null, image_url: null }],
}

describe('SealPanel scanner folder', () => {
  it('shows scans as they arrive and imports one by its name', async () => {
    let files: ScanFile[] = [{ name: 'old.jpg', size: 10, modified: '2026-11-22T09:00:00+08:00' }]
    let imported: unknown = null
    mockBackend({
      scan_folder_files: () => files,
      import_seal_from_folder: (args) => {
        imported = args
        return verdict
      },
    })
    const w = mount(SealPanel, { props: { number: 'GZ01-20261122-0001', pollMs: 20 } })
    await flushPromises()
    expect(w.find('[data-testid="scan-import-old.jpg"]').exists()).toBe(true)
    files = [{ name: 'new.png', size: 20, modified: '2026-11-22T09:05:00+08:00' }, ...files]
    await sleep(60)
    await flushPromises()
    await w.get('[data-testid="scan-import-new.png"]').trigger('click')
    await flushPromises()
    expect(imported).toEqual({ number: 'GZ01-20261122-0001', name: 'new.png', dpi: null })
    expect(w.get('[data-testid=seal-restamp-0]').text()).toContain('第1行')
  })

  it('stays quiet without a scanner folder and does not poll', async () => {
    let polls = 0
    mockBackend({
      scan_folder_files: () => {
        polls++
        throw refusal('no_scan_folder', 'no scanner folder is set (管理 → 扫描文件夹)')
      },
    })
    const w = mount(SealPanel, { props: { number: 'GZ01-20261122-0001', pollMs: 10 } })
    await sleep(60)
    await flushPromises()
    expect(polls).toBe(1)
    expect(w.find('[data-testid=scan-folder]').exists()).toBe(false)
  })
})

// #34: the importer's reasons under each doubted impression, the clerk's 采用此印模 with its
// confirmation, and sizes that say where their resolution came from
const quad: SealSample['box_quad'] = [[1, 1], [9, 1], [9, 9], [1, 9]]
const sample = (col: number, over: Partial<SealSample>): SealSample => ({
  row: 0, col, kind: 'official_seal', empty: false, defects: [], findings: [], unchecked: [], doubted: false, accepted: false, score: 0.9, best: false, box_quad: quad, diameter_mm: 41.8, side_mm: null, image_url: 'data:image/png;base64,I', ...over,
})
const doubtedSheet = (dpi_source: string, size_warning: string | null = null): SealVerdict => ({
  scan_url: 'data:image/jpeg;base64,S', width: 100, height: 140, stored: [], dpi: 150, dpi_source, size_warning, paper_unchecked: null,
  rows: [{ row: 0, kind: 'official_seal', best_col: null, needs_restamp: true, single_box: false, column: false }],
  samples: [
    sample(0, {
      defects: ['broken', 'tilted'], doubted: true, score: 0.4,
      findings: [{ label: 'broken', quantity: 'border_gap_mm', value: 3.4, limit: 2, unit: 'mm', op: '>' }],
    }),
    sample(1, { defects: ['pale'], doubted: true, findings: [{ label: 'pale', quantity: 'core_od', value: 0.22, limit: 0.35, unit: 'od', op: '<' }] }),
    sample(2, { empty: true, defects: ['empty'], diameter_mm: null, image_url: null }),
  ],
})

describe('SealPanel reasons and the clerk\'s acceptance', () => {
  async function imported(v: SealVerdict, more: Parameters<typeof mockBackend>[0] = {}) {
    const calls = mockBackend({ scan_folder_files: () => [{ name: 'sheet.jpg', size: 1, modified: '2026-11-24T09:00:00+08:00' }], import_seal_from_folder: () => v, ...more })
    const w = mount(SealPanel, { props: { number: 'GZ01-20261124-0001', pollMs: 60_000 } })
    await flushPromises()
    await w.get('[data-testid="scan-import-sheet.jpg"]').trigger('click')
    await flushPromises()
    return { w, calls }
  }

  it('says why each doubted impression is doubted, and offers acceptance only there', async () => {
    const { w } = await imported(doubtedSheet('file'))
    const first = w.get('[data-testid=seal-reasons-0-0]').findAll('li').map((li) => li.text())
    expect(first).toEqual(['边框缺口3.4毫米（上限2毫米）', '歪斜'])
    expect(w.get('[data-testid=seal-reasons-0-1]').text()).toBe('印迹最浓处光密度0.22（下限0.35）')
    expect(w.find('[data-testid=seal-reasons-0-2]').exists()).toBe(false)
    expect(w.find('[data-testid=seal-accept-0-0]').exists()).toBe(true)
    expect(w.find('[data-testid=seal-accept-0-1]').exists()).toBe(true)
    expect(w.find('[data-testid=seal-accept-0-2]').exists()).toBe(false)
    // a size from the file's own resolution is written plainly
    expect(w.get('[data-testid=seal-size-0-0]').text()).toBe('· 直径41.8毫米')
  })

  it('says under an impression, doubted or not, which check could not be made', async () => {
    const v = doubtedSheet('option')
    const crowded = { label: 'broken', quantity: 'circle_rms', value: 1.5, limit: 1, unit: 'mm', op: '>' }
    v.samples = [sample(0, { best: true, unchecked: [crowded] }), sample(1, {})]
    v.rows = [{ row: 0, kind: 'official_seal', best_col: 0, needs_restamp: false, single_box: false, column: false }]
    const { w } = await imported(v)
    expect(w.get('[data-testid=seal-unchecked-0-0]').text()).toContain('未能检查是否残缺：外圈与印迹偏离1.5毫米（超过1毫米')
    expect(w.find('[data-testid=seal-reasons-0-0]').exists()).toBe(false)
    expect(w.find('[data-testid=seal-unchecked-0-1]').exists()).toBe(false)
  })

  it('asks once for the sheet to look at the paper whose tint a light stock and a colour cast share (#76)', async () => {
    const v = doubtedSheet('option')
    v.paper_unchecked = { label: 'bg_not_white', quantity: 'paper_tint', value: 16.2, limit: 12, unit: 'level', op: '>' }
    v.samples = [sample(0, { best: true }), sample(1, {})]
    v.rows = [{ row: 0, kind: 'official_seal', best_col: 0, needs_restamp: false, single_box: false, column: false }]
    const { w } = await imported(v)
    expect(w.get('[data-testid=seal-paper-unchecked]').text()).toBe('未能检查是否背景不白：纸面偏色16（超过12）。浅色纸与扫描、拍摄时的偏色在图像上无法区分，请目视核对纸张是否为白色')
    expect(w.findAll('[data-testid^=seal-restamp-]')).toHaveLength(0)
    expect(w.find('[data-testid=seal-unchecked-0-0]').exists()).toBe(false)
    // white paper: no such line
    const { w: white } = await imported(doubtedSheet('option'))
    expect(white.find('[data-testid=seal-paper-unchecked]').exists()).toBe(false)
  })

  it('says why a second frame line beside a fading trail was not counted as a second pressing', async () => {
    const v = doubtedSheet('option')
    const vetoed = { label: 'double', quantity: 'trail_foot', value: 0.42, limit: 0.5, unit: 'share', op: '<' }
    v.samples = [sample(0, { kind: 'legal_rep_seal', best: true, diameter_mm: null, side_mm: 18, unchecked: [vetoed] })]
    v.rows = [{ row: 0, kind: 'legal_rep_seal', best_col: 0, needs_restamp: false, single_box: false, column: false }]
    const { w } = await imported(v)
    const line = w.get('[data-testid=seal-unchecked-0-0]').text()
    expect(line).toContain('未能检查是否重影：边框旁有第二道边线')
    expect(line).toContain('起步爬升为前缘的42%，下限50%')
  })

  it('says on a 阴文 face that its double and smear were not read, in one line', async () => {
    const v = doubtedSheet('option')
    const cut = (label: string) => ({ label, quantity: 'paper_field', value: 0.17, limit: 0.5, unit: 'share', op: '<' })
    v.samples = [sample(0, { kind: 'legal_rep_seal', best: true, diameter_mm: null, side_mm: 18, unchecked: [cut('double'), cut('smudged')] })]
    v.rows = [{ row: 0, kind: 'legal_rep_seal', best_col: 0, needs_restamp: false, single_box: false, column: false }]
    const { w } = await imported(v)
    const lines = w.get('[data-testid=seal-unchecked-0-0]').findAll('li').map((li) => li.text())
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('未能检查是否重影、模糊/洇开：印面留白不连成一片（连成一片的比例17%，下限50%），如阴文')
    expect(w.find('[data-testid=seal-reasons-0-0]').exists()).toBe(false)
  })

  it('shows ink an empty verdict set aside, with the reason, and offers it for acceptance', async () => {
    const v = doubtedSheet('file')
    const stain = { label: 'empty', quantity: 'disc_fill', value: 0.83, limit: 0.7, unit: 'share', op: '>' }
    v.samples = [
      sample(0, { empty: true, defects: ['empty', 'bg_not_white'], doubted: true, score: 0, diameter_mm: null, findings: [stain, { ...stain, label: 'bg_not_white' }] }),
      sample(1, { empty: true, defects: ['empty'], diameter_mm: null, image_url: null }),
    ]
    const { w } = await imported(v)
    expect(w.get('[data-testid=seal-sample-0-0]').find('img').exists()).toBe(true)
    expect(w.get('[data-testid=seal-reasons-0-0]').findAll('li').map((li) => li.text())[0]).toBe('印迹铺满圆面的83%（上限70%）：成片的是污渍，不是印章')
    expect(w.find('[data-testid=seal-accept-0-0]').exists()).toBe(true)
    // a stain told by its edges, which fade out all round (#76): said as a stain too
    const soaked = { label: 'empty', quantity: 'blur_excess_mm', value: 1.19, limit: 0.9, unit: 'mm', op: '>' }
    v.samples = [sample(0, { empty: true, defects: ['empty', 'bg_not_white'], doubted: true, score: 0, diameter_mm: null, findings: [soaked, { ...soaked, label: 'bg_not_white' }] })]
    const second = await imported(v)
    expect(second.w.get('[data-testid=seal-reasons-0-0]').findAll('li').map((li) => li.text())[0]).toBe('印迹四周边缘都渐淡1.2毫米（上限0.9毫米）：是渗开的污渍，不是盖出的印章')
    // a box without ink has nothing to show or take
    expect(w.get('[data-testid=seal-sample-0-1]').find('img').exists()).toBe(false)
    expect(w.find('[data-testid=seal-accept-0-1]').exists()).toBe(false)
  })

  it('offers nothing to accept on a clean impression', async () => {
    const v = doubtedSheet('option')
    v.samples = [sample(0, { best: true })]
    v.rows = [{ row: 0, kind: 'official_seal', best_col: 0, needs_restamp: false, single_box: false, column: false }]
    const { w } = await imported(v)
    expect(w.find('[data-testid=seal-accept-0-0]').exists()).toBe(false)
    expect(w.find('[data-testid=seal-reasons-0-0]').exists()).toBe(false)
  })

  it('accepts after a confirmation naming the reasons, with the note, and shows the new verdict', async () => {
    const after = doubtedSheet('file')
    after.samples[0] = { ...after.samples[0], accepted: true, best: true }
    after.rows = [{ row: 0, kind: 'official_seal', best_col: 0, needs_restamp: false, single_box: false, column: false }]
    after.stored = ['seal:official_seal']
    const { w, calls } = await imported(doubtedSheet('file'), { accept_seal_sample: () => after })
    await w.get('[data-testid=seal-accept-0-0]').trigger('click')
    const dialog = w.get('[data-testid=confirm-dialog]')
    expect(dialog.get('[data-testid=confirm-subject]').text()).toBe('第1行第1个公章')
    expect(dialog.text()).toContain('边框缺口3.4毫米（上限2毫米）；歪斜')
    // cancelled: nothing sent
    await w.get('[data-testid=confirm-cancel]').trigger('click')
    expect(calls.some((c) => c.cmd === 'accept_seal_sample')).toBe(false)
    await w.get('[data-testid=seal-accept-0-0]').trigger('click')
    await w.get('[data-testid=seal-accept-note]').setValue('  申请人只带了这一枚章 ')
    await w.get('[data-testid=seal-accept-ok]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'accept_seal_sample').map((c) => c.args)).toEqual([{ number: 'GZ01-20261124-0001', row: 0, col: 0, note: '申请人只带了这一枚章' }])
    expect(w.find('[data-testid=confirm-dialog]').exists()).toBe(false)
    expect(w.get('[data-testid=seal-accepted-0-0]').text()).toBe('已由受理员采用')
    expect(w.find('[data-testid=seal-accept-0-0]').exists()).toBe(false)
    expect(w.find('[data-testid=seal-restamp-0]').exists()).toBe(false)
    expect(w.get('[data-testid=seal-box-0-0]').classes()).toContain('q-best')
    expect(w.emitted('imported')).toHaveLength(2)
  })

  it('names a column and a place down it on a sheet whose kinds run down its columns', async () => {
    // the printed row 企业公章 | 法人方章 | 法人签字 asked for three times: each column one kind
    const v = doubtedSheet('file')
    v.rows = [
      { row: 0, kind: 'official_seal', best_col: null, needs_restamp: true, single_box: false, column: true },
      { row: 1, kind: 'legal_rep_seal', best_col: 2, needs_restamp: false, single_box: false, column: true },
    ]
    v.samples = [...v.samples, sample(2, { row: 1, kind: 'legal_rep_seal', best: true, diameter_mm: null, side_mm: 18 })]
    const { w } = await imported(v)
    expect(w.get('[data-testid=seal-restamp-0]').text()).toBe('第1列需要重新盖章/签字（公章）')
    expect(w.get('[data-testid=seal-row-1]').text()).toContain('第2列合格')
    await w.get('[data-testid=seal-accept-0-1]').trigger('click')
    expect(w.get('[data-testid=confirm-dialog]').get('[data-testid=confirm-subject]').text()).toBe('第1列第2个公章')
  })

  it('names in the confirmation the checks that were not made on the impression accepted', async () => {
    const v = doubtedSheet('file')
    const faint = (label: string) => ({ label, quantity: 'ink_snr', value: 2.1, limit: 2.83, unit: 'level', op: '<' })
    v.samples[1] = { ...v.samples[1], unchecked: ['broken', 'double'].map(faint) }
    const { w } = await imported(v)
    await w.get('[data-testid=seal-accept-0-1]').trigger('click')
    expect(w.get('[data-testid=confirm-dialog]').text()).toContain('印迹最浓处光密度0.22（下限0.35）；未能检查是否残缺、重影：印迹只比纸面噪声高2.1倍（下限2.8倍）')
  })

  it('shows a refusal and keeps the verdict', async () => {
    const { w } = await imported(doubtedSheet('file'), { accept_seal_sample: () => { throw refusal('missing_role', 'only a clerk') } })
    await w.get('[data-testid=seal-accept-0-1]').trigger('click')
    await w.get('[data-testid=seal-accept-ok]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=seal-error]').text()).not.toBe('')
    expect(w.find('[data-testid=seal-accept-0-1]').exists()).toBe(true)
  })

  it('writes a size with where its resolution came from', async () => {
    const a4 = await imported(doubtedSheet('a4_page'))
    expect(a4.w.get('[data-testid=seal-size-0-0]').text()).toBe('· 直径约41.8毫米（分辨率按A4纸推算）')
    clearMocks()
    const warned = await imported(doubtedSheet('file', 'dpi_disagrees_with_page'))
    expect(warned.w.get('[data-testid=seal-size-0-0]').text()).toBe('· 直径约41.8毫米（文件中的分辨率与A4纸不符，尺寸仅供参考）')
  })

  // #74: CFCA's one printed row 企业公章 | 法人方章 | 法人签字 comes back as a row per box: each is
  // named by what it is for, never as 第n行 of a row the sheet does not have
  it('names a box of a printed row of mixed boxes by what it is for', async () => {
    const v = doubtedSheet('file')
    v.rows = [
      { row: 0, kind: 'official_seal', best_col: 0, needs_restamp: false, single_box: true, column: false },
      { row: 1, kind: 'legal_rep_seal', best_col: null, needs_restamp: true, single_box: true, column: false },
      { row: 2, kind: 'legal_rep_signature', best_col: 0, needs_restamp: false, single_box: true, column: false },
    ]
    v.samples = [
      sample(0, { best: true }),
      { ...sample(0, { kind: 'legal_rep_seal', defects: ['double'], doubted: true, diameter_mm: null, side_mm: 19.6 }), row: 1 },
      { ...sample(0, { kind: 'legal_rep_signature', best: true, diameter_mm: null }), row: 2 },
    ]
    const { w } = await imported(v)
    expect(w.get('[data-testid=seal-restamp-1]').text()).toBe('法人章需要重新盖章/签字')
    expect(w.find('[data-testid=seal-restamp-0]').exists()).toBe(false)
    expect(w.get('[data-testid=seal-row-0] h4').text()).toBe('公章 · 合格')
    expect(w.get('[data-testid=seal-row-2] h4').text()).toBe('法人签字 · 合格')
    expect(w.text()).not.toContain('第2行')
    await w.get('[data-testid=seal-accept-1-0]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=confirm-subject]').text()).toBe('法人章')
  })
})
