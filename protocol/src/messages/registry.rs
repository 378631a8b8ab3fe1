//! Model-registry endpoints (`model_registry.proto`, `ModelRegistryService`):
//! `registered-models/create`, `get`, `rename`, `update`, `delete`, `search`,
//! `get-latest-versions`, `set-tag`, `delete-tag`, `alias` (set, delete, get), and
//! `model-versions/create`, `get`, `update`, `delete`, `search`, `transition-stage`,
//! `get-download-uri`, `set-tag`, `delete-tag`.

use crate::registry::{ModelVersion, ModelVersionTag, RegisteredModel, RegisteredModelTag};
use crate::wire;
use serde::{Deserialize, Serialize};

/// `POST registered-models/create`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateRegisteredModel {
    /// Unique name (required).
    pub name: Option<String>,
    /// Initial tags.
    pub tags: Vec<RegisteredModelTag>,
    /// Free-text description.
    pub description: Option<String>,
    /// Databricks deployment job; accepted and ignored.
    pub deployment_job_id: Option<String>,
}

/// Answer carrying one registered model: create, get, rename, update.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RegisteredModelResponse {
    /// The registered model.
    pub registered_model: RegisteredModel,
}

/// A request naming one registered model: get, delete, get-latest-versions.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisteredModelName {
    /// The registered model (required).
    pub name: Option<String>,
}

/// `POST registered-models/rename`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RenameRegisteredModel {
    /// The registered model (required).
    pub name: Option<String>,
    /// Its new name (required).
    pub new_name: Option<String>,
}

/// `PATCH registered-models/update`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateRegisteredModel {
    /// The registered model (required).
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Databricks deployment job; accepted and ignored.
    pub deployment_job_id: Option<String>,
}

/// `GET registered-models/search` and `model-versions/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRegistry {
    /// Filter in MLflow's search language.
    pub filter: Option<String>,
    /// Page size.
    #[serde(with = "wire::opt_int64")]
    pub max_results: Option<i64>,
    /// Sort keys, e.g. `name ASC`.
    pub order_by: Vec<String>,
    /// Opaque token from the previous page.
    pub page_token: Option<String>,
}

/// Answer to `registered-models/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRegisteredModelsResponse {
    /// One page of registered models.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registered_models: Vec<RegisteredModel>,
    /// Token of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `POST registered-models/get-latest-versions`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GetLatestVersions {
    /// The registered model (required).
    pub name: Option<String>,
    /// Stages to report; every stage when empty.
    pub stages: Vec<String>,
}

/// Answer carrying model versions: `get-latest-versions`, `model-versions/search`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelVersionsResponse {
    /// The versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_versions: Vec<ModelVersion>,
    /// Token of the next page (search only), absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// `POST registered-models/set-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SetRegisteredModelTag {
    /// The registered model (required).
    pub name: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
    /// Tag value (required).
    pub value: Option<String>,
}

/// `DELETE registered-models/delete-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteRegisteredModelTag {
    /// The registered model (required).
    pub name: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
}

/// `POST registered-models/alias`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SetRegisteredModelAlias {
    /// The registered model (required).
    pub name: Option<String>,
    /// The alias (required).
    pub alias: Option<String>,
    /// The version it points to (required).
    pub version: Option<String>,
}

/// `DELETE registered-models/alias` and `GET registered-models/alias`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisteredModelAliasRequest {
    /// The registered model (required).
    pub name: Option<String>,
    /// The alias (required).
    pub alias: Option<String>,
}

/// `POST model-versions/create`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateModelVersion {
    /// The registered model (required).
    pub name: Option<String>,
    /// URI of the model's files (required).
    pub source: Option<String>,
    /// The run that produced the model.
    pub run_id: Option<String>,
    /// Initial tags.
    pub tags: Vec<ModelVersionTag>,
    /// Link to the run in another tracking server.
    pub run_link: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// The MLflow 3 logged model being registered.
    pub model_id: Option<String>,
}

/// Answer carrying one model version: create, get, update, transition-stage,
/// get-by-alias.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ModelVersionResponse {
    /// The version.
    pub model_version: ModelVersion,
}

/// A request naming one model version: get, delete, get-download-uri.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelVersionName {
    /// The registered model (required).
    pub name: Option<String>,
    /// The version number (required).
    pub version: Option<String>,
}

/// `PATCH model-versions/update`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateModelVersion {
    /// The registered model (required).
    pub name: Option<String>,
    /// The version number (required).
    pub version: Option<String>,
    /// New description.
    pub description: Option<String>,
}

/// `POST model-versions/transition-stage`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TransitionModelVersionStage {
    /// The registered model (required).
    pub name: Option<String>,
    /// The version number (required).
    pub version: Option<String>,
    /// The new stage (required): `None`, `Staging`, `Production` or `Archived`.
    pub stage: Option<String>,
    /// Whether other versions in the target stage move to `Archived`.
    #[serde(with = "wire::boolean")]
    pub archive_existing_versions: bool,
}

/// Answer to `model-versions/get-download-uri`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GetModelVersionDownloadUriResponse {
    /// Where the version's files can be read.
    pub artifact_uri: String,
}

/// `POST model-versions/set-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SetModelVersionTag {
    /// The registered model (required).
    pub name: Option<String>,
    /// The version number (required).
    pub version: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
    /// Tag value (required).
    pub value: Option<String>,
}

/// `DELETE model-versions/delete-tag`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteModelVersionTag {
    /// The registered model (required).
    pub name: Option<String>,
    /// The version number (required).
    pub version: Option<String>,
    /// Tag name (required).
    pub key: Option<String>,
}
