//! ferroflow's chart endpoint, beside MLflow's API: `ferroflow/metrics/sampled`, the
//! shape-keeping sampled history the dashboard draws (MLflow's own
//! `get-history-bulk-interval` keeps every n-th step and so hides spikes).

use crate::wire;
use serde::{Deserialize, Serialize};

/// What the x axis of a sampled history measures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum XAxis {
    /// The training step.
    #[default]
    Step,
    /// Wall-clock time, milliseconds since the Unix epoch.
    Time,
    /// Milliseconds since the run's start time.
    Relative,
}

/// `POST ferroflow/metrics/sampled`: several runs' histories of several keys, each
/// reduced to at most `max_points` points that keep its shape.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SampledHistory {
    /// Runs to read (required).
    pub run_ids: Vec<String>,
    /// Metric names (required).
    pub metric_keys: Vec<String>,
    /// The x axis the window and the buckets are measured on.
    pub x_axis: XAxis,
    /// First x of the window (inclusive); the history's first point when absent.
    #[serde(with = "wire::opt_int64")]
    pub start: Option<i64>,
    /// Last x of the window (inclusive); the history's last point when absent.
    #[serde(with = "wire::opt_int64")]
    pub end: Option<i64>,
    /// Most points per series.
    #[serde(with = "wire::opt_int64")]
    pub max_points: Option<i64>,
    /// Exponential-moving-average weight in [0, 1), applied to the full history of the
    /// window before sampling; 0 or absent leaves values as logged.
    #[serde(with = "wire::opt_double")]
    pub smoothing: Option<f64>,
}

/// One kept point of a series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampledPoint {
    /// Training step.
    #[serde(with = "wire::int64")]
    pub step: i64,
    /// Milliseconds since the Unix epoch.
    #[serde(with = "wire::int64")]
    pub timestamp: i64,
    /// The value (smoothed when smoothing was asked for); NaN and infinities kept.
    #[serde(with = "wire::double")]
    pub value: f64,
}

/// One run's sampled history of one key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampledSeries {
    /// The run.
    pub run_id: String,
    /// The metric name.
    pub key: String,
    /// Points in the window before sampling.
    #[serde(with = "wire::int64")]
    pub total_points: i64,
    /// The kept points in x order.
    pub points: Vec<SampledPoint>,
}

/// Answer to `ferroflow/metrics/sampled`: one series per (run, key) that has points.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SampledHistoryResponse {
    /// The series, by run then key in request order.
    pub series: Vec<SampledSeries>,
}
