// The app shell: header, theme switch and the client routes. Every view keeps its state
// in the URL (see src/state/), so a link reproduces what the user sees.

import { lazy, Suspense, useEffect, useState } from 'react'
import { BrowserRouter, Link, Route, Routes } from 'react-router-dom'

const ExperimentsPage = lazy(() => import('./views/ExperimentsPage'))
const RunsPage = lazy(() => import('./views/RunsPage'))
const RunPage = lazy(() => import('./views/RunPage'))
const ComparePage = lazy(() => import('./views/ComparePage'))
const ModelsPage = lazy(() => import('./views/ModelsPage'))

type Theme = 'light' | 'dark'

function initialTheme(): Theme {
  const saved = localStorage.getItem('ferroflow.theme')
  if (saved === 'light' || saved === 'dark') return saved
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export default function App() {
  const [theme, setTheme] = useState<Theme>(initialTheme)
  useEffect(() => {
    document.documentElement.dataset.theme = theme
    localStorage.setItem('ferroflow.theme', theme)
  }, [theme])

  return (
    <BrowserRouter>
      <header className="app-header">
        <Link to="/" className="brand">ferroflow</Link>
        <nav>
          <Link to="/">Experiments</Link>
          <Link to="/models">Models</Link>
        </nav>
        <button
          className="theme-toggle"
          aria-label="Toggle theme"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <main className="app-main">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<ExperimentsPage />} />
            <Route path="/experiments/:experimentId" element={<RunsPage />} />
            <Route path="/runs/:runId" element={<RunPage />} />
            <Route path="/compare" element={<ComparePage />} />
            <Route path="/models" element={<ModelsPage />} />
            <Route path="*" element={<p>Page not found. <Link to="/">Experiments</Link></p>} />
          </Routes>
        </Suspense>
      </main>
    </BrowserRouter>
  )
}
