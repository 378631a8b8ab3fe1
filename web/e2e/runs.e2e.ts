// The runs table against a real server: default order, server-side sorting by a
// metric, filtering, the inline filter error, the column picker, nested runs,
// selection with Compare, and paging through many runs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, type Harness } from './harness'
import { createExperiment, createRun } from './seed'
import { cellText, expectRunNames, runNames, runRow, tick } from './ui'

let h: Harness
let page: Page
let experimentId: string
let nestedExperimentId: string
const runIds = new Map<string, string>()

/** Seeded runs, oldest first; each starts a minute after the previous one. */
const RUNS = [
  { name: 'cnn-small', loss: 0.5, model: 'cnn', lr: '0.1' },
  { name: 'mlp-wide', loss: 0.1, model: 'mlp', lr: '0.01' },
  { name: 'cnn-deep', loss: 0.9, model: 'cnn', lr: '0.001' },
  { name: 'mlp-narrow', loss: 0.3, model: 'mlp', lr: '0.05' },
  { name: 'cnn-tuned', loss: 0.7, model: 'cnn', lr: '0.02' },
]
const T0 = Date.UTC(2025, 0, 1)
const newestFirst = RUNS.map((r) => r.name).reverse()
const byLoss = [...RUNS].sort((a, b) => a.loss - b.loss).map((r) => r.name)

beforeAll(async () => {
  h = await startHarness()
  experimentId = await createExperiment(h, 'runs-e2e')
  for (const [i, run] of RUNS.entries()) {
    const id = await createRun(h, {
      experimentId,
      name: run.name,
      startTime: T0 + i * 60_000,
      params: { model: run.model, lr: run.lr },
      metrics: { loss: [[run.loss + 1, 0], [run.loss, 1]] },
      tags: { team: i % 2 ? 'nlp' : 'vision' },
    })
    runIds.set(run.name, id)
  }

  nestedExperimentId = await createExperiment(h, 'nested-e2e')
  const parent = await createRun(h, { experimentId: nestedExperimentId, name: 'sweep', startTime: T0 })
  await createRun(h, { experimentId: nestedExperimentId, name: 'trial-1', startTime: T0 + 1000, parentRunId: parent })
  await createRun(h, { experimentId: nestedExperimentId, name: 'trial-2', startTime: T0 + 2000, parentRunId: parent })
  await createRun(h, { experimentId: nestedExperimentId, name: 'solo', startTime: T0 + 3000 })

  page = await h.newPage()
})

afterAll(async () => {
  await h?.close()
})

const open = (query = '', id = experimentId) => page.goto(`${h.baseUrl}/experiments/${id}${query ? `?${query}` : ''}`)
const query = () => new URL(page.url()).searchParams

