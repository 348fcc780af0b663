// Toasts: the outcome of an action said once, in a corner, gone after a few seconds (errors stay
// until dismissed). One list for the whole window; the shell renders it (components/Toasts.vue).
import { reactive } from 'vue'

export interface Toast { id: number; text: string; kind: 'ok' | 'warn' | 'error' }

export const toasts = reactive<Toast[]>([])
let next = 1

export function dismiss(id: number) {
  const i = toasts.findIndex((x) => x.id === id)
  if (i >= 0) toasts.splice(i, 1)
}

/** shows `text`; `ms` 0 keeps it until dismissed (the default for errors) */
export function toast(text: string, kind: Toast['kind'] = 'ok', ms = kind === 'error' ? 0 : 4000): number {
  const id = next++
  toasts.push({ id, text, kind })
  while (toasts.length > 4) toasts.shift()
  if (ms > 0) setTimeout(() => dismiss(id), ms)
  return id
}

/** forgets every toast: the next person at the counter does not read the last one's outcomes */
export function clearToasts() {
  toasts.splice(0)
}
