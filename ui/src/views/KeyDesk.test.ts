// Component tests of the key desk with the IPC mocked: live slots polled until unmounted, the
// stepper resuming at the first step not done, PIN inputs emptied after every call, unlock and
// wipe (with its confirmation), delivery.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import KeyDesk from './KeyDesk.vue'
import type { EventDetails, KeyStatus, SealWritten } from '../bindings'
import type { KeySlots, SlotToken } from '../ipc'
import { caseView, sampleCase, summaryOf } from '../fixtures'
import { mockBackend, refusal, type Handlers } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const NUMBER = 'GZ01-20261120-0001'
const KEY_ID = '3f9a0c5e7b21d4869a0b1c2d3e4f5061'
const sha = (c: string) => c.repeat(64)

const token = (over: Partial<SlotToken> = {}): SlotToken => ({
  slot_index: 0, slot_description: 'FT ePass3003 00 00', label: NUMBER, serial: 'A1B2C3', model: 'ePass3003', manufacturer: 'FEITIAN', free_public_memory: 32768,
  initialized: true, user_pin_initialized: true, user_pin_count_low: false, user_pin_final_try: false, user_pin_locked: false, user_pin_to_be_changed: false,
  so_pin_count_low: false, so_pin_final_try: false, so_pin_locked: false, ...over,
})
const slotsOf = (...tokens: (SlotToken | null)[]): KeySlots => ({
  module: '/usr/lib/softhsm/libsofthsm2.so', module_error: null, pcsc_problem: null, pcsc_error: null,
  // a token reports the slot it sits in
  slots: tokens.map((tk, i) => ({ slot_index: i, description: `slot ${i}`, token: tk && { ...tk, slot_index: i } })),
  readers: [{ reader: 'FT ePass3003 00 00', card_present: true, atr: '3B 9F 95 81', model: 'ePass3003' }],
})
// the steps of key_status and the hints the backend gives for the next one (issue::STEPS)
const STEPS = [
  ['token_initialized', 'initialise the key (key init --case)'],
  ['key_generated', 'generate the key pair and export the request (key gen --case)'],
  ['certificate_imported', 'import the certificate the CA issued (key write-cert imports it too)'],
  ['certificate_written', 'write the issued certificate (key write-cert)'],
  ['seal_written', 'write the seal image (key write-seal), if the case has one'],
] as const
// what the store recorded for each step done: the detail of its audit event
const CERT = { serial_hex: '7F01', subject: 'CN=广州市示例科技有限公司', issuer: 'CN=NETCA', not_after: '2029-11-20T00:00:00Z' }
const STEP_DETAILS: { [S in (typeof STEPS)[number][0]]: EventDetails[S] } = {
  token_initialized: { token_serial: 'A1B2C3', token_label: NUMBER, model: 'ePass3003' },
  key_generated: { token_serial: 'A1B2C3', token_label: NUMBER, key_id: KEY_ID, algo: 'rsa2048', public_key_sha256: sha('e'), csr: '/home/key/requests/GZ01-20261120-0001.csr', package: '/home/key/requests/GZ01-20261120-0001.zip' },
  certificate_imported: { certificate_serial: CERT.serial_hex, subject: CERT.subject, issuer: CERT.issuer, not_after: CERT.not_after, chain: 1, issuer_trusted: false, left_out: ['CN=Other Root'] },
  certificate_written: { token_serial: 'A1B2C3', key_id: KEY_ID, certificate_serial: CERT.serial_hex, subject: CERT.subject, not_after: CERT.not_after, verified: true },
  seal_written: { token_serial: 'A1B2C3', image: 'seal:official_seal', size: 5120, sha256: sha('d') },
}
/** The key desk's stepper as the backend sends it (issue::status): the steps the case has (the
 *  seal image only with one), then `verify` and `deliver`, done once the key is handed over. */
