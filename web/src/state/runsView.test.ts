import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SORT,
  DEFAULT_VIEW,
  nextSort,
  parseRunsView,
  parseSort,
  serializeRunsView,
  showsNewestFirst,
  sortToOrderBy,
  type RunsViewState,
} from './runsView'

const parse = (query: string) => parseRunsView(new URLSearchParams(query))

describe('parseRunsView', () => {
  it('gives the defaults for an empty query', () => {
    expect(parse('')).toEqual(DEFAULT_VIEW)
    expect(DEFAULT_VIEW.sort).toEqual({ entity: 'attributes', key: 'start_time', ascending: false })
  })

  it('reads every field', () => {
    expect(
      parse('filter=metrics.loss+%3C+1&sort=metrics.loss:asc&cols=params.lr,metrics.acc,tags.team&sel=a,b'),
    ).toEqual({
      filter: 'metrics.loss < 1',
      sort: { entity: 'metrics', key: 'loss', ascending: true },
      cols: [
        { entity: 'params', key: 'lr' },
        { entity: 'metrics', key: 'acc' },
        { entity: 'tags', key: 'team' },
      ],
      sel: ['a', 'b'],
    })
  })

  it('keeps dots, spaces and slashes inside keys', () => {
    expect(parse('cols=params.optimizer.lr,metrics.val/loss 2').cols).toEqual([
      { entity: 'params', key: 'optimizer.lr' },
      { entity: 'metrics', key: 'val/loss 2' },
    ])
    expect(parseSort('tags.mlflow.user:desc')).toEqual({ entity: 'tags', key: 'mlflow.user', ascending: false })
  })

  it('drops malformed pieces and keeps the rest', () => {
    const view = parse('sort=metrics.loss:sideways&cols=bogus.x,params.,,params.lr,params.lr&sel=,a,,a')
    expect(view.sort).toEqual(DEFAULT_SORT)
    expect(view.cols).toEqual([{ entity: 'params', key: 'lr' }])
    expect(view.sel).toEqual(['a'])
  })

  it('rejects sorts on unknown entities or attributes', () => {
    for (const bad of ['loss:asc', 'metrics:asc', 'attributes.duration:asc', 'foo.bar:desc', ':asc', 'metrics.loss']) {
      expect(parseSort(bad), bad).toBeNull()
    }
    expect(parseSort('attributes.run_name:DESC')).toEqual({ entity: 'attributes', key: 'run_name', ascending: false })
  })
})

describe('serializeRunsView', () => {
  it('round-trips a full view', () => {
    const view: RunsViewState = {
      filter: "params.model = 'cnn' and metrics.acc > 0.9",
      sort: { entity: 'params', key: 'batch size', ascending: false },
      cols: [
        { entity: 'metrics', key: 'val/loss' },
        { entity: 'params', key: 'batch size' },
      ],
      sel: ['r1', 'r2', 'r3'],
    }
    const query = serializeRunsView(view)
    expect(parseRunsView(new URLSearchParams(query.toString()))).toEqual(view)
  })

  it('omits defaults so a plain view has a plain URL', () => {
    expect(serializeRunsView(DEFAULT_VIEW).toString()).toBe('')
  })

  it('keeps unrelated parameters and clears removed ones', () => {
    const base = new URLSearchParams('other=1&filter=x&sel=a')
    const query = serializeRunsView({ ...DEFAULT_VIEW, filter: '' }, base)
    expect(query.toString()).toBe('other=1')
  })
})

describe('sortToOrderBy', () => {
  it('writes MLflow order_by clauses, quoting keys', () => {
    expect(sortToOrderBy(DEFAULT_SORT)).toBe('attributes.start_time DESC')
    expect(sortToOrderBy({ entity: 'metrics', key: 'val loss', ascending: true })).toBe('metrics.`val loss` ASC')
    expect(sortToOrderBy({ entity: 'params', key: 'lr', ascending: false })).toBe('params.`lr` DESC')
  })
})

describe('nextSort', () => {
  const loss = { entity: 'metrics', key: 'loss' } as const
  it('cycles ascending, descending, default', () => {
    const first = nextSort(DEFAULT_SORT, loss)
    expect(first).toEqual({ ...loss, ascending: true })
    const second = nextSort(first, loss)
    expect(second).toEqual({ ...loss, ascending: false })
    expect(nextSort(second, loss)).toEqual(DEFAULT_SORT)
  })

  it('flips the default field instead of getting stuck on it', () => {
    const startTime = { entity: 'attributes', key: 'start_time' } as const
    const flipped = nextSort(DEFAULT_SORT, startTime)
    expect(flipped.ascending).toBe(true)
    expect(nextSort(flipped, startTime)).toEqual(DEFAULT_SORT)
  })
})

describe('showsNewestFirst', () => {
  it('holds only for the default sort without a filter', () => {
    expect(showsNewestFirst(DEFAULT_VIEW)).toBe(true)
    expect(showsNewestFirst({ filter: '  ', sort: DEFAULT_SORT })).toBe(true)
    expect(showsNewestFirst({ filter: 'metrics.a > 1', sort: DEFAULT_SORT })).toBe(false)
    expect(showsNewestFirst({ filter: '', sort: { ...DEFAULT_SORT, ascending: true } })).toBe(false)
  })
})
