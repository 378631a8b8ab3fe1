//! Typed search filters and orderings for runs and experiments: what a parsed, checked
//! MLflow filter string means. The SQL store renders these (`store/sql/search.rs`); no
//! key, comparator or value here can be invalid for its kind.

/// A numeric comparator (MLflow's `VALID_METRIC_COMPARATORS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumericOp {
    /// `=`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl NumericOp {
    /// Returns the SQL operator.
    pub fn as_sql(self) -> &'static str {
        match self {
            NumericOp::Eq => "=",
            NumericOp::NotEq => "!=",
            NumericOp::Lt => "<",
            NumericOp::Le => "<=",
            NumericOp::Gt => ">",
            NumericOp::Ge => ">=",
        }
    }

    pub(super) fn parse(comparator: &str) -> Option<Self> {
        Some(match comparator {
            "=" => NumericOp::Eq,
            "!=" => NumericOp::NotEq,
            "<" => NumericOp::Lt,
            "<=" => NumericOp::Le,
            ">" => NumericOp::Gt,
            ">=" => NumericOp::Ge,
            _ => return None,
        })
    }
}

/// A comparator on a single string (MLflow's `VALID_PARAM_COMPARATORS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringOp {
    /// `=`, case-sensitive.
    Eq,
    /// `!=`, case-sensitive.
    NotEq,
    /// `LIKE`, case-sensitive, `%` and `_` wildcards.
    Like,
    /// `ILIKE`, case-insensitive `LIKE`.
    ILike,
}

impl StringOp {
    pub(super) fn parse(comparator: &str) -> Option<Self> {
        Some(match comparator {
            "=" => StringOp::Eq,
            "!=" => StringOp::NotEq,
            "LIKE" => StringOp::Like,
            "ILIKE" => StringOp::ILike,
            _ => return None,
        })
    }
}

/// `IS NULL` or `IS NOT NULL`: whether an entity has a key at all. MLflow 3.17 accepts
/// these for run params and tags and for experiment tags only
/// (`VALID_PARAM_COMPARATORS`, `VALID_TAG_COMPARATORS` in
/// `mlflow/utils/search_utils.py`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullTest {
    /// `IS NULL`: the key is absent.
    IsNull,
    /// `IS NOT NULL`: the key is present, whatever its value (an empty string counts).
    IsNotNull,
}

/// A condition on a string that may also be tested against a list
/// (MLflow's `VALID_STRING_ATTRIBUTE_COMPARATORS`).
#[derive(Clone, Debug, PartialEq)]
pub enum StringPredicate {
    /// `op 'value'`
    Compare(StringOp, String),
    /// `IN ('a', 'b')`; the list is never empty.
    In(Vec<String>),
    /// `NOT IN ('a', 'b')`; the list is never empty.
    NotIn(Vec<String>),
}

/// A number literal, kept integral when written so: integer columns then compare with
/// an integer bind (PostgreSQL types `$n` from the bind).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// Written without fraction or exponent, and fits in `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
}

impl Number {
    pub(super) fn parse(text: &str, integer: bool) -> Option<Self> {
        if integer {
            if let Ok(value) = text.parse::<i64>() {
                return Some(Number::Int(value));
            }
        }
        text.parse::<f64>().ok().map(Number::Float)
    }

    /// Returns the value as `f64`.
    pub fn as_f64(self) -> f64 {
        match self {
            // Metric values are doubles; precision beyond 2^53 is lost as in MLflow.
            Number::Int(value) => value as f64,
            Number::Float(value) => value,
        }
    }
}

/// A string attribute of a run (`RunInfo`'s searchable attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunStringAttribute {
    /// `run_id`: column `run_uuid`.
    RunId,
    /// `run_name`, also `run name`, `Run name`, `Run Name`: column `name`.
    RunName,
    /// `status`.
    Status,
    /// `user_id`.
    UserId,
    /// `artifact_uri`.
    ArtifactUri,
}

/// A numeric (millisecond timestamp) attribute of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunNumericAttribute {
    /// `start_time`, also `created` and `Created`.
    StartTime,
    /// `end_time`.
    EndTime,
}

/// A dataset field a run filter can test (MLflow's `DATASET_ATTRIBUTES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatasetField {
    /// The dataset's name.
    Name,
    /// The dataset's digest.
    Digest,
    /// The input's `mlflow.data.context` tag (`training`, `eval`, ...).
    Context,
}

