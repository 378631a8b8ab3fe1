// MLflow's "latest metric" rule, applied to live points on the client: the value with the
// highest step wins, then the latest timestamp, then the largest value
// (mlflow/store/tracking/sqlalchemy_store.py `_update_latest_metrics_if_necessary`).

import { toNumber, type Metric } from '../../models'

function isNewer(candidate: Metric, current: Metric): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp
  return toNumber(candidate.value) > toNumber(current.value)
}

/** Returns the latest metrics updated with new points (same array if nothing changed). */
export function mergeLatestMetrics(latest: readonly Metric[], incoming: readonly Metric[]): Metric[] {
  const byKey = new Map(latest.map((m) => [m.key, m]))
  let changed = false
  for (const m of incoming) {
    const current = byKey.get(m.key)
    if (!current || isNewer(m, current)) {
      byKey.set(m.key, m)
      changed = true
    }
  }
  return changed ? [...byKey.values()] : (latest as Metric[])
}
