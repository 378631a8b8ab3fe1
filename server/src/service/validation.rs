//! MLflow's input rules and their exact wording, in one place
//! (`mlflow/utils/validation.py` and the handler schemas of `mlflow/server/handlers.py`).

use ferroflow_protocol::messages::runs::BatchMetric;
use ferroflow_protocol::{DatasetInput, ExperimentTag, Metric, Param, RunTag};

use crate::error::MlflowError;
use crate::store::{ModelMetricLink, ValidLogBatch};

/// Most params, and most tags, in one log-batch.
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
/// Most metric points in one log-batch.
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// Most entities of all kinds in one log-batch.
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
/// Longest param value.
pub const MAX_PARAM_VAL_LENGTH: usize = 6000;
/// Longest run tag value (MLflow 3).
pub const MAX_TAG_VAL_LENGTH: usize = 8000;
/// Longest experiment name.
pub const MAX_EXPERIMENT_NAME_LENGTH: usize = 500;
/// Longest experiment tag key.
pub const MAX_EXPERIMENT_TAG_KEY_LENGTH: usize = 250;
/// Longest experiment tag value (MLflow 3).
pub const MAX_EXPERIMENT_TAG_VAL_LENGTH: usize = 20000;
/// Longest metric, param or tag key.
pub const MAX_ENTITY_KEY_LENGTH: usize = 250;
/// Longest dataset name.
pub const MAX_DATASET_NAME_SIZE: usize = 500;
/// Longest dataset digest.
pub const MAX_DATASET_DIGEST_SIZE: usize = 36;
/// Longest dataset schema.
pub const MAX_DATASET_SCHEMA_SIZE: usize = 1_048_575;
/// Longest dataset source.
pub const MAX_DATASET_SOURCE_SIZE: usize = 65_535;
/// Longest dataset profile.
pub const MAX_DATASET_PROFILE_SIZE: usize = 16_777_215;
/// Longest input tag key.
pub const MAX_INPUT_TAG_KEY_SIZE: usize = 255;
/// Longest input tag value.
pub const MAX_INPUT_TAG_VALUE_SIZE: usize = 500;
/// Largest page of a search.
pub const SEARCH_MAX_RESULTS_THRESHOLD: i64 = 50_000;
/// Default page of a search.
pub const SEARCH_MAX_RESULTS_DEFAULT: i64 = 1000;

const BAD_CHARACTERS_MESSAGE: &str = "Names may only contain alphanumerics, underscores (_), \
     dashes (-), periods (.), spaces ( ), and slashes (/).";

/// Returns the value of a required field, or MLflow's "Missing value" error.
pub fn required<T>(value: Option<T>, name: &str) -> Result<T, MlflowError> {
    value.ok_or_else(|| missing(name))
}

/// Returns a required string that must also be non-empty (proto2 strings default to "").
pub fn required_str(value: Option<String>, name: &str) -> Result<String, MlflowError> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(missing(name)),
    }
}

/// Returns MLflow's error for a missing required field.
pub fn missing(name: &str) -> MlflowError {
    MlflowError::invalid(format!(
        "Missing value for required parameter '{name}'. See the API docs for more information \
         about request parameters."
    ))
}

/// Returns `run_id`, falling back to the deprecated `run_uuid`.
pub fn run_id(run_id: Option<String>, run_uuid: Option<String>) -> Result<String, MlflowError> {
    required_str(run_id.filter(|r| !r.is_empty()).or(run_uuid), "run_id")
}

/// Python's `posixpath.normpath`, enough to tell whether a name is its own path.
fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let leading = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if leading == 0 {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = format!("{}{}", "/".repeat(leading), parts.join("/"));
    if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// Returns whether a key would resolve to another name if used as a file path.
fn path_not_unique(name: &str) -> bool {
    let norm = normpath(name);
    norm != name || norm == "." || norm.starts_with("..") || norm.starts_with('/')
}

/// Checks a metric, param or tag key (`kind` is "metric", "parameter" or "tag").
pub fn validate_key(kind: &str, name: &str) -> Result<(), MlflowError> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-' | ' '));
    if !valid_chars {
        return Err(MlflowError::invalid(format!(
            "Invalid {kind} name: '{name}'. {BAD_CHARACTERS_MESSAGE}"
        )));
    }
    if path_not_unique(name) {
        return Err(MlflowError::invalid(format!(
            "Invalid {kind} name: '{name}'. Names may be treated as files in certain cases, and \
             must not resolve to other names when treated as such. This name would resolve to \
             '{}'",
            normpath(name)
        )));
    }
    Ok(())
}

