//! `ferroflow/metrics/sampled`: reads each requested (run, key) history inside the
//! window, smooths it, and reduces it with [`sampling::m4`] to at most `max_points`.

use std::collections::HashMap;

use ferroflow_protocol::messages::charts::*;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{sampling, TrackingService};
use crate::error::MlflowError;
use crate::store::{MetricPoint, MetricTile, MetricWindow};

/// Most runs in one request (a comparison of many runs is drawn in one request).
const MAX_RUNS: usize = 200;
/// Most keys in one request.
const MAX_KEYS: usize = 50;
/// Most series (runs × keys) in one request.
const MAX_SERIES: usize = 1000;
/// Points per series when the request names none: about one chart's width in pixels.
const DEFAULT_MAX_POINTS: i64 = 1000;
/// Most points per series.
const MAX_POINTS: i64 = 10_000;
/// Tiles a bucket must span before whole tiles stand for their points: a tile then never
/// shifts a kept point by more than half a pixel column.
const TILES_PER_BUCKET: i64 = 2;
/// Histories read at once; the store's reader pool bounds the real parallelism.
const READ_CONCURRENCY: usize = 8;

impl TrackingService {
    /// `ferroflow/metrics/sampled`.
    pub async fn sampled_history(
        &self,
        req: SampledHistory,
    ) -> Result<SampledHistoryResponse, MlflowError> {
        let max_points = check_request(&req)?;
        let smoothing = req.smoothing.unwrap_or(0.0);
        // Relative time is measured from each run's start, so its window moves with it.
        let origins: HashMap<String, i64> = match req.x_axis {
            XAxis::Relative => {
                stream::iter(req.run_ids.clone())
                    .map(|run_id| async move {
                        let info = self.store.get_run_info(&run_id).await?;
                        Ok::<_, MlflowError>((run_id, info.start_time.unwrap_or(0)))
                    })
                    .buffered(READ_CONCURRENCY)
                    .try_collect()
                    .await?
            }
            XAxis::Step | XAxis::Time => HashMap::new(),
        };
        let pairs: Vec<(String, String, i64)> = req
            .run_ids
            .iter()
            .flat_map(|run| {
                let origin = origins.get(run).copied().unwrap_or(0);
                req.metric_keys
                    .iter()
                    .map(move |key| (run.clone(), key.clone(), origin))
            })
            .collect();
        let req = &req;
        let series: Vec<Option<SampledSeries>> = stream::iter(pairs)
            .map(|(run_id, key, origin)| async move {
                self.sampled_series(&run_id, &key, origin, req, max_points, smoothing)
                    .await
            })
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(SampledHistoryResponse {
            series: series.into_iter().flatten().collect(),
        })
    }

