// A question before a destructive or irreversible action: `ask` opens the screen's
// ConfirmDialog (rendered by the screen itself from `pending`) and resolves true only when the
// account confirmed. Nothing reaches the backend before that.
import { ref } from 'vue'

export interface Question {
  /** what will happen, as a question (作废案件？) */
  title: string
  /** the case number or the account the action is about: always named */
  subject: string
  /** what follows from it (cannot be undone, the reason given…) */
  message?: string
  /** the confirm button's text (the action's own name: 作废, 停用…) */
  confirmText: string
  /** the confirm button's test id where a screen's older tests know it (restore-confirm…) */
  okTestid?: string
}

export function useConfirm() {
  const pending = ref<Question | null>(null)
  let resolve: ((ok: boolean) => void) | null = null
  function ask(q: Question): Promise<boolean> {
    resolve?.(false)
    pending.value = q
    return new Promise((r) => { resolve = r })
  }
  function answer(ok: boolean) {
    const r = resolve
    resolve = null
    pending.value = null
    r?.(ok)
  }
  return { pending, ask, answer }
}
