// Subscribes to ferroflow's Server-Sent Events stream of run and metric updates for
// some experiments. EventSource reconnects by itself after a dropped connection, so
// there is no retry loop here, and nothing polls.

import { useEffect, useRef } from 'react'
import { eventsUrl } from '../api/client'
import type { LiveEvent } from '../models'

/**
 * Calls `onEvent` for every live event of the given experiments while the component is
 * mounted. The stream reopens only when the set of ids changes; a new `onEvent` on each
 * render is fine (the latest one is called).
 */
export function useLiveEvents(experimentIds: string[], onEvent: (e: LiveEvent) => void): void {
  const handler = useRef(onEvent)
  useEffect(() => {
    handler.current = onEvent
  })

  // A stable key so a new array with the same ids does not reconnect.
  const idsKey = [...new Set(experimentIds)].sort().join(',')

  useEffect(() => {
    if (!idsKey || typeof EventSource === 'undefined') return
    const source = new EventSource(eventsUrl(idsKey.split(',')))
    source.onmessage = (message: MessageEvent<string>) => {
      let event: LiveEvent
      try {
        event = JSON.parse(message.data) as LiveEvent
      } catch {
        return // not ours to break on; the server only sends JSON
      }
      handler.current(event)
    }
    return () => source.close()
  }, [idsKey])
}
