//! Experiment endpoints: `experiments/create`, `get`, `get-by-name`, `delete`,
//! `restore`, `update`, `search`, `set-experiment-tag`, `delete-experiment-tag`.

use crate::entities::{Experiment, ExperimentTag, ViewType};
use crate::wire;
use serde::{Deserialize, Serialize};

/// `POST experiments/create`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateExperiment {
    /// Unique name (required).
    pub name: Option<String>,
    /// Artifact root; the server's default when absent.
    pub artifact_location: Option<String>,
    /// Initial tags.
    pub tags: Vec<ExperimentTag>,
}

/// Answer to `experiments/create`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CreateExperimentResponse {
    /// The new experiment's id.
    pub experiment_id: String,
}

/// A request naming one experiment by id: get, delete, restore.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExperimentIdRequest {
    /// The experiment (required).
    pub experiment_id: Option<String>,
}

/// `GET experiments/get-by-name`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetExperimentByName {
    /// The experiment's name (required).
    pub experiment_name: Option<String>,
}

/// Answer to `experiments/get` and `get-by-name`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GetExperimentResponse {
    /// The experiment.
    pub experiment: Experiment,
}

/// `POST experiments/update`: rename.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateExperiment {
    /// The experiment (required).
    pub experiment_id: Option<String>,
    /// The new name.
    pub new_name: Option<String>,
}

/// `POST experiments/search` (also GET with a query string).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchExperiments {
    /// Page size; MLflow's default is 1000.
    #[serde(with = "wire::opt_int64")]
    pub max_results: Option<i64>,
    /// Opaque token from the previous page.
    pub page_token: Option<String>,
    /// Filter on `name`, `tags.<key>`, `creation_time`, `last_update_time`.
    pub filter: Option<String>,
    /// Sort keys, e.g. `name ASC`.
    pub order_by: Vec<String>,
    /// Lifecycle stages to include.
    pub view_type: Option<ViewType>,
}

/// Answer to `experiments/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchExperimentsResponse {
    /// One page of experiments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub experiments: Vec<Experiment>,
    /// Token of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `POST experiments/set-experiment-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SetExperimentTag {
    /// The experiment (required).
    pub experiment_id: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
    /// Tag value (required).
    pub value: Option<String>,
}

/// `POST experiments/delete-experiment-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteExperimentTag {
    /// The experiment (required).
    pub experiment_id: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
}
