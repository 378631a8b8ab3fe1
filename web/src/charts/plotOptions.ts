// Builds the uPlot options of a metric chart: axes per x mode, log y, drag-to-zoom,
// a live legend with every run's value at the cursor, theme-aware axis colours.

import type uPlot from 'uplot'
import { formatCompact, formatDuration, formatValue, formatX, xAxisLabel } from './format'
import type { ThemeColors } from './theme'
import type { XAxisMode, XWindow } from './types'

export interface PlotSeriesMeta {
  label: string
  color: string
}

export interface PlotOptionsInput {
  width: number
  height: number
  xAxis: XAxisMode
  logScale: boolean
  series: readonly PlotSeriesMeta[]
  /** Read at every draw, so a theme switch only needs a redraw. */
  theme: () => ThemeColors
  /** Called with the dragged x window, or `null` on double-click (reset). */
  onZoom: (window: XWindow | null) => void
}

const AXIS_FONT = '11px system-ui, sans-serif'
const MAX_SERIES_WITH_HOVER_POINTS = 30

/** Returns the width an axis needs for its longest tick label. */
function axisSize(_u: uPlot, values: string[] | null): number {
  const longest = values?.reduce((n, v) => Math.max(n, String(v).length), 0) ?? 4
  return Math.max(40, longest * 6.5 + 14)
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
/** Tick spacings of a duration axis: round seconds, minutes, hours and days, not 500 000 ms. */
const DURATION_INCREMENTS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  24 * HOUR, 2 * 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR,
]

/** Tick spacings of a step axis: whole steps only (no tick at step 0.5). */
const STEP_INCREMENTS = Array.from({ length: 13 }, (_, e) => [1, 2, 5].map((f) => f * 10 ** e)).flat()

/** Returns a tick formatter; uPlot passes `null` for ticks it wants unlabelled (log minors). */
const ticks =
  (format: (n: number) => string): uPlot.Axis.Values =>
  (_u, splits) =>
    splits.map((v) => (v === null || v === undefined ? '' : format(v)))

/** Returns the x tick formatter for non-time modes (time axes use uPlot's date ticks). */
function xTicks(mode: XAxisMode): uPlot.Axis.Values | undefined {
  if (mode === 'step') return ticks(formatCompact)
  if (mode === 'relative') return ticks(formatDuration)
  return undefined
}

export function buildPlotOptions(input: PlotOptionsInput): uPlot.Options {
  const { xAxis, theme, onZoom } = input
  const axisColors = {
    stroke: () => theme().muted,
    grid: { stroke: () => theme().border, width: 1 },
    ticks: { stroke: () => theme().border, width: 1 },
    font: AXIS_FONT,
  }
  return {
    width: input.width,
    height: input.height,
    // uPlot's x is seconds by default; our timestamps and durations are milliseconds.
    ms: 1,
    scales: {
      x: {
        time: xAxis === 'time',
        // A single x (a final test metric): centre it instead of uPlot's 0..100 default
        // (uPlot widens min == max before calling this, so look at the data itself).
        range: (u, min, max) => {
          const xs = u.data[0]
          if (xs.length === 0 || xs[0] !== xs[xs.length - 1]) return [min, max]
          const pad = xAxis === 'step' ? 1 : SECOND
          return [xs[0] - pad, xs[0] + pad]
        },
      },
      y: input.logScale ? { distr: 3, log: 10 } : {},
    },
    series: [
      { label: xAxisLabel(xAxis), value: (_u, x) => formatX(xAxis, x) },
      ...input.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          // `null` (NaN, ±Inf, ≤0 on log) breaks the line; `undefined` alignment holes do not.
          spanGaps: false,
          value: (_u, y) => formatValue(y),
          points: { size: 5 },
        }),
      ),
    ],
    axes: [
      {
        ...axisColors,
        values: xTicks(xAxis),
        // Time ticks take two lines (time, then the date where it changes).
        size: xAxis === 'time' ? 52 : 36,
        ...(xAxis === 'relative' ? { incrs: DURATION_INCREMENTS } : xAxis === 'step' ? { incrs: STEP_INCREMENTS } : {}),
      },
      { ...axisColors, values: ticks(formatValue), size: axisSize },
    ],
    // Dim the other runs when the cursor is near one line (helps with 100 overlaid runs).
    focus: { alpha: 0.35 },
    cursor: {
      drag: { x: true, y: false, setScale: true },
      // A hover dot per series is DOM work on every mouse move; past a few dozen runs the
      // legend values say more than a cloud of dots.
      points: { show: input.series.length <= MAX_SERIES_WITH_HOVER_POINTS },
      focus: { prox: 24 },
      bind: {
        // Let uPlot reset the scale, then ask for the full range from the server.
        dblclick: (_u, _target, handler) => (event) => {
          handler(event)
          onZoom(null)
          return null
        },
      },
    },
    legend: { live: true },
    hooks: {
      // Fires once per finished drag; uPlot then zooms to the selection itself.
      setSelect: [
        (u) => {
          const { left, width } = u.select
          if (width <= 0) return
          onZoom({ min: u.posToVal(left, 'x'), max: u.posToVal(left + width, 'x') })
        },
      ],
    },
  }
}
