//! The run search language: which keys, comparators and values a `search-runs` filter
//! and `order_by` accept, copied with their error messages from MLflow's `SearchUtils`
//! (mlflow `mlflow/utils/search_utils.py`) and the checks its SQL store adds
//! (`_get_sqlalchemy_filter_clauses`, `_get_orderby_clauses` in
//! `mlflow/store/tracking/sqlalchemy_store.py`).

use super::ast::{
    DatasetField, NullTest, NumericOp, RunClause, RunFilter, RunNumericAttribute, RunOrderBy,
    RunOrderKey, RunStringAttribute, StringOp,
};
use super::parser::{
    list_strings, parse_filter, parse_order_by, split_identifier, trim_backticks, unquote_key,
    ClauseQuoting, RawComparison, RawTest, RawValue,
};
use super::values::{
    number, python_list, python_set, quoted_string, string_predicate, StringValue,
};
use super::SearchError;

/// `RunInfo.get_searchable_attributes()` plus MLflow's aliases.
const SEARCH_ATTRIBUTE_KEYS: &[&str] = &[
    "artifact_uri",
    "end_time",
    "run_id",
    "run_name",
    "start_time",
    "status",
    "user_id",
    "created",
    "Created",
    "run name",
    "Run name",
    "Run Name",
];

/// `RunInfo.get_orderable_attributes()` plus the `created` aliases.
const ORDER_BY_ATTRIBUTE_KEYS: &[&str] = &[
    "artifact_uri",
    "end_time",
    "run_id",
    "run_name",
    "start_time",
    "status",
    "user_id",
    "created",
    "Created",
];

const METRIC_COMPARATORS: &[&str] = &[">", ">=", "!=", "=", "<", "<="];
/// `VALID_PARAM_COMPARATORS`, equal to `VALID_TAG_COMPARATORS`. MLflow 3.17 lists the
/// null tests here, so its "Invalid comparator" messages for params and tags name them.
const PARAM_COMPARATORS: &[&str] = &["!=", "=", "LIKE", "ILIKE", "IS NULL", "IS NOT NULL"];
const STRING_ATTRIBUTE_COMPARATORS: &[&str] = &["!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"];
const DATASET_KEYS: &[&str] = &["name", "digest", "context"];

/// MLflow's entity types, after resolving aliases (`SearchUtils._valid_entity_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entity {
    Metric,
    Param,
    Tag,
    Attribute,
    Dataset,
}

fn entity(written: &str) -> Result<Entity, SearchError> {
    Ok(match trim_backticks(written) {
        "metric" | "metrics" => Entity::Metric,
        "parameter" | "parameters" | "param" | "params" => Entity::Param,
        "tag" | "tags" => Entity::Tag,
        "attribute" | "attributes" | "attr" | "run" => Entity::Attribute,
        "dataset" | "datasets" => Entity::Dataset,
        other => {
            return Err(SearchError(format!(
                "Invalid entity type '{other}'. Valid values are \
                 ['metric', 'parameter', 'tag', 'attribute', 'dataset']"
            )))
        }
    })
}

