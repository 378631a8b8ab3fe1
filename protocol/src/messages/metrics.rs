//! Metric endpoints: `metrics/get-history` and `metrics/get-history-bulk-interval`.

use crate::entities::{Metric, MetricWithRunId};
use crate::wire;
use serde::{Deserialize, Serialize};

/// `GET metrics/get-history`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetMetricHistory {
    /// The run (required; `run_uuid` accepted instead).
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
    /// Metric name (required).
    pub metric_key: Option<String>,
    /// Opaque token from the previous page.
    pub page_token: Option<String>,
    /// Page size; the whole history when absent.
    #[serde(with = "wire::opt_int64")]
    pub max_results: Option<i64>,
}

/// Answer to `metrics/get-history`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetMetricHistoryResponse {
    /// Points in step, timestamp order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    /// Token of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `GET metrics/get-history-bulk-interval`: a step-sampled history of one key for
/// several runs, as MLflow's UI charts request it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetMetricHistoryBulkInterval {
    /// Runs to sample (required, at most 100).
    pub run_ids: Vec<String>,
    /// Metric name (required).
    pub metric_key: Option<String>,
    /// First step of the window (inclusive).
    #[serde(with = "wire::opt_int64")]
    pub start_step: Option<i64>,
    /// Last step of the window (inclusive).
    #[serde(with = "wire::opt_int64")]
    pub end_step: Option<i64>,
    /// Points per run (default 320, at most 1000).
    #[serde(with = "wire::opt_int64")]
    pub max_results: Option<i64>,
}

/// Answer to `metrics/get-history-bulk-interval`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetMetricHistoryBulkIntervalResponse {
    /// Sampled points of every run, ordered by run then step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricWithRunId>,
}
