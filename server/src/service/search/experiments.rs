//! The experiment search language: `search-experiments` filters over `name`,
//! `creation_time`, `last_update_time` and `tags.<key>` (a value, or `IS [NOT] NULL`),
//! and `order_by` over attributes, copied with their messages from MLflow's
//! `SearchExperimentsUtils`
//! (mlflow `mlflow/utils/search_utils.py`) and `_get_search_experiments_filter_clauses`
//! (`mlflow/store/tracking/sqlalchemy_store.py`).

use super::ast::{
    ExperimentClause, ExperimentFilter, ExperimentOrderBy, ExperimentOrderKey,
    ExperimentTimeAttribute, NumericOp, StringOp,
};
use super::parser::{
    parse_filter, parse_order_by, split_identifier, unquote_key, ClauseQuoting, RawComparison,
    RawTest, RawValue,
};
use super::values::{number, python_set, quoted_string};
use super::SearchError;

const SEARCH_ATTRIBUTE_KEYS: &[&str] = &["name", "creation_time", "last_update_time"];
const ORDER_BY_ATTRIBUTE_KEYS: &[&str] =
    &["name", "experiment_id", "creation_time", "last_update_time"];
const STRING_ATTRIBUTE_COMPARATORS: &[&str] = &["!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"];

/// A resolved key: an attribute (checked against `valid`) or a tag.
enum Key<'a> {
    Attribute(&'a str),
    Tag(&'a str),
}

/// Resolves a written key (`SearchExperimentsUtils._get_identifier`): only `attribute`,
/// `tag` and `tags` prefixes, written exactly so.
fn identifier<'a>(written: &'a str, valid: &[&str]) -> Result<Key<'a>, SearchError> {
    let (entity, key) = split_identifier(written);
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
    let key = unquote_key(key);
    if is_tag {
        return Ok(Key::Tag(key));
    }
    if !valid.contains(&key) {
        return Err(SearchError(format!(
            "Invalid attribute key '{key}' specified. Valid keys are '{}'",
            python_set(valid)
        )));
    }
    Ok(Key::Attribute(key))
}

fn time_attribute(key: &str) -> Option<ExperimentTimeAttribute> {
    match key {
        "creation_time" => Some(ExperimentTimeAttribute::CreationTime),
        "last_update_time" => Some(ExperimentTimeAttribute::LastUpdateTime),
        _ => None,
    }
}

fn invalid_comparator(comparator: &str, closed: bool) -> SearchError {
    let close = if closed { "'" } else { "" };
    SearchError(format!(
        "Invalid comparator '{comparator}' not one of '{}{close}",
        python_set(STRING_ATTRIBUTE_COMPARATORS)
    ))
}

fn clause(comparison: &RawComparison<'_>) -> Result<ExperimentClause, SearchError> {
    let key = identifier(comparison.identifier, SEARCH_ATTRIBUTE_KEYS)?;
    let (comparator, value) = match &comparison.test {
        // MLflow 3.17 allows the null tests on tags only
        // (`SearchExperimentsUtils._get_comparison`), after checking the key.
        RawTest::Null(test) => {
            return match key {
                Key::Tag(key) => Ok(ExperimentClause::TagNull {
                    key: key.to_owned(),
                    test: *test,
                }),
                Key::Attribute(key) => Err(SearchError(format!(
                    "IS NULL / IS NOT NULL is only supported for tags, not for attribute '{key}'"
                ))),
            }
        }
        RawTest::Compare { comparator, value } => (comparator.as_str(), value),
    };
    match key {
        Key::Attribute(key) => match time_attribute(key) {
            Some(attribute) => {
                let number = number(value).ok_or_else(|| {
                    SearchError(format!(
                        "Expected numeric value type for numeric attribute: {key}. Found {}",
                        value.text()
                    ))
                })?;
                let op = NumericOp::parse(comparator)
                    .ok_or_else(|| invalid_comparator(comparator, false))?;
                Ok(ExperimentClause::Time {
                    attribute,
                    op,
                    value: number,
                })
            }
            None => {
                let value = match value {
                    RawValue::List { .. } => Err(SearchError(
                        "Only the 'run_id' attribute supports comparison with a list of quoted \
                         string values."
                            .to_owned(),
                    )),
                    _ => quoted_string(value).unwrap_or_else(|| {
                        Err(SearchError(format!(
                            "Expected a quoted string value for attributes. Got value {}",
                            value.text()
                        )))
                    }),
                }?;
                let op = StringOp::parse(comparator)
                    .ok_or_else(|| invalid_comparator(comparator, true))?;
                Ok(ExperimentClause::Name { op, value })
            }
        },
        Key::Tag(key) => {
            let value = quoted_string(value).unwrap_or_else(|| {
                Err(SearchError(format!(
                    "Expected a quoted string value for tag (e.g. 'my-value'). Got value {}",
                    value.text()
                )))
            })?;
            let op = StringOp::parse(comparator)
                .ok_or_else(|| SearchError(format!("Invalid comparator for tag: {comparator}")))?;
            Ok(ExperimentClause::Tag {
                key: key.to_owned(),
                op,
                value,
            })
        }
    }
}

/// Parses a `search-experiments` filter; see [`super::parse_experiment_filter`].
pub(super) fn filter(filter: &str) -> Result<ExperimentFilter, SearchError> {
    let clauses = parse_filter(filter, ClauseQuoting::Bare)?
        .iter()
        .map(clause)
        .collect::<Result<_, _>>()?;
    Ok(ExperimentFilter { clauses })
}

/// Parses `search-experiments` `order_by` entries; see
/// [`super::parse_experiment_order_by`].
pub(super) fn order_by(order_by: &[String]) -> Result<Vec<ExperimentOrderBy>, SearchError> {
    order_by
        .iter()
        .map(|clause| {
            let raw = parse_order_by(clause)?;
            let key = match identifier(raw.identifier.trim(), ORDER_BY_ATTRIBUTE_KEYS)? {
                Key::Attribute("name") => ExperimentOrderKey::Name,
                Key::Attribute("experiment_id") => ExperimentOrderKey::ExperimentId,
                Key::Attribute("creation_time") => ExperimentOrderKey::CreationTime,
                Key::Attribute(_) => ExperimentOrderKey::LastUpdateTime,
                Key::Tag(_) => return Err(SearchError("Invalid order_by entity: tag".to_owned())),
            };
            Ok(ExperimentOrderBy {
                key,
                ascending: raw.ascending,
            })
        })
        .collect()
}