describe('runs table', () => {
  it('shows runs newest first with status, user and start time', async () => {
    await open()
    await expectRunNames(page, newestFirst)
    expect(await cellText(page, 'cnn-small', 'status')).toBe('finished')
    expect(await cellText(page, 'cnn-small', 'user_id')).toBe('e2e')
    expect(await cellText(page, 'cnn-small', 'duration')).toBe('1m 00s')
    const link = runRow(page, 'mlp-wide').locator('[data-column="run_name"] a')
    expect(await link.getAttribute('href')).toBe(`/runs/${runIds.get('mlp-wide')}`)
    await h.screenshot(page, 'runs-default')
  })

  it('sorts by a metric on the server, and flips on a header click', async () => {
    await open('sort=metrics.loss:asc&cols=metrics.loss')
    await expectRunNames(page, byLoss)
    // Latest value (step 1), not the first one logged.
    expect(await cellText(page, 'mlp-wide', 'metrics.loss')).toBe('0.1')
    await h.screenshot(page, 'runs-sorted-by-loss')

    await page.locator('.runs-grid-th[data-column="metrics.loss"]').click()
    await expectRunNames(page, [...byLoss].reverse())
    expect(query().get('sort')).toBe('metrics.loss:desc')
    expect(await page.locator('.runs-grid-th[data-column="metrics.loss"]').getAttribute('aria-sort')).toBe('descending')

    await page.locator('.runs-grid-th[data-column="run_name"]').click()
    await expectRunNames(page, RUNS.map((r) => r.name).sort())
    expect(query().get('sort')).toBe('attributes.run_name:asc')
  })

  it('filters with the MLflow search language on Enter', async () => {
    await open()
    await expectRunNames(page, newestFirst)
    const filter = "params.model = 'cnn' and metrics.loss > 0.6"
    await page.getByLabel('Filter runs').fill(filter)
    await page.getByLabel('Filter runs').press('Enter')
    await expectRunNames(page, ['cnn-tuned', 'cnn-deep'])
    expect(query().get('filter')).toBe(filter)
    await h.screenshot(page, 'runs-filtered')

    // The filter survives a reload, because it lives in the URL.
    await page.reload()
    await expectRunNames(page, ['cnn-tuned', 'cnn-deep'])
    expect(await page.getByLabel('Filter runs').inputValue()).toBe(filter)
  })

  it("shows the server's message under the box for an invalid filter", async () => {
    await open()
    await expectRunNames(page, newestFirst)
    const bad = 'metrics.loss >>> 1'
    let serverMessage = ''
    try {
      await h.api('/runs/search', { experiment_ids: [experimentId], filter: bad })
    } catch (error) {
      serverMessage = JSON.parse((error as Error).message.replace(/^[^{]*/, '')).message
    }
    expect(serverMessage).not.toBe('')

    await page.getByLabel('Filter runs').fill(bad)
    await page.getByLabel('Filter runs').press('Enter')
    const shown = page.locator('.filter-error')
    await shown.waitFor()
    expect(await shown.innerText()).toBe(serverMessage)
    await h.screenshot(page, 'runs-filter-error')

    // Fixing the filter clears the message.
    await page.getByLabel('Filter runs').fill("params.model = 'mlp'")
    await page.getByLabel('Filter runs').press('Enter')
    await expectRunNames(page, ['mlp-narrow', 'mlp-wide'])
    expect(await page.locator('.filter-error').count()).toBe(0)
  })

  it('adds a param column from the column picker', async () => {
    await open()
    await expectRunNames(page, newestFirst)
    await page.getByRole('button', { name: /^Columns/ }).click()
    const option = page.locator('input[data-column-key="params.lr"]')
    await tick(option)
    await page.getByRole('button', { name: 'Done' }).click()

    const header = page.locator('.runs-grid-th[data-column="params.lr"]')
    await header.waitFor()
    expect(await header.innerText()).toContain('lr')
    for (const run of RUNS) expect(await cellText(page, run.name, 'params.lr')).toBe(run.lr)
    expect(query().get('cols')).toBe('params.lr')
    await h.screenshot(page, 'runs-param-column')
  })

  it('nests child runs under their parent with an expand toggle', async () => {
    await open('', nestedExperimentId)
    await expectRunNames(page, ['solo', 'sweep'])
    const toggle = runRow(page, 'sweep').locator('.expand-toggle')
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    await toggle.click()
    await expectRunNames(page, ['solo', 'sweep', 'trial-2', 'trial-1'])
    expect(await runRow(page, 'trial-1').getAttribute('data-depth')).toBe('1')
    expect(await runRow(page, 'sweep').getAttribute('data-depth')).toBe('0')
    await h.screenshot(page, 'runs-nested')
    await toggle.click()
    await expectRunNames(page, ['solo', 'sweep'])
  })

  it('keeps the selection in the URL and compares two runs', async () => {
    await open()
    await expectRunNames(page, newestFirst)
    const compare = page.getByRole('button', { name: /^Compare/ })
    expect(await compare.isDisabled()).toBe(true)
    await tick(runRow(page, 'cnn-deep').locator('input[type="checkbox"]'))
    expect(await compare.isDisabled()).toBe(true)
    await tick(runRow(page, 'mlp-wide').locator('input[type="checkbox"]'))
    expect(await compare.isDisabled()).toBe(false)
    const selected = [runIds.get('cnn-deep'), runIds.get('mlp-wide')].join(',')
    expect(query().get('sel')).toBe(selected)

    await compare.click()
    await page.waitForURL(/\/compare\?/)
    expect(query().get('runs')).toBe(selected)
    expect(query().get('experiment')).toBe(experimentId)
  })
})

describe('runs table with many runs', () => {
  const TOTAL = 10_000
  let bigExperimentId: string

  beforeAll(async () => {
    bigExperimentId = await createExperiment(h, 'ten-thousand')
    // Eight writers at a time: SQLite serializes writes anyway.
    let next = 0
    const writer = async () => {
      while (next < TOTAL) {
        const i = next++
        await h.api('/runs/create', {
          experiment_id: bigExperimentId,
          run_name: `run-${String(i).padStart(5, '0')}`,
          start_time: T0 + i * 1000,
          user_id: 'e2e',
        })
      }
    }
    await Promise.all(Array.from({ length: 8 }, writer))
  }, 300_000)

  it('renders the first page without loading every run, and pages on scroll', async () => {
    const searches: number[] = []
    page.on('request', (request) => {
      if (request.url().endsWith('/runs/search')) searches.push(JSON.parse(request.postData() ?? '{}').max_results)
    })
    const started = Date.now()
    await open('', bigExperimentId)
    await page.locator('.runs-grid-row').first().waitFor()
    console.log(`first run row of ${TOTAL} after ${Date.now() - started} ms (navigation included)`)

    const names = await runNames(page)
    expect(names[0]).toBe(`run-${String(TOTAL - 1).padStart(5, '0')}`)
    // Virtualized: a screenful of rows in the DOM, not thousands.
    expect(names.length).toBeLessThan(100)
    expect(searches).toEqual([200])

    // Scrolling to the end of the loaded rows fetches the next page.
    await page.locator('.runs-grid').evaluate((el) => el.scrollTo(0, el.scrollHeight))
    await page.waitForFunction(() => document.querySelector('.runs-count')?.textContent?.startsWith('400 runs'))
    expect(searches.length).toBeGreaterThanOrEqual(2)
    expect(searches.every((n) => n === 200)).toBe(true)
    await h.screenshot(page, 'runs-ten-thousand')
  }, 120_000)
})
