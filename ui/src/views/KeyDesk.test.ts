// Component tests of the key desk with the IPC mocked: live slots polled until unmounted, the
// stepper resuming at the first step not done, PIN inputs emptied after every call, unlock and
// wipe (with its confirmation), delivery.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import KeyDesk from './KeyDesk.vue'
import { sampleCase } from '../fixtures'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const NUMBER = 'GZ01-20261120-0001'

const token = (over: Record<string, unknown> = {}) => ({
  label: NUMBER, serial: 'A1B2C3', model: 'ePass3003', manufacturer: 'FEITIAN', initialized: true, user_pin_initialized: true,
  user_pin_count_low: false, user_pin_final_try: false, user_pin_locked: false, so_pin_locked: false, ...over,
})
const slotsOf = (...tokens: (ReturnType<typeof token> | null)[]) => ({
  module: '/usr/lib/softhsm/libsofthsm2.so', module_error: null, pcsc_error: null,
  slots: tokens.map((tk, i) => ({ slot_index: i, description: `slot ${i}`, token: tk })),
  readers: [{ reader: 'FT ePass3003 00 00', atr: '3B 9F 95 81', model: 'ePass3003' }],
})
const STEP_NAMES = ['token_initialized', 'key_generated', 'certificate_imported', 'certificate_written', 'seal_written'] as const
const keyStatus = (done: number, over: Record<string, unknown> = {}) => ({
  case: NUMBER, status: done >= 4 ? 'key_issued' : 'approved', token_serial: done > 0 ? 'A1B2C3' : null, next: STEP_NAMES[done] ?? null, default_pin_warning: false,
  steps: STEP_NAMES.map((step, i) => ({ step, done: i < done, at: i < done ? '2026-11-20T10:00:00+08:00' : null, detail: null })),
  ...over,
})

interface Opts { done?: number; seal?: boolean; warn?: boolean; slots?: unknown; handle?: (cmd: string, a: any) => unknown }
function backend(o: Opts = {}) {
  const calls: { cmd: string; args: any }[] = []
  let done = o.done ?? 0
  let caseStatus = 'approved'
  mockIPC((cmd, args) => {
    const a = args as any
    calls.push({ cmd, args: a })
    const r = o.handle?.(cmd, a)
    if (r !== undefined) return r
    switch (cmd) {
      case 'key_slots': return o.slots ?? slotsOf(token(), null)
      case 'list_cases': return a.status === 'approved' ? [{ ...sampleCase, number: NUMBER, status: 'approved', organization: '广州市示例科技有限公司', handler: '张伟', created_at: '' }] : []
      case 'key_status': return keyStatus(done, { ...(caseStatus === 'delivered' ? { status: 'delivered' } : {}), default_pin_warning: !!o.warn, has_seal: !!o.seal })
      case 'get_case': return {
        case: { ...sampleCase, number: NUMBER, status: caseStatus === 'delivered' ? 'delivered' : done >= 4 ? 'key_issued' : 'approved' }, history: [],
        attachments: o.seal ? [{ name: 'seal:official_seal', mime: 'image/png', size: 1, sha256: '', at: '', actor: 'zhang' }] : [],
      }
      case 'key_init': done = 1; return token({ label: a.label })
      case 'key_generate': done = 2; return { package_path: '/home/key/requests/GZ01-20261120-0001.zip', csr_pem: '', key_id: '01' }
      case 'key_import_cert': done = 3; return { subject: 'CN=广州市示例科技有限公司', issuer: 'CN=NETCA', serial_hex: '7F01', not_after: '2029-11-20T00:00:00Z', issuer_trusted: false, left_out: ['CN=Other Root'] }
      case 'key_write_cert': done = 4; return { serial_hex: '7F01', subject: 'CN=广州市示例科技有限公司', not_after: '2029-11-20T00:00:00Z' }
      case 'key_write_seal': done = 5; return { size: 5120, sha256: '' }
      case 'key_verify': return { token: token(), keys: [{ id: '01', algo: 'rsa2048', label: 'sign' }], certificates: [{ serial_hex: '7F01', subject: 'CN=广州市示例科技有限公司', issuer: 'CN=NETCA', not_after: '2029-11-20T00:00:00Z', has_key: true }], data: [{ application: 'seal', label: 'official_seal', size: 5120 }] }
      case 'case_action': caseStatus = 'delivered'; return 'delivered'
      case 'key_unlock': return token()
      case 'key_wipe': return token({ initialized: false, label: '' })
    }
    throw new Error('unexpected ' + cmd)
  })
  return calls
}
const inputValue = (w: ReturnType<typeof mount>, id: string) => (w.get(`[data-testid=${id}]`).element as HTMLInputElement).value
async function openCase(w: ReturnType<typeof mount>) {
  await w.get('[data-testid=key-case]').setValue(NUMBER)
  await flushPromises()
}

