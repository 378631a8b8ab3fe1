//! The model-registry search language: `registered-models/search` filters over `name`
//! and `tags.<key>`, `model-versions/search` filters over `name`, `version_number`,
//! `run_id`, `source_path` and `tags.<key>`, and their `order_by` keys, with the
//! messages of MLflow's `SearchModelUtils` / `SearchModelVersionUtils`
//! (`mlflow/utils/search_utils.py`) and the checks of
//! `mlflow/store/model_registry/sqlalchemy_store.py`.

use super::ast::{NumericOp, StringOp, StringPredicate};
use super::parser::{
    list_strings, parse_filter, parse_order_by, split_identifier, unquote_key, ClauseQuoting,
    RawComparison, RawTest, RawValue,
};
use super::values::{python_set, quoted_string};
use super::SearchError;

/// A string attribute of a registered model or model version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryAttribute {
    /// `name`.
    Name,
    /// `run_id` (versions only).
    RunId,
    /// `source_path`: column `source` (versions only).
    Source,
}

/// One comparison of a registry filter.
#[derive(Clone, Debug, PartialEq)]
pub enum RegistryClause {
    /// `<attribute> <op> '<value>'` or `IN (...)`.
    Attribute {
        /// The attribute.
        attribute: RegistryAttribute,
        /// The condition.
        predicate: StringPredicate,
    },
    /// `version_number <op> <integer>` (versions only).
    Version {
        /// The comparator.
        op: NumericOp,
        /// The version compared with.
        value: i64,
    },
    /// `tags.<key> <op> '<value>'`: some tag with this key matches.
    Tag {
        /// The tag key.
        key: String,
        /// The comparator.
        op: StringOp,
        /// The string compared with.
        value: String,
    },
}

/// A parsed registry filter: every clause must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegistryFilter {
    /// The clauses, in the order written.
    pub clauses: Vec<RegistryClause>,
}

/// What a registry ordering sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryOrderKey {
    /// `name`.
    Name,
    /// `version_number` (versions only).
    Version,
    /// `creation_timestamp` (versions only).
    CreationTime,
    /// `last_updated_timestamp`, or `timestamp` for registered models.
    LastUpdatedTime,
}

/// One `order_by` entry of a registry search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistryOrderBy {
    /// What to sort by.
    pub key: RegistryOrderKey,
    /// Ascending unless `DESC` was given.
    pub ascending: bool,
}

/// Which search a filter belongs to; they accept different keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    RegisteredModels,
    ModelVersions,
}

impl Target {
    fn search_keys(self) -> &'static [&'static str] {
        match self {
            Target::RegisteredModels => &["name"],
            Target::ModelVersions => &["name", "version_number", "run_id", "source_path"],
        }
    }

    fn list_keys(self) -> &'static [&'static str] {
        match self {
            Target::RegisteredModels => &["name"],
            Target::ModelVersions => &["name", "run_id"],
        }
    }

    fn numeric_keys(self) -> &'static [&'static str] {
        match self {
            Target::RegisteredModels => &["creation_timestamp", "last_updated_timestamp"],
            Target::ModelVersions => &[
                "creation_timestamp",
                "last_updated_timestamp",
                "version_number",
            ],
        }
    }
}

/// Returns `['a', 'b']` as Python prints a sorted list.
fn python_sorted_list(items: &[&str]) -> String {
    let mut sorted = items.to_vec();
    sorted.sort_unstable();
    let inner: Vec<String> = sorted.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", inner.join(", "))
}

