//! Shape-keeping reduction of a metric series for charts: M4 (Jugel et al., "M4: A
//! Visualization-Oriented Time Series Data Aggregation", VLDB 2014) keeps, per x bucket,
//! the first, last, smallest and largest point, so a line drawn through the kept points
//! at one bucket per pixel column looks exactly like the full series: no spike is lost,
//! unlike MLflow's every-n-th-step sampling. EMA smoothing runs over the full series
//! before the reduction, so zooming never changes the smoothed curve.

use crate::store::{MetricPoint, MetricTile};

/// Returns what M4 keeps of a tile's points in any bucket that holds the whole tile: its
/// first, smallest, largest and last point, in history order, each once.
pub fn tile_points(tile: &MetricTile) -> Vec<MetricPoint> {
    let mut points: Vec<MetricPoint> = [Some(tile.first), tile.min, tile.max, Some(tile.last)]
        .into_iter()
        .flatten()
        .collect();
    points.sort_by(|a, b| {
        (a.step, a.timestamp)
            .cmp(&(b.step, b.timestamp))
            .then(a.value.total_cmp(&b.value))
    });
    points.dedup_by(|a, b| {
        (a.step, a.timestamp, a.value.to_bits()) == (b.step, b.timestamp, b.value.to_bits())
    });
    points
}

/// Returns `values` smoothed by an exponential moving average with weight `weight`
/// (0 keeps them), bias-corrected so the curve starts at the first value: TensorBoard's
/// `smoothing` (`resampleData` in its scalar plugin). Non-finite values pass through
/// unchanged and do not enter the average.
pub fn ema(values: &mut [f64], weight: f64) {
    if weight <= 0.0 {
        return;
    }
    let mut last = 0.0;
    let mut accumulated = 0;
    for value in values.iter_mut() {
        if !value.is_finite() {
            continue;
        }
        last = last * weight + (1.0 - weight) * *value;
        accumulated += 1;
        *value = last / (1.0 - weight.powi(accumulated));
    }
}

/// Returns the indices of the points M4 keeps from a series with x coordinates `xs`
/// (ascending) and `values`, over `buckets` equal-width buckets spanning `[start, end]`:
/// per bucket its first, last, minimum and maximum point, in index order. NaN values
/// are never a bucket's minimum or maximum. With `xs.len() <= 4 * buckets` every index
/// is kept.
pub fn m4(xs: &[i64], values: &[f64], start: i64, end: i64, buckets: usize) -> Vec<usize> {
    debug_assert_eq!(xs.len(), values.len());
    let buckets = buckets.max(1);
    if xs.len() <= 4 * buckets {
        return (0..xs.len()).collect();
    }
    // i128: a window of wall-clock milliseconds times a bucket count overflows i64.
    let width = (end as i128 - start as i128 + 1).max(1);
    let bucket_of = |x: i64| {
        (((x as i128 - start as i128) * buckets as i128) / width).clamp(0, buckets as i128 - 1)
    };
    let mut kept = Vec::with_capacity(4 * buckets);
    let mut i = 0;
    while i < xs.len() {
        let bucket = bucket_of(xs[i]);
        let first = i;
        let (mut min, mut max) = (None::<usize>, None::<usize>);
        while i < xs.len() && bucket_of(xs[i]) == bucket {
            let v = values[i];
            if !v.is_nan() {
                if min.is_none_or(|m| v < values[m]) {
                    min = Some(i);
                }
                if max.is_none_or(|m| v > values[m]) {
                    max = Some(i);
                }
            }
            i += 1;
        }
        let last = i - 1;
        let mut picks = [Some(first), min, max, Some(last)];
        picks.sort_unstable();
        let mut previous = None;
        for pick in picks.into_iter().flatten() {
            if previous != Some(pick) {
                kept.push(pick);
                previous = Some(pick);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let xs: Vec<i64> = (0..8).collect();
        assert_eq!(m4(&xs, &[0.0; 8], 0, 7, 2), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn every_spike_survives() {
        // 10,000 points of a flat line with single-point spikes up and down.
        let xs: Vec<i64> = (0..10_000).collect();
        let mut values = vec![1.0; 10_000];
        values[1234] = 50.0;
        values[7777] = -50.0;
        let kept = m4(&xs, &values, 0, 9_999, 100);
        assert!(kept.len() <= 400);
        assert!(kept.contains(&1234) && kept.contains(&7777));
        assert!(
            kept.windows(2).all(|w| w[0] < w[1]),
            "ascending, no duplicates"
        );
        // The first and last points of the series are kept.
        assert_eq!((kept[0], *kept.last().unwrap()), (0, 9_999));
    }

    #[test]
    fn buckets_keep_first_last_min_max() {
        // Two buckets of 6 points each: [0,6) and [6,12).
        let xs: Vec<i64> = (0..12).collect();
        let values = [
            3.0,
            9.0,
            1.0,
            4.0,
            5.0,
            2.0,
            7.0,
            7.0,
            f64::NAN,
            0.5,
            8.0,
            6.0,
        ];
        let kept = m4(&xs, &values, 0, 11, 2);
        // Bucket 1: first 0, max 1, min 2, last 5. Bucket 2: first 6, min 9, max 10, last 11.
        assert_eq!(kept, vec![0, 1, 2, 5, 6, 9, 10, 11]);
    }

    #[test]
    fn huge_time_windows_do_not_overflow() {
        let xs: Vec<i64> = (0..100).map(|i| 1_700_000_000_000 + i * 1_000).collect();
        let kept = m4(&xs, &[1.0; 100], xs[0], xs[99], 5);
        assert_eq!((kept[0], *kept.last().unwrap()), (0, 99));
    }

    #[test]
    fn ema_matches_tensorboard() {
        // TensorBoard with weight 0.5 on [1, 2, 3]: last = 0.5, 1.25, 2.125; debias by
        // 1 - 0.5^n = 0.5, 0.75, 0.875 → 1, 5/3, 17/7.
        let mut values = [1.0, 2.0, f64::NAN, 3.0];
        ema(&mut values, 0.5);
        assert!((values[0] - 1.0).abs() < 1e-12);
        assert!((values[1] - 5.0 / 3.0).abs() < 1e-12);
        assert!(values[2].is_nan());
        assert!((values[3] - 17.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn zero_weight_keeps_values() {
        let mut values = [1.0, 5.0];
        ema(&mut values, 0.0);
        assert_eq!(values, [1.0, 5.0]);
    }
}
