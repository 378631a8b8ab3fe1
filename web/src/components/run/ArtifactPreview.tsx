// Shows one artifact: text-like files inline (JSON pretty-printed, CSV as a table),
// images as <img>, anything else as its size and a download link. Only the head of a
// large file is downloaded for the preview.

import { useEffect, useState } from 'react'
import { artifactUrl } from '../../api/client'
import { fetchTextHead, formatBytes, parseCsv, prettyJson, previewKind, type TextHead } from './artifactPreview'

/** Text previews stop after this many bytes (a 2 GB log must not freeze the tab). */
const MAX_TEXT_BYTES = 1024 * 1024
const MAX_CSV_ROWS = 500

export interface ArtifactPreviewProps {
  runId: string
  path: string
  size?: number
}

type Loaded = { state: 'loading' } | { state: 'error'; message: string } | ({ state: 'ok' } & TextHead)

export function ArtifactPreview({ runId, path, size }: ArtifactPreviewProps) {
  const kind = previewKind(path)
  const url = artifactUrl(runId, path)
  const name = path.slice(path.lastIndexOf('/') + 1)
  return (
    <div className="artifact-preview" data-path={path}>
      <header className="artifact-preview-header">
        <strong title={path}>{path}</strong>
        <span className="muted">{formatBytes(size)}</span>
        <a href={url} download={name}>
          Download
        </a>
      </header>
      {kind === 'image' ? (
        <img className="artifact-image" src={url} alt={path} />
      ) : kind === 'none' ? (
        <p className="muted">No preview for this file type.</p>
      ) : (
        <TextPreview key={url} url={url} kind={kind} />
      )}
    </div>
  )
}

function TextPreview({ url, kind }: { url: string; kind: 'text' | 'json' | 'yaml' | 'csv' | 'tsv' }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' })
  useEffect(() => {
    const abort = new AbortController()
    fetchTextHead(url, MAX_TEXT_BYTES, abort.signal).then(
      (head) => setLoaded({ state: 'ok', ...head }),
      (e: unknown) => {
        if (!abort.signal.aborted) setLoaded({ state: 'error', message: e instanceof Error ? e.message : String(e) })
      },
    )
    return () => abort.abort()
  }, [url])

  if (loaded.state === 'loading') return <p className="muted">Loading…</p>
  if (loaded.state === 'error') return <p className="error">Could not load the file: {loaded.message}</p>

  const note = loaded.truncated && (
    <p className="muted artifact-note">Showing the first {formatBytes(MAX_TEXT_BYTES)}; download the file for the rest.</p>
  )
  if (kind === 'csv' || kind === 'tsv') {
    const rows = parseCsv(loaded.text, MAX_CSV_ROWS + 1, kind === 'tsv' ? '\t' : ',', loaded.truncated)
    return (
      <>
        <CsvTable rows={rows} />
        {note}
      </>
    )
  }
  // A cut-off JSON file does not parse; show it raw rather than nothing.
  const text = kind === 'json' && !loaded.truncated ? (prettyJson(loaded.text) ?? loaded.text) : loaded.text
  return (
    <>
      <pre className={`artifact-text artifact-${kind}`}>{text}</pre>
      {note}
    </>
  )
}

function CsvTable({ rows }: { rows: string[][] }) {
  if (rows.length === 0) return <p className="muted">Empty file.</p>
  const [header, ...body] = rows
  const shown = body.slice(0, MAX_CSV_ROWS)
  return (
    <div className="artifact-csv">
      <table className="run-table">
        <thead>
          <tr>
            {header.map((cell, i) => (
              <th key={i}>{cell}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {body.length > MAX_CSV_ROWS && <p className="muted artifact-note">Showing the first {MAX_CSV_ROWS} rows.</p>}
    </div>
  )
}
