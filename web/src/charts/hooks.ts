// Layout hooks for charts: the width to sample for, and whether a chart was ever visible.

import { useEffect, useState, type RefObject } from 'react'

/**
 * Returns the element's width rounded up to a multiple of `bucket` px (0 before layout).
 * Rounding keeps a window resize from refetching a chart for every pixel.
 */
export function useBucketedWidth(ref: RefObject<HTMLElement | null>, bucket = 100): number {
  const [width, setWidth] = useState(0)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const measure = () => setWidth(Math.ceil(el.clientWidth / bucket) * bucket)
    measure()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [ref, bucket])
  return width
}

/**
 * Returns true once the element has come near the viewport, and stays true. Pages with
 * dozens of metric keys then fetch only the charts the user scrolls to.
 */
export function useSeenOnce(ref: RefObject<HTMLElement | null>): boolean {
  const [seen, setSeen] = useState(typeof IntersectionObserver === 'undefined')
  useEffect(() => {
    const el = ref.current
    if (!el || seen) return
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeen(true)
      },
      { rootMargin: '300px' },
    )
    observer.observe(el)
    return () => observer.disconnect()
  }, [ref, seen])
  return seen
}
