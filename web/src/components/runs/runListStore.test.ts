import { describe, expect, it } from 'vitest'
import type { Run, RunInfo } from '../../models'
import { RunListStore, type RunListQuery, type RunPage } from './runListStore'

const info = (id: string, extra: Partial<RunInfo> = {}): RunInfo => ({
  run_id: id,
  experiment_id: '1',
  status: 'RUNNING',
  lifecycle_stage: 'active',
  ...extra,
})
const run = (id: string, data: Run['data'] = {}): Run => ({ info: info(id), data })
const ids = (store: RunListStore) => store.getSnapshot().runs.map((r) => r.info.run_id)

/** A paged fake of search-runs over a fixed list, with tokens as offsets. */
function pagedQuery(all: Run[], pageSize: number, insertNew = true): RunListQuery & { requests: (string | undefined)[] } {
  const requests: (string | undefined)[] = []
  return {
    experimentId: '1',
    insertNew,
    requests,
    fetchPage: async (token): Promise<RunPage> => {
      requests.push(token)
      const offset = Number(token ?? 0)
      const end = offset + pageSize
      return { runs: all.slice(offset, end), nextPageToken: end < all.length ? String(end) : undefined }
    },
    fetchRun: async (id) => run(id, { params: [{ key: 'lr', value: '0.1' }] }),
  }
}

describe('RunListStore', () => {
  it('loads pages on demand until the server has no more', async () => {
    const query = pagedQuery(['a', 'b', 'c', 'd', 'e'].map((id) => run(id)), 2)
    const store = new RunListStore(query)
    await store.start()
    expect(ids(store)).toEqual(['a', 'b'])
    expect(store.getSnapshot().settled).toBe(true)
    await store.loadMore()
    await store.loadMore()
    expect(ids(store)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(store.getSnapshot().nextPageToken).toBeUndefined()
    await store.loadMore()
    expect(query.requests).toEqual([undefined, '2', '4'])
  })

  it('does not load the same page twice while one is in flight', async () => {
    const query = pagedQuery(['a', 'b', 'c'].map((id) => run(id)), 1)
    const store = new RunListStore(query)
    await store.start()
    await Promise.all([store.loadMore(), store.loadMore()])
    expect(query.requests).toEqual([undefined, '1'])
  })

  it('drops responses of a stopped load', async () => {
    const store = new RunListStore(pagedQuery([run('a')], 10))
    const pending = store.start()
    store.stop()
    await pending
    expect(ids(store)).toEqual([])
  })

  it('keeps the error of a rejected search', async () => {
    const store = new RunListStore({
      ...pagedQuery([], 1),
      fetchPage: async () => {
        throw new Error('bad filter')
      },
    })
    await store.start()
    expect(store.getSnapshot().error?.message).toBe('bad filter')
    expect(store.getSnapshot().loading).toBe(false)
  })

  it('inserts live runs on top and fills them from the server', async () => {
    const store = new RunListStore(pagedQuery([run('a')], 10))
    await store.start()
    let notified = 0
    store.subscribe(() => notified++)
    store.applyEvents([{ type: 'run', run: info('new') }])
    expect(ids(store)).toEqual(['new', 'a'])
    await Promise.resolve()
    await Promise.resolve()
    expect(store.getSnapshot().runs[0].data.params).toEqual([{ key: 'lr', value: '0.1' }])
    expect(notified).toBeGreaterThanOrEqual(2)
  })

  it('counts live runs instead when the view is filtered or reordered', async () => {
    const store = new RunListStore(pagedQuery([run('a')], 10, false))
    await store.start()
    store.applyEvents([{ type: 'run', run: info('n1') }, { type: 'run', run: info('n2') }])
    store.applyEvents([{ type: 'run', run: info('n1', { status: 'FINISHED' }) }])
    expect(ids(store)).toEqual(['a'])
    expect(store.getSnapshot().unseenNewRuns).toBe(2)
  })

  it('reloads from the first page when the stream reports lost events', async () => {
    const query = pagedQuery([run('a'), run('b')], 1)
    const store = new RunListStore(query)
    await store.start()
    await store.loadMore()
    store.applyEvents([{ type: 'lagged' }])
    expect(store.getSnapshot().loading).toBe(true)
    await Promise.resolve()
    await Promise.resolve()
    expect(query.requests).toEqual([undefined, '1', undefined])
    expect(ids(store)).toEqual(['a'])
  })
})
