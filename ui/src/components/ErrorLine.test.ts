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
  it('keeps an English sentence quoting holders\' names off a Chinese screen', () => {
    const w = mount(ErrorLine, { props: { err: refusal('wrong_key', "case GZ01-20261130-0001: this is 陈刚's key (certificate 2, serial 67f0c3f7fbad7e31); plug 王芳's key") } })
    expect(w.text()).toBe('插入的不是这张证书的Key，请按提示插入对应持证人的Key')
    expect(w.get('p').attributes('title')).toContain('陈刚')
  })
  it('never shows the list a refusal carries for its screen as text', () => {
    const list = JSON.stringify([{ file: 'stray.pem', subject: 'CN=陌生人,O=Other,C=CN', why: '与本案件的Key都不匹配' }])
    const w = mount(ErrorLine, { props: { err: refusal('batch_refused', list) } })
    expect(w.text()).toBe('CA返回的证书有问题，均未导入')
    expect(w.get('p').attributes('title')).toBeUndefined()
  })
})
