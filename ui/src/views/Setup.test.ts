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

  it('keeps the recovery key\'s groups whole, prints its sheet and saves it to a file the administrator chooses (#79)', async () => {
    const KEY = 'RK1-VA41S-DMEFQ-0A1B2-C3D4E-F5G6H-J7K8M-N9P0Q-R1S2T-V3W4X-Y5Z6A-7B8C9'
    let printedWhile: string | null = null
    const calls = mockBackend({
      setup_admin: () => ({ name: 'admin', roles: ['admin'], recovery_key: KEY }),
      set_display_name: () => null,
      recovery_sheet: ({ key }) => ({ counter: 'GZ01 广州受理点', date: '2026-11-30', groups: key.split('-'), keep: ['请把本页交给受理点负责人锁好保管'] }),
      print_recovery_sheet: () => {
        // the sheet is on the page (for the print stylesheet) while the dialog is open
        printedWhile = document.querySelector('[data-testid=recovery-sheet]')?.textContent ?? null
        return 'printed'
      },
      pick_path: () => '/media/admin/U盘/证书受理台恢复密钥-2026-11-30.txt',
      save_recovery_key: ({ path }) => path,
    })
    const w = mount(Setup, { attachTo: document.body })
    await w.get('[data-testid=setup-display-name]').setValue('王管理')
    await w.get('[data-testid=setup-password]').setValue('Admin-pass-1')
    await w.get('[data-testid=setup-password2]').setValue('Admin-pass-1')
    await w.get('form').trigger('submit')
    await flushPromises()
    // each group in a span that does not break; the text reads as the key
    const groups = w.findAll('[data-testid=recovery-key] .group').map((g) => g.text())
    expect(groups).toEqual(KEY.split('-'))
    expect(w.get('[data-testid=recovery-key]').text()).toBe(KEY)
    // the set-up form is gone while its key is on screen (and while its sheet is printed)
    expect(w.find('[data-testid=setup]').exists()).toBe(false)
    await w.get('[data-testid=recovery-print]').trigger('click')
    await flushPromises()
    expect(printedWhile).toContain('GZ01 广州受理点')
    expect(printedWhile).toContain('VA41S-DMEFQ')
    expect(document.querySelector('[data-testid=recovery-sheet]')).toBeNull()
    expect(w.get('[data-testid=recovery-printed]').text()).toContain('已打印')
    await w.get('[data-testid=recovery-save]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'pick_path')!.args).toEqual({ kind: 'recovery_file', start: null })
    expect(calls.find((c) => c.cmd === 'save_recovery_key')!.args).toEqual({ key: KEY, path: '/media/admin/U盘/证书受理台恢复密钥-2026-11-30.txt' })
    expect(w.get('[data-testid=recovery-saved]').text()).toContain('/media/admin/U盘/证书受理台恢复密钥-2026-11-30.txt')
    // both said; the key is still on screen until its last group is typed back
    expect(w.find('[data-testid=recovery-printed]').exists()).toBe(true)
    expect(w.find('[data-testid=recovery-error]').exists()).toBe(false)
    // a stick that is full: said beside the buttons, in Chinese, the key still on screen
    mockBackend({ pick_path: () => '/media/full/key.txt', save_recovery_key: () => { throw refusal('io', 'writing /media/full/key.txt: No space left on device') } })
    await w.get('[data-testid=recovery-save]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=recovery-error]').text()).toContain('读写文件失败')
    expect(w.get('[data-testid=recovery-key]').text()).toBe(KEY)
    expect(w.get('[data-testid=recovery-save]').attributes('disabled')).toBeUndefined()
  })
})
