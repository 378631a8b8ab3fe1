// Compares runs (`/compare?runs=id1,id2&experiment=ID`): overlaid metric charts, parallel
// coordinates of params → a metric, a scatter of any two columns, and a params diff.
// Every choice (chart options, plotted columns) lives in the URL.

import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { runColor } from '../charts/palette'
import { CompareCharts } from '../components/compare/CompareCharts'
import {
  columnId,
  columnsOf,
  columnValue,
  parseColumnId,
  parseRunIds,
  runLabel,
  type Column,
} from '../components/compare/compareData'
import { ParallelCoordinates } from '../components/compare/ParallelCoordinates'
import { ParamDiffTable } from '../components/compare/ParamDiffTable'
import { ScatterPlot } from '../components/compare/ScatterPlot'
import { useCompareRuns } from '../components/compare/useCompareRuns'
import '../components/compare/compare.css'
import type { Run } from '../models'

export default function ComparePage() {
  const [params, setParams] = useSearchParams()
  const runIds = useMemo(() => parseRunIds(params.get('runs')), [params])
  const experimentIds = useMemo(() => parseRunIds(params.get('experiment')), [params])
  const loaded = useCompareRuns(runIds, experimentIds)

  const setParam = (key: string, value: string) =>
    setParams(
      (p) => {
        const out = new URLSearchParams(p)
        out.set(key, value)
        return out
      },
      { replace: true },
    )

  if (runIds.length === 0) {
    return (
      <p className="muted">
        No runs to compare. Select runs in an <Link to="/">experiment</Link> and press Compare.
      </p>
    )
  }
  if (loaded.state === 'loading') return <p className="muted">Loading {runIds.length} runs…</p>
  if (loaded.state === 'error') return <p className="error">Could not load the runs: {loaded.message}</p>

  return (
    <CompareContent
      runs={loaded.runs}
      experimentId={experimentIds[0]}
      pcMetric={parseColumnId(params.get('pc'))}
      scatterX={parseColumnId(params.get('sx'))}
      scatterY={parseColumnId(params.get('sy'))}
      onParam={setParam}
    />
  )
}

interface CompareContentProps {
  runs: Run[]
  experimentId?: string
  pcMetric: Column | null
  scatterX: Column | null
  scatterY: Column | null
  onParam: (key: string, value: string) => void
}

function CompareContent({ runs, experimentId, pcMetric, scatterX, scatterY, onParam }: CompareContentProps) {
  const columns = useMemo(() => columnsOf(runs), [runs])
  const paramColumns = useMemo(() => columns.filter((c) => c.kind === 'param'), [columns])
  const metricColumns = useMemo(() => columns.filter((c) => c.kind === 'metric'), [columns])
  const metricKeys = useMemo(() => metricColumns.map((c) => c.key), [metricColumns])

  const has = (c: Column | null): c is Column => c !== null && columns.some((k) => columnId(k) === columnId(c))
  const pc = has(pcMetric) && pcMetric.kind === 'metric' ? pcMetric : (metricColumns[0] ?? null)
  const sx = has(scatterX) ? scatterX : (firstVarying(runs, paramColumns) ?? columns[0])
  const sy = has(scatterY) ? scatterY : (metricColumns[0] ?? columns[1] ?? columns[0])

  return (
    <div className="compare-page">
      <h1>Comparing {runs.length} runs</h1>
      {experimentId && (
        <Link to={`/experiments/${encodeURIComponent(experimentId)}`} className="breadcrumb">
          ← Back to experiment
        </Link>
      )}
      <div className="compare-runs">
        {runs.map((r) => (
          <Link key={r.info.run_id} to={`/runs/${encodeURIComponent(r.info.run_id)}`} title={r.info.run_id}>
            <span className="run-swatch" style={{ background: runColor(r.info.run_id) }} />
            {runLabel(r)}
          </Link>
        ))}
      </div>

      <section className="compare-section">
        <h2>Metrics</h2>
        <CompareCharts runs={runs} metricKeys={metricKeys} />
      </section>

      <section className="compare-section">
        <h2>Parallel coordinates</h2>
        {metricColumns.length > 0 && (
          <div className="compare-pickers">
            <ColumnSelect label="Metric" columns={metricColumns} value={pc} onChange={(c) => onParam('pc', columnId(c))} />
          </div>
        )}
        <ParallelCoordinates runs={runs} params={paramColumns} metric={pc} />
      </section>

      {sx && sy && (
        <section className="compare-section">
          <h2>Scatter</h2>
          <div className="compare-pickers">
            <ColumnSelect label="X" columns={columns} value={sx} onChange={(c) => onParam('sx', columnId(c))} />
            <ColumnSelect label="Y" columns={columns} value={sy} onChange={(c) => onParam('sy', columnId(c))} />
          </div>
          <ScatterPlot runs={runs} x={sx} y={sy} />
        </section>
      )}

      <section className="compare-section">
        <h2>Parameters</h2>
        <ParamDiffTable runs={runs} />
      </section>
    </div>
  )
}

/** Returns the first column whose value differs between runs (else the first column). */
function firstVarying(runs: readonly Run[], columns: readonly Column[]): Column | undefined {
  return columns.find((c) => new Set(runs.map((r) => columnValue(r, c))).size > 1) ?? columns[0]
}

interface ColumnSelectProps {
  label: string
  columns: readonly Column[]
  value: Column | null
  onChange: (column: Column) => void
}

function ColumnSelect({ label, columns, value, onChange }: ColumnSelectProps) {
  const groups: [string, Column[]][] = [
    ['Params', columns.filter((c) => c.kind === 'param')],
    ['Metrics', columns.filter((c) => c.kind === 'metric')],
  ]
  return (
    <label>
      {label}{' '}
      <select
        value={value ? columnId(value) : ''}
        onChange={(e) => {
          const column = parseColumnId(e.target.value)
          if (column) onChange(column)
        }}
      >
        {groups
          .filter(([, list]) => list.length > 0)
          .map(([name, list]) => (
            <optgroup key={name} label={name}>
              {list.map((c) => (
                <option key={columnId(c)} value={columnId(c)}>
                  {c.key}
                </option>
              ))}
            </optgroup>
          ))}
      </select>
    </label>
  )
}