/// Checks a length limit with MLflow's message.
pub fn length_limit(entity: &str, limit: usize, value: &str) -> Result<(), MlflowError> {
    let len = value.chars().count();
    if len <= limit {
        return Ok(());
    }
    let head: String = value.chars().take(250).collect();
    Err(MlflowError::invalid(format!(
        "{entity} '{head}' had length {len}, which exceeded length limit of {limit}"
    )))
}

/// Checks one metric point.
pub fn validate_metric(metric: &Metric) -> Result<(), MlflowError> {
    validate_key("metric", &metric.key)?;
    if metric.timestamp < 0 {
        return Err(MlflowError::invalid(format!(
            "Got invalid timestamp {} for metric '{}' (value={}). Timestamp must be a \
             nonnegative long (64-bit integer) ",
            metric.timestamp, metric.key, metric.value
        )));
    }
    length_limit("Metric name", MAX_ENTITY_KEY_LENGTH, &metric.key)
}

/// Checks one param.
pub fn validate_param(param: &Param) -> Result<(), MlflowError> {
    validate_key("parameter", &param.key)?;
    length_limit("Param key", MAX_ENTITY_KEY_LENGTH, &param.key)?;
    length_limit("Param value", MAX_PARAM_VAL_LENGTH, &param.value)
}

/// Checks one run tag.
pub fn validate_tag(tag: &RunTag) -> Result<(), MlflowError> {
    validate_key("tag", &tag.key)?;
    length_limit("Tag key", MAX_ENTITY_KEY_LENGTH, &tag.key)?;
    length_limit("Tag value", MAX_TAG_VAL_LENGTH, &tag.value)
}

/// Checks one experiment tag.
pub fn validate_experiment_tag(tag: &ExperimentTag) -> Result<(), MlflowError> {
    validate_key("tag", &tag.key)?;
    length_limit("Tag key", MAX_EXPERIMENT_TAG_KEY_LENGTH, &tag.key)?;
    length_limit("Tag value", MAX_EXPERIMENT_TAG_VAL_LENGTH, &tag.value)
}

/// Checks an experiment name.
pub fn validate_experiment_name(name: &str) -> Result<(), MlflowError> {
    if name.is_empty() {
        return Err(MlflowError::invalid(format!(
            "Invalid experiment name: '{name}'"
        )));
    }
    if name.chars().count() > MAX_EXPERIMENT_NAME_LENGTH {
        return Err(MlflowError::invalid(format!(
            "Experiment name exceeds the maximum length of {MAX_EXPERIMENT_NAME_LENGTH} characters"
        )));
    }
    Ok(())
}

fn batch_limit(entity: &str, limit: usize, length: usize) -> Result<(), MlflowError> {
    if length > limit {
        return Err(MlflowError::invalid(format!(
            "A batch logging request can contain at most {limit} {entity}. Got {length} \
             {entity}. Please split up {entity} across multiple requests and try again."
        )));
    }
    Ok(())
}

