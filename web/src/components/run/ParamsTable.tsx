// The run's parameters, sorted by key, with a filter for runs that log hundreds.

import { useMemo, useState } from 'react'
import type { Param } from '../../models'

export function ParamsTable({ params }: { params: readonly Param[] }) {
  const [filter, setFilter] = useState('')
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase()
    return [...params]
      .filter((p) => !needle || p.key.toLowerCase().includes(needle) || p.value.toLowerCase().includes(needle))
      .sort((a, b) => a.key.localeCompare(b.key))
  }, [params, filter])

  if (params.length === 0) return <p className="muted">No parameters logged.</p>
  return (
    <>
      {params.length > 10 && (
        <input
          className="run-filter"
          type="search"
          placeholder="Filter parameters"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      )}
      <table className="run-table params-table">
        <thead>
          <tr>
            <th>Parameter</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.key}>
              <td className="key-cell">{p.key}</td>
              <td className="value-cell">{p.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
