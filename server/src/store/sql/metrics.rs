//! Metric history reads: the full (paged) history of one key, the step-sampled history
//! of several runs that MLflow's charts request, and ferroflow's chart windows and
//! tiles (written by [`super::tiles`]).

use std::collections::BTreeSet;

use super::search::Bind;
use super::tiles::TILE_COLUMNS;
use super::{fetch_json_rows, ExactReal, JsonReal, RowOrder, SqlStore};
use crate::store::{
    HistoryInterval, MetricPoint, MetricStore, MetricTile, MetricWindow, Page, StoreResult,
};
use async_trait::async_trait;
use ferroflow_protocol::{Metric, MetricWithRunId};

/// One stored point as a history read returns it: step, timestamp, value, is_nan.
type PointRow = (i64, i64, ExactReal, i64);

/// One point as a chart window reads it: step, timestamp, value, is_nan.
type ChartPointRow = (i64, i64, JsonReal, i64);

/// One tile as `get_metric_tiles` reads it: tile, point_count, then the first and
/// last points (step, timestamp, value, is_nan) and the min and max points (step,
/// timestamp, value; null when every point is NaN).
type TileJson = (
    i64,
    i64,
    i64,
    i64,
    JsonReal,
    i64,
    i64,
    i64,
    JsonReal,
    i64,
    Option<i64>,
    Option<i64>,
    Option<JsonReal>,
    Option<i64>,
    Option<i64>,
    Option<JsonReal>,
);

/// The history order of MLflow's `get-history`, and of step windows.
const STEP_ORDER: &str = "step, timestamp, value";
/// The order of wall-time windows.
const TIME_ORDER: &str = "timestamp, step, value";

impl SqlStore {
    /// Returns a page of a run's points of one key, in step, timestamp, value order.
    async fn points(
        &self,
        run_id: &str,
        key: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<MetricPoint>> {
        let value = self.dialect.exact_real("value");
        let from = format!(
            "FROM (SELECT step, timestamp, value, {value} AS value_exact, is_nan \
             FROM metrics WHERE run_uuid = $1 AND key = $2 \
             ORDER BY {STEP_ORDER} LIMIT $3 OFFSET $4) AS page"
        );
        let binds = [
            Bind::Text(run_id.to_owned()),
            Bind::Text(key.to_owned()),
            Bind::Int(limit),
            Bind::Int(offset),
        ];
        let rows: Vec<PointRow> = self
            .fetch_rows(
                &["step", "timestamp", "value_exact", "is_nan"],
                &from,
                RowOrder::Presorted(STEP_ORDER),
                &binds,
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(step, timestamp, value, is_nan)| MetricPoint {
                step,
                timestamp,
                value: value.metric_value(is_nan),
            })
            .collect())
    }
}

/// Picks at most `max_results` steps spread evenly over the sorted `all_steps` within
/// `[start, end]`, always keeping the window's last step: MLflow's
/// `_get_sampled_steps_from_steps` in `mlflow/server/handlers.py`.
fn sample_steps(start: i64, end: i64, max_results: usize, all_steps: &[i64]) -> BTreeSet<i64> {
    let lo = all_steps.partition_point(|s| *s < start);
    let hi = all_steps.partition_point(|s| *s <= end);
    if hi - lo <= max_results {
        return all_steps[lo..hi].iter().copied().collect();
    }
    let count = hi - lo;
    let interval = count as f64 / max_results as f64;
    let mut sampled: BTreeSet<i64> = (0..max_results)
        .map(|i| lo + (i as f64 * interval) as usize)
        // MLflow compares the absolute index with the window length here; kept as is.
        .filter(|idx| *idx < count)
        .map(|idx| all_steps[idx])
        .collect();
    sampled.insert(all_steps[hi - 1]);
    sampled
}

#[async_trait]
impl MetricStore for SqlStore {
    async fn get_metric_history(
        &self,
        run_id: &str,
        key: &str,
        offset: i64,
        limit: Option<i64>,
    ) -> StoreResult<Page<Metric>> {
        // LIMIT -1 is "no limit" nowhere portable; fetch one extra row to detect a next page.
        let fetch = limit.map(|l| l + 1).unwrap_or(i64::MAX);
        let mut items: Vec<Metric> = self
            .points(run_id, key, offset, fetch)
            .await?
            .into_iter()
            .map(|p| Metric {
                key: key.to_string(),
                value: p.value,
                timestamp: p.timestamp,
                step: p.step,
            })
            .collect();
        let next_offset = match limit {
            Some(l) if items.len() as i64 > l => {
                items.truncate(l as usize);
                Some(offset + l)
            }
            _ => None,
        };
        Ok(Page { items, next_offset })
    }

