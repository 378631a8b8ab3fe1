// A tiny publish/subscribe hub for live metric points: the page owns one EventSource
// (useLiveEvents) and publishes into the feed; each chart subscribes to its metric key.
// Charts then append points without the page re-rendering every chart on every event.

import type { Metric } from '../models'

export type MetricListener = (runId: string, points: Metric[]) => void

export class MetricFeed {
  private readonly listeners = new Map<string, Set<MetricListener>>()
  private readonly resyncListeners = new Set<() => void>()

  /** Registers a listener for one metric key; returns the unsubscribe function. */
  subscribe(key: string, listener: MetricListener): () => void {
    let set = this.listeners.get(key)
    if (!set) {
      set = new Set()
      this.listeners.set(key, set)
    }
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.listeners.delete(key)
    }
  }

  /** Delivers a run's new metrics, grouped by key, to the listeners of each key. */
  publish(runId: string, metrics: readonly Metric[]): void {
    const byKey = new Map<string, Metric[]>()
    for (const m of metrics) {
      if (!this.listeners.has(m.key)) continue
      const list = byKey.get(m.key)
      if (list) list.push(m)
      else byKey.set(m.key, [m])
    }
    for (const [key, points] of byKey) {
      for (const listener of this.listeners.get(key) ?? []) listener(runId, points)
    }
  }

  /** Registers a listener for "events were lost, reload"; returns the unsubscribe function. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener)
    return () => this.resyncListeners.delete(listener)
  }

  /** Tells every chart to reload from the server (the stream skipped events). */
  resync(): void {
    for (const listener of this.resyncListeners) listener()
  }
}
