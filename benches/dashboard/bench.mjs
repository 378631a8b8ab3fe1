// Dashboard benchmark (not a test): ferroflow's dashboard against `mlflow server`'s UI, same
// data, same headless Chromium, one server after the other.
//
//   node benches/dashboard/bench.mjs
//
// Two data sets per server, seeded fresh into a temporary SQLite store (nothing cached):
//   table: RUNS runs × PARAMS params × METRICS metrics (one value each) in one experiment;
//          measured: navigation start → first data row of the runs table visible.
//   chart: CHART_RUNS runs × POINTS points of the metric `loss` (with SPIKES single-point
//          spikes per run at known steps) in a second experiment; measured: navigation start
//          → the `loss` chart has drawn the data of the runs, the bytes transferred during
//          that load, and whether every spike is in the data the page fetched.
// Each figure is the median of LOADS page loads, each in a fresh browser context with the
// HTTP cache disabled.
//
// ferroflow is seeded through its REST API (runs/create, runs/log-batch of ≤ 1000 metrics,
// runs/update; CONCURRENCY requests in flight). mlflow's SQLite file is seeded directly by
// seed_mlflow.py (identical values; seeding 10 M points through mlflow's REST API takes
// about an hour).
//
// Environment (defaults = the sizes):
//   RUNS=10000 PARAMS=20 METRICS=10 CHART_RUNS=100 POINTS=100000 SPIKES=5 LOADS=3
//   CONCURRENCY=8 TARGETS=ferroflow,mlflow PORT_BASE=5300 TIMEOUT_MIN=90 KEEP=0
//   FERROFLOW_BIN=target/release/ferroflow  MLFLOW=~/.cache/ferroflow/venv/bin/mlflow
//   MLFLOW_WORKERS (mlflow server --workers; default: mlflow's own default)
//   CHROMIUM_PATH=/usr/bin/chromium  SHOTS=<dir> (a screenshot of each page after its last load)

import { spawn, execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtemp, rm, mkdir } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPO = path.resolve(HERE, '../..')
const WEB = path.join(REPO, 'web')
const require = createRequire(path.join(WEB, 'package.json'))
const { chromium } = require('playwright-core')

const env = (k, d) => (process.env[k] === undefined || process.env[k] === '' ? d : process.env[k])
const num = (k, d) => Number(env(k, d))
const CFG = {
  runs: num('RUNS', 10_000),
  params: num('PARAMS', 20),
  metrics: num('METRICS', 10),
  chartRuns: num('CHART_RUNS', 100),
  points: num('POINTS', 100_000),
  spikes: num('SPIKES', 5),
  loads: num('LOADS', 3),
  concurrency: num('CONCURRENCY', 8),
  targets: env('TARGETS', 'ferroflow,mlflow').split(',').filter(Boolean),
  portBase: num('PORT_BASE', 5300),
  timeoutMin: num('TIMEOUT_MIN', 90),
  keep: env('KEEP', '0') === '1',
  ferroflowBin: path.resolve(REPO, env('FERROFLOW_BIN', 'target/release/ferroflow')),
  mlflow: env('MLFLOW', path.join(os.homedir(), '.cache/ferroflow/venv/bin/mlflow')),
  mlflowWorkers: env('MLFLOW_WORKERS', ''),
  chromium: env('CHROMIUM_PATH', '/usr/bin/chromium'),
  shots: env('SHOTS', ''),
}
const PAGE_TIMEOUT_MS = num('PAGE_TIMEOUT_S', 180) * 1000
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

// ---------------------------------------------------------------- the data (mirrored in seed_mlflow.py)
const T0 = Date.UTC(2025, 0, 1)
const tableRun = (i) => ({
  name: `run-${String(i).padStart(5, '0')}`,
  start: T0 + i * 1000,
  params: Array.from({ length: CFG.params }, (_, j) => ({
    key: `param_${String(j).padStart(2, '0')}`,
    value: `v${(i * 31 + j * 7) % 97}`,
  })),
  metrics: Array.from({ length: CFG.metrics }, (_, j) => ({
    key: `metric_${String(j).padStart(2, '0')}`,
    value: ((i * 13 + j * 17) % 1000) / 1000,
    step: 0,
    timestamp: T0 + i * 1000 + 1,
  })),
})
/** Steps of run c's spikes: SPIKES steps spread over the history, shifted per run. */
const spikeSteps = (c) =>
  Array.from({ length: CFG.spikes }, (_, k) => Math.floor(((k + 1) * CFG.points) / (CFG.spikes + 1)) + c * 3 + 1).filter(
    (s) => s < CFG.points,
  )
