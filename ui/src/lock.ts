// Whether this window's session is locked (等保 2.0 level 3: locked after idle minutes). Set by
// the shell's idle timer and by any backend answer `session_locked`; the shell shows the lock
// screen over the desks while it is set, so what they hold stays.
import { ref } from 'vue'

export const sessionLocked = ref(false)
