// The end-to-end harness: a real ferroflow server on a temporary SQLite database and a
// headless Chromium driving the dashboard. The dashboard comes from the server itself
// when the binary embeds it; otherwise (a binary built before web/dist existed, or
// FERROFLOW_UI=preview to test fresh front-end changes without rebuilding the server)
// `vite preview` serves web/dist and proxies the API to the server. FERROFLOW_UI=embedded
// (what scripts/test sets) insists on the binary's own dashboard.

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url))
const STARTUP_TIMEOUT_MS = 30_000

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export interface Harness {
  /** Where the dashboard is served (the server itself, or vite preview in front of it). */
  baseUrl: string
  /** The ferroflow server. */
  serverUrl: string
  browser: Browser
  /** A fresh page in its own context (no shared storage), 1400×900. */
  newPage(): Promise<Page>
  /** POSTs JSON to `/api/2.0/mlflow<path>` and returns the parsed answer; throws on an error status. */
  api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>
  /** Saves a PNG of the page as `<name>.png` in the shots folder and returns its path. */
  screenshot(page: Page, name: string): Promise<string>
  close(): Promise<void>
}

/** Returns a port the OS reports free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `url` answers 200, failing early if the process exits. */
async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`ferroflow exited with ${child.exitCode} before it was healthy:\n${output()}`)
    }
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`ferroflow did not answer ${url} within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`)
}

/** True when the server answers the dashboard's index.html at `/`. */
async function serverHasDashboard(serverUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${serverUrl}/`)
    return res.ok && (await res.text()).includes('id="root"')
  } catch {
    return false
  }
}

interface PreviewServer {
  url: string
  close(): Promise<void>
}

/** Serves web/dist with vite preview, proxying the API to `serverUrl` (vite.config.ts). */
async function startPreview(serverUrl: string): Promise<PreviewServer> {
  if (!existsSync(path.join(WEB_DIR, 'dist', 'index.html'))) {
    throw new Error('the server does not embed the dashboard and web/dist is missing: run `npm run build` first')
  }
  // vite.config.ts reads the proxy target when it loads.
  process.env.FERROFLOW_URL = serverUrl
  const { preview } = await import('vite')
  const port = await freePort()
  const server = await preview({
    root: WEB_DIR,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  })
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  }
}

let shotsDirAnnounced = false

export async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferroflow-e2e-'))
  const bin = path.resolve(WEB_DIR, process.env.FERROFLOW_BIN ?? '../target/release/ferroflow')
  const port = await freePort()
  const serverUrl = `http://127.0.0.1:${port}`

  let output = ''
  const server = spawn(
    bin,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${path.join(dir, 'mlflow.db')}`,
      '--default-artifact-root',
      path.join(dir, 'art'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  server.stdout?.on('data', keep)
  server.stderr?.on('data', keep)

  let preview: PreviewServer | undefined
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []

  const close = async () => {
    await Promise.allSettled(contexts.map((c) => c.close()))
    await browser?.close().catch(() => {})
    await preview?.close().catch(() => {})
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      await Promise.race([exited, sleep(5_000)])
      if (server.exitCode === null) server.kill('SIGKILL')
    }
    await rm(dir, { recursive: true, force: true })
  }

  try {
    await waitForHealth(`${serverUrl}/health`, server, () => output)
    const mode = process.env.FERROFLOW_UI
    const embedded = mode !== 'preview' && (await serverHasDashboard(serverUrl))
    if (mode === 'embedded' && !embedded) {
      throw new Error(`${bin} does not serve the dashboard at / (was web/dist built before it?)`)
    }
    if (!embedded) preview = await startPreview(serverUrl)
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    })
  } catch (error) {
    await close()
    throw error
  }
  const launched = browser

  const shotsDir = process.env.FERROFLOW_SHOTS_DIR ?? path.join(os.tmpdir(), 'ferroflow-shots')

  return {
    baseUrl: preview?.url ?? serverUrl,
    serverUrl,
    browser: launched,
    async newPage() {
      const context = await launched.newContext({ viewport: { width: 1400, height: 900 } })
      contexts.push(context)
      const page = await context.newPage()
      // Surface the app's own crashes in the test output.
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`))
      return page
    },
    async api<T>(apiPath: string, body: unknown = {}) {
      const res = await fetch(`${serverUrl}/api/2.0/mlflow${apiPath}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`POST ${apiPath} answered ${res.status}: ${text}`)
      return (text ? JSON.parse(text) : {}) as T
    },
    async screenshot(page: Page, name: string) {
      await mkdir(shotsDir, { recursive: true })
      if (!shotsDirAnnounced) {
        console.log(`screenshots: ${shotsDir}`)
        shotsDirAnnounced = true
      }
      const file = path.join(shotsDir, `${name}.png`)
      await page.screenshot({ path: file, fullPage: true })
      return file
    },
    close,
  }
}