const SPIKE = 5 // added to the curve (values are ≤ 2.01 elsewhere)
const chartStart = (c) => T0 + c * 1000
/** Value of run c's loss at step s (spikes excluded). */
const curve = (c, s) => (1 + c / 100) * Math.exp(-s / (CFG.points / 5)) + (0.01 * ((s * 7919 + c * 104729) % 1000)) / 1000

// ---------------------------------------------------------------- helpers
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a)
const children = new Set()
let tmpRoot
let uiMode = 'embedded in the ferroflow binary'
let browser

async function cleanup() {
  await browser?.close().catch(() => {})
  for (const child of children) await stopProcess(child)
  if (tmpRoot && !CFG.keep) await rm(tmpRoot, { recursive: true, force: true })
}

function startProcess(cmd, args, name) {
  // Own process group, so stopping mlflow also stops its workers.
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  const keep = (b) => (out = (out + b.toString()).slice(-20_000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  child.output = () => out
  child.label = name
  children.add(child)
  return child
}

async function stopProcess(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r))
    try { process.kill(-child.pid, 'SIGTERM') } catch {}
    await Promise.race([exited, sleep(10_000)])
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
      await Promise.race([exited, sleep(2_000)])
    }
  }
  children.delete(child)
}

async function waitHealthy(url, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.label} exited (${child.exitCode}):\n${child.output()}`)
    try {
      const r = await fetch(`${url}/health`)
      if (r.ok) return
    } catch {}
    await sleep(200)
  }
  throw new Error(`${child.label} not healthy within ${timeoutMs} ms:\n${child.output()}`)
}

async function api(base, p, body) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/api/2.0/mlflow${p}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await res.text()
    if (res.ok) return text ? JSON.parse(text) : {}
    if (res.status >= 500 && attempt < 3) { await sleep(200 * (attempt + 1)); continue }
    throw new Error(`POST ${p} → ${res.status}: ${text.slice(0, 500)}`)
  }
}

/** Runs `fn(i)` for i in [0, n) with `limit` calls in flight. */
async function pool(n, limit, fn) {
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      await fn(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker))
}

function cpuLoad() {
  return os.loadavg().map((x) => x.toFixed(1)).join(' ')
}

// ---------------------------------------------------------------- seeding
async function seedFerroflow(base) {
  const t = Date.now()
  const table = (await api(base, '/experiments/create', { name: 'bench-table' })).experiment_id
  const chart = (await api(base, '/experiments/create', { name: 'bench-chart' })).experiment_id
  await pool(CFG.runs, CFG.concurrency, async (i) => {
    const r = tableRun(i)
    const { run } = await api(base, '/runs/create', {
      experiment_id: table, run_name: r.name, start_time: r.start, user_id: 'bench', tags: [],
    })
    const id = run.info.run_id
    // MLflow's per-batch limit is 100 params; split if PARAMS is larger.
    for (let p = 0; p < Math.max(1, Math.ceil(r.params.length / 100)); p++) {
      await api(base, '/runs/log-batch', {
        run_id: id, params: r.params.slice(p * 100, p * 100 + 100), metrics: p === 0 ? r.metrics : [], tags: [],
      })
    }
    await api(base, '/runs/update', { run_id: id, status: 'FINISHED', end_time: r.start + 60_000 })
  })
  const tTable = (Date.now() - t) / 1000
  log(`ferroflow: table seeded (${CFG.runs} runs) in ${tTable.toFixed(1)} s`)

  const t2 = Date.now()
  const chartIds = []
  for (let c = 0; c < CFG.chartRuns; c++) {
    const { run } = await api(base, '/runs/create', {
      experiment_id: chart, run_name: `curve-${String(c).padStart(3, '0')}`, start_time: chartStart(c), user_id: 'bench', tags: [],
    })
    chartIds.push(run.info.run_id)
  }
  const batches = Math.ceil(CFG.points / 1000)
  const spikes = chartIds.map((_, c) => new Set(spikeSteps(c)))
  await pool(CFG.chartRuns * batches, CFG.concurrency, async (k) => {
    const c = k % CFG.chartRuns // interleave runs so writes spread like concurrent trainings
    const b = Math.floor(k / CFG.chartRuns)
    const metrics = []
    for (let s = b * 1000; s < Math.min(CFG.points, (b + 1) * 1000); s++) {
      metrics.push({ key: 'loss', value: curve(c, s) + (spikes[c].has(s) ? SPIKE : 0), step: s, timestamp: chartStart(c) + s * 10 })
    }
    await api(base, '/runs/log-batch', { run_id: chartIds[c], metrics, params: [], tags: [] })
  })
  await pool(CFG.chartRuns, CFG.concurrency, (c) =>
    api(base, '/runs/update', { run_id: chartIds[c], status: 'FINISHED', end_time: chartStart(c) + CFG.points * 10 }),
  )
  const tChart = (Date.now() - t2) / 1000
  log(`ferroflow: chart seeded (${CFG.chartRuns} × ${CFG.points} points) in ${tChart.toFixed(1)} s ` +
    `(${Math.round((CFG.chartRuns * CFG.points) / tChart).toLocaleString('en')} points/s)`)
  return { table, chart, chartIds }
}

async function seedMlflow(base, dbPath) {
  const table = (await api(base, '/experiments/create', { name: 'bench-table' })).experiment_id
  const chart = (await api(base, '/experiments/create', { name: 'bench-chart' })).experiment_id
  const python = path.join(path.dirname(CFG.mlflow), 'python')
  const t = Date.now()
  const out = execFileSync(
    python,
    [path.join(HERE, 'seed_mlflow.py'), dbPath, table, chart, JSON.stringify({
      runs: CFG.runs, params: CFG.params, metrics: CFG.metrics, chart_runs: CFG.chartRuns,
      points: CFG.points, spikes: CFG.spikes, spike: SPIKE, t0: T0,
    })],
    { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60 * 60_000 },
  )
  const chartIds = JSON.parse(out.trim().split('\n').pop())
  log(`mlflow: SQLite seeded directly in ${((Date.now() - t) / 1000).toFixed(1)} s`)
  return { table, chart, chartIds }
}

// ---------------------------------------------------------------- measuring one page load
// A rAF loop started before the page's own scripts: the first frame in which `ready()` holds
// stores performance.now() (ms since navigation start) in window.__benchDone.
function installProbe(page, readySource) {
  return page.addInitScript(`(() => {
    const ready = ${readySource};
    const tick = () => {
      let ok = false
      try { ok = ready() } catch (e) {}
      if (ok) { window.__benchDone = performance.now(); return }
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })()`)
}

/** A row counts when it is laid out inside the viewport and shows a run name. */
const visibleSource = `(el) => { if (!el) return false; const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && /run-\\d/.test(el.innerText || '') }`

/** Does a canvas hold any non-transparent pixel? */
const canvasInkSource = `(cv) => { if (!cv || !cv.width || !cv.height) return false;
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false }`

const READY = {
  ferroflowTable: `() => { const vis = ${visibleSource};
    return [...document.querySelectorAll('.runs-grid-row')].some(vis) }`,
  // The loss chart: every run's series in it (data-points > 0, a legend entry per run, a
  // uPlot canvas with ink). uPlot draws in a microtask after it gets its data, so by this
  // frame the canvas is drawn.
  ferroflowChart: (runs) => `() => { const card = document.querySelector('.chart-card[data-metric="loss"]');
    if (!card || !(Number(card.getAttribute('data-points')) > 0)) return false;
    if (card.querySelectorAll('.u-legend .u-series').length < ${runs} + 1) return false;
    return (${canvasInkSource})(card.querySelector('canvas')) }`,
  // MLflow 3's runs table is an ag-grid.
  mlflowTable: `() => { const vis = ${visibleSource};
    return [...document.querySelectorAll('.ag-row')].some(vis) }`,
  // MLflow 3's chart view draws each metric with Plotly (SVG): ready when the chart has a
  // drawn line per run (Plotly draws all traces of a plot in one go).
  mlflowChart: (runs) => `() => [...document.querySelectorAll('.js-plotly-plot .scatterlayer .trace path.js-line')]
    .filter((e) => (e.getAttribute('d') || '').length > 10).length >= ${runs}`,
}

async function measureLoad(ctxPage, url, readySource, { onResponse, initScript } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    let bytes = 0
    let apiBytes = 0
    const types = new Map()
    let done = false
    cdp.on('Network.responseReceived', (e) => types.set(e.requestId, { type: e.type, url: e.response.url }))
    cdp.on('Network.loadingFinished', (e) => {
      if (done) return
      bytes += e.encodedDataLength
      const t = types.get(e.requestId)
      if (t && (t.type === 'XHR' || t.type === 'Fetch')) apiBytes += e.encodedDataLength
    })
    const pending = []
    if (onResponse) page.on('response', (r) => pending.push(onResponse(r).catch((e) => log(`response handler: ${e.message}`))))
    if (initScript) await page.addInitScript(initScript)
    await installProbe(page, readySource)
    await page.goto(url, { waitUntil: 'commit', timeout: PAGE_TIMEOUT_MS })
    try {
      await page.waitForFunction(() => window.__benchDone !== undefined, null, { timeout: PAGE_TIMEOUT_MS, polling: 50 })
    } catch (e) {
      const shot = path.join(os.tmpdir(), `ferroflow-dash-bench-failed-${Date.now()}.png`)
      await page.screenshot({ path: shot }).catch(() => {})
      throw new Error(`not ready within ${PAGE_TIMEOUT_MS} ms at ${page.url()} (screenshot ${shot}): ${e.message.split('\n')[0]}`)
    }
    const ms = await page.evaluate(() => window.__benchDone)
    // Responses whose bodies finished after the probe fired are not counted.
    done = true
    await Promise.all(pending)
    if (ctxPage.shot) await page.screenshot({ path: ctxPage.shot }).catch(() => {})
    return { ms, bytes, apiBytes }
  } finally {
    await context.close()
  }
}

async function measureMany(label, url, readySource, opts = {}) {
  const loads = []
  for (let i = 0; i < CFG.loads; i++) {
    const shot = CFG.shots && i === CFG.loads - 1 ? path.join(CFG.shots, `${label}.png`) : undefined
    const r = await measureLoad({ shot }, url, readySource, opts)
    log(`${label} load ${i + 1}: ${r.ms.toFixed(0)} ms, ${(r.bytes / 1e6).toFixed(2)} MB (API ${(r.apiBytes / 1e6).toFixed(2)} MB)`)
    loads.push(r)
  }
  return {
    ms: median(loads.map((l) => l.ms)),
    bytes: median(loads.map((l) => l.bytes)),
    apiBytes: median(loads.map((l) => l.apiBytes)),
    all: loads.map((l) => Math.round(l.ms)),
  }
}

/** Checks that every spike of every run is among the points `points.get(runId)` holds. */
function spikeCheck(chartIds, points) {
  let found = 0
  let total = 0
  let runsWithData = 0
  chartIds.forEach((id, c) => {
    const got = points.get(id)
    if (got && got.size) runsWithData++
    for (const s of spikeSteps(c)) {
      total++
      const v = got?.get(s)
      if (v !== undefined && Number(v) > SPIKE) found++
    }
  })
  return { found, total, runsWithData, pointsPerRun: Math.round(median(chartIds.map((id) => points.get(id)?.size ?? 0))) }
}

// ---------------------------------------------------------------- ferroflow
/** True when the server answers the dashboard's index.html at `/`. */
async function servesDashboard(base) {
  try {
    const r = await fetch(`${base}/`)
    return r.ok && (await r.text()).includes('id="root"')
  } catch {
    return false
  }
}

/** `vite preview` of web/dist proxying the API to `backend` (as web/e2e/harness.ts does). */
async function startPreview(backend, port) {
  process.env.FERROFLOW_URL = backend // read by web/vite.config.ts
  const { preview } = await import(pathToFileURL(require.resolve('vite')).href)
  const server = await preview({
    root: WEB, logLevel: 'warn', preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  })
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.httpServer.close(() => r())) }
}

async function benchFerroflow(port) {
  const dir = path.join(tmpRoot, 'ferroflow')
  await mkdir(dir, { recursive: true })
  const base = `http://127.0.0.1:${port}`
  const server = startProcess(CFG.ferroflowBin, [
    'server', '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, '--default-artifact-root', `${dir}/art`,
    '--host', '127.0.0.1', '--port', String(port),
  ], 'ferroflow')
  let previewServer
  try {
    await waitHealthy(base, server)
    let ui = base
    if (env('FERROFLOW_UI', '') === 'preview' || !(await servesDashboard(base))) {
      previewServer = await startPreview(base, port + 2)
      ui = previewServer.url
      uiMode = 'vite preview of web/dist, API proxied (the binary does not embed the dashboard)'
      log(`ferroflow: ${uiMode}`)
    }
    const ids = await seedFerroflow(base)
    log(`ferroflow: load before measuring ${cpuLoad()}`)
    const table = await measureMany('ferroflow-table', `${ui}/experiments/${ids.table}`, READY.ferroflowTable)

    const compareUrl = `${ui}/compare?runs=${ids.chartIds.join(',')}&experiment=${ids.chart}`
    let points = new Map()
    const chart = await measureMany('ferroflow-chart', compareUrl, READY.ferroflowChart(CFG.chartRuns), {
      onResponse: async (r) => {
        if (!r.url().includes('/metrics/sampled')) return
        const body = await r.json()
        for (const s of body.series ?? []) {
          if (s.key !== 'loss') continue
          points.set(s.run_id, new Map(s.points.map((p) => [p.step, p.value])))
        }
      },
    })
    chart.spikes = spikeCheck(ids.chartIds, points)
    return { table, chart }
  } finally {
    await previewServer?.close().catch(() => {})
    await stopProcess(server)
  }
}

