import { describe, expect, it } from 'vitest'
import { formatCompact, formatDuration, formatTimestamp, formatValue, formatX } from './format'

describe('formatValue', () => {
  it('rounds to five significant digits', () => {
    expect(formatValue(0.123456789)).toBe('0.12346')
    expect(formatValue(42)).toBe('42')
    expect(formatValue(-1234.5678)).toBe('-1234.6')
  })
  it('uses exponents for very large and very small values', () => {
    expect(formatValue(12_345_678)).toBe('1.235e+7')
    expect(formatValue(0.00001)).toBe('1e-5')
  })
  it('spells non-finite and missing values', () => {
    expect(formatValue(Number.NaN)).toBe('NaN')
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('∞')
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('−∞')
    expect(formatValue(null)).toBe('—')
    expect(formatValue(0)).toBe('0')
  })
})

describe('formatCompact', () => {
  it('abbreviates thousands and millions', () => {
    expect(formatCompact(950)).toBe('950')
    expect(formatCompact(1500)).toBe('1.5k')
    expect(formatCompact(120_000)).toBe('120k')
    expect(formatCompact(3_200_000)).toBe('3.2M')
  })
})

describe('formatDuration', () => {
  it('picks a unit by magnitude', () => {
    expect(formatDuration(850)).toBe('850ms')
    expect(formatDuration(12_500)).toBe('12.5s')
    expect(formatDuration(185_000)).toBe('3m 05s')
    expect(formatDuration(2 * 3_600_000 + 3 * 60_000)).toBe('2h 03m')
    expect(formatDuration(86_400_000 + 4 * 3_600_000)).toBe('1d 04h')
    expect(formatDuration(-2000)).toBe('-2s')
    expect(formatDuration(0)).toBe('0')
    expect(formatDuration(5 * 60_000)).toBe('5m')
    expect(formatDuration(3 * 3_600_000)).toBe('3h')
  })
})

describe('formatTimestamp / formatX', () => {
  it('formats local wall-clock time', () => {
    const ms = new Date(2024, 0, 2, 3, 4, 5).getTime()
    expect(formatTimestamp(ms)).toBe('2024-01-02 03:04:05')
    expect(formatX('time', ms)).toBe('2024-01-02 03:04:05')
  })
  it('formats steps and relative time', () => {
    expect(formatX('step', 12)).toBe('12')
    expect(formatX('relative', 65_000)).toBe('1m 05s')
    expect(formatX('step', null)).toBe('—')
  })
})
