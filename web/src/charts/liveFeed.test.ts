import { describe, expect, it, vi } from 'vitest'
import { MetricFeed } from './liveFeed'

const metric = (key: string, step: number) => ({ key, value: step, timestamp: 1000 + step, step })

describe('MetricFeed', () => {
  it('delivers points grouped by key to that key only', () => {
    const feed = new MetricFeed()
    const loss = vi.fn()
    const acc = vi.fn()
    feed.subscribe('loss', loss)
    feed.subscribe('acc', acc)
    feed.publish('r1', [metric('loss', 1), metric('other', 1), metric('loss', 2)])
    expect(loss).toHaveBeenCalledOnce()
    expect(loss).toHaveBeenCalledWith('r1', [metric('loss', 1), metric('loss', 2)])
    expect(acc).not.toHaveBeenCalled()
  })

  it('stops delivering after unsubscribe', () => {
    const feed = new MetricFeed()
    const listener = vi.fn()
    const unsubscribe = feed.subscribe('loss', listener)
    unsubscribe()
    feed.publish('r1', [metric('loss', 1)])
    expect(listener).not.toHaveBeenCalled()
  })

  it('tells resync listeners to reload', () => {
    const feed = new MetricFeed()
    const listener = vi.fn()
    const unsubscribe = feed.onResync(listener)
    feed.resync()
    unsubscribe()
    feed.resync()
    expect(listener).toHaveBeenCalledOnce()
  })
})
