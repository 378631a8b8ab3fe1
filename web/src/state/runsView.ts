// The runs table's view state as it lives in the URL query, so a link reproduces what
// the user sees: `filter` (MLflow search language), `sort` (`metrics.loss:asc`), `cols`
// (chosen param/metric/tag columns) and `sel` (selected run ids). Parsing never throws:
// a hand-edited or stale URL falls back to defaults piece by piece.

/** The kinds of run data a column or sort can refer to, as MLflow names them. */
export type KeyedEntity = 'params' | 'metrics' | 'tags'
export type SortEntity = 'attributes' | KeyedEntity

/** A sortable field: `attributes.start_time`, `metrics.loss`, `params.lr`, `tags.x`. */
export interface SortField {
  entity: SortEntity
  key: string
}

export interface RunsSort extends SortField {
  ascending: boolean
}

/** A chosen extra column, e.g. `{ entity: 'params', key: 'lr' }`. */
export interface ColumnKey {
  entity: KeyedEntity
  key: string
}

export interface RunsViewState {
  filter: string
  sort: RunsSort
  cols: ColumnKey[]
  sel: string[]
}

/** Run attributes MLflow's `order_by` accepts (`RunInfo.get_orderable_attributes()`). */
export const SORTABLE_ATTRIBUTES = [
  'run_name',
  'start_time',
  'end_time',
  'status',
  'user_id',
  'run_id',
] as const

/** MLflow's own default order for search-runs, and the UI's. */
export const DEFAULT_SORT: RunsSort = { entity: 'attributes', key: 'start_time', ascending: false }

export const DEFAULT_VIEW: RunsViewState = { filter: '', sort: DEFAULT_SORT, cols: [], sel: [] }

const KEYED_ENTITIES: readonly string[] = ['params', 'metrics', 'tags']

/** Returns `params.lr` for a column or sort field. */
export function fieldId(field: SortField | ColumnKey): string {
  return `${field.entity}.${field.key}`
}

/** Parses `params.lr` (the key may contain dots) into a column, or null. */
export function parseColumnKey(text: string): ColumnKey | null {
  const dot = text.indexOf('.')
  if (dot <= 0) return null
  const entity = text.slice(0, dot)
  const key = text.slice(dot + 1)
  if (!KEYED_ENTITIES.includes(entity) || key.trim() === '') return null
  return { entity: entity as KeyedEntity, key }
}

/** Parses `metrics.loss:asc`; anything malformed yields null (the caller's default). */
export function parseSort(text: string | null): RunsSort | null {
  if (!text) return null
  const colon = text.lastIndexOf(':')
  if (colon < 0) return null
  const direction = text.slice(colon + 1).toLowerCase()
  if (direction !== 'asc' && direction !== 'desc') return null
  const fieldText = text.slice(0, colon)
  const ascending = direction === 'asc'
  if (fieldText.startsWith('attributes.')) {
    const key = fieldText.slice('attributes.'.length)
    if (!(SORTABLE_ATTRIBUTES as readonly string[]).includes(key)) return null
    return { entity: 'attributes', key, ascending }
  }
  const column = parseColumnKey(fieldText)
  return column ? { ...column, ascending } : null
}

export function serializeSort(sort: RunsSort): string {
  return `${fieldId(sort)}:${sort.ascending ? 'asc' : 'desc'}`
}

export function sameSort(a: RunsSort, b: RunsSort): boolean {
  return a.entity === b.entity && a.key === b.key && a.ascending === b.ascending
}

/** Splits a comma list, trimming and dropping empty and repeated entries. */
function commaList(text: string | null): string[] {
  if (!text) return []
  const seen = new Set<string>()
  for (const part of text.split(',')) {
    const item = part.trim()
    if (item) seen.add(item)
  }
  return [...seen]
}

/** Parses the `cols` parameter: `params.lr,metrics.loss`, dropping malformed entries. */
export function parseColumnList(text: string | null): ColumnKey[] {
  return commaList(text)
    .map(parseColumnKey)
    .filter((c): c is ColumnKey => c !== null)
}

/** Parses the `sel` parameter: comma-separated run ids. */
export const parseIdList = (text: string | null): string[] => commaList(text)

export function parseRunsView(query: URLSearchParams): RunsViewState {
  return {
    filter: query.get('filter') ?? '',
    sort: parseSort(query.get('sort')) ?? DEFAULT_SORT,
    cols: parseColumnList(query.get('cols')),
    sel: parseIdList(query.get('sel')),
  }
}

/**
 * Writes the view into a query, leaving unrelated parameters alone and omitting
 * defaults so a plain link stays plain. MLflow keys cannot contain commas
 * (`_validate_param_name` allows `[\w.\- /]`), so comma lists are unambiguous.
 */
export function serializeRunsView(view: RunsViewState, base = new URLSearchParams()): URLSearchParams {
  const query = new URLSearchParams(base)
  const set = (name: string, value: string) => (value ? query.set(name, value) : query.delete(name))
  set('filter', view.filter.trim())
  set('sort', sameSort(view.sort, DEFAULT_SORT) ? '' : serializeSort(view.sort))
  set('cols', view.cols.map(fieldId).join(','))
  set('sel', view.sel.join(','))
  return query
}

/**
 * Returns the `order_by` clause for search-runs. Keys are backquoted because MLflow
 * keys may contain spaces, dashes and slashes, which the order_by grammar would split.
 */
export function sortToOrderBy(sort: RunsSort): string {
  const key = sort.entity === 'attributes' ? sort.key : `\`${sort.key.replaceAll('`', '')}\``
  return `${sort.entity}.${key} ${sort.ascending ? 'ASC' : 'DESC'}`
}

/**
 * The next sort after clicking a column header: ascending, then descending, then back
 * to the default order. The default field itself just flips direction, or a click on
 * "Start time" would never leave the default.
 */
export function nextSort(current: RunsSort, clicked: SortField): RunsSort {
  const isCurrent = current.entity === clicked.entity && current.key === clicked.key
  if (!isCurrent) return { ...clicked, ascending: true }
  if (current.ascending) return { ...clicked, ascending: false }
  const isDefaultField = clicked.entity === DEFAULT_SORT.entity && clicked.key === DEFAULT_SORT.key
  return isDefaultField ? { ...clicked, ascending: true } : DEFAULT_SORT
}

/** True when new runs belong at the top of the loaded list as they arrive. */
export function showsNewestFirst(view: Pick<RunsViewState, 'filter' | 'sort'>): boolean {
  return view.filter.trim() === '' && sameSort(view.sort, DEFAULT_SORT)
}
