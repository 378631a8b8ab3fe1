//! The model registry and MLflow 3 logged models behind store traits, named after
//! MLflow's model-registry `AbstractStore` (`mlflow/store/model_registry/abstract_store.py`)
//! and the logged-model methods of the tracking `AbstractStore`.
//!
//! Both are supertraits of [`super::TrackingStore`]: one database holds runs, models and
//! versions, so creating a version can check its source run or logged model in the same
//! store, as MLflow's server does.

use async_trait::async_trait;
use ferroflow_protocol::{
    LoggedModel, LoggedModelParameter, LoggedModelStatus, LoggedModelTag, ModelOutput,
    ModelVersion, ModelVersionTag, RegisteredModel, RegisteredModelTag,
};

use super::{Page, StoreResult};
pub use crate::service::search::registry::{
    LoggedModelClause, LoggedModelOrderKey, LoggedModelStringKey,
};
use crate::service::search::registry::{RegistryFilter, RegistryOrderBy};

/// MLflow's stage of a soft-deleted model version: hidden from every read, but it keeps
/// its number so the number is never handed out again.
pub const STAGE_DELETED_INTERNAL: &str = "Deleted_Internal";

/// A checked registered-model creation.
#[derive(Clone, Debug)]
pub struct NewRegisteredModel {
    /// Unique name, checked.
    pub name: String,
    /// Initial tags (keys unique, checked).
    pub tags: Vec<RegisteredModelTag>,
    /// Description.
    pub description: Option<String>,
    /// Creation time, ms since the epoch.
    pub creation_time: i64,
}

/// A checked model-version creation.
#[derive(Clone, Debug)]
pub struct NewModelVersion {
    /// The registered model.
    pub name: String,
    /// The source URI as given.
    pub source: String,
    /// Where the files are read from (`source`, or what a `models:/` source resolves to).
    pub storage_location: String,
    /// The producing run.
    pub run_id: Option<String>,
    /// Link to the run elsewhere.
    pub run_link: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Initial tags (checked).
    pub tags: Vec<ModelVersionTag>,
    /// The logged model registered.
    pub model_id: Option<String>,
    /// Creation time, ms since the epoch.
    pub creation_time: i64,
}

/// A checked registry search (registered models or model versions).
#[derive(Clone, Debug)]
pub struct RegistrySearch {
    /// Parsed filter.
    pub filter: RegistryFilter,
    /// Parsed sort keys (the store adds MLflow's tie-breakers).
    pub order_by: Vec<RegistryOrderBy>,
    /// Page size.
    pub max_results: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// Model-registry operations.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Creates a registered model; a taken name is `AlreadyExists`.
    async fn create_registered_model(
        &self,
        new: NewRegisteredModel,
    ) -> StoreResult<RegisteredModel>;
    /// Returns a registered model with its latest versions, tags and aliases.
    async fn get_registered_model(&self, name: &str) -> StoreResult<RegisteredModel>;
    /// Renames a registered model and all its versions.
    async fn rename_registered_model(
        &self,
        name: &str,
        new_name: &str,
        now: i64,
    ) -> StoreResult<RegisteredModel>;
    /// Replaces a registered model's description.
    async fn update_registered_model(
        &self,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> StoreResult<RegisteredModel>;
    /// Deletes a registered model with its versions, tags and aliases.
    async fn delete_registered_model(&self, name: &str) -> StoreResult<()>;
    /// Returns one page of registered models.
    async fn search_registered_models(
        &self,
        search: &RegistrySearch,
    ) -> StoreResult<Page<RegisteredModel>>;
    /// Returns the latest version in each of `stages` (canonical spelling; every stage
    /// when empty), ordered by stage then version.
    async fn get_latest_versions(
        &self,
        name: &str,
        stages: &[&str],
    ) -> StoreResult<Vec<ModelVersion>>;
    /// Sets (inserts or replaces) a registered-model tag.
    async fn set_registered_model_tag(
        &self,
        name: &str,
        tag: &RegisteredModelTag,
    ) -> StoreResult<()>;
    /// Deletes a registered-model tag; an absent key is not an error (as MLflow).
    async fn delete_registered_model_tag(&self, name: &str, key: &str) -> StoreResult<()>;

    /// Creates the next version of a registered model (one above the highest ever used).
    async fn create_model_version(&self, new: NewModelVersion) -> StoreResult<ModelVersion>;
    /// Returns a (not deleted) model version with its tags and aliases.
    async fn get_model_version(&self, name: &str, version: i64) -> StoreResult<ModelVersion>;
    /// Replaces a version's description.
    async fn update_model_version(
        &self,
        name: &str,
        version: i64,
        description: Option<&str>,
        now: i64,
    ) -> StoreResult<ModelVersion>;
    /// Moves a version to `stage` (canonical), archiving the others in that stage if asked.
    async fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: &str,
        archive_existing_versions: bool,
        now: i64,
    ) -> StoreResult<ModelVersion>;
    /// Soft-deletes a version (redacted, number kept) and drops its aliases.
    async fn delete_model_version(&self, name: &str, version: i64, now: i64) -> StoreResult<()>;
    /// Returns where a version's files are read from.
    async fn get_model_version_download_uri(&self, name: &str, version: i64)
        -> StoreResult<String>;
    /// Returns one page of model versions.
    async fn search_model_versions(
        &self,
        search: &RegistrySearch,
    ) -> StoreResult<Page<ModelVersion>>;
    /// Sets (inserts or replaces) a model-version tag.
    async fn set_model_version_tag(
        &self,
        name: &str,
        version: i64,
        tag: &ModelVersionTag,
    ) -> StoreResult<()>;
    /// Deletes a model-version tag; an absent key is not an error (as MLflow).
    async fn delete_model_version_tag(
        &self,
        name: &str,
        version: i64,
        key: &str,
    ) -> StoreResult<()>;
    /// Points `alias` at a version, moving it if it pointed elsewhere.
    async fn set_registered_model_alias(
        &self,
        name: &str,
        alias: &str,
        version: i64,
    ) -> StoreResult<()>;
    /// Deletes an alias; an absent alias is not an error (as MLflow).
    async fn delete_registered_model_alias(&self, name: &str, alias: &str) -> StoreResult<()>;
    /// Returns the version an alias points to.
    async fn get_model_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> StoreResult<ModelVersion>;
}

