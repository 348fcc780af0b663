// The seal panel's scanner folder: new scans listed by polling, imported by name.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import SealPanel from './SealPanel.vue'
import type { ScanFile, SealVerdict } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const verdict: SealVerdict = {
  scan_url: 'data:image/jpeg;base64,S', width: 100, height: 140, stored: [],
  rows: [{ row: 0, kind: 'signature', best_col: null, needs_restamp: true }],
  samples: [{ row: 0, col: 0, kind: 'signature', empty: true, defects: ['empty'], score: 0, best: false, box_quad: [[1, 1], [9, 1], [9, 9], [1, 9]], diameter_mm: null, side_mm: null, image_url: null }],
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
