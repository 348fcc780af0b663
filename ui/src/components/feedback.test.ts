// The confirmation dialog, the toasts and the progress overlay on their own: keyboard rules of
// the dialog (focus on 取消, Tab trapped, Esc cancels, Enter only through the focused button).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import ConfirmDialog from './ConfirmDialog.vue'
import ProgressOverlay from './ProgressOverlay.vue'
import Toasts from './Toasts.vue'
import { toast, toasts } from '../composables/toast'
import { useConfirm } from '../composables/useConfirm'

enableAutoUnmount(afterEach)
afterEach(() => { toasts.splice(0); vi.useRealTimers() })

const props = { title: '作废案件？', subject: 'GZ01-20261120-0001', message: '作废后不能恢复', confirmText: '作废' }

describe('ConfirmDialog', () => {
  it('names the subject, starts on 取消 and keeps Tab inside', async () => {
    const w = mount(ConfirmDialog, { props, attachTo: document.body })
    await nextTick()
    expect(w.get('[data-testid=confirm-subject]').text()).toBe('GZ01-20261120-0001')
    expect(w.get('[role=alertdialog]').attributes('aria-modal')).toBe('true')
    expect(document.activeElement).toBe(w.get('[data-testid=confirm-cancel]').element)
    await w.get('[data-testid=confirm-cancel]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(w.get('[data-testid=confirm-ok]').element)
    await w.get('[data-testid=confirm-ok]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(w.get('[data-testid=confirm-cancel]').element)
    await w.get('[data-testid=confirm-cancel]').trigger('keydown', { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(w.get('[data-testid=confirm-ok]').element)
  })
  it('cancels on Esc and does not confirm on Enter outside the confirm button', async () => {
    const w = mount(ConfirmDialog, { props, attachTo: document.body })
    await w.get('[data-testid=confirm-dialog]').trigger('keydown', { key: 'Enter' })
    expect(w.emitted('confirm')).toBeUndefined()
    await w.get('[data-testid=confirm-cancel]').trigger('keydown', { key: 'Escape' })
    expect(w.emitted('cancel')).toHaveLength(1)
    await w.get('[data-testid=confirm-ok]').trigger('click')
    expect(w.emitted('confirm')).toHaveLength(1)
  })
  it('useConfirm resolves true only on confirm, false on cancel or a second question', async () => {
    const c = useConfirm()
    const a = c.ask({ title: 'x', subject: 'y', confirmText: 'z' })
    const b = c.ask({ title: 'x2', subject: 'y2', confirmText: 'z2' })
    expect(await a).toBe(false)
    expect(c.pending.value?.subject).toBe('y2')
    c.answer(true)
    expect(await b).toBe(true)
    expect(c.pending.value).toBeNull()
  })
})

describe('toasts and progress', () => {
  it('shows a toast as a status and takes it away after a while; errors stay', async () => {
    vi.useFakeTimers()
    const w = mount(Toasts)
    toast('已作废')
    toast('打印失败', 'error')
    await nextTick()
    expect(w.get('[role=status]').text()).toContain('已作废')
    vi.advanceTimersByTime(5000)
    await nextTick()
    expect(w.text()).not.toContain('已作废')
    expect(w.find('[data-testid=toast-error]').text()).toContain('打印失败')
    await w.get('[data-testid=toast-error] button').trigger('click')
    expect(w.find('[data-testid=toast-error]').exists()).toBe(false)
  })
  it('shows the step and the seconds spent, and a cancel only when the operation allows it', async () => {
    vi.useFakeTimers()
    const w = mount(ProgressOverlay, { props: { step: '正在Key内生成密钥对…' } })
    expect(w.get('[data-testid=progress-step]').text()).toBe('正在Key内生成密钥对…')
    expect(w.find('[data-testid=progress-cancel]').exists()).toBe(false)
    vi.advanceTimersByTime(3000)
    await nextTick()
    expect(w.get('[data-testid=progress-elapsed]').text()).toContain('3')
    await w.setProps({ cancellable: true })
    await w.get('[data-testid=progress-cancel]').trigger('click')
    expect(w.emitted('cancel')).toHaveLength(1)
  })
})
