// Component tests of the admin desk with the IPC mocked: role checkboxes, account actions,
// settings saved per field, backup and restore with a confirmation, USB keys enrolled and
// revoked (#31).
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import Admin from './Admin.vue'
import type { Account } from '../ipc'
import type { Enrolment, LibraryCheck } from '../bindings'
import FilePick from '../components/FilePick.vue'
import { mockBackend, refusal, type Handlers } from '../testing/backend'
import { sampleProject } from '../fixtures'
import zh from '../locales/zh-CN'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

function backend(overrides: Handlers = {}) {
  const accounts: Account[] = [
    { name: 'admin', display_name: '', roles: ['admin'], locked: false, disabled: false, failed_logins: 0, created_at: '2026-11-01T09:00:00+08:00', must_change: false },
    { name: 'zhang', display_name: '', roles: ['clerk'], locked: true, disabled: false, failed_logins: 5, created_at: '2026-11-02T09:00:00+08:00', must_change: false },
  ]
  const account = (name: string) => accounts.find((x) => x.name === name)!
  return mockBackend({
    list_accounts: () => accounts.map((x) => ({ ...x })),
    set_account_roles: ({ name, roles }) => { account(name).roles = roles; return null },
    unlock_account: ({ name }) => { Object.assign(account(name), { locked: false, failed_logins: 0 }); return null },
    disable_account: ({ name }) => { account(name).disabled = true; return null },
    reset_password: () => null,
    set_display_name: ({ name, displayName }) => {
      if (displayName.length > 40) throw refusal('display_name_invalid', 'a display name (姓名) is at most 40 characters')
      account(name).display_name = displayName.trim()
      return null
    },
    add_account: ({ name, roles, password }) => {
      // the store's own rule and words, with its kind
      if (password.length < 8) throw refusal('password_policy', '密码至少需要 8 个字符，当前只有 5 个')
      accounts.push({ name, display_name: '', roles, locked: false, disabled: false, failed_logins: 0, created_at: '2026-11-20T10:00:00+08:00', must_change: false })
      return null
    },
    get_settings: () => ({ counter_code: 'GZ01', counter_name: '广州受理点', counter_address: '', pkcs11_module: '/usr/lib/softhsm/libsofthsm2.so', printer: '', export_dir: '', scan_folder: '', print_dir: '', backup_dir: '', idcard_port: '', idcard_library: '', idcard_usb_port: '', default_project: '', idle_minutes: '', password_max_age_days: '', retention_years: '', key_sign_in_roles: '', closures: '' }),
    key_enrolments: () => [],
    catalog_projects: () => [
      { ...sampleProject, service: '广东社保' },
      { ...sampleProject, id: 'nmgca-procurement', ca_name: '内蒙古数字证书认证中心', ca_short: '内蒙古CA', service: '政府采购' },
    ],
    set_setting: ({ key, value }) => {
      if (key === 'default_project' && value && !['netca-gd-pension', 'nmgca-procurement'].includes(value)) throw refusal('unknown_project', `unknown CA project ${JSON.stringify(value)}`)
      if (key === 'counter_code' && !/^[A-Z0-9]{1,12}$/.test(value)) throw refusal('invalid_counter_code', `counter code ${JSON.stringify(value)}: 1-12 capital letters or digits`)
      return null
    },
    backup_store: () => ({ path: '/var/backups/certdesk-20261120.db', bytes: 4096 }),
    restore_store: () => ({ cases: 12, kept: '/home/a/cases.db.before-restore' }),
    list_printers: () => ['Brother_HL-2260D', 'HP_LaserJet_M1136'],
    sign_ins: () => ({
      now: [{ account: 'admin', desk: 'GZ-DESK-01', started_at: '2026-11-20T01:05:00Z', seen_at: '2026-11-20T01:30:00Z', ended_at: null }],
      last: {
        admin: { account: 'admin', desk: 'GZ-DESK-01', started_at: '2026-11-20T01:05:00Z', seen_at: '2026-11-20T01:30:00Z', ended_at: null },
        zhang: { account: 'zhang', desk: 'GZ-DESK-02', started_at: '2026-11-19T00:40:00Z', seen_at: '2026-11-19T09:00:00Z', ended_at: '2026-11-19T09:00:00Z' },
      },
    }),
    check_key_library: ({ path }) => (path.includes('softhsm') ? { state: 'usable', backend: 'pkcs11', slots: 2, tokens: 1 } : { state: 'not_found' }),
    store_place: () => ({ kind: 'file', current: '/home/a/.local/share/certdesk/certdesk.db', chosen_by: 'default', saved_kind: null, saved_hall: null, restart_needed: false, checked: null }),
    ...overrides,
  })
}

