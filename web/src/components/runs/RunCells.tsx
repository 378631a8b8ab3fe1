// Cells of the runs table that need table-wide state (selection, expansion).

import { useContext } from 'react'
import { Link } from 'react-router-dom'
import { runNameOf, type RunRow } from './runRows'
import { RunsTableContext } from './runsTableContext'

export function SelectCell({ row }: { row: RunRow }) {
  const { selected, toggleSelected } = useContext(RunsTableContext)
  return (
    <input
      type="checkbox"
      aria-label={`Select ${runNameOf(row.run)}`}
      checked={selected.has(row.id)}
      onChange={() => toggleSelected(row.id)}
    />
  )
}

/** The run's name linking to its page, indented by depth, with the children toggle. */
export function NameCell({ row }: { row: RunRow }) {
  const { toggleExpanded } = useContext(RunsTableContext)
  return (
    <span className="run-name" style={{ paddingLeft: row.depth * 18 }}>
      {row.childCount > 0 ? (
        <button
          type="button"
          className="expand-toggle"
          aria-expanded={row.expanded}
          aria-label={`${row.expanded ? 'Collapse' : 'Expand'} ${row.childCount} child runs`}
          onClick={() => toggleExpanded(row.id)}
        >
          {row.expanded ? '▾' : '▸'}
        </button>
      ) : (
        <span className="expand-spacer" />
      )}
      <Link to={`/runs/${row.id}`} title={row.id}>
        {runNameOf(row.run)}
      </Link>
      {row.childCount > 0 && <span className="child-count muted">{row.childCount}</span>}
    </span>
  )
}
