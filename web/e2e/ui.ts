// Reading the dashboard the way a user sees it, for assertions.

import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

/** The run names in the runs table, top to bottom, as rendered. */
export function runNames(page: Page): Promise<string[]> {
  return page.locator('.runs-grid-row [data-column="run_name"] a').allTextContents()
}

/** Waits until the runs table shows exactly `expected` names in this order. */
export async function expectRunNames(page: Page, expected: string[], timeout = 10_000): Promise<void> {
  try {
    await page.waitForFunction(
      (want) => {
        const names = [...document.querySelectorAll('.runs-grid-row [data-column="run_name"] a')].map((a) => a.textContent)
        return JSON.stringify(names) === JSON.stringify(want)
      },
      expected,
      { timeout },
    )
  } catch {
    throw new Error(`runs table shows ${JSON.stringify(await runNames(page))}, expected ${JSON.stringify(expected)}`)
  }
}

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)

/** The row showing the run named `runName` (exact match). */
export function runRow(page: Page, runName: string) {
  return page.locator('.runs-grid-row', {
    has: page.locator('[data-column="run_name"] a', { hasText: exactly(runName) }),
  })
}

/** The text of one cell of the row showing `runName`. */
export function cellText(page: Page, runName: string, column: string): Promise<string> {
  return runRow(page, runName).locator(`[data-column="${column}"]`).innerText()
}

/**
 * Ticks a checkbox whose checked state lives in the URL: the router applies the change
 * in a transition, so the box shows it a moment after the click (Playwright's `check()`
 * asserts it at once and fails).
 */
export async function tick(box: Locator): Promise<void> {
  await box.click()
  await expect.poll(() => box.isChecked()).toBe(true)
}
