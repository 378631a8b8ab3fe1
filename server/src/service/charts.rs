//! `ferroflow/metrics/sampled`: reads each requested (run, key) history inside the
//! window, smooths it, and reduces it with [`sampling::m4`] to at most `max_points`.

use ferroflow_protocol::messages::charts::*;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::{sampling, TrackingService};
use crate::error::MlflowError;
use crate::store::{MetricPoint, MetricWindow};

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
        let pairs: Vec<(String, String)> = req
            .run_ids
            .iter()
            .flat_map(|run| {
                req.metric_keys
                    .iter()
                    .map(move |key| (run.clone(), key.clone()))
            })
            .collect();
        let req = &req;
        let series: Vec<Option<SampledSeries>> = stream::iter(pairs)
            .map(|(run_id, key)| async move {
                self.sampled_series(&run_id, &key, req, max_points, smoothing)
                    .await
            })
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(SampledHistoryResponse {
            series: series.into_iter().flatten().collect(),
        })
    }

    /// Returns one run's sampled history of `key`, or `None` when the window is empty.
    async fn sampled_series(
        &self,
        run_id: &str,
        key: &str,
        req: &SampledHistory,
        max_points: usize,
        smoothing: f64,
    ) -> Result<Option<SampledSeries>, MlflowError> {
        // Relative time is measured from the run's start, so its window moves with it.
        let origin = match req.x_axis {
            XAxis::Relative => self
                .store
                .get_run(run_id)
                .await?
                .info
                .start_time
                .unwrap_or(0),
            XAxis::Step | XAxis::Time => 0,
        };
        let window = MetricWindow {
            by_timestamp: req.x_axis != XAxis::Step,
            start: req.start.map_or(i64::MIN, |s| s.saturating_add(origin)),
            end: req.end.map_or(i64::MAX, |e| e.saturating_add(origin)),
        };
        // Smoothing starts at the history's first point, so zooming never changes the
        // smoothed curve: read from the beginning, then cut to the window.
        let read = MetricWindow {
            start: if smoothing > 0.0 {
                i64::MIN
            } else {
                window.start
            },
            ..window
        };
        let mut points = self.store.get_metric_window(run_id, key, read).await?;
        let x = |p: &MetricPoint| {
            if window.by_timestamp {
                p.timestamp
            } else {
                p.step
            }
        };
        let mut values: Vec<f64> = points.iter().map(|p| p.value).collect();
        sampling::ema(&mut values, smoothing);
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
        let kept = sampling::m4(&xs, &values, start, end, max_points / 4);
        Ok(Some(SampledSeries {
            run_id: run_id.to_string(),
            key: key.to_string(),
            total_points: points.len() as i64,
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