function withDesk(st: KeyStatus): KeyStatus {
  const over = ['delivered', 'closed'].includes(st.status)
  const desk_steps = [...st.steps.filter((s) => s.step !== 'seal_written' || st.has_seal).map((s) => ({ id: s.step, done: s.done })), { id: 'verify', done: over }, { id: 'deliver', done: over }]
  return { ...st, desk_steps, desk_next: desk_steps.find((s) => !s.done)?.id ?? 'deliver' }
}
const keyStatus = (done: number, over: Partial<KeyStatus> = {}): KeyStatus => withDesk({
  case: NUMBER, cert: 1, holder: '广州市示例科技有限公司', certs: [], status: done >= 4 ? 'key_issued' : 'approved', token_serial: done > 0 ? 'A1B2C3' : null, next: STEPS[done]?.[1] ?? null, default_pin_warning: false, pin_max_tries: null, has_seal: false,
  dual: false, algorithms: ['rsa2048', 'ec-p256', 'sm2'],
  steps: STEPS.map(([step], i) => ({ step, done: i < done, at: i < done ? '2026-11-20T10:00:00+08:00' : null, detail: i < done ? STEP_DETAILS[step] : null })),
  desk_steps: [], desk_next: '', label: NUMBER, batch_pins_held: false, online: false, so_pin_needed: done < 1,
  batch: { total: 1, done: done >= 5 ? 1 : 0, made: done >= 2 ? 1 : 0, written: done >= 4 ? 1 : 0, withdrawn: 0, phase: done < 2 ? 'keys' : done < 3 ? 'answers' : done < 5 ? 'write' : 'done', awaiting_answers: [], plug: null, plugged_cert: null, requests: [] },
  ...over,
})

