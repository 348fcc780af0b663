// Component tests of 审计日志 (#79) with the IPC mocked: the day's events shown newest first with
// the actions in Chinese and people by their 姓名, the filters sent as typed (empty ones as none),
// the next older page asked below the last event shown, an export, and a refusal said in Chinese.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import AuditPanel from './AuditPanel.vue'
import type { AuditEvent } from '../bindings'
import { mockBackend, refusal } from '../testing/backend'
import { today } from '../util'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const event = (seq: number, actor: string, action: string, case_number: string | null, detail: Record<string, string | number> = {}): AuditEvent => ({
  seq, at: '2026-11-30T02:15:00Z', actor, action, case_number, digest_before: null, digest_after: null, detail, prev_hash: '', hash: '',
})
const ACTIONS = ['approve', 'return', 'user_roles', 'login_failed', 'day_closed']

describe('AuditPanel', () => {
  it('shows the chosen events newest first, pages down and exports', async () => {
    const calls = mockBackend({
      audit_log: ({ query }) => (query.before === null
        ? { events: [event(9, 'li', 'day_closed', null), event(8, 'li', 'return', 'GZ01-20261130-0002', { reason: '营业执照模糊' }), event(7, 'admin', 'user_roles', null, { user: 'zhang', roles: 'clerk,supervisor' })], more: true, actions: ACTIONS }
        : { events: [event(3, 'zhang', 'login_failed', null, { user: 'zhang', failed_in_a_row: 2 })], more: false, actions: ACTIONS }),
      export_audit_log: () => ({ path: '/home/a/导出/审计日志-2026-11-30至2026-11-30.csv', rows: 4 }),
    })
    const w = mount(AuditPanel, { props: { people: { li: '李复核', zhang: '张受理' } } })
    await flushPromises()
    // opened, it shows the day's newest events and its action filter lists the actions there are
    expect(calls.filter((c) => c.cmd === 'audit_log').map((c) => c.args)).toEqual([{ query: { from: today(), to: today(), actor: null, case_number: null, action: null, before: null } }])
    expect(w.findAll('[data-testid=audit-action] option')).toHaveLength(ACTIONS.length + 1)
    await w.get('[data-testid=audit-actor]').setValue(' li ')
    await w.get('[data-testid=audit-show]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'audit_log').at(-1)!.args).toEqual({ query: { from: today(), to: today(), actor: 'li', case_number: null, action: null, before: null } })
    const rows = w.findAll('[data-testid=audit-events] tbody tr').map((r) => r.findAll('td').slice(1).map((td) => td.text()))
    expect(rows).toEqual([
      ['李复核（li）', '日结', '', ''],
      ['李复核（li）', '退回', 'GZ01-20261130-0002', '营业执照模糊'],
      ['admin', '修改角色', '', '账号 zhang · 受理员、复核员'],
    ])
    // the actions the backend knows, by name
    expect(w.findAll('[data-testid=audit-action] option').map((o) => o.text())).toEqual(['全部操作', '复核通过', '退回', '修改角色', '密码错误', '日结'])
    await w.get('[data-testid=audit-older]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'audit_log').at(-1)!.args).toMatchObject({ query: { before: 7 } })
    expect(w.findAll('[data-testid=audit-events] tbody tr')).toHaveLength(4)
    expect(w.findAll('[data-testid=audit-events] tbody tr')[3].findAll('td').map((td) => td.text()).slice(2)).toEqual(['密码错误', '', '账号 zhang · 连续第2次'])
    expect(w.find('[data-testid=audit-older]').exists()).toBe(false)
    await w.get('[data-testid=audit-export-csv]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'export_audit_log')!.args).toMatchObject({ format: 'csv', query: { actor: 'li', before: null } })
    expect(w.get('[data-testid=audit-result]').text()).toBe('已导出 4 条记录到 /home/a/导出/审计日志-2026-11-30至2026-11-30.csv')
  })

  it('says a refusal in Chinese and shows nothing it did not get', async () => {
    mockBackend({ audit_log: () => { throw refusal('day_range', 'the range ends before it starts') } })
    const w = mount(AuditPanel)
    await flushPromises()
    expect(w.get('[data-testid=audit-error]').text()).not.toBe('')
    expect(w.find('[data-testid=audit-events]').exists()).toBe(false)
  })
})
