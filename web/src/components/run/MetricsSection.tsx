// The run's metrics: latest values, then one sampled chart per metric key. Charts share
// the toolbar options from the URL and receive live points through a MetricFeed.

import { useMemo } from 'react'
import { ChartControls } from '../../charts/ChartControls'
import { MetricPicker } from '../../charts/MetricPicker'
import { formatTimestamp, formatValue } from '../../charts/format'
import type { MetricFeed } from '../../charts/liveFeed'
import { SampledMetricChart } from '../../charts/SampledMetricChart'
import type { ChartRun } from '../../charts/types'
import { useUrlChartOptions } from '../../charts/useUrlChartOptions'
import { toNumber, type Metric, type RunInfo } from '../../models'

export interface MetricsSectionProps {
  info: RunInfo
  latest: readonly Metric[]
  live?: MetricFeed
}

export function MetricsSection({ info, latest, live }: MetricsSectionProps) {
  const [options, setOptions] = useUrlChartOptions()
  const sorted = useMemo(() => [...latest].sort((a, b) => a.key.localeCompare(b.key)), [latest])
  const keys = sorted.map((m) => m.key)
  const shownKeys = options.metrics.length > 0 ? keys.filter((k) => options.metrics.includes(k)) : keys

  const label = info.run_name || info.run_id
  // One stable array, so charts keep their data across page re-renders.
  const runs = useMemo<ChartRun[]>(
    () => [{ runId: info.run_id, label, startTime: info.start_time ?? 0 }],
    [info.run_id, label, info.start_time],
  )

  if (latest.length === 0) return <p className="muted">No metrics logged yet.</p>
  return (
    <>
      <table className="run-table metrics-table">
        <thead>
          <tr>
            <th>Metric</th>
            <th className="num">Latest value</th>
            <th className="num">Step</th>
            <th>Logged at</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((m) => (
            <tr key={m.key}>
              <td className="key-cell">{m.key}</td>
              <td className="num">{formatValue(toNumber(m.value))}</td>
              <td className="num">{m.step}</td>
              <td className="muted">{formatTimestamp(m.timestamp)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ChartControls options={options} onChange={setOptions} />
      <MetricPicker keys={keys} selected={options.metrics} onChange={(metrics) => setOptions({ ...options, metrics })} />
      <div className="chart-grid">
        {shownKeys.map((key) => (
          <SampledMetricChart
            key={key}
            metricKey={key}
            runs={runs}
            xAxis={options.xAxis}
            logScale={options.logScale}
            smoothing={options.smoothing}
            live={live}
          />
        ))}
      </div>
    </>
  )
}
