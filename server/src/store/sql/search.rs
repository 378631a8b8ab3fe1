//! Renders parsed run and experiment searches ([`crate::service::search`]) to one SQL
//! `SELECT` of ids for SQLite or PostgreSQL, with every user value (keys included)
//! bound as `$N`, never spliced into the text.
//!
//! The shapes follow MLflow's SQLAlchemy store (mlflow
//! `mlflow/store/tracking/sqlalchemy_store.py`):
//! - each metric, param, tag and dataset comparison must hold for some row of its table
//!   (MLflow inner-joins a filtered subquery; we use a semi-join, which never duplicates
//!   runs): metric, param and tag comparisons are `runs.run_uuid IN (SELECT ...)` over
//!   the `(key, value)` index — uncorrelated, so the engine evaluates the filter once
//!   from the index instead of probing every run (about 2x faster on 10,000 runs);
//!   dataset conditions are `EXISTS`. Metrics compare the latest value as stored, so a
//!   NaN (stored as 0) compares as 0, as in MLflow;
//! - `IS NULL` / `IS NOT NULL` on a param or tag (or experiment tag) is `NOT EXISTS` /
//!   `EXISTS` of a row with that key, whatever its value, as MLflow's `exists()`
//!   subquery;
//! - `run_name` compares the `runs.name` column (MLflow reads the `mlflow.runName` tag,
//!   which our store keeps equal to it);
//! - ordering by a metric puts numbers first, then NaN, then runs without the metric;
//!   ordering by anything else puts missing values last; ties fall to `start_time DESC`
//!   (unless ordered on) and then `run_uuid`;
//! - experiments default to `creation_time DESC, experiment_id ASC`, with
//!   `experiment_id DESC` as the final tie-breaker otherwise.
//!
//! Two choices MLflow leaves to the engine are fixed here so both engines agree: missing
//! values sort last in both directions, and PostgreSQL compares text for ordering
//! byte-wise (`COLLATE "C"`), as SQLite does.

use ferroflow_protocol::LifecycleStage;

use super::dialect::Dialect;
use crate::service::search::{
    DatasetField, ExperimentClause, ExperimentFilter, ExperimentOrderBy, ExperimentOrderKey,
    ExperimentTimeAttribute, NullTest, Number, NumericOp, RunClause, RunFilter,
    RunNumericAttribute, RunOrderBy, RunOrderKey, RunStringAttribute, StringOp, StringPredicate,
};

/// A value bound to a `$N` placeholder.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Bind {
    /// A `TEXT` value.
    Text(String),
    /// A `BIGINT` value.
    Int(i64),
    /// A `DOUBLE PRECISION` / `REAL` value.
    Float(f64),
}

/// A rendered query: `$N` in `sql` refers to `binds[N - 1]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SqlQuery {
    /// The statement text.
    pub sql: String,
    /// The values, in placeholder order.
    pub binds: Vec<Bind>,
}

/// The `input_tags` key holding a dataset input's context (MLflow's
/// `MLFLOW_DATASET_CONTEXT`).
const DATASET_CONTEXT_TAG: &str = "mlflow.data.context";

/// Accumulates binds and hands out their placeholders (also used by the registry's
/// searches).
pub(super) struct Builder {
    dialect: Dialect,
    pub(super) binds: Vec<Bind>,
}

impl Builder {
    pub(super) fn new(dialect: Dialect) -> Self {
        Builder {
            dialect,
            binds: Vec::new(),
        }
    }

