//! Model-registry operations: MLflow's handler and store checks
//! (`mlflow/server/handlers.py` `_create_model_version` and friends,
//! `mlflow/store/model_registry/sqlalchemy_store.py`), then the store.
//!
//! Also resolves `models:/` URIs (`models:/name/1`, `models:/name@alias`,
//! `models:/name/Production`, `models:/name/latest`, `models:/<model_id>`) to the URI
//! their files are read from, for downloads.

use ferroflow_protocol::messages::registry::*;
use ferroflow_protocol::messages::Empty;
use ferroflow_protocol::{ModelVersion, ModelVersionTag, RegisteredModelTag};

use super::validation::{self, required_str};
use super::{now_ms, page_token, search, TrackingService};
use crate::error::MlflowError;
use crate::store::registry::{NewModelVersion, NewRegisteredModel, RegistrySearch};

/// A parsed `models:/` URI (MLflow's `ParsedModelUri`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelsUri {
    /// `models:/<model_id>`: an MLflow 3 logged model.
    ModelId(String),
    /// `models:/<name>/<version>`.
    Version(String, i64),
    /// `models:/<name>/<stage>`: the latest version in that stage.
    Stage(String, String),
    /// `models:/<name>/latest`: the latest version of any stage.
    Latest(String),
    /// `models:/<name>@<alias>`.
    Alias(String, String),
}

impl ModelsUri {
    /// Parses a `models:/` URI as MLflow's `_parse_model_uri`; `None` when `uri` is not
    /// one, or is malformed.
    pub fn parse(uri: &str) -> Option<Self> {
        let path = uri.strip_prefix("models:")?;
        // `models://authority/...` names another registry.
        if path.starts_with("//") || !path.starts_with('/') || path.len() <= 1 {
            return None;
        }
        let parts: Vec<&str> = path[1..].split('/').collect();
        if parts.len() > 2 || parts[0].trim().is_empty() {
            return None;
        }
        if let [name, suffix] = parts[..] {
            if suffix.trim().is_empty() {
                return None;
            }
            if suffix.chars().all(|c| c.is_ascii_digit()) {
                return suffix
                    .parse()
                    .ok()
                    .map(|v| ModelsUri::Version(name.to_owned(), v));
            }
            if suffix.eq_ignore_ascii_case("latest") {
                return Some(ModelsUri::Latest(name.to_owned()));
            }
            return Some(ModelsUri::Stage(name.to_owned(), suffix.to_owned()));
        }
        if let Some((name, alias)) = parts[0].rsplit_once('@') {
            if alias.trim().is_empty() {
                return None;
            }
            return Some(ModelsUri::Alias(name.to_owned(), alias.to_owned()));
        }
        Some(ModelsUri::ModelId(parts[0].to_owned()))
    }
}

/// MLflow's "source must identify its resource" error.
fn invalid_source(source: &str, id_name: &str) -> MlflowError {
    MlflowError::invalid(format!(
        "Invalid model version source: '{source}'. The {id_name} request parameter must \
         identify the resource that contains the source."
    ))
}

/// Returns the scheme of a URI (`""` for a plain path).
fn scheme(uri: &str) -> &str {
    match uri.split_once(':') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && scheme.len() > 1 =>
        {
            scheme
        }
        _ => "",
    }
}

/// Returns whether a source is a local path or `file:` URI.
fn is_local(uri: &str) -> bool {
    matches!(scheme(uri), "" | "file")
}

/// Returns the path of a local source or `file:` URI.
fn local_path(uri: &str) -> &str {
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    path.strip_prefix("file:").unwrap_or(path)
}

