import { describe, expect, it } from 'vitest'
import type { LiveEvent, Metric, Run, RunInfo } from '../../models'
import {
  applyLiveEvents,
  buildRunRows,
  columnValue,
  discoverKeys,
  formatDuration,
  formatMetric,
  mergeLatestMetrics,
  mergeRunPage,
  replaceRun,
  runDuration,
  runNameOf,
} from './runRows'

function info(id: string, extra: Partial<RunInfo> = {}): RunInfo {
  return { run_id: id, experiment_id: '1', status: 'FINISHED', lifecycle_stage: 'active', ...extra }
}

function run(id: string, data: Run['data'] = {}, extra: Partial<RunInfo> = {}): Run {
  return { info: info(id, extra), data }
}

const child = (id: string, parent: string) => run(id, { tags: [{ key: 'mlflow.parentRunId', value: parent }] })
const metric = (key: string, value: number, step: number, timestamp = 1000): Metric => ({ key, value, step, timestamp })
const ids = (runs: Run[]) => runs.map((r) => r.info.run_id)

describe('mergeRunPage', () => {
  it('appends a page in order', () => {
    expect(ids(mergeRunPage([run('a'), run('b')], [run('c'), run('d')]))).toEqual(['a', 'b', 'c', 'd'])
  })

  it('skips runs already loaded, as shifted offsets repeat them', () => {
    expect(ids(mergeRunPage([run('a'), run('b')], [run('b'), run('c'), run('c')]))).toEqual(['a', 'b', 'c'])
  })
})

describe('mergeLatestMetrics', () => {
  it('keeps one latest point per key by step, then timestamp, then value', () => {
    const merged = mergeLatestMetrics(
      [metric('loss', 0.5, 10), metric('acc', 0.8, 3)],
      [metric('loss', 0.9, 9), metric('acc', 0.7, 3, 2000), metric('lr', 0.1, 0)],
    )
    expect(Object.fromEntries(merged.map((m) => [m.key, m.value]))).toEqual({ loss: 0.5, acc: 0.7, lr: 0.1 })
    const tie = mergeLatestMetrics([metric('x', 1, 1)], [metric('x', 2, 1)])
    expect(tie[0].value).toBe(2)
  })

  it('orders NaN below numbers like the store does', () => {
    expect(mergeLatestMetrics([metric('x', 1, 1)], [{ key: 'x', value: 'NaN', step: 1, timestamp: 1000 }])[0].value).toBe(1)
  })
})

describe('applyLiveEvents', () => {
  const loaded = [run('a', { metrics: [metric('loss', 1, 1)] }, { status: 'RUNNING' }), run('b')]

  it('updates status and latest metrics in place', () => {
    const events: LiveEvent[] = [
      { type: 'run', run: info('a', { status: 'FINISHED', end_time: 5 }) },
      { type: 'metrics', run_id: 'a', experiment_id: '1', metrics: [metric('loss', 0.25, 2)] },
    ]
    const { runs, newRuns } = applyLiveEvents(loaded, events, ['1'], true)
    expect(ids(runs)).toEqual(['a', 'b'])
    expect(runs[0].info.status).toBe('FINISHED')
    expect(runs[0].info.end_time).toBe(5)
    expect(runs[0].data.metrics).toEqual([metric('loss', 0.25, 2)])
    expect(newRuns).toEqual([])
    expect(loaded[0].info.status).toBe('RUNNING') // input untouched
  })

  it('puts new runs on top when asked, newest first, and reports them', () => {
    const events: LiveEvent[] = [
      { type: 'run', run: info('n1') },
      { type: 'run', run: info('n2') },
      { type: 'run', run: info('n2', { status: 'FINISHED' }) },
    ]
    const inserted = applyLiveEvents(loaded, events, ['1'], true)
    expect(ids(inserted.runs)).toEqual(['n2', 'n1', 'a', 'b'])
    expect(inserted.newRuns.map((r) => r.run_id)).toEqual(['n1', 'n2'])

    const counted = applyLiveEvents(loaded, events, ['1'], false)
    expect(counted.runs).toBe(loaded)
    expect(counted.newRuns).toHaveLength(2)
  })

  it('removes deleted runs and ignores other experiments and unknown metrics', () => {
    const { runs, newRuns } = applyLiveEvents(
      loaded,
      [
        { type: 'run', run: info('b', { lifecycle_stage: 'deleted' }) },
        { type: 'run', run: info('x', { experiment_id: '2' }) },
        { type: 'metrics', run_id: 'zz', experiment_id: '1', metrics: [metric('loss', 0, 0)] },
        { type: 'metrics', run_id: 'a', experiment_id: '1', metrics: [metric('loss', 3, 3)] },
      ],
      ['1'],
      true,
    )
    expect(ids(runs)).toEqual(['a'])
    expect(runs[0].data.metrics?.[0].value).toBe(3)
    expect(newRuns).toEqual([])
  })

  it('returns the same array when nothing applies', () => {
    const events: LiveEvent[] = [
      { type: 'metrics', run_id: 'zz', experiment_id: '1', metrics: [] },
      { type: 'lagged' },
      { type: 'future-kind' } as unknown as LiveEvent,
    ]
    expect(applyLiveEvents(loaded, events, ['1'], true).runs).toBe(loaded)
  })
})

