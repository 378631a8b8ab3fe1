//! Renders parsed run and experiment searches ([`crate::service::search`]) to SQL
//! `SELECT`s of ids for SQLite or PostgreSQL ([`runs`], [`experiments`]), with every user
//! value (keys included) bound as `$N`, never spliced into the text.
//!
//! The shapes follow MLflow's SQLAlchemy store (mlflow
//! `mlflow/store/tracking/sqlalchemy_store.py`):
//! - each metric, param, tag and dataset comparison must hold for some row of its table
//!   (MLflow inner-joins a filtered subquery; we use a semi-join, which never duplicates
//!   runs): metric, param and tag comparisons are `runs.run_uuid IN (SELECT ...)` over
//!   the `(key, value)` index — uncorrelated, so the engine evaluates the filter once
//!   from the index instead of probing every run (about 2x faster on 10,000 runs);
//!   dataset conditions are `EXISTS`. Metrics compare the latest value as stored, so a
//!   NaN (stored as 0) compares as 0, as in MLflow. The top query of a metric-ordered
//!   run search (SQLite) looks at few runs, so it probes each with a correlated `EXISTS`;
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
use crate::service::search::{NullTest, Number, NumericOp, StringOp, StringPredicate};

mod experiments;
mod logged_models;
mod run_window;
mod runs;

pub(crate) use experiments::search_experiments_sql;
pub(crate) use logged_models::search_logged_models_sql;
pub(crate) use runs::search_runs_sql;

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

    /// The engine the statement is written for.
    pub(super) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Binds `bind` and returns its placeholder.
    pub(super) fn bind(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    pub(super) fn text(&mut self, value: &str) -> String {
        self.bind(Bind::Text(value.to_owned()))
    }

    pub(super) fn number(&mut self, value: Number) -> String {
        self.bind(match value {
            Number::Int(value) => Bind::Int(value),
            Number::Float(value) => Bind::Float(value),
        })
    }

    /// Returns `column IN ($a, $b, ...)`, or a false condition for no values.
    pub(super) fn in_list(
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
    pub(super) fn limit_offset(&mut self, limit: i64, offset: i64) -> String {
        let limit = self.bind(Bind::Int(limit));
        let offset = self.bind(Bind::Int(offset));
        format!(" LIMIT {limit} OFFSET {offset}")
    }

    /// Returns an ORDER BY term for `expr` with missing values last in either direction.
    /// Each engine gets the spelling that is its default where one exists, so existing
    /// indexes (`start_time DESC` on SQLite) stay usable.
    pub(super) fn order_term(&self, expr: &str, ascending: bool, text: bool) -> String {
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

    pub(super) fn finish(self, sql: String) -> SqlQuery {
        SqlQuery {
            sql,
            binds: self.binds,
        }
    }
}

pub(super) fn stage_binds(stages: &[LifecycleStage]) -> impl Iterator<Item = Bind> + '_ {
    stages.iter().map(|s| Bind::Text(s.as_str().to_owned()))
}

/// Returns the prefix that turns `EXISTS` into the condition for `test`.
pub(super) fn not_if_null(test: NullTest) -> &'static str {
    match test {
        NullTest::IsNull => "NOT ",
        NullTest::IsNotNull => "",
    }
}

pub(super) fn numeric_condition(
    b: &mut Builder,
    column: &str,
    op: NumericOp,
    value: Number,
) -> String {
    let param = b.number(value);
    format!("{column} {} {param}", op.as_sql())
}
