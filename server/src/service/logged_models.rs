//! MLflow 3 logged-model operations (`mlflow/server/handlers.py` `_create_logged_model`
//! and friends): checks, then the store; plus `runs/outputs` and the listing of a
//! logged model's files.

use ferroflow_protocol::messages::logged_models::*;
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::LoggedModelStatus;
use serde::Serialize;

use super::artifacts::{ArtifactService, ListProxiedArtifacts};
use super::experiments::parse_experiment_id;
use super::validation::{self, required, required_str};
use super::{names, now_ms, page_token, search, TrackingService};
use crate::artifacts::{self, ArtifactPath, FileInfo};
use crate::error::MlflowError;
use crate::service::search::registry::LoggedModelOrderKey;
use crate::store::registry::{LoggedModelSearch, NewLoggedModel};

/// Default page of a logged-model search (`SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT`).
const SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT: i64 = 100;

/// Answer to `GET logged-models/{id}/artifacts/directories`.
#[derive(Clone, Debug, Serialize)]
pub struct ListLoggedModelArtifactsResponse {
    /// The model's artifact location.
    pub root_uri: String,
    /// Entries, with paths relative to the model's artifact root.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileInfo>,
}

/// Returns the path below the artifact destination of a proxied URI
/// (`mlflow-artifacts:/p`, `mlflow-artifacts://host/p`), or `None` for other URIs.
pub fn proxied_path(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("mlflow-artifacts:")?;
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => authority_and_path
            .find('/')
            .map_or("", |i| &authority_and_path[i..]),
        None => rest,
    };
    Some(path.trim_start_matches('/'))
}

impl TrackingService {
    /// `POST logged-models`.
    pub async fn create_logged_model(
        &self,
        req: CreateLoggedModel,
    ) -> Result<LoggedModelResponse, MlflowError> {
        let experiment_id =
            parse_experiment_id(&required_str(req.experiment_id, "experiment_id")?)?;
        let name = match req.name.filter(|n| !n.is_empty()) {
            Some(name) => {
                validation::logged_model_name(&name)?;
                name
            }
            None => names::generate_run_name(),
        };
        let model = self
            .store
            .create_logged_model(NewLoggedModel {
                model_id: format!("m-{}", super::new_uuid()),
                experiment_id,
                name,
                model_type: req.model_type.filter(|t| !t.is_empty()),
                source_run_id: req.source_run_id.filter(|r| !r.is_empty()),
                params: req.params,
                tags: req.tags,
                creation_time: now_ms(),
            })
            .await?;
        Ok(LoggedModelResponse { model })
    }

    /// `GET logged-models/{model_id}`.
    pub async fn get_logged_model(
        &self,
        model_id: &str,
    ) -> Result<LoggedModelResponse, MlflowError> {
        Ok(LoggedModelResponse {
            model: self.store.get_logged_model(model_id).await?,
        })
    }

    /// `PATCH logged-models/{model_id}`.
    pub async fn finalize_logged_model(
        &self,
        model_id: &str,
        req: FinalizeLoggedModel,
    ) -> Result<LoggedModelResponse, MlflowError> {
        let status = required(req.status, "status")?;
        if status == LoggedModelStatus::Unspecified {
            return Err(validation::missing("status"));
        }
        Ok(LoggedModelResponse {
            model: self
                .store
                .finalize_logged_model(model_id, status, now_ms())
                .await?,
        })
    }

    /// `DELETE logged-models/{model_id}`.
    pub async fn delete_logged_model(&self, model_id: &str) -> Result<Empty, MlflowError> {
        self.store.delete_logged_model(model_id, now_ms()).await?;
        Ok(Empty {})
    }

    /// `PATCH logged-models/{model_id}/tags`.
    pub async fn set_logged_model_tags(
        &self,
        model_id: &str,
        req: SetLoggedModelTags,
    ) -> Result<LoggedModelResponse, MlflowError> {
        for tag in &req.tags {
            if tag.key.is_empty() {
                return Err(validation::missing("tags.key"));
            }
        }
        self.store
            .set_logged_model_tags(model_id, &req.tags)
            .await?;
        Ok(LoggedModelResponse {
            model: self.store.get_logged_model(model_id).await?,
        })
    }

    /// `DELETE logged-models/{model_id}/tags/{tag_key}`.
    pub async fn delete_logged_model_tag(
        &self,
        model_id: &str,
        key: &str,
    ) -> Result<Empty, MlflowError> {
        self.store.delete_logged_model_tag(model_id, key).await?;
        Ok(Empty {})
    }

