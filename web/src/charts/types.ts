// Shapes shared by the chart components and the pages that feed them.

/** Which quantity the x axis shows: the logged step, wall-clock time, or time since run start. */
export type XAxisMode = 'step' | 'time' | 'relative'

export const X_AXIS_MODES: readonly XAxisMode[] = ['step', 'time', 'relative']

/** An inclusive x range (in the x axis' units: steps or milliseconds). */
export interface XWindow {
  min: number
  max: number
}

/** One line of a chart: a run's points for one metric, sorted by x. */
export interface ChartSeries {
  /** Run id; also picks the colour. */
  id: string
  label: string
  color: string
  xs: number[]
  /** `null` draws a gap (NaN, infinities, or non-positive values on a log scale). */
  ys: (number | null)[]
}

/** What the chart needs to know about each run it draws. */
export interface ChartRun {
  runId: string
  label: string
  /** Run start (ms since epoch), the origin of the `relative` x axis. */
  startTime: number
}