describe('KeyDesk', () => {
  it('shows the slots live with their PIN state and stops polling when closed', async () => {
    let n = 0
    const calls = backend({
      handle: (cmd) => {
        if (cmd !== 'key_slots') return undefined
        n++
        return n === 1 ? slotsOf(token(), null) : slotsOf(token({ user_pin_count_low: true }), token({ serial: 'Z9', label: '', user_pin_locked: true }))
      },
    })
    const w = mount(KeyDesk, { props: { pollMs: 40 } })
    await flushPromises()
    expect(w.get('[data-testid=key-slot-0]').text()).toContain('A1B2C3')
    expect(w.get('[data-testid=key-pin-state-0]').text()).toBe('已设置')
    expect(w.get('[data-testid=key-slot-1]').text()).toContain('未插入Key')
    expect(w.get('[data-testid=key-readers]').text()).toContain('3B 9F 95 81')
    await sleep(120)
    await flushPromises()
    expect(w.get('[data-testid=key-pin-state-0]').text()).toBe('次数偏少')
    expect(w.get('[data-testid=key-pin-state-1]').text()).toBe('已锁定')
    w.unmount()
    const polled = calls.filter((c) => c.cmd === 'key_slots').length
    await sleep(150)
    expect(calls.filter((c) => c.cmd === 'key_slots').length).toBe(polled)
  })

  it('resumes at the first step not done', async () => {
    backend({ done: 2, seal: true, warn: true })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    expect(w.find('[data-testid=key-default-pin]').exists()).toBe(false)
    await openCase(w)
    expect(w.get('[data-testid=key-default-pin]').text()).toContain('默认PIN')
    expect(w.get('[data-testid=key-step-token_initialized]').element.parentElement!.className).toContain('done')
    expect(w.get('[data-testid=key-step-key_generated]').element.parentElement!.className).toContain('done')
    expect(w.get('[data-testid=key-step-certificate_imported]').attributes('aria-current')).toBe('step')
    expect(w.find('[data-testid=key-cert-file]').exists()).toBe(true)
    expect(w.find('[data-testid=key-step-seal_written]').exists()).toBe(true)
    expect(w.get('[data-testid=case-status]').text()).toBe('复核通过')
  })

  it('leaves out the seal step when the case has no seal image', async () => {
    backend({ done: 4 })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.find('[data-testid=key-step-seal_written]').exists()).toBe(false)
    expect(w.get('[data-testid=key-step-verify]').attributes('aria-current')).toBe('step')
  })

  it('initialises with the case number as label, checks the PIN twice and empties the PIN inputs', async () => {
    const calls = backend()
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-step-token_initialized]').attributes('aria-current')).toBe('step')
    expect(inputValue(w, 'key-label')).toBe(NUMBER)
    await w.get('[data-testid=key-so-pin]').setValue('12345678')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-pin2]').setValue('111112')
    await w.get('[data-testid=key-init]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toBe('两次输入的PIN不一致')
    expect(calls.some((c) => c.cmd === 'key_init')).toBe(false)
    expect(inputValue(w, 'key-pin')).toBe('')
    await w.get('[data-testid=key-so-pin]').setValue('12345678')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-pin2]').setValue('111111')
    await w.get('[data-testid=key-init]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_init')!.args).toEqual({ number: NUMBER, slotIndex: 0, label: NUMBER, soPin: '12345678', userPin: '111111' })
    expect(w.get('[data-testid=key-result]').text()).toContain('A1B2C3')
    // on to the next step, with empty PIN fields
    expect(w.get('[data-testid=key-step-key_generated]').attributes('aria-current')).toBe('step')
    expect(inputValue(w, 'key-pin')).toBe('')
  })

  it('empties the PIN input after a failed call and shows the error in Chinese', async () => {
    let tries = 0
    const calls = backend({
      done: 1,
      handle: (cmd) => {
        if (cmd === 'key_generate' && tries++ === 0) throw { kind: 'pin_incorrect', detail: 'wrong PIN: few tries left before the key locks' }
        return undefined
      },
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    await w.get('[data-testid=key-pin]').setValue('000000')
    await w.get('[data-testid=key-generate]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=error]').text()).toContain('PIN错误')
    expect(inputValue(w, 'key-pin')).toBe('')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-algo]').setValue('ec-p256')
    await w.get('[data-testid=key-generate]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'key_generate').at(-1)!.args).toEqual({ number: NUMBER, serial: 'A1B2C3', pin: '111111', algo: 'ec-p256', employee: null })
    expect(w.get('[data-testid=key-result]').text()).toContain('/home/key/requests/GZ01-20261120-0001.zip')
    expect(w.get('[data-testid=key-step-certificate_imported]').attributes('aria-current')).toBe('step')
  })

  it('imports the certificate file, writes, verifies and delivers', async () => {
    let certBytes: unknown = null
    const calls = backend({ done: 2, handle: (cmd, a) => { if (cmd === 'key_import_cert') certBytes = a; return undefined } })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    const input = w.get('[data-testid=key-cert-file]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([0x30, 0x82])], 'cert.der')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    // the mock handler sees the raw body
    expect(certBytes).toBeInstanceOf(Uint8Array)
    expect(w.get('[data-testid=key-result]').text()).toContain('7F01')
    // what the backend says of the chain reaches the clerk
    expect(w.get('[data-testid=key-result]').text()).toContain('未配置签发CA证书')
    expect(w.get('[data-testid=key-result]').text()).toContain('CN=Other Root')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-write-cert]').trigger('click')
    await flushPromises()
    expect(inputValue(w, 'key-pin')).toBe('')
    expect(w.get('[data-testid=key-step-verify]').attributes('aria-current')).toBe('step')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-verify]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=key-result]').text()).toContain('CN=广州市示例科技有限公司')
    expect(w.get('[data-testid=key-result]').text()).toContain('official_seal')
    await w.get('[data-testid=key-deliver]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'case_action')!.args).toEqual({ number: NUMBER, action: 'deliver', reason: null })
    expect(w.get('[data-testid=case-status]').text()).toBe('已交付')
  })

  it('unlocks a key with the SO PIN and wipes one only after confirmation', async () => {
    const calls = backend({ slots: slotsOf(token({ user_pin_locked: true })) })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    expect(w.get('[data-testid=key-pin-state-0]').text()).toBe('已锁定')
    await w.get('[data-testid=key-unlock-0]').trigger('click')
    await w.get('[data-testid=key-unlock-so-pin]').setValue('12345678')
    await w.get('[data-testid=key-unlock-pin]').setValue('222222')
    await w.get('[data-testid=key-unlock-pin2]').setValue('222222')
    await w.get('[data-testid=key-unlock-do]').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_unlock')!.args).toEqual({ serial: 'A1B2C3', soPin: '12345678', newPin: '222222' })
    expect(w.get('[data-testid=key-result]').text()).toContain('已解锁')
    await w.get('[data-testid=key-wipe-0]').trigger('click')
    await w.get('[data-testid=key-wipe-so-pin]').setValue('12345678')
    await w.get('[data-testid=key-wipe-do]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'key_wipe')).toBe(false)
    await w.get('[data-testid=key-wipe-confirm]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_wipe')!.args).toEqual({ serial: 'A1B2C3', soPin: '12345678' })
    expect(w.get('[data-testid=key-result]').text()).toContain('已擦除')
    expect(w.find('[data-testid=key-wipe-so-pin]').exists()).toBe(false)
  })
})
