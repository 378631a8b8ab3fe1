//! Logged-model searches (MLflow 3): the ids of the models a filter and order select,
//! one page, as one JSON array row.

use super::super::placeholders;
use super::{Bind, SqlQuery};
use crate::service::search::{StringOp, StringPredicate};
use crate::store::registry::{
    LoggedModelClause, LoggedModelOrderKey, LoggedModelSearch, LoggedModelStringKey,
};
use crate::store::sql::dialect::Dialect;

/// Renders a logged-model search: the `model_id`s of active models in the searched
/// experiments (at least one) that match every clause, sorted by `order_by` then
/// creation time and id, one page plus one row to tell whether more follow.
pub(crate) fn search_logged_models_sql(d: Dialect, search: &LoggedModelSearch) -> SqlQuery {
    let mut binds: Vec<Bind> = search
        .experiment_ids
        .iter()
        .map(|id| Bind::Int(*id))
        .collect();
    let mut conditions = vec![
        format!(
            "lm.experiment_id IN ({})",
            placeholders(1, search.experiment_ids.len())
        ),
        "lm.lifecycle_stage = 'active'".to_owned(),
    ];
    // Points on any of the searched datasets (MLflow ORs them).
    let datasets = (!search.datasets.is_empty()).then(|| {
        let alternatives: Vec<String> = search
            .datasets
            .iter()
            .map(|(name, digest)| {
                binds.push(Bind::Text(name.clone()));
                let mut condition = format!("m.dataset_name = ${}", binds.len());
                if let Some(digest) = digest {
                    binds.push(Bind::Text(digest.clone()));
                    condition += &format!(" AND m.dataset_digest = ${}", binds.len());
                }
                format!("({condition})")
            })
            .collect();
        format!("({})", alternatives.join(" OR "))
    });
    let has_metric_clause = search
        .clauses
        .iter()
        .any(|c| matches!(c, LoggedModelClause::Metric { .. }));
    if let (Some(datasets), false) = (&datasets, has_metric_clause) {
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = lm.model_id \
             AND {datasets})"
        ));
    }
    for clause in &search.clauses {
        let condition = match clause {
            LoggedModelClause::Metric { key, op, value } => {
                binds.push(Bind::Text(key.clone()));
                let k = binds.len();
                binds.push(Bind::Float(*value));
                let v = binds.len();
                let on_datasets = datasets
                    .as_ref()
                    .map(|d| format!(" AND {d}"))
                    .unwrap_or_default();
                format!(
                    "EXISTS (SELECT 1 FROM logged_model_metrics m WHERE m.model_id = \
                     lm.model_id AND m.metric_name = ${k} AND m.is_nan = 0 AND \
                     m.metric_value {} ${v}{on_datasets})",
                    op.as_sql()
                )
            }
            LoggedModelClause::Attribute { key, predicate } => {
                let column = string_column(*key);
                match predicate {
                    StringPredicate::Compare(op, value) => {
                        compare(&mut binds, d, column, *op, value)
                    }
                    StringPredicate::In(list) | StringPredicate::NotIn(list) => {
                        let start = binds.len() + 1;
                        binds.extend(list.iter().map(|v| Bind::Text(v.clone())));
                        let not = matches!(predicate, StringPredicate::NotIn(_));
                        format!(
                            "{column} {}IN ({})",
                            if not { "NOT " } else { "" },
                            placeholders(start, list.len())
                        )
                    }
                }
            }
            LoggedModelClause::Time {
                last_updated,
                op,
                value,
            } => {
                binds.push(Bind::Int(*value));
                let column = if *last_updated {
                    "lm.last_updated_timestamp_ms"
                } else {
                    "lm.creation_timestamp_ms"
                };
                format!("{column} {} ${}", op.as_sql(), binds.len())
            }
            LoggedModelClause::Tag { key, op, value }
            | LoggedModelClause::Param { key, op, value } => {
                let table = if matches!(clause, LoggedModelClause::Tag { .. }) {
                    "logged_model_tags"
                } else {
                    "logged_model_params"
                };
                binds.push(Bind::Text(key.clone()));
                let k = format!("${}", binds.len());
                let v = compare(&mut binds, d, "f.value", *op, value);
                format!(
                    "EXISTS (SELECT 1 FROM {table} f WHERE f.model_id = lm.model_id \
                     AND f.key = {k} AND {v})"
                )
            }
        };
        conditions.push(condition);
    }
    let text = |column: &str| match d {
        Dialect::Sqlite => column.to_owned(),
        Dialect::Postgres => format!("{column} COLLATE \"C\""),
    };
    // Metric orderings sort by a computed column of the inner query, nulls last
    // (`NULLS LAST`: PostgreSQL, and SQLite since 3.30).
    let mut metric_columns = String::new();
    let mut terms: Vec<String> = Vec::new();
    for (i, (key, ascending)) in search.order_by.iter().enumerate() {
        let direction = if *ascending { "ASC" } else { "DESC" };
        let column = match key {
            LoggedModelOrderKey::Name => text("name"),
            LoggedModelOrderKey::ModelId => text("model_id"),
            LoggedModelOrderKey::ModelType => text("model_type"),
            LoggedModelOrderKey::Status => text("status"),
            LoggedModelOrderKey::SourceRunId => text("source_run_id"),
            LoggedModelOrderKey::CreationTime => "creation_timestamp_ms".to_owned(),
            LoggedModelOrderKey::LastUpdatedTime => "last_updated_timestamp_ms".to_owned(),
            LoggedModelOrderKey::Metric {
                name,
                dataset_name,
                dataset_digest,
            } => {
                binds.push(Bind::Text(name.clone()));
                let mut filter = format!("m.metric_name = ${}", binds.len());
                for (column, value) in [
                    ("dataset_name", dataset_name),
                    ("dataset_digest", dataset_digest),
                ] {
                    if let Some(value) = value {
                        binds.push(Bind::Text(value.clone()));
                        filter += &format!(" AND m.{column} = ${}", binds.len());
                    }
                }
                let alias = format!("metric_order_{i}");
                // The latest point, as MLflow: timestamp, then step, then run id.
                metric_columns += &format!(
                    ", (SELECT m.metric_value FROM logged_model_metrics m WHERE \
                     m.model_id = lm.model_id AND {filter} ORDER BY \
                     m.metric_timestamp_ms DESC, m.metric_step DESC, m.run_id ASC \
                     LIMIT 1) AS {alias}"
                );
                terms.push(format!("{alias} {direction} NULLS LAST"));
                continue;
            }
        };
        terms.push(format!("{column} {direction}"));
    }
    if terms.is_empty() {
        terms.push("creation_timestamp_ms DESC".to_owned());
    }
    terms.push(text("model_id"));
    let order = terms.join(", ");
    binds.push(Bind::Int(search.max_results + 1));
    binds.push(Bind::Int(search.offset));
    let inner = format!(
        "SELECT lm.model_id, lm.name, lm.model_type, lm.status, lm.source_run_id, \
         lm.creation_timestamp_ms, lm.last_updated_timestamp_ms{metric_columns} \
         FROM logged_models lm WHERE {} ORDER BY {order} LIMIT ${} OFFSET ${}",
        conditions.join(" AND "),
        binds.len() - 1,
        binds.len()
    );
    let sql = format!(
        "SELECT {} FROM ({inner}) lm",
        d.json_rows(&["model_id"], &order)
    );
    SqlQuery { sql, binds }
}

fn string_column(key: LoggedModelStringKey) -> &'static str {
    match key {
        LoggedModelStringKey::Name => "lm.name",
        LoggedModelStringKey::ModelId => "lm.model_id",
        LoggedModelStringKey::ModelType => "lm.model_type",
        LoggedModelStringKey::Status => "lm.status",
        LoggedModelStringKey::SourceRunId => "lm.source_run_id",
    }
}

/// Renders `column <op> $n`.
fn compare(
    binds: &mut Vec<Bind>,
    dialect: Dialect,
    column: &str,
    op: StringOp,
    value: &str,
) -> String {
    binds.push(Bind::Text(value.to_owned()));
    let p = format!("${}", binds.len());
    match op {
        StringOp::Eq => format!("{column} = {p}"),
        StringOp::NotEq => format!("{column} <> {p}"),
        StringOp::Like => dialect.like(column, &p),
        StringOp::ILike => dialect.ilike(column, &p),
    }
}