/// A resolved key.
enum Key<'a> {
    Metric(&'a str),
    Param(&'a str),
    Tag(&'a str),
    /// An attribute with its key as written (messages name it so, e.g. `created`).
    Attribute(Attribute, &'a str),
    Dataset(DatasetField),
}

/// Resolves a written key (`SearchUtils._get_identifier`).
fn identifier<'a>(written: &'a str, valid_attributes: &[&str]) -> Result<Key<'a>, SearchError> {
    let (entity_text, key) = split_identifier(written);
    let entity = entity_text.map_or(Ok(Entity::Attribute), entity)?;
    let key = unquote_key(key);
    Ok(match entity {
        Entity::Metric => Key::Metric(key),
        Entity::Param => Key::Param(key),
        Entity::Tag => Key::Tag(key),
        Entity::Attribute => {
            match valid_attributes
                .contains(&key)
                .then(|| attribute(key))
                .flatten()
            {
                Some(attribute) => Key::Attribute(attribute, key),
                None => {
                    return Err(SearchError(format!(
                        "Invalid attribute key '{key}' specified. Valid keys are '{}'",
                        python_set(valid_attributes)
                    )))
                }
            }
        }
        Entity::Dataset => match dataset_field(key) {
            Some(field) => Key::Dataset(field),
            None => {
                return Err(SearchError(format!(
                    "Invalid dataset key '{key}' specified. Valid keys are '{}'",
                    python_set(DATASET_KEYS)
                )))
            }
        },
    })
}

/// A run attribute after alias translation (`SearchUtils.translate_key_alias`).
enum Attribute {
    String(RunStringAttribute),
    Numeric(RunNumericAttribute),
}

fn attribute(key: &str) -> Option<Attribute> {
    Some(match key {
        "run_id" => Attribute::String(RunStringAttribute::RunId),
        "run_name" | "run name" | "Run name" | "Run Name" => {
            Attribute::String(RunStringAttribute::RunName)
        }
        "status" => Attribute::String(RunStringAttribute::Status),
        "user_id" => Attribute::String(RunStringAttribute::UserId),
        "artifact_uri" => Attribute::String(RunStringAttribute::ArtifactUri),
        "start_time" | "created" | "Created" => Attribute::Numeric(RunNumericAttribute::StartTime),
        "end_time" => Attribute::Numeric(RunNumericAttribute::EndTime),
        _ => return None,
    })
}

fn dataset_field(key: &str) -> Option<DatasetField> {
    Some(match key {
        "name" => DatasetField::Name,
        "digest" => DatasetField::Digest,
        "context" => DatasetField::Context,
        _ => return None,
    })
}

fn dataset_key(field: DatasetField) -> &'static str {
    match field {
        DatasetField::Name => "name",
        DatasetField::Digest => "digest",
        DatasetField::Context => "context",
    }
}

/// MLflow's "Invalid comparator" message. `closed` is whether MLflow closes the quote
/// around the set: it does for params and string attributes only, and keep it that way
/// so messages match byte for byte.
fn bad_comparator(comparator: &str, valid: &[&str], closed: bool) -> SearchError {
    let close = if closed { "'" } else { "" };
    SearchError(format!(
        "Invalid comparator '{comparator}' not one of '{}{close}",
        python_set(valid)
    ))
}

/// Returns a quoted string value or MLflow's complaint naming `kind` (`parameter`, `tag`).
fn key_value_string(kind: &str, value: &RawValue<'_>) -> Result<String, SearchError> {
    quoted_string(value).unwrap_or_else(|| {
        Err(SearchError(format!(
            "Expected a quoted string value for {kind} (e.g. 'my-value'). Got value {}",
            value.text()
        )))
    })
}

/// Returns the clause for `key IS [NOT] NULL`. MLflow 3.17 allows the null tests on
/// params and tags only, and checks the key before that (`SearchUtils._get_comparison`),
/// so an unknown attribute still gets the "Invalid attribute key" message.
fn null_clause(key: Key<'_>, test: NullTest) -> Result<RunClause, SearchError> {
    let (entity, key) = match key {
        Key::Param(key) => {
            let key = key.to_owned();
            return Ok(RunClause::ParamNull { key, test });
        }
        Key::Tag(key) => {
            let key = key.to_owned();
            return Ok(RunClause::TagNull { key, test });
        }
        Key::Metric(key) => ("metric", key),
        Key::Attribute(_, written) => ("attribute", written),
        Key::Dataset(field) => ("dataset", dataset_key(field)),
    };
    Err(SearchError(format!(
        "IS NULL / IS NOT NULL is only supported for tags and params, not for '{entity}' '{key}'"
    )))
}

