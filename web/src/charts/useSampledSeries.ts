// Loads one metric's sampled history for a set of runs (one request per chart, not per
// run), re-requests it for a zoomed window, and appends live points as they arrive.

import { useEffect, useMemo, useRef, useState } from 'react'
import { sampledHistory } from '../api/client'
import type { SampledSeries } from '../models'
import type { MetricFeed } from './liveFeed'
import type { ChartRun, XAxisMode, XWindow } from './types'
import { appendPoints, pointsToColumns, type XYColumns } from './wire'

/** The server's cap on run ids per sampled request. */
export const MAX_RUNS_PER_REQUEST = 200
/** Wait after the last zoom/option change before asking the server. */
const DEBOUNCE_MS = 250
/** Coalesces live events that need a server round trip (smoothing, zoom, resampling). */
const LIVE_REFRESH_MS = 1000

export interface SampledQuery {
  metricKey: string
  runs: readonly ChartRun[]
  xAxis: XAxisMode
  smoothing: number
  zoom: XWindow | null
  maxPoints: number
  /** False until the chart is visible and measured. */
  enabled: boolean
  /** Live points to append (run page of a running run). */
  live?: MetricFeed
}

export interface SampledState {
  /** Columns per run id; runs without points for the key are absent. */
  columns: ReadonlyMap<string, XYColumns>
  /** The x mode the columns are in (the query's may be newer while loading). */
  xAxis: XAxisMode
  /** Points in the window before sampling, summed over runs. */
  totalPoints: number
  loading: boolean
  error: string | null
}

/** Returns the sampled series of several runs, splitting past the server's run cap. */
export async function fetchSampled(
  runIds: readonly string[],
  metricKey: string,
  xAxis: XAxisMode,
  smoothing: number,
  zoom: XWindow | null,
  maxPoints: number,
): Promise<SampledSeries[]> {
  const chunks: string[][] = []
  for (let i = 0; i < runIds.length; i += MAX_RUNS_PER_REQUEST) {
    chunks.push(runIds.slice(i, i + MAX_RUNS_PER_REQUEST))
  }
  const answers = await Promise.all(
    chunks.map((run_ids) =>
      sampledHistory({
        run_ids,
        metric_keys: [metricKey],
        x_axis: xAxis,
        max_points: maxPoints,
        ...(smoothing > 0 ? { smoothing } : {}),
        // The server takes integer bounds (steps, ms); widen so the window stays inside.
        ...(zoom ? { start: Math.floor(zoom.min), end: Math.ceil(zoom.max) } : {}),
      }),
    ),
  )
  return answers.flat()
}

export function useSampledSeries(query: SampledQuery): SampledState {
  const { metricKey, runs, xAxis, smoothing, zoom, maxPoints, enabled, live } = query
  const [state, setState] = useState<SampledState>({
    columns: new Map(),
    xAxis,
    totalPoints: 0,
    loading: false,
    error: null,
  })
  const [refreshToken, setRefreshToken] = useState(0)
  const loadedOnce = useRef(false)

  const runIdsKey = runs.map((r) => r.runId).join(',')
  const startTimes = useMemo(() => new Map(runs.map((r) => [r.runId, r.startTime])), [runs])
  // Read through a ref so a parent passing a new (equal) runs array does not refetch.
  const startTimesRef = useRef(startTimes)
  useEffect(() => {
    startTimesRef.current = startTimes
  })
  const zoomMin = zoom?.min
  const zoomMax = zoom?.max

  useEffect(() => {
    if (!enabled || runIdsKey === '') return
    let stale = false
    const timer = setTimeout(
      async () => {
        setState((s) => ({ ...s, loading: true }))
        try {
          const window = zoomMin === undefined || zoomMax === undefined ? null : { min: zoomMin, max: zoomMax }
          const series = await fetchSampled(runIdsKey.split(','), metricKey, xAxis, smoothing, window, maxPoints)
          if (stale) return
          const columns = new Map<string, XYColumns>()
          let totalPoints = 0
          for (const s of series) {
            columns.set(s.run_id, pointsToColumns(s.points, xAxis, startTimesRef.current.get(s.run_id) ?? 0))
            totalPoints += s.total_points
          }
          loadedOnce.current = true
          setState({ columns, xAxis, totalPoints, loading: false, error: null })
        } catch (e) {
          if (!stale) setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : String(e) }))
        }
      },
      loadedOnce.current ? DEBOUNCE_MS : 0,
    )
    return () => {
      stale = true
      clearTimeout(timer)
    }
  }, [enabled, runIdsKey, metricKey, xAxis, smoothing, zoomMin, zoomMax, maxPoints, refreshToken])

  // Live points: append directly when the chart shows raw, unzoomed data; otherwise the
  // server must recompute (EMA over full history, windowed sampling), at most once a second.
  const needsServer = useRef(false)
  useEffect(() => {
    needsServer.current = smoothing > 0 || zoom !== null
  })
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    if (!live) return
    const scheduleRefresh = () => {
      refreshTimer.current ??= setTimeout(() => {
        refreshTimer.current = null
        setRefreshToken((t) => t + 1)
      }, LIVE_REFRESH_MS)
    }
    const unsubscribeResync = live.onResync(scheduleRefresh)
    const unsubscribe = live.subscribe(metricKey, (runId, points) => {
      const startTime = startTimesRef.current.get(runId)
      if (startTime === undefined) return
      if (needsServer.current) return scheduleRefresh()
      setState((s) => {
        const next = new Map(s.columns)
        const grown = appendPoints(s.columns.get(runId) ?? { xs: [], ys: [] }, points, s.xAxis, startTime)
        next.set(runId, grown)
        // Far more points than pixels: let the server resample.
        if (grown.xs.length > 4 * maxPoints) scheduleRefresh()
        return { ...s, columns: next, totalPoints: s.totalPoints + points.length }
      })
    })
    return () => {
      unsubscribe()
      unsubscribeResync()
      if (refreshTimer.current) clearTimeout(refreshTimer.current)
      refreshTimer.current = null
    }
  }, [live, metricKey, maxPoints])

  return state
}
