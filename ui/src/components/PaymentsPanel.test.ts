// Component tests of 到账核对 (#73) with the IPC mocked: an administrator's statement import and
// what it found, a proposed match confirmed with its cases, an unmatched credit confirmed with
// the case numbers typed (Enter), a refused one showing why and offering nothing, a refusal of
// the backend said in Chinese; a clerk sees no import.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import PaymentsPanel from './PaymentsPanel.vue'
import type { Credit, ImportReport } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const credit = (id: string, state: Credit['state'], extra: Partial<Credit> = {}): Credit => ({
  id, statement: 'ab'.repeat(32), row: 5, day: '2025-10-09', amount: '400.00', payer_name: '广东省示例事业单位', payer_account: '44001234567890123456',
  remark: '转账', state, why: '', proposed: [], cases: [], imported_at: '2025-10-10T01:00:00Z', imported_by: 'admin', ...extra,
})
const REPORT: ImportReport = { file: '建设银行明细.xlsx', sha256: 'cd'.repeat(32), credits: 3, new: 3, skipped_debits: 1, matched: [{ credit: 'C1', cases: ['GZ01-20251008-0001'] }], unmatched: [{ credit: 'C2', why: 'no waiting case' }], refused: [{ credit: 'C3', why: '私人汇款恕不受理' }], repeated: [], problems: [{ row: 9, column: 'D', header: '贷方发生额', why: 'not an amount' }] }

describe('PaymentsPanel', () => {
  it('imports a statement and confirms a proposed match and an unmatched credit', async () => {
    let listed: Credit[] = []
    const calls = mockBackend({
      payments_list: () => listed,
      payments_import: () => {
        listed = [
          credit('C1', 'proposed', { proposed: ['GZ01-20251008-0001'] }),
          credit('C2', 'unmatched', { why: 'no waiting case', payer_name: '广东省示例事业单位' }),
          credit('C3', 'refused', { why: '私人汇款恕不受理', payer_name: '王小明' }),
        ]
        return REPORT
      },
      payments_confirm: ({ credit: id, cases }) => {
        if (id === 'C2' && cases.includes('GZ01-20251008-0009')) throw refusal('payment_refused', '到账金额 400.00 元与应收金额 700.00 元不符')
        listed = listed.filter((c) => c.id !== id)
        return cases
      },
    })
    const w = mount(PaymentsPanel, { props: { canImport: true } })
    await flushPromises()
    expect(w.text()).toContain('没有待核对的到账')
    const input = w.get('[data-testid=payments-file]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([0x50, 0x4b, 3, 4])], '建设银行明细.xlsx')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'payments_import')!.args).toEqual({ name: '建设银行明细.xlsx', file: 'UEsDBA==' })
    expect(w.get('[data-testid=payments-report]').text()).toBe('建设银行明细.xlsx：到账3笔，新增3笔；匹配1笔，未匹配1笔，拒收1笔，已导入过0笔')
    expect(w.get('[data-testid=payments-problems]').text()).toContain('第9行D列（贷方发生额）')
    expect(w.get('[data-testid=credit-C3]').text()).toContain('私人汇款恕不受理')
    expect(w.find('[data-testid=credit-confirm-C3]').exists()).toBe(false)

    await w.get('[data-testid=credit-confirm-C1]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'payments_confirm')!.args).toEqual({ credit: 'C1', cases: ['GZ01-20251008-0001'] })
    expect(w.find('[data-testid=credit-C1]').exists()).toBe(false)

    await w.get('[data-testid=credit-cases-C2]').setValue('GZ01-20251008-0009')
    await w.get('[data-testid=credit-cases-C2]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(w.text()).toContain('不能确认到账')
    expect(w.text()).toContain('到账金额 400.00 元与应收金额 700.00 元不符')
    await w.get('[data-testid=credit-cases-C2]').setValue('GZ01-20251008-0002，GZ01-20251008-0003')
    await w.get('[data-testid=credit-cases-C2]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'payments_confirm').at(-1)!.args).toEqual({ credit: 'C2', cases: ['GZ01-20251008-0002', 'GZ01-20251008-0003'] })
    expect(w.find('[data-testid=credit-C2]').exists()).toBe(false)
  })

  it('offers a clerk no import', async () => {
    mockBackend({ payments_list: () => [] })
    const w = mount(PaymentsPanel, { props: { canImport: false } })
    await flushPromises()
    expect(w.find('[data-testid=payments-file]').exists()).toBe(false)
  })
})
