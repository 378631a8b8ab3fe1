import type { RunStatus } from '../../models'

/** A run's status as a coloured badge; colours come from the theme variables in RunsTable.css. */
export function StatusBadge({ status }: { status: RunStatus }) {
  return <span className={`status-badge status-${status.toLowerCase()}`}>{status.toLowerCase()}</span>
}