/// Checks a whole log-batch and returns it as the store's checked type.
pub fn validate_log_batch(
    metrics: Vec<BatchMetric>,
    params: Vec<Param>,
    tags: Vec<RunTag>,
) -> Result<ValidLogBatch, MlflowError> {
    batch_limit("metrics", MAX_METRICS_PER_BATCH, metrics.len())?;
    batch_limit("params", MAX_PARAMS_TAGS_PER_BATCH, params.len())?;
    batch_limit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags.len())?;
    batch_limit(
        "metrics, params, and tags",
        MAX_ENTITIES_PER_BATCH,
        metrics.len() + params.len() + tags.len(),
    )?;
    let mut points = Vec::with_capacity(metrics.len());
    let mut model_metrics = Vec::new();
    for (idx, metric) in metrics.into_iter().enumerate() {
        let point = Metric {
            key: required_str(metric.key, &format!("metrics[{idx}].key"))?,
            value: required(metric.value, &format!("metrics[{idx}].value"))?,
            timestamp: required(metric.timestamp, &format!("metrics[{idx}].timestamp"))?,
            step: metric.step.unwrap_or(0),
        };
        validate_metric(&point)?;
        let dataset_name = metric.dataset_name.filter(|n| !n.is_empty());
        let dataset_digest = metric.dataset_digest.filter(|d| !d.is_empty());
        // MLflow's `Metric` entity refuses half a dataset reference.
        if dataset_name.is_some() != dataset_digest.is_some() {
            return Err(MlflowError::invalid(
                "Both dataset_name and dataset_digest must be provided if one is provided",
            ));
        }
        if let Some(model_id) = metric.model_id.filter(|id| !id.is_empty()) {
            model_metrics.push(ModelMetricLink {
                model_id,
                metric: point.clone(),
                dataset_name,
                dataset_digest,
            });
        }
        points.push(point);
    }
    let mut seen = std::collections::HashSet::new();
    let mut dupes = Vec::new();
    for (idx, param) in params.iter().enumerate() {
        if param.key.is_empty() {
            return Err(missing(&format!("params[{idx}].key")));
        }
        validate_param(param)?;
        if !seen.insert(param.key.as_str()) {
            dupes.push(format!("'{}'", param.key));
        }
    }
    if !dupes.is_empty() {
        return Err(MlflowError::invalid(format!(
            "Duplicate parameter keys have been submitted: [{}]. Please ensure the request \
             contains only one param value per param key.",
            dupes.join(", ")
        )));
    }
    for (idx, tag) in tags.iter().enumerate() {
        if tag.key.is_empty() {
            return Err(missing(&format!("tags[{idx}].key")));
        }
        validate_tag(tag)?;
    }
    Ok(ValidLogBatch {
        metrics: points,
        params,
        tags,
        model_metrics,
    })
}

/// Checks the datasets of a log-inputs request.
pub fn validate_dataset_inputs(inputs: &[DatasetInput]) -> Result<(), MlflowError> {
    for input in inputs {
        let d = &input.dataset;
        if d.name.is_empty()
            || d.digest.is_empty()
            || d.source_type.is_empty()
            || d.source.is_empty()
        {
            return Err(MlflowError::invalid(
                "Dataset name, digest, source_type and source are required.",
            ));
        }
        length_limit("Dataset name", MAX_DATASET_NAME_SIZE, &d.name)?;
        length_limit("Dataset digest", MAX_DATASET_DIGEST_SIZE, &d.digest)?;
        length_limit("Dataset source", MAX_DATASET_SOURCE_SIZE, &d.source)?;
        if let Some(schema) = &d.schema {
            length_limit("Dataset schema", MAX_DATASET_SCHEMA_SIZE, schema)?;
        }
        if let Some(profile) = &d.profile {
            length_limit("Dataset profile", MAX_DATASET_PROFILE_SIZE, profile)?;
        }
        for tag in &input.tags {
            if tag.key.is_empty() {
                return Err(missing("datasets.tags.key"));
            }
            length_limit("Input tag key", MAX_INPUT_TAG_KEY_SIZE, &tag.key)?;
            length_limit("Input tag value", MAX_INPUT_TAG_VALUE_SIZE, &tag.value)?;
        }
    }
    Ok(())
}

/// Checks a search page size: default 1000, at most 50,000.
pub fn max_results(value: Option<i64>, parameter: &str) -> Result<i64, MlflowError> {
    match value {
        None => Ok(SEARCH_MAX_RESULTS_DEFAULT),
        Some(v) if v <= 0 => Err(MlflowError::invalid(format!(
            "Invalid value {v} for parameter '{parameter}' supplied. It must be a positive integer"
        ))),
        Some(v) if v > SEARCH_MAX_RESULTS_THRESHOLD => Err(MlflowError::invalid(format!(
            "Invalid value {v} for parameter '{parameter}' supplied. It must be at most \
             {SEARCH_MAX_RESULTS_THRESHOLD}"
        ))),
        Some(v) => Ok(v),
    }
}

// ---- model registry (`_validate_model_name`, `_validate_model_alias_name`, ...) ----------

