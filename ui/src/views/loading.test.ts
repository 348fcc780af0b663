// Every list says it is loading while the backend has not answered: no blank desk.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import CaseDetail from './CaseDetail.vue'
import Admin from './Admin.vue'
import Reports from './Reports.vue'
import KeyDesk from './KeyDesk.vue'
import { mockBackend } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
/** an answer that never comes while the test looks */
const never = <T>() => new Promise<T>(() => {})

describe('loading states', () => {
  it('the case page, the accounts, the ledger and the key desk say they are loading', async () => {
    mockBackend({
      get_case: () => never(), list_accounts: () => never(), get_settings: () => never(), report_daily: () => never(), report_expiring: () => never(),
      catalog_projects: () => never(), key_slots: () => never(), key_queue: () => never(),
    })
    const views = [
      [mount(CaseDetail, { props: { number: 'GZ01-20261120-0001' } }), 'case-loading'],
      [mount(Admin), 'accounts-loading'],
      [mount(Reports), 'report-loading'],
      [mount(KeyDesk, { props: { pollMs: 10_000 } }), 'key-slots-loading'],
    ] as const
    await flushPromises()
    for (const [w, id] of views) expect(w.get(`[data-testid=${id}]`).text()).toMatch(/加载中|正在/)
    expect(views[3][0].get('[data-testid=key-case] option').text()).toBe('加载中…')
  })
})
