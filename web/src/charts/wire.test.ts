import { describe, expect, it } from 'vitest'
import { appendPoints, forLogScale, plotValue, pointsToColumns, pointX } from './wire'

const point = (step: number, timestamp: number, value: number | 'NaN' | 'Infinity' | '-Infinity' = 1) => ({
  step,
  timestamp,
  value,
})

describe('pointX', () => {
  it('reads the step, the timestamp, or ms since the run start', () => {
    const p = point(7, 1_700_000_005_000)
    expect(pointX(p, 'step', 1_700_000_000_000)).toBe(7)
    expect(pointX(p, 'time', 1_700_000_000_000)).toBe(1_700_000_005_000)
    expect(pointX(p, 'relative', 1_700_000_000_000)).toBe(5000)
  })
})

describe('plotValue', () => {
  it('keeps finite numbers and turns wire non-finite values into gaps', () => {
    expect(plotValue(0.25)).toBe(0.25)
    expect(plotValue(-3)).toBe(-3)
    expect(plotValue('NaN')).toBeNull()
    expect(plotValue('Infinity')).toBeNull()
    expect(plotValue('-Infinity')).toBeNull()
  })
})

describe('forLogScale', () => {
  it('drops values a log axis cannot place', () => {
    expect(forLogScale([1, 0, -2, null, 1e-9])).toEqual([1, null, null, null, 1e-9])
  })
})

describe('pointsToColumns / appendPoints', () => {
  it('converts points into columns', () => {
    expect(pointsToColumns([point(0, 10, 1), point(1, 20, 'NaN')], 'step', 0)).toEqual({
      xs: [0, 1],
      ys: [1, null],
    })
  })

  it('appends in order and inserts late points by x', () => {
    const base = pointsToColumns([point(0, 0, 0), point(2, 0, 2)], 'step', 0)
    const next = appendPoints(base, [point(3, 0, 3), point(1, 0, 1), point(2, 0, 20)], 'step', 0)
    expect(next.xs).toEqual([0, 1, 2, 2, 3])
    expect(next.ys).toEqual([0, 1, 2, 20, 3])
    // The input columns are left untouched (React state).
    expect(base.xs).toEqual([0, 2])
  })
})