describe('replaceRun', () => {
  it('fills a placeholder and keeps newer live metrics', () => {
    const placeholder = run('n', { metrics: [metric('loss', 0.1, 7)] })
    const fetched = run('n', { params: [{ key: 'lr', value: '0.1' }], metrics: [metric('loss', 0.3, 5)] })
    const [filled] = replaceRun([placeholder], fetched)
    expect(filled.data.params).toEqual([{ key: 'lr', value: '0.1' }])
    expect(filled.data.metrics).toEqual([metric('loss', 0.1, 7)])
  })
})

describe('buildRunRows', () => {
  const runs = [run('p'), child('c1', 'p'), run('q'), child('c2', 'p'), child('g', 'c1'), child('orphan', 'gone')]
  const rowIds = (expanded: string[]) =>
    buildRunRows(runs, new Set(expanded)).map((r) => `${'-'.repeat(r.depth)}${r.id}`)

  it('hides children of collapsed parents', () => {
    expect(rowIds([])).toEqual(['p', 'q', 'orphan'])
    const [p] = buildRunRows(runs, new Set())
    expect(p.childCount).toBe(2)
    expect(p.expanded).toBe(false)
  })

  it('nests expanded children in server order, at any depth', () => {
    expect(rowIds(['p'])).toEqual(['p', '-c1', '-c2', 'q', 'orphan'])
    expect(rowIds(['p', 'c1'])).toEqual(['p', '-c1', '--g', '-c2', 'q', 'orphan'])
    expect(rowIds(['c1'])).toEqual(['p', 'q', 'orphan'])
  })

  it('keeps runs caught in a parent cycle or pointing at themselves', () => {
    const cyclic = [child('x', 'y'), child('y', 'x'), child('self', 'self')]
    expect(buildRunRows(cyclic, new Set(['x', 'y'])).map((r) => r.id).sort()).toEqual(['self', 'x', 'y'])
  })
})

describe('discoverKeys and columnValue', () => {
  const runs = [
    run('a', { params: [{ key: 'lr', value: '0.1' }], metrics: [metric('loss', 0.123456789, 1)] }),
    run('b', { params: [{ key: 'batch', value: '32' }], tags: [{ key: 'team', value: 'vision' }] }),
  ]

  it('collects sorted unique keys per entity', () => {
    expect(discoverKeys(runs)).toEqual({ params: ['batch', 'lr'], metrics: ['loss'], tags: ['team'] })
  })

  it('reads cells, formatting metrics and leaving missing ones undefined', () => {
    expect(columnValue(runs[0], { entity: 'params', key: 'lr' })).toBe('0.1')
    expect(columnValue(runs[0], { entity: 'metrics', key: 'loss' })).toBe('0.123457')
    expect(columnValue(runs[1], { entity: 'tags', key: 'team' })).toBe('vision')
    expect(columnValue(runs[1], { entity: 'params', key: 'lr' })).toBeUndefined()
  })
})

describe('formatting', () => {
  it('formats metrics', () => {
    expect(formatMetric(42)).toBe('42')
    expect(formatMetric(0.5)).toBe('0.5')
    expect(formatMetric(1.23456789e-7)).toBe('1.2346e-7')
    expect(formatMetric(Number.NaN)).toBe('NaN')
    expect(formatMetric(Number.NEGATIVE_INFINITY)).toBe('-∞')
  })

  it('formats durations', () => {
    expect(formatDuration(450)).toBe('450ms')
    expect(formatDuration(12_340)).toBe('12.3s')
    expect(formatDuration(185_000)).toBe('3m 05s')
    expect(formatDuration(3_720_000)).toBe('1h 02m')
    expect(formatDuration(-1)).toBe('')
  })

  it('measures running runs up to now and finished runs to their end', () => {
    expect(runDuration(info('a', { start_time: 1000, end_time: 4000 }), 9999)).toBe(3000)
    expect(runDuration(info('a', { start_time: 1000, status: 'RUNNING' }), 6000)).toBe(5000)
    expect(runDuration(info('a', { status: 'RUNNING' }), 6000)).toBeUndefined()
    expect(runDuration(info('a', { start_time: 7000, status: 'RUNNING' }), 6000)).toBe(0)
  })

  it('names runs by run_name, then the runName tag, then the id', () => {
    expect(runNameOf(run('a', {}, { run_name: 'nice' }))).toBe('nice')
    expect(runNameOf(run('a', { tags: [{ key: 'mlflow.runName', value: 'tagged' }] }))).toBe('tagged')
    expect(runNameOf(run('a'))).toBe('a')
  })
})
