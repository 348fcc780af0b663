// The receipt scanner: what it types, and its burst told from a person typing.
import { describe, expect, it } from 'vitest'
import { digestMatches, parseScan, scanDetector } from './scanner'

const key = (k: string, over: KeyboardEventInit = {}) => new KeyboardEvent('keydown', { key: k, ...over })

describe('scanner', () => {
  it('reads the QR and the bare number, nothing else', () => {
    expect(parseScan('certdesk:GZ01-20261120-0001:ABCDEF0123456789')).toEqual({ number: 'GZ01-20261120-0001', digest: 'abcdef0123456789' })
    expect(parseScan(' GZ01-20261120-0001 ')).toEqual({ number: 'GZ01-20261120-0001', digest: null })
    expect(parseScan('张伟')).toBeNull()
    expect(parseScan('certdesk:张伟:abc')).toBeNull()
  })
  it('compares the digest, whole or as a long enough prefix', () => {
    expect(digestMatches('abcdef0123456789ff', 'abcdef0123456789ff')).toBe(true)
    expect(digestMatches('abcdef0123456789ff', 'abcdef0123456789')).toBe(true)
    expect(digestMatches('abcdef0123456789ff', 'abcdef01')).toBe(false)
    expect(digestMatches(null, 'abcdef01')).toBe(false)
  })
  it('takes a fast burst ending in Enter as a scan, and typing as typing', () => {
    let t = 0
    const feed = scanDetector(40, () => t)
    const type = (text: string, gap: number) => {
      let out = null
      for (const c of [...text, 'Enter']) {
        t += gap
        out = feed(key(c))
      }
      return out
    }
    expect(type('GZ01-20261120-0001', 8)).toEqual({ number: 'GZ01-20261120-0001', digest: null, text: 'GZ01-20261120-0001' })
    expect(type('GZ01-20261120-0001', 120)).toBeNull()
    expect(type('certdesk:GZ01-20261120-0002:00ff00ff00ff00ff', 5)?.digest).toBe('00ff00ff00ff00ff')
  })
})
