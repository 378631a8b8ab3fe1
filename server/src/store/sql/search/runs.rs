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
    /// param once per window entry (350 ms instead of 3).
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
            SemiJoin::Correlated => format!(
                "EXISTS (SELECT 1 FROM {table} f WHERE f.run_uuid = runs.run_uuid \
                 AND f.key = {key} AND {condition}{})",
                match dialect {
                    Dialect::Sqlite => "",
                    Dialect::Postgres => " OFFSET 0",
                }
            ),
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
mod tests {
    use super::*;
    use crate::service::search::{parse_run_filter, parse_run_order_by};

    const ACTIVE: &[LifecycleStage] = &[LifecycleStage::Active];

    fn plan(dialect: Dialect, filter: &str, order_by: &[&str]) -> RunSearchSql {
        let filter = parse_run_filter(filter).expect("valid filter");
        let order_by: Vec<String> = order_by.iter().map(|o| (*o).to_owned()).collect();
        let order_by = parse_run_order_by(&order_by).expect("valid order_by");
        search_runs_sql(dialect, &[1, 2], ACTIVE, &filter, &order_by, 10, 101)
    }

    /// The full query of a search, which pages itself.
    fn runs(dialect: Dialect, filter: &str, order_by: &[&str]) -> SqlQuery {
        plan(dialect, filter, order_by).full
    }

    fn text(value: &str) -> Bind {
        Bind::Text(value.to_owned())
    }

    #[test]
    fn renders_an_unfiltered_run_search() {
        let q = runs(Dialect::Sqlite, "", &[]);
        assert_eq!(
            q.sql,
            "SELECT runs.run_uuid AS page_id FROM runs WHERE runs.experiment_id IN ($1, $2) \
             AND runs.lifecycle_stage IN ($3) \
             ORDER BY runs.start_time DESC, runs.run_uuid LIMIT $4 OFFSET $5"
        );
        assert_eq!(
            q.binds,
            vec![
                Bind::Int(1),
                Bind::Int(2),
                text("active"),
                Bind::Int(101),
                Bind::Int(10)
            ]
        );
        let pg = runs(Dialect::Postgres, "", &[]);
        assert!(pg
            .sql
            .contains("ORDER BY runs.start_time DESC NULLS LAST, runs.run_uuid"));
    }

    #[test]
    fn binds_every_key_and_value() {
        let filter = "metrics.`a'b` > 0.5 AND params.p = '1; DROP TABLE runs; --' \
                      AND tags.\"t\" != 'x' AND status = 'FINISHED' AND start_time >= 7 \
                      AND run_id IN ('r1', 'r2')";
        let q = runs(Dialect::Sqlite, filter, &[]);
        assert_eq!(
            q.sql,
            "SELECT runs.run_uuid AS page_id FROM runs WHERE runs.experiment_id IN ($1, $2) \
             AND runs.lifecycle_stage IN ($3) \
             AND runs.run_uuid IN (SELECT f.run_uuid FROM latest_metrics f \
             WHERE f.key = $4 AND f.value > $5) \
             AND runs.run_uuid IN (SELECT f.run_uuid FROM params f \
             WHERE f.key = $6 AND f.value = $7) \
             AND runs.run_uuid IN (SELECT f.run_uuid FROM tags f \
             WHERE f.key = $8 AND f.value != $9) \
             AND runs.status = $10 AND runs.start_time >= $11 \
             AND runs.run_uuid IN ($12, $13) \
             ORDER BY runs.start_time DESC, runs.run_uuid LIMIT $14 OFFSET $15"
        );
        assert_eq!(
            q.binds[3..13],
            [
                text("a'b"),
                Bind::Float(0.5),
                text("p"),
                text("1; DROP TABLE runs; --"),
                text("t"),
                text("x"),
                text("FINISHED"),
                Bind::Int(7),
                text("r1"),
                text("r2"),
            ]
        );
        assert!(!q.sql.contains("DROP") && !q.sql.contains("a'b"));
    }

    #[test]
    fn renders_like_and_ilike_per_dialect() {
        let filter = "tags.t LIKE 'a%' AND params.p ILIKE '%B' AND run_name ILIKE 'r%'";
        let sqlite = runs(Dialect::Sqlite, filter, &[]);
        assert!(sqlite.sql.contains("WHERE f.key = $4 AND f.value LIKE $5)"));
        assert!(sqlite
            .sql
            .contains("WHERE f.key = $6 AND LOWER(f.value) LIKE LOWER($7))"));
        assert!(sqlite.sql.contains("AND LOWER(runs.name) LIKE LOWER($8)"));
        let pg = runs(Dialect::Postgres, filter, &[]);
        assert!(pg.sql.contains("WHERE f.key = $6 AND f.value ILIKE $7)"));
        assert!(pg.sql.contains("AND runs.name ILIKE $8"));
        assert_eq!(sqlite.binds, pg.binds);
    }

