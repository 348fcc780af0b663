// The importer's findings in words (#34): each unit's number as the clerk reads it, a value that
// would round to its limit shown finer, a quantity without words of its own still said.
import { describe, expect, it } from 'vitest'
import { reason, reasons, unchecked } from './sealWords'
import type { SealFinding } from './ipc'

const f = (quantity: string, value: number, limit: number, unit: string, op = '>'): SealFinding => ({ label: 'broken', quantity, value, limit, unit, op })

describe('seal reasons in words', () => {
  it('writes each finding in its unit, with the bound it went past', () => {
    expect(reason(f('border_gap_mm', 3.4, 2, 'mm'))).toBe('边框缺口3.4毫米（上限2毫米）')
    expect(reason(f('border_present', 0.45, 0.88, 'share', '<'))).toBe('边框完整45%（下限88%）')
    expect(reason(f('core_od', 0.22, 0.35, 'od', '<'))).toBe('印迹最浓处光密度0.22（下限0.35）')
    expect(reason(f('black_mm2', 12.301051, 0.6, 'mm2'))).toBe('印下的黑色文字12.3平方毫米（上限0.6平方毫米）')
    expect(reason(f('tilt', 7.3, 5, 'deg'))).toBe('倾斜7°（上限5°）')
    // no physical unit: a 0–1 measure keeps its decimals, a count has none
    expect(reason(f('density', 0.34117648, 0.5686275, 'level', '<'))).toBe('印迹色阶深度0.34（下限0.57）')
    // #76: pale as the share of the light the ink absorbs, against the paper and the sheet's black.
    expect(reason(f('absorbed', 0.4213, 0.75, 'share', '<'))).toBe('印迹浓度：吸收42%的光（下限75%）')
    expect(reason(f('pen_crossings', 4, 3, 'level'))).toBe('笔迹穿过表格线4处（上限3处）')
    expect(reason(f('paper_l', 210.4, 222, 'level', '<'))).toBe('背景亮度210（下限222）')
  })
  it('says a double read from a trail that ends as sharply as it leads as that edge', () => {
    const copy = { ...f('trail_foot', 0.89, 0.65, 'share'), label: 'double' }
    expect(reasons({ defects: ['double'], findings: [copy] })).toEqual(['拖影末端是与前缘一样陡的边（第二次盖印的边缘，不是渐淡的拖影）：起步爬升为前缘的89%（上限65%）'])
  })
  it('says a double read from the thickness of the ring as the ring thicker towards two sides', () => {
    const thick = { ...f('ring_h2_mm', 0.73, 0.5, 'mm'), label: 'double' }
    expect(reasons({ defects: ['double'], findings: [thick] })).toEqual(['外圈在相对两侧比其余方向粗0.7毫米（第二次盖印）（上限0.5毫米）'])
  })
  it('never shows a value equal to the limit it went past', () => {
    expect(reason(f('border_gap_mm', 4.04, 4, 'mm'))).toBe('边框缺口4.04毫米（上限4毫米）')
  })
  it('says a quantity it has no words for, and a label without a finding by its name', () => {
    expect(reason(f('ring_double_mm', 0.9, 0.5, 'mm'))).toBe('ring_double_mm 0.9毫米（上限0.5毫米）')
    expect(reasons({ defects: ['broken', 'tilted'], findings: [f('border_gap_mm', 3.4, 2, 'mm')] })).toEqual(['边框缺口3.4毫米（上限2毫米）', '歪斜'])
  })
  it('says which check could not be made, and why, whether or not the impression is doubted', () => {
    const u = { label: 'broken', quantity: 'circle_rms', value: 1.43, limit: 1, unit: 'mm', op: '>' }
    expect(unchecked({ unchecked: [u] })).toEqual(['未能检查是否残缺：外圈与印迹偏离1.4毫米（超过1毫米，常因相邻印迹挤在一起），请目视核对边框是否完整'])
    expect(unchecked({ unchecked: [{ ...u, quantity: 'ring_double_mm' }] })).toEqual(['未能检查是否残缺：ring_double_mm 1.4毫米（上限1毫米），请目视核对'])
    // the labels one reason kept from being checked are named together, on one line
    const faint = (label: string) => ({ label, quantity: 'ink_snr', value: 2.1437, limit: 2.828427, unit: 'level', op: '<' })
    expect(unchecked({ unchecked: ['broken', 'double', 'off_color'].map(faint) })).toEqual(['未能检查是否残缺、重影、非正红：印迹只比纸面噪声高2.1倍（下限2.8倍），请目视核对'])
    expect(unchecked({ unchecked: [] })).toEqual([])
    // paper whose tint a light stock and a capture's colour cast share: the clerk looks at the sheet
    const tint = { label: 'bg_not_white', quantity: 'paper_tint', value: 14.68, limit: 12, unit: 'level', op: '>' }
    expect(unchecked({ unchecked: [tint] })).toEqual(['未能检查是否背景不白：纸面偏色15（超过12）。浅色纸与扫描、拍摄时的偏色在图像上无法区分，请目视核对纸张是否为白色'])
    // a smear the frame does not share: judged, not left unread, and said so
    const typeface = { label: 'smudged', quantity: 'frame_smear', value: -0.03, limit: 0.1, unit: 'share', op: '<' }
    expect(unchecked({ unchecked: [{ ...typeface, value: 0.04 }] })).toEqual(['未判为模糊/洇开：文字笔画沿一个方向加宽，但边框没有随之加宽（为文字加宽的4%，下限10%），按字体本身的笔形（如宋体的撇捺）看待，不是盖印时拖动；请目视核对'])
    // a frame that did not widen at all is said so, not as a negative share
    expect(unchecked({ unchecked: [typeface] })).toEqual(['未判为模糊/洇开：文字笔画沿一个方向加宽，但边框完全没有加宽（下限10%），按字体本身的笔形（如宋体的撇捺）看待，不是盖印时拖动；请目视核对'])
  })
})
