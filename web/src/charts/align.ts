// uPlot draws lines from one shared x column ("aligned data": [xs, ys1, ys2, ...]), but
// runs log at different steps and, on time axes, never at the same millisecond. These
// helpers merge per-run series onto one x column.
//
// uPlot distinguishes two kinds of empty cells, and we use both on purpose:
// - `undefined`: "this run has no point at this x" (an alignment hole). uPlot draws the
//   line straight through it and the hover legend scans to the run's nearest real point.
// - `null`: a real gap (NaN or infinite value, or non-positive on a log axis); the line
//   breaks there.

/** A column of y values aligned to the shared x column. */
export type AlignedColumn = (number | null | undefined)[]

/** uPlot's aligned data layout: the shared x column, then one y column per series. */
export type AlignedColumns = [number[], ...AlignedColumn[]]

/** The part of a series the alignment reads: x values ascending, one y per x. */
export interface XYSeries {
  xs: readonly number[]
  ys: readonly (number | null)[]
}

function sameXs(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Returns the union of the x values of all series, ascending. An x that one series holds
 * k times (several values logged at one step) appears k times, so every point keeps its
 * own slot and M4-sampled spikes survive the merge.
 */
export function unionXs(series: readonly XYSeries[]): number[] {
  let total = 0
  for (const s of series) total += s.xs.length
  // A typed array sorts numerically and far faster than Array#sort with a comparator.
  const all = new Float64Array(total)
  let at = 0
  for (const s of series) {
    all.set(s.xs, at)
    at += s.xs.length
  }
  all.sort()

  // Multiplicity only matters for x values repeated inside one series (rare).
  let repeats: Map<number, number> | undefined
  for (const s of series) {
    for (let i = 1; i < s.xs.length; i++) {
      if (s.xs[i] !== s.xs[i - 1]) continue
      let count = 2
      while (i + 1 < s.xs.length && s.xs[i + 1] === s.xs[i]) {
        count++
        i++
      }
      repeats ??= new Map()
      repeats.set(s.xs[i], Math.max(repeats.get(s.xs[i]) ?? 1, count))
    }
  }

  const out: number[] = []
  for (let i = 0; i < all.length; i++) {
    const x = all[i]
    if (i > 0 && x === all[i - 1]) continue
    const times = repeats?.get(x) ?? 1
    for (let k = 0; k < times; k++) out.push(x)
  }
  return out
}

/** Returns the series merged onto one shared x column, in uPlot's aligned layout. */
export function alignSeries(series: readonly XYSeries[]): AlignedColumns {
  if (series.length === 0) return [[]]
  // Common case on a step axis: every run logged the same steps; no merge needed.
  if (series.every((s) => sameXs(s.xs, series[0].xs))) {
    return [series[0].xs.slice(), ...series.map((s) => s.ys.slice())]
  }
  const xs = unionXs(series)
  const columns = series.map((s) => {
    // A holey array: unfilled slots read as `undefined`, which uPlot treats as holes.
    const column: AlignedColumn = new Array(xs.length)
    let slot = 0
    for (let i = 0; i < s.xs.length; i++) {
      while (xs[slot] < s.xs[i]) slot++
      column[slot++] = s.ys[i]
    }
    return column
  })
  return [xs, ...columns]
}
