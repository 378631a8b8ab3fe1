//! The SQL of registry searches: MLflow's filter over registered models or versions as
//! WHERE conditions, and its order with MLflow's tie-breakers.

use crate::service::search::registry::{
    RegistryAttribute, RegistryClause, RegistryFilter, RegistryOrderBy, RegistryOrderKey,
};
use crate::service::search::StringOp;
use crate::store::sql::search::{Bind, Builder};
use crate::store::sql::Dialect;

/// The tag that marks a registered model (or version) as a prompt.
pub(super) const IS_PROMPT_TAG: &str = "mlflow.prompt.is_prompt";

/// Returns whether a filter asks for prompts (`tags.mlflow.prompt.is_prompt = 'true'`),
/// as MLflow's `_is_querying_prompt`.
pub(super) fn is_querying_prompts(filter: &RegistryFilter) -> bool {
    filter.clauses.iter().any(|c| match c {
        RegistryClause::Tag { key, op, value } if key == IS_PROMPT_TAG => {
            (*op == StringOp::Eq && value.eq_ignore_ascii_case("true"))
                || (*op == StringOp::NotEq && value.eq_ignore_ascii_case("false"))
        }
        _ => false,
    })
}

/// Renders the WHERE conditions of a registry search over `alias` (`rm` or `mv`).
/// `tag_table` holds the tags and `tag_join` matches a tag row `t` to the entity.
pub(super) fn filter_conditions(
    b: &mut Builder,
    filter: &RegistryFilter,
    alias: &str,
    tag_table: &str,
    tag_join: &str,
) -> Vec<String> {
    let mut conditions = Vec::new();
    let prompts = is_querying_prompts(filter);
    if !prompts {
        // MLflow drops conditions on the prompt tag when it excludes prompts.
        let key = b.text(IS_PROMPT_TAG);
        let value = b.text("true");
        conditions.push(format!(
            "NOT EXISTS (SELECT 1 FROM {tag_table} t WHERE {tag_join} AND t.key = {key} \
             AND t.value = {value})"
        ));
    }
    for clause in &filter.clauses {
        match clause {
            RegistryClause::Attribute {
                attribute,
                predicate,
            } => {
                let column = match attribute {
                    RegistryAttribute::Name => format!("{alias}.name"),
                    RegistryAttribute::RunId => format!("{alias}.run_id"),
                    RegistryAttribute::Source => format!("{alias}.source"),
                };
                conditions.push(b.string_predicate(&column, predicate));
            }
            RegistryClause::Version { op, value } => {
                let p = b.bind(Bind::Int(*value));
                conditions.push(format!("{alias}.version {} {p}", op.as_sql()));
            }
            RegistryClause::Tag { key, .. } if key == IS_PROMPT_TAG && !prompts => {}
            RegistryClause::Tag { key, op, value } => {
                let k = b.text(key);
                let v = b.compare_string("t.value", *op, value);
                conditions.push(format!(
                    "EXISTS (SELECT 1 FROM {tag_table} t WHERE {tag_join} AND t.key = {k} \
                     AND {v})"
                ));
            }
        }
    }
    conditions
}

/// Returns `column` for ordering: byte-wise text on PostgreSQL, as SQLite compares.
pub(super) fn text_column(dialect: Dialect, column: &str) -> String {
    match dialect {
        Dialect::Sqlite => column.to_owned(),
        Dialect::Postgres => format!("{column} COLLATE \"C\""),
    }
}

/// Renders an ORDER BY list over unqualified columns, adding MLflow's tie-breakers.
pub(super) fn order_terms(
    dialect: Dialect,
    order_by: &[RegistryOrderBy],
    versions: bool,
) -> String {
    let mut terms = Vec::new();
    let mut seen_name = false;
    let mut seen_version = false;
    for o in order_by {
        let column = match o.key {
            RegistryOrderKey::Name => {
                seen_name = true;
                text_column(dialect, "name")
            }
            RegistryOrderKey::Version => {
                seen_version = true;
                "version".to_owned()
            }
            RegistryOrderKey::CreationTime => "creation_time".to_owned(),
            RegistryOrderKey::LastUpdatedTime => "last_updated_time".to_owned(),
        };
        terms.push(format!(
            "{column} {}",
            if o.ascending { "ASC" } else { "DESC" }
        ));
    }
    if !seen_name {
        terms.push(format!("{} ASC", text_column(dialect, "name")));
    }
    if versions && !seen_version {
        terms.push("version DESC".to_owned());
    }
    terms.join(", ")
}
