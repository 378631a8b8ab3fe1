//! Run endpoints: `runs/create`, `get`, `update`, `delete`, `restore`, `search`,
//! `log-parameter`, `log-metric`, `set-tag`, `delete-tag`, `log-batch`,
//! `log-inputs`, `log-model`.

use crate::entities::{DatasetInput, Metric, Param, Run, RunInfo, RunStatus, RunTag, ViewType};
use crate::wire;
use serde::{Deserialize, Serialize};

/// `POST runs/create`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateRun {
    /// Owning experiment; "0" (Default) when absent, as MLflow.
    pub experiment_id: Option<String>,
    /// Deprecated: the user is taken from the `mlflow.user` tag when absent.
    pub user_id: Option<String>,
    /// Display name; generated when absent.
    pub run_name: Option<String>,
    /// Milliseconds since the Unix epoch; now when absent.
    #[serde(with = "wire::opt_int64")]
    pub start_time: Option<i64>,
    /// Initial tags.
    pub tags: Vec<RunTag>,
}

/// Answer carrying one whole run: `runs/create`, `runs/get`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunResponse {
    /// The run.
    pub run: Run,
}

/// A request naming one run: get, delete, restore.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunIdRequest {
    /// The run (required; `run_uuid` accepted instead).
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
}

/// `POST runs/update`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateRun {
    /// The run (required; `run_uuid` accepted instead).
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
    /// New status.
    pub status: Option<RunStatus>,
    /// End time, milliseconds since the Unix epoch.
    #[serde(with = "wire::opt_int64")]
    pub end_time: Option<i64>,
    /// New display name.
    pub run_name: Option<String>,
}

/// Answer to `runs/update`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct UpdateRunResponse {
    /// The run's metadata after the update.
    pub run_info: RunInfo,
}

/// `POST runs/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRuns {
    /// Experiments to search.
    pub experiment_ids: Vec<String>,
    /// Filter in MLflow's search language.
    pub filter: Option<String>,
    /// Lifecycle stages to include.
    pub run_view_type: Option<ViewType>,
    /// Page size (default 1000, at most 50,000).
    #[serde(with = "wire::opt_int64")]
    pub max_results: Option<i64>,
    /// Sort keys, e.g. `metrics.loss ASC`.
    pub order_by: Vec<String>,
    /// Opaque token from the previous page.
    pub page_token: Option<String>,
}

/// Answer to `runs/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRunsResponse {
    /// One page of runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Run>,
    /// Token of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `POST runs/log-parameter`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogParam {
    /// The run (required; `run_uuid` accepted instead).
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
    /// Parameter name (required).
    pub key: Option<String>,
    /// Parameter value (required).
    pub value: Option<String>,
}

/// `POST runs/log-metric`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogMetric {
    /// The run (required; `run_uuid` accepted instead).
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
    /// Metric name (required).
    pub key: Option<String>,
    /// Value (required).
    #[serde(with = "wire::opt_double")]
    pub value: Option<f64>,
    /// Milliseconds since the Unix epoch (required).
    #[serde(with = "wire::opt_int64")]
    pub timestamp: Option<i64>,
    /// Step; 0 when absent.
    #[serde(with = "wire::opt_int64")]
    pub step: Option<i64>,
    /// MLflow 3: the logged model this point evaluates; it is also recorded among
    /// the model's metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// MLflow 3: name of the dataset the point was computed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_name: Option<String>,
    /// MLflow 3: digest of that dataset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_digest: Option<String>,
}

/// `POST runs/set-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SetTag {
    /// The run (required; `run_uuid` accepted instead).
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
    /// Tag value (required).
    pub value: Option<String>,
}

/// `POST runs/delete-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteTag {
    /// The run (required).
    pub run_id: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
}

/// `POST runs/log-batch`: metrics, params and tags written all-or-nothing.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogBatch {
    /// The run (required).
    pub run_id: Option<String>,
    /// Up to 1000 metric points.
    pub metrics: Vec<BatchMetric>,
    /// Up to 100 params.
    pub params: Vec<Param>,
    /// Up to 100 tags.
    pub tags: Vec<RunTag>,
}

/// A metric point inside a log-batch. MLflow requires `key`, `value` and `timestamp`
/// of each point (its handler's `_assert_metrics_fields_present`), so absence is kept
/// visible here instead of defaulting to 0.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchMetric {
    /// Metric name (required).
    pub key: Option<String>,
    /// Value (required); NaN and infinities allowed.
    #[serde(with = "wire::opt_double", skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Milliseconds since the Unix epoch (required).
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Step; 0 when absent.
    #[serde(with = "wire::opt_int64", skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
    /// MLflow 3: the logged model this point evaluates; it is also recorded among
    /// the model's metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// MLflow 3: name of the dataset the point was computed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_name: Option<String>,
    /// MLflow 3: digest of that dataset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_digest: Option<String>,
}

impl From<Metric> for BatchMetric {
    fn from(m: Metric) -> Self {
        BatchMetric {
            key: Some(m.key),
            value: Some(m.value),
            timestamp: Some(m.timestamp),
            step: Some(m.step),
            ..BatchMetric::default()
        }
    }
}

/// `POST runs/log-inputs`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogInputs {
    /// The run (required).
    pub run_id: Option<String>,
    /// Datasets used by the run.
    pub datasets: Vec<DatasetInput>,
    /// Logged models used by the run (MLflow 3).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<crate::registry::ModelInput>,
}

/// `POST runs/log-model`: appends to the legacy `mlflow.log-model.history` tag.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogModel {
    /// The run (required).
    pub run_id: Option<String>,
    /// The model's MLmodel description as JSON (required).
    pub model_json: Option<String>,
}
