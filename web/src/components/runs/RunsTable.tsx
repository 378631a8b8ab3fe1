// The virtualized runs grid: TanStack Table turns rows and column definitions into
// cells, TanStack Virtual renders only the rows in view. Rows have a fixed height, so
// 10,000 loaded runs cost the same to render as 30. Sorting is the server's: a header
// click asks the page for a new order.

import { useEffect, useMemo, useRef, type ReactNode } from 'react'
import { useTable } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { ColumnKey, RunsSort, SortField } from '../../state/runsView'
import { buildRunColumns, runsTableFeatures } from './runColumns'
import { RunsTableContext, type RunsTableState } from './runsTableContext'
import type { RunRow } from './runRows'
import './RunsTable.css'

const ROW_HEIGHT = 32
/** Ask for the next page when the last rendered row is this close to the end. */
const PREFETCH_ROWS = 60

export interface RunsTableProps extends RunsTableState {
  rows: RunRow[]
  chosenColumns: ColumnKey[]
  sort: RunsSort
  onSort: (field: SortField) => void
  /** Called when the user scrolls near the last loaded row. */
  onNearEnd: () => void
  /** Shown under the last row: "Loading…", "All runs loaded", etc. */
  footer?: ReactNode
}

export function RunsTable({ rows, chosenColumns, sort, onSort, onNearEnd, footer, ...state }: RunsTableProps) {
  // Stable per column list, as TanStack Table recomputes its models when columns change.
  const columns = useMemo(() => buildRunColumns(chosenColumns), [chosenColumns])
  const table = useTable({
    features: runsTableFeatures,
    columns,
    data: rows,
    getRowId: (row) => row.id,
  })
  const tableRows = table.getRowModel().rows

  const scrollRef = useRef<HTMLDivElement>(null)
  // The compiler cannot memoize around the virtualizer's mutable instance; this
  // component does not rely on compiler memoization, so the warning does not apply.
  // oxlint-disable-next-line react/incompatible-library
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => tableRows[index].id,
    overscan: 10,
  })
  const virtualRows = virtualizer.getVirtualItems()
  const lastIndex = virtualRows.at(-1)?.index ?? -1

  useEffect(() => {
    if (lastIndex >= tableRows.length - PREFETCH_ROWS) onNearEnd()
  }, [lastIndex, tableRows.length, onNearEnd])

  const headers = table.getHeaderGroups()[0]?.headers ?? []
  const gridTemplateColumns = headers.map((h) => `${h.column.columnDef.meta?.width ?? 120}px`).join(' ')
  const totalWidth = headers.reduce((sum, h) => sum + (h.column.columnDef.meta?.width ?? 120), 0)

  return (
    <RunsTableContext.Provider value={state}>
      <div className="runs-grid" ref={scrollRef} role="table" aria-rowcount={tableRows.length}>
        <div className="runs-grid-header" role="row" style={{ gridTemplateColumns, width: totalWidth }}>
          {headers.map((header) => {
            const meta = header.column.columnDef.meta
            const sortField = meta?.sort
            const active = sortField && sortField.entity === sort.entity && sortField.key === sort.key
            return (
              <div
                key={header.id}
                role="columnheader"
                data-column={header.id}
                aria-sort={active ? (sort.ascending ? 'ascending' : 'descending') : undefined}
                className={`runs-grid-th ${meta?.className ?? ''}`}
              >
                {sortField ? (
                  <button type="button" className="sort-button" onClick={() => onSort(sortField)}>
                    <table.FlexRender header={header} />
                    {active && <span className="sort-arrow">{sort.ascending ? ' ▲' : ' ▼'}</span>}
                  </button>
                ) : (
                  <table.FlexRender header={header} />
                )}
              </div>
            )
          })}
        </div>
        <div className="runs-grid-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
          {virtualRows.map((item) => {
            const row = tableRows[item.index]
            const selected = state.selected.has(row.id)
            return (
              <div
                key={row.id}
                role="row"
                data-run-id={row.id}
                data-depth={row.original.depth}
                className={`runs-grid-row${selected ? ' selected' : ''}`}
                style={{ gridTemplateColumns, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                {row.getAllCells().map((cell) => (
                  <div
                    key={cell.id}
                    role="cell"
                    data-column={cell.column.id}
                    className={`runs-grid-td ${cell.column.columnDef.meta?.className ?? ''}`}
                  >
                    <table.FlexRender cell={cell} />
                  </div>
                ))}
              </div>
            )
          })}
        </div>
        {footer && <div className="runs-grid-footer">{footer}</div>}
      </div>
    </RunsTableContext.Provider>
  )
}
