// Chooses the param, metric and tag columns of the runs table among the keys found in
// the loaded runs. Chosen keys stay listed even when no loaded run has them, so a
// shared link never silently loses a column.

import { useMemo, useState } from 'react'
import type { Run } from '../../models'
import { fieldId, type ColumnKey, type KeyedEntity } from '../../state/runsView'
import { discoverKeys, type DiscoveredKeys } from './runRows'

export interface ColumnPickerProps {
  /** The loaded runs, whose keys are offered. */
  runs: readonly Run[]
  chosen: ColumnKey[]
  onChange: (chosen: ColumnKey[]) => void
}

const GROUPS: { entity: KeyedEntity; title: string }[] = [
  { entity: 'metrics', title: 'Metrics' },
  { entity: 'params', title: 'Parameters' },
  { entity: 'tags', title: 'Tags' },
]

const NO_KEYS: DiscoveredKeys = { params: [], metrics: [], tags: [] }

export function ColumnPicker({ runs, chosen, onChange }: ColumnPickerProps) {
  const [open, setOpen] = useState(false)
  const [search, setSearch] = useState('')
  // Scanning every loaded run is only worth it while the panel is open.
  const available = useMemo(() => (open ? discoverKeys(runs) : NO_KEYS), [open, runs])
  const chosenIds = useMemo(() => new Set(chosen.map(fieldId)), [chosen])

  const keysOf = (entity: KeyedEntity) => {
    const keys = new Set(available[entity])
    chosen.filter((c) => c.entity === entity).forEach((c) => keys.add(c.key))
    const needle = search.trim().toLowerCase()
    return [...keys].filter((k) => k.toLowerCase().includes(needle)).sort((a, b) => a.localeCompare(b))
  }

  const toggle = (column: ColumnKey) => {
    const id = fieldId(column)
    onChange(chosenIds.has(id) ? chosen.filter((c) => fieldId(c) !== id) : [...chosen, column])
  }

  return (
    <div className="column-picker">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns{chosen.length > 0 ? ` (${chosen.length})` : ''} ▾
      </button>
      {open && (
        <div className="column-picker-panel" role="dialog" aria-label="Choose columns">
          <input
            type="search"
            placeholder="Find a key"
            aria-label="Find a column key"
            value={search}
            autoFocus
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
          />
          {GROUPS.map(({ entity, title }) => {
            const keys = keysOf(entity)
            return (
              <fieldset key={entity} className="column-group">
                <legend>{title}</legend>
                {keys.length === 0 && <span className="muted">none in the loaded runs</span>}
                {keys.map((key) => {
                  const column = { entity, key }
                  return (
                    <label key={key} className="column-option">
                      <input
                        type="checkbox"
                        data-column-key={fieldId(column)}
                        checked={chosenIds.has(fieldId(column))}
                        onChange={() => toggle(column)}
                      />
                      {key}
                    </label>
                  )
                })}
              </fieldset>
            )
          })}
          <div className="column-picker-actions">
            {chosen.length > 0 && (
              <button type="button" onClick={() => onChange([])}>
                Clear
              </button>
            )}
            <button type="button" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  )
}