/** The commands the key desk calls, answered as a backend would for the case NUMBER. */
type DeskHandlers = Required<Pick<Handlers, 'key_slots' | 'key_queue' | 'key_status' | 'get_case' | 'key_init' | 'key_generate' | 'key_import_cert' | 'key_write_cert' | 'key_import_enc' | 'key_write_seal' | 'key_verify' | 'case_action' | 'key_unlock' | 'key_wipe'>>
interface Opts { done?: number; seal?: boolean; warn?: boolean; slots?: KeySlots; override?: (defaults: DeskHandlers) => Handlers }
function backend(o: Opts = {}) {
  let done = o.done ?? 0
  let caseStatus = 'approved'
  const seals = o.seal ? [{ name: 'seal:official_seal', mime: 'image/png', size: 5120, sha256: sha('d'), at: '2026-11-20T09:50:00+08:00', actor: 'zhang' }] : []
  const defaults: DeskHandlers = {
    key_slots: () => o.slots ?? slotsOf(token(), null),
    key_queue: () => [summaryOf(NUMBER, 'approved')],
    key_status: () => keyStatus(done, { ...(caseStatus === 'delivered' ? { status: 'delivered' } : {}), default_pin_warning: !!o.warn, has_seal: !!o.seal }),
    get_case: () => {
      const status = caseStatus === 'delivered' ? 'delivered' : done >= 4 ? 'key_issued' : 'approved'
      return caseView({ ...sampleCase, number: NUMBER, status }, ['key_clerk'], { attachments: seals })
    },
    key_init: ({ label }) => { done = 1; return token({ label }) },
    key_generate: ({ algo }) => {
      done = 2
      return { cert: 1, holder: '广州市示例科技有限公司', key_id: KEY_ID, algo, public_key_sha256: sha('e'), csr_pem: '-----BEGIN CERTIFICATE REQUEST-----\nMIIBIjAN\n-----END CERTIFICATE REQUEST-----\n', package_path: '/home/key/requests/GZ01-20261120-0001.zip' }
    },
    key_import_cert: () => { done = 3; return { cert: 1, holder: '广州市示例科技有限公司', ...CERT, issuer_trusted: false, left_out: ['CN=Other Root'] } },
    key_write_cert: () => { done = 4; return { cert: 1, holder: '广州市示例科技有限公司', serial_hex: CERT.serial_hex, subject: CERT.subject, not_after: CERT.not_after, key_id: KEY_ID } },
    key_import_enc: () => ({ key_id: KEY_ID, format: 'gmt0092', serial_hex: '7F02', subject: CERT.subject, issuer: CERT.issuer, not_after: CERT.not_after, issuer_trusted: true }),
    key_write_seal: () => { done = 5; return { name: 'seal:official_seal', size: 5120, sha256: sha('d'), images: [{ name: 'seal:official_seal', label: 'certdesk-seal-image', size: 5120, sha256: sha('d') }], kept_apart: [], kept_apart_why: null } },
    key_verify: () => ({
      token: token(),
      // the key pair is labelled with the subject's common name
      keys: [{ id: KEY_ID, algo: 'rsa2048', label: '广州市示例科技有限公司', public_key_sha256: sha('e') }],
      certificates: [{ id: KEY_ID, label: '广州市示例科技有限公司', usage: 'sign', serial: CERT.serial_hex, ...CERT, has_key: true, sha256: sha('c') }],
      data: [{ application: 'seal', label: 'official_seal', size: 5120, sha256: sha('d') }],
    }),
    case_action: () => { caseStatus = 'delivered'; return 'delivered' },
    key_unlock: () => token(),
    key_wipe: () => token({ initialized: false, label: '' }),
  }
  return mockBackend({ ...defaults, ...o.override?.(defaults) })
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
      override: () => ({
        key_slots: () => {
          n++
          return n === 1 ? slotsOf(token(), null) : slotsOf(token({ user_pin_count_low: true }), token({ serial: 'Z9', label: '', user_pin_locked: true }))
        },
      }),
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

  it('says what is wrong with the smart-card service in Chinese, from the backend code', async () => {
    for (const [problem, words] of [['no_service', '智能卡服务未运行'], ['removed', '被拔出'], ['no_reader', '找不到读卡器']] as const) {
      backend({ slots: { ...slotsOf(token()), readers: [], pcsc_problem: problem, pcsc_error: 'the smart-card service is not running (start pcscd)' } })
      const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
      await flushPromises()
      expect(w.get('[data-testid=key-pcsc-error]').text()).toContain(words)
      // the English detail is for the log, not the screen
      expect(w.html()).not.toContain('not running')
      w.unmount()
      clearMocks()
    }
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

  it('opens at once with the case the case page sent', async () => {
    const calls = backend({ done: 1 })
    const w = mount(KeyDesk, { props: { pollMs: 10_000, initialCase: NUMBER } })
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'key_status').map((c) => c.cmd === 'key_status' && [c.args.number, c.args.cert])).toEqual([[NUMBER, null]])
    expect(inputValue(w, 'key-case')).toBe(NUMBER)
    expect(w.get('[data-testid=key-step-key_generated]').attributes('aria-current')).toBe('step')
  })

  it('leaves out the seal step when the case has no seal image', async () => {
    backend({ done: 4 })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.find('[data-testid=key-step-seal_written]').exists()).toBe(false)
    expect(w.get('[data-testid=key-step-verify]').attributes('aria-current')).toBe('step')
  })

  it('tells the key clerk the CA\'s PIN try limit where the PINs are set', async () => {
    backend({ override: (d) => ({ ...d, key_status: (a) => ({ ...(d.key_status(a) as KeyStatus), pin_max_tries: 10 }) }) })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-pin-tries]').text()).toContain('PIN输入错误10次Key将锁定')
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
    // the key already holds a token: initialising wipes it, so it is asked first
    expect(calls.some((c) => c.cmd === 'key_init')).toBe(false)
    expect(w.get('[data-testid=confirm-subject]').text()).toContain('A1B2C3')
    await w.get('[data-testid=confirm-ok]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_init')!.args).toEqual({ number: NUMBER, slotIndex: 0, label: NUMBER, soPin: '12345678', userPin: '111111', cert: 1 })
    expect(w.get('[data-testid=key-result]').text()).toContain('A1B2C3')
    // the list of keys is read again at once (the poll is 10 s away): the new label shows
    const init = calls.findIndex((c) => c.cmd === 'key_init')
    expect(calls.slice(init).some((c) => c.cmd === 'key_slots')).toBe(true)
    // on to the next step, with empty PIN fields
    expect(w.get('[data-testid=key-step-key_generated]').attributes('aria-current')).toBe('step')
    expect(inputValue(w, 'key-pin')).toBe('')
  })

  it('empties the PIN input after a failed call and shows the error in Chinese', async () => {
    let tries = 0
    const calls = backend({
      done: 1,
      override: (d) => ({
        key_generate: (args) => {
          if (tries++ === 0) throw refusal('pin_incorrect', 'wrong PIN: few tries left before the key locks')
          return d.key_generate(args)
        },
      }),
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
    expect(calls.filter((c) => c.cmd === 'key_generate').at(-1)!.args).toEqual({ number: NUMBER, serial: 'A1B2C3', pin: '111111', algo: 'ec-p256', employee: null, cert: null })
    expect(w.get('[data-testid=key-result]').text()).toContain('/home/key/requests/GZ01-20261120-0001.zip')
    expect(w.get('[data-testid=key-step-certificate_imported]').attributes('aria-current')).toBe('step')
  })

  it('asks the user PIN alone for a batch with no key left to initialise, the focus on it (#72)', async () => {
    const calls = backend({
      done: 3,
      override: () => ({
        key_status: () => keyStatus(3, { so_pin_needed: false, certs: [1, 2].map((index) => ({ index, holder: `员工${index}`, key_serial: `K${index}`, done: false, withdrawn: false, next: 'cert_write', holder_id: null, key_label: null, certificate_serial: null, not_after: null, withdrawn_reason: null, steps: [] })) }),
        key_batch_pins: () => ({ case: NUMBER }),
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 }, attachTo: document.body })
    await flushPromises()
    await openCase(w)
    expect(w.find('[data-testid=key-batch-so-pin]').exists()).toBe(false)
    expect(document.activeElement?.getAttribute('data-testid')).toBe('key-batch-pin')
    await w.get('[data-testid=key-batch-pin]').setValue('24681357')
    await w.get('[data-testid=key-batch-pin2]').setValue('24681357')
    await w.get('[data-testid=key-batch-pin2]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_batch_pins')!.args).toEqual({ number: NUMBER, soPin: '', userPin: '24681357' })
  })

  it('issues online in the generate step where the project has an RA, without SM2, and goes on to writing on the same plug (#72)', async () => {
    let done = 1
    const calls = backend({
      done: 1,
      override: () => ({
        key_status: () => keyStatus(done, { online: true }),
        print_forms: () => ({ path: '/p/slips.pdf', pages: 2, bytes: 100, forms: [], sheets: [] }),
        key_enrol: ({ algo }) => {
          done = 3
          return {
            generated: { cert: 1, holder: '广州市示例科技有限公司', key_id: KEY_ID, algo, public_key_sha256: sha('e'), csr_pem: '', package_path: '/r/x.request.json' },
            imported: { cert: 1, holder: '广州市示例科技有限公司', ...CERT, issuer_trusted: true, left_out: [] },
          }
        },
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-step-key_generated]').attributes('aria-current')).toBe('step')
    const offered = w.get('[data-testid=key-algo]').findAll('option').map((o) => o.attributes('value'))
    expect(offered).toEqual(['rsa2048', 'ec-p256'])
    await w.get('[data-testid=key-pin]').setValue('24681357')
    await w.get('[data-testid=key-pin]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'key_enrol').map((c) => c.args)).toEqual([{ number: NUMBER, serial: 'A1B2C3', pin: '24681357', algo: 'rsa2048', cert: null }])
    expect(calls.some((c) => c.cmd === 'key_generate')).toBe(false)
    expect(w.get('[data-testid=key-result]').text()).toContain('已在线签发')
    expect(w.get('[data-testid=key-step-certificate_written]').attributes('aria-current')).toBe('step')
    expect(inputValue(w, 'key-pin'), 'the PIN is not kept').toBe('')
    // a key made: the holders' slips and labels print from here
    await w.get('[data-testid=print-forms-holder-slips]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'print_forms')!.args).toEqual({ number: NUMBER, form: 'holder-slips' })
  })

  it('asks the batch\'s PINs once and then none per key; a key that refuses the batch\'s PIN asks for its own (#72)', async () => {
    let held = false
    let tries = 0
    const calls = backend({
      done: 0,
      override: (d) => ({
        key_status: (args) => ({ ...d.key_status(args), batch_pins_held: held }),
        key_batch_pins: () => { held = true; return { case: NUMBER } },
        key_write_cert: (args) => {
          // the applicant's old key keeps another PIN
          if (tries++ === 0) throw refusal('pin_incorrect', 'wrong PIN')
          return d.key_write_cert(args)
        },
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    await w.get('[data-testid=key-batch-so-pin]').setValue('87654321')
    await w.get('[data-testid=key-batch-pin]').setValue('24681357')
    await w.get('[data-testid=key-batch-pin2]').setValue('24681357')
    await w.get('[data-testid=key-batch-pin2]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'key_batch_pins').map((c) => c.args)).toEqual([{ number: NUMBER, soPin: '87654321', userPin: '24681357' }])
    expect(w.find('[data-testid=key-batch-pin]').exists(), 'the form gone once they are held').toBe(false)
    expect(w.get('[data-testid=key-batch-pins-held]').text()).toContain('本批PIN已设置')
    // no PIN field at 初始化 or 生成: the button is the focus, Enter does it
    expect(w.find('[data-testid=key-so-pin]').exists()).toBe(false)
    await w.get('[data-testid=key-init]').trigger('click')
    await flushPromises()
    await w.get('[data-testid=confirm-ok]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_init')!.args).toMatchObject({ soPin: '', userPin: '' })
    expect(w.find('[data-testid=key-pin]').exists()).toBe(false)
    await w.get('[data-testid=key-generate]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_generate')!.args).toMatchObject({ pin: '' })
    const input = w.get('[data-testid=key-cert-file]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([0x30, 0x82])], 'cert.der')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    await w.get('[data-testid=key-write-cert]').trigger('click')
    await flushPromises()
    // refused with the batch's PIN: this key's own PIN is asked
    expect(w.get('[data-testid=error]').text()).toContain('PIN错误')
    await w.get('[data-testid=key-pin]').setValue('11112222')
    await w.get('[data-testid=key-write-cert]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'key_write_cert').map((c) => c.args.pin)).toEqual(['', '11112222'])
  })

  it('says which of the unit\'s seals the backend kept off the unit\'s key, in the guide\'s words (#74)', async () => {
    const why = '一个数字证书对应一个电子签章。原则上单位的公章和法人的手写签名或印章要分开办理。'
    backend({
      done: 4,
      seal: true,
      override: (d) => ({ key_write_seal: (a) => ({ ...(d.key_write_seal(a) as SealWritten), kept_apart: ['seal:legal_rep_seal', 'seal:legal_rep_signature'], kept_apart_why: why }) }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-write-seal]').trigger('click')
    await flushPromises()
    const said = w.get('[data-testid=key-result]').text()
    expect(said).toContain('印章已写入（5120字节）')
    expect(said).toContain('法人章、法人签字未写入单位锁：' + why)
  })

  it('imports the certificate file, writes, verifies and delivers', async () => {
    let certBytes: unknown = null
    const calls = backend({ done: 2, override: (d) => ({ key_import_cert: (bytes) => { certBytes = bytes; return d.key_import_cert(bytes) } }) })
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
    expect(w.get('[data-testid=key-result]').text()).toContain('印章图片 · 公章')
    await w.get('[data-testid=key-deliver]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'case_action')!.args).toEqual({ number: NUMBER, action: 'deliver', reason: null, acceptToFollow: null, pin: null })
    expect(w.get('[data-testid=case-status]').text()).toBe('已交付')
  })

  it('a dual certificate: the encryption half follows the signing certificate, both shown on the key', async () => {
    let imported = false
    let body: unknown = null
    const dualStatus = (): KeyStatus => {
      const base = keyStatus(4, { dual: true, algorithms: ['sm2'] })
      const enc = { step: 'encryption_imported', done: imported, at: imported ? '2026-11-20T10:05:00+08:00' : null, detail: null }
      return withDesk({ ...base, steps: [...base.steps.slice(0, 4), enc, base.steps[4]], next: imported ? null : 'import the encryption key pair and certificate (key import-enc)' })
    }
    const calls = backend({
      done: 4,
      override: (d) => ({
        key_status: dualStatus,
        key_import_enc: (bytes) => { body = bytes; imported = true; return d.key_import_enc(bytes) },
        key_verify: (args) => {
          const shown = d.key_verify(args) as ReturnType<DeskHandlers['key_verify']> & { certificates: unknown[] }
          const enc = { id: KEY_ID, label: 'encrypt', usage: 'encrypt' as const, serial: '7F02', serial_hex: '7F02', subject: CERT.subject, issuer: CERT.issuer, not_after: CERT.not_after, has_key: true }
          return { ...shown, certificates: [...shown.certificates, enc] } as ReturnType<DeskHandlers['key_verify']>
        },
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-step-encryption_imported]').attributes('aria-current')).toBe('step')
    expect(w.get('[data-testid=key-step-encryption_imported]').text()).toContain('⑤ 导入加密证书')
    // the PIN alone is not enough: the envelope first, said in Chinese, nothing sent
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-import-enc]').trigger('click')
    await flushPromises()
    expect(w.text()).toContain('请先选择CA返回的加密密钥信封文件')
    expect(calls.some((c) => c.cmd === 'key_import_enc')).toBe(false)
    const input = w.get('[data-testid=key-envelope-file]')
    Object.defineProperty(input.element, 'files', { value: [new File([new Uint8Array([0x30, 0x82, 0x01])], 'answer.der')], configurable: true })
    await input.trigger('change')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-import-enc]').trigger('click')
    await flushPromises()
    expect(body).toEqual(new Uint8Array([0x30, 0x82, 0x01]))
    expect(inputValue(w, 'key-pin')).toBe('')
    expect(w.get('[data-testid=key-result]').text()).toContain('GM/T 0092响应')
    expect(w.get('[data-testid=key-result]').text()).toContain('7F02')
    expect(w.get('[data-testid=key-step-verify]').attributes('aria-current')).toBe('step')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-verify]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=key-cert-sign]').text()).toContain('签名证书')
    expect(w.get('[data-testid=key-cert-encrypt]').text()).toContain('加密证书')
    expect(w.get('[data-testid=key-cert-encrypt]').text()).toContain('7F02')
  })

  it('offers the algorithms of the case\'s project, its default first', async () => {
    backend({ done: 1, override: () => ({ key_status: () => keyStatus(1, { algorithms: ['sm2'] }) }) })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    const options = w.findAll('[data-testid=key-algo] option').map((o) => o.attributes('value'))
    expect(options).toEqual(['sm2'])
    expect((w.get('[data-testid=key-algo]').element as HTMLSelectElement).value).toBe('sm2')
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
    expect(calls.find((c) => c.cmd === 'key_unlock')!.args).toEqual({ serial: 'A1B2C3', soPin: '12345678', newPin: '222222', number: null })
    expect(w.get('[data-testid=key-result]').text()).toContain('已解锁')
    await w.get('[data-testid=key-wipe-0]').trigger('click')
    await w.get('[data-testid=key-wipe-so-pin]').setValue('12345678')
    await w.get('[data-testid=key-wipe-do]').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.cmd === 'key_wipe')).toBe(false)
    // the question names the key by its label and serial
    expect(w.get('[data-testid=confirm-subject]').text()).toContain('A1B2C3')
    await w.get('[data-testid=key-wipe-confirm]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_wipe')!.args).toEqual({ serial: 'A1B2C3', soPin: '12345678', number: null })
    expect(w.get('[data-testid=key-result]').text()).toContain('已擦除')
    expect(w.find('[data-testid=key-wipe-so-pin]').exists()).toBe(false)
  })

  it('offers no unlock where it cannot work: a key not initialised, or one whose SO PIN is locked', async () => {
    backend({ slots: slotsOf(token({ serial: 'N0', label: '', initialized: false }), token({ serial: 'S1', so_pin_locked: true, user_pin_locked: true })) })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    expect(w.find('[data-testid=key-unlock-0]').exists()).toBe(false)
    expect(w.find('[data-testid=key-unlock-1]').exists()).toBe(false)
    expect(w.get('[data-testid=key-pin-state-1]').text()).toContain('SO PIN')
    expect(w.find('[data-testid=key-wipe-1]').exists()).toBe(true)
  })

  it('shows the step over the desk while a slow key generation runs', async () => {
    let finish: () => void = () => {}
    backend({
      done: 1,
      override: (d) => ({
        key_generate: (args) => new Promise((r) => { finish = () => r(d.key_generate(args)) }),
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-generate]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=progress-step]').text()).toContain('生成密钥对')
    // the backend cannot stop a generation: no cancel is offered
    expect(w.find('[data-testid=progress-cancel]').exists()).toBe(false)
    finish()
    await flushPromises()
    expect(w.find('[data-testid=progress]').exists()).toBe(false)
    expect(w.get('[data-testid=key-result]').text()).toContain('GZ01-20261120-0001.zip')
  })
})

// A unit's order (#28): three employees, three keys, worked as a batch.
describe('KeyDesk, a batch of certificates', () => {
  const HOLDERS = ['王芳', '陈刚', '李娜']
  type Cert = KeyStatus['certs'][number]
  const cert = (index: number, next: string | null, over: Partial<Cert> = {}): Cert => ({
    index, holder: HOLDERS[index - 1], key_serial: null, done: next === null, withdrawn: false, next, holder_id: null, key_label: null,
    certificate_serial: null, not_after: null, withdrawn_reason: null, steps: [], ...over,
  })
  /** the batch as the backend would send it with certificate `shown` on the desk */
  function batchStatus(certs: Cert[], shown: number, phase: string, plug: KeyStatus['batch']['plug'] = null, pluggedCert: number | null = null): KeyStatus {
    const c = certs[shown - 1]
    const done = { key_init: 0, key_generate: 1, cert_import: 2, cert_write: 3 }[c.next ?? ''] ?? 5
    return keyStatus(done, {
      cert: shown, holder: c.holder, certs, label: `${NUMBER}-${shown}`, token_serial: c.key_serial,
      batch: { total: certs.filter((x) => !x.withdrawn).length, done: certs.filter((x) => x.done && !x.withdrawn).length, withdrawn: certs.filter((x) => x.withdrawn).length, made: certs.filter((x) => !x.withdrawn && !['key_init', 'key_generate'].includes(x.next ?? '')).length, written: certs.filter((x) => x.done && !x.withdrawn).length, phase, awaiting_answers: certs.filter((x) => x.next === 'cert_import').map((x) => x.index), plug, plugged_cert: pluggedCert,
        requests: certs.filter((x) => x.next === 'cert_import').map((x) => ({ cert: x.index, holder: x.holder, csr: `/home/key/requests/${NUMBER}-${x.index}.csr.pem`, package: `/home/key/requests/${NUMBER}-${x.index}.request.json` })) },
    })
  }

  it('shows where the batch stands by name and asks for a blank key for the next holder', async () => {
    const certs = [cert(1, 'cert_import', { key_serial: 'K1', key_label: `${NUMBER}-1` }), cert(2, 'key_init'), cert(3, 'key_init', { withdrawn: true, withdrawn_reason: '已离职', next: null, done: false })]
    const calls = backend({ slots: slotsOf(token({ serial: 'K1', label: `${NUMBER}-1` }), token({ serial: 'B2', label: '', initialized: false })), override: () => ({ key_status: () => batchStatus(certs, 2, 'keys') }) })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-batch-progress]').text()).toBe('证书 0/2 已写入')
    expect(w.get('[data-testid=key-batch-made]').text(), 'the key-making round shows its own count').toBe('密钥 1/2 已生成')
    expect(w.get('[data-testid=key-batch-bar]').text()).toContain('为 陈刚 制作密钥')
    expect(w.get('[data-testid=key-batch]').text()).toContain('撤回 1 张')
    expect(w.get('[data-testid=key-batch-hint]').text()).toBe('请插入一个空白Key，为 陈刚 制作密钥（证书 2）')
    expect(w.get('[data-testid=key-cert-state-1]').text()).toBe('待CA签发')
    expect(w.get('[data-testid=key-cert-state-2]').text()).toBe('待初始化Key')
    expect(w.get('[data-testid=key-cert-state-3]').text()).toContain('已离职')
    // the init step names the key after the certificate and tells the backend which it is
    expect(inputValue(w, 'key-label')).toBe(`${NUMBER}-2`)
    await w.get('[data-testid=key-init-slot] option[value="1"]').setValue()
    await w.get('[data-testid=key-so-pin]').setValue('12345678')
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-pin2]').setValue('111111')
    await w.get('[data-testid=key-init]').trigger('click')
    await flushPromises()
    const init = calls.find((c) => c.cmd === 'key_init')
    expect(init?.args).toMatchObject({ number: NUMBER, slotIndex: 1, label: `${NUMBER}-2`, cert: 2 })
    // the desk asked for the status with the plugged key, so it can follow it
    expect(calls.filter((c) => c.cmd === 'key_status').some((c) => c.cmd === 'key_status' && c.args.plugged === 'K1')).toBe(true)
  })

  it('in the write phase names the key to plug, and a picked certificate is the one asked for', async () => {
    const certs = [cert(1, 'cert_write', { key_serial: 'K1', key_label: `${NUMBER}-1` }), cert(2, 'cert_write', { key_serial: 'K2', key_label: `${NUMBER}-2` })]
    const calls = backend({
      slots: slotsOf(token({ serial: 'K2', label: `${NUMBER}-2` })),
      override: () => ({
        key_status: ({ cert: k }) => (k === 1
          ? batchStatus(certs, 1, 'write', { cert: 1, holder: '王芳', label: `${NUMBER}-1`, serial: 'K1' }, 2)
          : batchStatus(certs, 2, 'write', { cert: 2, holder: '陈刚', label: `${NUMBER}-2`, serial: 'K2' }, 2)),
        key_write_cert: () => { throw refusal('wrong_key', "this is 陈刚's key (certificate 2, serial K2); plug 王芳's key (certificate 1, label N-1, serial K1)") },
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-batch-hint]').text()).toBe('已插入 陈刚 的Key')
    await w.get('[data-testid=key-cert-pick-1]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=key-batch-hint]').text()).toBe(`请插入 王芳 的Key（标签 ${NUMBER}-1，序列号 K1）`)
    await w.get('[data-testid=key-pin]').setValue('111111')
    await w.get('[data-testid=key-write-cert]').trigger('click')
    await flushPromises()
    // the plugged key goes to the backend with the certificate shown: it refuses, naming both
    expect(calls.find((c) => c.cmd === 'key_write_cert')?.args).toMatchObject({ serial: 'K2', cert: 1 })
    expect(w.text()).toContain('插入的不是这张证书的Key')
    expect(w.text()).not.toContain("陈刚's key")
    expect(inputValue(w, 'key-pin')).toBe('')
  })

  it('imports the CA answers of several files at once and lists every refusal of a refused batch', async () => {
    const certs = [cert(1, 'cert_import', { key_serial: 'K1' }), cert(2, 'cert_import', { key_serial: 'K2' })]
    let refuse = true
    const calls = backend({
      slots: slotsOf(token({ serial: 'K1' })),
      override: () => ({
        key_status: () => batchStatus(certs, 1, 'answers'),
        key_export_requests: () => ({ folder: `/home/key/requests/${NUMBER}-送CA`, files: 4 }),
        key_import_answers: () => {
          if (refuse) {
            refuse = false
            throw refusal('batch_refused', JSON.stringify([{ file: 'stray.pem', subject: 'CN=Other', serial: '0A', code: 'no_match', why: 'CN=Other matches none of this case\'s keys' }]))
          }
          return { matched: [{ cert: 1, holder: '王芳', ...CERT, issuer_trusted: true, left_out: [] }, { cert: 2, holder: '陈刚', ...CERT, issuer_trusted: true, left_out: [] }], waiting: [] }
        },
      }),
    })
    const w = mount(KeyDesk, { props: { pollMs: 10_000 } })
    await flushPromises()
    await openCase(w)
    expect(w.get('[data-testid=key-batch-hint]').text()).toContain('2 张证书的请求已生成')
    expect(w.get('[data-testid=key-batch-requests]').text()).toContain(`2. 陈刚 · /home/key/requests/${NUMBER}-2.request.json`)
    await w.get('[data-testid=key-export-requests]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.cmd === 'key_export_requests')!.args).toEqual({ number: NUMBER })
    expect(w.get('[data-testid=key-result]').text()).toContain(`已导出 4 个文件到 /home/key/requests/${NUMBER}-送CA`)
    const input = w.get('[data-testid=key-answer-files]')
    const files = [new File(['AAAA'], 'wang.pem'), new File(['BBBBBB'], 'chen.pem'), new File(['CC'], 'stray.pem')]
    Object.defineProperty(input.element, 'files', { value: files, configurable: true })
    await input.trigger('change')
    expect(w.get('[data-testid=key-answer-list]').text()).toContain('chen.pem')
    await w.get('[data-testid=key-import-answers]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=key-answer-refusals]').text()).toContain('stray.pem：与本案件的Key都不匹配')
    // the backend's English reason in the tooltip, not on the Chinese screen; no raw list anywhere
    expect(w.get('[data-testid=key-answer-refusals]').text()).not.toContain('matches none')
    expect(w.get('[data-testid=key-answer-refusals] li').attributes('title')).toContain('matches none')
    expect(w.text()).not.toContain('"file"')
    const sent = calls.find((c) => c.cmd === 'key_import_answers')!.args as Uint8Array
    expect(new TextDecoder().decode(sent)).toBe('AAAABBBBBBCC')
    // the files stay chosen after a refusal: the clerk removes the stray one and imports again
    await w.get('[data-testid=key-answers-clear]').trigger('click')
    Object.defineProperty(input.element, 'files', { value: files.slice(0, 2), configurable: true })
    await input.trigger('change')
    await w.get('[data-testid=key-import-answers]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid=key-result]').text()).toContain('已导入 2 张证书：1. 王芳、2. 陈刚')
    expect(w.find('[data-testid=key-answer-refusals]').exists()).toBe(false)
  })
})
