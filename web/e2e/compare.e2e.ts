// The compare page against a real server: three runs overlaid in one chart per metric
// (three legend entries each), and the params diff table highlighting the param that
// differs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, type Harness } from './harness'
import { createExperiment, createRun } from './seed'
import { tick } from './ui'

let h: Harness
let page: Page
let experimentId: string
const runIds: string[] = []
const T0 = Date.UTC(2025, 0, 1)

const RUNS = [
  { name: 'lr-high', lr: '0.1' },
  { name: 'lr-low', lr: '0.001' },
  { name: 'lr-mid', lr: '0.01' },
]

/** A decaying curve with one spike, 300 steps. */
const curve = (scale: number): [number, number][] =>
  Array.from({ length: 300 }, (_, step) => [scale * Math.exp(-step / 80) + (step === 150 ? 1 : 0), step])

beforeAll(async () => {
  h = await startHarness()
  experimentId = await createExperiment(h, 'compare-e2e')
  for (const [i, run] of RUNS.entries()) {
    runIds.push(
      await createRun(h, {
        experimentId,
        name: run.name,
        startTime: T0 + i * 60_000,
        params: { lr: run.lr, batch_size: 64, optimizer: 'adam' },
        metrics: { loss: curve(1 + i), accuracy: curve(0.5) },
      }),
    )
  }
  page = await h.newPage()
  await page.goto(`${h.baseUrl}/compare?runs=${runIds.join(',')}&experiment=${experimentId}`)
})

afterAll(async () => {
  await h?.close()
})

/** The run labels in a chart's hover legend (the first legend row is the x axis). */
const legendLabels = (key: string) =>
  page.locator(`.chart-card[data-metric="${key}"] .u-legend .u-series:not(:first-child) .u-label`).allTextContents()

describe('compare page', () => {
  it('overlays the three runs in one chart per metric', async () => {
    for (const key of ['accuracy', 'loss']) {
      const chart = page.locator(`.chart-card[data-metric="${key}"]`)
      await chart.locator('canvas').waitFor()
      await expect.poll(() => legendLabels(key)).toEqual(RUNS.map((r) => r.name))
      // Every run's 300 points fit under the sampling budget, so all are drawn.
      expect(Number(await chart.getAttribute('data-points'))).toBe(3 * 300)
    }
    expect(await page.locator('.chart-card').count()).toBe(2)
  })

  it('highlights the differing param in the diff table', async () => {
    const table = page.locator('.diff-table')
    expect(await table.locator('thead th').allTextContents()).toEqual(['Parameter', ...RUNS.map((r) => r.name)])
    expect(await table.locator('tbody tr.differs').allInnerTexts()).toEqual([['lr', ...RUNS.map((r) => r.lr)].join('\t')])
    expect(await table.locator('tbody tr:not(.differs) th').allTextContents()).toEqual(['batch_size', 'optimizer'])

    // The highlight is visible, not just a class: the row's cells get the theme's colour.
    const background = await table
      .locator('tbody tr.differs td')
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor)
    const plain = await table
      .locator('tbody tr:not(.differs) td')
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor)
    expect(background).not.toBe(plain)
    await h.screenshot(page, 'compare')
  })

  it('hides equal params with "Only differences"', async () => {
    await tick(page.getByLabel(/Only differences/))
    expect(await page.locator('.diff-table tbody tr th').allTextContents()).toEqual(['lr'])
  })

  it('keeps chart options in the URL', async () => {
    await tick(page.getByLabel('Log scale'))
    await expect.poll(() => new URL(page.url()).searchParams.get('log')).toBe('1')
    await page.reload()
    await page.locator('.chart-card[data-metric="loss"] canvas').waitFor()
    expect(await page.getByLabel('Log scale').isChecked()).toBe(true)
  })
})
