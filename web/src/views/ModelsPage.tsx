// The model registry: registered models filtered by name (URL `q`), each expandable to
// its versions, which link to the runs that produced them.

import { useEffect, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import {
  searchModelVersions,
  searchRegisteredModels,
  type ModelVersion,
  type RegisteredModel,
} from '../api/client'
import { formatTimestamp } from '../components/runs/runRows'
import { nameContainsFilter, nameEqualsFilter } from '../state/nameSearch'
import './ModelsPage.css'

const SEARCH_DELAY_MS = 250
const MODELS_ORDER = ['name ASC']

interface Page<T> {
  items: T[]
  nextPageToken?: string
}

export default function ModelsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const query = searchParams.get('q') ?? ''
  const [draft, setDraft] = useState(query)
  const [shownQuery, setShownQuery] = useState(query)
  if (shownQuery !== query) {
    setShownQuery(query)
    setDraft(query)
  }
  const [page, setPage] = useState<Page<RegisteredModel> | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (draft.trim() === query) return
    const timer = setTimeout(() => setSearchParams(draft.trim() ? { q: draft.trim() } : {}, { replace: true }), SEARCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [draft, query, setSearchParams])

  useEffect(() => {
    let current = true
    searchRegisteredModels({ filter: nameContainsFilter(query), order_by: MODELS_ORDER }).then(
      (r) => {
        if (!current) return
        setPage({ items: r.models, nextPageToken: r.nextPageToken })
        setError(null)
      },
      (e: Error) => current && setError(e.message),
    )
    return () => {
      current = false
    }
  }, [query])

  const loadMore = async () => {
    if (!page?.nextPageToken) return
    try {
      const r = await searchRegisteredModels({
        filter: nameContainsFilter(query),
        order_by: MODELS_ORDER,
        page_token: page.nextPageToken,
      })
      setPage({ items: [...page.items, ...r.models], nextPageToken: r.nextPageToken })
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <div className="models-page">
      <div className="models-header">
        <h1>Registered models</h1>
        <input
          type="search"
          aria-label="Filter models by name"
          placeholder="Filter by name"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      </div>
      {error && <p className="error">{error}</p>}
      {page === null && !error && <p className="muted">Loading…</p>}
      {page && page.items.length === 0 && (
        <p className="muted">{query ? `No model name contains “${query}”.` : 'No registered models yet.'}</p>
      )}
      {page && page.items.length > 0 && (
        <table className="models-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Latest versions</th>
              <th>Aliases</th>
              <th>Last modified</th>
            </tr>
          </thead>
          {page.items.map((model) => (
            <ModelRows key={model.name} model={model} />
          ))}
        </table>
      )}
      {page?.nextPageToken && (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </div>
  )
}

/** One model's row and, when expanded, its versions; a tbody each so rows stay grouped. */
function ModelRows({ model }: { model: RegisteredModel }) {
  const [expanded, setExpanded] = useState(false)
  const latest = [...(model.latest_versions ?? [])].sort((a, b) => Number(b.version) - Number(a.version))
  return (
    <tbody className="model-group" data-model={model.name}>
      <tr className="model-row">
        <td>
          <button
            type="button"
            className="expand-toggle"
            aria-expanded={expanded}
            aria-label={`${expanded ? 'Hide' : 'Show'} versions of ${model.name}`}
            onClick={() => setExpanded(!expanded)}
          >
            {expanded ? '▾' : '▸'}
          </button>{' '}
          <span className="model-name">{model.name}</span>
          {model.description && <div className="muted model-description">{model.description}</div>}
        </td>
        <td>
          {latest.length === 0
            ? <span className="muted">none</span>
            : latest.map((v) => (
                <span key={v.version} className="version-chip" title={v.current_stage}>
                  v{v.version}
                  {v.current_stage && v.current_stage !== 'None' ? ` · ${v.current_stage}` : ''}
                </span>
              ))}
        </td>
        <td>
          {(model.aliases ?? []).map((a) => (
            <span key={a.alias} className="alias-chip">
              @{a.alias} → v{a.version}
            </span>
          ))}
        </td>
        <td>{formatTimestamp(model.last_updated_timestamp)}</td>
      </tr>
      {expanded && <VersionRows modelName={model.name} />}
    </tbody>
  )
}

function VersionRows({ modelName }: { modelName: string }) {
  const [page, setPage] = useState<Page<ModelVersion> | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    searchModelVersions({ filter: nameEqualsFilter(modelName), order_by: ['version_number DESC'] }).then(
      (r) => current && setPage({ items: r.versions, nextPageToken: r.nextPageToken }),
      (e: Error) => current && setError(e.message),
    )
    return () => {
      current = false
    }
  }, [modelName])

  if (error) return <tr><td colSpan={4} className="error">{error}</td></tr>
  if (!page) return <tr><td colSpan={4} className="muted version-cell">Loading versions…</td></tr>
  if (page.items.length === 0) return <tr><td colSpan={4} className="muted version-cell">No versions.</td></tr>
  return (
    <>
      {page.items.map((v) => (
        <tr key={v.version} className="version-row" data-version={v.version}>
          <td className="version-cell">
            Version {v.version}
            {v.status && v.status !== 'READY' && <span className="muted"> ({v.status.toLowerCase()})</span>}
          </td>
          <td>
            {v.run_id ? <Link to={`/runs/${v.run_id}`}>run {v.run_id.slice(0, 8)}</Link> : <span className="muted">no run</span>}
            {v.current_stage && v.current_stage !== 'None' && <span className="muted"> · {v.current_stage}</span>}
          </td>
          <td>{(v.aliases ?? []).map((a) => <span key={a} className="alias-chip">@{a}</span>)}</td>
          <td>{formatTimestamp(v.last_updated_timestamp ?? v.creation_timestamp)}</td>
        </tr>
      ))}
      {page.nextPageToken && (
        <tr>
          <td colSpan={4} className="muted version-cell">
            More versions exist; showing the newest {page.items.length}.
          </td>
        </tr>
      )}
    </>
  )
}
