// Live updates over Server-Sent Events: runs created, metrics logged and statuses
// changed through the REST API show up in an open runs table without a reload.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, type Harness } from './harness'
import { createExperiment, createRun, finishRun, logMetric } from './seed'
import { cellText, expectRunNames, runRow } from './ui'

let h: Harness
let page: Page
let experimentId: string
let runningId: string
const T0 = Date.now() - 3_600_000

/** Marks the document so a later check can prove the page was not reloaded. */
const markDocument = () => page.evaluate(() => Object.assign(window, { __ferroflowMark: 'still here' }))
const documentIsMarked = () => page.evaluate(() => (window as { __ferroflowMark?: string }).__ferroflowMark === 'still here')

async function waitForCell(runName: string, column: string, expected: string) {
  const deadline = Date.now() + 10_000
  let text = ''
  while (Date.now() < deadline) {
    text = await cellText(page, runName, column).catch(() => '')
    if (text === expected) return
    await page.waitForTimeout(100)
  }
  throw new Error(`${runName} ${column} shows ${JSON.stringify(text)}, expected ${JSON.stringify(expected)}`)
}

beforeAll(async () => {
  h = await startHarness()
  experimentId = await createExperiment(h, 'live-e2e')
  await createRun(h, { experimentId, name: 'finished-1', startTime: T0, metrics: { loss: 0.8 } })
  runningId = await createRun(h, {
    experimentId,
    name: 'running-1',
    startTime: T0 + 1000,
    status: 'RUNNING',
    metrics: { loss: [[1.5, 0]] },
  })
  page = await h.newPage()
})

afterAll(async () => {
  await h?.close()
})

describe('live runs table', () => {
  it('shows a new run at the top without a reload', async () => {
    await page.goto(`${h.baseUrl}/experiments/${experimentId}?cols=metrics.loss`)
    await expectRunNames(page, ['running-1', 'finished-1'])
    await markDocument()

    await createRun(h, { experimentId, name: 'fresh-run', status: 'RUNNING', params: { lr: '0.3' } })
    await expectRunNames(page, ['fresh-run', 'running-1', 'finished-1'])
    expect(await cellText(page, 'fresh-run', 'status')).toBe('running')
    expect(await documentIsMarked()).toBe(true)
  })

  it('ticks the duration of a running run', async () => {
    const first = await cellText(page, 'fresh-run', 'duration')
    const deadline = Date.now() + 5_000
    let later = first
    while (later === first && Date.now() < deadline) {
      await page.waitForTimeout(200)
      later = await cellText(page, 'fresh-run', 'duration')
    }
    console.log(`fresh-run duration went from ${JSON.stringify(first)} to ${JSON.stringify(later)}`)
    expect(later).not.toBe(first)
    expect(later).toMatch(/^\d+(\.\d)?(ms|s)$/)
  })

  it("updates a running run's latest metric in place", async () => {
    expect(await cellText(page, 'running-1', 'metrics.loss')).toBe('1.5')
    await logMetric(h, runningId, 'loss', 0.125, 1)
    await waitForCell('running-1', 'metrics.loss', '0.125')
    // An older step does not replace the latest value (MLflow's latest-metric rule).
    await logMetric(h, runningId, 'loss', 9, 0)
    await logMetric(h, runningId, 'loss', 0.0625, 2)
    await waitForCell('running-1', 'metrics.loss', '0.0625')
    expect(await documentIsMarked()).toBe(true)
  })

  it('updates the status when a run finishes', async () => {
    await finishRun(h, runningId, 'FAILED')
    await waitForCell('running-1', 'status', 'failed')
    expect(await runRow(page, 'running-1').locator('.status-failed').count()).toBe(1)
    await h.screenshot(page, 'live-runs')
    expect(await documentIsMarked()).toBe(true)
  })

  it('removes a deleted run', async () => {
    const { runs } = await h.api<{ runs: { info: { run_id: string; run_name: string } }[] }>('/runs/search', {
      experiment_ids: [experimentId],
      filter: "attributes.run_name = 'finished-1'",
    })
    await h.api('/runs/delete', { run_id: runs[0].info.run_id })
    await expectRunNames(page, ['fresh-run', 'running-1'])
  })

  it('offers a refresh instead of inserting when a filter is applied', async () => {
    await page.goto(`${h.baseUrl}/experiments/${experimentId}?filter=${encodeURIComponent("params.lr = '0.3'")}`)
    await expectRunNames(page, ['fresh-run'])
    await createRun(h, { experimentId, name: 'late-run', params: { lr: '0.3' } })
    const notice = page.locator('.new-runs-notice')
    await notice.waitFor()
    expect(await notice.innerText()).toContain('1 new run')
    await expectRunNames(page, ['fresh-run'])
    await h.screenshot(page, 'live-new-runs-notice')

    await notice.getByRole('button', { name: 'Refresh' }).click()
    await expectRunNames(page, ['late-run', 'fresh-run'])
    expect(await page.locator('.new-runs-notice').count()).toBe(0)
  })
})