// ---------------------------------------------------------------- mlflow
async function benchMlflow(port) {
  const dir = path.join(tmpRoot, 'mlflow')
  await mkdir(dir, { recursive: true })
  const base = `http://127.0.0.1:${port}`
  const dbPath = `${dir}/mlflow.db`
  const args = ['server', '--backend-store-uri', `sqlite:///${dbPath}`, '--default-artifact-root', `${dir}/art`,
    '--host', '127.0.0.1', '--port', String(port)]
  if (CFG.mlflowWorkers) args.push('--workers', CFG.mlflowWorkers)
  const server = startProcess(CFG.mlflow, args, 'mlflow')
  const out = {}
  try {
    await waitHealthy(base, server)
    const ids = await seedMlflow(base, dbPath)
    log(`mlflow: load before measuring ${cpuLoad()}`)
    out.table = await measureMany('mlflow-table', `${base}/#/experiments/${ids.table}/runs`, READY.mlflowTable)
    try {
      out.chart = await benchMlflowChart(base, ids)
    } catch (e) {
      log(`mlflow chart: could not be driven: ${e.message.split('\n')[0]}`)
      out.chartError = e.message.split('\n')[0]
      if (e.message.includes('not ready within')) out.chartTimeout = PAGE_TIMEOUT_MS
    }
    return out
  } finally {
    await stopProcess(server)
  }
}

