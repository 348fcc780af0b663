// The receipt's QR code or barcode read by a scanner that types like a keyboard: it types
// `certdesk:<number>:<digest>` (the receipt's QR, forms/_counter/layouts/receipt.toml) or the
// bare case number, then Enter, far faster than a person. `parseScan` reads what it typed;
// `scanDetector` tells a scanner's burst from typing.

/** a case number as the store makes them: counter code, local day, sequence (GZ01-20261120-0001) */
const NUMBER = /^[A-Z0-9]{1,12}-\d{8}-\d{4}$/

export interface Scan { number: string; digest: string | null }

/** What a scan says: the case number and, from the QR, the digest of the case data printed. */
export function parseScan(text: string): Scan | null {
  const s = text.trim()
  const m = /^certdesk:([^:\s]+):([0-9a-fA-F]{8,128})$/.exec(s)
  if (m && NUMBER.test(m[1])) return { number: m[1], digest: m[2].toLowerCase() }
  return NUMBER.test(s) ? { number: s, digest: null } : null
}

/** Whether the case's current digest is the one the receipt was printed with (the QR may carry a
 *  prefix of it). */
export function digestMatches(current: string | null | undefined, scanned: string): boolean {
  if (!current) return false
  const c = current.toLowerCase()
  return c === scanned || (scanned.length >= 16 && c.startsWith(scanned))
}

/**
 * Feeds keydown events; returns the scan when a burst of characters, each within `gapMs` of the
 * one before, ends in Enter and reads as a scan. The characters a scanner typed into a field are
 * the caller's to take back out (`text` is what was typed).
 */
export function scanDetector(gapMs = 40, now: () => number = () => performance.now()) {
  let buf = ''
  let last = -Infinity
  return (e: KeyboardEvent): (Scan & { text: string }) | null => {
    const t = now()
    const fast = t - last <= gapMs
    last = t
    if (e.key === 'Enter') {
      const text = buf
      buf = ''
      if (!fast || text.length < 8) return null
      const scan = parseScan(text)
      return scan ? { ...scan, text } : null
    }
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) {
      if (e.key !== 'Shift') buf = ''
      return null
    }
    buf = fast ? buf + e.key : e.key
    return null
  }
}
