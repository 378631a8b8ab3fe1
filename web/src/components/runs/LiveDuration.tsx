// A run's duration; for RUNNING runs it ticks every second. All ticking cells share one
// timer, so thousands of visible rows cost one interval, and none when nothing runs.

import { useSyncExternalStore } from 'react'
import type { RunInfo } from '../../models'
import { formatDuration, runDuration } from './runRows'

const listeners = new Set<() => void>()
let timer: ReturnType<typeof setInterval> | undefined
let now = Date.now()

function subscribe(listener: () => void) {
  listeners.add(listener)
  // A cell that just appeared must not show a clock up to a second old.
  now = Date.now()
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now()
      listeners.forEach((l) => l())
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }
}

/**
 * Returns the clock. While no timer runs, `now` may be stale, so it is refreshed here,
 * rounded to the second: React calls this twice per render and expects equal values.
 */
function getNow(): number {
  if (!timer) now = Math.floor(Date.now() / 1000) * 1000
  return now
}

const noSubscription = () => () => {}
const never = () => 0

/** The current time, refreshed every second while the caller asks for it. */
function useNow(ticking: boolean): number {
  return useSyncExternalStore(ticking ? subscribe : noSubscription, ticking ? getNow : never)
}

export function LiveDuration({ info }: { info: RunInfo }) {
  const running = info.status === 'RUNNING' && !info.end_time
  const current = useNow(running)
  const ms = runDuration(info, current)
  return <span className={running ? 'duration running' : 'duration'}>{ms === undefined ? '' : formatDuration(ms)}</span>
}
