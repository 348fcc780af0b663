// Component tests of the case page's steps panel for a unit's order (#28): the certificates by
// holder with their state, and a supervisor's withdrawal of one with a reason (offered only for
// the certificates the backend's capabilities name).
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import StepsPanel from './StepsPanel.vue'
import type { CertState } from '../ipc'
import { capsFor, sampleCase, stepsOf } from '../fixtures'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const NUMBER = 'GZ01-20261120-0001'
const cert = (index: number, holder: string, over: Partial<CertState> = {}): CertState => ({
  index, holder, key_serial: null, done: false, withdrawn: false, next: 'key_init', holder_id: null, key_label: null, certificate_serial: null, not_after: null, withdrawn_reason: null, steps: [], ...over,
})

describe('StepsPanel, a case of several certificates', () => {
  it('lists the certificates and lets a supervisor withdraw one with a reason', async () => {
    const steps = { ...stepsOf(NUMBER, 'approved'), certs: [cert(1, '王芳', { done: true, next: null, certificate_serial: '7F01' }), cert(2, '陈刚'), cert(3, '李娜', { withdrawn: true, next: null, withdrawn_reason: '已调岗' })] }
    let first = true
    const calls = mockBackend({
      case_withdraw_cert: ({ reason }) => {
        if (first) {
          first = false
          throw refusal('cert_written', 'certificate 2 is written')
        }
        expect(reason).toBe('已离职')
        return steps
      },
    })
    const w = mount(StepsPanel, { props: { number: NUMBER, steps, c: sampleCase, can: { ...capsFor('approved', ['supervisor']), withdraw_certs: [2] } } })
    expect(w.text()).toContain('证书（2 张）')
    expect(w.get('[data-testid=case-cert-1]').text()).toContain('7F01')
    expect(w.get('[data-testid=case-cert-3]').text()).toContain('已撤回（已调岗）')
    expect(w.find('[data-testid=cert-withdraw-1]').exists()).toBe(false)
    await w.get('[data-testid=cert-withdraw-2]').trigger('click')
    // no reason: asked for, nothing sent
    await w.get('[data-testid=cert-withdraw-do]').trigger('submit')
    expect(w.get('[data-testid=step-error]').text()).toContain('撤回原因')
    expect(calls).toHaveLength(0)
    await w.get('[data-testid=cert-withdraw-reason]').setValue('已离职')
    await w.get('[data-testid=cert-withdraw-do]').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid=step-error]').exists()).toBe(true)
    expect(w.emitted('completed')).toBeUndefined()
    await w.get('[data-testid=cert-withdraw-do]').trigger('submit')
    await flushPromises()
    expect(calls.map((c) => c.cmd === 'case_withdraw_cert' && [c.args.number, c.args.cert])).toEqual([[NUMBER, 2], [NUMBER, 2]])
    expect(w.emitted('completed')).toHaveLength(1)
  })

  it('lets a supervisor allow a second key for a written certificate (登记补办) with a reason, a unit\'s one certificate too', async () => {
    const steps = { ...stepsOf(NUMBER, 'key_issued'), certs: [cert(1, '广州市示例科技有限公司', { done: true, next: null, certificate_serial: '7F01' })] }
    const calls = mockBackend({ case_reissue: () => steps })
    const w = mount(StepsPanel, { props: { number: NUMBER, steps, c: sampleCase, can: { ...capsFor('key_issued', ['supervisor']), reissue_certs: [1] } } })
    await w.get('[data-testid=cert-reissue-1]').trigger('click')
    await w.get('[data-testid=cert-reissue-do]').trigger('submit')
    expect(w.get('[data-testid=step-error]').text()).toContain('补办原因')
    expect(calls).toHaveLength(0)
    await w.get('[data-testid=cert-reissue-reason]').setValue('Key损坏')
    await w.get('[data-testid=cert-reissue-do]').trigger('submit')
    await flushPromises()
    expect(calls.map((c) => c.cmd === 'case_reissue' && [c.args.number, c.args.cert, c.args.reason])).toEqual([[NUMBER, 1, 'Key损坏']])
    expect(w.emitted('completed')).toHaveLength(1)
    expect(w.find('[data-testid=cert-reissue-reason]').exists()).toBe(false)
  })

  it('offers no reissue the backend does not name', () => {
    const steps = { ...stepsOf(NUMBER, 'key_issued'), certs: [cert(1, '王芳', { done: true, next: null }), cert(2, '陈刚', { done: true, next: null })] }
    mockBackend({})
    const w = mount(StepsPanel, { props: { number: NUMBER, steps, c: sampleCase, can: capsFor('key_issued', ['clerk']) } })
    expect(w.find('[data-testid=cert-reissue-1]').exists()).toBe(false)
  })

  it('shows no certificate list for a case of one certificate', () => {
    mockBackend({})
    const w = mount(StepsPanel, { props: { number: NUMBER, steps: stepsOf(NUMBER, 'approved'), c: sampleCase, can: capsFor('approved', ['supervisor']) } })
    expect(w.find('[data-testid=case-certs]').exists()).toBe(false)
  })
})
