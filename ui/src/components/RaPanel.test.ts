// Component tests of admin → 在线签发 with the IPC mocked: a project's RA set with its CA
// certificate and challenge (the challenge typed, sent once, the field emptied, never shown
// back), tried, a refusal said in Chinese, and back to offline.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import RaPanel from './RaPanel.vue'
import type { ProjectView } from '../bindings'
import type { RaView } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const PROJECTS = [{ id: 'netca-gd-pension', ca_short: 'NETCA', service: '广东养老' }, { id: 'bjca-x', ca_short: 'BJCA', service: '北京' }] as unknown as ProjectView[]
const VIEW: RaView = { project: 'netca-gd-pension', url: 'http://10.1.1.9:8080/scep', ca_subject: 'CN=NETCA RA CA', ca_sha256: 'ab'.repeat(32), ca_not_after: '2036-01-01T00:00:00Z', challenge_set: true }

describe('RaPanel', () => {
  it('sets a project\'s RA with the CA certificate and the challenge, tries it and clears it', async () => {
    let set: RaView | null = null
    const calls = mockBackend({
      ra_show: () => set,
      ra_set: () => { set = VIEW; return VIEW },
      ra_try: () => { throw refusal('ra_unreachable', 'the RA cannot be reached') },
      ra_clear: () => { set = null; return null },
    })
    const w = mount(RaPanel, { props: { projects: PROJECTS } })
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'ra_show')!.args).toEqual({ project: 'netca-gd-pension' })
    expect(w.get('[data-testid=ra-none]').text()).toContain('离线送CA')
    await w.get('[data-testid=ra-url]').setValue('http://10.1.1.9:8080/scep')
    const input = w.get('[data-testid=ra-ca]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([0x30, 0x82, 0x01])], 'ra-ca.der')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    await w.get('[data-testid=ra-challenge]').setValue('Ch-4711')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'ra_set')!.args).toEqual({ project: 'netca-gd-pension', url: 'http://10.1.1.9:8080/scep', caCert: 'MIIB', challenge: 'Ch-4711' })
    expect((w.get('[data-testid=ra-challenge]').element as HTMLInputElement).value, 'the challenge is not kept').toBe('')
    expect(w.get('[data-testid=ra-current]').text()).toContain('CN=NETCA RA CA')
    expect(w.text()).not.toContain('Ch-4711')
    await w.get('[data-testid=ra-try]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=ra-error]').text()).toContain('连接不上')
    await w.get('[data-testid=ra-clear]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=ra-note]').text()).toContain('改为离线签发')
    expect(w.find('[data-testid=ra-current]').exists()).toBe(false)
  })
})