    /// `POST logged-models/{model_id}/params`.
    pub async fn log_logged_model_params(
        &self,
        model_id: &str,
        req: LogLoggedModelParams,
    ) -> Result<Empty, MlflowError> {
        for param in &req.params {
            if param.key.is_empty() {
                return Err(validation::missing("params.key"));
            }
        }
        self.store
            .log_logged_model_params(model_id, &req.params)
            .await?;
        Ok(Empty {})
    }

    /// `POST logged-models/search`.
    pub async fn search_logged_models(
        &self,
        req: SearchLoggedModels,
    ) -> Result<SearchLoggedModelsResponse, MlflowError> {
        if req.experiment_ids.is_empty() {
            return Err(validation::missing("experiment_ids"));
        }
        if req
            .datasets
            .iter()
            .any(|d| d.dataset_name.as_deref().unwrap_or("").is_empty())
        {
            return Err(MlflowError::invalid(
                "`dataset_name` in the `datasets` clause must be specified.",
            ));
        }
        let experiment_ids = req
            .experiment_ids
            .iter()
            .filter_map(|id| id.trim().parse::<i64>().ok())
            .collect();
        let clauses = search::registry::logged_model_filter(req.filter.as_deref().unwrap_or(""))?;
        let order_by = req
            .order_by
            .iter()
            .map(|o| {
                let field = o.field_name.as_deref().ok_or_else(|| {
                    MlflowError::invalid("`field_name` in the `order_by` clause must be specified.")
                })?;
                let key = match search::registry::logged_model_order_key(field)? {
                    LoggedModelOrderKey::Metric { name, .. } => LoggedModelOrderKey::Metric {
                        name,
                        dataset_name: o.dataset_name.clone().filter(|n| !n.is_empty()),
                        dataset_digest: o.dataset_digest.clone().filter(|d| !d.is_empty()),
                    },
                    key => key,
                };
                Ok((key, o.ascending.unwrap_or(true)))
            })
            .collect::<Result<Vec<_>, MlflowError>>()?;
        let max_results = match req.max_results {
            None | Some(0) => SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT,
            Some(n) => validation::max_results(Some(n), "max_results")?,
        };
        let offset = page_token::decode(req.page_token.as_deref())?;
        let page = self
            .store
            .search_logged_models(&LoggedModelSearch {
                experiment_ids,
                clauses,
                datasets: req
                    .datasets
                    .iter()
                    .map(|d| {
                        (
                            d.dataset_name.clone().unwrap_or_default(),
                            d.dataset_digest.clone().filter(|x| !x.is_empty()),
                        )
                    })
                    .collect(),
                order_by,
                max_results,
                offset,
            })
            .await?;
        Ok(SearchLoggedModelsResponse {
            models: page.items,
            next_page_token: page.next_offset.map(page_token::encode),
        })
    }

    /// `POST runs/outputs`.
    pub async fn log_outputs(&self, req: LogOutputs) -> Result<Empty, MlflowError> {
        let run_id = required_str(req.run_id, "run_id")?;
        for output in &req.models {
            if output.model_id.is_empty() {
                return Err(validation::missing("models.model_id"));
            }
        }
        self.store.log_outputs(&run_id, &req.models).await?;
        Ok(Empty {})
    }

    /// `GET logged-models/{model_id}/artifacts/directories`: lists a folder of the
    /// model's files, through the artifact proxy when its location is `mlflow-artifacts:`.
    pub async fn list_logged_model_artifacts(
        &self,
        artifacts_service: &ArtifactService,
        model_id: &str,
        req: ListLoggedModelArtifacts,
    ) -> Result<ListLoggedModelArtifactsResponse, MlflowError> {
        let relative = req.artifact_directory_path.unwrap_or_default();
        let relative_path = ArtifactPath::parse(&relative)
            .map_err(|e| MlflowError::invalid(format!("Invalid path: {e}")))?;
        let model = self.store.get_logged_model(model_id).await?;
        let root_uri = model.info.artifact_uri;
        let files = match proxied_path(&root_uri) {
            Some(root) if artifacts_service.is_serving() => {
                let folder = if relative_path.is_root() {
                    root.to_owned()
                } else {
                    format!("{root}/{relative_path}")
                };
                artifacts_service
                    .list(ListProxiedArtifacts { path: Some(folder) })
                    .await?
                    .files
            }
            _ => {
                let store = artifacts::open(&root_uri)?;
                store.list(&relative_path).await?
            }
        };
        let files = files
            .into_iter()
            .map(|file| FileInfo {
                path: if relative_path.is_root() {
                    file.path
                } else {
                    format!("{relative_path}/{}", file.path)
                },
                ..file
            })
            .collect();
        Ok(ListLoggedModelArtifactsResponse { root_uri, files })
    }
}
