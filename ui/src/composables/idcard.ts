// The intake's ID card reader: asks the backend every moment whether a card was laid on the
// counter's reader (the backend reads it once per laying and judges it on the counter's today)
// and hands each card to the screen. No reader set: asks again only now and then (the
// administrator may set one), quietly; one set that cannot be opened is said (the clerk would
// otherwise lay cards on a dead reader), and the saying cleared once it answers. Decides
// nothing about the card.
import { onBeforeUnmount, onMounted } from 'vue'
import { api, errorKind, type CardForIntake } from '../ipc'

export interface CardReaderOptions {
  /** between questions while a reader is set */
  everyMs?: number
  /** between questions while none is set */
  idleMs?: number
}

export function useCardReader(onCard: (card: CardForIntake) => void, onError: (e: unknown) => void, options: CardReaderOptions = {}) {
  const everyMs = options.everyMs ?? 500
  const idleMs = options.idleMs ?? 10000
  let timer: ReturnType<typeof setTimeout> | undefined
  let live = false
  // a reader's failure is said until a question is answered again (then `onError(null)`)
  let failing = false
  async function poll() {
    let wait = everyMs
    try {
      const card = await api.idcardPoll()
      if (live && failing) {
        failing = false
        onError(null)
      }
      if (card && live) onCard(card)
    } catch (e) {
      const kind = errorKind(e)
      if (kind === 'idcard_not_set' || kind === 'missing_role' || kind === 'not_signed_in') wait = idleMs
      else {
        // a reader set but not opened (unplugged, a wrong port): said, tried again now and then
        if (kind === 'idcard_no_reader') wait = idleMs
        if (live) {
          failing = true
          onError(e)
        }
      }
    }
    if (live) timer = setTimeout(poll, wait)
  }
  onMounted(() => {
    live = true
    void poll()
  })
  onBeforeUnmount(() => {
    live = false
    clearTimeout(timer)
  })
}
