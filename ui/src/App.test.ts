// Component tests of the shell with the IPC mocked: the desks each role sees, where each role
// lands after signing in, and the Alt+1…Alt+6 shortcuts.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import App from './App.vue'
import type { Actor, FieldProblem } from './ipc'
import type { Role } from './bindings'
import { caseView, sampleCase, sampleChecklist, sampleLabels } from './fixtures'
import { mockBackend, refusal } from './testing/backend'
import { toast, toasts } from './composables/toast'
import { helpStep } from './help'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const stubs = { Intake: true, Cases: true, Review: true, KeyDesk: true, Reports: true, Admin: true }

async function signIn(roles: Role[]) {
  let who: Actor | null = null
  mockBackend({
    app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: who, people: {} }),
    login: ({ name }) => ({ ...(who = { name, roles }), must_change: false, key: false }),
    logout: () => (who = null),
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
  it('locks the window on 锁屏 and on Ctrl+L, the desk kept under the lock (#79)', async () => {
    let locks = 0
    let who: Actor | null = null
    mockBackend({
      app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: who, people: {} }),
      login: ({ name }) => ({ ...(who = { name, roles: ['clerk'] }), must_change: false, key: false }),
      lock_session: () => { locks += 1; return null },
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=login-name]').setValue('zhang')
    await w.get('[data-testid=login-password]').setValue('pw')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=lock]').attributes('aria-keyshortcuts')).toBe('Control+L')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', code: 'KeyL', ctrlKey: true }))
    await flushPromises()
    expect(locks).toBe(1)
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(true)
    // the desk is still there, under the lock
    expect(w.findComponent({ name: 'Intake' }).exists()).toBe(true)
    // a second Ctrl+L under the lock does nothing more
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', code: 'KeyL', ctrlKey: true }))
    await flushPromises()
    expect(locks).toBe(1)
  })

  it('changes the own password of one\'s own accord (改密码), or cancels with Esc, the desk back', async () => {
    const changed: unknown[] = []
    let who: Actor | null = null
    mockBackend({
      app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: who, people: {} }),
      login: ({ name }) => ({ ...(who = { name, roles: ['clerk'] }), must_change: false, key: false }),
      change_own_password: (a) => { changed.push(a); return null },
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=login-name]').setValue('zhang')
    await w.get('[data-testid=login-password]').setValue('pw')
    await w.get('form').trigger('submit')
    await flushPromises()
    await w.get('[data-testid=change-own-password]').trigger('click')
    expect(w.get('[data-testid=change-password] h2').text()).toBe('改密码')
    expect(w.get('[data-testid=change-password]').text(), 'no "must change" warning').not.toContain('须先修改密码')
    expect(w.findComponent({ name: 'Intake' }).exists()).toBe(false)
    await w.get('[data-testid=change-password]').trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(w.find('[data-testid=change-password]').exists()).toBe(false)
    expect(w.findComponent({ name: 'Intake' }).exists()).toBe(true)
    expect(changed).toEqual([])
    await w.get('[data-testid=change-own-password]').trigger('click')
    await w.get('[data-testid=change-current]').setValue('Old-pass-1')
    await w.get('[data-testid=change-password-new]').setValue('New-pass-2')
    await w.get('[data-testid=change-password-new2]').setValue('New-pass-2')
    await w.get('[data-testid=change-password]').trigger('submit')
    await flushPromises()
    expect(changed).toHaveLength(1)
    expect(w.find('[data-testid=change-password]').exists()).toBe(false)
    expect(toasts.map((x) => x.text)).toContain('密码已修改')
  })

  it('lands a key clerk on the key desk with the desks of the role', async () => {
    const w = await signIn(['key_clerk'])
    expect(navs(w)).toEqual(['nav-cases', 'nav-keys', 'nav-reports'])
    expect(w.get('[data-testid=nav-keys]').classes()).toContain('on')
    expect(w.findComponent({ name: 'KeyDesk' }).exists()).toBe(true)
  })

  it('forgets the outcomes of one person when they sign out', async () => {
    const w = await signIn(['clerk'])
    toast('已保存，案件编号 GZ01-20261120-0001')
    await flushPromises()
    expect(document.body.textContent).toContain('GZ01-20261120-0001')
    await w.get('[data-testid=logout]').trigger('click')
    await flushPromises()
    expect(toasts).toHaveLength(0)
    expect(document.body.textContent).not.toContain('GZ01-20261120-0001')
  })

  it('lands a supervisor on review and a clerk on intake', async () => {
    const s = await signIn(['supervisor'])
    expect(s.get('[data-testid=nav-review]').classes()).toContain('on')
    expect(navs(s)).toEqual(['nav-cases', 'nav-review', 'nav-reports'])
    // the small print beside a desk is its shortcut, a keycap, not a count of cases (#79)
    expect(s.get('[data-testid=shortcut-review]').element.tagName).toBe('KBD')
    expect(s.get('[data-testid=shortcut-review]').text()).toBe('Alt+3')
    s.unmount()
    const c = await signIn(['clerk'])
    expect(c.get('[data-testid=nav-intake]').classes()).toContain('on')
    expect(c.findComponent({ name: 'Intake' }).exists()).toBe(true)
  })

  it('names the hall server a desk works on, and nothing on a store file', async () => {
    const calls = mockBackend({
      app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: 'certdesk@10.0.8.2:5432/hall', counter_code: 'GZ01', counter_name: '广州受理点', signed_in: null, people: {} }),
      hall_status: () => null,
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid=server]').text()).toBe('大厅服务器 certdesk@10.0.8.2:5432/hall')
    expect(calls.some((c) => c.cmd === 'hall_status'), 'the header asks the hall how it is').toBe(true)
    w.unmount()
    clearMocks()
    const file = await signIn(['clerk'])
    expect(file.find('[data-testid=server]').exists()).toBe(false)
    expect(file.find('[data-testid=hall-state]').exists()).toBe(false)
  })

  it('after a restore shows the sign-in screen with what was restored', async () => {
    let who: Actor | null = { name: 'admin', roles: ['admin'] }
    mockBackend({ app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: who, people: {} }) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(w.findComponent({ name: 'Admin' }).exists()).toBe(true)
    who = null // the backend signed everyone out
    w.findComponent({ name: 'Admin' }).vm.$emit('restored', '已恢复（12个案件）')
    await flushPromises()
    expect(w.find('[data-testid=login-name]').exists()).toBe(true)
    expect(w.get('[data-testid=app-notice]').text()).toContain('已恢复（12个案件）')
    expect(w.find('nav').exists()).toBe(false)
  })

  it('shows the signed-in account by its 姓名, and again after the admin renames it', async () => {
    let people: Record<string, string> = { admin: '陈管理' }
    mockBackend({ app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: { name: 'admin', roles: ['admin'] }, people }) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(w.get('[data-testid=who]').text()).toBe('陈管理（管理员）')
    people = { admin: '陈立' }
    w.findComponent({ name: 'Admin' }).vm.$emit('namesChanged')
    await flushPromises()
    expect(w.get('[data-testid=who]').text()).toBe('陈立（管理员）')
    people = {}
    w.findComponent({ name: 'Admin' }).vm.$emit('namesChanged')
    await flushPromises()
    expect(w.get('[data-testid=who]').text()).toBe('admin（管理员）')
  })

  it('opens the key desk with the case the case page sends it', async () => {
    mockBackend({ app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: { name: 'wang', roles: ['key_clerk'] }, people: {} }) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=nav-cases]').trigger('click')
    w.findComponent({ name: 'Cases' }).vm.$emit('keyDesk', sampleCase.number)
    await flushPromises()
    expect(w.get('[data-testid=nav-keys]').classes()).toContain('on')
    expect(w.findComponent({ name: 'KeyDesk' }).props('initialCase')).toBe(sampleCase.number)
    // chosen in the header, the key desk opens without a case
    await w.get('[data-testid=nav-cases]').trigger('click')
    await w.get('[data-testid=nav-keys]').trigger('click')
    expect(w.findComponent({ name: 'KeyDesk' }).props('initialCase')).toBe('')
  })

  it('shows the counter as the admin renamed it', async () => {
    let name = '广州受理点'
    mockBackend({ app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: name, signed_in: { name: 'admin', roles: ['admin'] }, people: {} }) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(w.get('.counter').text()).toContain('广州受理点')
    name = '广州天河受理点'
    w.findComponent({ name: 'Admin' }).vm.$emit('counterChanged')
    await flushPromises()
    expect(w.get('.counter').text()).toContain('广州天河受理点')
  })

  it('names no counter before the first start has set one up: no bare 受理点 (#79)', async () => {
    mockBackend({ app_status: () => ({ first_run: true, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: '', counter_name: '', signed_in: null, people: {} }) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(w.find('[data-testid=header-counter]').exists()).toBe(false)
    expect(w.get('header').text()).not.toContain('受理点')
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

  it('opens the manual at the page of the desk on screen with F1 or 帮助, signed in or not (#77)', async () => {
    let who: Actor | null = null
    const calls = mockBackend({
      app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: who, people: {} }),
      login: ({ name }) => ({ ...(who = { name, roles: ['supervisor'] }), must_change: false, key: false }),
      open_help: () => null,
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    const asked = () => calls.filter((c) => c.cmd === 'open_help').map((c) => c.args)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F1', code: 'F1' }))
    await flushPromises()
    expect(asked()).toEqual([{ topic: 'start' }])
    await w.get('[data-testid=login-name]').setValue('li')
    await w.get('[data-testid=login-password]').setValue('pw')
    await w.get('form').trigger('submit')
    await flushPromises()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F1', code: 'F1' }))
    await flushPromises()
    expect(asked().at(-1)).toEqual({ topic: 'review' })
    await w.get('[data-testid=nav-reports]').trigger('click')
    await w.get('[data-testid=help]').trigger('click')
    await flushPromises()
    expect(asked().at(-1)).toEqual({ topic: 'reports' })
    expect(w.get('[data-testid=help]').attributes('aria-keyshortcuts')).toBe('F1')
    // the step a desk says it is at goes first; another desk forgets it
    helpStep.value = 'intake_materials'
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F1', code: 'F1' }))
    await flushPromises()
    expect(asked().at(-1)).toEqual({ topic: 'intake_materials' })
    await w.get('[data-testid=nav-review]').trigger('click')
    await w.get('[data-testid=help]').trigger('click')
    await flushPromises()
    expect(asked().at(-1)).toEqual({ topic: 'review' })
  })

  it('opens the manual\'s USB key page from the sign-in that asks for the key and from a key session\'s lock (#77)', async () => {
    let who: Actor | null = null
    let locked = false
    const calls = mockBackend({
      app_status: () => ({ first_run: false, encrypted: false, locked: locked ? 'li' : null, idle_minutes: 10, key_watch: !!who, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: locked ? null : who, people: {} }),
      login: ({ name, pin }) => {
        if (!pin) throw refusal('key_required', 'li signs in with the USB key')
        return { ...(who = { name, roles: ['supervisor'] }), must_change: false, key: true }
      },
      staff_key_watch: () => ({ watched: true, present: true, locked: false }),
      lock_session: () => ((locked = true), null),
      open_help: () => null,
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    const f1 = async () => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F1', code: 'F1' }))
      await flushPromises()
      return calls.filter((c) => c.cmd === 'open_help').map((c) => c.args).at(-1)
    }
    expect(await f1()).toEqual({ topic: 'start' })
    await w.get('[data-testid=login-name]').setValue('li')
    await w.get('[data-testid=login-password]').setValue('pw')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(await f1()).toEqual({ topic: 'staff_key' })
    await w.get('[data-testid=login-password]').setValue('pw')
    await w.get('[data-testid=login-pin]').setValue('24681357')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(await f1()).toEqual({ topic: 'review' })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', ctrlKey: true }))
    await flushPromises()
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(true)
    expect(await f1()).toEqual({ topic: 'staff_key' })
  })

  it('opens the administrator\'s first-start page from the set-up screen (#77)', async () => {
    const calls = mockBackend({
      app_status: () => ({ first_run: true, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: '', counter_name: '', signed_in: null, people: {} }),
      open_help: () => { throw new Error('no window') },
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=help]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'open_help').map((c) => c.args)).toEqual([{ topic: 'setup' }])
    // a window that could not open is said, not swallowed
    expect(toasts.at(-1)?.kind).toBe('error')
  })

  it('signs out with Alt+Q, as every desk is reached by keyboard', async () => {
    const w = await signIn(['key_clerk'])
    expect(w.find('[data-testid=logout]').exists()).toBe(true)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'q', code: 'KeyQ', altKey: true }))
    await flushPromises()
    expect(w.find('[data-testid=logout]').exists()).toBe(false)
    expect(w.find('[data-testid=login-name]').exists()).toBe(true)
  })

  it('forwards the warnings of a new case to its page, and offers a clerk the correction there', async () => {
    const warning: FieldProblem = { path: 'handler.email', severity: 'warning', message: 'no email', message_zh: '建议填写经办人邮箱' }
    mockBackend({
      app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: { name: 'zhang', roles: ['clerk'] }, people: {} }),
      get_case: () => caseView({ ...sampleCase, status: 'draft' }, ['clerk']),
      catalog_checklist: () => sampleChecklist,
      scan_folder_files: () => [],
      list_cases: () => [],
      case_page: () => ({ total: 0, offset: 0, rows: [], capped: false }),
      catalog_projects: () => [],
    })
    const w = mount(App, { global: { stubs: { ...stubs, Cases: false } }, attachTo: document.body })
    await flushPromises()
    w.findComponent({ name: 'Intake' }).vm.$emit('created', sampleCase.number, [warning])
    await flushPromises()
    expect(w.get('[data-testid=nav-cases]').classes()).toContain('on')
    expect(w.get('[data-testid=case-view] h2').text()).toContain(sampleCase.number)
    expect(w.get('[data-testid=case-warnings]').text()).toContain('建议填写经办人邮箱')
    expect(w.find('[data-testid=case-edit]').exists()).toBe(true)
    // back to the list and into the case again: the notice was for the moment of creation
    await w.get('[data-testid=case-back]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=nav-intake]').trigger('click')
    w.findComponent({ name: 'Intake' }).vm.$emit('created', 'GZ01-20261120-0002', [])
    await flushPromises()
    expect(w.find('[data-testid=case-warnings]').exists()).toBe(false)
  })

  it('opens the case of a receipt scanned on any desk, taking the scanner text out of the field', async () => {
    mockBackend({ app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: { name: 'zhang', roles: ['clerk'] }, people: {} }) })
    const w = mount(App, { global: { stubs: { ...stubs, Intake: { template: '<input data-testid="some-field" />' } } }, attachTo: document.body })
    await flushPromises()
    const input = w.get('[data-testid=some-field]').element as HTMLInputElement
    input.focus()
    input.value = '张'
    const text = 'certdesk:GZ01-20261120-0001:00ff00ff00ff00ff'
    for (const c of text) {
      input.value += c
      input.dispatchEvent(new KeyboardEvent('keydown', { key: c, bubbles: true }))
    }
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await flushPromises()
    expect(input.value).toBe('张')
    const cases = w.findComponent({ name: 'Cases' })
    expect(cases.exists()).toBe(true)
    expect(cases.props('opened')).toBe('GZ01-20261120-0001')
    expect(cases.props('scan')).toEqual({ number: 'GZ01-20261120-0001', digest: '00ff00ff00ff00ff', text })
  })

  it('goes on to a fresh intake from the case just saved', async () => {
    mockBackend({ app_status: () => ({ first_run: false, encrypted: false, locked: null, idle_minutes: 10, key_watch: false, must_change: false, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: { name: 'zhang', roles: ['clerk'] }, people: {} }) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    w.findComponent({ name: 'Intake' }).vm.$emit('created', 'GZ01-20261120-0009', [])
    await flushPromises()
    const cases = w.findComponent({ name: 'Cases' })
    expect(cases.props('fresh')).toBe(true)
    cases.vm.$emit('nextIntake')
    await flushPromises()
    expect(w.findComponent({ name: 'Intake' }).exists()).toBe(true)
  })
})
