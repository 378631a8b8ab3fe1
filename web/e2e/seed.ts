// Test data through the REST API, as an MLflow client would write it: runs/create
// with tags (the parent link included), one log-batch for params, metrics and tags,
// runs/update to finish.

import type { Harness } from './harness'

type Api = Pick<Harness, 'api'>

export async function createExperiment(h: Api, name: string): Promise<string> {
  const r = await h.api<{ experiment_id: string }>('/experiments/create', { name })
  return r.experiment_id
}

/** A metric's points: one value (logged at step 0) or `[value, step]` pairs in order. */
export type MetricPoints = number | [value: number, step: number][]

export interface RunSeed {
  experimentId: string
  name: string
  params?: Record<string, string | number>
  metrics?: Record<string, MetricPoints>
  tags?: Record<string, string>
  parentRunId?: string
  /** Epoch ms; defaults to now. Distinct start times make the default order predictable. */
  startTime?: number
  /** RUNNING leaves the run open; the default finishes it one minute after its start. */
  status?: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED'
  userId?: string
}

export async function createRun(h: Api, seed: RunSeed): Promise<string> {
  const startTime = seed.startTime ?? Date.now()
  const tags = { ...seed.tags, ...(seed.parentRunId ? { 'mlflow.parentRunId': seed.parentRunId } : {}) }
  const { run } = await h.api<{ run: { info: { run_id: string } } }>('/runs/create', {
    experiment_id: seed.experimentId,
    run_name: seed.name,
    start_time: startTime,
    user_id: seed.userId ?? 'e2e',
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  })
  const runId = run.info.run_id

  const metrics = Object.entries(seed.metrics ?? {}).flatMap(([key, points]) =>
    (typeof points === 'number' ? [[points, 0] as const] : points).map(([value, step], i) => ({
      key,
      value,
      step,
      timestamp: startTime + i + 1,
    })),
  )
  const params = Object.entries(seed.params ?? {}).map(([key, value]) => ({ key, value: String(value) }))
  if (metrics.length || params.length) {
    await h.api('/runs/log-batch', { run_id: runId, metrics, params, tags: [] })
  }

  const status = seed.status ?? 'FINISHED'
  if (status !== 'RUNNING') {
    await h.api('/runs/update', { run_id: runId, status, end_time: startTime + 60_000 })
  }
  return runId
}

export async function logMetric(h: Api, runId: string, key: string, value: number, step: number): Promise<void> {
  await h.api('/runs/log-metric', { run_id: runId, key, value, step, timestamp: Date.now() })
}

export async function finishRun(h: Api, runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED' = 'FINISHED'): Promise<void> {
  await h.api('/runs/update', { run_id: runId, status, end_time: Date.now() })
}

export async function createRegisteredModel(h: Api, name: string, description?: string): Promise<void> {
  await h.api('/registered-models/create', { name, description })
}

export async function createModelVersion(h: Api, name: string, runId: string): Promise<string> {
  const r = await h.api<{ model_version: { version: string } }>('/model-versions/create', {
    name,
    source: `runs:/${runId}/model`,
    run_id: runId,
  })
  return r.model_version.version
}