/** shows one of 管理's sections (#79 item 8) */
async function section(w: ReturnType<typeof mount>, tab: 'accounts' | 'keys' | 'settings' | 'online' | 'data' | 'logs') {
  await w.get(`[data-testid=admin-tab-${tab}]`).trigger('click')
  await flushPromises()
}

describe('Admin', () => {
  it('enrols a USB key for an account from its certificate and the operator CA, lists it and revokes it with a reason', async () => {
    const enrolments: Enrolment[] = []
    const calls = backend({
      key_enrolments: () => enrolments,
      enrol_key: ({ name, cert, chain }) => {
        if (atob(chain) !== 'CA') throw refusal('staff_certificate', 'CN=李复核 does not chain to the operator CA given')
        const e: Enrolment = { account: name, fingerprint: 'ab'.repeat(32), algorithm: 'ec-p256', subject: `CN=${atob(cert)}`, issuer: 'CN=Operator CA', serial_hex: '01',
          not_before: '2026-11-01T00:00:00Z', not_after: '2027-11-01T00:00:00Z', enrolled_at: '2026-11-24T10:00:00Z', enrolled_by: 'admin', ended_at: null, ended_by: null, end_reason: null }
        enrolments.push(e)
        return e
      },
      revoke_key: ({ name, reason }) => {
        const e = enrolments.find((x) => x.account === name && !x.ended_at)!
        // the store keeps the end's kind on the enrolment; the reason goes on the chain
        expect(reason).toBe('Key遗失')
        Object.assign(e, { ended_at: '2026-11-24T11:00:00Z', ended_by: 'admin', end_reason: 'revoked' })
        return e
      },
    })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'keys')
    expect(w.get('[data-testid=enrolments]').text()).toContain('尚无登记的USB Key')
    const file = (name: string, text: string) => new File([text], name)
    await w.get('[data-testid=enrol-account]').setValue('zhang')
    const pick = w.findAllComponents(FilePick)
    pick[0].vm.$emit('pick', file('li.pem', '李复核'))
    pick[1].vm.$emit('pick', file('other-ca.pem', 'OTHER'))
    await flushPromises()
    await w.get('[data-testid=enrol-form]').trigger('submit')
    await flushPromises()
    // another CA's certificate: the backend's refusal, in Chinese, nothing listed
    expect(w.find('[data-testid=error]').exists()).toBe(true)
    expect(enrolments).toHaveLength(0)
    pick[1].vm.$emit('pick', file('ca.pem', 'CA'))
    await flushPromises()
    await w.get('[data-testid=enrol-form]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'enrol_key').at(-1)!.args).toEqual({ name: 'zhang', cert: btoa(String.fromCharCode(...new TextEncoder().encode('李复核'))), chain: btoa('CA') })
    expect(w.get('[data-testid=admin-result]').text()).toContain('已为 zhang 登记USB Key')
    expect(w.get('[data-testid=enrolment-state-zhang]').text()).toBe('在用')
    // revoked with a reason: asked, sent, shown as ended
    await w.get('[data-testid=revoke-zhang]').trigger('click')
    await w.get('[data-testid=revoke-reason-zhang]').setValue('Key遗失')
    await w.get('[data-testid=revoke-reason-zhang]').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'revoke_key')!.args).toEqual({ name: 'zhang', reason: 'Key遗失' })
    expect(w.get('[data-testid=enrolment-state-zhang]').text()).toBe('已吊销')
    expect(w.find('[data-testid=revoke-zhang]').exists()).toBe(false)
  })

  it('saves the roles ticked for an account', async () => {
    const calls = backend()
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'accounts')
    expect((w.get('[data-testid=role-zhang-clerk]').element as HTMLInputElement).checked).toBe(true)
    await w.get('[data-testid=role-zhang-supervisor]').setValue(true)
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'set_account_roles')!.args).toEqual({ name: 'zhang', roles: ['clerk', 'supervisor'] })
    // unticking a role asks first, naming the account; 取消 leaves it ticked and sends nothing
    await w.get('[data-testid=role-zhang-clerk]').setValue(false)
    await flushPromises()
    expect(w.get('[data-testid=confirm-dialog]').text()).toContain('zhang')
    expect(w.get('[data-testid=confirm-dialog]').text()).toContain('受理员')
    await w.get('[data-testid=confirm-cancel]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_account_roles')).toHaveLength(1)
    expect((w.get('[data-testid=role-zhang-clerk]').element as HTMLInputElement).checked).toBe(true)
    await w.get('[data-testid=role-zhang-clerk]').setValue(false)
    await flushPromises()
    await w.get('[data-testid=confirm-ok]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_account_roles').at(-1)!.args).toEqual({ name: 'zhang', roles: ['supervisor'] })
    expect((w.get('[data-testid=role-zhang-supervisor]').element as HTMLInputElement).checked).toBe(true)
  })

  it('sets the 姓名 of an account, and of a new one', async () => {
    const calls = backend()
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'accounts')
    const input = () => w.get('[data-testid=display-name-zhang]').element as HTMLInputElement
    expect(input().value).toBe('')
    await w.get('[data-testid=display-name-zhang]').setValue(' 张三 ')
    await w.get('[data-testid=display-name-zhang]').trigger('change')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_display_name').map((c) => c.args)).toEqual([{ name: 'zhang', displayName: '张三' }])
    expect(w.get('[data-testid=admin-result]').text()).toBe('姓名已保存：张三')
    // saved where the clerk looks: beside the field itself
    expect(w.get('[data-testid=display-name-saved-zhang]').text()).toContain('已保存')
    expect(w.emitted('namesChanged')).toHaveLength(1)
    // read back from the backend
    expect(input().value).toBe('张三')
    // unchanged: nothing sent
    await w.get('[data-testid=display-name-zhang]').trigger('change')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_display_name')).toHaveLength(1)
    // a new account with its 姓名
    await w.get('[data-testid=new-name]').setValue('wang')
    await w.get('[data-testid=new-display-name]').setValue('王五')
    await w.get('[data-testid=new-password]').setValue('wang-password')
    await w.get('[data-testid=new-password-again]').setValue('wang-password')
    await w.get('[data-testid=add-account]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'add_account' || c.cmd === 'set_display_name').map((c) => c.cmd)).toEqual(['set_display_name', 'add_account', 'set_display_name'])
    expect(calls.filter((c) => c.cmd === 'set_display_name').at(-1)!.args).toEqual({ name: 'wang', displayName: '王五' })
    expect((w.get('[data-testid=display-name-wang]').element as HTMLInputElement).value).toBe('王五')
  })

  it('unlocks, disables, resets a password and adds an account', async () => {
    const calls = backend()
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'accounts')
    expect(w.get('[data-testid=account-state-zhang]').text()).toBe('已锁定')
    await w.get('[data-testid=unlock-zhang]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=account-state-zhang]').text()).toBe('正常')
    await w.get('[data-testid=disable-zhang]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'disable_account')).toBe(false)
    expect(w.get('[data-testid=confirm-subject]').text()).toContain('zhang')
    await w.get('[data-testid=confirm-ok]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'disable_account')!.args).toEqual({ name: 'zhang' })
    expect(w.get('[data-testid=account-state-zhang]').text()).toBe('已停用')
    await w.get('[data-testid=reset-zhang]').trigger('click')
    await w.get('[data-testid=reset-password-zhang]').setValue('new-password-1')
    await w.get('[data-testid=reset-do-zhang]').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'reset_password')!.args).toEqual({ name: 'zhang', password: 'new-password-1' })
    expect(w.get('[data-testid=admin-result]').text()).toBe('密码已重置')
    await w.get('[data-testid=new-name]').setValue('wang')
    await w.get('[data-testid=new-password]').setValue('short')
    await w.get('[data-testid=new-password-again]').setValue('short')
    await w.get('[data-testid=new-role-key_clerk]').setValue(true)
    await w.get('[data-testid=add-account]').trigger('submit')
    await flushPromises()
    // what the clerk sees of the store's refusal: its kind in Chinese, the English detail not
    expect(w.get('[data-testid=error]').text()).toContain('密码不符合要求')
    expect(w.get('[data-testid=error]').text()).not.toContain('characters')
    expect((w.get('[data-testid=new-password]').element as HTMLInputElement).value).toBe('')
    await w.get('[data-testid=new-password]').setValue('wang-password')
    await w.get('[data-testid=new-password-again]').setValue('wang-password')
    await w.get('[data-testid=add-account]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'add_account').at(-1)!.args).toEqual({ name: 'wang', roles: ['clerk', 'key_clerk'], password: 'wang-password' })
    expect(w.find('[data-testid=account-wang]').exists()).toBe(true)
  })

  it('asks the initial password twice, says a difference beside the form, and is ready for the next 账号 after adding (#79)', async () => {
    const calls = backend()
    const w = mount(Admin, { attachTo: document.body })
    await flushPromises()
    await section(w, 'accounts')
    await w.get('[data-testid=new-name]').setValue('zhao')
    await w.get('[data-testid=new-password]').setValue('zhao-password-1')
    await w.get('[data-testid=new-password-again]').setValue('zhao-password-2')
    await w.get('[data-testid=add-account]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'add_account')).toBe(false)
    expect(w.get('[data-testid=add-account-error]').text()).toBe('两次输入的初始密码不一致，请重新输入')
    expect(document.activeElement).toBe(w.get('[data-testid=new-password-again]').element)
    await w.get('[data-testid=new-password-again]').setValue('zhao-password-1')
    await w.get('[data-testid=add-account]').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'add_account').map((c) => c.args.password)).toEqual(['zhao-password-1'])
    expect(w.find('[data-testid=add-account-error]').exists()).toBe(false)
    expect(document.activeElement).toBe(w.get('[data-testid=new-name]').element)
    for (const id of ['new-name', 'new-password', 'new-password-again']) expect((w.get(`[data-testid=${id}]`).element as HTMLInputElement).value).toBe('')
  })

  it('shows one section at a time, moved between with the arrow keys, and says the settings save as you go (#79)', async () => {
    backend()
    const w = mount(Admin, { attachTo: document.body })
    await flushPromises()
    await section(w, 'accounts')
    expect(w.find('[data-testid=accounts]').exists()).toBe(true)
    expect(w.find('[data-testid=backup]').exists()).toBe(false)
    expect(w.get('[data-testid=admin-tab-accounts]').attributes('aria-selected')).toBe('true')
    await w.get('[data-testid=admin-tab-accounts]').trigger('keydown', { key: 'ArrowRight' })
    expect(w.find('[data-testid=accounts]').exists()).toBe(false)
    expect(w.find('[data-testid=enrolments]').exists()).toBe(true)
    expect(document.activeElement?.getAttribute('data-testid')).toBe('admin-tab-keys')
    await w.get('[data-testid=admin-tab-keys]').trigger('keydown', { key: 'ArrowRight' })
    expect(w.get('[data-testid=settings-autosave]').text()).toContain('随填随存')
    expect(document.activeElement?.getAttribute('data-testid')).toBe('admin-tab-settings')
    await w.get('[data-testid=admin-tab-settings]').trigger('keydown', { key: 'ArrowLeft' })
    await w.get('[data-testid=admin-tab-keys]').trigger('keydown', { key: 'ArrowLeft' })
    await w.get('[data-testid=admin-tab-accounts]').trigger('keydown', { key: 'ArrowLeft' })
    expect(w.find('[data-testid=logs-show]').exists()).toBe(true)
    w.unmount()
    // back to 管理: the section shown last
    const again = mount(Admin)
    await flushPromises()
    expect(again.find('[data-testid=logs-show]').exists()).toBe(true)
  })

  it('checks the saved key driver in the background and says what it is or what failed, naming the file (#79)', async () => {
    let answer: (v: LibraryCheck) => void = () => {}
    const calls = backend({
      check_key_library: ({ path }) => (path.includes('softhsm')
        ? { state: 'usable', backend: 'pkcs11', slots: 2, tokens: 1 }
        : new Promise((resolve) => { answer = resolve })),
    })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'settings')
    // on opening: the driver in use, checked
    expect(w.get('[data-testid=library-check]').text()).toBe('驱动库可用：PKCS#11驱动，2个插槽，当前插着1把Key')
    await w.get('[data-testid=setting-pkcs11_module]').setValue('C:\\Windows\\SysWOW64\\gm3000_pkcs11.dll')
    await w.get('[data-testid=setting-pkcs11_module]').trigger('change')
    await flushPromises()
    // saved at once; loading it takes its time, said meanwhile, the other fields still editable
    expect(w.find('[data-testid=setting-saved-pkcs11_module]').exists()).toBe(true)
    expect(w.get('[data-testid=library-check]').text()).toContain('正在检查驱动库')
    expect(w.get('[data-testid=setting-printer]').attributes('disabled')).toBeUndefined()
    answer({ state: 'wrong_architecture', found: 'Windows x86 (32-bit)', expected: 'Windows x86_64 (64-bit)' })
    await flushPromises()
    expect(w.get('[data-testid=library-check]').text()).toBe('驱动库与本机不匹配：该文件是Windows x86 (32-bit)的，本机需要Windows x86_64 (64-bit)的版本，请向Key厂商索取对应版本')
    expect(w.get('[data-testid=library-check]').classes()).toContain('error')
    expect(calls.filter((c) => c.cmd === 'check_key_library').map((c) => c.args)).toEqual([{ path: '/usr/lib/softhsm/libsofthsm2.so' }, { path: 'C:\\Windows\\SysWOW64\\gm3000_pkcs11.dll' }])
  })

  it('says who is signed in now and where, and each account\'s last sign-in (#79)', async () => {
    backend()
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'accounts')
    expect(w.get('[data-testid=signed-in-now]').text()).toBe('当前登录：admin 在 GZ-DESK-01（2026-11-20 09:05 起）')
    expect(w.get('[data-testid=last-sign-in-zhang]').text()).toBe('2026-11-19 08:40 · GZ-DESK-02')
    expect(w.find('[data-testid=error]').exists()).toBe(false)
  })

  it('saves a changed setting on its own and shows a refusal next to it', async () => {
    const calls = backend()
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'settings')
    expect((w.get('[data-testid=setting-pkcs11_module]').element as HTMLInputElement).value).toBe('/usr/lib/softhsm/libsofthsm2.so')
    await w.get('[data-testid=setting-printer]').setValue('HP LaserJet')
    await w.get('[data-testid=setting-printer]').trigger('change')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_setting').map((c) => c.args)).toEqual([{ key: 'printer', value: 'HP LaserJet' }])
    expect(w.find('[data-testid=setting-saved-printer]').exists()).toBe(true)
    expect(w.emitted('counterChanged')).toBeUndefined()
    await w.get('[data-testid=setting-counter_name]').setValue('广州天河受理点')
    await w.get('[data-testid=setting-counter_name]').trigger('change')
    await flushPromises()
    expect(w.emitted('counterChanged')).toHaveLength(1)
    await w.get('[data-testid=setting-counter_code]').setValue('gz 01')
    await w.get('[data-testid=setting-counter_code]').trigger('change')
    await flushPromises()
    expect(w.get('[data-testid=setting-error-counter_code]').text()).toContain('受理点代码')
  })

  it("offers the intake's default project from the catalog by name and saves its id (#79)", async () => {
    const calls = backend({ get_settings: () => ({ counter_code: 'GZ01', counter_name: '', counter_address: '', pkcs11_module: '', printer: '', export_dir: '', scan_folder: '', print_dir: '', backup_dir: '', idcard_port: '', idcard_library: '', idcard_usb_port: '', default_project: '广东社保', idle_minutes: '', password_max_age_days: '', retention_years: '', key_sign_in_roles: '', closures: '' }) })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'settings')
    const select = w.get('[data-testid=setting-default_project]')
    expect(select.element.tagName).toBe('SELECT')
    const options = select.findAll('option').map((o) => [o.attributes('value'), o.text()])
    // none, the stored value the catalog does not know (shown as it is, never passed over), the projects by name
    expect(options).toEqual([['', '（不设：用本账号上次的项目）'], ['广东社保', '广东社保'], ['netca-gd-pension', '网证通 · 广东社保'], ['nmgca-procurement', '内蒙古CA · 政府采购']])
    await select.setValue('nmgca-procurement')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_setting').map((c) => c.args)).toEqual([{ key: 'default_project', value: 'nmgca-procurement' }])
    expect(w.find('[data-testid=setting-saved-default_project]').exists()).toBe(true)
  })

  it('chooses folders, the key driver and the backup to restore with the system picker', async () => {
    const answers: Record<string, string | null> = { folder: '/srv/certdesk/backups', module: '/opt/lm-gm3000/lib/libgm3000.1.0.so', store: '/srv/certdesk/backups/certdesk-20261120.db' }
    const calls = backend({ pick_path: ({ kind }) => answers[kind] })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'settings')
    await w.get('[data-testid=pick-backup_dir]').trigger('click')
    await flushPromises()
    // the dialog opens where the setting points now, and the choice is saved at once
    expect(calls.find((c) => c.cmd === 'pick_path')!.args).toEqual({ kind: 'folder', start: null })
    expect(calls.filter((c) => c.cmd === 'set_setting').map((c) => c.args)).toEqual([{ key: 'backup_dir', value: '/srv/certdesk/backups' }])
    await w.get('[data-testid=pick-pkcs11_module]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'pick_path').at(-1)!.args).toEqual({ kind: 'module', start: '/usr/lib/softhsm/libsofthsm2.so' })
    expect((w.get('[data-testid=setting-pkcs11_module]').element as HTMLInputElement).value).toBe('/opt/lm-gm3000/lib/libgm3000.1.0.so')
    // no picker for what is not a path; the printer offers the system's printers
    expect(w.find('[data-testid=pick-counter_name]').exists()).toBe(false)
    expect(w.get('[data-testid=setting-printer]').attributes('list')).toBe('system-printers')
    expect(w.findAll('[data-testid=system-printers] option').map((o) => o.attributes('value'))).toEqual(['Brother_HL-2260D', 'HP_LaserJet_M1136'])
    await section(w, 'data')
    await w.get('[data-testid=pick-restore]').trigger('click')
    await flushPromises()
    expect((w.get('[data-testid=restore-path]').element as HTMLInputElement).value).toBe('/srv/certdesk/backups/certdesk-20261120.db')
    // cancelled: nothing changes
    answers.folder = null
    await section(w, 'settings')
    await w.get('[data-testid=pick-print_dir]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'set_setting')).toHaveLength(2)
  })

  it('backs up, and restores only after a confirmation', async () => {
    const calls = backend()
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'data')
    await w.get('[data-testid=backup]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=admin-result]').text()).toContain('/var/backups/certdesk-20261120.db')
    await w.get('[data-testid=restore-path]').setValue('/var/backups/certdesk-20261120.db')
    await w.get('[data-testid=restore]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'restore_store')).toBe(false)
    expect(w.get('[data-testid=confirm-subject]').text()).toBe('/var/backups/certdesk-20261120.db')
    await w.get('[data-testid=restore-confirm]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'restore_store')!.args).toEqual({ path: '/var/backups/certdesk-20261120.db' })
    // everyone is signed out by the restore: the shell takes the word to the sign-in screen
    expect(w.emitted('restored')![0][0]).toContain('12')
    expect(w.emitted('restored')![0][0]).toContain('/home/a/cases.db.before-restore')
  })

  it('shows the step of a slow backup over the desk until it is done', async () => {
    let finish: (v: { path: string; bytes: number }) => void = () => {}
    backend({ backup_store: () => new Promise((r) => { finish = r }) })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'data')
    await w.get('[data-testid=backup]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=progress-step]').text()).toBe('正在备份案件库…')
    finish({ path: '/var/backups/b.db', bytes: 1 })
    await flushPromises()
    expect(w.find('[data-testid=progress]').exists()).toBe(false)
  })

  it('keeps the backup\'s file and size beside the button, in 案件库 words (#79)', async () => {
    backend({ backup_store: () => ({ path: '/var/backups/certdesk-20261129.db', cases: 3, bytes: 172032 }) })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'data')
    await w.get('[data-testid=backup]').trigger('click')
    await flushPromises()
    const last = w.get('[data-testid=backup-last]').text()
    expect(last).toContain('/var/backups/certdesk-20261129.db')
    expect(last).toContain('168.0 KB')
    expect(last).not.toContain('172032')
    // another call clears the result line, not the backup's
    await w.get('[data-testid=retention-check]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=backup-last]').text()).toBe(last)
    for (const said of [zh.confirm.restore, zh.confirm.restoreMsg, zh.progress.backup, zh.progress.restore, zh.admin.restored]) expect(said).toContain('案件库')
  })

  it('cancels a slow backup from its progress: the backend is asked to stop and says nothing was written', async () => {
    let fail: (e: unknown) => void = () => {}
    const calls = backend({
      backup_store: () => new Promise((_, reject) => { fail = reject }),
      cancel_backup: () => { fail(refusal('cancelled', 'the backup was cancelled; nothing was written')); return null },
    })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'data')
    await w.get('[data-testid=backup]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=progress-cancel]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'cancel_backup')).toBe(true)
    expect(w.find('[data-testid=progress]').exists()).toBe(false)
    expect(w.get('[data-testid=error]').text()).toContain('已取消，未写入任何文件')
  })

  it('lists the cases past retention and the held ones, and purges only after a confirmation', async () => {
    let purged = false
    const due = [{ number: 'GZ01-20201122-0001', basis: 'certificate_expiry' as const, from: '2020-03-01', end: '2025-03-01' }]
    const held = [{ number: 'GZ01-20201122-0002', reason: '诉讼保全', held_by: 'li' }]
    const report = () => ({ today: '2026-11-24', years: 5, due: purged ? [] : due, held, purged: [], attachments_emptied: 0, events_redacted: 0, refused: [], drafts_removed: 0 })
    const calls = backend({
      purge_preview: () => report(),
      purge_run: () => { purged = true; return { ...report(), due, purged: [due[0].number], attachments_emptied: 2, events_redacted: 3 } },
    })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'data')
    expect(calls.some((c) => c.cmd === 'purge_preview')).toBe(false)
    await w.get('[data-testid=retention-check]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=retention]').text()).toContain('保存 5 年：到期 1 件，冻结 1 件')
    expect(w.get('[data-testid=retention-due]').text()).toContain('GZ01-20201122-0001')
    expect(w.get('[data-testid=retention-due]').text()).toContain('证书到期')
    expect(w.get('[data-testid=retention-held]').text()).toContain('诉讼保全')
    // 取消 purges nothing
    await w.get('[data-testid=purge]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=confirm-dialog]').text()).toContain('不能恢复')
    await w.get('[data-testid=confirm-cancel]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'purge_run')).toBe(false)
    await w.get('[data-testid=purge]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=purge-confirm]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'purge_run')).toHaveLength(1)
    expect(w.get('[data-testid=admin-result]').text()).toContain('已清除 1 件案件的个人信息（2 个附件）')
    // the list is read again: nothing left due, the held case still there
    expect(w.get('[data-testid=retention]').text()).toContain('到期 0 件')
    expect(w.find('[data-testid=retention-due]').exists()).toBe(false)
    expect((w.get('[data-testid=purge]').element as HTMLButtonElement).disabled).toBe(true)
  })

  it('shows the recent log lines and exports them for support', async () => {
    const lines = ['2026-11-23 09:30:01.120 +08:00  INFO certdesk-app starts', '2026-11-23 09:30:05.004 +08:00  INFO ok command="login" ms=12']
    const calls = backend({
      recent_logs: () => lines,
      export_logs: () => ({ path: '/home/a/certdesk/reports/certdesk-log-20261123-093010.txt', rows: 2 }),
    })
    const w = mount(Admin)
    await flushPromises()
    await section(w, 'logs')
    expect(w.find('[data-testid=logs]').exists()).toBe(false)
    await w.get('[data-testid=logs-show]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=logs]').text()).toContain('command="login"')
    expect(calls.find((c) => c.cmd === 'recent_logs')!.args).toEqual({ lines: 300 })
    await w.get('[data-testid=logs-export]').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'export_logs')).toBe(true)
    expect(w.text()).toContain('certdesk-log-20261123-093010.txt')
  })
})