    async fn get_metric_history_bulk_interval(
        &self,
        interval: &HistoryInterval,
    ) -> StoreResult<Vec<MetricWithRunId>> {
        let mut per_run = Vec::with_capacity(interval.run_ids.len());
        for run_id in &interval.run_ids {
            per_run.push(self.points(run_id, &interval.key, 0, i64::MAX).await?);
        }
        let all_steps: Vec<i64> = per_run
            .iter()
            .flat_map(|points| points.iter().map(|p| p.step))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let (start, end) = match (interval.start_step, interval.end_step) {
            (Some(start), Some(end)) => (start, end),
            _ => (0, all_steps.last().copied().unwrap_or(0)),
        };
        let mut steps = sample_steps(start, end, interval.max_results, &all_steps);
        // Each run's first and last step inside the window stay visible, as in MLflow.
        for points in &per_run {
            if let (Some(first), Some(last)) = (points.first(), points.last()) {
                steps.extend(
                    [first.step, last.step]
                        .into_iter()
                        .filter(|s| (start..=end).contains(s)),
                );
            }
        }
        let mut out = Vec::new();
        for (run_id, points) in interval.run_ids.iter().zip(per_run) {
            out.extend(
                points
                    .into_iter()
                    .filter(|p| steps.contains(&p.step))
                    .map(|p| MetricWithRunId {
                        key: interval.key.clone(),
                        value: p.value,
                        timestamp: p.timestamp,
                        step: p.step,
                        run_id: run_id.clone(),
                    }),
            );
        }
        Ok(out)
    }

    async fn get_metric_window(
        &self,
        run_id: &str,
        key: &str,
        window: MetricWindow,
    ) -> StoreResult<Vec<MetricPoint>> {
        let (axis, order) = if window.by_timestamp {
            ("timestamp", TIME_ORDER)
        } else {
            ("step", STEP_ORDER)
        };
        // Charts read whole histories: the value at JSON precision, not as exact text
        // (printf per row was a third of the read).
        let value = self.dialect.json_real("value");
        let rows = self
            .dialect
            .json_rows_presorted(&["step", "timestamp", "value_json", "is_nan"], order);
        let sql = format!(
            "SELECT {rows} FROM (SELECT step, timestamp, value, {value} AS value_json, is_nan \
             FROM metrics WHERE run_uuid = $1 AND key = $2 AND {axis} BETWEEN $3 AND $4 \
             ORDER BY {order}) AS page"
        );
        let query = sqlx::query(&sql)
            .bind(run_id)
            .bind(key)
            .bind(window.start)
            .bind(window.end);
        let rows: Vec<ChartPointRow> = fetch_json_rows(query, &self.reader).await?;
        Ok(rows
            .into_iter()
            .map(|(step, timestamp, JsonReal(value), is_nan)| MetricPoint {
                step,
                timestamp,
                value: if is_nan != 0 { f64::NAN } else { value },
            })
            .collect())
    }

    async fn get_metric_tiles(
        &self,
        run_id: &str,
        key: &str,
        first: i64,
        last: i64,
    ) -> StoreResult<Vec<MetricTile>> {
        let reals: Vec<String> = TILE_COLUMNS
            .split(", ")
            .map(|c| {
                if c.ends_with("_value") {
                    format!("{} AS {c}", self.dialect.json_real(c))
                } else {
                    c.to_string()
                }
            })
            .collect();
        let columns: Vec<&str> = TILE_COLUMNS.split(", ").collect();
        let rows = self.dialect.json_rows_presorted(&columns, "tile");
        let sql = format!(
            "SELECT {rows} FROM (SELECT {} FROM metric_tiles \
             WHERE run_uuid = $1 AND key = $2 AND tile BETWEEN $3 AND $4 ORDER BY tile) AS page",
            reals.join(", ")
        );
        let query = sqlx::query(&sql)
            .bind(run_id)
            .bind(key)
            .bind(first)
            .bind(last);
        let rows: Vec<TileJson> = fetch_json_rows(query, &self.reader).await?;
        let point = |step, timestamp, JsonReal(value), is_nan: i64| MetricPoint {
            step,
            timestamp,
            value: if is_nan != 0 { f64::NAN } else { value },
        };
        let extreme = |step: Option<i64>, timestamp: Option<i64>, value: Option<JsonReal>| {
            Some(MetricPoint {
                step: step?,
                timestamp: timestamp?,
                value: value?.0,
            })
        };
        Ok(rows
            .into_iter()
            .map(|r| MetricTile {
                tile: r.0,
                point_count: r.1,
                first: point(r.2, r.3, r.4, r.5),
                last: point(r.6, r.7, r.8, r.9),
                min: extreme(r.10, r.11, r.12),
                max: extreme(r.13, r.14, r.15),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::sample_steps;

    #[test]
    fn keeps_every_step_when_few() {
        let steps: Vec<i64> = (0..10).collect();
        assert_eq!(sample_steps(0, 9, 20, &steps).len(), 10);
        assert_eq!(
            sample_steps(3, 5, 20, &steps)
                .into_iter()
                .collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
    }

    #[test]
    fn samples_evenly_and_keeps_the_last() {
        let steps: Vec<i64> = (0..1000).collect();
        let sampled: Vec<i64> = sample_steps(0, 999, 10, &steps).into_iter().collect();
        assert_eq!(
            sampled,
            vec![0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999]
        );
    }
}
