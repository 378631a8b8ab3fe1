// The shared chart toolbar: x axis mode, log y axis, and EMA smoothing.

import { useEffect, useState } from 'react'
import { clampSmoothing, MAX_SMOOTHING, type ChartOptions } from '../state/chartOptions'
import { xAxisLabel } from './format'
import { X_AXIS_MODES, type XAxisMode } from './types'

export interface ChartControlsProps {
  options: ChartOptions
  onChange: (options: ChartOptions) => void
}

/** Commit the slider after the user pauses, so dragging does not refetch every chart. */
const SMOOTHING_COMMIT_MS = 300

export function ChartControls({ options, onChange }: ChartControlsProps) {
  // The slider's position while the user drags; `null` once committed to the URL.
  const [draft, setDraft] = useState<number | null>(null)
  const smoothing = draft ?? options.smoothing

  useEffect(() => {
    if (draft === null) return
    const timer = setTimeout(() => {
      setDraft(null)
      if (draft !== options.smoothing) onChange({ ...options, smoothing: draft })
    }, SMOOTHING_COMMIT_MS)
    return () => clearTimeout(timer)
  }, [draft, options, onChange])

  return (
    <div className="chart-controls" role="toolbar" aria-label="Chart options">
      <label>
        X axis{' '}
        <select
          value={options.xAxis}
          onChange={(e) => onChange({ ...options, xAxis: e.target.value as XAxisMode })}
        >
          {X_AXIS_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {xAxisLabel(mode)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          checked={options.logScale}
          onChange={(e) => onChange({ ...options, logScale: e.target.checked })}
        />{' '}
        Log scale
      </label>
      <label className="chart-controls-smoothing">
        Smoothing{' '}
        <input
          type="range"
          min={0}
          max={MAX_SMOOTHING}
          step={0.01}
          value={smoothing}
          onChange={(e) => setDraft(clampSmoothing(Number(e.target.value)))}
        />{' '}
        <output>{smoothing.toFixed(2)}</output>
      </label>
      <span className="muted chart-controls-hint">Drag to zoom, double-click to reset</span>
    </div>
  )
}
