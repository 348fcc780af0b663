// A small vue-i18n-style translator: `t('section.key')`, zh-CN by default, English second.
import { ref } from 'vue'
import zh from './locales/zh-CN'
import en from './locales/en'

const messages: Record<string, unknown> = { 'zh-CN': zh, en }
export const locale = ref<'zh-CN' | 'en'>('zh-CN')

export function t(key: string): string {
  const parts = key.split('.')
  let node: unknown = messages[locale.value]
  for (const p of parts) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined
  }
  return typeof node === 'string' ? node : key
}
