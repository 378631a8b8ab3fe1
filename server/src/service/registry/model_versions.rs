//! Model-version operations: create (after its source checks, `sources.rs`), get,
//! update, stage transitions, delete, download URI, search, tags and aliases.

use ferroflow_protocol::messages::registry::*;
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::ModelVersionTag;

use super::{search_page_limit, ModelsUri};
use crate::error::MlflowError;
use crate::service::validation::{self, required_str};
use crate::service::{now_ms, page_token, search, TrackingService};
use crate::store::registry::{NewModelVersion, RegistrySearch};

impl TrackingService {
    /// `model-versions/create`.
    pub async fn create_model_version(
        &self,
        req: CreateModelVersion,
    ) -> Result<ModelVersionResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let source = required_str(req.source, "source")?;
        for tag in &req.tags {
            validation::registry_tag(&tag.key, &tag.value)?;
        }
        let run_id = req.run_id.filter(|r| !r.is_empty());
        let model_id = req.model_id.filter(|m| !m.is_empty());
        let (source, mut run_id, model_id) = self
            .resolve_source_lineage(source, run_id, model_id)
            .await?;
        match &model_id {
            Some(model_id) => self.validate_source_model(&source, model_id).await?,
            None => self.validate_source_run(&source, run_id.as_deref()).await?,
        }
        // Where the files are read from: a `models:/` source points elsewhere.
        let storage_location = match ModelsUri::parse(&source) {
            Some(ModelsUri::ModelId(id)) => {
                let model = self.store.get_logged_model(&id).await.map_err(|e| {
                    MlflowError::new(
                        ferroflow_protocol::ErrorCode::InternalError,
                        format!(
                            "Unable to fetch model from model URI source artifact location \
                             '{source}'.Error: {}",
                            MlflowError::from(e).message
                        ),
                    )
                })?;
                run_id = run_id.or(model.info.source_run_id);
                model.info.artifact_uri
            }
            Some(uri) => {
                let version = self.resolve_models_uri_version(&uri).await?;
                let version: i64 = version.version.parse().unwrap_or_default();
                let name = match &uri {
                    ModelsUri::Version(n, _)
                    | ModelsUri::Alias(n, _)
                    | ModelsUri::Latest(n)
                    | ModelsUri::Stage(n, _) => n.clone(),
                    ModelsUri::ModelId(_) => unreachable!("handled above"),
                };
                self.store
                    .get_model_version_download_uri(&name, version)
                    .await?
            }
            None => source.clone(),
        };
        if run_id.is_none() {
            if let Some(model_id) = &model_id {
                run_id = self
                    .store
                    .get_logged_model(model_id)
                    .await?
                    .info
                    .source_run_id;
            }
        }
        let model_version = self
            .store
            .create_model_version(NewModelVersion {
                name,
                source,
                storage_location,
                run_id,
                run_link: req.run_link.filter(|l| !l.is_empty()),
                description: req.description,
                tags: req.tags,
                model_id,
                creation_time: now_ms(),
            })
            .await?;
        Ok(ModelVersionResponse { model_version })
    }

    /// `model-versions/get`.
    pub async fn get_model_version(
        &self,
        req: ModelVersionName,
    ) -> Result<ModelVersionResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        Ok(ModelVersionResponse {
            model_version: self.store.get_model_version(&name, version).await?,
        })
    }

    /// `model-versions/update`.
    pub async fn update_model_version(
        &self,
        req: UpdateModelVersion,
    ) -> Result<ModelVersionResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        Ok(ModelVersionResponse {
            model_version: self
                .store
                .update_model_version(&name, version, req.description.as_deref(), now_ms())
                .await?,
        })
    }

    /// `model-versions/transition-stage`: stages are deprecated in MLflow but still work.
    pub async fn transition_model_version_stage(
        &self,
        req: TransitionModelVersionStage,
    ) -> Result<ModelVersionResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        let written = required_str(req.stage, "stage")?;
        let stage = validation::canonical_stage(&written)?;
        if req.archive_existing_versions && !matches!(stage, "Staging" | "Production") {
            return Err(MlflowError::new(
                ferroflow_protocol::ErrorCode::InternalError,
                format!(
                    "Model version transition cannot archive existing model versions because \
                     '{written}' is not an Active stage. Valid stages are ['Staging', \
                     'Production']"
                ),
            ));
        }
        Ok(ModelVersionResponse {
            model_version: self
                .store
                .transition_model_version_stage(
                    &name,
                    version,
                    stage,
                    req.archive_existing_versions,
                    now_ms(),
                )
                .await?,
        })
    }

    /// `model-versions/delete`.
    pub async fn delete_model_version(&self, req: ModelVersionName) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        self.store
            .delete_model_version(&name, version, now_ms())
            .await?;
        Ok(Empty {})
    }

    /// `model-versions/get-download-uri`.
    pub async fn get_model_version_download_uri(
        &self,
        req: ModelVersionName,
    ) -> Result<GetModelVersionDownloadUriResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        Ok(GetModelVersionDownloadUriResponse {
            artifact_uri: self
                .store
                .get_model_version_download_uri(&name, version)
                .await?,
        })
    }

    /// `model-versions/search`.
    pub async fn search_model_versions(
        &self,
        req: SearchRegistry,
    ) -> Result<ModelVersionsResponse, MlflowError> {
        let max_results = search_page_limit(
            req.max_results,
            validation::SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
            validation::SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
        )?;
        let filter = search::registry::model_version_filter(req.filter.as_deref().unwrap_or(""))?;
        let order_by = search::registry::model_version_order_by(&req.order_by)?;
        let offset = page_token::decode(req.page_token.as_deref())?;
        let page = self
            .store
            .search_model_versions(&RegistrySearch {
                filter,
                order_by,
                max_results,
                offset,
            })
            .await?;
        Ok(ModelVersionsResponse {
            model_versions: page.items,
            next_page_token: page.next_offset.map(page_token::encode),
        })
    }

    /// `model-versions/set-tag`.
    pub async fn set_model_version_tag(
        &self,
        req: SetModelVersionTag,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        let key = required_str(req.key, "key")?;
        let value = req.value.unwrap_or_default();
        validation::registry_tag(&key, &value)?;
        self.store
            .set_model_version_tag(&name, version, &ModelVersionTag { key, value })
            .await?;
        Ok(Empty {})
    }

    /// `model-versions/delete-tag`.
    pub async fn delete_model_version_tag(
        &self,
        req: DeleteModelVersionTag,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let version = validation::model_version(req.version)?;
        let key = required_str(req.key, "key")?;
        validation::registry_tag_key(&key)?;
        self.store
            .delete_model_version_tag(&name, version, &key)
            .await?;
        Ok(Empty {})
    }

    /// `POST registered-models/alias`.
    pub async fn set_registered_model_alias(
        &self,
        req: SetRegisteredModelAlias,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let alias = required_str(req.alias, "alias")?;
        let version = validation::model_version(req.version)?;
        validation::alias_name(&alias)?;
        validation::alias_not_reserved(&alias)?;
        self.store
            .set_registered_model_alias(&name, &alias, version)
            .await?;
        Ok(Empty {})
    }

    /// `DELETE registered-models/alias`.
    pub async fn delete_registered_model_alias(
        &self,
        req: RegisteredModelAliasRequest,
    ) -> Result<Empty, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let alias = required_str(req.alias, "alias")?;
        validation::alias_name(&alias)?;
        self.store
            .delete_registered_model_alias(&name, &alias)
            .await?;
        Ok(Empty {})
    }

    /// `GET registered-models/alias`.
    pub async fn get_model_version_by_alias(
        &self,
        req: RegisteredModelAliasRequest,
    ) -> Result<ModelVersionResponse, MlflowError> {
        let name = validation::model_name(req.name, "name")?;
        let alias = required_str(req.alias, "alias")?;
        Ok(ModelVersionResponse {
            model_version: self.version_by_alias(&name, &alias).await?,
        })
    }
}
