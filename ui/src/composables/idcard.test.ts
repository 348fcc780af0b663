// The intake's card reader loop: a reader not set is waited for quietly; one set that cannot
// be opened is said, and the saying cleared once the reader answers again.
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import { useCardReader } from './idcard'
import { errorKind, type CardForIntake } from '../ipc'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function reader(answers: (() => CardForIntake | null)[]) {
  mockBackend({ idcard_poll: () => (answers.length > 1 ? answers.shift()! : answers[0]!)() })
  const errors: unknown[] = []
  const cards: unknown[] = []
  const Host = defineComponent({
    setup() {
      useCardReader((c) => cards.push(c), (e) => errors.push(e), { everyMs: 5, idleMs: 20 })
      return () => h('div')
    },
  })
  mount(Host)
  return { errors, cards }
}

describe('useCardReader', () => {
  it('waits quietly while no reader is set', async () => {
    const { errors } = reader([() => { throw refusal('idcard_not_set', 'no ID card reader is set') }])
    await sleep(60)
    await flushPromises()
    expect(errors).toEqual([])
  })

  it('says a reader that cannot be opened, and clears it once the reader answers', async () => {
    const { errors } = reader([() => { throw refusal('idcard_no_reader', '/dev/ttyUSB9: cannot open') }, () => null])
    await sleep(60)
    await flushPromises()
    expect(errors.map((e) => (e === null ? null : errorKind(e)))).toEqual(['idcard_no_reader', null])
  })
})
