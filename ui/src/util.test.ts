// The counter's local time: the store keeps UTC, clerks in China read Beijing time (the suite
// runs with TZ=Asia/Shanghai, as scripts/test.sh sets it).
import { describe, expect, it } from 'vitest'
import { fmtMinute, fmtTime, localDay, normalizeDay, reasonShown, sealName } from './util'
import { locale } from './i18n'

describe('local time', () => {
  it('runs in the counter time zone', () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('Asia/Shanghai')
  })
  it('shows a UTC time as the counter local time', () => {
    expect(fmtTime('2026-11-22T01:30:00.000000Z')).toBe('2026-11-22 09:30:00')
    expect(fmtTime('2026-11-22T09:30:00+08:00')).toBe('2026-11-22 09:30:00')
    // lists and pages show the minute: 2026-11-22 14:05, never the OS locale's 11/22/2026
    expect(fmtMinute('2026-11-22T06:05:59Z')).toBe('2026-11-22 14:05')
    expect(fmtMinute('不是时间')).toBe('不是时间')
  })
  it('puts a time near midnight on the counter local day', () => {
    expect(localDay('2026-11-22T16:00:30Z')).toBe('2026-11-23')
    expect(localDay('2026-11-22T15:59:59Z')).toBe('2026-11-22')
  })
  it('leaves what is no time as it is', () => {
    expect(fmtTime('')).toBe('')
    expect(fmtTime(null)).toBe('')
    expect(fmtTime('不是时间')).toBe('不是时间')
  })
})

describe('stored files by their Chinese names', () => {
  it('names seal images, the sheet scan and the issued certificate; a file of the user stays as named', () => {
    expect(sealName('seal:official_seal')).toBe('公章')
    expect(sealName('seal:scan')).toBe('印章采集表扫描件')
    expect(sealName('certificate')).toBe('签发的证书')
    expect(sealName('营业执照.jpg')).toBe('营业执照.jpg')
  })
})

describe('normalizeDay', () => {
  it('shows and takes a day as 2026-11-24 whatever the locale', () => {
    for (const typed of ['2026-11-24', '2026/11/24', '2026.11.24', '20261124', '2026年11月24日', ' 2026-11-24 ']) expect(normalizeDay(typed)).toBe('2026-11-24')
    expect(normalizeDay('2026-1-5')).toBe('2026-01-05')
    expect(normalizeDay('')).toBe('')
    for (const bad of ['11/24/2026', '24.11.2026', '2026-02-30', '2026-13-01', '2026-11', 'today']) expect(normalizeDay(bad)).toBeNull()
  })
})

describe('a backend reason in two languages', () => {
  it('shows its Chinese part on a Chinese screen and all of it on an English one', () => {
    const why = '金额300.00与甲公司待缴案件的应收金额不符 (amount 300.00 matches no waiting case of 甲公司; fees: 400.00)'
    const before = locale.value
    try {
      locale.value = 'zh-CN'
      expect(reasonShown(why)).toBe('金额300.00与甲公司待缴案件的应收金额不符')
      expect(reasonShown('not an amount', '无法读取')).toBe('无法读取')
      expect(reasonShown('私人汇款恕不受理')).toBe('私人汇款恕不受理')
      locale.value = 'en'
      expect(reasonShown(why)).toBe(why)
    } finally {
      locale.value = before
    }
  })
})
