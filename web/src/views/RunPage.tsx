// The page of one run (`/runs/:runId`): overview, parameters and tags; metric charts;
// artifacts. The tab, chart options and previewed artifact live in the URL. A RUNNING run
// follows the live event stream: new points go to the charts, status changes to the header.

import { useCallback, useEffect, useState } from 'react'
import { Link, useParams, useSearchParams } from 'react-router-dom'
import { getExperiment, getRun } from '../api/client'
import { MetricFeed } from '../charts/liveFeed'
import { ArtifactsBrowser } from '../components/run/ArtifactsBrowser'
import { mergeLatestMetrics } from '../components/run/latestMetrics'
import { MetricsSection } from '../components/run/MetricsSection'
import { ParamsTable } from '../components/run/ParamsTable'
import { RunOverview } from '../components/run/RunOverview'
import { TagsEditor } from '../components/run/TagsEditor'
import '../components/run/run.css'
import { useLiveEvents } from '../hooks/useLiveEvents'
import type { LiveEvent, Run, Tag } from '../models'

const TABS = ['overview', 'metrics', 'artifacts'] as const
type Tab = (typeof TABS)[number]

const TAB_LABELS: Record<Tab, string> = { overview: 'Overview', metrics: 'Metrics', artifacts: 'Artifacts' }

type Loaded = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; run: Run }

export default function RunPage() {
  const { runId = '' } = useParams()
  const [params, setParams] = useSearchParams()
  const tab: Tab = TABS.find((t) => t === params.get('tab')) ?? 'overview'

  // Keyed by run id, so navigating to another run shows "loading" without an extra reset.
  const [result, setResult] = useState<{ runId: string; loaded: Loaded } | null>(null)
  const loaded: Loaded = result?.runId === runId ? result.loaded : { state: 'loading' }
  const [experimentName, setExperimentName] = useState<string>()
  // One feed per page: the event stream publishes, each chart subscribes to its key.
  const [feed] = useState(() => new MetricFeed())

  useEffect(() => {
    let stale = false
    getRun(runId).then(
      (run) => {
        if (stale) return
        setResult({ runId, loaded: { state: 'ok', run } })
        getExperiment(run.info.experiment_id).then(
          (e) => !stale && setExperimentName(e.name),
          () => {}, // the id still links to the experiment
        )
      },
      (e: unknown) =>
        !stale && setResult({ runId, loaded: { state: 'error', message: e instanceof Error ? e.message : String(e) } }),
    )
    return () => {
      stale = true
    }
  }, [runId])

  const run = loaded.state === 'ok' ? loaded.run : null
  const updateRun = useCallback((change: (run: Run) => Run) => {
    setResult((r) => (r?.loaded.state === 'ok' ? { runId: r.runId, loaded: { state: 'ok', run: change(r.loaded.run) } } : r))
  }, [])

  const onLiveEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type === 'lagged') {
        // Events were dropped: reload the latest values and let the charts refetch.
        getRun(runId).then((fresh) => updateRun(() => fresh), () => {})
        feed.resync()
        return
      }
      if (event.type === 'run') {
        if (event.run.run_id === runId) updateRun((r) => ({ ...r, info: { ...r.info, ...event.run } }))
        return
      }
      if (event.run_id !== runId) return
      updateRun((r) => ({ ...r, data: { ...r.data, metrics: mergeLatestMetrics(r.data.metrics ?? [], event.metrics) } }))
      feed.publish(event.run_id, event.metrics)
    },
    [runId, updateRun, feed],
  )
  // Subscribed only while the run is running; the stream closes when it finishes.
  useLiveEvents(run?.info.status === 'RUNNING' ? [run.info.experiment_id] : [], onLiveEvent)

  const setTab = (next: Tab) =>
    setParams((p) => {
      const out = new URLSearchParams(p)
      if (next === 'overview') out.delete('tab')
      else out.set('tab', next)
      return out
    })
  const selectArtifact = (path: string) =>
    setParams((p) => {
      const out = new URLSearchParams(p)
      out.set('artifact', path)
      return out
    })
  const setTags = (tags: Tag[]) => updateRun((r) => ({ ...r, data: { ...r.data, tags } }))

  if (loaded.state === 'loading') return <p className="muted">Loading run…</p>
  if (loaded.state === 'error') {
    return (
      <p className="error">
        Could not load run {runId}: {loaded.message}. <Link to="/">Experiments</Link>
      </p>
    )
  }
  const { info, data } = loaded.run
  return (
    <div className="run-page">
      <nav className="breadcrumb">
        <Link to={`/experiments/${encodeURIComponent(info.experiment_id)}`}>{experimentName ?? `Experiment ${info.experiment_id}`}</Link>
        {' / '}
      </nav>
      <h1 className="run-title">{info.run_name || info.run_id}</h1>
      <div className="run-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={t === tab} className={t === tab ? 'active' : ''} onClick={() => setTab(t)}>
            {TAB_LABELS[t]}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={TAB_LABELS[tab]}>
        {tab === 'overview' && (
          <>
            <RunOverview run={loaded.run} experimentName={experimentName} />
            <section className="run-section">
              <h2>Parameters</h2>
              <ParamsTable params={data.params ?? []} />
            </section>
            <section className="run-section">
              <h2>Tags</h2>
              <TagsEditor runId={info.run_id} tags={data.tags ?? []} onChange={setTags} />
            </section>
          </>
        )}
        {tab === 'metrics' && <MetricsSection info={info} latest={data.metrics ?? []} live={feed} />}
        {tab === 'artifacts' && (
          <ArtifactsBrowser key={info.run_id} runId={info.run_id} selected={params.get('artifact')} onSelect={selectArtifact} />
        )}
      </div>
    </div>
  )
}