fn clause(comparison: &RawComparison<'_>) -> Result<RunClause, SearchError> {
    let key = identifier(comparison.identifier, SEARCH_ATTRIBUTE_KEYS)?;
    let (comparator, value) = match &comparison.test {
        RawTest::Null(test) => return null_clause(key, *test),
        RawTest::Compare { comparator, value } => (comparator.as_str(), value),
    };
    // MLflow checks the value while parsing and the comparator afterwards, in the
    // store; the order decides which message a doubly wrong clause gets.
    match key {
        Key::Metric(key) => {
            let number = number(value).ok_or_else(|| {
                SearchError(format!(
                    "Expected numeric value type for metric. Found {}",
                    value.text()
                ))
            })?;
            let op = NumericOp::parse(comparator)
                .ok_or_else(|| bad_comparator(comparator, METRIC_COMPARATORS, false))?;
            Ok(RunClause::Metric {
                key: key.to_owned(),
                op,
                value: number.as_f64(),
            })
        }
        Key::Param(key) => {
            let value = key_value_string("parameter", value)?;
            let op = StringOp::parse(comparator)
                .ok_or_else(|| bad_comparator(comparator, PARAM_COMPARATORS, true))?;
            Ok(RunClause::Param {
                key: key.to_owned(),
                op,
                value,
            })
        }
        Key::Tag(key) => {
            let value = key_value_string("tag", value)?;
            let op = StringOp::parse(comparator)
                .ok_or_else(|| bad_comparator(comparator, PARAM_COMPARATORS, false))?;
            Ok(RunClause::Tag {
                key: key.to_owned(),
                op,
                value,
            })
        }
        Key::Attribute(Attribute::Numeric(attribute), written) => {
            let number = number(value).ok_or_else(|| {
                SearchError(format!(
                    "Expected numeric value type for numeric attribute: {written}. Found {}",
                    value.text()
                ))
            })?;
            // MLflow's message lists the string comparators here; we keep its text.
            let op = NumericOp::parse(comparator)
                .ok_or_else(|| bad_comparator(comparator, STRING_ATTRIBUTE_COMPARATORS, false))?;
            Ok(RunClause::NumericAttribute {
                attribute,
                op,
                value: number,
            })
        }
        Key::Attribute(Attribute::String(attribute), _) => {
            let string_value = match value {
                RawValue::List { text, items } => {
                    if attribute != RunStringAttribute::RunId {
                        return Err(SearchError(
                            "Only the 'run_id' attribute supports comparison with a list of \
                             quoted string values."
                                .to_owned(),
                        ));
                    }
                    StringValue::List(list_strings(text, items)?)
                }
                _ => StringValue::Scalar(scalar_string("attributes", value)?),
            };
            let predicate = string_predicate(comparator, string_value)
                .ok_or_else(|| bad_comparator(comparator, STRING_ATTRIBUTE_COMPARATORS, true))?;
            Ok(RunClause::StringAttribute {
                attribute,
                predicate,
            })
        }
        Key::Dataset(field) => {
            let string_value = match value {
                RawValue::List { text, items } => StringValue::List(list_strings(text, items)?),
                _ => StringValue::Scalar(scalar_string("dataset attributes", value)?),
            };
            let predicate = string_predicate(comparator, string_value)
                .ok_or_else(|| bad_comparator(comparator, STRING_ATTRIBUTE_COMPARATORS, false))?;
            Ok(RunClause::Dataset { field, predicate })
        }
    }
}

/// Returns a quoted string value of an attribute, or MLflow's complaint naming `kind`.
fn scalar_string(kind: &str, value: &RawValue<'_>) -> Result<String, SearchError> {
    quoted_string(value).unwrap_or_else(|| {
        Err(SearchError(format!(
            "Expected a quoted string value for {kind}. Got value {}",
            value.text()
        )))
    })
}

/// Parses a `search-runs` filter; see [`super::parse_run_filter`].
pub(super) fn filter(filter: &str) -> Result<RunFilter, SearchError> {
    let clauses = parse_filter(filter, ClauseQuoting::Quoted)?
        .iter()
        .map(clause)
        .collect::<Result<_, _>>()?;
    Ok(RunFilter { clauses })
}

/// Parses `search-runs` `order_by` entries; see [`super::parse_run_order_by`].
pub(super) fn order_by(order_by: &[String]) -> Result<Vec<RunOrderBy>, SearchError> {
    let mut parsed: Vec<RunOrderBy> = Vec::with_capacity(order_by.len());
    for clause in order_by {
        let raw = parse_order_by(clause)?;
        let key = match identifier(raw.identifier.trim(), ORDER_BY_ATTRIBUTE_KEYS)? {
            Key::Attribute(Attribute::String(attribute), _) => {
                RunOrderKey::StringAttribute(attribute)
            }
            Key::Attribute(Attribute::Numeric(attribute), _) => {
                RunOrderKey::NumericAttribute(attribute)
            }
            Key::Metric(key) => RunOrderKey::Metric(key.to_owned()),
            Key::Param(key) => RunOrderKey::Param(key.to_owned()),
            Key::Tag(key) => RunOrderKey::Tag(key.to_owned()),
            Key::Dataset(_) => {
                return Err(SearchError("Invalid identifier type 'dataset'".to_owned()))
            }
        };
        // Aliases count: `created` and `start_time` are the same field.
        if parsed.iter().any(|seen| seen.key == key) {
            return Err(SearchError(format!(
                "`order_by` contains duplicate fields: {}",
                python_list(order_by)
            )));
        }
        parsed.push(RunOrderBy {
            key,
            ascending: raw.ascending,
        });
    }
    Ok(parsed)
}
