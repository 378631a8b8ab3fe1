// Params side by side: one row per key, one column per run; rows whose values differ are
// highlighted, and "Only differences" hides the rest.

import { useMemo, useState } from 'react'
import { Link } from 'react-router-dom'
import { runColor } from '../../charts/palette'
import type { Run } from '../../models'
import { paramDiffRows, runLabel } from './compareData'

export function ParamDiffTable({ runs }: { runs: readonly Run[] }) {
  const [onlyDiffs, setOnlyDiffs] = useState(false)
  const rows = useMemo(() => paramDiffRows(runs), [runs])
  const shown = onlyDiffs ? rows.filter((r) => r.differs) : rows
  const diffCount = rows.filter((r) => r.differs).length

  if (rows.length === 0) return <p className="muted">These runs have no parameters.</p>
  return (
    <div className="diff-table-wrap">
      <label className="diff-toggle">
        <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} /> Only differences (
        {diffCount} of {rows.length})
      </label>
      <div className="diff-scroll">
        <table className="diff-table">
          <thead>
            <tr>
              <th className="diff-key">Parameter</th>
              {runs.map((r) => (
                <th key={r.info.run_id}>
                  <span className="run-swatch" style={{ background: runColor(r.info.run_id) }} />
                  <Link to={`/runs/${encodeURIComponent(r.info.run_id)}`} title={r.info.run_id}>
                    {runLabel(r)}
                  </Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.key} className={row.differs ? 'differs' : undefined} data-param={row.key}>
                <th scope="row" className="diff-key">
                  {row.key}
                </th>
                {row.values.map((value, i) => (
                  <td key={runs[i].info.run_id} className={value === undefined ? 'muted' : undefined}>
                    {value ?? '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
