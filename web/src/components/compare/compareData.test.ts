import { describe, expect, it } from 'vitest'
import type { Run } from '../../models'
import {
  columnId,
  columnsOf,
  axisTicks,
  columnValue,
  niceTicks,
  paramDiffRows,
  parseColumnId,
  parseRunIds,
  scaleFor,
  scalePosition,
} from './compareData'

function run(id: string, params: Record<string, string>, metrics: Record<string, number | 'NaN'> = {}): Run {
  return {
    info: { run_id: id, experiment_id: '1', status: 'FINISHED', lifecycle_stage: 'active' },
    data: {
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: 0 })),
    },
  }
}

describe('parseRunIds', () => {
  it('splits, trims and dedupes', () => {
    expect(parseRunIds(' a, b,,a ,c')).toEqual(['a', 'b', 'c'])
    expect(parseRunIds(null)).toEqual([])
  })
})

describe('paramDiffRows', () => {
  it('lists every key once, sorted, and flags differing and missing values', () => {
    const rows = paramDiffRows([
      run('1', { lr: '0.1', epochs: '10', opt: 'adam' }),
      run('2', { lr: '0.01', epochs: '10' }),
      run('3', { lr: '0.1', epochs: '10', opt: 'adam' }),
    ])
    expect(rows).toEqual([
      { key: 'epochs', values: ['10', '10', '10'], differs: false },
      { key: 'lr', values: ['0.1', '0.01', '0.1'], differs: true },
      { key: 'opt', values: ['adam', undefined, 'adam'], differs: true },
    ])
  })

  it('has nothing to diff for one run', () => {
    expect(paramDiffRows([run('1', { a: '1' })])).toEqual([{ key: 'a', values: ['1'], differs: false }])
  })
})

describe('columns', () => {
  const runs = [run('1', { lr: '0.1' }, { loss: 0.5 }), run('2', { batch: '32' }, { acc: 'NaN', loss: 0.4 })]

  it('lists params then metrics, each sorted', () => {
    expect(columnsOf(runs).map(columnId)).toEqual(['param:batch', 'param:lr', 'metric:acc', 'metric:loss'])
  })

  it('reads values: params as text, metrics as numbers', () => {
    expect(columnValue(runs[0], { kind: 'param', key: 'lr' })).toBe('0.1')
    expect(columnValue(runs[0], { kind: 'param', key: 'batch' })).toBeUndefined()
    expect(columnValue(runs[1], { kind: 'metric', key: 'loss' })).toBe(0.4)
    expect(columnValue(runs[1], { kind: 'metric', key: 'acc' })).toBeUndefined()
  })

  it('round-trips column ids, keys with colons included', () => {
    expect(parseColumnId('metric:val:loss')).toEqual({ kind: 'metric', key: 'val:loss' })
    expect(parseColumnId('tag:x')).toBeNull()
    expect(parseColumnId(null)).toBeNull()
  })
})

describe('scales', () => {
  it('is linear when every present value is a number', () => {
    const scale = scaleFor(['0.1', 0.5, undefined, '1e-3'])
    expect(scale).toEqual({ type: 'linear', min: 0.001, max: 0.5 })
    expect(scalePosition(scale, '0.5')).toBe(1)
    expect(scalePosition(scale, undefined)).toBeNull()
  })

  it('is categorical otherwise, numeric-looking categories in numeric order', () => {
    const scale = scaleFor(['64', 'auto', '128', '64'])
    expect(scale).toEqual({ type: 'category', categories: ['64', '128', 'auto'] })
    expect(scalePosition(scale, '128')).toBe(0.5)
    expect(scalePosition(scale, 'nope')).toBeNull()
  })

  it('centres a single value', () => {
    expect(scalePosition(scaleFor([3, 3]), 3)).toBe(0.5)
    expect(scalePosition(scaleFor(['a']), 'a')).toBe(0.5)
  })

  it('keeps text that is not a number categorical', () => {
    expect(scaleFor(['1', 'NaN']).type).toBe('category')
    expect(scaleFor(['', '2']).type).toBe('category')
  })
})

describe('niceTicks', () => {
  it('returns round steps inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(3, 97, 5)).toEqual([20, 40, 60, 80])
    expect(niceTicks(0.001, 0.1, 3)).toEqual([0.05, 0.1])
  })

  it('handles flat and invalid ranges', () => {
    expect(niceTicks(2, 2)).toEqual([2])
    expect(niceTicks(Number.NaN, 1)).toEqual([])
  })
})

describe('axisTicks', () => {
  it('labels linear scales with round numbers', () => {
    expect(axisTicks({ type: 'linear', min: 0, max: 10 }, 5, String)).toEqual([
      { position: 0, label: '0' },
      { position: 0.2, label: '2' },
      { position: 0.4, label: '4' },
      { position: 0.6, label: '6' },
      { position: 0.8, label: '8' },
      { position: 1, label: '10' },
    ])
  })

  it('thins out many categories', () => {
    const scale = { type: 'category' as const, categories: ['a', 'b', 'c', 'd', 'e'] }
    expect(axisTicks(scale, 3, String).map((t) => t.label)).toEqual(['a', 'c', 'e'])
  })
})
