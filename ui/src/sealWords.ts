// The seal importer's verdict in words (#34): each finding the backend computed as one line
// (`seal.reasons.<quantity>`, its value and limit formatted in their unit), a label without a
// finding named by its own defect text, and a size with where its resolution came from. Only
// wording: which samples are doubted, their findings and sizes come from the backend.
import { has, t } from './i18n'
import type { SealFinding, SealSample, SealVerdict } from './ipc'

/** Decimals shown per unit (a share is shown in per cent); a number without a physical unit
 *  (`level`: a count, an 8-bit level, a 0–1 measure such as `density`) by its size. */
const DIGITS: Record<string, number> = { mm: 1, mm2: 1, deg: 0, od: 2, share: 0 }
const digitsOf = (v: number, unit: string) => DIGITS[unit] ?? (Math.abs(v) >= 10 ? 0 : Math.abs(v) >= 1 ? 1 : 2)

function number(v: number, unit: string, digits: number): string {
  return String(Number((unit === 'share' ? v * 100 : v).toFixed(digits)))
}

/** A quantity in its unit: 3.4 mm → 「3.4毫米」, a share 0.45 → 「45%」. */
export function amount(v: number, unit: string, digits = digitsOf(v, unit)): string {
  return t('seal.units.' + (unit in DIGITS ? unit : 'level'), { n: number(v, unit, digits) })
}

/** A finding's numbers in words: its value (a value that would read as its limit gets one
 *  more decimal), its limit, the side of the limit it went past, and the quantity's name. */
function numbers(f: SealFinding) {
  const d = digitsOf(f.value, f.unit)
  const digits = d + (number(f.value, f.unit, d) === number(f.limit, f.unit, d) ? 1 : 0)
  return {
    value: amount(f.value, f.unit, digits),
    limit: amount(f.limit, f.unit),
    bound: t(f.op === '<' ? 'seal.bound.below' : 'seal.bound.above'),
    quantity: f.quantity,
  }
}

/** The words of `quantity` under `group` (`seal.reasons`, `seal.unchecked`), or the group's
 *  `other` for a quantity without words of its own. */
const keyOf = (group: string, quantity: string) => (has(`${group}.${quantity}`) ? `${group}.${quantity}` : `${group}.other`)

/** The words of a finding: a share that reads nothing at all (zero or under: 「为文字加宽的-3%」)
 *  has words of its own where its quantity gives them (`<quantity>_none`: 「边框完全没有加宽」). */
const keyFor = (group: string, f: SealFinding) =>
  f.unit === 'share' && f.value <= 0 && has(`${group}.${f.quantity}_none`) ? `${group}.${f.quantity}_none` : keyOf(group, f.quantity)

/** One finding as a line: 「边框缺口3.4毫米（上限2毫米）」. */
export function reason(f: SealFinding): string {
  return t(keyFor('seal.reasons', f), numbers(f))
}

/** Why a sample is doubted (or why an accepted one was): one line per label, its finding in
 *  words where it has one. */
export function reasons(s: Pick<SealSample, 'defects' | 'findings'>): string[] {
  return s.defects.map((d) => {
    const f = s.findings.find((x) => x.label === d)
    return f ? reason(f) : t('seal.defects.' + d)
  })
}

/** The checks the importer could not make on a sample, one line per reason, the labels it
 *  kept from being checked named together: 「未能检查是否残缺：外圈与印迹偏离1.4毫米（超过1毫米…」.
 *  Shown doubted or not: a label missing is then no clean bill. */
export function unchecked(s: Pick<SealSample, 'unchecked'>): string[] {
  const groups: { u: SealFinding; labels: string[] }[] = []
  for (const u of s.unchecked) {
    const g = groups.find((x) => x.u.quantity === u.quantity && x.u.value === u.value && x.u.limit === u.limit)
    if (g) g.labels.push(u.label)
    else groups.push({ u, labels: [u.label] })
  }
  return groups.map(({ u, labels }) =>
    t(keyFor('seal.unchecked', u), { ...numbers(u), label: labels.map((l) => t('seal.defects.' + l)).join(t('seal.listSeparator')) }),
  )
}

/** A size with its resolution's source (design §8): plain when the resolution was given or in
 *  the file, 「直径约…（分辨率按A4纸推算）」 when it was inferred, with the warning when set. */
export function size(kind: 'diameter' | 'side', mm: number, v: Pick<SealVerdict, 'dpi_source' | 'size_warning'>): string {
  const n = mm.toFixed(1)
  const trusted = v.dpi_source === 'option' || v.dpi_source === 'file'
  if (trusted && !v.size_warning) return t('seal.' + kind, { mm: n })
  const why = v.size_warning ? t('seal.sizeWarning.' + v.size_warning) : t('seal.dpiSource.' + v.dpi_source)
  return t('seal.sizeWith', { size: t('seal.' + kind + 'About', { mm: n }), why })
}
