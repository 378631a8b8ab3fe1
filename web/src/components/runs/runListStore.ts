// The loaded runs of one query (experiment, filter, order), fetched a page at a time as
// the table scrolls and kept current by live events. A tiny external store read with
// useSyncExternalStore: loading and live updates are imperative, rendering is not.

import type { LiveEvent, Run } from '../../models'
import { applyLiveEvents, mergeRunPage, replaceRun } from './runRows'

export interface RunPage {
  runs: Run[]
  nextPageToken?: string
}

export interface RunListQuery {
  experimentId: string
  /** Whether new runs go straight to the top (default order, no filter). */
  insertNew: boolean
  fetchPage: (pageToken: string | undefined) => Promise<RunPage>
  fetchRun: (runId: string) => Promise<Run>
}

export interface RunListSnapshot {
  runs: Run[]
  /** Set while more pages exist on the server. */
  nextPageToken?: string
  loading: boolean
  /** The first page has arrived (or failed). */
  settled: boolean
  error: Error | null
  /** New runs seen live but not shown because the view has a filter or another order. */
  unseenNewRuns: number
}

const INITIAL: RunListSnapshot = { runs: [], loading: false, settled: false, error: null, unseenNewRuns: 0 }

export class RunListStore {
  private snapshot: RunListSnapshot = INITIAL
  private listeners = new Set<() => void>()
  private unseen = new Set<string>()
  /** Bumped by start/stop so responses of an abandoned load are dropped. */
  private generation = 0
  private query: RunListQuery

  constructor(query: RunListQuery) {
    this.query = query
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  getSnapshot = (): RunListSnapshot => this.snapshot

  private set(patch: Partial<RunListSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch }
    this.listeners.forEach((listener) => listener())
  }

  /** Loads the first page, discarding anything loaded before. */
  start(): Promise<void> {
    this.generation += 1
    this.unseen.clear()
    this.snapshot = { ...INITIAL, loading: true }
    this.listeners.forEach((listener) => listener())
    return this.fetch(undefined)
  }

  /** Abandons requests in flight (on unmount or when the query changes). */
  stop(): void {
    this.generation += 1
  }

  /** Loads the next page unless one is loading or none is left. */
  loadMore(): Promise<void> {
    const { loading, nextPageToken, error } = this.snapshot
    if (loading || !nextPageToken || error) return Promise.resolve()
    this.set({ loading: true })
    return this.fetch(nextPageToken)
  }

  private async fetch(pageToken: string | undefined): Promise<void> {
    const generation = this.generation
    try {
      const page = await this.query.fetchPage(pageToken)
      if (generation !== this.generation) return
      // Runs that arrived live during the first load stay on top of the first page.
      this.set({
        runs: mergeRunPage(this.snapshot.runs, page.runs),
        nextPageToken: page.nextPageToken || undefined,
        loading: false,
        settled: true,
      })
    } catch (error) {
      if (generation !== this.generation) return
      this.set({ loading: false, settled: true, error: error instanceof Error ? error : new Error(String(error)) })
    }
  }

  /** Applies a batch of live events; new runs are fetched whole to get their tags and params. */
  applyEvents(events: readonly LiveEvent[]): void {
    // The stream skipped events: what is shown may be stale, so load it again.
    if (events.some((e) => e.type === 'lagged')) {
      void this.start()
      return
    }
    const { insertNew, experimentId } = this.query
    const result = applyLiveEvents(this.snapshot.runs, events, [experimentId], insertNew)
    if (!insertNew) result.newRuns.forEach((info) => this.unseen.add(info.run_id))
    if (result.runs !== this.snapshot.runs || this.unseen.size !== this.snapshot.unseenNewRuns) {
      this.set({ runs: result.runs, unseenNewRuns: this.unseen.size })
    }
    if (!insertNew) return
    const generation = this.generation
    for (const info of result.newRuns) {
      this.query.fetchRun(info.run_id).then(
        (run) => {
          if (generation === this.generation) this.set({ runs: replaceRun(this.snapshot.runs, run) })
        },
        () => {}, // the placeholder row stays; the next page load or refresh fills it
      )
    }
  }
}
