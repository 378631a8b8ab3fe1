// Column definitions of the runs table. Cells that depend on table-wide state
// (selection, expansion) read it from RunsTableContext, so the column list only
// changes when the chosen columns do, not on every click.

import { createColumnHelper, tableFeatures } from '@tanstack/react-table'
import { fieldId, type ColumnKey, type SortField } from '../../state/runsView'
import { LiveDuration } from './LiveDuration'
import { NameCell, SelectCell } from './RunCells'
import { columnValue, formatTimestamp, runNameOf, type RunRow } from './runRows'
import { StatusBadge } from './StatusBadge'

export interface RunColumnMeta {
  /** Width in px; the table lays columns out on a CSS grid. */
  width: number
  /** The server field a header click sorts by, if any. */
  sort?: SortField
  /** Extra class of the header and cells, e.g. for numeric alignment. */
  className?: string
}

export const runsTableFeatures = tableFeatures({ columnMeta: {} as RunColumnMeta })

const column = createColumnHelper<typeof runsTableFeatures, RunRow>()

const ENTITY_LABEL: Record<ColumnKey['entity'], string> = { params: 'param', metrics: 'metric', tags: 'tag' }

/** The fixed columns followed by the chosen param, metric and tag columns. */
export function buildRunColumns(chosen: readonly ColumnKey[]) {
  return column.columns([
    column.display({
      id: 'select',
      header: '',
      cell: (ctx) => <SelectCell row={ctx.row.original} />,
      meta: { width: 36, className: 'cell-select' },
    }),
    column.accessor((row) => runNameOf(row.run), {
      id: 'run_name',
      header: 'Run name',
      cell: (ctx) => <NameCell row={ctx.row.original} />,
      meta: { width: 280, sort: { entity: 'attributes', key: 'run_name' } },
    }),
    column.accessor((row) => row.run.info.status, {
      id: 'status',
      header: 'Status',
      cell: (ctx) => <StatusBadge status={ctx.getValue()} />,
      meta: { width: 100, sort: { entity: 'attributes', key: 'status' } },
    }),
    column.accessor((row) => row.run.info.start_time, {
      id: 'start_time',
      header: 'Start time',
      cell: (ctx) => formatTimestamp(ctx.getValue()),
      meta: { width: 170, sort: { entity: 'attributes', key: 'start_time' } },
    }),
    column.display({
      id: 'duration',
      header: 'Duration',
      cell: (ctx) => <LiveDuration info={ctx.row.original.run.info} />,
      meta: { width: 100, className: 'cell-number' },
    }),
    column.accessor((row) => row.run.info.user_id ?? '', {
      id: 'user_id',
      header: 'User',
      meta: { width: 120, sort: { entity: 'attributes', key: 'user_id' } },
    }),
    ...chosen.map((key) =>
      column.accessor((row) => columnValue(row.run, key) ?? '', {
        id: fieldId(key),
        header: () => (
          <span title={fieldId(key)}>
            <span className="muted col-kind">{ENTITY_LABEL[key.entity]}</span> {key.key}
          </span>
        ),
        meta: { width: 140, sort: key, className: key.entity === 'metrics' ? 'cell-number' : undefined },
      }),
    ),
  ])
}