/// One comparison of a run filter.
#[derive(Clone, Debug, PartialEq)]
pub enum RunClause {
    /// `metrics.<key> <op> <number>`, against the latest value of the metric.
    Metric {
        /// The metric key.
        key: String,
        /// The comparator.
        op: NumericOp,
        /// The number compared with.
        value: f64,
    },
    /// `params.<key> <op> '<value>'`.
    Param {
        /// The param key.
        key: String,
        /// The comparator.
        op: StringOp,
        /// The string compared with (a pattern for LIKE/ILIKE).
        value: String,
    },
    /// `tags.<key> <op> '<value>'`.
    Tag {
        /// The tag key.
        key: String,
        /// The comparator.
        op: StringOp,
        /// The string compared with.
        value: String,
    },
    /// `params.<key> IS [NOT] NULL`: the run lacks (has) the param.
    ParamNull {
        /// The param key.
        key: String,
        /// Which test.
        test: NullTest,
    },
    /// `tags.<key> IS [NOT] NULL`: the run lacks (has) the tag.
    TagNull {
        /// The tag key.
        key: String,
        /// Which test.
        test: NullTest,
    },
    /// `attributes.<string attribute> ...`; lists only for `run_id`.
    StringAttribute {
        /// The attribute.
        attribute: RunStringAttribute,
        /// The condition.
        predicate: StringPredicate,
    },
    /// `attributes.<numeric attribute> <op> <number>`.
    NumericAttribute {
        /// The attribute.
        attribute: RunNumericAttribute,
        /// The comparator.
        op: NumericOp,
        /// The number compared with.
        value: Number,
    },
    /// `datasets.<field> ...`: some dataset input of the run matches.
    Dataset {
        /// The field.
        field: DatasetField,
        /// The condition.
        predicate: StringPredicate,
    },
}

/// A parsed run filter: every clause must hold (MLflow supports only `AND`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunFilter {
    /// The clauses, in the order written.
    pub clauses: Vec<RunClause>,
}

/// What a run ordering sorts by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RunOrderKey {
    /// A string attribute.
    StringAttribute(RunStringAttribute),
    /// A numeric attribute.
    NumericAttribute(RunNumericAttribute),
    /// The latest value of a metric; runs without it sort last, NaN just before them.
    Metric(String),
    /// A param value; runs without it sort last.
    Param(String),
    /// A tag value; runs without it sort last.
    Tag(String),
}

/// One `order_by` entry of a run search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOrderBy {
    /// What to sort by.
    pub key: RunOrderKey,
    /// Ascending unless `DESC` was given.
    pub ascending: bool,
}

/// A numeric (millisecond timestamp) attribute of an experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExperimentTimeAttribute {
    /// `creation_time`.
    CreationTime,
    /// `last_update_time`.
    LastUpdateTime,
}

/// One comparison of an experiment filter.
#[derive(Clone, Debug, PartialEq)]
pub enum ExperimentClause {
    /// `name <op> '<value>'`.
    Name {
        /// The comparator.
        op: StringOp,
        /// The string compared with.
        value: String,
    },
    /// `creation_time|last_update_time <op> <number>`.
    Time {
        /// The attribute.
        attribute: ExperimentTimeAttribute,
        /// The comparator.
        op: NumericOp,
        /// The number compared with.
        value: Number,
    },
    /// `tags.<key> <op> '<value>'`.
    Tag {
        /// The tag key.
        key: String,
        /// The comparator.
        op: StringOp,
        /// The string compared with.
        value: String,
    },
    /// `tags.<key> IS [NOT] NULL`: the experiment lacks (has) the tag.
    TagNull {
        /// The tag key.
        key: String,
        /// Which test.
        test: NullTest,
    },
}

/// A parsed experiment filter: every clause must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExperimentFilter {
    /// The clauses, in the order written.
    pub clauses: Vec<ExperimentClause>,
}

/// What an experiment ordering sorts by (MLflow's
/// `SearchExperimentsUtils.VALID_ORDER_BY_ATTRIBUTE_KEYS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExperimentOrderKey {
    /// `name`.
    Name,
    /// `experiment_id`.
    ExperimentId,
    /// `creation_time`.
    CreationTime,
    /// `last_update_time`.
    LastUpdateTime,
}

/// One `order_by` entry of an experiment search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExperimentOrderBy {
    /// What to sort by.
    pub key: ExperimentOrderKey,
    /// Ascending unless `DESC` was given.
    pub ascending: bool,
}
