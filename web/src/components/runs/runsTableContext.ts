import { createContext } from 'react'

/** Table-wide state the cells read, so column definitions need not change with it. */
export interface RunsTableState {
  selected: ReadonlySet<string>
  toggleSelected: (runId: string) => void
  toggleExpanded: (runId: string) => void
}

export const RunsTableContext = createContext<RunsTableState>({
  selected: new Set(),
  toggleSelected: () => {},
  toggleExpanded: () => {},
})
