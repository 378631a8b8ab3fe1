//! Run searches: the ids of the runs an MLflow filter and order select, one page.

use ferroflow_protocol::LifecycleStage;

use super::run_window::{top_by_metric_sql, TopQuery, TOP_MAX_ROWS};
use super::{not_if_null, numeric_condition, stage_binds, Bind, Builder, SqlQuery};
use crate::service::search::{
    DatasetField, NullTest, RunClause, RunFilter, RunNumericAttribute, RunOrderBy, RunOrderKey,
    RunStringAttribute, StringOp, StringPredicate,
};
use crate::store::sql::dialect::Dialect;

/// The `input_tags` key holding a dataset input's context (MLflow's
/// `MLFLOW_DATASET_CONTEXT`).
const DATASET_CONTEXT_TAG: &str = "mlflow.data.context";

fn run_string_column(attribute: RunStringAttribute) -> &'static str {
    match attribute {
        RunStringAttribute::RunId => "runs.run_uuid",
        RunStringAttribute::RunName => "runs.name",
        RunStringAttribute::Status => "runs.status",
        RunStringAttribute::UserId => "runs.user_id",
        RunStringAttribute::ArtifactUri => "runs.artifact_uri",
    }
}

fn run_numeric_column(attribute: RunNumericAttribute) -> &'static str {
    match attribute {
        RunNumericAttribute::StartTime => "runs.start_time",
        RunNumericAttribute::EndTime => "runs.end_time",
    }
}

/// Returns the condition for one run filter clause.
fn run_condition(b: &mut Builder, clause: &RunClause, shape: SemiJoin) -> String {
    match clause {
        RunClause::Metric { key, op, value } => {
            let key = b.text(key);
            let value = b.bind(Bind::Float(*value));
            let condition = format!("f.value {} {value}", op.as_sql());
            shape.render(b.dialect(), "latest_metrics", &key, &condition)
        }
        RunClause::Param { key, op, value } => {
            key_value_exists(b, "params", key, *op, value, shape)
        }
        RunClause::Tag { key, op, value } => key_value_exists(b, "tags", key, *op, value, shape),
        RunClause::ParamNull { key, test } => key_exists(b, "params", key, *test),
        RunClause::TagNull { key, test } => key_exists(b, "tags", key, *test),
        RunClause::StringAttribute {
            attribute,
            predicate,
        } => b.string_predicate(run_string_column(*attribute), predicate),
        RunClause::NumericAttribute {
            attribute,
            op,
            value,
        } => numeric_condition(b, run_numeric_column(*attribute), *op, *value),
        RunClause::Dataset { field, predicate } => dataset_exists(b, *field, predicate),
    }
}

/// Returns `EXISTS` over the run's dataset inputs for one dataset field and condition.
fn dataset_exists(b: &mut Builder, field: DatasetField, predicate: &StringPredicate) -> String {
    let column = match field {
        DatasetField::Name => "d.name",
        DatasetField::Digest => "d.digest",
        DatasetField::Context => {
            let key = b.text(DATASET_CONTEXT_TAG);
            let condition = b.string_predicate("it.value", predicate);
            return format!(
                "EXISTS (SELECT 1 FROM run_inputs ri JOIN input_tags it \
                 ON it.input_uuid = ri.input_uuid WHERE ri.run_uuid = runs.run_uuid \
                 AND it.key = {key} AND {condition})"
            );
        }
    };
    let condition = b.string_predicate(column, predicate);
    format!(
        "EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d \
         ON d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid = runs.run_uuid \
         AND {condition})"
    )
}

/// Returns the semi-join over a `(run_uuid, key, value)` table for one key and
/// condition.
fn key_value_exists(
    b: &mut Builder,
    table: &str,
    key: &str,
    op: StringOp,
    value: &str,
    shape: SemiJoin,
) -> String {
    let key = b.text(key);
    let condition = b.compare_string("f.value", op, value);
    shape.render(b.dialect(), table, &key, &condition)
}

/// How a metric, param or tag comparison is joined to the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum SemiJoin {
    /// `runs.run_uuid IN (SELECT ...)`: evaluated once from the `(key, value)` index,
    /// best when every run of the experiments is looked at.
    Uncorrelated,
    /// `EXISTS (... WHERE f.run_uuid = runs.run_uuid ...)`: one primary-key probe per
    /// run, best when few runs are looked at. On PostgreSQL `OFFSET 0` keeps it a probe:
    /// without statistics the planner turned it into a join that scanned every matching
    /// param once per window entry (350 ms instead of 3). The probe reads the row by
    /// run and key alone, the value tested outside it: given `key = .. AND value = ..`,
    /// the planner without statistics probed the `(key, value)` index instead and
    /// filtered its 3,700 entries by run, for every run (196 ms instead of 7).
    Correlated,
}

impl SemiJoin {
    /// Renders the condition that some row of `table` with key `key` meets `condition`
    /// (written over the alias `f`).
    pub(super) fn render(
        self,
        dialect: Dialect,
        table: &str,
        key: &str,
        condition: &str,
    ) -> String {
        match self {
            SemiJoin::Uncorrelated => format!(
                "runs.run_uuid IN (SELECT f.run_uuid FROM {table} f \
                 WHERE f.key = {key} AND {condition})"
            ),
            SemiJoin::Correlated => match dialect {
                Dialect::Sqlite => format!(
                    "EXISTS (SELECT 1 FROM {table} f WHERE f.run_uuid = runs.run_uuid \
                     AND f.key = {key} AND {condition})"
                ),
                Dialect::Postgres => format!(
                    "EXISTS (SELECT 1 FROM (SELECT * FROM {table} \
                     WHERE run_uuid = runs.run_uuid AND key = {key} OFFSET 0) f \
                     WHERE {condition} OFFSET 0)"
                ),
            },
        }
    }
}

