import { describe, expect, it } from 'vitest'
import { alignSeries, unionXs } from './align'

describe('unionXs', () => {
  it('merges and sorts distinct x values', () => {
    expect(unionXs([{ xs: [1, 3, 5], ys: [0, 0, 0] }, { xs: [2, 3, 10], ys: [0, 0, 0] }])).toEqual([1, 2, 3, 5, 10])
  })

  it('keeps an x as many times as one series repeats it', () => {
    const a = { xs: [1, 2, 2, 2, 3], ys: [0, 1, 2, 3, 4] }
    const b = { xs: [2, 2, 4], ys: [0, 0, 0] }
    expect(unionXs([a, b])).toEqual([1, 2, 2, 2, 3, 4])
  })

  it('sorts numerically, not lexically', () => {
    expect(unionXs([{ xs: [9, 100], ys: [0, 0] }, { xs: [10], ys: [0] }])).toEqual([9, 10, 100])
  })
})

describe('alignSeries', () => {
  it('returns an empty x column without series', () => {
    expect(alignSeries([])).toEqual([[]])
  })

  it('keeps shared x columns as they are', () => {
    const data = alignSeries([
      { xs: [0, 1, 2], ys: [1, 2, 3] },
      { xs: [0, 1, 2], ys: [4, null, 6] },
    ])
    expect(data).toEqual([[0, 1, 2], [1, 2, 3], [4, null, 6]])
  })

  it('fills alignment holes with undefined and keeps real gaps as null', () => {
    const [xs, a, b] = alignSeries([
      { xs: [0, 2, 4], ys: [10, null, 30] },
      { xs: [1, 2, 5], ys: [7, 8, 9] },
    ])
    expect(xs).toEqual([0, 1, 2, 4, 5])
    expect(Array.from(a)).toEqual([10, undefined, null, 30, undefined])
    expect(Array.from(b)).toEqual([undefined, 7, 8, undefined, 9])
  })

  it('gives repeated x values their own slots', () => {
    const [xs, a, b] = alignSeries([
      { xs: [1, 1, 2], ys: [5, -5, 0] },
      { xs: [1, 2], ys: [3, 4] },
    ])
    expect(xs).toEqual([1, 1, 2])
    expect(Array.from(a)).toEqual([5, -5, 0])
    expect(Array.from(b)).toEqual([3, undefined, 4])
  })

  it('aligns 100 runs of 1000 distinct timestamps quickly', () => {
    const series = Array.from({ length: 100 }, (_, r) => {
      const xs = Array.from({ length: 1000 }, (_, i) => 1_700_000_000_000 + i * 1000 + r)
      return { xs, ys: xs.map((_, i) => Math.sin(i + r)) }
    })
    const started = performance.now()
    const data = alignSeries(series)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(data[0]).toHaveLength(100_000)
    expect(data).toHaveLength(101)
    expect(data[5][4 * 100 + 4]).toBeCloseTo(Math.sin(4 + 4))
  })
})
