// Canvas charts cannot use CSS variables directly, so they read the theme's colours from
// the document and redraw when `<html data-theme>` changes.

import { useEffect, useRef } from 'react'

/** The theme colours a canvas chart paints with. */
export interface ThemeColors {
  fg: string
  muted: string
  border: string
  accent: string
  bg: string
}

/** Returns the current values of the theme's CSS variables (defined in index.css). */
export function readThemeColors(): ThemeColors {
  const style = getComputedStyle(document.documentElement)
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback
  return {
    fg: read('--fg', '#1d2129'),
    muted: read('--muted', '#6b7280'),
    border: read('--border', '#d9dce1'),
    accent: read('--accent', '#d9480f'),
    bg: read('--bg', '#ffffff'),
  }
}

/** Calls `onChange` whenever the theme attribute on `<html>` changes. */
export function useThemeChange(onChange: () => void): void {
  const latest = useRef(onChange)
  useEffect(() => {
    latest.current = onChange
  })
  useEffect(() => {
    const observer = new MutationObserver(() => latest.current())
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] })
    return () => observer.disconnect()
  }, [])
}
