// The hall's failover as the desks meet it: a change refused because no server takes writes
// (服务器切换中), or whose connection was lost before the commit, wrote nothing, so the very same
// call is made again until a server takes it (or the patience runs out and the clerk is told).
// What was typed stays on the screen throughout; nothing here decides a rule.
import { errorKind } from './ipc'

/** the refusals after which nothing was written and the same call may be made again */
export const NOTHING_WRITTEN = new Set(['server_switching', 'server_lost', 'server_write_wait'])

export interface Patience {
  /** wait between tries */
  everyMs: number
  /** give up (the last refusal is thrown) after this long */
  forMs: number
}
export const HALL_PATIENCE: Patience = { everyMs: 2000, forMs: 90000 }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** `call`, made again while the hall answers that nothing was written; `waiting` says when it waits. */
export async function untilWritten<T>(call: () => Promise<T>, waiting: (on: boolean) => void, patience: Patience = HALL_PATIENCE): Promise<T> {
  const started = Date.now()
  try {
    for (;;) {
      try {
        return await call()
      } catch (e) {
        if (!NOTHING_WRITTEN.has(errorKind(e)) || Date.now() - started + patience.everyMs > patience.forMs) throw e
        waiting(true)
        await sleep(patience.everyMs)
      }
    }
  } finally {
    waiting(false)
  }
}
