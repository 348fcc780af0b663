// Component tests of the due line above the case list (#73) with the IPC mocked: the day's
// counts as the backend gives them, Alt+D opens the lists, a case number opens the case, a
// year without a holiday notice is said, and a refusal is shown in Chinese.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import DuePanel from './DuePanel.vue'
import type { DueList } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'
import { today } from '../util'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const LIST: DueList = {
  day: '2025-10-13',
  due_today: [],
  late: [{ number: 'GZ01-20250930-0001', project: 'netca-gd-pension', business: 'unlock', status: 'accepted', organization: '广州市示例科技有限公司', channel: 'post', promise: '解锁并寄回', term: '3个工作日', quote: '收到材料的3个工作日内解锁证书快递给用户', start: '2025-09-30', due: '2025-10-11', days_left: -1 }],
  waiting: [{ number: 'GZ01-20251009-0002', project: 'netca-gd-pension', business: 'new', status: 'accepted', organization: '广东省示例事业单位', channel: 'post', received: '2025-10-09', waiting_on: ['materials', 'payment'], waiting_zh: ['材料后补', '款项未到账'], promise: null }],
  running: 4,
  without_notice: [2026],
  returned: [],
}

describe('DuePanel', () => {
  it('counts the day\'s lists, opens them with Alt+D and a case by its number', async () => {
    const calls = mockBackend({ due_list: () => LIST })
    const w = mount(DuePanel, { attachTo: document.body })
    await flushPromises()
    expect(calls[0]).toEqual({ cmd: 'due_list', args: { day: today() } })
    const toggle = w.get('[data-testid=due-toggle]')
    expect(toggle.text()).toBe('今日到期 0 件 · 已超期 1 件 · 待申请人 1 件')
    expect(toggle.classes()).toContain('warn')
    expect(w.find('[data-testid=due-late]').exists()).toBe(false)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'd', altKey: true }))
    await flushPromises()
    const late = w.get('[data-testid=due-late]').text()
    expect(late).toContain('解锁并寄回（3个工作日）')
    expect(late).toContain('超期1个工作日')
    expect(w.get('[data-testid=due-waiting]').text()).toContain('材料后补、款项未到账')
    expect(w.get('[data-testid=due-no-notice]').text()).toContain('2026年的放假安排尚未收录')
    await w.get('[data-testid="due-case-GZ01-20250930-0001"]').trigger('click')
    expect(w.emitted('open')).toEqual([['GZ01-20250930-0001']])
  })

  it('shows the cases returned to the counter without being asked, with the reason and who returned them', async () => {
    const returned = { number: 'GZ01-20251010-0003', project: 'netca-gd-pension', business: 'new', organization: '广州市示例科技有限公司', channel: 'counter', reason: '营业执照复印件未盖公章', returned_by: 'li', returned_by_name: '李复核', returned_at: '2025-10-13T02:05:00Z' }
    mockBackend({ due_list: () => ({ ...LIST, returned: [returned] }) })
    const w = mount(DuePanel)
    await flushPromises()
    const banner = w.get('[data-testid=due-returned]').text()
    expect(banner).toContain('退回待修改 1 件')
    expect(banner).toContain('广州市示例科技有限公司 · 李复核 2025-10-13 10:05 退回：营业执照复印件未盖公章')
    await w.get('[data-testid="due-returned-GZ01-20251010-0003"]').trigger('click')
    expect(w.emitted('open')).toEqual([['GZ01-20251010-0003']])
  })

  it('has no returned line when nothing is returned', async () => {
    mockBackend({ due_list: () => LIST })
    const w = mount(DuePanel)
    await flushPromises()
    expect(w.find('[data-testid=due-returned]').exists()).toBe(false)
  })

  it('says a refusal and shows no counts', async () => {
    mockBackend({ due_list: () => { throw refusal('catalog', 'the holiday notices: two notices for 2025') } })
    const w = mount(DuePanel)
    await flushPromises()
    expect(w.find('[data-testid=due-toggle]').exists()).toBe(false)
    expect(w.text()).not.toBe('')
  })
})
