// A backend refusal on screen: the Chinese message by its kind; the backend's English detail
// only on English screens (a tooltip on Chinese ones), a Chinese detail everywhere.
import { afterEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ErrorLine from './ErrorLine.vue'
import { locale } from '../i18n'
import { refusal } from '../testing/backend'

afterEach(() => { locale.value = 'zh-CN' })

describe('ErrorLine', () => {
  it('keeps the English detail off a Chinese screen', async () => {
    const w = mount(ErrorLine, { props: { err: refusal('token', 'C_GenerateKeyPair failed: CKR_DEVICE_ERROR') } })
    expect(w.text()).toBe('Key操作失败')
    expect(w.get('p').attributes('title')).toContain('CKR_DEVICE_ERROR')
    locale.value = 'en'
    await w.vm.$nextTick()
    expect(w.text()).toContain('CKR_DEVICE_ERROR')
  })
  it('shows a detail that is Chinese', () => {
    const w = mount(ErrorLine, { props: { err: refusal('not_in_plan', '员工证书须先办理机构证书') } })
    expect(w.text()).toBe('此类业务没有这个步骤员工证书须先办理机构证书')
  })
})
