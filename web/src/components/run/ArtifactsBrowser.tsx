// The run's artifact tree (artifacts/list, one directory at a time, loaded on expand)
// beside a preview of the selected file. The selected path lives in the URL (`artifact=`).

import { useEffect, useRef, useState } from 'react'
import { listArtifacts } from '../../api/client'
import type { FileInfo } from '../../models'
import { formatBytes } from './artifactPreview'
import { ArtifactPreview } from './ArtifactPreview'

export interface ArtifactsBrowserProps {
  runId: string
  selected: string | null
  onSelect: (path: string) => void
}

type Listing = { state: 'error'; message: string } | { state: 'ok'; files: FileInfo[] }

/** Returns the directories containing a path: `a/b/c.txt` → `a`, `a/b`. */
function ancestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1)
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'))
}

const sortEntries = (files: FileInfo[]) =>
  [...files].sort((a, b) => (a.is_dir === b.is_dir ? a.path.localeCompare(b.path) : a.is_dir ? -1 : 1))

export function ArtifactsBrowser({ runId, selected, onSelect }: ArtifactsBrowserProps) {
  const [listings, setListings] = useState<ReadonlyMap<string, Listing>>(new Map())
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(selected ? ancestors(selected) : []))

  // Directories asked for already; a directory without a listing yet shows "Loading…".
  const requested = useRef(new Set<string>())

  // The root, plus every expanded directory not loaded yet (deep links expand ancestors).
  useEffect(() => {
    for (const dir of ['', ...expanded]) {
      if (requested.current.has(dir)) continue
      requested.current.add(dir)
      listArtifacts(runId, dir).then(
        (files) => setListings((m) => new Map(m).set(dir, { state: 'ok', files: sortEntries(files) })),
        (e: unknown) =>
          setListings((m) => new Map(m).set(dir, { state: 'error', message: e instanceof Error ? e.message : String(e) })),
      )
    }
  }, [expanded, runId])

  const toggle = (dir: string) =>
    setExpanded((s) => {
      const next = new Set(s)
      if (!next.delete(dir)) next.add(dir)
      return next
    })

  const selectedInfo = findFile(listings, selected)
  return (
    <div className="artifacts">
      <nav className="artifact-tree" aria-label="Artifacts">
        <DirectoryEntries dir="" listings={listings} expanded={expanded} selected={selected} onToggle={toggle} onSelect={onSelect} depth={0} />
      </nav>
      <div className="artifact-pane">
        {selected ? (
          <ArtifactPreview runId={runId} path={selected} size={selectedInfo?.file_size} />
        ) : (
          <p className="muted">Select a file to preview it.</p>
        )}
      </div>
    </div>
  )
}

function findFile(listings: ReadonlyMap<string, Listing>, path: string | null): FileInfo | undefined {
  if (!path) return undefined
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
  const listing = listings.get(parent)
  return listing?.state === 'ok' ? listing.files.find((f) => f.path === path) : undefined
}

interface DirectoryEntriesProps {
  dir: string
  depth: number
  listings: ReadonlyMap<string, Listing>
  expanded: ReadonlySet<string>
  selected: string | null
  onToggle: (dir: string) => void
  onSelect: (path: string) => void
}

function DirectoryEntries(props: DirectoryEntriesProps) {
  const { dir, depth, listings, expanded, selected, onToggle, onSelect } = props
  const listing = listings.get(dir)
  const indent = { paddingLeft: 8 + depth * 14 }
  if (!listing) return <div className="muted artifact-entry" style={indent}>Loading…</div>
  if (listing.state === 'error') return <div className="error artifact-entry" style={indent}>{listing.message}</div>
  if (listing.files.length === 0 && depth === 0) return <p className="muted">No artifacts logged.</p>
  return (
    <ul className="artifact-list">
      {listing.files.map((f) => {
        const name = f.path.slice(f.path.lastIndexOf('/') + 1)
        if (!f.is_dir) {
          return (
            <li key={f.path}>
              <button
                type="button"
                className={`artifact-entry artifact-file${f.path === selected ? ' selected' : ''}`}
                style={indent}
                onClick={() => onSelect(f.path)}
                aria-current={f.path === selected ? 'true' : undefined}
              >
                <span className="artifact-name">{name}</span>
                <span className="muted artifact-size">{formatBytes(f.file_size)}</span>
              </button>
            </li>
          )
        }
        const open = expanded.has(f.path)
        return (
          <li key={f.path}>
            <button
              type="button"
              className="artifact-entry artifact-dir"
              style={indent}
              onClick={() => onToggle(f.path)}
              aria-expanded={open}
            >
              <span aria-hidden>{open ? '▾' : '▸'}</span> <span className="artifact-name">{name}/</span>
            </button>
            {open && <DirectoryEntries {...props} dir={f.path} depth={depth + 1} />}
          </li>
        )
      })}
    </ul>
  )
}
