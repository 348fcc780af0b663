// 帮助 (F1, #77): the step of a desk the user is on, as the desk on screen says it (the intake's
// section the focus is in, the kind of case open, 管理's section); the shell opens the manual
// at it, or at the desk's own page while no desk says one.
import { ref } from 'vue'
import type { HelpTopic } from './bindings'

export const helpStep = ref<HelpTopic | null>(null)
