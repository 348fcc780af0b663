// Component tests of the sign-in and intake screens with the IPC mocked (no backend).
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import Login from './Login.vue'
import Intake from './Intake.vue'

afterEach(() => clearMocks())

describe('Login', () => {
  it('shows the backend refusal in Chinese and signs in with the right password', async () => {
    mockIPC((cmd, args) => {
      if (cmd !== 'login') throw new Error(cmd)
      const { password } = args as { password: string }
      if (password !== 'right-password') throw { kind: 'wrong_password', detail: 'wrong user name or password' }
      return { name: 'zhang', roles: ['clerk'] }
    })
    const w = mount(Login)
    await w.get('[data-testid=login-name]').setValue('zhang')
    await w.get('[data-testid=login-password]').setValue('nope')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toBe('账号或密码错误')
    await w.get('[data-testid=login-password]').setValue('right-password')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.emitted('done')?.[0]).toEqual([{ name: 'zhang', roles: ['clerk'] }])
  })

  it('names a locked account', async () => {
    mockIPC(() => { throw { kind: 'account_locked', detail: 'locked' } })
    const w = mount(Login)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('锁定')
  })
})

describe('Intake', () => {
  const project = { id: 'netca-gd-pension', ca_short: '网证通', service: '养老', cert_kinds: ['organization'], business_types: ['new'], media: ['usb_key'], years: [1, 2, 3] }

  it('checks the USCC as it is typed and shows the fee', async () => {
    mockIPC((cmd, args) => {
      const a = args as Record<string, unknown>
      if (cmd === 'catalog_projects') return [project]
      if (cmd === 'fee_quote') return { total: (100 + 200 * Number(a.years)).toFixed(2), total_capital: '柒佰元整', items: [] }
      if (cmd === 'validate_ident') {
        const ok = a.value === '91440101MA59ABCD1D'
        return { value: a.value, valid: ok, normalized: ok ? a.value : null, error: null, error_zh: ok ? null : '统一社会信用代码有误：校验位应为“D”', warnings: [] }
      }
      throw new Error(cmd)
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
