// A React wrapper around uPlot for metric lines: one line per run on a shared x axis.
//
// Why uPlot: it draws on a canvas (no DOM node per point as SVG charts have), is ~50 KB,
// and renders a million points in a few milliseconds, so 100 runs of sampled history
// redraw on zoom and live appends without jank. Chart.js/Recharts-class libraries are
// several times larger and orders of magnitude slower at this size.
//
// The uPlot instance is created once per layout (x mode, log scale, set of runs, height)
// and fed new data with `setData`; zoom, resize and theme changes never rebuild it.

import { memo, useEffect, useMemo, useRef } from 'react'
import uPlot from 'uplot'
import { alignSeries, type AlignedColumns } from './align'
import { buildPlotOptions } from './plotOptions'
import { readThemeColors, useThemeChange, type ThemeColors } from './theme'
import type { ChartSeries, XAxisMode, XWindow } from './types'
import { forLogScale } from './wire'
import './charts.css'

export interface MetricChartProps {
  /** Used as the chart's accessible name. */
  title: string
  series: readonly ChartSeries[]
  xAxis: XAxisMode
  logScale: boolean
  /** Zoomed x window; `null` shows the whole data range. */
  zoom: XWindow | null
  /** Called with a dragged window, or `null` after a double-click reset. */
  onZoom?: (zoom: XWindow | null) => void
  /** Height of the plot area plus axes, in CSS pixels (the legend comes on top). */
  height?: number
}

/** Returns the smallest width uPlot gets, for hidden or not yet laid out containers. */
const MIN_WIDTH = 240

function MetricChartImpl({ title, series, xAxis, logScale, zoom, onZoom, height = 260 }: MetricChartProps) {
  const hostRef = useRef<HTMLDivElement>(null)
  const plotRef = useRef<uPlot | null>(null)
  const themeRef = useRef<ThemeColors | null>(null)
  /** The data the plot currently shows, to skip redundant setData calls. */
  const shownData = useRef<AlignedColumns | null>(null)

  const data = useMemo<AlignedColumns>(
    () => alignSeries(logScale ? series.map((s) => ({ xs: s.xs, ys: forLogScale(s.ys) })) : series),
    [series, logScale],
  )

  // Latest props for callbacks and for the (rare) re-creation of the plot.
  const latest = useRef({ data, zoom, onZoom, series })
  useEffect(() => {
    latest.current = { data, zoom, onZoom, series }
  })

  // The series identities uPlot's options encode; a change of values alone goes through setData.
  const seriesKey = JSON.stringify(series.map((s) => [s.id, s.label, s.color]))

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    themeRef.current = readThemeColors()
    const options = buildPlotOptions({
      width: Math.max(host.clientWidth, MIN_WIDTH),
      height,
      xAxis,
      logScale,
      series: latest.current.series,
      theme: () => themeRef.current ?? readThemeColors(),
      onZoom: (window) => latest.current.onZoom?.(window),
    })
    const plot = new uPlot(options, latest.current.data as uPlot.AlignedData, host)
    plotRef.current = plot
    shownData.current = latest.current.data
    if (latest.current.zoom) plot.setScale('x', latest.current.zoom)

    const resize = new ResizeObserver(() => {
      const width = Math.max(host.clientWidth, MIN_WIDTH)
      if (width !== plot.width) plot.setSize({ width, height })
    })
    resize.observe(host)
    return () => {
      resize.disconnect()
      plot.destroy()
      plotRef.current = null
    }
    // seriesKey stands for latest.current.series.
  }, [xAxis, logScale, height, seriesKey])

  // New data (resampled window, live points, smoothing): update in place.
  useEffect(() => {
    const plot = plotRef.current
    if (!plot) return
    if (shownData.current !== data) {
      shownData.current = data
      // Keep a zoomed x range instead of snapping to the data's extent.
      plot.setData(data as uPlot.AlignedData, zoom === null)
    }
    if (zoom && (plot.scales.x.min !== zoom.min || plot.scales.x.max !== zoom.max)) {
      plot.setScale('x', zoom)
    }
  }, [data, zoom])

  useThemeChange(() => {
    themeRef.current = readThemeColors()
    plotRef.current?.redraw(false, true)
  })

  return <div ref={hostRef} className="metric-chart" role="figure" aria-label={title} />
}

/** A uPlot line chart of one metric for several runs. */
export const MetricChart = memo(MetricChartImpl)