/// Returns `EXISTS` (`IS NOT NULL`) or `NOT EXISTS` (`IS NULL`) over the rows of a
/// `(run_uuid, key, value)` table with one key.
fn key_exists(b: &mut Builder, table: &str, key: &str, test: NullTest) -> String {
    let key = b.text(key);
    format!(
        "{}EXISTS (SELECT 1 FROM {table} f WHERE f.run_uuid = runs.run_uuid AND f.key = {key})",
        not_if_null(test)
    )
}

/// A run search as SQL: `full` pages through every match itself; `top`, when present,
/// is tried first.
#[derive(Debug)]
pub(crate) struct RunSearchSql {
    pub top: Option<TopQuery>,
    pub full: SqlQuery,
}

/// Renders a run search: the `run_uuid`s of runs in `experiment_ids` and `stages`
/// matching `filter`, sorted by `order_by` then MLflow's tie-breakers, one page.
pub(crate) fn search_runs_sql(
    dialect: Dialect,
    experiment_ids: &[i64],
    stages: &[LifecycleStage],
    filter: &RunFilter,
    order_by: &[RunOrderBy],
    offset: i64,
    limit: i64,
) -> RunSearchSql {
    let selection = Selection {
        experiment_ids,
        stages,
        filter,
    };
    let top_rows = offset
        .checked_add(limit)
        .filter(|rows| *rows <= TOP_MAX_ROWS);
    let top = match (order_by.split_first(), top_rows) {
        (
            Some((
                RunOrderBy {
                    key: RunOrderKey::Metric(key),
                    ascending,
                },
                rest,
            )),
            Some(rows),
        ) => Some(TopQuery {
            query: top_by_metric_sql(dialect, &selection, key, *ascending, rest, rows),
            rows,
        }),
        _ => None,
    };

    let mut b = Builder::new(dialect);
    // Joins for ordering come first in the text, so bind them first.
    let (joins, order_terms) = order_clauses(&mut b, order_by, 1);
    let conditions = selection_conditions(&mut b, &selection, SemiJoin::Uncorrelated);
    let mut sql = format!(
        "SELECT runs.run_uuid AS page_id FROM runs{joins} WHERE {} ORDER BY {}",
        conditions.join(" AND "),
        order_terms.join(", ")
    );
    sql.push_str(&b.limit_offset(limit, offset));
    RunSearchSql {
        top,
        full: b.finish(sql),
    }
}

/// What every query of a run search shares: which runs it selects.
#[derive(Clone, Copy)]
pub(super) struct Selection<'a> {
    pub(super) experiment_ids: &'a [i64],
    pub(super) stages: &'a [LifecycleStage],
    pub(super) filter: &'a RunFilter,
}

/// Returns the joins and ORDER BY terms for `order_by` (join aliases `o<first_alias>`
/// on), then MLflow's tie-breakers: `start_time DESC` unless ordered on, `run_uuid`.
pub(super) fn order_clauses(
    b: &mut Builder,
    order_by: &[RunOrderBy],
    first_alias: usize,
) -> (String, Vec<String>) {
    let mut joins = String::new();
    let mut order_terms = Vec::new();
    for (n, order) in order_by.iter().enumerate() {
        let alias = format!("o{}", n + first_alias);
        let asc = order.ascending;
        match &order.key {
            RunOrderKey::StringAttribute(attribute) => {
                order_terms.push(b.order_term(run_string_column(*attribute), asc, true));
            }
            RunOrderKey::NumericAttribute(attribute) => {
                order_terms.push(b.order_term(run_numeric_column(*attribute), asc, false));
            }
            RunOrderKey::Metric(key) => {
                let key = b.text(key);
                joins.push_str(&format!(
                    " LEFT JOIN latest_metrics {alias} ON {alias}.run_uuid = runs.run_uuid \
                     AND {alias}.key = {key}"
                ));
                // MLflow's CASE: values, then NaN, then no metric; in either direction.
                order_terms.push(format!(
                    "CASE WHEN {alias}.is_nan = 1 THEN 1 WHEN {alias}.value IS NULL THEN 2 \
                     ELSE 0 END"
                ));
                order_terms.push(b.order_term(&format!("{alias}.value"), asc, false));
            }
            RunOrderKey::Param(key) | RunOrderKey::Tag(key) => {
                let table = match order.key {
                    RunOrderKey::Param(_) => "params",
                    _ => "tags",
                };
                let key = b.text(key);
                joins.push_str(&format!(
                    " LEFT JOIN {table} {alias} ON {alias}.run_uuid = runs.run_uuid \
                     AND {alias}.key = {key}"
                ));
                order_terms.push(b.order_term(&format!("{alias}.value"), asc, true));
            }
        }
    }
    let orders_start_time = order_by
        .iter()
        .any(|o| o.key == RunOrderKey::NumericAttribute(RunNumericAttribute::StartTime));
    if !orders_start_time {
        order_terms.push(b.order_term("runs.start_time", false, false));
    }
    order_terms.push("runs.run_uuid".to_owned());
    (joins, order_terms)
}

/// Returns the conditions that pick a search's runs: experiments, stages, filter.
pub(super) fn selection_conditions(
    b: &mut Builder,
    selection: &Selection<'_>,
    shape: SemiJoin,
) -> Vec<String> {
    let mut conditions = vec![
        b.in_list(
            "runs.experiment_id",
            selection.experiment_ids.iter().map(|&id| Bind::Int(id)),
            false,
        ),
        b.in_list("runs.lifecycle_stage", stage_binds(selection.stages), false),
    ];
    for clause in &selection.filter.clauses {
        conditions.push(run_condition(b, clause, shape));
    }
    conditions
}

#[cfg(test)]
mod tests;
