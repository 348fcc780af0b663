// Component tests of the sign-in and intake screens with the IPC mocked (no backend).
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Login from './Login.vue'
import Intake from './Intake.vue'
import { mockBackend, refusal } from '../testing/backend'
import { feeQuote, identBad, identOk, sampleProject } from '../fixtures'

afterEach(() => clearMocks())

describe('Login', () => {
  it('shows the backend refusal in Chinese and signs in with the right password', async () => {
    mockBackend({
      login: ({ password }) => {
        if (password !== 'right-password') throw refusal('wrong_password', 'wrong user name or password')
        return { name: 'zhang', roles: ['clerk'], must_change: false, key: false }
      },
    })
    const w = mount(Login)
    await w.get('[data-testid=login-name]').setValue('zhang')
    await w.get('[data-testid=login-password]').setValue('nope')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toBe('账号或密码错误')
    // the wrong password does not stay in the field
    expect((w.get('[data-testid=login-password]').element as HTMLInputElement).value).toBe('')
    await w.get('[data-testid=login-password]').setValue('right-password')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.emitted('done')?.[0]).toEqual([{ name: 'zhang', roles: ['clerk'], must_change: false, key: false }])
  })

  it('asks the USB key PIN of an account that signs in with its key, and sends it with the password', async () => {
    const calls = mockBackend({
      login: ({ password, pin }) => {
        if (password !== 'li-password') throw refusal('wrong_password', 'wrong user name or password')
        if (!pin) throw refusal('key_required', 'account li signs in with its USB key')
        return { name: 'li', roles: ['supervisor'], must_change: false, key: true }
      },
    })
    const w = mount(Login)
    expect(w.find('[data-testid=login-pin]').exists()).toBe(false)
    await w.get('[data-testid=login-name]').setValue('li')
    await w.get('[data-testid=login-password]').setValue('li-password')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('USB Key')
    await w.get('[data-testid=login-password]').setValue('li-password')
    await w.get('[data-testid=login-pin]').setValue('24681357')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'login').map((c) => c.args.pin)).toEqual([null, '24681357'])
    expect(w.emitted('done')?.[0]).toEqual([{ name: 'li', roles: ['supervisor'], must_change: false, key: true }])
    // the PIN does not stay in its field either
    expect((w.get('[data-testid=login-pin]').element as HTMLInputElement).value).toBe('')
  })

  it('names a locked account', async () => {
    mockBackend({ login: () => { throw refusal('account_locked', 'account zhang is locked after 5 wrong passwords') } })
    const w = mount(Login)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('锁定')
  })
})

describe('Intake', () => {
  it('checks the USCC as it is typed and shows the fee', async () => {
    mockBackend({
      catalog_projects: () => [sampleProject],
      // the project's tariff: 200 a year and 100 for the key
      fee_quote: ({ years, quantity }) => feeQuote(years, quantity, (100 + 200 * Number(years)).toFixed(2), '柒佰元整', [
        { label: '证书年服务费', per: 'year', unit_price: '200.00', count: Number(years), amount: (200 * Number(years)).toFixed(2) },
        { label: '证书介质费', per: 'unit', unit_price: '100.00', count: 1, amount: '100.00' },
      ]),
      validate_ident: ({ value }) => value === '91440101MA59ABCD1D'
        ? identOk(value)
        : identBad(value, 'checksum', 'check character should be D', '统一社会信用代码有误：校验位应为“D”'),
    })
    const w = mount(Intake)
    await flushPromises()
    expect(w.get('[data-testid=fee]').text()).toContain('300.00')
    await w.get('[data-testid=intake-years]').setValue('3')
    await flushPromises()
    expect(w.get('[data-testid=fee]').text()).toContain('700.00')
    await w.get('[data-testid=intake-uscc]').setValue('91440101MA59ABCD1X')
    await w.get('[data-testid=intake-uscc]').trigger('blur')
    await flushPromises()
    expect(w.get('[data-testid=uscc-error]').text()).toContain('校验位')
    await w.get('[data-testid=intake-uscc]').setValue('91440101MA59ABCD1D')
    await w.get('[data-testid=intake-uscc]').trigger('blur')
    await flushPromises()
    expect(w.find('[data-testid=uscc-error]').exists()).toBe(false)
  })
})
