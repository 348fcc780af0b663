// Component test of 凭单位证书核验 (#74) with the IPC mocked: the PIN typed, sent once with the
// case's number and cleared whatever the answer; a refusal said in Chinese with the backend's
// reason; the page told when the unit is proved.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import UnitProofPanel from './UnitProofPanel.vue'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const PROOF = { serial: '5A01', subject: 'CN=广州市示例科技有限公司', uscc: '91440101MA59ABCD1D', issuer: 'CN=Test Root', not_after: '2027-11-29T00:00:00Z', algorithm: 'sm2-sm3', anchor: 'CN=Test Root', proved_at: '2026-11-29T06:00:00Z' }

describe('UnitProofPanel', () => {
  it('sends the PIN once, clears it, says a refusal in Chinese and reports the proof', async () => {
    let answers = 0
    const calls = mockBackend({
      case_prove_unit: () => {
        answers += 1
        if (answers === 1) throw refusal('unit_proof_refused', '单位证书（序列号 5A01）不是本项目CA签发的')
        return PROOF
      },
    })
    const w = mount(UnitProofPanel, { props: { number: 'CD01-20261129-0001' } })
    expect(w.get('[data-testid=unit-proof-go]').attributes('disabled')).toBeDefined()
    const pin = w.get('[data-testid=unit-proof-pin]')
    await pin.setValue('24681357')
    await pin.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'case_prove_unit').map((c) => c.args)).toEqual([{ number: 'CD01-20261129-0001', pin: '24681357' }])
    expect((pin.element as HTMLInputElement).value, 'the PIN is not kept').toBe('')
    expect(w.get('[data-testid=error]').text()).toContain('单位证书核验未通过')
    expect(w.get('[data-testid=error]').text()).toContain('不是本项目CA签发的')
    expect(w.emitted('proved')).toBeUndefined()
    await pin.setValue('24681357')
    await w.get('[data-testid=unit-proof-go]').trigger('click')
    await flushPromises()
    expect(w.emitted('proved')).toHaveLength(1)
    expect(w.find('[data-testid=error]').exists()).toBe(false)
    expect(w.text()).not.toContain('24681357')
  })
})
