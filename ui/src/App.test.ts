// Component tests of the shell with the IPC mocked: the desks each role sees, where each role
// lands after signing in, and the Alt+1…Alt+6 shortcuts.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import App from './App.vue'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const stubs = { Intake: true, Cases: true, Review: true, KeyDesk: true, Reports: true, Admin: true }

async function signIn(roles: string[]) {
  let who: { name: string; roles: string[] } | null = null
  mockIPC((cmd, args) => {
    if (cmd === 'app_status') return { first_run: false, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: who }
    if (cmd === 'login') return (who = { name: (args as any).name, roles })
    if (cmd === 'logout') return (who = null)
    throw new Error(cmd)
  })
  const w = mount(App, { global: { stubs }, attachTo: document.body })
  await flushPromises()
  await w.get('[data-testid=login-name]').setValue('someone')
  await w.get('[data-testid=login-password]').setValue('pw')
  await w.get('form').trigger('submit')
  await flushPromises()
  return w
}
const navs = (w: ReturnType<typeof mount>) => w.findAll('nav button').map((b) => b.attributes('data-testid'))

describe('App', () => {
  it('lands a key clerk on the key desk with the desks of the role', async () => {
    const w = await signIn(['key_clerk'])
    expect(navs(w)).toEqual(['nav-cases', 'nav-keys', 'nav-reports'])
    expect(w.get('[data-testid=nav-keys]').classes()).toContain('on')
    expect(w.findComponent({ name: 'KeyDesk' }).exists()).toBe(true)
  })

  it('lands a supervisor on review and a clerk on intake', async () => {
    const s = await signIn(['supervisor'])
    expect(s.get('[data-testid=nav-review]').classes()).toContain('on')
    expect(navs(s)).toEqual(['nav-cases', 'nav-review', 'nav-reports'])
    s.unmount()
    const c = await signIn(['clerk'])
    expect(c.get('[data-testid=nav-intake]').classes()).toContain('on')
    expect(c.findComponent({ name: 'Intake' }).exists()).toBe(true)
  })

  it('switches desks with Alt+number, only to desks the account has', async () => {
    const w = await signIn(['admin', 'clerk'])
    expect(navs(w)).toEqual(['nav-intake', 'nav-cases', 'nav-reports', 'nav-admin'])
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '5', altKey: true }))
    await flushPromises()
    expect(w.get('[data-testid=nav-reports]').classes()).toContain('on')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '4', altKey: true }))
    await flushPromises()
    expect(w.get('[data-testid=nav-reports]').classes()).toContain('on')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '6', altKey: true }))
    await flushPromises()
    expect(w.findComponent({ name: 'Admin' }).exists()).toBe(true)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '1', altKey: true }))
    await flushPromises()
    expect(w.findComponent({ name: 'Intake' }).exists()).toBe(true)
  })
})
