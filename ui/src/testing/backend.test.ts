// The test backend itself: calls recorded as sent, a command without a handler rejected with
// its name, a refusal arriving at the caller as the backend's {kind, detail}.
import { afterEach, describe, expect, it } from 'vitest'
import { clearMocks } from '@tauri-apps/api/mocks'
import { api, errorDetail, errorKind } from '../ipc'
import { mockBackend, refusal } from './backend'

afterEach(() => clearMocks())

describe('mockBackend', () => {
  it('answers from the handlers and records every call with its arguments', async () => {
    const calls = mockBackend({ login: ({ name }) => ({ name, roles: ['clerk'], must_change: false, key: false }), logout: () => null })
    expect(await api.login('zhang', 'pw')).toEqual({ name: 'zhang', roles: ['clerk'], must_change: false, key: false })
    await api.logout()
    expect(calls).toEqual([{ cmd: 'login', args: { name: 'zhang', password: 'pw', pin: null } }, { cmd: 'logout', args: {} }])
  })

  it('hands a raw-body command its bytes', async () => {
    const calls = mockBackend({ key_import_cert: (bytes) => { throw refusal('cert_unreadable', `${bytes.length} bytes`) } })
    await expect(api.keyImportCert('GZ01-20261120-0001', new Uint8Array([0x30, 0x82]))).rejects.toEqual({ kind: 'cert_unreadable', detail: '2 bytes' })
    expect(calls[0].args).toBeInstanceOf(Uint8Array)
  })

  it('rejects a command the test did not expect, naming it, and records it', async () => {
    const calls = mockBackend({})
    await expect(api.reportDaily('2026-11-20')).rejects.toThrow('mockBackend: unexpected command report_daily {"date":"2026-11-20"}')
    expect(calls.map((c) => c.cmd)).toEqual(['report_daily'])
  })

  it('passes a refusal on as the backend sends it', async () => {
    mockBackend({ case_action: () => { throw refusal('four_eyes', 'zhang accepted this case') } })
    const e = await api.caseAction('GZ01-20261120-0001', 'approve').catch((x: unknown) => x)
    expect(errorKind(e)).toBe('four_eyes')
    expect(errorDetail(e)).toBe('zhang accepted this case')
  })
})
