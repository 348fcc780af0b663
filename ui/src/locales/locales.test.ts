// The English locale has exactly the keys of the zh-CN one (the typed Shape checks this at
// compile time only where a type checker runs; this test checks it on every run).
import { describe, expect, it } from 'vitest'
import zh from './zh-CN'
import en from './en'
// the generated file as text (Vite's ?raw import), so that the test needs no Node types
import bindings from '../bindings.ts?raw'
// the seal crate's rules, whose every measure a finding can name
import thresholdsJson from '../../../src-tauri/crates/certdesk-seal/src/thresholds.json?raw'

/** Every error kind the backend can send: the members of `ErrorKind` in the bindings generated
 *  from the Rust types (`certdesk_desk::ErrorKind`, the only type `IpcError.kind` can hold). */
function backendErrorKinds(): string[] {
  const union = /export type ErrorKind = ([^;]+);/.exec(bindings)
  if (!union) throw new Error('no ErrorKind in src/bindings.ts')
  return [...union[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]).sort()
}

/** A rule of the seal crate's thresholds.json: the conditions it reads, and whether it is a veto. */
type SealRule = { all: { measure: string }[]; one_of?: { measure: string }[][]; any: { measure: string }[]; veto?: boolean }

/** Every condition of a rule: its gates, its groups of alternatives and its reasons. */
function conditions(r: SealRule): { measure: string }[] {
  return [...r.all, ...(r.one_of ?? []).flat(), ...r.any]
}

/** The seal crate's rules by name. */
function sealRules(): Record<string, SealRule> {
  return JSON.parse(thresholdsJson) as Record<string, SealRule>
}

function keys(o: unknown, prefix = ''): string[] {
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, prefix + k + '.')))
}

describe('locales', () => {
  it('en and zh-CN have the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
  it('has a Chinese message for every error kind the backend sends', () => {
    const k = new Set(keys(zh))
    const kinds = backendErrorKinds()
    expect(kinds.length).toBeGreaterThan(30)
    expect(kinds.filter((kind) => !k.has('errors.' + kind))).toEqual([])
  })
  it('has no message for an error kind nobody sends', () => {
    // the two the screens raise themselves: a PIN typed twice differently, and the fallback
    const ownKinds = ['pin_mismatch', 'unknown']
    const sent = new Set([...backendErrorKinds(), ...ownKinds])
    const messages = keys(zh).filter((key) => key.startsWith('errors.')).map((key) => key.slice('errors.'.length))
    expect(messages.filter((kind) => !sent.has(kind))).toEqual([])
  })
  it('names every action the audit chain records (the case history and the audit log show them, #79)', () => {
    const block = /export type EventDetails = \{([^}]+)\}/.exec(bindings)
    if (!block) throw new Error('no EventDetails in src/bindings.ts')
    const actions = [...block[1].matchAll(/^\s*([a-z_]+):/gm)].map((m) => m[1])
    expect(actions.length).toBeGreaterThan(40)
    const k = new Set(keys(zh))
    expect(actions.filter((a) => !k.has('audit.' + a))).toEqual([])
  })
  it('names every audit action, seal defect and token error the screens show', () => {
    const k = new Set(keys(zh))
    for (const a of ['case_created', 'case_edited', 'accept', 'submit', 'approve', 'return', 'cancel', 'deliver', 'close', 'issue_key', 'token_initialized', 'key_generated', 'certificate_imported', 'certificate_written', 'seal_written', 'seal_imported', 'forms_printed']) expect(k.has('audit.' + a)).toBe(true)
    for (const d of ['empty', 'pale', 'broken', 'double', 'smudged', 'overlap_line', 'tilted', 'bg_not_white', 'text_under', 'off_color']) expect(k.has('seal.defects.' + d)).toBe(true)
    for (const e of ['pin_incorrect', 'pin_locked', 'token_not_found', 'no_module', 'seal_unreadable', 'cert_mismatch']) expect(k.has('errors.' + e)).toBe(true)
  })
  it('says in words every quantity a seal finding can name, in its unit (#34)', () => {
    const k = new Set(keys(zh))
    // the seal crate's rules (thresholds.json) and the labels decided in code, and the design's quantities
    const quantities = ['border_gap_mm', 'border_present', 'double_echo', 'double_valley', 'double_offset_mm', 'coverage', 'aspect', 'rect_rms', 'absorbed', 'density', 'core_od', 'ink_fill', 'smear_mm', 'blur_excess_mm', 'ramp_rel', 'ink_mm2', 'on_line_mm2', 'pen_crossings', 'hue', 'tilt', 'black_mm2', 'paper_l', 'paper_tint', 'stain', 'disc_fill', 'noise_hue', 'stain_hue', 'frame_second', 'frame_inset_mm', 'frame_width_mm', 'paper_field', 'smear_agrees_mm', 'smear_q_mm', 'smear_plain_mm', 'smear_valley', 'other']
    const ruled = Object.values(sealRules()).flatMap((r) => conditions(r).map((c) => c.measure))
    expect(ruled.length).toBeGreaterThan(10)
    expect([...quantities, ...ruled].filter((q) => !k.has('seal.reasons.' + q))).toEqual([])
    expect(['mm', 'mm2', 'deg', 'od', 'share', 'level'].filter((u) => !k.has('seal.units.' + u))).toEqual([])
    expect(['a4_page', 'paper_edges', 'assumed'].filter((d) => !k.has('seal.dpiSource.' + d))).toEqual([])
    expect(['dpi_disagrees_with_page', 'dpi_not_from_a4_page', 'dpi_assumed'].filter((w) => !k.has('seal.sizeWarning.' + w))).toEqual([])
    expect(k.has('audit.seal_accepted')).toBe(true)
  })
  it('says in words every reason a seal check can be left unmade for (#34)', () => {
    const k = new Set(keys(zh))
    // the vetoes of thresholds.json (rules marked `"veto": true`: their measure is what the
    // sample names when the check they refuse is set aside), and the reasons decided in code
    const vetoes = Object.values(sealRules())
      .filter((r) => r.veto)
      .flatMap((r) => conditions(r).map((c) => c.measure))
    expect(vetoes).toEqual(expect.arrayContaining(['trail_foot', 'frame_smear', 'lead_sharp']))
    expect([...vetoes, 'circle_rms', 'ink_snr', 'paper_field', 'paper_tint', 'frame_inset_mm', 'other'].filter((q) => !k.has('seal.unchecked.' + q))).toEqual([])
  })
  it('names every business type the case data can hold (no id on screen)', () => {
    const union = /business: ([^,]+(?:\s*\|\s*"[a-z_]+")*),/.exec(bindings)
    const types = [...(union?.[1] ?? '').matchAll(/"([a-z_]+)"/g)].map((m) => m[1])
    expect(types.length).toBeGreaterThan(8)
    const k = new Set(keys(zh))
    expect(types.filter((b) => !k.has('business.' + b))).toEqual([])
  })
})
