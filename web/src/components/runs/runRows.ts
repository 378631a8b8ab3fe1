// Pure data logic of the runs table: merging server pages, applying live events,
// nesting child runs under their parents, discovering column keys and reading cells.
// Everything here is synchronous and side-effect free so it can be tested directly.

import { toNumber, type LiveEvent, type Metric, type Run, type RunInfo } from '../../models'
import type { ColumnKey } from '../../state/runsView'

/** The tag MLflow sets on a nested run, naming its parent. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId'
const RUN_NAME_TAG = 'mlflow.runName'

export const runIdOf = (run: Run): string => run.info.run_id ?? run.info.run_uuid ?? ''

export function tagValue(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value
}

export function runNameOf(run: Run): string {
  return run.info.run_name || tagValue(run, RUN_NAME_TAG) || runIdOf(run)
}

/** Appends a page, skipping runs already loaded: offset page tokens shift when runs are added meanwhile. */
export function mergeRunPage(loaded: readonly Run[], page: readonly Run[]): Run[] {
  const known = new Set(loaded.map(runIdOf))
  const fresh = page.filter((run) => {
    const id = runIdOf(run)
    if (known.has(id)) return false
    known.add(id)
    return true
  })
  return fresh.length === 0 ? [...loaded] : [...loaded, ...fresh]
}

/**
 * MLflow's latest-metric rule (`SqlLatestMetric`): the greatest step wins, then the
 * latest timestamp, then the greatest value. Returns true when `candidate` replaces
 * `current`.
 */
export function isNewerMetric(candidate: Metric, current: Metric): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp
  return toNumber(candidate.value) > toNumber(current.value)
}

/** Folds new points into a run's latest metrics, one entry per key. */
export function mergeLatestMetrics(latest: readonly Metric[], incoming: readonly Metric[]): Metric[] {
  const byKey = new Map(latest.map((m) => [m.key, m]))
  for (const point of incoming) {
    const current = byKey.get(point.key)
    if (!current || isNewerMetric(point, current)) byKey.set(point.key, point)
  }
  return [...byKey.values()]
}

export interface LiveApplyResult {
  runs: Run[]
  /** Runs of the watched experiments seen for the first time (created or restored). */
  newRuns: RunInfo[]
}

/**
 * Applies a batch of live events to the loaded runs. Known runs update in place
 * (info, latest metrics) or disappear when deleted; unknown active runs are returned
 * as `newRuns` and, when `insertNew` holds, put at the top with empty data until the
 * caller fetches them. Returns the same array when nothing visible changed.
 */
export function applyLiveEvents(
  runs: Run[],
  events: readonly LiveEvent[],
  experimentIds: readonly string[],
  insertNew: boolean,
): LiveApplyResult {
  let next = runs
  let index: Map<string, number> | null = null
  const positionOf = (id: string) => {
    index ??= new Map(next.map((run, i) => [runIdOf(run), i]))
    return index.get(id)
  }
  const writable = () => {
    if (next === runs) next = [...runs]
    return next
  }
  const newRuns: RunInfo[] = []
  const newIds = new Set<string>()

  for (const event of events) {
    if (event.type === 'metrics') {
      const at = positionOf(event.run_id)
      if (at === undefined) continue
      const run = next[at]
      writable()[at] = {
        ...run,
        data: { ...run.data, metrics: mergeLatestMetrics(run.data.metrics ?? [], event.metrics) },
      }
      continue
    }
    if (event.type !== 'run' || !event.run) continue // `lagged` is the caller's; unknown kinds are skipped
    const info = event.run
    const id = info.run_id ?? info.run_uuid ?? ''
    const at = positionOf(id)
    if (at !== undefined) {
      if (info.lifecycle_stage === 'deleted') {
        writable().splice(at, 1)
        index = null
      } else {
        writable()[at] = { ...next[at], info: { ...next[at].info, ...info } }
      }
      continue
    }
    const watched = experimentIds.includes(info.experiment_id)
    if (!watched || info.lifecycle_stage === 'deleted' || newIds.has(id)) continue
    newIds.add(id)
    newRuns.push(info)
    if (insertNew) {
      writable().unshift({ info, data: {} })
      index = null
    }
  }
  return { runs: next, newRuns }
}

/**
 * Puts a freshly fetched run in place of its placeholder, keeping latest metrics that
 * live events delivered while the fetch was in flight.
 */
