// One metric chart backed by the server's M4-sampled history: measures its width to pick
// `max_points`, fetches once it scrolls into view, re-samples a dragged window, and
// appends live points from a MetricFeed.

import { memo, useCallback, useMemo, useRef, useState } from 'react'
import { formatCompact } from './format'
import { useBucketedWidth, useSeenOnce } from './hooks'
import type { MetricFeed } from './liveFeed'
import { MetricChart } from './MetricChart'
import { runColor } from './palette'
import type { ChartRun, ChartSeries, XAxisMode, XWindow } from './types'
import { useSampledSeries } from './useSampledSeries'

export interface SampledMetricChartProps {
  metricKey: string
  /** Runs to draw, memoized by the caller; each gets its stable run colour. */
  runs: readonly ChartRun[]
  xAxis: XAxisMode
  logScale: boolean
  smoothing: number
  live?: MetricFeed
  height?: number
}

/** M4 keeps up to four points per bucket, so about one point per pixel column is plenty. */
function maxPointsFor(width: number): number {
  return Math.min(10_000, Math.max(200, width))
}

function SampledMetricChartImpl({ metricKey, runs, xAxis, logScale, smoothing, live, height }: SampledMetricChartProps) {
  const boxRef = useRef<HTMLElement>(null)
  const width = useBucketedWidth(boxRef)
  const seen = useSeenOnce(boxRef)
  // A zoom belongs to the x mode it was made in (steps and milliseconds do not mix).
  const [zoomState, setZoomState] = useState<{ xAxis: XAxisMode; window: XWindow } | null>(null)
  const zoom = zoomState?.xAxis === xAxis ? zoomState.window : null

  const sampled = useSampledSeries({
    metricKey,
    runs,
    xAxis,
    smoothing,
    zoom,
    maxPoints: maxPointsFor(width),
    enabled: seen && width > 0,
    live,
  })

  const current = sampled.xAxis === xAxis
  const series = useMemo<ChartSeries[]>(() => {
    if (!current) return []
    return runs.flatMap((run) => {
      const columns = sampled.columns.get(run.runId)
      return columns ? [{ id: run.runId, label: run.label, color: runColor(run.runId), ...columns }] : []
    })
  }, [runs, sampled.columns, current])

  const onZoom = useCallback(
    (window: XWindow | null) => setZoomState(window ? { xAxis, window } : null),
    [xAxis],
  )

  const shownPoints = series.reduce((n, s) => n + s.xs.length, 0)
  const nothingFinite = series.length > 0 && series.every((s) => s.ys.every((y) => y === null))
  return (
    // data-points: the points drawn, for tests and for the curious (devtools).
    <section ref={boxRef} className="chart-card" data-metric={metricKey} data-points={shownPoints}>
      <header className="chart-card-header">
        <h3 title={metricKey}>{metricKey}</h3>
        <span className="muted chart-card-status">
          {sampled.loading ? 'Loading…' : shownPoints < sampled.totalPoints ? `${formatCompact(shownPoints)} of ${formatCompact(sampled.totalPoints)} points` : ''}
        </span>
        {zoom && (
          <button type="button" className="chart-card-reset" onClick={() => setZoomState(null)}>
            Reset zoom
          </button>
        )}
      </header>
      {sampled.error ? (
        <p className="error chart-card-empty">Could not load {metricKey}: {sampled.error}</p>
      ) : series.length === 0 || nothingFinite ? (
        <p className="muted chart-card-empty" style={{ height: (height ?? 260) + 30 }}>
          {nothingFinite ? 'Only NaN or infinite values' : sampled.loading || !seen || !current ? 'Loading…' : 'No points'}
        </p>
      ) : (
        <MetricChart
          title={`${metricKey} by ${xAxis}`}
          series={series}
          xAxis={xAxis}
          logScale={logScale}
          zoom={zoom}
          onZoom={onZoom}
          height={height}
        />
      )}
    </section>
  )
}

/** A metric chart that loads its sampled data from the server. */
export const SampledMetricChart = memo(SampledMetricChartImpl)