fn clause(target: Target, comparison: &RawComparison<'_>) -> Result<RegistryClause, SearchError> {
    let (entity, key) = split_identifier(comparison.identifier);
    let is_tag = match entity {
        None | Some("attribute") => false,
        Some("tag" | "tags") => true,
        Some(other) => {
            return Err(SearchError(format!(
                "Invalid entity type '{other}'. \
                 Valid entity types are ('attribute', 'tag', 'tags')"
            )))
        }
    };
    if !is_tag && !target.search_keys().contains(&key) {
        return Err(SearchError(format!(
            "Invalid attribute key '{key}' specified. Valid keys are '{}'",
            python_set(target.search_keys())
        )));
    }
    let key = unquote_key(key);
    let (comparator, value) = match &comparison.test {
        RawTest::Compare { comparator, value } => (comparator.as_str(), value),
        RawTest::Null(_) => {
            return Err(SearchError(format!(
                "Invalid clause(s) in filter string: {}",
                comparison.identifier
            )))
        }
    };
    if is_tag {
        let value = quoted_string(value).unwrap_or_else(|| {
            Err(SearchError(format!(
                "Expected a quoted string value for tag (e.g. 'my-value'). Got value {}",
                value.text()
            )))
        })?;
        let op = StringOp::parse(comparator)
            .ok_or_else(|| SearchError(format!("Invalid comparator for tag: {comparator}")))?;
        return Ok(RegistryClause::Tag {
            key: key.to_owned(),
            op,
            value,
        });
    }
    let invalid_comparator =
        || SearchError(format!("Invalid comparator for attribute: {comparator}"));
    if key == "version_number" {
        let op = NumericOp::parse(comparator).ok_or_else(|| {
            SearchError(format!(
                "Invalid comparator for attribute {key}: {comparator}"
            ))
        })?;
        let text = match value {
            RawValue::Number { text, .. } => (*text).to_owned(),
            RawValue::List { .. } => {
                return Err(SearchError(format!(
                    "Only {} attributes support comparison with a list of quoted string values.",
                    python_sorted_list(target.list_keys())
                )))
            }
            other => quoted_string(other).unwrap_or_else(|| {
                Err(SearchError(format!(
                    "Expected a quoted string value or a list of quoted string values for \
                     attributes. Got value {}",
                    other.text()
                )))
            })?,
        };
        let value = text.trim().parse::<i64>().map_err(|_| {
            SearchError(format!(
                "Invalid value for numeric attribute '{key}': '{text}'"
            ))
        })?;
        return Ok(RegistryClause::Version { op, value });
    }
    let attribute = match key {
        "name" => RegistryAttribute::Name,
        "run_id" => RegistryAttribute::RunId,
        _ => RegistryAttribute::Source,
    };
    let predicate = match value {
        RawValue::List { text, items } => {
            if !target.list_keys().contains(&key) {
                return Err(SearchError(format!(
                    "Only {} attributes support comparison with a list of quoted string values.",
                    python_sorted_list(target.list_keys())
                )));
            }
            let list = list_strings(text, items)?;
            match comparator {
                "IN" => StringPredicate::In(list),
                "NOT IN" => StringPredicate::NotIn(list),
                _ => return Err(invalid_comparator()),
            }
        }
        RawValue::Number { text, .. } => {
            let _ = text;
            return Err(SearchError(format!(
                "Only the '{}' attributes support comparison with numeric values.",
                python_set(target.numeric_keys())
            )));
        }
        other => {
            let value = quoted_string(other).unwrap_or_else(|| {
                Err(SearchError(format!(
                    "Expected a quoted string value or a list of quoted string values for \
                     attributes. Got value {}",
                    other.text()
                )))
            })?;
            let op = StringOp::parse(comparator).ok_or_else(invalid_comparator)?;
            StringPredicate::Compare(op, value)
        }
    };
    Ok(RegistryClause::Attribute {
        attribute,
        predicate,
    })
}

fn filter(target: Target, filter: &str) -> Result<RegistryFilter, SearchError> {
    let clauses = parse_filter(filter, ClauseQuoting::Bare)?
        .iter()
        .map(|c| clause(target, c))
        .collect::<Result<_, _>>()?;
    Ok(RegistryFilter { clauses })
}

/// Parses a `registered-models/search` filter. An empty filter matches every model.
pub fn registered_model_filter(text: &str) -> Result<RegistryFilter, SearchError> {
    filter(Target::RegisteredModels, text)
}

/// Parses a `model-versions/search` filter. An empty filter matches every version.
pub fn model_version_filter(text: &str) -> Result<RegistryFilter, SearchError> {
    filter(Target::ModelVersions, text)
}

/// Rejects a key ordered on twice, with MLflow's message.
fn check_duplicates(parsed: &[RegistryOrderBy], order_by: &[String]) -> Result<(), SearchError> {
    for (i, a) in parsed.iter().enumerate() {
        if parsed[..i].iter().any(|b| b.key == a.key) {
            let written: Vec<String> = order_by.iter().map(|s| format!("'{s}'")).collect();
            return Err(SearchError(format!(
                "`order_by` contains duplicate fields: [{}]",
                written.join(", ")
            )));
        }
    }
    Ok(())
}

