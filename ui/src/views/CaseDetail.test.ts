// Component tests of the case page's F1 topic (#77): the case page's own, the form's while the
// case is edited, and the case page's again once the edit ends (it fell back to the desk's).
import { afterEach, describe, expect, it } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { clearMocks } from '@tauri-apps/api/mocks'
import CaseDetail from './CaseDetail.vue'
import { helpStep } from '../help'
import { caseView, sampleCase } from '../fixtures'
import { mockBackend } from '../testing/backend'

enableAutoUnmount(afterEach)
afterEach(() => {
  clearMocks()
  helpStep.value = null
})

describe('CaseDetail', () => {
  it('F1 goes back to the case page once an edit ends', async () => {
    mockBackend({ get_case: () => caseView(sampleCase, ['clerk']) })
    const w = mount(CaseDetail, { props: { number: sampleCase.number }, global: { stubs: { Intake: true, PrintPanel: true, SealPanel: true, StepsPanel: true } } })
    await flushPromises()
    expect(helpStep.value).toBe('case_page')
    await w.get('[data-testid=case-edit]').trigger('click')
    // the edit's form says the step of the field in focus, and forgets it as it goes
    helpStep.value = 'intake_handler'
    w.findComponent({ name: 'Intake' }).vm.$emit('cancel')
    helpStep.value = null
    await flushPromises()
    expect(helpStep.value).toBe('case_page')
  })
})