/// Percent-decodes until stable, as MLflow's `_iteratively_unquote`.
fn unquote(value: &str) -> String {
    let mut current = value.to_owned();
    loop {
        let next = percent_encoding::percent_decode_str(&current.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        if next == current {
            return current;
        }
        current = next;
    }
}

/// Rejects sources that climb out of their root (`..`, NUL), as MLflow's
/// `_validate_non_local_source_contains_relative_paths`.
fn check_no_relative_parts(source: &str) -> Result<(), MlflowError> {
    let decoded = unquote(source);
    if decoded.contains('\0') || decoded.split('/').any(|p| p == "..") {
        return Err(MlflowError::invalid(format!(
            "Invalid model version source: '{source}'. If supplying a source as an http, \
             https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute \
             path must be provided without relative path references present. Please provide \
             an absolute path."
        )));
    }
    Ok(())
}

/// Splits a URI into (scheme, authority, path segments) for containment checks.
fn uri_parts(uri: &str) -> (String, String, Vec<String>) {
    let scheme = scheme(uri).to_ascii_lowercase();
    let rest = if scheme.is_empty() {
        uri
    } else {
        &uri[scheme.len() + 1..]
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        },
        None => ("", rest),
    };
    let parts = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(unquote)
        .collect();
    (scheme, authority.to_ascii_lowercase(), parts)
}

/// Returns whether `source` lies under `root` (`_is_uri_within_root`).
fn within_root(source: &str, root: &str) -> bool {
    let (s_scheme, s_auth, s_parts) = uri_parts(source);
    let (r_scheme, r_auth, r_parts) = uri_parts(root);
    s_scheme == r_scheme
        && s_auth == r_auth
        && !r_parts.is_empty()
        && s_parts.len() >= r_parts.len()
        && s_parts[..r_parts.len()] == r_parts[..]
}

/// Returns whether a source goes through the artifact proxy (`_is_mlflow_artifact_source`).
fn is_proxied(source: &str) -> bool {
    let (scheme, _, parts) = uri_parts(source);
    scheme == "mlflow-artifacts"
        || (matches!(scheme.as_str(), "http" | "https")
            && parts
                .windows(4)
                .any(|w| w == ["api", "2.0", "mlflow-artifacts", "artifacts"]))
}

/// Returns whether a local source lies under a local root.
fn local_within(source: &str, root: &str) -> bool {
    is_local(root) && {
        let source = std::path::Path::new(local_path(source));
        let root = std::path::Path::new(local_path(root));
        source.starts_with(root)
    }
}

