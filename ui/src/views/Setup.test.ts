// The first-run screen: the only administrator's password is typed twice.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Setup from './Setup.vue'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

describe('Setup', () => {
  it('refuses two different passwords before asking the backend, then creates the administrator', async () => {
    const calls = mockBackend({
      setup_admin: ({ counterCode }) => {
        if (counterCode === 'gz 01') throw refusal('invalid_counter_code', 'counter code "gz 01": 1-12 capital letters or digits')
        return { name: 'admin', roles: ['admin'], recovery_key: null }
      },
      set_display_name: () => null,
    })
    const w = mount(Setup, { attachTo: document.body })
    // the 姓名 is asked first: screens show people, not logins
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls).toHaveLength(0)
    expect(w.get('[data-testid=error]').text()).toContain('请填写管理员姓名')
    await w.get('[data-testid=setup-display-name]').setValue('王管理')
    await w.get('[data-testid=setup-password]').setValue('admin-password')
    await w.get('[data-testid=setup-password2]').setValue('admin-passwrod')
    await w.get('[data-testid=setup-code]').setValue('gz 01')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls).toHaveLength(0)
    expect(w.get('[data-testid=error]').text()).toContain('不一致')
    expect(document.activeElement).toBe(w.get('[data-testid=setup-password2]').element)
    await w.get('[data-testid=setup-password2]').setValue('admin-password')
    await w.get('form').trigger('submit')
    await flushPromises()
    // the refusal in Chinese, without the backend's English
    expect(w.get('[data-testid=error]').text()).toBe('受理点代码为1-12位大写字母或数字')
    await w.get('[data-testid=setup-code]').setValue('GZ01')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.at(-2)!.args).toEqual({ name: 'admin', password: 'admin-password', counterCode: 'GZ01', counterName: '' })
    expect(calls.at(-1)).toEqual({ cmd: 'set_display_name', args: { name: 'admin', displayName: '王管理' } })
    expect(w.emitted('done')).toHaveLength(1)
  })

  it('shows a new store\'s recovery key once and goes on only when its last group is typed back', async () => {
    const calls = mockBackend({
      setup_admin: () => ({ name: 'admin', roles: ['admin'], recovery_key: 'RK1-ABCD-EFGH-JKMN-PQRS' }),
      set_display_name: () => null,
    })
    const w = mount(Setup, { attachTo: document.body })
    await w.get('[data-testid=setup-display-name]').setValue('王管理')
    await w.get('[data-testid=setup-password]').setValue('Admin-pass-1')
    await w.get('[data-testid=setup-password2]').setValue('Admin-pass-1')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.map((c) => c.cmd)).toEqual(['setup_admin', 'set_display_name'])
    expect(w.get('[data-testid=recovery-key]').text()).toBe('RK1-ABCD-EFGH-JKMN-PQRS')
    expect(w.text()).toContain('只显示这一次')
    expect(w.emitted('done')).toBeUndefined()
    expect(w.get('[data-testid=recovery-continue]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid=recovery-copied]').setValue(true)
    await w.get('[data-testid=recovery-last]').setValue('PQRX')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('不符')
    expect(w.emitted('done')).toBeUndefined()
    await w.get('[data-testid=recovery-last]').setValue(' pqrs ')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.emitted('done')).toEqual([[{ name: 'admin', roles: ['admin'] }]])
    expect(w.find('[data-testid=recovery-key]').exists()).toBe(false)
  })
})
