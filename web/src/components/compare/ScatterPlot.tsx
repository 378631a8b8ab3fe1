// Scatter of any two run columns (params or latest metrics), one dot per run in its run
// colour. SVG: a few hundred dots at most, and it follows the theme through CSS variables.

import { useMemo, useRef } from 'react'
import { formatValue } from '../../charts/format'
import { useBucketedWidth } from '../../charts/hooks'
import { runColor } from '../../charts/palette'
import type { Run } from '../../models'
import { axisTicks, columnValue, runLabel, scaleFor, scalePosition, type Column } from './compareData'

const HEIGHT = 340
const MARGIN = { top: 12, right: 20, bottom: 44, left: 70 }

export interface ScatterPlotProps {
  runs: readonly Run[]
  x: Column
  y: Column
}

export function ScatterPlot({ runs, x, y }: ScatterPlotProps) {
  const boxRef = useRef<HTMLDivElement>(null)
  const width = Math.max(useBucketedWidth(boxRef, 10), 320)

  const { xScale, yScale, points } = useMemo(() => {
    const xs = runs.map((r) => columnValue(r, x))
    const ys = runs.map((r) => columnValue(r, y))
    const xScale = scaleFor(xs)
    const yScale = scaleFor(ys)
    const points = runs.flatMap((run, i) => {
      const px = scalePosition(xScale, xs[i])
      const py = scalePosition(yScale, ys[i])
      return px === null || py === null ? [] : [{ run, px, py, xValue: xs[i], yValue: ys[i] }]
    })
    return { xScale, yScale, points }
  }, [runs, x, y])

  const plotWidth = width - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  // Keep dots at the extremes off the frame.
  const inset = (p: number) => 0.04 + p * 0.92
  const left = (p: number) => MARGIN.left + inset(p) * plotWidth
  const top = (p: number) => MARGIN.top + (1 - inset(p)) * plotHeight
  const show = (v: string | number | undefined) => (typeof v === 'number' ? formatValue(v) : (v ?? '—'))

  return (
    <div ref={boxRef} className="scatter-plot">
      <svg width={width} height={HEIGHT} role="img" aria-label={`Scatter of ${y.key} against ${x.key}`}>
        <rect x={MARGIN.left} y={MARGIN.top} width={plotWidth} height={plotHeight} className="sc-frame" />
        {axisTicks(xScale, Math.max(2, Math.floor(plotWidth / 80)), formatValue).map((t) => (
          <g key={`x${t.label}`}>
            <line x1={left(t.position)} x2={left(t.position)} y1={MARGIN.top} y2={MARGIN.top + plotHeight} className="sc-grid" />
            <text x={left(t.position)} y={MARGIN.top + plotHeight + 16} textAnchor="middle" className="sc-tick">
              {t.label}
            </text>
          </g>
        ))}
        {axisTicks(yScale, 6, formatValue).map((t) => (
          <g key={`y${t.label}`}>
            <line x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={top(t.position)} y2={top(t.position)} className="sc-grid" />
            <text x={MARGIN.left - 6} y={top(t.position) + 4} textAnchor="end" className="sc-tick">
              {t.label}
            </text>
          </g>
        ))}
        <text x={MARGIN.left + plotWidth / 2} y={HEIGHT - 6} textAnchor="middle" className="sc-title">
          {x.key}
        </text>
        <text transform={`translate(14,${MARGIN.top + plotHeight / 2}) rotate(-90)`} textAnchor="middle" className="sc-title">
          {y.key}
        </text>
        {points.map((p) => (
          <circle
            key={p.run.info.run_id}
            cx={left(p.px)}
            cy={top(p.py)}
            r={5}
            fill={runColor(p.run.info.run_id)}
            className="sc-dot"
          >
            <title>{`${runLabel(p.run)}\n${x.key}: ${show(p.xValue)}\n${y.key}: ${show(p.yValue)}`}</title>
          </circle>
        ))}
      </svg>
      {points.length < runs.length && (
        <p className="muted sc-note">{runs.length - points.length} runs lack one of the two values.</p>
      )}
    </div>
  )
}
