//! Model-registry operations: MLflow's handler and store checks
//! (`mlflow/server/handlers.py` `_create_model_version` and friends,
//! `mlflow/store/model_registry/sqlalchemy_store.py`), then the store.
//!
//! Registered models here; their versions in `model_versions`, the checks of a version's
//! source in `sources`, and `models:/` URIs (`models:/name/1`, `models:/name@alias`,
//! `models:/name/Production`, `models:/name/latest`, `models:/<model_id>`), resolved to
//! the URI their files are read from, in `models_uri`.

mod model_versions;
mod models_uri;
mod sources;

use ferroflow_protocol::messages::registry::*;
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::RegisteredModelTag;

use super::validation::{self, required_str};
use super::{now_ms, page_token, search, TrackingService};
use crate::error::MlflowError;
use crate::store::registry::{NewRegisteredModel, RegistrySearch};

pub use models_uri::ModelsUri;

/// Returns a search page size: the default when absent, MLflow's handler error above
/// `threshold`.
fn search_page_limit(value: Option<i64>, default: i64, threshold: i64) -> Result<i64, MlflowError> {
    match value {
        None | Some(0) => Ok(default),
        Some(v) if v < 0 || v > threshold => Err(MlflowError::invalid(format!(
            "Invalid value {v} for parameter 'max_results' supplied:  Hint: Value was of type \
             'int'. See the API docs for more information about request parameters."
        ))),
        Some(v) => Ok(v),
    }
}

impl TrackingService {
    /// `registered-models/create`.
    pub async fn create_registered_model(
        &self,
        req: CreateRegisteredModel,
    ) -> Result<RegisteredModelResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        for tag in &req.tags {
            validation::registry_tag(&tag.key, &tag.value)?;
        }
        let registered_model = self
            .store
            .create_registered_model(NewRegisteredModel {
                name,
                tags: req.tags,
                description: req.description,
                creation_time: now_ms(),
            })
            .await?;
        Ok(RegisteredModelResponse { registered_model })
    }

    /// `registered-models/get`.
    pub async fn get_registered_model(
        &self,
        req: RegisteredModelName,
    ) -> Result<RegisteredModelResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        Ok(RegisteredModelResponse {
            registered_model: self.store.get_registered_model(&name).await?,
        })
    }

    /// `registered-models/rename`.
    pub async fn rename_registered_model(
        &self,
        req: RenameRegisteredModel,
    ) -> Result<RegisteredModelResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let new_name = validation::model_name(req.new_name, "new_name")?;
        Ok(RegisteredModelResponse {
            registered_model: self
                .store
                .rename_registered_model(&name, &new_name, now_ms())
                .await?,
        })
    }

    /// `registered-models/update`.
    pub async fn update_registered_model(
        &self,
        req: UpdateRegisteredModel,
    ) -> Result<RegisteredModelResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        Ok(RegisteredModelResponse {
            registered_model: self
                .store
                .update_registered_model(&name, req.description.as_deref(), now_ms())
                .await?,
        })
    }

    /// `registered-models/delete`.
    pub async fn delete_registered_model(
        &self,
        req: RegisteredModelName,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        self.store.delete_registered_model(&name).await?;
        Ok(Empty {})
    }

    /// `registered-models/search`.
    pub async fn search_registered_models(
        &self,
        req: SearchRegistry,
    ) -> Result<SearchRegisteredModelsResponse, MlflowError> {
        let max_results = search_page_limit(
            req.max_results,
            validation::SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
            validation::SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
        )?;
        let filter =
            search::registry::registered_model_filter(req.filter.as_deref().unwrap_or(""))?;
        let order_by = search::registry::registered_model_order_by(&req.order_by)?;
        let offset = page_token::decode(req.page_token.as_deref())?;
        let page = self
            .store
            .search_registered_models(&RegistrySearch {
                filter,
                order_by,
                max_results,
                offset,
            })
            .await?;
        Ok(SearchRegisteredModelsResponse {
            registered_models: page.items,
            next_page_token: page.next_offset.map(page_token::encode),
        })
    }

    /// `registered-models/get-latest-versions`.
    pub async fn get_latest_versions(
        &self,
        req: GetLatestVersions,
    ) -> Result<ModelVersionsResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let stages = req
            .stages
            .iter()
            .map(|s| validation::canonical_stage(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ModelVersionsResponse {
            model_versions: self.store.get_latest_versions(&name, &stages).await?,
            next_page_token: None,
        })
    }

    /// `registered-models/set-tag`.
    pub async fn set_registered_model_tag(
        &self,
        req: SetRegisteredModelTag,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let key = required_str(req.key, "key")?;
        let value = req.value.unwrap_or_default();
        validation::registry_tag(&key, &value)?;
        self.store
            .set_registered_model_tag(&name, &RegisteredModelTag { key, value })
            .await?;
        Ok(Empty {})
    }

    /// `registered-models/delete-tag`.
    pub async fn delete_registered_model_tag(
        &self,
        req: DeleteRegisteredModelTag,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let key = required_str(req.key, "key")?;
        validation::registry_tag_key(&key)?;
        self.store.delete_registered_model_tag(&name, &key).await?;
        Ok(Empty {})
    }
}
