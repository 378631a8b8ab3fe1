// Pure helpers of the artifact preview: which viewer a file gets, CSV parsing, and
// reading only the head of a large file.

/** How an artifact is shown: as text, pretty JSON, YAML, a CSV table, an image, or not at all. */
export type PreviewKind = 'text' | 'json' | 'yaml' | 'csv' | 'tsv' | 'image' | 'none'

const BY_EXTENSION: Record<string, PreviewKind> = {
  txt: 'text', log: 'text', md: 'text', py: 'text', sh: 'text', cfg: 'text', ini: 'text',
  toml: 'text', jsonl: 'text', ipynb: 'json', rs: 'text', js: 'text', ts: 'text', html: 'text',
  json: 'json',
  yaml: 'yaml', yml: 'yaml',
  csv: 'csv', tsv: 'tsv',
  png: 'image', jpg: 'image', jpeg: 'image', gif: 'image', svg: 'image', webp: 'image',
}

/** Extension-less files MLflow writes as YAML or plain text. */
const BY_NAME: Record<string, PreviewKind> = {
  MLmodel: 'yaml',
  MLproject: 'yaml',
  LICENSE: 'text',
  README: 'text',
}

/** Returns the viewer for an artifact path, from its file name. */
export function previewKind(path: string): PreviewKind {
  const name = path.slice(path.lastIndexOf('/') + 1)
  if (BY_NAME[name]) return BY_NAME[name]
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return 'none'
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? 'none'
}

/** Returns the JSON text re-indented, or `null` when it does not parse. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return null
  }
}

/**
 * Returns up to `maxRows` records of RFC 4180 CSV text (quoted fields may hold the
 * delimiter, doubled quotes and newlines). With `partial`, the text was cut off, so the
 * last, possibly incomplete record is dropped.
 */
export function parseCsv(text: string, maxRows: number, delimiter = ',', partial = false): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  const endRow = () => {
    row.push(field)
    rows.push(row)
    row = []
    field = ''
  }
  while (i < text.length && rows.length < maxRows) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
        continue
      }
      if (c === '"') quoted = false
      else field += c
      i++
      continue
    }
    if (c === '"' && field === '') quoted = true
    else if (c === delimiter) {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      endRow()
      if (c === '\r' && text[i + 1] === '\n') i++
    } else field += c
    i++
  }
  const atEnd = i >= text.length
  if (rows.length < maxRows && atEnd && !partial && (field !== '' || row.length > 0)) endRow()
  return rows
}

/** The head of a file and whether the rest was left unread. */
export interface TextHead {
  text: string
  truncated: boolean
}

/** Reads at most `maxBytes` of a URL's body, cancelling the download after that. */
export async function fetchTextHead(url: string, maxBytes: number, signal?: AbortSignal): Promise<TextHead> {
  const res = await fetch(url, { signal })
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`.trim())
  if (!res.body) {
    const text = await res.text()
    return { text: text.slice(0, maxBytes), truncated: text.length > maxBytes }
  }
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { text: text + decoder.decode(), truncated: false }
    const room = maxBytes - bytes
    if (value.byteLength > room) {
      text += decoder.decode(value.subarray(0, room), { stream: true })
      await reader.cancel()
      return { text, truncated: true }
    }
    bytes += value.byteLength
    text += decoder.decode(value, { stream: true })
  }
}

/** Returns a byte count as e.g. `512 B`, `1.5 KB`, `20 MB`. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return ''
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`
}
