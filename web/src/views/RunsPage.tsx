// One experiment's runs: filter, sort, column choice and selection live in the URL
// (src/state/runsView.ts); runs load a page at a time as the table scrolls and stay
// current through the live event stream.

import { useCallback, useEffect, useMemo, useState } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom'
import { ApiError, getExperiment } from '../api/client'
import { ColumnPicker } from '../components/runs/ColumnPicker'
import { FilterBox } from '../components/runs/FilterBox'
import { buildRunRows } from '../components/runs/runRows'
import { RunsTable } from '../components/runs/RunsTable'
import { useRunList } from '../components/runs/useRunList'
import type { Experiment } from '../models'
import {
  DEFAULT_SORT,
  nextSort,
  parseColumnList,
  parseIdList,
  parseRunsView,
  parseSort,
  serializeRunsView,
  type RunsViewState,
  type SortField,
} from '../state/runsView'
import './RunsPage.css'

function useExperiment(experimentId: string) {
  const [experiment, setExperiment] = useState<Experiment | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let current = true
    getExperiment(experimentId).then(
      (e) => current && setExperiment(e),
      (e: Error) => current && setError(e.message),
    )
    return () => {
      current = false
    }
  }, [experimentId])
  return { experiment, error }
}

/**
 * Reads the view from the URL, one memo per parameter: a selection click must not
 * hand the table a new column list, which would rebuild every row model.
 */
function useRunsView(query: URLSearchParams): RunsViewState {
  const [filter, sortText, colsText, selText] = ['filter', 'sort', 'cols', 'sel'].map((name) => query.get(name))
  const sort = useMemo(() => parseSort(sortText) ?? DEFAULT_SORT, [sortText])
  const cols = useMemo(() => parseColumnList(colsText), [colsText])
  const sel = useMemo(() => parseIdList(selText), [selText])
  return useMemo(() => ({ filter: filter ?? '', sort, cols, sel }), [filter, sort, cols, sel])
}

export default function RunsPage() {
  const { experimentId = '' } = useParams()
  const navigate = useNavigate()
  const [searchParams, setSearchParams] = useSearchParams()
  const view = useRunsView(searchParams)
  const { experiment, error: experimentError } = useExperiment(experimentId)

  /** Filter and sort changes get history entries (Back undoes them); selection does not. */
  const updateView = useCallback(
    (patch: Partial<RunsViewState>, options: { replace?: boolean } = {}) =>
      setSearchParams((prev) => serializeRunsView({ ...parseRunsView(prev), ...patch }, prev), options),
    [setSearchParams],
  )

  const { snapshot, loadMore, reload } = useRunList(experimentId, view)
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set())
  const rows = useMemo(() => buildRunRows(snapshot.runs, expanded), [snapshot.runs, expanded])
  const selected = useMemo(() => new Set(view.sel), [view.sel])

  const toggleSelected = useCallback(
    (runId: string) => {
      const sel = selected.has(runId) ? view.sel.filter((id) => id !== runId) : [...view.sel, runId]
      updateView({ sel }, { replace: true })
    },
    [selected, view.sel, updateView],
  )
  const toggleExpanded = useCallback((runId: string) => {
    setExpanded((prev) => {
      const next = new Set(prev)
      if (!next.delete(runId)) next.add(runId)
      return next
    })
  }, [])
  const onSort = useCallback((field: SortField) => updateView({ sort: nextSort(view.sort, field) }), [view.sort, updateView])

  const { error } = snapshot
  const filterError = error instanceof ApiError && error.code === 'INVALID_PARAMETER_VALUE' ? error.message : undefined
  const otherError = error && !filterError ? error.message : undefined

  const compare = () => navigate(`/compare?runs=${view.sel.join(',')}&experiment=${encodeURIComponent(experimentId)}`)

  return (
    <div className="runs-page">
      <div className="runs-title">
        <Link to="/" className="muted">Experiments</Link>
        <span className="muted"> / </span>
        <h1>{experiment?.name ?? (experimentError ? `Experiment ${experimentId}` : '…')}</h1>
        {experimentError && <span className="error">{experimentError}</span>}
      </div>

      <div className="runs-toolbar">
        <FilterBox value={view.filter} onApply={(filter) => updateView({ filter })} error={filterError} />
        <ColumnPicker runs={snapshot.runs} chosen={view.cols} onChange={(cols) => updateView({ cols }, { replace: true })} />
        <span className="selection-info muted">
          {view.sel.length > 0 && (
            <>
              {view.sel.length} selected{' '}
              <button type="button" className="link-button" onClick={() => updateView({ sel: [] }, { replace: true })}>
                clear
              </button>
            </>
          )}
        </span>
        <button type="button" className="primary" disabled={view.sel.length < 2} onClick={compare}>
          Compare{view.sel.length >= 2 ? ` (${view.sel.length})` : ''}
        </button>
      </div>

      {snapshot.unseenNewRuns > 0 && (
        <div className="new-runs-notice" role="status">
          {snapshot.unseenNewRuns} new {snapshot.unseenNewRuns === 1 ? 'run' : 'runs'} not shown in this view.{' '}
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </div>
      )}
      {otherError && <p className="error">Could not load runs: {otherError}</p>}

      {filterError ? (
        <p className="muted runs-empty">Fix the filter to see runs.</p>
      ) : snapshot.settled && !error && snapshot.runs.length === 0 ? (
        <p className="muted runs-empty">{view.filter ? 'No runs match this filter.' : 'No runs in this experiment yet.'}</p>
      ) : (
        <RunsTable
          rows={rows}
          chosenColumns={view.cols}
          sort={view.sort}
          onSort={onSort}
          onNearEnd={loadMore}
          selected={selected}
          toggleSelected={toggleSelected}
          toggleExpanded={toggleExpanded}
          footer={<RunsFooter loaded={snapshot.runs.length} loading={snapshot.loading} more={!!snapshot.nextPageToken} />}
        />
      )}
    </div>
  )
}

function RunsFooter({ loaded, loading, more }: { loaded: number; loading: boolean; more: boolean }) {
  if (loading) return <span className="muted">Loading runs…</span>
  const count = `${loaded} ${loaded === 1 ? 'run' : 'runs'}`
  return <span className="muted runs-count">{more ? `${count} loaded, scroll for more` : count}</span>
}
