//! MLflow 3 logged-model endpoints (`service.proto`): `POST logged-models`,
//! `GET|PATCH|DELETE logged-models/{model_id}`, `POST logged-models/search`,
//! `PATCH logged-models/{model_id}/tags`, `DELETE logged-models/{model_id}/tags/{key}`,
//! `POST logged-models/{model_id}/params`, and `POST runs/outputs`.

use crate::registry::{
    LoggedModel, LoggedModelParameter, LoggedModelStatus, LoggedModelTag, ModelOutput,
};
use crate::wire;
use serde::{Deserialize, Serialize};

/// `POST logged-models`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateLoggedModel {
    /// Owning experiment (required).
    pub experiment_id: Option<String>,
    /// Display name; generated when absent.
    pub name: Option<String>,
    /// Kind of model, free text.
    pub model_type: Option<String>,
    /// The run logging the model.
    pub source_run_id: Option<String>,
    /// Initial params.
    pub params: Vec<LoggedModelParameter>,
    /// Initial tags.
    pub tags: Vec<LoggedModelTag>,
}

/// Answer carrying one logged model: create, get, finalize, set-tags.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LoggedModelResponse {
    /// The logged model.
    pub model: LoggedModel,
}

/// `PATCH logged-models/{model_id}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FinalizeLoggedModel {
    /// The model (taken from the path).
    pub model_id: Option<String>,
    /// The final status (required).
    pub status: Option<LoggedModelStatus>,
}

/// A dataset a logged-model search restricts metrics to.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelDatasetFilter {
    /// Dataset name (required).
    pub dataset_name: Option<String>,
    /// Dataset digest.
    pub dataset_digest: Option<String>,
}

/// One ordering of a logged-model search.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LoggedModelOrderBy {
    /// An attribute, or `metrics.<key>` (required).
    pub field_name: Option<String>,
    /// Ascending unless `false`; ascending when absent.
    pub ascending: Option<bool>,
    /// Dataset name (metric orderings).
    pub dataset_name: Option<String>,
    /// Dataset digest (metric orderings).
    pub dataset_digest: Option<String>,
}

/// `POST logged-models/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchLoggedModels {
    /// Experiments to search.
    pub experiment_ids: Vec<String>,
    /// Filter in MLflow's search language.
    pub filter: Option<String>,
    /// Datasets metric filters refer to.
    pub datasets: Vec<LoggedModelDatasetFilter>,
    /// Page size.
    #[serde(with = "wire::opt_int64")]
    pub max_results: Option<i64>,
    /// Orderings.
    pub order_by: Vec<LoggedModelOrderBy>,
    /// Opaque token from the previous page.
    pub page_token: Option<String>,
}

/// Answer to `logged-models/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchLoggedModelsResponse {
    /// One page of models.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<LoggedModel>,
    /// Token of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `PATCH logged-models/{model_id}/tags`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SetLoggedModelTags {
    /// The model (taken from the path).
    pub model_id: Option<String>,
    /// Tags to set.
    pub tags: Vec<LoggedModelTag>,
}

/// `POST logged-models/{model_id}/params`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogLoggedModelParams {
    /// The model (taken from the path).
    pub model_id: Option<String>,
    /// Params to log.
    pub params: Vec<LoggedModelParameter>,
}

/// `GET logged-models/{model_id}/artifacts/directories`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListLoggedModelArtifacts {
    /// The model (taken from the path).
    pub model_id: Option<String>,
    /// Folder below the model's artifact root; the root when absent.
    pub artifact_directory_path: Option<String>,
    /// Accepted and ignored: listings are returned whole.
    pub page_token: Option<String>,
}

/// `POST runs/outputs`: records models a run produced.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogOutputs {
    /// The run (required).
    pub run_id: Option<String>,
    /// The models and the steps they were logged at.
    pub models: Vec<ModelOutput>,
}
