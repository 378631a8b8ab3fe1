import { describe, expect, it } from 'vitest'
import { fnv1a, RUN_PALETTE, runColor } from './palette'

describe('runColor', () => {
  it('is stable for the same id', () => {
    const id = '4f1c2e0a9b8d4c3e8f7a6b5c4d3e2f1a'
    expect(runColor(id)).toBe(runColor(id))
    expect(runColor(id)).toBe(runColor(String(id)))
  })

  it('always returns a palette colour', () => {
    for (let i = 0; i < 200; i++) {
      expect(RUN_PALETTE).toContain(runColor(`run-${i}`))
    }
  })

  it('spreads ids over the whole palette', () => {
    const used = new Set(Array.from({ length: 400 }, (_, i) => runColor(i.toString(16).padStart(32, '0'))))
    expect(used.size).toBe(RUN_PALETTE.length)
  })

  it('hashes with the reference FNV-1a values', () => {
    expect(fnv1a('')).toBe(0x811c9dc5)
    expect(fnv1a('a')).toBe(0xe40c292c)
    expect(fnv1a('foobar')).toBe(0xbf9cf968)
  })

  it('has no duplicate colours', () => {
    expect(new Set(RUN_PALETTE).size).toBe(RUN_PALETTE.length)
  })
})
