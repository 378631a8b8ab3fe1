import { describe, expect, it } from 'vitest'
import { clampSmoothing, DEFAULT_CHART_OPTIONS, parseChartOptions, writeChartOptions } from './chartOptions'

const parse = (query: string) => parseChartOptions(new URLSearchParams(query))

describe('parseChartOptions', () => {
  it('returns defaults for an empty query', () => {
    expect(parse('')).toEqual(DEFAULT_CHART_OPTIONS)
  })

  it('reads every option', () => {
    expect(parse('x=relative&log=1&smooth=0.6&metrics=loss,val_loss')).toEqual({
      xAxis: 'relative',
      logScale: true,
      smoothing: 0.6,
      metrics: ['loss', 'val_loss'],
    })
  })

  it('falls back on invalid values', () => {
    expect(parse('x=epoch&log=yes&smooth=abc&metrics=')).toEqual(DEFAULT_CHART_OPTIONS)
  })

  it('clamps smoothing into [0, 0.99]', () => {
    expect(parse('smooth=1').smoothing).toBe(0.99)
    expect(parse('smooth=-0.5').smoothing).toBe(0)
    expect(parse('smooth=0.456').smoothing).toBe(0.46)
  })

  it('drops empty and duplicate metric keys', () => {
    expect(parse('metrics=a,,b,a').metrics).toEqual(['a', 'b'])
  })

  it('keeps metric keys with spaces, slashes and dots', () => {
    expect(parse(`metrics=${encodeURIComponent('train/loss,val acc.top1')}`).metrics).toEqual([
      'train/loss',
      'val acc.top1',
    ])
  })
})

describe('writeChartOptions', () => {
  it('omits defaults', () => {
    expect(writeChartOptions(new URLSearchParams(), DEFAULT_CHART_OPTIONS).toString()).toBe('')
  })

  it('keeps unrelated keys and replaces its own', () => {
    const before = new URLSearchParams('runs=a,b&x=time&tab=metrics')
    const after = writeChartOptions(before, { ...DEFAULT_CHART_OPTIONS, logScale: true })
    expect(after.get('runs')).toBe('a,b')
    expect(after.get('tab')).toBe('metrics')
    expect(after.get('x')).toBeNull()
    expect(after.get('log')).toBe('1')
    // The input is not modified.
    expect(before.get('x')).toBe('time')
  })

  it('round-trips through parse', () => {
    const options = { xAxis: 'time' as const, logScale: true, smoothing: 0.85, metrics: ['train/loss', 'acc'] }
    expect(parseChartOptions(writeChartOptions(new URLSearchParams(), options))).toEqual(options)
  })
})

describe('clampSmoothing', () => {
  it('handles non-finite input', () => {
    expect(clampSmoothing(Number.NaN)).toBe(0)
    expect(clampSmoothing(Number.POSITIVE_INFINITY)).toBe(0)
    expect(clampSmoothing(5)).toBe(0.99)
  })
})
