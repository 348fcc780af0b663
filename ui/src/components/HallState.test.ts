// Component tests of the header's word on the hall with the IPC mocked: the server the desk is
// on, that it takes writes and the standby's lag; 服务器切换中 while no server takes writes, then
// the promoted server; a missing synchronous standby said; nothing asked on a store file.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import HallState from './HallState.vue'
import type { HallStatus } from '../ipc'
import { mockBackend } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const A = { host: '10.0.8.2', port: 5432 }
const B = { host: '10.0.8.3', port: 5432 }
function hall(over: Partial<HallStatus> = {}): HallStatus {
  return {
    address: 'desk@10.0.8.2:5432,10.0.8.3:5432/hall', writable: A, can_write: true, connected: A,
    servers: [{ server: A, role: 'primary', in_recovery: false, read_only: false, error: null }, { server: B, role: 'standby', in_recovery: true, read_only: true, error: null }],
    standbys: [{ name: 'hall_b', client_addr: '10.0.8.3/32', state: 'streaming', sync_state: 'sync', write_lag_ms: 0.4, flush_lag_ms: 0.6, replay_lag_ms: 1.25, replay_behind_bytes: 0 }],
    synchronous_standby_names: '*', commits_wait_for_standby: false, standby_details_hidden: false, several_writable: false, ...over,
  }
}

describe('HallState', () => {
  it('names the server, says it takes writes and gives the standby lag', async () => {
    mockBackend({ hall_status: () => hall() })
    const w = mount(HallState, { props: { server: 'desk@…/hall' } })
    await flushPromises()
    expect(w.get('[data-testid=hall-state]').text()).toBe('当前服务器 10.0.8.2:5432 · 可写入 · 备用服务器延迟 1.3 毫秒')
    expect(w.get('[data-testid=hall-state]').classes()).not.toContain('warn')
  })

  it('says 服务器切换中 while no server takes writes, then names the promoted server', async () => {
    let now = hall()
    const calls = mockBackend({ hall_status: () => now })
    const w = mount(HallState, { props: { server: 'desk@…/hall', everyMs: 20 } })
    await flushPromises()
    now = hall({ writable: null, can_write: false, connected: null, standbys: [], servers: [{ server: A, role: 'unreachable', in_recovery: null, read_only: null, error: 'refused' }, { server: B, role: 'standby', in_recovery: true, read_only: true, error: null }] })
    await sleep(60)
    await flushPromises()
    expect(w.get('[data-testid=hall-switching]').text()).toBe('服务器切换中')
    expect(w.get('[data-testid=hall-state]').classes()).toContain('warn')
    now = hall({ writable: B, connected: B, standbys: [], synchronous_standby_names: '' })
    await sleep(60)
    await flushPromises()
    expect(w.get('[data-testid=hall-state]').text()).toBe('当前服务器 10.0.8.3:5432 · 可写入 · 无备用服务器')
    expect(calls.filter((c) => c.cmd === 'hall_status').length).toBeGreaterThanOrEqual(3)
  })

  it('says so when commits wait for a missing synchronous standby', async () => {
    mockBackend({ hall_status: () => hall({ standbys: [], commits_wait_for_standby: true }) })
    const w = mount(HallState, { props: { server: 'desk@…/hall' } })
    await flushPromises()
    expect(w.get('[data-testid=hall-standby]').text()).toBe('备用服务器未连接：保存需等待确认')
  })

  it('asks nothing on a store file', async () => {
    const calls = mockBackend({})
    const w = mount(HallState, { props: { server: null } })
    await flushPromises()
    expect(w.find('[data-testid=hall-state]').exists()).toBe(false)
    expect(calls).toEqual([])
  })
})
