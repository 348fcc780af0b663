// A small vue-i18n-style translator: `t('section.key')`, zh-CN by default, English second.
// `{name}` placeholders are filled from the optional params: t('seal.restamp', { n: 2 }).
import { ref } from 'vue'
import zh from './locales/zh-CN'
import en from './locales/en'

const messages: Record<string, unknown> = { 'zh-CN': zh, en }
export const locale = ref<'zh-CN' | 'en'>('zh-CN')

function lookup(key: string): string | undefined {
  let node: unknown = messages[locale.value]
  for (const p of key.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined
  }
  return typeof node === 'string' ? node : undefined
}

export function t(key: string, params?: Record<string, string | number>): string {
  const s = lookup(key) ?? key
  return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s
}

/** Whether a key has a message (used to fall back for unknown error kinds). */
export function has(key: string): boolean {
  return lookup(key) !== undefined
}