/// Longest registry tag key.
pub const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH: usize = 250;
/// Longest registry tag value.
pub const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH: usize = 100_000;
/// Longest registered-model alias.
pub const MAX_REGISTERED_MODEL_ALIAS_LENGTH: usize = 255;
/// Largest page of a registered-model search.
pub const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD: i64 = 1000;
/// Default page of a registered-model search.
pub const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT: i64 = 100;
/// Largest page of a model-version search.
pub const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD: i64 = 200_000;
/// Default page of a model-version search.
pub const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT: i64 = 10_000;
/// MLflow's registry stages, canonical spelling.
pub const MODEL_VERSION_STAGES: [&str; 4] = ["None", "Staging", "Production", "Archived"];

/// MLflow's `invalid_value`: `Invalid value "<json>" for parameter '<path>' supplied: <msg>`.
fn invalid_value(path: &str, value: &str, message: &str) -> MlflowError {
    let json = serde_json::Value::String(value.to_owned()).to_string();
    MlflowError::invalid(format!(
        "Invalid value {json} for parameter '{path}' supplied: {message}"
    ))
}

/// MLflow's `exceeds_maximum_length`.
fn exceeds_maximum_length(path: &str, limit: usize, value: &str) -> Result<(), MlflowError> {
    if value.chars().count() > limit {
        return Err(MlflowError::invalid(format!(
            "'{path}' exceeds the maximum length of {limit} characters"
        )));
    }
    Ok(())
}

/// Checks a registered-model name (`_validate_model_name`) and returns it.
pub fn model_name(value: Option<String>, parameter: &str) -> Result<String, MlflowError> {
    let name = required_str(value, parameter)?;
    if name.trim().is_empty() {
        return Err(MlflowError::invalid(format!(
            "Missing value for required parameter '{parameter}'."
        )));
    }
    if name.contains('/') || name.contains(':') {
        return Err(MlflowError::invalid(format!(
            "Invalid model name '{name}'. Names cannot contain '/' or ':'."
        )));
    }
    if path_not_unique(&name) {
        return Err(invalid_value("name", &name, &bad_path_message(&name)));
    }
    Ok(name)
}

fn bad_path_message(name: &str) -> String {
    format!(
        "Names may be treated as files in certain cases, and must not resolve to other names \
         when treated as such. This name would resolve to '{}'",
        normpath(name)
    )
}

/// Parses a version number (`_validate_model_version`).
pub fn model_version(value: Option<String>) -> Result<i64, MlflowError> {
    let text = required_str(value, "version")?;
    text.trim().parse::<i64>().map_err(|_| {
        MlflowError::invalid(format!(
            "Parameter 'version' must be an integer, got '{text}'."
        ))
    })
}

/// Checks a registry tag key (`_validate_tag_name`: letters, digits, `_-. :/`).
pub fn registry_tag_key(key: &str) -> Result<(), MlflowError> {
    let valid = key
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-' | ' ' | ':'));
    if !valid {
        return Err(invalid_value(
            "key",
            key,
            "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), \
             spaces ( ), colon(:) and slashes (/).",
        ));
    }
    if path_not_unique(key) {
        return Err(invalid_value("key", key, &bad_path_message(key)));
    }
    Ok(())
}

/// Checks a registered-model or model-version tag.
pub fn registry_tag(key: &str, value: &str) -> Result<(), MlflowError> {
    registry_tag_key(key)?;
    exceeds_maximum_length("key", MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, key)?;
    exceeds_maximum_length("value", MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value)
}

/// Checks an alias name (`_validate_model_alias_name`).
pub fn alias_name(alias: &str) -> Result<(), MlflowError> {
    if alias.is_empty() {
        return Err(MlflowError::invalid(
            "Registered model alias name cannot be empty.",
        ));
    }
    if !alias
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(MlflowError::invalid(format!(
            "Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores \
             (_), and dashes (-)."
        )));
    }
    exceeds_maximum_length(
        "Registered model alias name",
        MAX_REGISTERED_MODEL_ALIAS_LENGTH,
        alias,
    )
}

/// Rejects the reserved alias names `latest` and `v<N>` (`_validate_model_alias_name_reserved`).
pub fn alias_not_reserved(alias: &str) -> Result<(), MlflowError> {
    if alias.eq_ignore_ascii_case("latest") {
        return Err(MlflowError::invalid(
            "'latest' alias name (case insensitive) is reserved.",
        ));
    }
    let mut chars = alias.chars();
    if matches!(chars.next(), Some('v' | 'V'))
        && alias.len() > 1
        && chars.all(|c| c.is_ascii_digit())
    {
        return Err(MlflowError::invalid(format!(
            "Version alias name '{alias}' is reserved."
        )));
    }
    Ok(())
}

