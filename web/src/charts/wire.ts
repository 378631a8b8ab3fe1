// Conversion of the server's metric points (wire doubles, step/timestamp pairs) into the
// plain numeric x/y columns the chart draws.

import { toNumber, type WireDouble } from '../models'
import type { XYSeries } from './align'
import type { XAxisMode } from './types'

/** The fields of a logged point the x axis can be built from. */
export interface PointLike {
  step: number
  timestamp: number
  value: WireDouble
}

/** Returns a point's x in the given axis mode; `relative` counts ms from the run's start. */
export function pointX(point: Pick<PointLike, 'step' | 'timestamp'>, mode: XAxisMode, startTime: number): number {
  if (mode === 'step') return Number(point.step)
  if (mode === 'time') return Number(point.timestamp)
  return Number(point.timestamp) - startTime
}

/** Returns the y to draw for a wire value, or `null` (a gap) when it cannot be drawn. */
export function plotValue(value: WireDouble): number | null {
  const n = toNumber(value)
  return Number.isFinite(n) ? n : null
}

/** Returns the ys with non-positive values turned into gaps, since log scales cannot show them. */
export function forLogScale(ys: readonly (number | null)[]): (number | null)[] {
  return ys.map((y) => (y !== null && y > 0 ? y : null))
}

/** Mutable x/y columns of one run's series. */
export interface XYColumns extends XYSeries {
  xs: number[]
  ys: (number | null)[]
}

/** Returns the points as x/y columns sorted by x (the server sorts; live points may not be). */
export function pointsToColumns(points: readonly PointLike[], mode: XAxisMode, startTime: number): XYColumns {
  const columns: XYColumns = { xs: [], ys: [] }
  return appendPoints(columns, points, mode, startTime)
}

/**
 * Returns new columns with the points added in x order. Points arriving in order (the
 * usual live case) are pushed; a late point is inserted after existing points of equal x.
 */
export function appendPoints(
  columns: XYColumns,
  points: readonly PointLike[],
  mode: XAxisMode,
  startTime: number,
): XYColumns {
  const xs = columns.xs.slice()
  const ys = columns.ys.slice()
  for (const p of points) {
    const x = pointX(p, mode, startTime)
    const y = plotValue(p.value)
    if (xs.length === 0 || x >= xs[xs.length - 1]) {
      xs.push(x)
      ys.push(y)
      continue
    }
    let lo = 0
    let hi = xs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (xs[mid] <= x) lo = mid + 1
      else hi = mid
    }
    xs.splice(lo, 0, x)
    ys.splice(lo, 0, y)
  }
  return { xs, ys }
}