/// Returns the run id of a `runs:/<run_id>/<path>` URI.
fn runs_uri_run_id(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("runs:/")?;
    rest.split('/').next().filter(|id| !id.is_empty())
}

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

    /// Resolves a `models:/name/...` source to the version it names, as MLflow's
    /// `_resolve_registered_model_source_lineage`; other sources pass through.
    async fn resolve_source_lineage(
        &self,
        source: String,
        run_id: Option<String>,
        model_id: Option<String>,
    ) -> Result<(String, Option<String>, Option<String>), MlflowError> {
        if scheme(&source) != "models" {
            return Ok((source, run_id, model_id));
        }
        if source.starts_with("models://") {
            return Err(MlflowError::invalid(format!(
                "Invalid model version source: '{source}'. Registered model sources must use \
                 the active model registry."
            )));
        }
        let parsed =
            ModelsUri::parse(&source).ok_or_else(|| invalid_source(&source, "model_id"))?;
        if matches!(parsed, ModelsUri::ModelId(_)) {
            return Ok((source, run_id, model_id));
        }
        let referenced = self.resolve_models_uri_version(&parsed).await?;
        let differs = |given: &Option<String>, stored: &Option<String>| {
            given.is_some() && given.as_deref().unwrap_or("") != stored.as_deref().unwrap_or("")
        };
        if differs(&run_id, &referenced.run_id) || differs(&model_id, &referenced.model_id) {
            return Err(MlflowError::invalid(format!(
                "Invalid model version source: '{source}'. The run_id and model_id request \
                 parameters must match the referenced model version."
            )));
        }
        Ok((
            format!("models:/{}/{}", referenced.name, referenced.version),
            run_id.or(referenced.run_id),
            model_id.or(referenced.model_id),
        ))
    }

    /// Returns the version a registry `models:/` URI names (not `models:/<model_id>`).
    async fn resolve_models_uri_version(
        &self,
        uri: &ModelsUri,
    ) -> Result<ModelVersion, MlflowError> {
        Ok(match uri {
            ModelsUri::Version(name, version) => {
                self.store.get_model_version(name, *version).await?
            }
            ModelsUri::Alias(name, alias) => self.version_by_alias(name, alias).await?,
            ModelsUri::Latest(name) => self.latest_version(name, &[]).await?,
            ModelsUri::Stage(name, stage) => {
                let stage = validation::canonical_stage(stage)?;
                self.latest_version(name, &[stage]).await?
            }
            ModelsUri::ModelId(id) => {
                return Err(MlflowError::invalid(format!(
                    "'models:/{id}' names a logged model, not a model version"
                )))
            }
        })
    }

    /// Returns the highest version among the latest of `stages` (all when empty).
    async fn latest_version(
        &self,
        name: &str,
        stages: &[&str],
    ) -> Result<ModelVersion, MlflowError> {
        self.store
            .get_latest_versions(name, stages)
            .await?
            .into_iter()
            .max_by_key(|v| v.version.parse::<i64>().unwrap_or(0))
            .ok_or_else(|| {
                MlflowError::not_found(format!("Latest version not found for model {name}."))
            })
    }

    /// `get_model_version_by_alias`, with `latest` meaning the highest version.
    async fn version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion, MlflowError> {
        validation::alias_name(alias)?;
        if alias.eq_ignore_ascii_case("latest") {
            return self.latest_version(name, &[]).await;
        }
        Ok(self.store.get_model_version_by_alias(name, alias).await?)
    }

    /// Checks a source registered without a logged model (`_validate_source_run`).
    async fn validate_source_run(
        &self,
        source: &str,
        run_id: Option<&str>,
    ) -> Result<(), MlflowError> {
        let run_root = |run_id: &str| {
            let run_id = run_id.to_owned();
            async move {
                match self.store.get_run_info(&run_id).await {
                    Ok(info) => Ok(info.artifact_uri),
                    Err(crate::store::StoreError::NotFound(..)) => {
                        Err(invalid_source(source, "run_id"))
                    }
                    Err(other) => Err(other.into()),
                }
            }
        };
        if is_local(source) {
            if let Some(run_id) = run_id {
                let root = run_root(run_id).await?;
                if local_within(source, &root) {
                    return Ok(());
                }
            }
            return Err(MlflowError::invalid(format!(
                "Invalid model version source: '{source}'. To use a local path as a model \
                 version source, the run_id request parameter has to be specified and the local \
                 path has to be contained within the artifact directory of the run specified by \
                 the run_id."
            )));
        }
        check_no_relative_parts(source)?;
        match scheme(source) {
            "runs" => {
                if source.starts_with("runs://") {
                    return Err(invalid_source(source, "run_id"));
                }
                if run_id.is_some() && runs_uri_run_id(source) == run_id {
                    return Ok(());
                }
                return Err(invalid_source(source, "run_id"));
            }
            "models"
                if source.starts_with("models://")
                    || matches!(ModelsUri::parse(source), Some(ModelsUri::ModelId(_)) | None) =>
            {
                return Err(invalid_source(source, "model_id"));
            }
            _ => {}
        }
        if is_proxied(source) {
            if let Some(run_id) = run_id {
                if within_root(source, &run_root(run_id).await?) {
                    return Ok(());
                }
            }
            return Err(invalid_source(source, "run_id"));
        }
        Ok(())
    }

    /// Checks a source registered from a logged model (`_validate_source_model`).
    async fn validate_source_model(&self, source: &str, model_id: &str) -> Result<(), MlflowError> {
        let model_root = || async {
            match self.store.get_logged_model(model_id).await {
                Ok(model) => Ok(model.info.artifact_uri),
                Err(crate::store::StoreError::NotFound(..)) => {
                    Err(invalid_source(source, "model_id"))
                }
                Err(other) => Err(other.into()),
            }
        };
        if is_local(source) {
            if local_within(source, &model_root().await?) {
                return Ok(());
            }
            return Err(MlflowError::invalid(format!(
                "Invalid model version source: '{source}'. To use a local path as a model \
                 version source, the model_id request parameter has to be specified and the \
                 local path has to be contained within the artifact directory of the run \
                 specified by the model_id."
            )));
        }
        check_no_relative_parts(source)?;
        match scheme(source) {
            "models" => {
                if source.starts_with("models://") {
                    return Err(invalid_source(source, "model_id"));
                }
                if let Some(ModelsUri::ModelId(id)) = ModelsUri::parse(source) {
                    if id == model_id {
                        return Ok(());
                    }
                    return Err(invalid_source(source, "model_id"));
                }
            }
            "runs" => return Err(invalid_source(source, "model_id")),
            _ => {}
        }
        if is_proxied(source) {
            if within_root(source, &model_root().await?) {
                return Ok(());
            }
            return Err(invalid_source(source, "model_id"));
        }
        Ok(())
    }

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

    /// Returns where the files of a `models:/` URI are read from: a version's download
    /// URI, or a logged model's artifact location.
    pub async fn resolve_models_uri(&self, uri: &str) -> Result<String, MlflowError> {
        let parsed = ModelsUri::parse(uri)
            .ok_or_else(|| MlflowError::invalid(format!("Not a valid models:/ URI: '{uri}'")))?;
        if let ModelsUri::ModelId(id) = &parsed {
            return Ok(self.store.get_logged_model(id).await?.info.artifact_uri);
        }
        let version = self.resolve_models_uri_version(&parsed).await?;
        let number: i64 = version.version.parse().unwrap_or_default();
        Ok(self
            .store
            .get_model_version_download_uri(&version.name, number)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_models_uris() {
        assert_eq!(
            ModelsUri::parse("models:/m/3"),
            Some(ModelsUri::Version("m".into(), 3))
        );
        assert_eq!(
            ModelsUri::parse("models:/m@champion"),
            Some(ModelsUri::Alias("m".into(), "champion".into()))
        );
        assert_eq!(
            ModelsUri::parse("models:/m/Latest"),
            Some(ModelsUri::Latest("m".into()))
        );
        assert_eq!(
            ModelsUri::parse("models:/m/Production"),
            Some(ModelsUri::Stage("m".into(), "Production".into()))
        );
        assert_eq!(
            ModelsUri::parse("models:/m-abc"),
            Some(ModelsUri::ModelId("m-abc".into()))
        );
        for bad in [
            "models:/",
            "models://h/m/1",
            "runs:/x/m",
            "models:/a/b/c",
            "models:/m@",
        ] {
            assert_eq!(ModelsUri::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn source_containment() {
        assert!(within_root(
            "mlflow-artifacts:/1/abc/artifacts/model",
            "mlflow-artifacts:/1/abc/artifacts"
        ));
        assert!(!within_root(
            "mlflow-artifacts:/1/other/artifacts/model",
            "mlflow-artifacts:/1/abc/artifacts"
        ));
        assert!(is_proxied(
            "http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/x"
        ));
        assert!(!is_proxied("s3://bucket/x"));
        assert!(check_no_relative_parts("s3://b/a/../c").is_err());
        assert!(check_no_relative_parts("s3://b/a/%2e%2e/c").is_err());
        assert!(check_no_relative_parts("s3://b/a/c").is_ok());
        assert!(local_within(
            "/tmp/a/1/r/artifacts/m",
            "/tmp/a/1/r/artifacts"
        ));
        assert!(local_within(
            "file:///tmp/a/1/r/artifacts/m",
            "/tmp/a/1/r/artifacts"
        ));
        assert!(!local_within("/tmp/b", "/tmp/a"));
        assert_eq!(runs_uri_run_id("runs:/abc/model"), Some("abc"));
    }
}
