import { act } from 'react'
import { createRoot } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LiveEvent } from '../models'
import { useLiveEvents } from './useLiveEvents'

/** Records the EventSources the hook opens and lets a test push messages into them. */
class FakeEventSource {
  static opened: FakeEventSource[] = []
  readonly url: string
  closed = false
  onmessage: ((message: MessageEvent<string>) => void) | null = null
  constructor(url: string) {
    this.url = url
    FakeEventSource.opened.push(this)
  }
  close() {
    this.closed = true
  }
  emit(data: string) {
    this.onmessage?.(new MessageEvent('message', { data }))
  }
}

function Probe({ ids, onEvent }: { ids: string[]; onEvent: (e: LiveEvent) => void }) {
  useLiveEvents(ids, onEvent)
  return null
}

describe('useLiveEvents', () => {
  let container: HTMLDivElement
  beforeEach(() => {
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true
    FakeEventSource.opened = []
    vi.stubGlobal('EventSource', FakeEventSource)
    container = document.createElement('div')
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('opens one stream for the experiments, delivers parsed events and closes on unmount', () => {
    const received: LiveEvent[] = []
    const root = createRoot(container)
    act(() => root.render(<Probe ids={['2', '1']} onEvent={(e) => received.push(e)} />))
    expect(FakeEventSource.opened).toHaveLength(1)
    const source = FakeEventSource.opened[0]
    expect(source.url).toBe('/ajax-api/2.0/ferroflow/events?experiment_id=1&experiment_id=2')

    source.emit('{"type":"metrics","run_id":"r","experiment_id":"1","metrics":[]}')
    source.emit('not json')
    expect(received).toEqual([{ type: 'metrics', run_id: 'r', experiment_id: '1', metrics: [] }])

    // Same ids in a new array and a new callback: no reconnect, the new callback is used.
    const later: LiveEvent[] = []
    act(() => root.render(<Probe ids={['1', '2']} onEvent={(e) => later.push(e)} />))
    expect(FakeEventSource.opened).toHaveLength(1)
    source.emit('{"type":"lagged"}')
    expect(later).toEqual([{ type: 'lagged' }])

    // Other ids: the old stream closes and a new one opens.
    act(() => root.render(<Probe ids={['3']} onEvent={() => {}} />))
    expect(source.closed).toBe(true)
    expect(FakeEventSource.opened).toHaveLength(2)

    act(() => root.unmount())
    expect(FakeEventSource.opened[1].closed).toBe(true)
  })

  it('opens nothing without experiments', () => {
    const root = createRoot(container)
    act(() => root.render(<Probe ids={[]} onEvent={() => {}} />))
    expect(FakeEventSource.opened).toHaveLength(0)
    act(() => root.unmount())
  })
})
