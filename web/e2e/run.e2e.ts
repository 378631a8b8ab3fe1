// The run page against a real server: a chart canvas for a logged metric, previews of a
// text and a JSON artifact, and live points appended to a running run's chart.

import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, type Harness } from './harness'
import { createExperiment, createRun, logMetric } from './seed'

let h: Harness
let page: Page
let runId: string
let runningId: string
const T0 = Date.now() - 3_600_000

const SUMMARY = 'Model: "sequential"\nTotal params: 13,940\n'
const CONFIG = { lr: 0.01, layers: [64, 32] }

/**
 * Writes an artifact where the run keeps them. The harness server stores artifacts
 * under a local root, which MLflow clients write to directly (no upload endpoint).
 */
async function logArtifact(id: string, file: string, content: string): Promise<void> {
  const res = await fetch(`${h.serverUrl}/api/2.0/mlflow/runs/get?run_id=${id}`)
  const { run } = (await res.json()) as { run: { info: { artifact_uri: string } } }
  const root = run.info.artifact_uri.replace(/^file:\/\//, '')
  expect(path.isAbsolute(root), `artifact root ${root} is a local path`).toBe(true)
  await mkdir(path.dirname(path.join(root, file)), { recursive: true })
  await writeFile(path.join(root, file), content)
}

/** The number of points the chart of `key` draws (0 while loading). */
const chartPoints = async (key: string) =>
  Number((await page.locator(`.chart-card[data-metric="${key}"]`).getAttribute('data-points')) ?? 0)

beforeAll(async () => {
  h = await startHarness()
  const experimentId = await createExperiment(h, 'run-page-e2e')
  runId = await createRun(h, {
    experimentId,
    name: 'trained',
    startTime: T0,
    params: { lr: 0.01 },
    metrics: { loss: Array.from({ length: 50 }, (_, step): [number, number] => [1 / (step + 1), step]) },
  })
  await logArtifact(runId, 'model_summary.txt', SUMMARY)
  await logArtifact(runId, 'eval/config.json', JSON.stringify(CONFIG))
  runningId = await createRun(h, {
    experimentId,
    name: 'training',
    startTime: Date.now(),
    status: 'RUNNING',
    metrics: { loss: [[2, 0], [1.5, 1]] },
  })
  page = await h.newPage()
})

afterAll(async () => {
  await h?.close()
})

describe('run page', () => {
  it('shows the overview with the run name and params', async () => {
    await page.goto(`${h.baseUrl}/runs/${runId}`)
    await expect.poll(() => page.locator('.run-title').textContent()).toBe('trained')
    expect(await page.locator('.params-table tbody tr').allInnerTexts()).toEqual(['lr\t0.01'])
  })

  it('draws a chart canvas for a logged metric', async () => {
    await page.goto(`${h.baseUrl}/runs/${runId}?tab=metrics`)
    const chart = page.locator('.chart-card[data-metric="loss"]')
    await chart.locator('canvas').waitFor()
    const box = await chart.locator('canvas').boundingBox()
    expect(box?.width).toBeGreaterThan(200)
    expect(box?.height).toBeGreaterThan(100)
    expect(await chartPoints('loss')).toBe(50)
    // The hover legend names the run.
    expect(await chart.locator('.u-legend .u-series').nth(1).textContent()).toContain('trained')
    await h.screenshot(page, 'run-metrics')
  })

  it('re-samples a dragged window from the server and resets on double-click', async () => {
    const over = page.locator('.chart-card[data-metric="loss"] .u-over')
    const box = await over.boundingBox()
    if (!box) throw new Error('the chart has no plot area')
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    // Only the points inside the window come back (about 30% of 50 steps).
    await expect.poll(() => chartPoints('loss')).toBeLessThan(25)
    expect(await chartPoints('loss')).toBeGreaterThan(5)
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor()

    await over.dblclick()
    await expect.poll(() => chartPoints('loss')).toBe(50)
    expect(await page.getByRole('button', { name: 'Reset zoom' }).count()).toBe(0)
  })

  it('previews a text artifact', async () => {
    await page.goto(`${h.baseUrl}/runs/${runId}?tab=artifacts`)
    await page.getByRole('button', { name: /model_summary\.txt/ }).click()
    const text = page.locator('.artifact-preview[data-path="model_summary.txt"] pre')
    await text.waitFor()
    expect(await text.textContent()).toBe(SUMMARY)
    expect(new URL(page.url()).searchParams.get('artifact')).toBe('model_summary.txt')
  })

  it('previews a JSON artifact pretty-printed', async () => {
    await page.getByRole('button', { name: /eval\// }).click()
    await page.getByRole('button', { name: /config\.json/ }).click()
    const json = page.locator('.artifact-preview[data-path="eval/config.json"] pre')
    await json.waitFor()
    expect(await json.textContent()).toBe(JSON.stringify(CONFIG, null, 2))
    await h.screenshot(page, 'run-artifacts-json')
  })

  it('appends live points to a running run without a reload', async () => {
    await page.goto(`${h.baseUrl}/runs/${runningId}?tab=metrics`)
    await page.locator('.chart-card[data-metric="loss"] canvas').waitFor()
    await expect.poll(() => chartPoints('loss')).toBe(2)
    await page.evaluate(() => Object.assign(window, { __notReloaded: true }))

    await logMetric(h, runningId, 'loss', 1.2, 2)
    await expect.poll(() => chartPoints('loss'), { timeout: 10_000 }).toBe(3)
    await expect
      .poll(() => page.locator('.metrics-table tbody tr', { hasText: 'loss' }).innerText())
      .toMatch(/^loss\t1\.2\t2\t/)
    expect(await page.evaluate(() => (window as { __notReloaded?: boolean }).__notReloaded)).toBe(true)
  })

  it('recomputes a smoothed chart from the server when live points arrive', async () => {
    await page.goto(`${h.baseUrl}/runs/${runningId}?tab=metrics&smooth=0.5`)
    await expect.poll(() => chartPoints('loss')).toBe(3)
    await logMetric(h, runningId, 'loss', 1.1, 3)
    await expect.poll(() => chartPoints('loss'), { timeout: 10_000 }).toBe(4)
    await h.screenshot(page, 'run-live-smoothed')
  })
})
