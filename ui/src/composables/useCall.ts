// One IPC call at a time for a screen or panel: the busy flag its buttons and "处理中…" follow,
// the error shown beside it (in Chinese by ErrorLine), and hooks that run before and after every
// call whatever happened (the admin desk clears its last result, the key desk empties its PIN
// inputs).
import { ref } from 'vue'

export function useCall(hooks: { before?: () => void; always?: () => void } = {}) {
  const busy = ref(false)
  const error = ref<unknown>(null)
  /** runs `f` unless a call is under way; its error lands in `error`, its value is returned */
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    if (busy.value) return
    busy.value = true
    error.value = null
    hooks.before?.()
    try {
      return await f()
    } catch (e) {
      error.value = e
    } finally {
      hooks.always?.()
      busy.value = false
    }
  }
  return { busy, error, run }
}