    /// Returns one run's sampled history of `key`, or `None` when the window is empty;
    /// `origin` is added to the request's window (the run's start on a relative axis).
    async fn sampled_series(
        &self,
        run_id: &str,
        key: &str,
        origin: i64,
        req: &SampledHistory,
        max_points: usize,
        smoothing: f64,
    ) -> Result<Option<SampledSeries>, MlflowError> {
        let window = MetricWindow {
            by_timestamp: req.x_axis != XAxis::Step,
            start: req.start.map_or(i64::MIN, |s| s.saturating_add(origin)),
            end: req.end.map_or(i64::MAX, |e| e.saturating_add(origin)),
        };
        let buckets = max_points / 4;
        let (mut points, mut values, total_points) = if window.by_timestamp || smoothing > 0.0 {
            self.window_points(run_id, key, window, smoothing).await?
        } else {
            self.step_points(run_id, key, window, buckets).await?
        };
        let x = |p: &MetricPoint| {
            if window.by_timestamp {
                p.timestamp
            } else {
                p.step
            }
        };
        let skip = points.partition_point(|p| x(p) < window.start);
        points.drain(..skip);
        values.drain(..skip);
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return Ok(None);
        };
        let (start, end) = (
            req.start.map_or(x(first), |_| window.start),
            req.end.map_or(x(last), |_| window.end),
        );
        let xs: Vec<i64> = points.iter().map(x).collect();
        let kept = sampling::m4(&xs, &values, start, end, buckets);
        Ok(Some(SampledSeries {
            run_id: run_id.to_string(),
            key: key.to_string(),
            total_points: total_points.unwrap_or(points.len()) as i64,
            points: kept
                .into_iter()
                .map(|i| SampledPoint {
                    step: points[i].step,
                    timestamp: points[i].timestamp,
                    value: values[i],
                })
                .collect(),
        }))
    }

    /// Returns every point of the window, with their values smoothed when `smoothing` is
    /// set (then read from the history's start, where smoothing starts, so that zooming
    /// never changes the smoothed curve; the caller cuts them to the window).
    async fn window_points(
        &self,
        run_id: &str,
        key: &str,
        window: MetricWindow,
        smoothing: f64,
    ) -> Result<(Vec<MetricPoint>, Vec<f64>, Option<usize>), MlflowError> {
        let read = MetricWindow {
            start: if smoothing > 0.0 {
                i64::MIN
            } else {
                window.start
            },
            ..window
        };
        let points = self.store.get_metric_window(run_id, key, read).await?;
        let mut values: Vec<f64> = points.iter().map(|p| p.value).collect();
        sampling::ema(&mut values, smoothing);
        Ok((points, values, None))
    }

    /// Returns the points of a step window that M4 needs to draw it in `buckets`
    /// columns, and how many points the window holds. Where a column spans at least
    /// [`TILES_PER_BUCKET`] tiles, the window's whole tiles stand for their points (a
    /// tile's first, last, min and max are exactly what M4 would keep of it), and only
    /// the partial tiles at the window's edges are read point by point.
    async fn step_points(
        &self,
        run_id: &str,
        key: &str,
        window: MetricWindow,
        buckets: usize,
    ) -> Result<(Vec<MetricPoint>, Vec<f64>, Option<usize>), MlflowError> {
        let (first_whole, last_whole) = MetricTile::whole_within(window.start, window.end);
        let tiles = if first_whole <= last_whole {
            self.store
                .get_metric_tiles(run_id, key, first_whole, last_whole)
                .await?
        } else {
            Vec::new()
        };
        let tiled: i64 = tiles.iter().map(|t| t.point_count).sum();
        let (Some(first), Some(last)) = (tiles.first(), tiles.last()) else {
            return self.window_points(run_id, key, window, 0.0).await;
        };
        // The span M4 will cut into buckets: the window, or the tiles' where unbounded.
        let span = i128::from(window.end.min(MetricTile::last_step(last.tile)))
            - i128::from(window.start.max(MetricTile::first_step(first.tile)))
            + 1;
        let worth_it = tiled as usize > 4 * buckets
            && span / buckets.max(1) as i128 >= i128::from(TILES_PER_BUCKET * MetricTile::STEPS);
        if !worth_it {
            return self.window_points(run_id, key, window, 0.0).await;
        }
        // Points outside the whole tiles can only lie in the window's partial end tiles.
        // (No edge below i64::MIN or above i64::MAX: checked_* give None there.)
        let edge = |start: Option<i64>, end: Option<i64>| async move {
            match (start, end) {
                (Some(start), Some(end)) if start <= end => {
                    let edge = MetricWindow {
                        by_timestamp: false,
                        start,
                        end,
                    };
                    self.store.get_metric_window(run_id, key, edge).await
                }
                _ => Ok(Vec::new()),
            }
        };
        let below = MetricTile::first_step(first_whole).checked_sub(1);
        let mut points = edge(Some(window.start), below).await?;
        let before = points.len();
        points.extend(tiles.iter().flat_map(sampling::tile_points));
        let above = MetricTile::last_step(last_whole).checked_add(1);
        let after = edge(above, Some(window.end)).await?;
        let total = before + tiled as usize + after.len();
        points.extend(after);
        let values = points.iter().map(|p| p.value).collect();
        Ok((points, values, Some(total)))
    }
}

/// Checks a request's sizes and options; returns its points per series.
fn check_request(req: &SampledHistory) -> Result<usize, MlflowError> {
    let invalid = |message: String| Err(MlflowError::invalid(message));
    if req.run_ids.is_empty() || req.metric_keys.is_empty() {
        return invalid("Both 'run_ids' and 'metric_keys' must name at least one entry.".into());
    }
    if req.run_ids.len() > MAX_RUNS || req.metric_keys.len() > MAX_KEYS {
        return invalid(format!(
            "A sampled-history request may name at most {MAX_RUNS} run_ids and {MAX_KEYS} \
             metric_keys. Received {} run_ids and {} metric_keys.",
            req.run_ids.len(),
            req.metric_keys.len()
        ));
    }
    if req.run_ids.len() * req.metric_keys.len() > MAX_SERIES {
        return invalid(format!(
            "A sampled-history request may ask for at most {MAX_SERIES} series (run_ids × \
             metric_keys). Received {}.",
            req.run_ids.len() * req.metric_keys.len()
        ));
    }
    let max_points = req.max_points.unwrap_or(DEFAULT_MAX_POINTS);
    if !(4..=MAX_POINTS).contains(&max_points) {
        return invalid(format!(
            "max_points must be between 4 and {MAX_POINTS}. Received {max_points}."
        ));
    }
    if let (Some(start), Some(end)) = (req.start, req.end) {
        if start > end {
            return invalid(format!(
                "end must not be less than start. Found start={start} and end={end}."
            ));
        }
    }
    match req.smoothing {
        Some(s) if !(0.0..1.0).contains(&s) => {
            invalid(format!("smoothing must be in [0, 1). Received {s}."))
        }
        _ => Ok(max_points as usize),
    }
}
