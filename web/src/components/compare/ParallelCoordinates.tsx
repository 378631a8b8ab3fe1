// Parallel coordinates of params → one metric: an axis per param that varies across the
// runs, the chosen metric last; one polyline per run in its run colour. Hand-written SVG:
// at most a few hundred runs, and SVG takes the theme's CSS variables and hover for free.

import { useMemo, useRef, useState } from 'react'
import { formatValue } from '../../charts/format'
import { useBucketedWidth } from '../../charts/hooks'
import { runColor } from '../../charts/palette'
import type { Run } from '../../models'
import { axisTicks, columnValue, runLabel, scaleFor, scalePosition, type Column } from './compareData'

/** More axes than this get too narrow to read. */
const MAX_AXES = 12
const HEIGHT = 320
const MARGIN = { top: 36, right: 70, bottom: 16, left: 70 }

export interface ParallelCoordinatesProps {
  runs: readonly Run[]
  /** Param columns to consider; the ones whose value differs between runs get an axis. */
  params: readonly Column[]
  metric: Column | null
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

export function ParallelCoordinates({ runs, params, metric }: ParallelCoordinatesProps) {
  const boxRef = useRef<HTMLDivElement>(null)
  const width = Math.max(useBucketedWidth(boxRef, 10), 400)
  const [hovered, setHovered] = useState<string | null>(null)

  const axes = useMemo(() => {
    const varying = params.filter((c) => new Set(runs.map((r) => columnValue(r, c))).size > 1)
    const chosen = (varying.length > 0 ? varying : params).slice(0, MAX_AXES - 1)
    const columns = metric ? [...chosen, metric] : chosen
    return columns.map((column) => {
      const values = runs.map((r) => columnValue(r, column))
      return { column, values, scale: scaleFor(values) }
    })
  }, [runs, params, metric])

  if (axes.length < 2) {
    return (
      <div ref={boxRef} className="parallel-coordinates">
        <p className="muted">Parallel coordinates need at least one param and a metric.</p>
      </div>
    )
  }

  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const step = (width - MARGIN.left - MARGIN.right) / (axes.length - 1)
  const xOf = (i: number) => MARGIN.left + i * step
  const yOf = (position: number) => MARGIN.top + (1 - position) * plotHeight
  const labelChars = Math.max(6, Math.floor(step / 7))

  const lines = runs.map((run, r) => {
    let d = ''
    let pen = false
    axes.forEach((axis, i) => {
      const position = scalePosition(axis.scale, axis.values[r])
      if (position === null) {
        pen = false // a missing value breaks the line instead of inventing one
        return
      }
      d += `${pen ? 'L' : 'M'}${xOf(i).toFixed(1)},${yOf(position).toFixed(1)}`
      pen = true
    })
    return { id: run.info.run_id, label: runLabel(run), d }
  })

  return (
    <div ref={boxRef} className="parallel-coordinates">
      <svg width={width} height={HEIGHT} role="img" aria-label="Parallel coordinates of parameters and metric">
        <g className="pc-lines" onMouseLeave={() => setHovered(null)}>
          {lines.map((line) => (
            <path
              key={line.id}
              d={line.d}
              fill="none"
              stroke={runColor(line.id)}
              strokeWidth={hovered === line.id ? 3 : 1.5}
              strokeOpacity={hovered === null || hovered === line.id ? 0.9 : 0.15}
              onMouseEnter={() => setHovered(line.id)}
            >
              <title>{line.label}</title>
            </path>
          ))}
        </g>
        {axes.map((axis, i) => (
          <g key={`${axis.column.kind}:${axis.column.key}`} transform={`translate(${xOf(i)},0)`} className="pc-axis">
            <line y1={MARGIN.top} y2={MARGIN.top + plotHeight} style={{ stroke: 'var(--muted)' }} />
            <text
              y={MARGIN.top - 14}
              textAnchor="middle"
              className={axis.column.kind === 'metric' ? 'pc-title pc-metric' : 'pc-title'}
            >
              <title>{`${axis.column.kind} ${axis.column.key}`}</title>
              {truncate(axis.column.key, labelChars)}
            </text>
            {axisTicks(axis.scale, 8, formatValue).map((tick) => (
              <text key={tick.label} x={-5} y={yOf(tick.position) + 4} textAnchor="end" className="pc-tick">
                {truncate(tick.label, 10)}
              </text>
            ))}
          </g>
        ))}
      </svg>
    </div>
  )
}
