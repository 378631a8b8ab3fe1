// The run's identity card: name, id, status, experiment, times, user, source, parent run
// and artifact location (MLflow's run page "Overview" fields).

import { Link } from 'react-router-dom'
import { formatTimestamp } from '../../charts/format'
import type { Run } from '../../models'
import { LiveDuration } from '../runs/LiveDuration'
import { StatusBadge } from '../runs/StatusBadge'
import '../runs/RunsTable.css'

/** The system tags MLflow clients set to describe where a run came from. */
const SOURCE_TAGS: readonly [string, string][] = [
  ['mlflow.source.type', 'Source type'],
  ['mlflow.source.name', 'Source'],
  ['mlflow.source.git.commit', 'Git commit'],
  ['mlflow.source.git.branch', 'Git branch'],
  ['mlflow.source.git.repoURL', 'Git repository'],
  ['mlflow.project.entryPoint', 'Entry point'],
]

export interface RunOverviewProps {
  run: Run
  experimentName?: string
}

export function RunOverview({ run, experimentName }: RunOverviewProps) {
  const { info } = run
  const tags = new Map((run.data.tags ?? []).map((t) => [t.key, t.value]))
  const parentRunId = tags.get('mlflow.parentRunId')
  const user = info.user_id || tags.get('mlflow.user')

  return (
    <dl className="run-overview">
      <dt>Run ID</dt>
      <dd>
        <code>{info.run_id}</code>
      </dd>
      <dt>Status</dt>
      <dd>
        <StatusBadge status={info.status} />
      </dd>
      <dt>Experiment</dt>
      <dd>
        <Link to={`/experiments/${encodeURIComponent(info.experiment_id)}`}>{experimentName ?? info.experiment_id}</Link>
      </dd>
      <dt>Started</dt>
      <dd>{info.start_time ? formatTimestamp(info.start_time) : '—'}</dd>
      <dt>Ended</dt>
      <dd>{info.end_time ? formatTimestamp(info.end_time) : '—'}</dd>
      <dt>Duration</dt>
      <dd>
        <LiveDuration info={info} />
      </dd>
      {user && (
        <>
          <dt>User</dt>
          <dd>{user}</dd>
        </>
      )}
      {SOURCE_TAGS.filter(([key]) => tags.has(key)).map(([key, label]) => (
        <SourceRow key={key} label={label} value={tags.get(key) ?? ''} />
      ))}
      {parentRunId && (
        <>
          <dt>Parent run</dt>
          <dd>
            <Link to={`/runs/${encodeURIComponent(parentRunId)}`}>{parentRunId}</Link>
          </dd>
        </>
      )}
      <dt>Artifact URI</dt>
      <dd>
        <code>{info.artifact_uri ?? '—'}</code>
      </dd>
    </dl>
  )
}

function SourceRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
      </dd>
    </>
  )
}
