// The model registry page against a real server: list, name filter, versions with
// links to their source runs. Screenshots in the dark theme, to check its legibility.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, type Harness } from './harness'
import { createExperiment, createModelVersion, createRegisteredModel, createRun } from './seed'

let h: Harness
let page: Page
const runIds: string[] = []

const modelNames = () => page.locator('.models-table .model-name').allTextContents()

beforeAll(async () => {
  h = await startHarness()
  const experimentId = await createExperiment(h, 'models-e2e')
  for (const name of ['train-1', 'train-2']) runIds.push(await createRun(h, { experimentId, name }))
  await createRegisteredModel(h, 'churn-classifier', 'Predicts churn')
  await createRegisteredModel(h, 'Fraud-Detector')
  await createModelVersion(h, 'churn-classifier', runIds[0])
  await createModelVersion(h, 'churn-classifier', runIds[1])
  await h.api('/registered-models/alias', { name: 'churn-classifier', alias: 'champion', version: '2' })

  page = await h.newPage()
  await page.addInitScript(() => localStorage.setItem('ferroflow.theme', 'dark'))
})

afterAll(async () => {
  await h?.close()
})

describe('models page', () => {
  it('lists registered models with latest versions and aliases', async () => {
    await page.goto(`${h.baseUrl}/models`)
    await page.locator('.models-table').waitFor()
    expect(await modelNames()).toEqual(['Fraud-Detector', 'churn-classifier'].sort())
    const churn = page.locator('tbody[data-model="churn-classifier"] .model-row')
    expect(await churn.locator('.alias-chip').innerText()).toBe('@champion → v2')
    expect(await churn.locator('.version-chip').allTextContents()).toContain('v2')
  })

  it('filters by name, case-insensitively', async () => {
    await page.getByLabel('Filter models by name').fill('FRAUD')
    await page.waitForFunction(() => document.querySelectorAll('.models-table .model-name').length === 1)
    expect(await modelNames()).toEqual(['Fraud-Detector'])
    expect(new URL(page.url()).searchParams.get('q')).toBe('FRAUD')
    await page.getByLabel('Filter models by name').fill('')
    await page.waitForFunction(() => document.querySelectorAll('.models-table .model-name').length === 2)
  })

  it('expands a model into its versions, linking to their runs', async () => {
    await page.getByLabel('Show versions of churn-classifier').click()
    const versions = page.locator('tbody[data-model="churn-classifier"] .version-row')
    await versions.first().waitFor()
    expect(await versions.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['2', '1'])
    const links = await versions.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
    expect(links).toEqual([`/runs/${runIds[1]}`, `/runs/${runIds[0]}`])
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    await h.screenshot(page, 'models-dark')
  })

  it('shows the runs table legibly in the dark theme', async () => {
    const { experiment } = await h.api<{ experiment: { experiment_id: string } }>('/experiments/get-by-name', {
      experiment_name: 'models-e2e',
    })
    await page.goto(`${h.baseUrl}/experiments/${experiment.experiment_id}`)
    await page.locator('.runs-grid-row').first().waitFor()
    await h.screenshot(page, 'runs-dark')
  })
})