/// A checked logged-model creation.
#[derive(Clone, Debug)]
pub struct NewLoggedModel {
    /// `m-<32 hex>`, generated by the service.
    pub model_id: String,
    /// Owning experiment.
    pub experiment_id: i64,
    /// Display name.
    pub name: String,
    /// Kind of model.
    pub model_type: Option<String>,
    /// The run logging it.
    pub source_run_id: Option<String>,
    /// Initial params.
    pub params: Vec<LoggedModelParameter>,
    /// Initial tags.
    pub tags: Vec<LoggedModelTag>,
    /// Creation time, ms since the epoch.
    pub creation_time: i64,
}

/// A checked logged-model search.
#[derive(Clone, Debug)]
pub struct LoggedModelSearch {
    /// Experiments to search.
    pub experiment_ids: Vec<i64>,
    /// Clauses that must all hold.
    pub clauses: Vec<LoggedModelClause>,
    /// Datasets (name, optional digest) metric clauses look at; without a metric
    /// clause, models need some metric on one of them.
    pub datasets: Vec<(String, Option<String>)>,
    /// Sort keys; `creation_timestamp DESC` first when empty, `model_id` last always.
    pub order_by: Vec<(LoggedModelOrderKey, bool)>,
    /// Page size.
    pub max_results: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// MLflow 3 logged-model operations.
#[async_trait]
pub trait LoggedModelStore: Send + Sync {
    /// Creates a `PENDING` logged model under an active experiment; its artifact
    /// location is `<experiment location>/models/<model_id>/artifacts`.
    async fn create_logged_model(&self, new: NewLoggedModel) -> StoreResult<LoggedModel>;
    /// Returns a logged model that is not deleted.
    async fn get_logged_model(&self, model_id: &str) -> StoreResult<LoggedModel>;
    /// Soft-deletes a logged model.
    async fn delete_logged_model(&self, model_id: &str, now: i64) -> StoreResult<()>;
    /// Sets a logged model's status.
    async fn finalize_logged_model(
        &self,
        model_id: &str,
        status: LoggedModelStatus,
        now: i64,
    ) -> StoreResult<LoggedModel>;
    /// Sets (inserts or replaces) tags; the last value of a repeated key wins.
    async fn set_logged_model_tags(
        &self,
        model_id: &str,
        tags: &[LoggedModelTag],
    ) -> StoreResult<()>;
    /// Deletes a tag; an absent key is `NotFound`, as MLflow.
    async fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> StoreResult<()>;
    /// Adds params (a key logged again keeps its latest value).
    async fn log_logged_model_params(
        &self,
        model_id: &str,
        params: &[LoggedModelParameter],
    ) -> StoreResult<()>;
    /// Returns one page of logged models.
    async fn search_logged_models(
        &self,
        search: &LoggedModelSearch,
    ) -> StoreResult<Page<LoggedModel>>;
    /// Records models an active run produced.
    async fn log_outputs(&self, run_id: &str, models: &[ModelOutput]) -> StoreResult<()>;
}
