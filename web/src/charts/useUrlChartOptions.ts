// Chart options bound to the URL query (see state/chartOptions.ts).

import { useCallback, useMemo } from 'react'
import { useSearchParams } from 'react-router-dom'
import { parseChartOptions, writeChartOptions, type ChartOptions } from '../state/chartOptions'

/** Returns the chart options of the current URL and a setter that rewrites them in place. */
export function useUrlChartOptions(): [ChartOptions, (options: ChartOptions) => void] {
  const [params, setParams] = useSearchParams()
  const options = useMemo(() => parseChartOptions(params), [params])
  const setOptions = useCallback(
    // Option tweaks replace the history entry instead of piling up Back steps.
    (next: ChartOptions) => setParams((current) => writeChartOptions(current, next), { replace: true }),
    [setParams],
  )
  return [options, setOptions]
}
