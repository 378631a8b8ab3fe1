// Run colours. A run keeps its colour on every page (runs table, run page, compare), so the
// colour is a pure function of the run id rather than of its position in some list.

/**
 * Ten clearly distinct hues (d3's category10, brown and blue lifted a little so they
 * stay legible on the dark background). Ten that differ beat sixteen where three
 * oranges can meet in one chart; with more runs than colours, repeats are unavoidable.
 */
export const RUN_PALETTE: readonly string[] = [
  '#2f86c8', // blue
  '#ff7f0e', // orange
  '#2ca02c', // green
  '#d62728', // red
  '#9467bd', // purple
  '#a9745e', // brown
  '#e377c2', // pink
  '#e6a700', // gold (not grey: grey reads as grid)
  '#bcbd22', // olive
  '#17becf', // cyan
]

/** Returns the 32-bit FNV-1a hash of a string (stable across sessions and browsers). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Returns the colour of a run: its id hashed into {@link RUN_PALETTE}. */
export function runColor(runId: string): string {
  return RUN_PALETTE[fnv1a(runId) % RUN_PALETTE.length]
}
