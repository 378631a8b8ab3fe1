// Number, time and duration formatting for chart axes, hover legends and tables.

import type { XAxisMode } from './types'

/** Returns a metric value with about five significant digits; exponents for extremes. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞'
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(3).replace(/\.?0+e/, 'e')
  return String(Number(value.toPrecision(5)))
}

/** Returns a count in compact form: 950, 1.5k, 12k, 3.2M (for step ticks). */
export function formatCompact(value: number): string {
  const abs = Math.abs(value)
  if (abs < 1000) return String(Number(value.toPrecision(4)))
  const [div, unit] = abs >= 1e9 ? [1e9, 'B'] : abs >= 1e6 ? [1e6, 'M'] : [1e3, 'k']
  return `${Number((value / div).toPrecision(3))}${unit}`
}

/** Returns a duration in ms as e.g. `850ms`, `12.5s`, `3m 05s`, `2h 03m`, `1d 04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  const sign = ms < 0 ? '-' : ''
  if (ms === 0) return '0'
  const abs = Math.abs(ms)
  const pad = (n: number) => String(Math.floor(n)).padStart(2, '0')
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`
  if (abs < 60_000) return `${sign}${Number((abs / 1000).toPrecision(3))}s`
  // Round values (axis ticks) drop the zero part: `5m`, not `5m 00s`.
  const two = (major: number, majorUnit: string, minor: number, minorUnit: string) =>
    `${sign}${Math.floor(major)}${majorUnit}${Math.floor(minor) === 0 ? '' : ` ${pad(minor)}${minorUnit}`}`
  if (abs < 3_600_000) return two(abs / 60_000, 'm', (abs % 60_000) / 1000, 's')
  if (abs < 86_400_000) return two(abs / 3_600_000, 'h', (abs % 3_600_000) / 60_000, 'm')
  return two(abs / 86_400_000, 'd', (abs % 86_400_000) / 3_600_000, 'h')
}

/** Returns a ms timestamp as local `YYYY-MM-DD HH:MM:SS`. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms)
  if (Number.isNaN(d.getTime())) return '—'
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** Returns an x value as the hover legend shows it in the given axis mode. */
export function formatX(mode: XAxisMode, x: number | null | undefined): string {
  if (x === null || x === undefined) return '—'
  if (mode === 'step') return String(x)
  if (mode === 'time') return formatTimestamp(x)
  return formatDuration(x)
}

/** Returns the x axis title for a mode. */
export function xAxisLabel(mode: XAxisMode): string {
  return mode === 'step' ? 'Step' : mode === 'time' ? 'Time' : 'Time since start'
}
