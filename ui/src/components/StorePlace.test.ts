// Component tests of admin → 案件库位置 with the IPC mocked: what runs now, a hall checked and
// saved (the restart note, an empty hall's next step), the password never kept in the form,
// a refused server explained, and back to the store file.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import StorePlace from './StorePlace.vue'
import type { StorePlaceView } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())

const HALL = 'postgres://desk@10.0.0.5:5432/certdesk?sslmode=verify-full&sslrootcert=C:\\certdesk\\hall-ca.pem'

function onFile(over: Partial<StorePlaceView> = {}): StorePlaceView {
  return { kind: 'file', current: 'C:\\Users\\a\\AppData\\Local\\certdesk\\certdesk.db', chosen_by: 'default', saved_kind: null, saved_hall: null, restart_needed: false, checked: null, ...over }
}

describe('StorePlace', () => {
  it('checks a hall with its password, saves it, and says it applies at the next start', async () => {
    const calls = mockBackend({
      store_place: () => onFile(),
      set_store_place: ({ kind, url }) => onFile({ saved_kind: kind, saved_hall: url, restart_needed: true, checked: { server: 'desk@10.0.0.5:5432/certdesk', cases: 0, accounts: 0, schema_version: 0, schema_known: 6, migration_pending: true } }),
    })
    const w = mount(StorePlace)
    await flushPromises()
    expect(w.get('[data-testid=store-place-current]').text()).toContain('本机案件库')
    expect((w.get('[data-testid=store-kind-file]').element as HTMLInputElement).checked).toBe(true)
    await w.get('[data-testid=store-kind-hall]').setValue(true)
    // nothing to send without an address and a password
    expect(w.get('[data-testid=store-place-save]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid=store-hall-url]').setValue(`  ${HALL} `)
    await w.get('[data-testid=store-hall-password]').setValue('hall-pass')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'set_store_place')!.args).toEqual({ kind: 'hall', url: HALL, password: 'hall-pass' })
    expect((w.get('[data-testid=store-hall-password]').element as HTMLInputElement).value).toBe('')
    expect(w.get('[data-testid=store-place-checked]').text()).toBe('已连接 desk@10.0.0.5:5432/certdesk：0个案件，0个账号')
    expect(w.get('[data-testid=store-place-empty]').text()).toContain('certdesk store migrate')
    // the check changed nothing on the hall: its schema is brought up to date at the next start
    expect(w.get('[data-testid=store-place-pending]').text()).toContain('下次启动时升级')
    expect(w.get('[data-testid=store-place-restart]').text()).toBe('已保存：重新启动证书受理台后生效')
  })

  it('says it is connecting while the server is checked', async () => {
    let answer: (v: StorePlaceView) => void = () => {}
    mockBackend({
      store_place: () => onFile(),
      set_store_place: () => new Promise<StorePlaceView>((resolve) => { answer = resolve }),
    })
    const w = mount(StorePlace)
    await flushPromises()
    await w.get('[data-testid=store-kind-hall]').setValue(true)
    await w.get('[data-testid=store-hall-url]').setValue(HALL)
    await w.get('[data-testid=store-hall-password]').setValue('hall-pass')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=store-place-busy]').text()).toContain('正在连接服务器')
    expect(w.get('[data-testid=store-place-save]').attributes('disabled')).toBeDefined()
    answer(onFile({ saved_kind: 'hall', saved_hall: HALL, restart_needed: true }))
    await flushPromises()
    expect(w.find('[data-testid=store-place-busy]').exists()).toBe(false)
    expect(w.find('[data-testid=store-place-restart]').exists()).toBe(true)
  })

  it('explains a refused server, clears the password and keeps the address typed', async () => {
    mockBackend({
      store_place: () => onFile(),
      set_store_place: () => { throw refusal('server', 'cannot connect to desk@10.0.0.5:5432/certdesk: password authentication failed') },
    })
    const w = mount(StorePlace)
    await flushPromises()
    await w.get('[data-testid=store-kind-hall]').setValue(true)
    await w.get('[data-testid=store-hall-url]').setValue(HALL)
    await w.get('[data-testid=store-hall-password]').setValue('wrong')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=store-place-error]').text()).toContain('案件库服务器出错')
    expect(w.get('[data-testid=store-place-server-hint]').text()).toContain('账号和密码')
    expect((w.get('[data-testid=store-hall-url]').element as HTMLInputElement).value).toBe(HALL)
    expect((w.get('[data-testid=store-hall-password]').element as HTMLInputElement).value).toBe('')
    expect(w.find('[data-testid=store-place-restart]').exists()).toBe(false)
  })

  it('shows the hall it works on, the environment override, and goes back to the store file', async () => {
    const calls = mockBackend({
      store_place: () => ({ kind: 'hall', current: 'desk@10.0.0.5:5432/certdesk', chosen_by: 'environment', saved_kind: 'hall', saved_hall: HALL, restart_needed: false, checked: null }),
      set_store_place: () => ({ kind: 'hall', current: 'desk@10.0.0.5:5432/certdesk', chosen_by: 'environment', saved_kind: 'file', saved_hall: null, restart_needed: true, checked: null }),
    })
    const w = mount(StorePlace)
    await flushPromises()
    expect(w.get('[data-testid=store-place-current]').text()).toBe('本机现在使用受理大厅服务器：desk@10.0.0.5:5432/certdesk')
    expect(w.get('[data-testid=store-place-env]').text()).toContain('CERTDESK_DB')
    expect((w.get('[data-testid=store-hall-url]').element as HTMLInputElement).value).toBe(HALL)
    await w.get('[data-testid=store-kind-file]').setValue(true)
    expect(w.find('[data-testid=store-hall-url]').exists()).toBe(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'set_store_place')!.args).toEqual({ kind: 'file', url: null, password: null })
    expect(w.find('[data-testid=store-place-restart]').exists()).toBe(true)
  })
})
