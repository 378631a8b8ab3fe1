// Chooses which metric keys get a chart; an empty selection means every key.

export interface MetricPickerProps {
  keys: readonly string[]
  selected: readonly string[]
  onChange: (selected: string[]) => void
}

export function MetricPicker({ keys, selected, onChange }: MetricPickerProps) {
  if (keys.length < 2) return null
  const all = selected.length === 0
  const toggle = (key: string) => {
    const base = all ? [] : selected
    const next = base.includes(key) ? base.filter((k) => k !== key) : [...base, key]
    // Selecting every key is the same as "all"; keep the URL short.
    onChange(next.length === keys.length ? [] : next)
  }
  return (
    <div className="metric-picker" role="group" aria-label="Metrics to chart">
      <button type="button" className={all ? 'chip active' : 'chip'} aria-pressed={all} onClick={() => onChange([])}>
        All metrics
      </button>
      {keys.map((key) => {
        const on = !all && selected.includes(key)
        return (
          <button key={key} type="button" className={on ? 'chip active' : 'chip'} aria-pressed={on} onClick={() => toggle(key)}>
            {key}
          </button>
        )
      })}
    </div>
  )
}
