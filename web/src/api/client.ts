// Typed calls to the MLflow REST API (and ferroflow's chart/live endpoints) under
// /ajax-api, as MLflow's own UI calls them. Errors carry MLflow's error_code.

import type {
  Experiment,
  FileInfo,
  Metric,
  Run,
  RunInfo,
  SampledSeries,
  Tag,
  ViewType,
} from '../models'

const MLFLOW = '/ajax-api/2.0/mlflow'
const FERROFLOW = '/ajax-api/2.0/ferroflow'

/** An error answered by the server, with MLflow's `error_code` and message. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  constructor(code: string, message: string, status: number) {
    super(message)
    this.code = code
    this.status = status
  }
}

async function call<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  const json = text ? JSON.parse(text) : {}
  if (!res.ok) {
    throw new ApiError(json.error_code ?? 'INTERNAL_ERROR', json.message ?? res.statusText, res.status)
  }
  return json as T
}

const post = <T>(path: string, body: unknown) => call<T>(`${MLFLOW}${path}`, body)

// ---- experiments ----

export interface SearchExperimentsRequest {
  filter?: string
  order_by?: string[]
  max_results?: number
  page_token?: string
  view_type?: ViewType
}

export async function searchExperiments(req: SearchExperimentsRequest) {
  const r = await post<{ experiments?: Experiment[]; next_page_token?: string }>(
    '/experiments/search',
    { max_results: 1000, ...req },
  )
  return { experiments: r.experiments ?? [], nextPageToken: r.next_page_token }
}

export async function getExperiment(experimentId: string): Promise<Experiment> {
  const r = await call<{ experiment: Experiment }>(
    `${MLFLOW}/experiments/get?experiment_id=${encodeURIComponent(experimentId)}`,
  )
  return r.experiment
}

export async function createExperiment(name: string): Promise<string> {
  const r = await post<{ experiment_id: string }>('/experiments/create', { name })
  return r.experiment_id
}

export const renameExperiment = (experimentId: string, newName: string) =>
  post<object>('/experiments/update', { experiment_id: experimentId, new_name: newName })

export const deleteExperiment = (experimentId: string) =>
  post<object>('/experiments/delete', { experiment_id: experimentId })

// ---- runs ----

export interface SearchRunsRequest {
  experiment_ids: string[]
  filter?: string
  order_by?: string[]
  max_results?: number
  page_token?: string
  run_view_type?: ViewType
}

export async function searchRuns(req: SearchRunsRequest) {
  const r = await post<{ runs?: Run[]; next_page_token?: string }>('/runs/search', req)
  return { runs: r.runs ?? [], nextPageToken: r.next_page_token }
}

export async function getRun(runId: string): Promise<Run> {
  const r = await call<{ run: Run }>(`${MLFLOW}/runs/get?run_id=${encodeURIComponent(runId)}`)
  return r.run
}

export const setTag = (runId: string, key: string, value: string) =>
  post<object>('/runs/set-tag', { run_id: runId, key, value })

export const deleteTag = (runId: string, key: string) =>
  post<object>('/runs/delete-tag', { run_id: runId, key })

export const updateRun = (runId: string, fields: { run_name?: string; status?: RunInfo['status'] }) =>
  post<{ run_info: RunInfo }>('/runs/update', { run_id: runId, ...fields })

export async function getMetricHistory(runId: string, key: string): Promise<Metric[]> {
  const out: Metric[] = []
  let token: string | undefined
  do {
    const q = new URLSearchParams({ run_id: runId, metric_key: key, max_results: '25000' })
    if (token) q.set('page_token', token)
    const r = await call<{ metrics?: Metric[]; next_page_token?: string }>(
      `${MLFLOW}/metrics/get-history?${q}`,
    )
    out.push(...(r.metrics ?? []))
    token = r.next_page_token
  } while (token)
  return out
}

// ---- artifacts ----

export async function listArtifacts(runId: string, path = ''): Promise<FileInfo[]> {
  const q = new URLSearchParams({ run_id: runId })
  if (path) q.set('path', path)
  const r = await call<{ files?: FileInfo[] }>(`${MLFLOW}/artifacts/list?${q}`)
  return r.files ?? []
}

/** Returns the URL that downloads one artifact of a run (MLflow's UI route). */
export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact?${new URLSearchParams({ run_uuid: runId, path })}`
}

// ---- ferroflow: sampled history for charts ----

export interface SampledHistoryRequest {
  run_ids: string[]
  metric_keys: string[]
  /** `step`, `time` (wall-clock ms) or `relative` (ms since the run's start). */
  x_axis?: 'step' | 'time' | 'relative'
  /** Inclusive window on the x axis; omitted means the whole history. */
  start?: number
  end?: number
  /** Points per series at most (M4: min, max, first and last per bucket). */
  max_points?: number
  /** EMA weight in [0, 1), applied to the full history before sampling. */
  smoothing?: number
}

export async function sampledHistory(req: SampledHistoryRequest): Promise<SampledSeries[]> {
  const r = await call<{ series?: SampledSeries[] }>(`${FERROFLOW}/metrics/sampled`, req)
  return r.series ?? []
}

/** URL of the Server-Sent Events stream of live updates for some experiments. */
export function eventsUrl(experimentIds: string[]): string {
  return `${FERROFLOW}/events?${new URLSearchParams(experimentIds.map((id) => ['experiment_id', id]))}`
}

export type { Tag }

// ---- model registry (model_registry.proto) ----

export interface RegisteredModelAlias {
  alias: string
  version: string
}

export interface ModelVersion {
  name: string
  version: string
  creation_timestamp?: number
  last_updated_timestamp?: number
  user_id?: string
  current_stage?: string
  description?: string
  source?: string
  run_id?: string
  status?: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY'
  status_message?: string
  tags?: Tag[]
  aliases?: string[]
}

export interface RegisteredModel {
  name: string
  creation_timestamp?: number
  last_updated_timestamp?: number
  user_id?: string
  description?: string
  latest_versions?: ModelVersion[]
  tags?: Tag[]
  aliases?: RegisteredModelAlias[]
}

export interface RegistrySearchRequest {
  filter?: string
  order_by?: string[]
  max_results?: number
  page_token?: string
}

export async function searchRegisteredModels(req: RegistrySearchRequest) {
  const r = await post<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
    '/registered-models/search',
    { max_results: 100, ...req },
  )
  return { models: r.registered_models ?? [], nextPageToken: r.next_page_token }
}

export async function searchModelVersions(req: RegistrySearchRequest) {
  const r = await post<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
    '/model-versions/search',
    { max_results: 200, ...req },
  )
  return { versions: r.model_versions ?? [], nextPageToken: r.next_page_token }
}
