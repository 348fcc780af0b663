// The default theme, with <Msg k="errors.four_eyes" />: a sentence of the app quoted from its
// own locale file, so the manual says what the app says.
import DefaultTheme from 'vitepress/theme'
import type { Theme } from 'vitepress'
import Msg from './Msg.vue'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('Msg', Msg)
  },
} satisfies Theme
