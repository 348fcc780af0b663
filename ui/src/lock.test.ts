// Component tests of the accounts' rules in the shell (等保 2.0 level 3) with the IPC mocked: the
// idle lock over the desks that keeps what was typed, any `session_locked` answer showing it,
// the other person's way (a sign-out), and the password change a due password forces first.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import App from './App.vue'
import { api, type Actor } from './ipc'
import { sessionLocked } from './lock'
import { sampleLabels } from './fixtures'
import { mockBackend, refusal } from './testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => {
  clearMocks()
  vi.useRealTimers()
  sessionLocked.value = false
})

const stubs = { Intake: { template: '<div><input data-testid="some-field" /><input type="password" data-testid="pin-field" /></div>' }, Cases: true, Review: true, KeyDesk: true, Reports: true, Admin: true }
const zhang: Actor = { name: 'zhang', roles: ['clerk'] }
const status = (signedIn: Actor | null, locked: string | null = null, keyWatch = false, mustChange = false) => ({
  first_run: false, encrypted: false, locked, idle_minutes: 1, key_watch: keyWatch, must_change: mustChange, labels: sampleLabels, server: null, counter_code: 'GZ01', counter_name: '广州受理点', signed_in: signedIn, people: { zhang: '张晓燕' },
})

describe('the idle lock', () => {
  it('locks after the idle minutes over the desks, keeps what was typed and opens with the password', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let locked = false
    const calls = mockBackend({
      app_status: () => (locked ? status(null, 'zhang') : status(zhang)),
      lock_session: () => ((locked = true), null),
      unlock_session: ({ password }) => {
        if (password !== 'zhang-pass-1') throw refusal('wrong_password', 'wrong user name or password')
        locked = false
        return zhang
      },
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    const field = w.get('[data-testid=some-field]')
    await field.setValue('广州市示例科技')
    await w.get('[data-testid=pin-field]').setValue('12345678')
    // typing resets the timer: 50 s, a key, 50 s more and still open
    vi.advanceTimersByTime(50_000)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }))
    vi.advanceTimersByTime(50_000)
    await flushPromises()
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(false)
    vi.advanceTimersByTime(11_000)
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'lock_session')).toBe(true)
    expect(w.get('[data-testid=lock-screen]').text()).toContain('1分钟未操作')
    expect(w.get('[data-testid=lock-who]').text()).toContain('张晓燕')
    // a password-only session is asked no PIN
    expect(w.find('[data-testid=lock-pin]').exists()).toBe(false)
    expect(w.get('[data-testid=lock-hint]').text()).not.toContain('PIN')
    // the desk is still there under the lock screen, with what was typed, out of reach
    expect((w.get('[data-testid=some-field]').element as HTMLInputElement).value).toBe('广州市示例科技')
    expect(w.get('.desks').attributes('inert')).toBeDefined()
    // but a PIN typed before the lock is not kept
    expect((w.get('[data-testid=pin-field]').element as HTMLInputElement).value).toBe('')
    // a wrong password: said, still locked
    await w.get('[data-testid=lock-password]').setValue('li-pass-1')
    await w.get('[data-testid=lock-screen] form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=lock-error]').text()).toContain('账号或密码错误')
    expect((w.get('[data-testid=lock-password]').element as HTMLInputElement).value).toBe('')
    await w.get('[data-testid=lock-password]').setValue('zhang-pass-1')
    await w.get('[data-testid=lock-screen] form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(false)
    expect((w.get('[data-testid=some-field]').element as HTMLInputElement).value).toBe('广州市示例科技')
    expect(calls.filter((c) => c.cmd === 'unlock_session').map((c) => c.cmd === 'unlock_session' && c.args.password)).toEqual(['li-pass-1', 'zhang-pass-1'])
  })

  it('tells the backend of input that calls nothing, at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const calls = mockBackend({ app_status: () => status(zhang), lock_session: () => null })
    mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    const told = () => calls.filter((c) => c.cmd === 'app_status').length
    const before = told()
    const move = () => window.dispatchEvent(new MouseEvent('mousemove'))
    move()
    vi.advanceTimersByTime(30_000)
    move()
    expect(told()).toBe(before)
    vi.advanceTimersByTime(31_000)
    move()
    move()
    expect(told()).toBe(before + 1)
    expect(calls.some((c) => c.cmd === 'lock_session')).toBe(false)
  })

  it('shows the lock screen at any session_locked answer; switching account signs out', async () => {
    const calls = mockBackend({
      app_status: () => status(zhang),
      get_case: () => { throw refusal('session_locked', 'the session is locked') },
      logout: () => null,
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    await api.getCase('GZ01-20261120-0001').catch(() => {})
    await flushPromises()
    expect(w.get('[data-testid=lock-screen]').text()).toContain('未保存的内容会丢失')
    await w.get('[data-testid=lock-switch]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'logout')).toBe(true)
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(false)
    expect(w.find('[data-testid=login-name]').exists()).toBe(true)
  })
})

describe('a password due for a change', () => {
  it('shows only the change form until the password is changed, with the rule in Chinese', async () => {
    let who: Actor | null = null
    // the backend holds the session until the change (app_status says so to a reopened window too)
    let due = true
    const calls = mockBackend({
      app_status: () => status(who, null, false, !!who && due),
      login: () => ({ ...(who = zhang), must_change: due, key: false }),
      change_own_password: ({ password }) => {
        if (password === 'abcdefgh') throw refusal('password_policy', '密码需包含大写字母、小写字母、数字、其他字符中的至少 3 类，当前只有：小写字母')
        if (password === 'Zhang-temp-1') throw refusal('password_reused', 'the password is one of this account\'s last 5 passwords')
        due = false
        return null
      },
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    await w.get('[data-testid=login-name]').setValue('zhang')
    await w.get('[data-testid=login-password]').setValue('Zhang-temp-1')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid=change-password]').exists()).toBe(true)
    expect(w.find('nav').exists()).toBe(false)
    expect(w.find('[data-testid=some-field]').exists()).toBe(false)
    const change = async (next: string) => {
      await w.get('[data-testid=change-current]').setValue('Zhang-temp-1')
      await w.get('[data-testid=change-password-new]').setValue(next)
      await w.get('[data-testid=change-password-new2]').setValue(next)
      await w.get('[data-testid=change-password]').trigger('submit')
      await flushPromises()
    }
    await change('abcdefgh')
    expect(w.get('[data-testid=change-error]').text()).toContain('密码不符合要求')
    expect(w.get('[data-testid=change-detail]').text()).toContain('当前只有：小写字母')
    await change('Zhang-temp-1')
    expect(w.get('[data-testid=change-error]').text()).toContain('不能使用最近 5 次用过的密码')
    await change('zhang-pass-2')
    expect(w.find('[data-testid=change-password]').exists()).toBe(false)
    expect(w.find('[data-testid=some-field]').exists()).toBe(true)
    expect(calls.filter((c) => c.cmd === 'change_own_password')).toHaveLength(3)
  })
})

describe('a window reopened on a session held for its password change', () => {
  it('shows only the change form, as the backend says', async () => {
    mockBackend({ app_status: () => status(zhang, null, false, true) })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    expect(w.find('[data-testid=change-password]').exists()).toBe(true)
    expect(w.find('nav').exists()).toBe(false)
    expect(w.find('[data-testid=some-field]').exists()).toBe(false)
  })
})

describe('the USB key pulled out (#31)', () => {
  it('locks the window when the backend says the session key is gone, and asks the PIN at once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] })
    let present = true
    const li: Actor = { name: 'li', roles: ['supervisor'] }
    const calls = mockBackend({
      app_status: () => status(li, present ? null : 'li', true),
      staff_key_watch: () => ({ watched: true, present, locked: !present }),
      unlock_session: ({ password, pin }) => {
        if (password !== 'li-pass-1' || pin !== '24681357' || !present) throw refusal('key_required', 'li signs in with the USB key')
        return li
      },
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    // plugged in: asked every 1.5 s, nothing happens
    vi.advanceTimersByTime(3_100)
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'staff_key_watch').length).toBeGreaterThanOrEqual(2)
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(false)
    // pulled out: the next look locks the window and says why; the PIN field is there at once
    present = false
    vi.advanceTimersByTime(1_600)
    await flushPromises()
    expect(w.get('[data-testid=lock-key-out]').text()).toContain('USB Key已拔出')
    expect(w.find('[data-testid=lock-pin]').exists()).toBe(true)
    // while locked the window stops asking
    const asked = calls.filter((c) => c.cmd === 'staff_key_watch').length
    vi.advanceTimersByTime(6_000)
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'staff_key_watch').length).toBe(asked)
    // back in: password and PIN open it, and the watch goes on
    present = true
    await w.get('[data-testid=lock-password]').setValue('li-pass-1')
    await w.get('[data-testid=lock-pin]').setValue('24681357')
    await w.get('[data-testid=lock-unlock]').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid=lock-screen]').exists()).toBe(false)
    vi.advanceTimersByTime(1_600)
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'staff_key_watch').length).toBeGreaterThan(asked)
  })

  it('asks the PIN at once on the idle lock of a session signed in with its key, and says so', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] })
    let locked = false
    const li: Actor = { name: 'li', roles: ['supervisor'] }
    mockBackend({
      app_status: () => status(locked ? null : li, locked ? 'li' : null, true),
      staff_key_watch: () => ({ watched: true, present: true, locked: false }),
      lock_session: () => ((locked = true), null),
    })
    const w = mount(App, { global: { stubs }, attachTo: document.body })
    await flushPromises()
    vi.advanceTimersByTime(61_000)
    await flushPromises()
    expect(w.get('[data-testid=lock-hint]').text()).toBe('1分钟未操作，受理台已锁定。输入本账号密码和USB Key PIN码继续，已填写的内容都还在。')
    expect(w.find('[data-testid=lock-pin]').exists()).toBe(true)
    expect(w.find('[data-testid=lock-key-out]').exists()).toBe(false)
  })
})
