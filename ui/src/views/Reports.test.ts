// Component tests of the reports desk with the IPC mocked: the day's ledger (with each case's
// certificates and a withdrawn one's reason), expiring certificates one per holder with the
// handler's mobile, exports showing the file written.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Reports from './Reports.vue'
import { today } from '../util'
import { sampleProject } from '../fixtures'
import { mockBackend, refusal } from '../testing/backend'
import type { CloseBlocked } from '../bindings'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

describe('Reports', () => {
  it('shows the ledger of today, changes day, lists expiring certificates and exports', async () => {
    const calls = mockBackend({
      report_daily: ({ date }) => ({
        date, cases: date === '2026-11-20' ? 7 : 3, total: '2100.00', keys_issued: 2, delivered: 1,
        by_business: [{ key: 'new', cases: 2, amount: '1400.00', certs: 4, written: 2, withdrawn: 1 }, { key: 'renew', cases: 1, amount: '700.00', certs: 1, written: 0, withdrawn: 0 }],
        by_project: [{ key: 'netca-gd-pension', cases: 3, amount: '2100.00', certs: 5, written: 2, withdrawn: 1 }],
        by_payment: [{ key: 'bank_transfer', cases: 3, amount: '2100.00', certs: 5, written: 2, withdrawn: 1 }],
        by_clerk: [{ key: '张三', cases: 3, amount: '2100.00', certs: 5, written: 2, withdrawn: 1 }, { key: 'wang', cases: 1, amount: '0.00', certs: 1, written: 0, withdrawn: 0 }],
        by_status: [{ key: 'approved', cases: 2, amount: '1400.00', certs: 4, written: 2, withdrawn: 1 }, { key: 'returned', cases: 1, amount: '700.00', certs: 1, written: 0, withdrawn: 0 }],
        invoices: [{ case: 'GZ01-20261120-0001', kind: 'special', title: '广州市示例科技有限公司', taxpayer_id: '91440101MA59ABCD1D', amount: '700.00' }],
        certificates: 5, certificates_written: 2, certificates_withdrawn: 1, close: null, close_blocked: null,
        by_case: [
          { case: 'GZ01-20261120-0002', project: 'netca-gd-pension', business: 'new', applicant: '广东省示例事业单位', amount: '600.00', certs: 3, written: 2, status: 'approved',
            withdrawn: [{ cert: 3, holder: '李娜', reason: '员工已离职', by: '李复核', at: '2026-11-20T03:00:00Z' }] },
        ],
      }),
      catalog_projects: () => [sampleProject],
      report_expiring: ({ days }) => [
        { case: 'GZ01-20241201-0001', organization: '甲公司', handler: '王五', mobile: '139****1111', certificate_serial: '7F', subject: 'CN=王芳', not_after: '2026-12-01T00:00:00Z', days_left: days === 30 ? 11 : 5, cert: 1, holder: '王芳' },
        { case: 'GZ01-20241201-0001', organization: '甲公司', handler: '王五', mobile: '139****1111', certificate_serial: '80', subject: 'CN=陈刚', not_after: '2026-12-01T00:00:00Z', days_left: days === 30 ? 11 : 5, cert: 2, holder: '陈刚' },
      ],
      export_report: ({ kind, format, arg }) => ({ path: `/home/clerk/exports/${kind}-${arg}.${format}`, rows: 4 }),
    })
    const w = mount(Reports, { props: { people: { wang: '王五' } } })
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'report_daily')!.args).toEqual({ date: today() })
    expect(calls.find((c) => c.cmd === 'report_expiring')!.args).toEqual({ days: 30 })
    expect(w.get('[data-testid=report-by_business]').text()).toContain('新申请')
    expect(w.get('[data-testid=report-by_payment]').text()).toContain('对公转账')
    expect(w.get('[data-testid=report-by_clerk]').text()).toContain('张三')
    // a case sent back is shown apart, by the backend's status label (#79)
    expect(w.get('[data-testid=report-by_status]').text()).toContain('已退回')
    expect(w.get('[data-testid=report-by_status]').text()).toContain('按案件状态（退回的案件仍计入当日件数和收费）')
    // a clerk the ledger names by login, by 姓名
    expect(w.get('[data-testid=report-by_clerk]').text()).toContain('王五')
    expect(w.get('[data-testid=report-by_clerk]').text()).not.toContain('wang')
    // the project by its name, the invoices asked for
    expect(w.get('[data-testid=report-by_project]').text()).toContain('网证通 · 养老')
    expect(w.get('[data-testid=report-by_project]').text()).not.toContain('netca-gd-pension')
    expect(w.get('[data-testid=report-invoices]').text()).toContain('专用发票')
    expect(w.get('[data-testid=report-invoices]').text()).toContain('91440101MA59ABCD1D')
    expect(w.get('[data-testid=report-totals]').text()).toContain('2100.00')
    // each case with its certificates, the fee as charged and the withdrawn one's reason
    expect(w.get('[data-testid=report-totals]').text()).toContain('已撤回')
    expect(w.get('[data-testid=report-by_case]').text()).toContain('600.00')
    expect(w.get('[data-testid=report-withdrawn-GZ01-20261120-0002]').text()).toBe('第3张 李娜：员工已离职（李复核）')
    expect(w.get('[data-testid=report-by_business]').text()).toContain('4')
    await w.get('[data-testid=report-date]').setValue('2026/11/20')
    await flushPromises()
    expect(w.get('[data-testid=report-totals]').text()).toContain('7')
    await w.get('[data-testid=report-export-daily-xlsx]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'export_report')!.args).toEqual({ kind: 'daily', format: 'xlsx', arg: '2026-11-20' })
    // typed the other way, shown the counter's way (never the locale's 11/20/2026)
    await w.get('[data-testid=report-date]').trigger('blur')
    expect((w.get('[data-testid=report-date]').element as HTMLInputElement).value).toBe('2026-11-20')
    expect(w.get('[data-testid=report-date]').attributes('type')).toBe('text')
    expect(w.get('[data-testid=report-result]').text()).toContain('/home/clerk/exports/daily-2026-11-20.xlsx')
    // 即将到期的证书 is the next section: → on the tab bar goes there, the focus on its tab
    expect(w.find('[data-testid=report-expiring]').exists()).toBe(false)
    await w.get('[data-testid=reports-tab-daily]').trigger('keydown', { key: 'ArrowRight' })
    await w.get('[data-testid=reports-tab-payments]').trigger('keydown', { key: 'ArrowRight' })
    await flushPromises()
    expect(w.get('[data-testid=reports-tab-expiring]').attributes('aria-selected')).toBe('true')
    expect(w.find('[data-testid=reports-daily]').exists()).toBe(false)
    expect(w.get('[data-testid=report-expiring]').text()).toContain('139****1111')
    // one row per certificate, each with its holder
    expect(w.findAll('[data-testid=report-expiring] tbody tr')).toHaveLength(2)
    expect(w.get('[data-testid=report-expiring]').text()).toContain('陈刚（第2张）')
    // no 审计日志 for an account that may not read it
    expect(w.find('[data-testid=reports-tab-audit]').exists()).toBe(false)
    await w.get('[data-testid=report-days]').setValue('60')
    await w.get('[data-testid=report-export-expiring-csv]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'export_report').at(-1)!.args).toEqual({ kind: 'expiring', format: 'csv', arg: '60' })
    expect(w.get('[data-testid=report-result]').text()).toContain('expiring-60.csv')
    // coming back to 报表 shows the section shown last
    w.unmount()
    const again = mount(Reports, { props: { people: { wang: '王五' } } })
    await flushPromises()
    expect(again.get('[data-testid=reports-tab-expiring]').attributes('aria-selected')).toBe('true')
    await again.get('[data-testid=reports-tab-daily]').trigger('click')
    await again.get('[data-testid=report-date]').setValue('2026-11-20')
    await flushPromises()
    // the day's invoice list for the finance office (#73)
    await again.get('[data-testid=report-export-invoices-xlsx]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'export_report').at(-1)!.args).toEqual({ kind: 'invoices', format: 'xlsx', arg: '2026-11-20' })
    await again.get('[data-testid=report-export-due-xlsx]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'export_report').at(-1)!.args).toEqual({ kind: 'due', format: 'xlsx', arg: '2026-11-20' })
  })

  it('has 审计日志 as a section of its own for an account that may read it (#79)', async () => {
    const calls = mockBackend({
      report_daily: ({ date }) => ({ date, cases: 0, total: '0.00', keys_issued: 0, delivered: 0, by_business: [], by_project: [], by_payment: [], by_clerk: [], by_status: [], invoices: [], certificates: 0, certificates_written: 0, certificates_withdrawn: 0, by_case: [], close: null, close_blocked: null }),
      report_expiring: () => [],
      catalog_projects: () => [],
      payments_list: () => [],
      audit_log: () => ({ events: [], more: false, actions: ['approve'] }),
    })
    const w = mount(Reports, { props: { canAudit: true } })
    await flushPromises()
    expect(w.findAll('[role=tab]').map((b) => b.text())).toEqual(['日报与日结', '到账核对', '即将到期的证书', '审计日志'])
    // the log is read when its section opens, not with every visit to 报表
    expect(calls.some((c) => c.cmd === 'audit_log')).toBe(false)
    await w.get('[data-testid=reports-tab-daily]').trigger('keydown', { key: 'ArrowLeft' })
    await flushPromises()
    expect(w.get('[data-testid=reports-tab-audit]').attributes('aria-selected')).toBe('true')
    expect(w.find('[data-testid=audit-log]').exists()).toBe(true)
    expect(calls.filter((c) => c.cmd === 'audit_log')).toHaveLength(1)
    expect(w.find('[data-testid=reports-daily]').exists()).toBe(false)
    await w.get('[data-testid=reports-tab-daily]').trigger('click')
  })

  it('shows an export failure in Chinese', async () => {
    mockBackend({
      report_daily: ({ date }) => ({ date, cases: 0, total: '0.00', keys_issued: 0, delivered: 0, by_business: [], by_project: [], by_payment: [], by_clerk: [], by_status: [], invoices: [], certificates: 0, certificates_written: 0, certificates_withdrawn: 0, by_case: [], close: null, close_blocked: null }),
      report_expiring: () => [],
      catalog_projects: () => [],
      export_report: () => { throw refusal('io', 'writing /home/clerk/exports/daily.csv: permission denied') },
    })
    const w = mount(Reports)
    await flushPromises()
    await w.get('[data-testid=report-export-daily-csv]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('读写文件失败')
    expect(w.find('[data-testid=report-result]').exists()).toBe(false)
  })

  it('signs the day off with the USB key PIN, shows the close, verifies it and prints the ledger', async () => {
    const empty = { cases: 0, total: '0.00', keys_issued: 0, delivered: 0, by_business: [], by_project: [], by_payment: [], by_clerk: [], by_status: [], invoices: [], certificates: 0, certificates_written: 0, certificates_withdrawn: 0, by_case: [] }
    const close = { reference: 'certdesk-day:1:GZ01:2026-11-20:42:aa:bb', account: 'li', by: '李复核', at: '2026-11-20 18:30', fingerprint: 'ff' }
    let closed = false
    let refuse = true
    const verdict = { day: '2026-11-20', closed: true, ok: true, reference: close.reference, closed_by: 'li', closed_at: '2026-11-20T10:30:00Z', signature_ok: true, head_ok: true, sheet_ok: true, changed: [], after_close: [{ seq: 50, at: '2026-11-20T11:00:00Z', actor: 'zhang', action: 'create', case: 'GZ01-20261120-0009' }], problems: [], ledger: null }
    const calls = mockBackend({
      report_daily: ({ date }) => ({ date, ...empty, close: closed ? close : null, close_blocked: null }),
      report_expiring: () => [],
      catalog_projects: () => [],
      day_close: () => {
        if (refuse) { refuse = false; throw refusal('pin_incorrect', 'the key refused the PIN') }
        closed = true
        return verdict
      },
      day_verify: () => verdict,
      report_daily_print: ({ date }) => ({ path: `/home/li/print/受理日报-${date}.pdf`, pages: 1, bytes: 9000 }),
    })
    const w = mount(Reports)
    await flushPromises()
    expect(w.get('[data-testid=day-open]').text()).toContain('未日结')
    await w.get('[data-testid=day-close-start]').trigger('click')
    await w.get('[data-testid=day-close-pin]').setValue('12345678')
    await w.get('[data-testid=day-close-pin]').trigger('submit')
    await flushPromises()
    // the key refused the PIN: said, nothing closed, the PIN not kept
    expect(w.find('[data-testid=error]').exists()).toBe(true)
    expect((w.get('[data-testid=day-close-pin]').element as HTMLInputElement).value).toBe('')
    await w.get('[data-testid=day-close-pin]').setValue('24681357')
    await w.get('[data-testid=day-close-pin]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'day_close').at(-1)!.args).toEqual({ date: today(), pin: '24681357' })
    expect(w.get('[data-testid=day-closed]').text()).toContain('已日结：李复核，2026-11-20 18:30')
    expect(w.get('[data-testid=day-reference]').text()).toBe(close.reference)
    expect(w.find('[data-testid=day-close-pin]').exists()).toBe(false)
    expect(w.get('[data-testid=day-verdict]').text()).toContain('日结核验通过')
    expect(w.get('[data-testid=day-after-close]').text()).toContain('日结后发生的记录：1条')
    await w.get('[data-testid=day-verify]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'day_verify')).toBe(true)
    await w.get('[data-testid=day-print]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=report-result]').text()).toContain(`受理日报-${today()}.pdf`)
  })

  it('says before any PIN why this account cannot close the day, in the backend\'s terms (#79)', async () => {
    const empty = { cases: 0, total: '0.00', keys_issued: 0, delivered: 0, by_business: [], by_project: [], by_payment: [], by_clerk: [], by_status: [], invoices: [], certificates: 0, certificates_written: 0, certificates_withdrawn: 0, by_case: [], close: null }
    let blocked: CloseBlocked | null = 'no_key_enrolled'
    mockBackend({
      report_daily: ({ date }) => ({ date, ...empty, close_blocked: blocked }),
      report_expiring: () => [],
      catalog_projects: () => [],
    })
    const w = mount(Reports)
    await flushPromises()
    expect(w.get('[data-testid=day-close-blocked]').text()).toBe('日结须以本账号登记的USB Key签名，本账号尚未登记。请管理员在 管理 → USB Key登记 为本账号登记后再日结。')
    // no PIN prompt and no button that leads to one
    expect(w.find('[data-testid=day-close-start]').exists()).toBe(false)
    expect(w.find('[data-testid=day-close-pin]').exists()).toBe(false)
    blocked = 'not_supervisor'
    await w.get('[data-testid=report-date]').setValue('2026-11-20')
    await flushPromises()
    expect(w.get('[data-testid=day-close-blocked]').text()).toContain('本账号不能日结')
    blocked = null
    await w.get('[data-testid=report-date]').setValue('2026-11-19')
    await flushPromises()
    expect(w.find('[data-testid=day-close-blocked]').exists()).toBe(false)
    expect(w.find('[data-testid=day-close-start]').exists()).toBe(true)
  })
})
