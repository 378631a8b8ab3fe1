//! Checks of a model version's source, as MLflow's handler makes them
//! (`_validate_source_run`, `_validate_source_model`): a source must lie within the
//! artifacts of the run or logged model it names, and never climb out of them.

use super::ModelsUri;
use crate::error::MlflowError;
use crate::service::TrackingService;

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

impl TrackingService {
    /// Resolves a `models:/name/...` source to the version it names, as MLflow's
    /// `_resolve_registered_model_source_lineage`; other sources pass through.
    pub(super) async fn resolve_source_lineage(
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

    /// Checks a source registered without a logged model (`_validate_source_run`).
    pub(super) async fn validate_source_run(
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
    pub(super) async fn validate_source_model(
        &self,
        source: &str,
        model_id: &str,
    ) -> Result<(), MlflowError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
