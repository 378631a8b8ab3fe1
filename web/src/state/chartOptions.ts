// Chart options kept in the URL query, so a shared link shows the same charts:
// `x` = step|time|relative, `log` = 1, `smooth` = 0..0.99, `metrics` = comma-separated keys.
// Defaults are left out of the URL to keep links short.

import { X_AXIS_MODES, type XAxisMode } from '../charts/types'

export interface ChartOptions {
  xAxis: XAxisMode
  logScale: boolean
  /** EMA weight in [0, 0.99]; 0 shows raw values. */
  smoothing: number
  /** Selected metric keys; empty means "all". */
  metrics: string[]
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = {
  xAxis: 'step',
  logScale: false,
  smoothing: 0,
  metrics: [],
}

/** The largest smoothing weight; the server accepts [0, 1) and 1 would freeze the curve. */
export const MAX_SMOOTHING = 0.99

/** Returns a smoothing weight clamped to [0, 0.99] and rounded to two decimals. */
export function clampSmoothing(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0
  return Math.round(Math.min(value, MAX_SMOOTHING) * 100) / 100
}

/** Returns the chart options read from a URL query; invalid values fall back to defaults. */
export function parseChartOptions(params: URLSearchParams): ChartOptions {
  const x = params.get('x')
  const smooth = params.get('smooth')
  const metrics = params.get('metrics')
  return {
    xAxis: X_AXIS_MODES.find((m) => m === x) ?? DEFAULT_CHART_OPTIONS.xAxis,
    logScale: params.get('log') === '1',
    smoothing: smooth === null ? 0 : clampSmoothing(Number(smooth)),
    // MLflow metric keys cannot contain commas, so a comma list is unambiguous.
    metrics: metrics ? [...new Set(metrics.split(',').filter((k) => k !== ''))] : [],
  }
}

/** Returns a copy of `params` holding `options`; other query keys are kept. */
export function writeChartOptions(params: URLSearchParams, options: ChartOptions): URLSearchParams {
  const out = new URLSearchParams(params)
  const set = (key: string, value: string | null) => (value === null ? out.delete(key) : out.set(key, value))
  set('x', options.xAxis === DEFAULT_CHART_OPTIONS.xAxis ? null : options.xAxis)
  set('log', options.logScale ? '1' : null)
  const smoothing = clampSmoothing(options.smoothing)
  set('smooth', smoothing === 0 ? null : String(smoothing))
  set('metrics', options.metrics.length === 0 ? null : options.metrics.join(','))
  return out
}
