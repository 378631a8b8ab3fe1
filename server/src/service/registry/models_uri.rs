//! `models:/` URIs: parsing (MLflow's `_parse_model_uri`) and resolving them to a
//! version or to where their files are read from.

use ferroflow_protocol::ModelVersion;

use crate::error::MlflowError;
use crate::service::{validation, TrackingService};

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

impl TrackingService {
    /// Returns the version a registry `models:/` URI names (not `models:/<model_id>`).
    pub(super) async fn resolve_models_uri_version(
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
    pub(super) async fn latest_version(
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
    pub(super) async fn version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> Result<ModelVersion, MlflowError> {
        validation::alias_name(alias)?;
        if alias.eq_ignore_ascii_case("latest") {
            return self.latest_version(name, &[]).await;
        }
        Ok(self.store.get_model_version_by_alias(name, alias).await?)
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
}
