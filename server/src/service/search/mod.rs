//! MLflow's search filter and `order_by` languages for runs and experiments
//! (<https://mlflow.org/docs/latest/search-runs.html>,
//! <https://mlflow.org/docs/latest/search-experiments.html>), parsed into typed ASTs
//! that the SQL store renders.
//!
//! The grammar and every error message follow mlflow `mlflow/utils/search_utils.py`
//! (`SearchUtils`, `SearchExperimentsUtils`) and the checks in
//! `mlflow/store/tracking/sqlalchemy_store.py`, because clients and users match on
//! that text. A filter is comparisons joined by `AND`:
//!
//! ```text
//! metrics.acc > 0.9 AND params.`learning rate` = '0.01' AND tags."mlflow.user" LIKE 'a%'
//! attributes.run_id IN ('4f..', '9a..') AND datasets.context = 'training'
//! params.lr IS NULL AND tags.team IS NOT NULL
//! ```
//!
//! `IS NULL` / `IS NOT NULL` test whether a run has a param or tag (or an experiment a
//! tag) at all; MLflow 3.17 accepts them on no other key.
//!
//! Pipeline: `lexer` tokens -> `parser` comparisons -> `runs` / `experiments` check
//! keys, comparators and values (`values` holds the shared checks) -> [`ast`] types.
//!
//! Where MLflow's behaviour is deliberately not copied: a stray `AND` (leading,
//! trailing or doubled), which sqlparse lets through, is rejected as an invalid clause,
//! and so are comparisons with no `AND` between them, which sqlparse accepts or garbles
//! (`params.a = 'x' tags.b IS NULL` tests a param named `a = 'x' tags.b` in MLflow
//! 3.17.2); experiment comparators are accepted in any case, as MLflow's run search does.

pub mod ast;
mod experiments;
mod lexer;
mod parser;
pub mod registry;
mod runs;
mod values;

use std::fmt;

pub use ast::{
    DatasetField, ExperimentClause, ExperimentFilter, ExperimentOrderBy, ExperimentOrderKey,
    ExperimentTimeAttribute, NullTest, Number, NumericOp, RunClause, RunFilter,
    RunNumericAttribute, RunOrderBy, RunOrderKey, RunStringAttribute, StringOp, StringPredicate,
};

/// A filter or `order_by` the search languages reject. The message is MLflow's, for an
/// `INVALID_PARAMETER_VALUE` error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchError(pub String);

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SearchError {}

/// Parses a `search-runs` filter. An empty or blank filter matches every run.
///
/// Keys: `metrics.`/`metric.`, `params.`/`param.`/`parameters.`/`parameter.`,
/// `tags.`/`tag.`, `attributes.`/`attribute.`/`attr.`/`run.` (or no prefix), and
/// `datasets.`/`dataset.` (`name`, `digest`, `context`); a key may be quoted with
/// backquotes or double quotes.
pub fn parse_run_filter(filter: &str) -> Result<RunFilter, SearchError> {
    runs::filter(filter)
}

/// Parses `search-runs` `order_by` entries such as `metrics.acc DESC` or `start_time`.
/// Duplicate keys (aliases included) are rejected, as MLflow does.
pub fn parse_run_order_by(order_by: &[String]) -> Result<Vec<RunOrderBy>, SearchError> {
    runs::order_by(order_by)
}

/// Parses a `search-experiments` filter. An empty or blank filter matches every
/// experiment.
pub fn parse_experiment_filter(filter: &str) -> Result<ExperimentFilter, SearchError> {
    experiments::filter(filter)
}

/// Parses `search-experiments` `order_by` entries such as `name ASC`. An empty list
/// means MLflow's default, `creation_time DESC, experiment_id ASC`, which the store
/// applies.
pub fn parse_experiment_order_by(
    order_by: &[String],
) -> Result<Vec<ExperimentOrderBy>, SearchError> {
    experiments::order_by(order_by)
}

#[cfg(test)]
mod tests;
