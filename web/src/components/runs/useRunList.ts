// Connects a RunListStore to React: one store per query (experiment, filter, order),
// fed by the live event stream in small batches.

import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import { getRun, searchRuns } from '../../api/client'
import { useLiveEvents } from '../../hooks/useLiveEvents'
import type { LiveEvent } from '../../models'
import { showsNewestFirst, sortToOrderBy, type RunsViewState } from '../../state/runsView'
import { RunListStore, type RunListSnapshot } from './runListStore'

/** Runs per search-runs request: one screenful many times over, yet a fast first answer. */
export const RUNS_PAGE_SIZE = 200
/** Live events are applied together at most this often, so a burst of metrics re-renders once. */
const LIVE_BATCH_MS = 100

export interface RunList {
  snapshot: RunListSnapshot
  loadMore: () => void
  /** Reloads from the first page (e.g. to show new runs of a filtered view). */
  reload: () => void
}

export function useRunList(experimentId: string, view: Pick<RunsViewState, 'filter' | 'sort'>): RunList {
  const filter = view.filter.trim()
  const orderBy = sortToOrderBy(view.sort)
  const insertNew = showsNewestFirst(view)

  const store = useMemo(
    () =>
      new RunListStore({
        experimentId,
        insertNew,
        fetchPage: (pageToken) =>
          searchRuns({
            experiment_ids: [experimentId],
            filter: filter || undefined,
            order_by: [orderBy],
            max_results: RUNS_PAGE_SIZE,
            page_token: pageToken,
          }),
        fetchRun: getRun,
      }),
    [experimentId, filter, orderBy, insertNew],
  )

  useEffect(() => {
    void store.start()
    return () => store.stop()
  }, [store])

  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot)

  const storeRef = useRef(store)
  useEffect(() => {
    storeRef.current = store
  }, [store])
  const pending = useRef<LiveEvent[]>([])
  const flushTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(flushTimer.current), [])

  const onEvent = useCallback((event: LiveEvent) => {
    pending.current.push(event)
    if (pending.current.length > 1) return
    flushTimer.current = setTimeout(() => {
      const batch = pending.current
      pending.current = []
      storeRef.current.applyEvents(batch)
    }, LIVE_BATCH_MS)
  }, [])
  useLiveEvents(experimentId ? [experimentId] : [], onEvent)

  const loadMore = useCallback(() => void store.loadMore(), [store])
  const reload = useCallback(() => void store.start(), [store])
  return { snapshot, loadMore, reload }
}