    /// Binds `bind` and returns its placeholder.
    pub(super) fn bind(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    pub(super) fn text(&mut self, value: &str) -> String {
        self.bind(Bind::Text(value.to_owned()))
    }

    fn number(&mut self, value: Number) -> String {
        self.bind(match value {
            Number::Int(value) => Bind::Int(value),
            Number::Float(value) => Bind::Float(value),
        })
    }

    /// Returns `column IN ($a, $b, ...)`, or a false condition for no values.
    fn in_list(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = Bind>,
        negated: bool,
    ) -> String {
        let placeholders: Vec<String> = values.into_iter().map(|v| self.bind(v)).collect();
        match (placeholders.is_empty(), negated) {
            (true, false) => "1 = 0".to_owned(),
            (true, true) => "1 = 1".to_owned(),
            (false, false) => format!("{column} IN ({})", placeholders.join(", ")),
            (false, true) => format!("{column} NOT IN ({})", placeholders.join(", ")),
        }
    }

    /// Returns `column op $N` for a single-string comparator.
    pub(super) fn compare_string(&mut self, column: &str, op: StringOp, value: &str) -> String {
        let param = self.text(value);
        match op {
            StringOp::Eq => format!("{column} = {param}"),
            StringOp::NotEq => format!("{column} != {param}"),
            StringOp::Like => self.dialect.like(column, &param),
            StringOp::ILike => self.dialect.ilike(column, &param),
        }
    }

    /// Returns the condition `predicate` puts on `column`.
    pub(super) fn string_predicate(&mut self, column: &str, predicate: &StringPredicate) -> String {
        match predicate {
            StringPredicate::Compare(op, value) => self.compare_string(column, *op, value),
            StringPredicate::In(values) => {
                self.in_list(column, values.iter().cloned().map(Bind::Text), false)
            }
            StringPredicate::NotIn(values) => {
                self.in_list(column, values.iter().cloned().map(Bind::Text), true)
            }
        }
    }

    /// Returns `LIMIT $a OFFSET $b`.
    fn limit_offset(&mut self, limit: i64, offset: i64) -> String {
        let limit = self.bind(Bind::Int(limit));
        let offset = self.bind(Bind::Int(offset));
        format!(" LIMIT {limit} OFFSET {offset}")
    }

    /// Returns an ORDER BY term for `expr` with missing values last in either direction.
    /// Each engine gets the spelling that is its default where one exists, so existing
    /// indexes (`start_time DESC` on SQLite) stay usable.
    fn order_term(&self, expr: &str, ascending: bool, text: bool) -> String {
        let expr = match (self.dialect, text) {
            (Dialect::Postgres, true) => format!("{expr} COLLATE \"C\""),
            _ => expr.to_owned(),
        };
        match (self.dialect, ascending) {
            (Dialect::Sqlite, true) => format!("{expr} ASC NULLS LAST"),
            (Dialect::Sqlite, false) => format!("{expr} DESC"),
            (Dialect::Postgres, true) => format!("{expr} ASC"),
            (Dialect::Postgres, false) => format!("{expr} DESC NULLS LAST"),
        }
    }

    fn finish(self, sql: String) -> SqlQuery {
        SqlQuery {
            sql,
            binds: self.binds,
        }
    }
}

fn stage_binds(stages: &[LifecycleStage]) -> impl Iterator<Item = Bind> + '_ {
    stages.iter().map(|s| Bind::Text(s.as_str().to_owned()))
}

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
fn run_condition(b: &mut Builder, clause: &RunClause) -> String {
    match clause {
        RunClause::Metric { key, op, value } => {
            let key = b.text(key);
            let value = b.bind(Bind::Float(*value));
            format!(
                "runs.run_uuid IN (SELECT f.run_uuid FROM latest_metrics f \
                 WHERE f.key = {key} AND f.value {} {value})",
                op.as_sql()
            )
        }
        RunClause::Param { key, op, value } => key_value_exists(b, "params", key, *op, value),
        RunClause::Tag { key, op, value } => key_value_exists(b, "tags", key, *op, value),
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
fn key_value_exists(b: &mut Builder, table: &str, key: &str, op: StringOp, value: &str) -> String {
    let key = b.text(key);
    let condition = b.compare_string("f.value", op, value);
    format!(
        "runs.run_uuid IN (SELECT f.run_uuid FROM {table} f WHERE f.key = {key} AND {condition})"
    )
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

/// Returns the prefix that turns `EXISTS` into the condition for `test`.
fn not_if_null(test: NullTest) -> &'static str {
    match test {
        NullTest::IsNull => "NOT ",
        NullTest::IsNotNull => "",
    }
}

fn numeric_condition(b: &mut Builder, column: &str, op: NumericOp, value: Number) -> String {
    let param = b.number(value);
    format!("{column} {} {param}", op.as_sql())
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
) -> SqlQuery {
    let mut b = Builder::new(dialect);

    // Joins for ordering come first in the text, so bind them first.
    let mut joins = String::new();
    let mut order_terms = Vec::new();
    for (n, order) in order_by.iter().enumerate() {
        let alias = format!("o{}", n + 1);
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

    let mut conditions = vec![
        b.in_list(
            "runs.experiment_id",
            experiment_ids.iter().map(|&id| Bind::Int(id)),
            false,
        ),
        b.in_list("runs.lifecycle_stage", stage_binds(stages), false),
    ];
    for clause in &filter.clauses {
        conditions.push(run_condition(&mut b, clause));
    }

    let mut sql = format!(
        "SELECT runs.run_uuid AS page_id FROM runs{joins} WHERE {} ORDER BY {}",
        conditions.join(" AND "),
        order_terms.join(", ")
    );
    sql.push_str(&b.limit_offset(limit, offset));
    b.finish(sql)
}

fn experiment_time_column(attribute: ExperimentTimeAttribute) -> &'static str {
    match attribute {
        ExperimentTimeAttribute::CreationTime => "experiments.creation_time",
        ExperimentTimeAttribute::LastUpdateTime => "experiments.last_update_time",
    }
}

fn experiment_condition(b: &mut Builder, clause: &ExperimentClause) -> String {
    match clause {
        ExperimentClause::Name { op, value } => b.compare_string("experiments.name", *op, value),
        ExperimentClause::Time {
            attribute,
            op,
            value,
        } => numeric_condition(b, experiment_time_column(*attribute), *op, *value),
        ExperimentClause::Tag { key, op, value } => {
            let key = b.text(key);
            let condition = b.compare_string("t.value", *op, value);
            format!(
                "EXISTS (SELECT 1 FROM experiment_tags t \
                 WHERE t.experiment_id = experiments.experiment_id \
                 AND t.key = {key} AND {condition})"
            )
        }
        ExperimentClause::TagNull { key, test } => {
            let key = b.text(key);
            format!(
                "{}EXISTS (SELECT 1 FROM experiment_tags t \
                 WHERE t.experiment_id = experiments.experiment_id AND t.key = {key})",
                not_if_null(*test)
            )
        }
    }
}

/// MLflow's order when a search gives none.
const DEFAULT_EXPERIMENT_ORDER: [ExperimentOrderBy; 2] = [
    ExperimentOrderBy {
        key: ExperimentOrderKey::CreationTime,
        ascending: false,
    },
    ExperimentOrderBy {
        key: ExperimentOrderKey::ExperimentId,
        ascending: true,
    },
];

/// Renders an experiment search: the `experiment_id`s of experiments in `stages`
/// matching `filter`, sorted by `order_by` (or MLflow's default), one page.
pub(crate) fn search_experiments_sql(
    dialect: Dialect,
    stages: &[LifecycleStage],
    filter: &ExperimentFilter,
    order_by: &[ExperimentOrderBy],
    offset: i64,
    limit: i64,
) -> SqlQuery {
    let mut b = Builder::new(dialect);
    let mut conditions = vec![b.in_list("experiments.lifecycle_stage", stage_binds(stages), false)];
    for clause in &filter.clauses {
        conditions.push(experiment_condition(&mut b, clause));
    }

    let order_by = if order_by.is_empty() {
        &DEFAULT_EXPERIMENT_ORDER[..]
    } else {
        order_by
    };
    let mut order_terms: Vec<String> = order_by
        .iter()
        .map(|order| {
            let (column, text) = match order.key {
                ExperimentOrderKey::Name => ("experiments.name", true),
                ExperimentOrderKey::ExperimentId => ("experiments.experiment_id", false),
                ExperimentOrderKey::CreationTime => ("experiments.creation_time", false),
                ExperimentOrderKey::LastUpdateTime => ("experiments.last_update_time", false),
            };
            b.order_term(column, order.ascending, text)
        })
        .collect();
    if !order_by
        .iter()
        .any(|o| o.key == ExperimentOrderKey::ExperimentId)
    {
        order_terms.push("experiments.experiment_id DESC".to_owned());
    }

    let mut sql = format!(
        "SELECT experiments.experiment_id AS page_id FROM experiments WHERE {} ORDER BY {}",
        conditions.join(" AND "),
        order_terms.join(", ")
    );
    sql.push_str(&b.limit_offset(limit, offset));
    b.finish(sql)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::search::{
        parse_experiment_filter, parse_experiment_order_by, parse_run_filter, parse_run_order_by,
    };

    const ACTIVE: &[LifecycleStage] = &[LifecycleStage::Active];

    fn runs(dialect: Dialect, filter: &str, order_by: &[&str]) -> SqlQuery {
        let filter = parse_run_filter(filter).expect("valid filter");
        let order_by: Vec<String> = order_by.iter().map(|o| (*o).to_owned()).collect();
        let order_by = parse_run_order_by(&order_by).expect("valid order_by");
        search_runs_sql(dialect, &[1, 2], ACTIVE, &filter, &order_by, 10, 101)
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

        let pg = runs(Dialect::Postgres, "", &order);
        assert!(pg.sql.contains(
            "ORDER BY CASE WHEN o1.is_nan = 1 THEN 1 WHEN o1.value IS NULL THEN 2 ELSE 0 END, \
             o1.value DESC NULLS LAST, o2.value COLLATE \"C\" ASC, \
             o3.value COLLATE \"C\" DESC NULLS LAST, runs.status COLLATE \"C\" ASC, \
             runs.start_time DESC NULLS LAST, runs.run_uuid LIMIT"
        ));
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
        let q = search_runs_sql(Dialect::Postgres, &[], &[], &filter, &[], 0, 10);
        assert!(q.sql.contains("WHERE 1 = 0 AND 1 = 0 ORDER BY"));
        assert_eq!(q.binds, vec![Bind::Int(10), Bind::Int(0)]);
    }

    fn experiments(dialect: Dialect, filter: &str, order_by: &[&str]) -> SqlQuery {
        let filter = parse_experiment_filter(filter).expect("valid filter");
        let order_by: Vec<String> = order_by.iter().map(|o| (*o).to_owned()).collect();
        let order_by = parse_experiment_order_by(&order_by).expect("valid order_by");
        let stages = [LifecycleStage::Active, LifecycleStage::Deleted];
        search_experiments_sql(dialect, &stages, &filter, &order_by, 0, 51)
    }

    #[test]
    fn renders_experiment_searches() {
        let q = experiments(Dialect::Sqlite, "", &[]);
        assert_eq!(
            q.sql,
            "SELECT experiments.experiment_id AS page_id FROM experiments \
             WHERE experiments.lifecycle_stage IN ($1, $2) \
             ORDER BY experiments.creation_time DESC, experiments.experiment_id ASC NULLS LAST \
             LIMIT $3 OFFSET $4"
        );
        assert_eq!(
            q.binds,
            vec![text("active"), text("deleted"), Bind::Int(51), Bind::Int(0)]
        );

        let filter = "name ILIKE '%x%' AND creation_time > 5 AND tags.`k k` = 'v'";
        let q = experiments(Dialect::Postgres, filter, &["name DESC"]);
        assert_eq!(
            q.sql,
            "SELECT experiments.experiment_id AS page_id FROM experiments \
             WHERE experiments.lifecycle_stage IN ($1, $2) \
             AND experiments.name ILIKE $3 AND experiments.creation_time > $4 \
             AND EXISTS (SELECT 1 FROM experiment_tags t \
             WHERE t.experiment_id = experiments.experiment_id AND t.key = $5 AND t.value = $6) \
             ORDER BY experiments.name COLLATE \"C\" DESC NULLS LAST, \
             experiments.experiment_id DESC LIMIT $7 OFFSET $8"
        );
        assert_eq!(
            q.binds[2..6],
            [text("%x%"), Bind::Int(5), text("k k"), text("v")]
        );
    }

    #[test]
    fn renders_experiment_tag_null_tests() {
        let filter = "tags.a IS NULL AND tags.b IS NOT NULL";
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let q = experiments(dialect, filter, &[]);
            assert!(
                q.sql.contains(
                    "WHERE experiments.lifecycle_stage IN ($1, $2) \
                     AND NOT EXISTS (SELECT 1 FROM experiment_tags t \
                     WHERE t.experiment_id = experiments.experiment_id AND t.key = $3) \
                     AND EXISTS (SELECT 1 FROM experiment_tags t \
                     WHERE t.experiment_id = experiments.experiment_id AND t.key = $4) \
                     ORDER BY"
                ),
                "{dialect:?}: {}",
                q.sql
            );
            assert_eq!(
                q.binds,
                vec![
                    text("active"),
                    text("deleted"),
                    text("a"),
                    text("b"),
                    Bind::Int(51),
                    Bind::Int(0)
                ]
            );
        }
    }
}
