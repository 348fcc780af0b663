// Component tests of the case page's legal hold (冻结, #30): shown as the backend says (held, by
// whom and why; whether this account may hold or release), a reason asked before anything is
// sent, the backend's refusal shown in Chinese, and nothing for an account offered nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import HoldPanel from './HoldPanel.vue'
import { caseView, sampleCase } from '../fixtures'
import { mockBackend, refusal } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => clearMocks())
const NUMBER = sampleCase.number
const held = { number: NUMBER, reason: '法院调取', held_by: 'li' }

describe('HoldPanel', () => {
  it('asks a supervisor the reason, then freezes the case', async () => {
    let first = true
    const calls = mockBackend({
      case_hold: ({ reason }) => {
        if (first) {
          first = false
          throw refusal('held_already', 'GZ01 is held')
        }
        expect(reason).toBe('法院调取')
        return caseView(sampleCase, ['supervisor'], { hold: { held, may_hold: false, may_release: true } })
      },
    })
    const w = mount(HoldPanel, { props: { number: NUMBER, hold: { held: null, may_hold: true, may_release: false }, people: {} } })
    await w.get('[data-testid=hold-open]').trigger('click')
    // no reason: asked for, nothing sent
    await w.get('form').trigger('submit')
    expect(w.get('[data-testid=hold-error]').text()).toContain('请填写冻结原因')
    expect(calls).toEqual([])
    await w.get('[data-testid=hold-reason]').setValue(' 法院调取 ')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid=hold-error]').text()).toContain('该案件已被冻结')
    expect(w.emitted('changed')).toBeUndefined()
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.emitted('changed')).toHaveLength(1)
    expect(calls.map((c) => c.cmd)).toEqual(['case_hold', 'case_hold'])
  })

  it('Esc leaves the reason unasked', async () => {
    mockBackend({})
    const w = mount(HoldPanel, { props: { number: NUMBER, hold: { held: null, may_hold: true, may_release: false }, people: {} } })
    await w.get('[data-testid=hold-open]').trigger('click')
    await w.get('form').trigger('keydown', { key: 'Escape' })
    expect(w.find('[data-testid=hold-reason]').exists()).toBe(false)
    expect(w.find('[data-testid=hold-open]').exists()).toBe(true)
  })

  it('shows a held case with its reason and holder, and lets a supervisor release it', async () => {
    const calls = mockBackend({ case_release_hold: () => caseView(sampleCase, ['supervisor']) })
    const w = mount(HoldPanel, { props: { number: NUMBER, hold: { held, may_hold: false, may_release: true }, people: { li: '李复核' } } })
    expect(w.get('[data-testid=hold-held]').text()).toContain('法院调取')
    expect(w.get('[data-testid=hold-held]').text()).toContain('李复核 冻结')
    await w.get('[data-testid=hold-release]').trigger('click')
    await flushPromises()
    expect(calls).toEqual([{ cmd: 'case_release_hold', args: { number: NUMBER } }])
    expect(w.emitted('changed')).toHaveLength(1)
  })

  it('a clerk sees that a case is held, without a button; a case not held shows nothing to a clerk', () => {
    mockBackend({})
    const w = mount(HoldPanel, { props: { number: NUMBER, hold: { held, may_hold: false, may_release: false }, people: {} } })
    expect(w.get('[data-testid=hold-held]').text()).toContain('已冻结')
    expect(w.find('[data-testid=hold-release]').exists()).toBe(false)
    const none = mount(HoldPanel, { props: { number: NUMBER, hold: { held: null, may_hold: false, may_release: false }, people: {} } })
    expect(none.find('[data-testid=hold]').exists()).toBe(false)
  })
})
