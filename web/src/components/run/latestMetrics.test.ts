import { describe, expect, it } from 'vitest'
import type { Metric } from '../../models'
import { mergeLatestMetrics } from './latestMetrics'

const m = (key: string, step: number, timestamp: number, value: Metric['value']): Metric => ({ key, step, timestamp, value })

describe('mergeLatestMetrics', () => {
  it('adds new keys and replaces by higher step', () => {
    const out = mergeLatestMetrics([m('loss', 1, 10, 0.5)], [m('loss', 2, 5, 0.4), m('acc', 0, 1, 0.1)])
    expect(out).toEqual([m('loss', 2, 5, 0.4), m('acc', 0, 1, 0.1)])
  })

  it('keeps a higher step over a later timestamp', () => {
    const latest = [m('loss', 5, 10, 0.5)]
    expect(mergeLatestMetrics(latest, [m('loss', 4, 99, 0.1)])).toBe(latest)
  })

  it('breaks ties by timestamp, then by value', () => {
    expect(mergeLatestMetrics([m('x', 1, 10, 1)], [m('x', 1, 11, 0)])[0].value).toBe(0)
    expect(mergeLatestMetrics([m('x', 1, 10, 1)], [m('x', 1, 10, 2)])[0].value).toBe(2)
    expect(mergeLatestMetrics([m('x', 1, 10, 1)], [m('x', 1, 10, 'NaN')])[0].value).toBe(1)
  })
})