    #[test]
    fn renders_dataset_filters() {
        let q = runs(
            Dialect::Sqlite,
            "datasets.name = 'mnist' AND datasets.context NOT IN ('eval', 'test')",
            &[],
        );
        assert!(q.sql.contains(
            "AND EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d \
             ON d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid = runs.run_uuid \
             AND d.name = $4) \
             AND EXISTS (SELECT 1 FROM run_inputs ri JOIN input_tags it \
             ON it.input_uuid = ri.input_uuid WHERE ri.run_uuid = runs.run_uuid \
             AND it.key = $5 AND it.value NOT IN ($6, $7))"
        ));
        assert_eq!(
            q.binds[3..7],
            [
                text("mnist"),
                text("mlflow.data.context"),
                text("eval"),
                text("test")
            ]
        );
    }

    #[test]
    fn renders_null_tests_as_key_existence() {
        let filter = "params.lr IS NULL AND tags.team IS NOT NULL AND params.lr = 'x'";
        let sqlite = runs(Dialect::Sqlite, filter, &[]);
        assert_eq!(
            sqlite.sql,
            "SELECT runs.run_uuid AS page_id FROM runs WHERE runs.experiment_id IN ($1, $2) \
             AND runs.lifecycle_stage IN ($3) \
             AND NOT EXISTS (SELECT 1 FROM params f WHERE f.run_uuid = runs.run_uuid \
             AND f.key = $4) \
             AND EXISTS (SELECT 1 FROM tags f WHERE f.run_uuid = runs.run_uuid \
             AND f.key = $5) \
             AND runs.run_uuid IN (SELECT f.run_uuid FROM params f \
             WHERE f.key = $6 AND f.value = $7) \
             ORDER BY runs.start_time DESC, runs.run_uuid LIMIT $8 OFFSET $9"
        );
        assert_eq!(
            sqlite.binds[3..7],
            [text("lr"), text("team"), text("lr"), text("x")]
        );
        // The same conditions on PostgreSQL; only the ordering is spelled differently.
        let pg = runs(Dialect::Postgres, filter, &[]);
        let conditions = |q: &SqlQuery| q.sql.split(" ORDER BY ").next().map(str::to_owned);
        assert_eq!(conditions(&pg), conditions(&sqlite));
        assert_eq!(pg.binds, sqlite.binds);
    }

    #[test]
    fn binds_null_test_keys() {
        let q = runs(Dialect::Postgres, "tags.`x') OR (1=1` IS NULL", &[]);
        assert!(q.sql.contains(
            "AND NOT EXISTS (SELECT 1 FROM tags f WHERE f.run_uuid = runs.run_uuid \
             AND f.key = $4) ORDER BY"
        ));
        assert_eq!(q.binds[3], text("x') OR (1=1"));
        assert!(!q.sql.contains("1=1"));
    }

    #[test]
    fn renders_run_ordering_with_joins_and_tie_breakers() {
        let order = ["metrics.acc DESC", "params.lr", "tags.t DESC", "status"];
        let q = runs(Dialect::Sqlite, "metrics.acc > 0", &order);
        assert_eq!(
            q.sql,
            "SELECT runs.run_uuid AS page_id FROM runs \
             LEFT JOIN latest_metrics o1 ON o1.run_uuid = runs.run_uuid AND o1.key = $1 \
             LEFT JOIN params o2 ON o2.run_uuid = runs.run_uuid AND o2.key = $2 \
             LEFT JOIN tags o3 ON o3.run_uuid = runs.run_uuid AND o3.key = $3 \
             WHERE runs.experiment_id IN ($4, $5) AND runs.lifecycle_stage IN ($6) \
             AND runs.run_uuid IN (SELECT f.run_uuid FROM latest_metrics f \
             WHERE f.key = $7 AND f.value > $8) \
             ORDER BY CASE WHEN o1.is_nan = 1 THEN 1 WHEN o1.value IS NULL THEN 2 ELSE 0 END, \
             o1.value DESC, o2.value ASC NULLS LAST, o3.value DESC, \
             runs.status ASC NULLS LAST, runs.start_time DESC, runs.run_uuid \
             LIMIT $9 OFFSET $10"
        );
        assert_eq!(q.binds[..3], [text("acc"), text("lr"), text("t")]);

        // PostgreSQL orders the same way when a metric is not the first key.
        let order = ["params.lr", "metrics.acc DESC", "tags.t DESC", "status"];
        let pg = runs(Dialect::Postgres, "", &order);
        assert!(pg.sql.contains(
            "ORDER BY o1.value COLLATE \"C\" ASC, \
             CASE WHEN o2.is_nan = 1 THEN 1 WHEN o2.value IS NULL THEN 2 ELSE 0 END, \
             o2.value DESC NULLS LAST, o3.value COLLATE \"C\" DESC NULLS LAST, \
             runs.status COLLATE \"C\" ASC, runs.start_time DESC NULLS LAST, runs.run_uuid LIMIT"
        ));
    }

