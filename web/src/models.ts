// MLflow's tracking entities as the REST API returns them (service.proto), plus the
// ferroflow-only shapes of the sampled-history and live-event endpoints.

export type LifecycleStage = 'active' | 'deleted'
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'

export interface Tag {
  key: string
  value: string
}

export interface Experiment {
  experiment_id: string
  name: string
  artifact_location?: string
  lifecycle_stage: LifecycleStage
  last_update_time?: number
  creation_time?: number
  tags?: Tag[]
}

export interface RunInfo {
  run_id: string
  run_uuid?: string
  run_name?: string
  experiment_id: string
  user_id?: string
  status: RunStatus
  start_time?: number
  end_time?: number
  artifact_uri?: string
  lifecycle_stage: LifecycleStage
}

/** A metric value; the API spells non-finite values "NaN", "Infinity", "-Infinity". */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity'

export interface Metric {
  key: string
  value: WireDouble
  timestamp: number
  step: number
}

export interface Param {
  key: string
  value: string
}

export interface RunData {
  metrics?: Metric[]
  params?: Param[]
  tags?: Tag[]
}

export interface Run {
  info: RunInfo
  data: RunData
  inputs?: { dataset_inputs?: unknown[]; model_inputs?: unknown[] }
  outputs?: { model_outputs?: unknown[] }
}

export interface FileInfo {
  path: string
  is_dir: boolean
  file_size?: number
}

/** One point of a sampled series: exact (step, timestamp, value) triples of the run. */
export interface SampledPoint {
  step: number
  timestamp: number
  value: WireDouble
}

export interface SampledSeries {
  run_id: string
  key: string
  /** Points in the requested window before sampling. */
  total_points: number
  points: SampledPoint[]
}

/** Events of `GET /ajax-api/2.0/ferroflow/events` (Server-Sent Events). */
export type LiveEvent =
  | { type: 'run'; run: RunInfo }
  | { type: 'metrics'; run_id: string; experiment_id: string; metrics: Metric[] }
  /** The stream fell behind and skipped events: reload what the page shows. */
  | { type: 'lagged' }

/** Returns a wire double as a JS number (NaN and infinities included). */
export function toNumber(v: WireDouble): number {
  if (typeof v === 'number') return v
  if (v === 'NaN') return Number.NaN
  return v === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
}
