// The search box of the runs table. It takes MLflow's search language and applies it
// on Enter only: a half-typed filter is usually invalid, and each search is a query.

import { useState } from 'react'

export interface FilterBoxProps {
  /** The applied filter (from the URL). */
  value: string
  onApply: (filter: string) => void
  /** The server's message for an invalid filter, shown under the box. */
  error?: string
}

export function FilterBox({ value, onApply, error }: FilterBoxProps) {
  const [draft, setDraft] = useState(value)
  // Follow the URL when it changes underneath (back button, links), as React's docs
  // suggest for state derived from a prop: compare with the previous value in render.
  const [applied, setApplied] = useState(value)
  if (applied !== value) {
    setApplied(value)
    setDraft(value)
  }

  return (
    <div className="filter-box">
      <input
        type="search"
        className={error ? 'filter-input invalid' : 'filter-input'}
        aria-label="Filter runs"
        aria-invalid={error ? true : undefined}
        placeholder="metrics.loss < 0.5 and params.model = 'cnn'   (Enter to apply)"
        value={draft}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onApply(draft.trim())
          if (e.key === 'Escape') setDraft(value)
        }}
      />
      {error && (
        <div className="filter-error" role="alert">
          {error}
        </div>
      )}
    </div>
  )
}