/// Parses `registered-models/search` `order_by` entries: `name`, `timestamp` or
/// `last_updated_timestamp` (both the last update time), as MLflow's SQL store.
pub fn registered_model_order_by(order_by: &[String]) -> Result<Vec<RegistryOrderBy>, SearchError> {
    let parsed = order_by
        .iter()
        .map(|clause| {
            let raw = parse_order_by(clause)?;
            let key = match raw.identifier.trim() {
                "name" => RegistryOrderKey::Name,
                "timestamp" | "last_updated_timestamp" => RegistryOrderKey::LastUpdatedTime,
                other => {
                    return Err(SearchError(format!(
                        "Invalid order by key '{other}' specified. Valid keys are '{}'",
                        python_set(&["name", "timestamp"])
                    )))
                }
            };
            Ok(RegistryOrderBy {
                key,
                ascending: raw.ascending,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_duplicates(&parsed, order_by)?;
    Ok(parsed)
}

/// Parses `model-versions/search` `order_by` entries: `name`, `version_number`,
/// `creation_timestamp`, `last_updated_timestamp` (optionally `attribute.`-prefixed).
/// An empty list means MLflow's default, `last_updated_timestamp DESC, name ASC,
/// version_number DESC`.
pub fn model_version_order_by(order_by: &[String]) -> Result<Vec<RegistryOrderBy>, SearchError> {
    const KEYS: &[&str] = &[
        "name",
        "version_number",
        "creation_timestamp",
        "last_updated_timestamp",
    ];
    if order_by.is_empty() {
        return Ok(vec![
            RegistryOrderBy {
                key: RegistryOrderKey::LastUpdatedTime,
                ascending: false,
            },
            RegistryOrderBy {
                key: RegistryOrderKey::Name,
                ascending: true,
            },
            RegistryOrderBy {
                key: RegistryOrderKey::Version,
                ascending: false,
            },
        ]);
    }
    let parsed = order_by
        .iter()
        .map(|clause| {
            let raw = parse_order_by(clause)?;
            let (entity, key) = split_identifier(raw.identifier.trim());
            match entity {
                None | Some("attribute") => {}
                Some("tag" | "tags") => {
                    return Err(SearchError("Invalid order_by entity: tag".to_owned()))
                }
                Some(other) => {
                    return Err(SearchError(format!(
                        "Invalid entity type '{other}'. \
                         Valid entity types are ('attribute', 'tag', 'tags')"
                    )))
                }
            }
            let key = match unquote_key(key) {
                "name" => RegistryOrderKey::Name,
                "version_number" => RegistryOrderKey::Version,
                "creation_timestamp" => RegistryOrderKey::CreationTime,
                "last_updated_timestamp" => RegistryOrderKey::LastUpdatedTime,
                other => {
                    return Err(SearchError(format!(
                        "Invalid attribute key '{other}' specified. Valid keys are '{}'",
                        python_set(KEYS)
                    )))
                }
            };
            Ok(RegistryOrderBy {
                key,
                ascending: raw.ascending,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_duplicates(&parsed, order_by)?;
    Ok(parsed)
}

// ---- logged models (`SearchLoggedModelsUtils`) -----------------------------------------

/// What a logged-model search can sort by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoggedModelOrderKey {
    /// `metrics.<name>`: the model's latest value of the metric (by timestamp, then
    /// step), optionally only among points on one dataset; models without it sort last.
    Metric {
        /// Metric name.
        name: String,
        /// Only points on the dataset of this name.
        dataset_name: Option<String>,
        /// Only points on the dataset of this digest.
        dataset_digest: Option<String>,
    },
    /// `name`.
    Name,
    /// `model_id`.
    ModelId,
    /// `model_type`.
    ModelType,
    /// `status`.
    Status,
    /// `source_run_id`.
    SourceRunId,
    /// `creation_timestamp` / `creation_time`.
    CreationTime,
    /// `last_updated_timestamp` / `last_updated_time`.
    LastUpdatedTime,
}

/// A string attribute of a logged model a search can compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoggedModelStringKey {
    /// `name`.
    Name,
    /// `model_id`.
    ModelId,
    /// `model_type`.
    ModelType,
    /// `status`.
    Status,
    /// `source_run_id`.
    SourceRunId,
}

/// One comparison of a logged-model filter.
#[derive(Clone, Debug, PartialEq)]
pub enum LoggedModelClause {
    /// A string attribute.
    Attribute {
        /// The attribute.
        key: LoggedModelStringKey,
        /// The condition.
        predicate: StringPredicate,
    },
    /// `creation_timestamp` / `last_updated_timestamp` against a number.
    Time {
        /// `true` for the last update, `false` for creation.
        last_updated: bool,
        /// The comparator.
        op: NumericOp,
        /// Milliseconds since the epoch.
        value: i64,
    },
    /// `tags.<key> <op> '<value>'`.
    Tag {
        /// Tag key.
        key: String,
        /// Comparator.
        op: StringOp,
        /// Value.
        value: String,
    },
    /// `params.<key> <op> '<value>'`.
    Param {
        /// Param key.
        key: String,
        /// Comparator.
        op: StringOp,
        /// Value.
        value: String,
    },
    /// `metrics.<key> <op> <number>`: some point of the metric (on the searched
    /// datasets, if any) compares true, as in MLflow.
    Metric {
        /// Metric name.
        key: String,
        /// Comparator.
        op: NumericOp,
        /// Value.
        value: f64,
    },
}

/// Parses a `logged-models/search` filter: attributes `name`, `model_id`,
/// `model_type`, `status`, `source_run_id`, `creation_timestamp` (`creation_time`),
/// `last_updated_timestamp` (`last_updated_time`), `tags.<key>`, `params.<key>` and
/// `metrics.<key>`.
pub fn logged_model_filter(text: &str) -> Result<Vec<LoggedModelClause>, SearchError> {
    parse_filter(text, ClauseQuoting::Quoted)?
        .iter()
        .map(logged_model_clause)
        .collect()
}

fn logged_model_clause(comparison: &RawComparison<'_>) -> Result<LoggedModelClause, SearchError> {
    let (entity, key) = split_identifier(comparison.identifier);
    let key = unquote_key(key);
    let (comparator, value) = match &comparison.test {
        RawTest::Compare { comparator, value } => (comparator.as_str(), value),
        RawTest::Null(_) => {
            return Err(SearchError(format!(
                "Invalid clause(s) in filter string: '{}'",
                comparison.identifier
            )))
        }
    };
    let string_value = |value: &RawValue<'_>| {
        quoted_string(value).unwrap_or_else(|| {
            Err(SearchError(format!(
                "Expected a quoted string value for {key} (e.g. 'my-value'). Got value {}",
                value.text()
            )))
        })
    };
    let string_op = |kind: &str| {
        StringOp::parse(comparator)
            .ok_or_else(|| SearchError(format!("Invalid comparator for {kind}: {comparator}")))
    };
    match entity {
        Some("tag" | "tags") => Ok(LoggedModelClause::Tag {
            key: key.to_owned(),
            op: string_op("tag")?,
            value: string_value(value)?,
        }),
        Some("param" | "params" | "parameter" | "parameters") => Ok(LoggedModelClause::Param {
            key: key.to_owned(),
            op: string_op("param")?,
            value: string_value(value)?,
        }),
        Some("metric" | "metrics") => {
            let op = NumericOp::parse(comparator).ok_or_else(|| {
                SearchError(format!("Invalid comparator for metric: {comparator}"))
            })?;
            let number = match value {
                RawValue::Number { text, .. } => text.parse::<f64>().ok(),
                _ => None,
            }
            .ok_or_else(|| {
                SearchError(format!(
                    "Expected numeric value type for metric: {key}. Found {}",
                    value.text()
                ))
            })?;
            Ok(LoggedModelClause::Metric {
                key: key.to_owned(),
                op,
                value: number,
            })
        }
        None | Some("attribute" | "attributes" | "attr") => {
            let last_updated = match key {
                "creation_timestamp" | "creation_time" => false,
                "last_updated_timestamp" | "last_updated_time" => true,
                _ => {
                    let attribute = match key {
                        "name" => LoggedModelStringKey::Name,
                        "model_id" => LoggedModelStringKey::ModelId,
                        "model_type" => LoggedModelStringKey::ModelType,
                        "status" => LoggedModelStringKey::Status,
                        "source_run_id" => LoggedModelStringKey::SourceRunId,
                        other => {
                            return Err(SearchError(format!(
                                "Invalid logged model search key '{other}'"
                            )))
                        }
                    };
                    let predicate = match value {
                        RawValue::List { text, items } => {
                            let list = list_strings(text, items)?;
                            match comparator {
                                "IN" => StringPredicate::In(list),
                                "NOT IN" => StringPredicate::NotIn(list),
                                _ => {
                                    return Err(SearchError(format!(
                                        "Invalid comparator for attribute: {comparator}"
                                    )))
                                }
                            }
                        }
                        other => {
                            StringPredicate::Compare(string_op("attribute")?, string_value(other)?)
                        }
                    };
                    return Ok(LoggedModelClause::Attribute {
                        key: attribute,
                        predicate,
                    });
                }
            };
            let op = NumericOp::parse(comparator).ok_or_else(|| {
                SearchError(format!(
                    "Invalid comparator for attribute {key}: {comparator}"
                ))
            })?;
            let number = match value {
                RawValue::Number { text, .. } => text.parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(|| {
                SearchError(format!(
                    "Expected numeric value type for numeric attribute: {key}. Found {}",
                    value.text()
                ))
            })?;
            Ok(LoggedModelClause::Time {
                last_updated,
                op,
                value: number,
            })
        }
        Some(other) => Err(SearchError(format!("Invalid entity type '{other}'"))),
    }
}

/// Returns the ordering key of a logged-model `order_by` field name.
pub fn logged_model_order_key(field_name: &str) -> Result<LoggedModelOrderKey, SearchError> {
    Ok(match field_name {
        "name" => LoggedModelOrderKey::Name,
        "model_id" => LoggedModelOrderKey::ModelId,
        "model_type" => LoggedModelOrderKey::ModelType,
        "status" => LoggedModelOrderKey::Status,
        "source_run_id" => LoggedModelOrderKey::SourceRunId,
        "creation_timestamp" | "creation_time" => LoggedModelOrderKey::CreationTime,
        "last_updated_timestamp" | "last_updated_time" => LoggedModelOrderKey::LastUpdatedTime,
        other if other.starts_with("metrics.") => LoggedModelOrderKey::Metric {
            name: other["metrics.".len()..].to_owned(),
            dataset_name: None,
            dataset_digest: None,
        },
        other => return Err(SearchError(format!("Invalid order by field name: {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_model_filters() {
        let f = registered_model_filter("name LIKE 'sk%' AND tags.team = 'a'").unwrap();
        assert_eq!(
            f.clauses,
            vec![
                RegistryClause::Attribute {
                    attribute: RegistryAttribute::Name,
                    predicate: StringPredicate::Compare(StringOp::Like, "sk%".into()),
                },
                RegistryClause::Tag {
                    key: "team".into(),
                    op: StringOp::Eq,
                    value: "a".into(),
                },
            ]
        );
        let err = registered_model_filter("run_id = 'x'").unwrap_err();
        assert_eq!(
            err.0,
            "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'"
        );
        assert!(registered_model_filter("tags.x > 'a'").is_err());
        assert!(registered_model_filter("").unwrap().clauses.is_empty());
    }

    #[test]
    fn model_version_filters() {
        let f = model_version_filter("name IN ('a', 'b') AND version_number >= 2").unwrap();
        assert_eq!(
            f.clauses,
            vec![
                RegistryClause::Attribute {
                    attribute: RegistryAttribute::Name,
                    predicate: StringPredicate::In(vec!["a".into(), "b".into()]),
                },
                RegistryClause::Version {
                    op: NumericOp::Ge,
                    value: 2,
                },
            ]
        );
        assert!(model_version_filter("source_path IN ('a')").is_err());
        assert!(model_version_filter("version_number = 'x'").is_err());
        assert!(model_version_filter("foo.bar = 'x'").is_err());
    }

    #[test]
    fn orderings() {
        let o = registered_model_order_by(&["timestamp DESC".into()]).unwrap();
        assert_eq!(o[0].key, RegistryOrderKey::LastUpdatedTime);
        assert!(!o[0].ascending);
        assert!(registered_model_order_by(&["version_number".into()]).is_err());
        assert!(registered_model_order_by(&["name".into(), "name DESC".into()]).is_err());
        assert_eq!(model_version_order_by(&[]).unwrap().len(), 3);
        let o = model_version_order_by(&["version_number ASC".into()]).unwrap();
        assert_eq!(o[0].key, RegistryOrderKey::Version);
        assert!(model_version_order_by(&["run_id".into()]).is_err());
    }
}
