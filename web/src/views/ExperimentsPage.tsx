// The experiments list: search by name (kept in the URL as `q`), create, rename and
// delete. Each experiment links to its runs table.

import { useCallback, useEffect, useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { createExperiment, deleteExperiment, renameExperiment, searchExperiments } from '../api/client'
import { formatTimestamp } from '../components/runs/runRows'
import type { Experiment } from '../models'
import { nameContainsFilter } from '../state/nameSearch'
import './ExperimentsPage.css'

/** Typing waits this long before searching, so each keystroke is not a request. */
const SEARCH_DELAY_MS = 250

interface ExperimentList {
  experiments: Experiment[]
  nextPageToken?: string
}

function useExperimentSearch(query: string) {
  const [list, setList] = useState<ExperimentList | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)

  useEffect(() => {
    let current = true
    searchExperiments({ filter: nameContainsFilter(query), order_by: ['last_update_time DESC'] }).then(
      (r) => {
        if (!current) return
        setList(r)
        setError(null)
      },
      (e: Error) => current && setError(e.message),
    )
    return () => {
      current = false
    }
  }, [query, version])

  const loadMore = async () => {
    if (!list?.nextPageToken) return
    const r = await searchExperiments({
      filter: nameContainsFilter(query),
      order_by: ['last_update_time DESC'],
      page_token: list.nextPageToken,
    })
    setList({ experiments: [...list.experiments, ...r.experiments], nextPageToken: r.nextPageToken })
  }
  const refresh = useCallback(() => setVersion((v) => v + 1), [])
  return { list, error, loadMore, refresh }
}

export default function ExperimentsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const query = searchParams.get('q') ?? ''
  const [draft, setDraft] = useState(query)
  // Follow the URL when it changes underneath (Back), comparing in render as React advises.
  const [shownQuery, setShownQuery] = useState(query)
  if (shownQuery !== query) {
    setShownQuery(query)
    setDraft(query)
  }
  const { list, error, loadMore, refresh } = useExperimentSearch(query)

  useEffect(() => {
    if (draft.trim() === query) return
    const timer = setTimeout(() => setSearchParams(draft.trim() ? { q: draft.trim() } : {}, { replace: true }), SEARCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [draft, query, setSearchParams])

  return (
    <div className="experiments-page">
      <div className="experiments-header">
        <h1>Experiments</h1>
        <input
          type="search"
          className="experiments-search"
          aria-label="Search experiments"
          placeholder="Search by name"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <CreateExperimentForm onCreated={refresh} />
      </div>
      {error && <p className="error">{error}</p>}
      {list === null && !error && <p className="muted">Loading…</p>}
      {list && list.experiments.length === 0 && (
        <p className="muted">{query ? `No experiment name contains “${query}”.` : 'No experiments yet.'}</p>
      )}
      {list && list.experiments.length > 0 && (
        <table className="experiments-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Created</th>
              <th>Last updated</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.experiments.map((experiment) => (
              <ExperimentRow key={experiment.experiment_id} experiment={experiment} onChanged={refresh} />
            ))}
          </tbody>
        </table>
      )}
      {list?.nextPageToken && (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </div>
  )
}

function CreateExperimentForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!name.trim()) return
    setBusy(true)
    try {
      await createExperiment(name.trim())
      setName('')
      setError(null)
      onCreated()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="create-experiment" onSubmit={submit}>
      <input
        aria-label="New experiment name"
        placeholder="New experiment name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button type="submit" className="primary" disabled={busy || !name.trim()}>
        Create
      </button>
      {error && <span className="error create-error">{error}</span>}
    </form>
  )
}

type RowMode = 'view' | 'rename' | 'confirm-delete'

function ExperimentRow({ experiment, onChanged }: { experiment: Experiment; onChanged: () => void }) {
  const [mode, setMode] = useState<RowMode>('view')
  const [newName, setNewName] = useState(experiment.name)
  const [error, setError] = useState<string | null>(null)

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action()
      setError(null)
      setMode('view')
      onChanged()
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const rename = (e: FormEvent) => {
    e.preventDefault()
    const name = newName.trim()
    if (!name || name === experiment.name) return setMode('view')
    void act(() => renameExperiment(experiment.experiment_id, name))
  }

  return (
    <tr data-experiment-id={experiment.experiment_id}>
      <td className="experiment-name">
        {mode === 'rename' ? (
          <form onSubmit={rename} className="rename-form">
            <input
              aria-label="Experiment name"
              value={newName}
              autoFocus
              onChange={(e) => setNewName(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && setMode('view')}
            />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
          </form>
        ) : (
          <Link to={`/experiments/${experiment.experiment_id}`}>{experiment.name}</Link>
        )}
        {error && <div className="error">{error}</div>}
      </td>
      <td className="muted">{experiment.experiment_id}</td>
      <td>{formatTimestamp(experiment.creation_time)}</td>
      <td>{formatTimestamp(experiment.last_update_time)}</td>
      <td className="experiment-actions">
        {mode === 'confirm-delete' ? (
          <>
            <span>Delete “{experiment.name}”?</span>
            <button type="button" className="danger" onClick={() => void act(() => deleteExperiment(experiment.experiment_id))}>
              Delete
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
          </>
        ) : (
          mode === 'view' && (
            <>
              <button
                type="button"
                onClick={() => {
                  setNewName(experiment.name)
                  setMode('rename')
                }}
              >
                Rename
              </button>
              <button type="button" onClick={() => setMode('confirm-delete')}>
                Delete
              </button>
            </>
          )
        )}
      </td>
    </tr>
  )
}
