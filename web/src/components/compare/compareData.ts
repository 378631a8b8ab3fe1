// Pure helpers of the compare page: run ids from the URL, the params diff, the columns a
// scatter or parallel-coordinates axis can show, and their scales.

import { toNumber, type Run } from '../../models'

/** Returns the run ids of `?runs=a,b,c`, without blanks and duplicates, in order. */
export function parseRunIds(value: string | null): string[] {
  if (!value) return []
  return [...new Set(value.split(',').map((id) => id.trim()).filter((id) => id !== ''))]
}

/** Returns the label a run is shown with: its name, else a short id. */
export function runLabel(run: Run): string {
  return run.info.run_name || run.info.run_id.slice(0, 8)
}

/** One row of a diff table: a key and its value in each run (`undefined`: not logged). */
export interface DiffRow {
  key: string
  values: (string | undefined)[]
  differs: boolean
}

/** Returns one row per param key over the runs, sorted by key, flagging differing values. */
export function paramDiffRows(runs: readonly Run[]): DiffRow[] {
  const perRun = runs.map((r) => new Map((r.data.params ?? []).map((p) => [p.key, p.value])))
  const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort((a, b) => a.localeCompare(b))
  return keys.map((key) => {
    const values = perRun.map((m) => m.get(key))
    return { key, values, differs: values.some((v) => v !== values[0]) }
  })
}

/** A run attribute that can go on a chart axis. */
export interface Column {
  kind: 'param' | 'metric'
  key: string
}

/** Returns the id of a column as kept in the URL: `param:lr`, `metric:loss`. */
export const columnId = (c: Column) => `${c.kind}:${c.key}`

/** Returns the column of a URL id, or `null` for anything else. */
export function parseColumnId(id: string | null): Column | null {
  const match = id?.match(/^(param|metric):(.+)$/)
  return match ? { kind: match[1] as Column['kind'], key: match[2] } : null
}

/** Returns every param and latest-metric key the runs have, params first, each sorted. */
export function columnsOf(runs: readonly Run[]): Column[] {
  const params = new Set<string>()
  const metrics = new Set<string>()
  for (const r of runs) {
    r.data.params?.forEach((p) => params.add(p.key))
    r.data.metrics?.forEach((m) => metrics.add(m.key))
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b))
  return [
    ...sorted(params).map((key): Column => ({ kind: 'param', key })),
    ...sorted(metrics).map((key): Column => ({ kind: 'metric', key })),
  ]
}

/**
 * Returns a run's value in a column: the text for params, a number for metrics.
 * NaN and infinite metrics have no place on an axis and count as missing.
 */
export function columnValue(run: Run, column: Column): string | number | undefined {
  if (column.kind === 'param') return run.data.params?.find((p) => p.key === column.key)?.value
  const metric = run.data.metrics?.find((m) => m.key === column.key)
  const value = metric === undefined ? undefined : toNumber(metric.value)
  return value !== undefined && Number.isFinite(value) ? value : undefined
}

/** Where values sit along an axis: numbers on a linear range, anything else as categories. */
export type AxisScale =
  | { type: 'linear'; min: number; max: number }
  | { type: 'category'; categories: string[] }

const asNumber = (v: string | number) => (typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v))

/** Returns the scale for some values: linear when every value is a finite number. */
export function scaleFor(values: readonly (string | number | undefined)[]): AxisScale {
  const present = values.filter((v): v is string | number => v !== undefined)
  const numbers = present.map(asNumber)
  if (present.length > 0 && numbers.every(Number.isFinite)) {
    return { type: 'linear', min: Math.min(...numbers), max: Math.max(...numbers) }
  }
  const categories = [...new Set(present.map(String))]
  // Numeric-looking categories (e.g. "32", "64", "auto") read best in numeric order.
  categories.sort((a, b) => {
    const [x, y] = [Number(a), Number(b)]
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b)
  })
  return { type: 'category', categories }
}

/** Returns a value's position on the scale in [0, 1], or `null` when it has none. */
export function scalePosition(scale: AxisScale, value: string | number | undefined): number | null {
  if (value === undefined) return null
  if (scale.type === 'linear') {
    const n = asNumber(value)
    if (!Number.isFinite(n)) return null
    return scale.max === scale.min ? 0.5 : (n - scale.min) / (scale.max - scale.min)
  }
  const i = scale.categories.indexOf(String(value))
  if (i < 0) return null
  return scale.categories.length === 1 ? 0.5 : i / (scale.categories.length - 1)
}

/** Returns about `count` round tick values covering [min, max] (1, 2 or 5 times 10^k apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) return [min]
  const raw = (max - min) / Math.max(1, count - 1)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const normalized = raw / magnitude
  const step = (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude
  const ticks: number[] = []
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    // Rounding removes float noise such as 0.30000000000000004.
    ticks.push(Number(t.toPrecision(12)))
  }
  return ticks
}

/** A labelled tick at a position in [0, 1] along an axis. */
export interface AxisTick {
  position: number
  label: string
}

/**
 * Returns the ticks of a scale: round numbers for linear scales, the categories for
 * categorical ones (every n-th when there are more than `maxTicks`).
 */
export function axisTicks(scale: AxisScale, maxTicks: number, format: (n: number) => string): AxisTick[] {
  if (scale.type === 'linear') {
    return niceTicks(scale.min, scale.max, Math.min(maxTicks, 5)).map((t) => ({
      position: scalePosition(scale, t) ?? 0.5,
      label: format(t),
    }))
  }
  const every = Math.max(1, Math.ceil(scale.categories.length / maxTicks))
  return scale.categories
    .filter((_, i) => i % every === 0)
    .map((c) => ({ position: scalePosition(scale, c) ?? 0.5, label: c }))
}