// MLflow 3's chart view of the experiment page. It charts the runs marked visible, by default
// the first 10; "Show all runs" (the eye menu of the table) is a per-experiment choice
// MLflow keeps in localStorage, so each fresh context starts with that choice made, as a
// returning user's browser would.
async function benchMlflowChart(base, ids) {
  const url = `${base}/#/experiments/${ids.chart}/runs?compareRunsMode=CHART`
  const key = `MLflowLocalStorage-1.1-ExperimentPage-${JSON.stringify([String(ids.chart)])}-ReactComponentState`
  const initScript = `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(JSON.stringify({ runsHiddenMode: 'SHOW_ALL' }))})`
  const points = new Map()
  const chart = await measureMany('mlflow-chart', url, READY.mlflowChart(CFG.chartRuns), {
    initScript,
    onResponse: async (r) => {
      if (!r.url().includes('/metrics/get-history')) return
      const body = await r.json()
      for (const m of body.metrics ?? []) {
        if (m.key !== 'loss') continue
        if (!points.has(m.run_id)) points.set(m.run_id, new Map())
        points.get(m.run_id).set(Number(m.step), m.value)
      }
    },
  })
  chart.spikes = spikeCheck(ids.chartIds, points)
  return chart
}

// ---------------------------------------------------------------- main
const fmtMs = (x) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${Math.round(x).toLocaleString('en')} ms`)
const fmtMB = (x) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(x / 1e6).toFixed(2)} MB`)
const ratio = (m, f) => (m && f ? `${(m / f).toFixed(1)}×` : 'n/a')