    #[test]
    fn renders_a_top_query_for_metric_order_on_sqlite() {
        let search = plan(
            Dialect::Sqlite,
            "params.p = 'x'",
            &["metrics.acc DESC", "params.lr"],
        );
        let top = search.top.expect("a top query");
        assert_eq!(top.rows, 111);
        let top = top.query;
        assert_eq!(
            top.sql,
            "SELECT runs.run_uuid AS page_id FROM latest_metrics o1 \
             JOIN runs ON runs.run_uuid = o1.run_uuid AND o1.value >= \
             (SELECT w.value FROM latest_metrics w WHERE w.key = $1 \
             ORDER BY w.value DESC LIMIT 1 OFFSET $2) \
             LEFT JOIN params o2 ON o2.run_uuid = runs.run_uuid AND o2.key = $3 \
             WHERE o1.key = $4 AND o1.is_nan = 0 \
             AND runs.experiment_id IN ($5, $6) AND runs.lifecycle_stage IN ($7) \
             AND EXISTS (SELECT 1 FROM params f WHERE f.run_uuid = runs.run_uuid \
             AND f.key = $8 AND f.value = $9) \
             ORDER BY o1.value DESC, o2.value ASC NULLS LAST, runs.start_time DESC, \
             runs.run_uuid LIMIT $10"
        );
        assert_eq!(
            top.binds,
            vec![
                text("acc"),
                Bind::Int(443),
                text("lr"),
                text("acc"),
                Bind::Int(1),
                Bind::Int(2),
                text("active"),
                text("p"),
                text("x"),
                Bind::Int(111)
            ]
        );
        // Ascending: the window runs from the lowest value up.
        let top = plan_top(Dialect::Sqlite, &["metrics.acc ASC"]);
        assert!(top.contains("o1.value <= (SELECT w.value"), "{top}");
        assert!(top.contains("ORDER BY w.value ASC LIMIT 1"), "{top}");
        // No top query when a metric is not the first key.
        assert!(plan(Dialect::Sqlite, "", &["params.lr", "metrics.acc"])
            .top
            .is_none());
        // Nor for pages deeper than the window serves, however large the client's offset.
        let filter = RunFilter::default();
        let order = parse_run_order_by(&["metrics.acc".to_owned()]).expect("valid order_by");
        for offset in [TOP_MAX_ROWS, i64::MAX] {
            let deep = search_runs_sql(Dialect::Sqlite, &[1], ACTIVE, &filter, &order, offset, 101);
            assert!(deep.top.is_none(), "offset {offset}");
        }
    }

    #[test]
    fn renders_a_top_query_for_metric_order_on_postgres() {
        let top = plan(Dialect::Postgres, "", &["metrics.acc DESC"])
            .top
            .expect("a top query");
        assert_eq!(
            top.query.sql,
            "SELECT runs.run_uuid AS page_id FROM (SELECT w.run_uuid, w.key, w.value, \
             w.is_nan FROM latest_metrics w WHERE (w.key, w.value) <= ($1, \
             CAST('Infinity' AS DOUBLE PRECISION)) ORDER BY w.key DESC, w.value DESC \
             FETCH FIRST $2 ROWS WITH TIES) o1 JOIN runs ON runs.run_uuid = o1.run_uuid \
             WHERE o1.key = $3 AND o1.is_nan = 0 AND runs.experiment_id IN ($4, $5) \
             AND runs.lifecycle_stage IN ($6) \
             ORDER BY o1.value DESC, runs.start_time DESC NULLS LAST, runs.run_uuid LIMIT $7"
        );
        assert_eq!(top.query.binds[1], Bind::Int(4 * 111));
        // A filter on the ordering metric compares the window's row, other keys probe.
        let top = plan(
            Dialect::Postgres,
            "metrics.acc > 0.5 and metrics.loss < 1",
            &["metrics.acc DESC"],
        )
        .top
        .expect("a top query")
        .query;
        assert!(
            top.sql
                .contains("o1.is_nan = 0 AND o1.value > $4 AND runs.experiment_id"),
            "{}",
            top.sql
        );
        assert!(
            top.sql.contains("f.key = $8 AND f.value < $9"),
            "{}",
            top.sql
        );
        assert_eq!(top.binds[3], Bind::Float(0.5));
    }

    fn plan_top(dialect: Dialect, order_by: &[&str]) -> String {
        plan(dialect, "", order_by)
            .top
            .expect("a top query")
            .query
            .sql
    }

    #[test]
    fn ordering_on_start_time_replaces_its_tie_breaker() {
        let q = runs(Dialect::Sqlite, "", &["created ASC"]);
        assert!(q.sql.ends_with(
            "ORDER BY runs.start_time ASC NULLS LAST, runs.run_uuid LIMIT $4 OFFSET $5"
        ));
    }

    #[test]
    fn matches_nothing_without_experiments_or_stages() {
        let filter = RunFilter::default();
        let q = search_runs_sql(Dialect::Postgres, &[], &[], &filter, &[], 0, 10).full;
        assert!(q.sql.contains("WHERE 1 = 0 AND 1 = 0 ORDER BY"));
        assert_eq!(q.binds, vec![Bind::Int(10), Bind::Int(0)]);
    }
}
