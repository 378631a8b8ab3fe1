// The experiments page against a real server: list, search, create, rename, delete.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness, type Harness } from './harness'
import { createExperiment } from './seed'

let h: Harness
let page: Page

/** The row of one experiment, found by name once and then by id, as its text changes while editing. */
async function rowOf(name: string) {
  const id = await page.locator('.experiments-table tbody tr', { has: page.getByRole('link', { name, exact: true }) }).getAttribute('data-experiment-id')
  return { id, row: page.locator(`.experiments-table tbody tr[data-experiment-id="${id}"]`) }
}

const listedNames = () => page.locator('.experiments-table .experiment-name a').allTextContents()

async function waitForNames(predicate: (names: string[]) => boolean, what: string) {
  const deadline = Date.now() + 10_000
  let names: string[] = []
  while (Date.now() < deadline) {
    names = await listedNames()
    if (predicate(names)) return names
    await page.waitForTimeout(100)
  }
  throw new Error(`experiments list never showed ${what}; it shows ${JSON.stringify(names)}`)
}

beforeAll(async () => {
  h = await startHarness()
  for (const name of ['alpha-vision', 'beta-nlp', 'Alpha-Audio']) await createExperiment(h, name)
  page = await h.newPage()
})

afterAll(async () => {
  await h?.close()
})

describe('experiments page', () => {
  it('lists every experiment with links to its runs', async () => {
    await page.goto(`${h.baseUrl}/`)
    const names = await waitForNames((n) => n.length >= 4, 'the seeded experiments')
    expect([...names].sort()).toEqual(['Alpha-Audio', 'Default', 'alpha-vision', 'beta-nlp'])

    const { experiment } = await h.api<{ experiment: { experiment_id: string } }>('/experiments/get-by-name', {
      experiment_name: 'beta-nlp',
    })
    const href = await page.locator('.experiment-name a', { hasText: 'beta-nlp' }).getAttribute('href')
    expect(href).toBe(`/experiments/${experiment.experiment_id}`)
    await h.screenshot(page, 'experiments-list')
  })

  it('searches names case-insensitively and keeps the search in the URL', async () => {
    await page.getByLabel('Search experiments').fill('ALPHA')
    const names = await waitForNames((n) => n.length === 2, 'two matches for ALPHA')
    expect([...names].sort()).toEqual(['Alpha-Audio', 'alpha-vision'])
    expect(new URL(page.url()).searchParams.get('q')).toBe('ALPHA')

    await page.reload()
    await waitForNames((n) => n.length === 2, 'the search restored from the URL')
    expect(await page.getByLabel('Search experiments').inputValue()).toBe('ALPHA')

    await page.getByLabel('Search experiments').fill('')
    await waitForNames((n) => n.length === 4, 'all experiments again')
  })

  it('creates an experiment', async () => {
    await page.getByLabel('New experiment name').fill('gamma-created')
    await page.getByRole('button', { name: 'Create' }).click()
    await waitForNames((n) => n.includes('gamma-created'), 'the new experiment')
    const { experiment } = await h.api<{ experiment: { name: string; lifecycle_stage: string } }>(
      '/experiments/get-by-name',
      { experiment_name: 'gamma-created' },
    )
    expect(experiment.lifecycle_stage).toBe('active')
  })

  it('shows the server error when the name is taken', async () => {
    await page.getByLabel('New experiment name').fill('beta-nlp')
    await page.getByRole('button', { name: 'Create' }).click()
    const error = page.locator('.create-error')
    await error.waitFor()
    expect(await error.innerText()).toContain('beta-nlp')
  })

  it('renames an experiment', async () => {
    const { row } = await rowOf('gamma-created')
    await row.getByRole('button', { name: 'Rename' }).click()
    await row.getByLabel('Experiment name').fill('gamma-renamed')
    await row.getByRole('button', { name: 'Save' }).click()
    await waitForNames((n) => n.includes('gamma-renamed') && !n.includes('gamma-created'), 'the new name')
    const { experiment } = await h.api<{ experiment: { name: string } }>('/experiments/get-by-name', {
      experiment_name: 'gamma-renamed',
    })
    expect(experiment.name).toBe('gamma-renamed')
  })

  it('deletes an experiment after confirmation', async () => {
    const { id, row } = await rowOf('gamma-renamed')
    await row.getByRole('button', { name: 'Delete' }).click()
    // Nothing is deleted until the confirmation.
    expect(await listedNames()).toContain('gamma-renamed')
    await row.getByRole('button', { name: 'Delete' }).click()
    await waitForNames((n) => !n.includes('gamma-renamed'), 'the list without the deleted experiment')
    const { experiment } = await h.api<{ experiment: { lifecycle_stage: string } }>('/experiments/get', {
      experiment_id: id,
    })
    expect(experiment.lifecycle_stage).toBe('deleted')
  })

  it('opens the runs table of an experiment', async () => {
    await page.locator('.experiment-name a', { hasText: 'alpha-vision' }).click()
    await page.waitForURL(/\/experiments\/\d+$/)
    await page.locator('.runs-title h1', { hasText: 'alpha-vision' }).waitFor()
    expect(await page.locator('.runs-empty').innerText()).toContain('No runs')
  })
})