async function main() {
  const watchdog = setTimeout(async () => {
    log(`TIMEOUT after ${CFG.timeoutMin} min, stopping`)
    await cleanup()
    process.exit(2)
  }, CFG.timeoutMin * 60_000)
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await cleanup(); process.exit(130) })

  tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'ferroflow-dash-bench-'))
  if (CFG.shots) await mkdir(CFG.shots, { recursive: true })
  log(`sizes: table ${CFG.runs} runs × ${CFG.params} params × ${CFG.metrics} metrics; chart ${CFG.chartRuns} runs × ` +
    `${CFG.points} points, ${CFG.spikes} spikes/run; ${CFG.loads} loads each; ${os.cpus().length} cores; load ${cpuLoad()}`)
  browser = await chromium.launch({ executablePath: CFG.chromium, args: CHROMIUM_ARGS })
  const results = {}
  try {
    if (CFG.targets.includes('ferroflow')) results.ferroflow = await benchFerroflow(CFG.portBase + 1)
    if (CFG.targets.includes('mlflow')) results.mlflow = await benchMlflow(CFG.portBase + 2)
  } finally {
    clearTimeout(watchdog)
    await cleanup()
  }
  const f = results.ferroflow ?? {}
  const m = results.mlflow ?? {}
  const spikes = (c) => (c?.spikes ? `${c.spikes.found}/${c.spikes.total} (${c.spikes.runsWithData} runs, ${c.spikes.pointsPerRun} pts/run fetched)` : 'n/a')
  const rows = [
    ['op', 'ferroflow', 'mlflow', 'mlflow/ferroflow'],
    [`runs table, first row (${CFG.runs} runs)`, fmtMs(f.table?.ms), fmtMs(m.table?.ms), ratio(m.table?.ms, f.table?.ms)],
    ['runs table, bytes', fmtMB(f.table?.bytes), fmtMB(m.table?.bytes), ratio(m.table?.bytes, f.table?.bytes)],
    [`chart drawn (${CFG.chartRuns} × ${CFG.points} pts)`, fmtMs(f.chart?.ms),
      m.chart ? fmtMs(m.chart.ms) : m.chartTimeout ? `> ${fmtMs(m.chartTimeout)} (not drawn)` : 'not driven',
      m.chart ? ratio(m.chart.ms, f.chart?.ms) : m.chartTimeout && f.chart ? `> ${ratio(m.chartTimeout, f.chart.ms)}` : 'n/a'],
    ['chart, bytes (total)', fmtMB(f.chart?.bytes), fmtMB(m.chart?.bytes), ratio(m.chart?.bytes, f.chart?.bytes)],
    ['chart, bytes (API)', fmtMB(f.chart?.apiBytes), fmtMB(m.chart?.apiBytes), ratio(m.chart?.apiBytes, f.chart?.apiBytes)],
    ['chart, spikes in fetched data', spikes(f.chart), spikes(m.chart), ''],
  ]
  console.log(`\nmedian of ${CFG.loads} loads; individual ms: ${JSON.stringify({ ferroflow: { table: f.table?.all, chart: f.chart?.all }, mlflow: { table: m.table?.all, chart: m.chart?.all } })}`)
  if (m.chartError) console.log(`mlflow chart not driven: ${m.chartError}`)
  if (results.ferroflow) console.log(`ferroflow dashboard: ${uiMode}`)
  console.log(`load average at the end: ${cpuLoad()}\n`)
  for (const [i, r] of rows.entries()) {
    console.log(`| ${r.join(' | ')} |`)
    if (i === 0) console.log(`| ${r.map(() => '---').join(' | ')} |`)
  }
}

main().catch(async (e) => {
  console.error(e)
  await cleanup()
  process.exit(1)
})
