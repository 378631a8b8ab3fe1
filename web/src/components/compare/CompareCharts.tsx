// Overlaid metric charts of the compared runs: one chart per metric key, every run in it,
// each chart one sampled request for all runs.

import { useMemo } from 'react'
import { ChartControls } from '../../charts/ChartControls'
import { MetricPicker } from '../../charts/MetricPicker'
import { SampledMetricChart } from '../../charts/SampledMetricChart'
import type { ChartRun } from '../../charts/types'
import { useUrlChartOptions } from '../../charts/useUrlChartOptions'
import type { Run } from '../../models'
import { runLabel } from './compareData'

export function CompareCharts({ runs, metricKeys }: { runs: readonly Run[]; metricKeys: readonly string[] }) {
  const [options, setOptions] = useUrlChartOptions()
  const chartRuns = useMemo<ChartRun[]>(
    () => runs.map((r) => ({ runId: r.info.run_id, label: runLabel(r), startTime: r.info.start_time ?? 0 })),
    [runs],
  )
  const shown = options.metrics.length > 0 ? metricKeys.filter((k) => options.metrics.includes(k)) : metricKeys

  if (metricKeys.length === 0) return <p className="muted">These runs have no metrics.</p>
  return (
    <>
      <ChartControls options={options} onChange={setOptions} />
      <MetricPicker keys={metricKeys} selected={options.metrics} onChange={(metrics) => setOptions({ ...options, metrics })} />
      <div className="chart-grid">
        {shown.map((key) => (
          <SampledMetricChart
            key={key}
            metricKey={key}
            runs={chartRuns}
            xAxis={options.xAxis}
            logScale={options.logScale}
            smoothing={options.smoothing}
          />
        ))}
      </div>
    </>
  )
}
