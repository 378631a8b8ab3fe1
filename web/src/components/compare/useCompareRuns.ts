// Loads the runs of the compare page: one runs/search per experiment given in the URL
// (`attributes.run_id IN (...)`), then runs/get for any id the search did not return
// (runs from other experiments, or no experiment in the URL).

import { useEffect, useState } from 'react'
import { getRun, searchRuns } from '../../api/client'
import type { Run } from '../../models'

export type CompareRuns = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; runs: Run[] }

/** At most this many runs/get calls in flight. */
const PARALLEL_GETS = 8

/** Returns `run_id IN ('a', 'b')` with quotes escaped MLflow-style. */
function runIdFilter(runIds: readonly string[]): string {
  return `attributes.run_id IN (${runIds.map((id) => `'${id.replaceAll("'", "\\'")}'`).join(', ')})`
}

async function loadRuns(runIds: readonly string[], experimentIds: readonly string[]): Promise<Run[]> {
  const found = new Map<string, Run>()
  if (experimentIds.length > 0) {
    let pageToken: string | undefined
    do {
      const page = await searchRuns({
        experiment_ids: [...experimentIds],
        filter: runIdFilter(runIds),
        max_results: 1000,
        run_view_type: 'ALL',
        page_token: pageToken,
      })
      page.runs.forEach((r) => found.set(r.info.run_id, r))
      pageToken = page.nextPageToken
    } while (pageToken)
  }
  const missing = runIds.filter((id) => !found.has(id))
  for (let i = 0; i < missing.length; i += PARALLEL_GETS) {
    const batch = await Promise.all(missing.slice(i, i + PARALLEL_GETS).map((id) => getRun(id)))
    batch.forEach((r) => found.set(r.info.run_id, r))
  }
  // Keep the URL's order: it decides column order in the diff table.
  return runIds.flatMap((id) => found.get(id) ?? [])
}

/** Returns the runs for the ids, in the ids' order. */
export function useCompareRuns(runIds: readonly string[], experimentIds: readonly string[]): CompareRuns {
  const idsKey = runIds.join(',')
  const experimentsKey = experimentIds.join(',')
  const requestKey = `${idsKey}|${experimentsKey}`
  // Keyed by the request, so a new selection reads as "loading" until it arrives.
  const [result, setResult] = useState<{ key: string; runs: CompareRuns } | null>(null)
  useEffect(() => {
    let stale = false
    const key = `${idsKey}|${experimentsKey}`
    loadRuns(idsKey ? idsKey.split(',') : [], experimentsKey ? experimentsKey.split(',') : []).then(
      (runs) => !stale && setResult({ key, runs: { state: 'ok', runs } }),
      (e: unknown) =>
        !stale && setResult({ key, runs: { state: 'error', message: e instanceof Error ? e.message : String(e) } }),
    )
    return () => {
      stale = true
    }
  }, [idsKey, experimentsKey])
  return result?.key === requestKey ? result.runs : { state: 'loading' }
}