/// Returns the canonical spelling of a stage (`get_canonical_stage`).
pub fn canonical_stage(stage: &str) -> Result<&'static str, MlflowError> {
    MODEL_VERSION_STAGES
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(stage))
        .ok_or_else(|| {
            MlflowError::invalid(format!(
                "Invalid Model Version stage: {stage}. Value must be one of {}.",
                MODEL_VERSION_STAGES.join(", ")
            ))
        })
}

/// Checks a logged-model name (`_validate_logged_model_name`).
pub fn logged_model_name(name: &str) -> Result<(), MlflowError> {
    const BAD: [char; 6] = ['/', ':', '.', '%', '"', '\''];
    if name.is_empty() || name.contains(BAD) {
        return Err(MlflowError::invalid(format!(
            "Invalid model name ('{name}') provided. Model name must be a non-empty string and \
             cannot contain the following characters: ('/', ':', '.', '%', '\"', \"'\")"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_matches_python() {
        for (input, expected) in [
            ("a/b", "a/b"),
            ("a//b", "a/b"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("../a", "../a"),
            ("/a", "/a"),
            ("a/", "a"),
            (".", "."),
            ("", "."),
        ] {
            assert_eq!(normpath(input), expected, "{input}");
        }
    }

    #[test]
    fn keys_follow_mlflow_rules() {
        for ok in ["loss", "val/loss", "a b", "a.b-c_d", "über"] {
            assert!(validate_key("metric", ok).is_ok(), "{ok}");
        }
        for bad in ["a$", "a/../b", "../x", "/abs", "a//b", "a/", ".", "x;drop"] {
            assert!(validate_key("metric", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn batch_limits() {
        let metric = |i: i64| {
            BatchMetric::from(Metric {
                key: "m".into(),
                value: 1.0,
                timestamp: i,
                step: i,
            })
        };
        assert!(validate_log_batch((0..1000).map(metric).collect(), vec![], vec![]).is_ok());
        let err = validate_log_batch((0..1001).map(metric).collect(), vec![], vec![]).unwrap_err();
        assert!(
            err.message.contains("at most 1000 metrics"),
            "{}",
            err.message
        );
        let params = vec![
            Param {
                key: "p".into(),
                value: "1".into(),
            },
            Param {
                key: "p".into(),
                value: "2".into(),
            },
        ];
        let err = validate_log_batch(vec![], params, vec![]).unwrap_err();
        assert!(
            err.message.contains("Duplicate parameter keys"),
            "{}",
            err.message
        );
    }

    #[test]
    fn page_sizes() {
        assert_eq!(max_results(None, "max_results").unwrap(), 1000);
        assert_eq!(max_results(Some(50_000), "max_results").unwrap(), 50_000);
        assert!(max_results(Some(50_001), "max_results").is_err());
        assert!(max_results(Some(0), "max_results").is_err());
    }

    #[test]
    fn registry_names_and_aliases() {
        assert_eq!(model_name(Some("m".into()), "name").unwrap(), "m");
        assert!(model_name(Some("a/b".into()), "name").is_err());
        assert!(model_name(Some("a:b".into()), "name").is_err());
        assert!(model_name(Some("  ".into()), "name").is_err());
        assert!(model_name(None, "name").is_err());
        assert_eq!(model_version(Some("3".into())).unwrap(), 3);
        assert_eq!(
            model_version(Some("x".into())).unwrap_err().message,
            "Parameter 'version' must be an integer, got 'x'."
        );
        assert!(alias_name("champion-1_a").is_ok());
        assert!(alias_name("a b").is_err());
        assert!(alias_name("").is_err());
        assert!(alias_not_reserved("LATEST").is_err());
        assert!(alias_not_reserved("v12").is_err());
        assert!(alias_not_reserved("v").is_ok());
        assert!(alias_not_reserved("version").is_ok());
        assert_eq!(canonical_stage("production").unwrap(), "Production");
        assert!(canonical_stage("prod").is_err());
        assert!(registry_tag("a:b", "v").is_ok());
        assert!(registry_tag("a$", "v").is_err());
        assert!(logged_model_name("model").is_ok());
        assert!(logged_model_name("my.model").is_err());
    }
}