export function replaceRun(runs: Run[], fetched: Run): Run[] {
  const id = runIdOf(fetched)
  const at = runs.findIndex((run) => runIdOf(run) === id)
  if (at < 0) return runs
  const live = runs[at].data.metrics ?? []
  const merged: Run = {
    ...fetched,
    data: { ...fetched.data, metrics: mergeLatestMetrics(fetched.data.metrics ?? [], live) },
  }
  const next = [...runs]
  next[at] = merged
  return next
}

/** One visible row of the runs tree. */
export interface RunRow {
  run: Run
  id: string
  depth: number
  /** Children among the loaded runs. */
  childCount: number
  expanded: boolean
}

/**
 * Nests runs under their parent (tag `mlflow.parentRunId`) when the parent is loaded,
 * keeping the server's order among siblings, and flattens the tree into the visible
 * rows: children of a collapsed parent are hidden. Runs whose parent is not loaded stay
 * at the top level, and a parent cycle cannot hide runs.
 */
export function buildRunRows(runs: readonly Run[], expanded: ReadonlySet<string>): RunRow[] {
  const ids = new Set(runs.map(runIdOf))
  const children = new Map<string, Run[]>()
  const roots: Run[] = []
  for (const run of runs) {
    const parent = tagValue(run, PARENT_RUN_TAG)
    if (parent && parent !== runIdOf(run) && ids.has(parent)) {
      const list = children.get(parent)
      if (list) list.push(run)
      else children.set(parent, [run])
    } else {
      roots.push(run)
    }
  }

  const rows: RunRow[] = []
  const placed = new Set<string>()
  const visit = (run: Run, depth: number, visible: boolean) => {
    const id = runIdOf(run)
    if (placed.has(id)) return
    placed.add(id)
    const kids = children.get(id) ?? []
    const isExpanded = expanded.has(id)
    if (visible) rows.push({ run, id, depth, childCount: kids.length, expanded: isExpanded })
    for (const kid of kids) visit(kid, depth + 1, visible && isExpanded)
  }
  for (const run of roots) visit(run, 0, true)
  // Runs in a parent cycle have no root; show them at the top level rather than lose them.
  for (const run of runs) visit(run, 0, true)
  return rows
}

export interface DiscoveredKeys {
  params: string[]
  metrics: string[]
  tags: string[]
}

/** Returns the sorted param, metric and tag keys present in the loaded runs. */
export function discoverKeys(runs: readonly Run[]): DiscoveredKeys {
  const params = new Set<string>()
  const metrics = new Set<string>()
  const tags = new Set<string>()
  for (const { data } of runs) {
    data.params?.forEach((p) => params.add(p.key))
    data.metrics?.forEach((m) => metrics.add(m.key))
    data.tags?.forEach((t) => tags.add(t.key))
  }
  const sorted = (set: Set<string>) => [...set].sort((a, b) => a.localeCompare(b))
  return { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) }
}

/** Returns the cell text of a param/metric/tag column, or undefined when the run lacks it. */
export function columnValue(run: Run, column: ColumnKey): string | undefined {
  switch (column.entity) {
    case 'params':
      return run.data.params?.find((p) => p.key === column.key)?.value
    case 'tags':
      return tagValue(run, column.key)
    case 'metrics': {
      const metric = run.data.metrics?.find((m) => m.key === column.key)
      return metric ? formatMetric(toNumber(metric.value)) : undefined
    }
  }
}

/** Shows a metric with up to 6 significant digits, as MLflow's table does for floats. */
export function formatMetric(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞'
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value)
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(4)
  return String(Number(value.toPrecision(6)))
}

/** Formats a duration in ms as `1h 02m`, `3m 05s`, `12.3s` or `450ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return ''
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  const totalSeconds = Math.floor(seconds)
  const pad = (n: number) => String(n).padStart(2, '0')
  const minutes = Math.floor(totalSeconds / 60)
  if (minutes < 60) return `${minutes}m ${pad(totalSeconds % 60)}s`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`
}

/** A run's duration: to its end, or to `now` while it runs. Undefined without a start. */
export function runDuration(info: RunInfo, now: number): number | undefined {
  if (!info.start_time) return undefined
  if (info.end_time) return info.end_time - info.start_time
  // Clamped: the start time comes from the client that logged it, whose clock may be ahead.
  return info.status === 'RUNNING' ? Math.max(0, now - info.start_time) : undefined
}

/** Formats epoch ms as local `YYYY-MM-DD HH:MM:SS`, sortable and unambiguous. */
export function formatTimestamp(ms: number | undefined): string {
  if (!ms) return ''
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}
