//! Table tests of the public parsers: accepted filters with the AST they mean, and
//! rejected ones with the MLflow message they must carry.

use super::*;

fn s(text: &str) -> String {
    text.to_owned()
}

fn metric(key: &str, op: NumericOp, value: f64) -> RunClause {
    RunClause::Metric {
        key: s(key),
        op,
        value,
    }
}

fn param(key: &str, op: StringOp, value: &str) -> RunClause {
    RunClause::Param {
        key: s(key),
        op,
        value: s(value),
    }
}

fn tag(key: &str, op: StringOp, value: &str) -> RunClause {
    RunClause::Tag {
        key: s(key),
        op,
        value: s(value),
    }
}

fn param_null(key: &str, test: NullTest) -> RunClause {
    RunClause::ParamNull { key: s(key), test }
}

fn tag_null(key: &str, test: NullTest) -> RunClause {
    RunClause::TagNull { key: s(key), test }
}

fn attr(attribute: RunStringAttribute, predicate: StringPredicate) -> RunClause {
    RunClause::StringAttribute {
        attribute,
        predicate,
    }
}

fn time(attribute: RunNumericAttribute, op: NumericOp, value: Number) -> RunClause {
    RunClause::NumericAttribute {
        attribute,
        op,
        value,
    }
}

fn eq(value: &str) -> StringPredicate {
    StringPredicate::Compare(StringOp::Eq, s(value))
}

#[test]
fn parses_good_run_filters() {
    use NumericOp::*;
    use RunNumericAttribute::*;
    use RunStringAttribute::*;
    let cases: Vec<(&str, Vec<RunClause>)> = vec![
        ("", vec![]),
        ("   \t\n", vec![]),
        ("metrics.acc > 0.9", vec![metric("acc", Gt, 0.9)]),
        ("metric.acc>=1", vec![metric("acc", Ge, 1.0)]),
        ("metrics.loss < -1.5e-3", vec![metric("loss", Lt, -1.5e-3)]),
        ("metrics.loss <= .5", vec![metric("loss", Le, 0.5)]),
        (
            "metrics.a != 2 and metrics.b = 3",
            vec![metric("a", NotEq, 2.0), metric("b", Eq, 3.0)],
        ),
        ("metrics.`my key` = 1", vec![metric("my key", Eq, 1.0)]),
        ("metrics.\"my.key\" = 1", vec![metric("my.key", Eq, 1.0)]),
        ("metrics.a.b = 1", vec![metric("a.b", Eq, 1.0)]),
        ("`metrics`.x = 1", vec![metric("x", Eq, 1.0)]),
        ("metrics.精度 > 0.5", vec![metric("精度", Gt, 0.5)]),
        (
            "metrics.`Ünïcode key` > 0",
            vec![metric("Ünïcode key", Gt, 0.0)],
        ),
        (
            "params.lr = '0.01'",
            vec![param("lr", StringOp::Eq, "0.01")],
        ),
        (
            "param.lr != \"0.01\"",
            vec![param("lr", StringOp::NotEq, "0.01")],
        ),
        (
            "parameters.`learning rate` LIKE '0.0%'",
            vec![param("learning rate", StringOp::Like, "0.0%")],
        ),
        (
            "parameter.x ilike '%A%'",
            vec![param("x", StringOp::ILike, "%A%")],
        ),
        (
            "tags.`mlflow.runName` = 'r'",
            vec![tag("mlflow.runName", StringOp::Eq, "r")],
        ),
        (
            "tags.mlflow.user = 'u'",
            vec![tag("mlflow.user", StringOp::Eq, "u")],
        ),
        ("tag.t = ''", vec![tag("t", StringOp::Eq, "")]),
        // Quotes inside values stay as written, as in MLflow.
        ("tags.t = 'it''s'", vec![tag("t", StringOp::Eq, "it''s")]),
        (
            "tags.t = '1; DROP TABLE runs; --'",
            vec![tag("t", StringOp::Eq, "1; DROP TABLE runs; --")],
        ),
        (
            "tags.t = 'a'' OR ''1''=''1'",
            vec![tag("t", StringOp::Eq, "a'' OR ''1''=''1")],
        ),
        ("status = 'FINISHED'", vec![attr(Status, eq("FINISHED"))]),
        (
            "attributes.status != 'FAILED'",
            vec![attr(
                Status,
                StringPredicate::Compare(StringOp::NotEq, s("FAILED")),
            )],
        ),
        (
            "attr.user_id LIKE 'al%'",
            vec![attr(
                UserId,
                StringPredicate::Compare(StringOp::Like, s("al%")),
            )],
        ),
        (
            "run.artifact_uri ILIKE 's3://%'",
            vec![attr(
                ArtifactUri,
                StringPredicate::Compare(StringOp::ILike, s("s3://%")),
            )],
        ),
        ("attribute.run_name = 'r1'", vec![attr(RunName, eq("r1"))]),
        (
            "attributes.`run name` = 'r1'",
            vec![attr(RunName, eq("r1"))],
        ),
        ("\"Run Name\" = 'r1'", vec![attr(RunName, eq("r1"))]),
        ("run_id = 'abc'", vec![attr(RunId, eq("abc"))]),
        (
            "attributes.run_id IN ('a', 'b')",
            vec![attr(RunId, StringPredicate::In(vec![s("a"), s("b")]))],
        ),
        (
            "run_id not in ('a')",
            vec![attr(RunId, StringPredicate::NotIn(vec![s("a")]))],
        ),
        (
            "start_time > 1000",
            vec![time(StartTime, Gt, Number::Int(1000))],
        ),
        (
            "attributes.created >= 1.5",
            vec![time(StartTime, Ge, Number::Float(1.5))],
        ),
        ("Created < 5", vec![time(StartTime, Lt, Number::Int(5))]),
        ("end_time != 0", vec![time(EndTime, NotEq, Number::Int(0))]),
        (
            "end_time = 99999999999999999999",
            vec![time(EndTime, Eq, Number::Float(1e20))],
        ),
        (
            "datasets.name = 'mnist'",
            vec![RunClause::Dataset {
                field: DatasetField::Name,
                predicate: eq("mnist"),
            }],
        ),
        (
            "dataset.digest IN ('d1', 'd2')",
            vec![RunClause::Dataset {
                field: DatasetField::Digest,
                predicate: StringPredicate::In(vec![s("d1"), s("d2")]),
            }],
        ),
        (
            "datasets.context NOT IN ('eval')",
            vec![RunClause::Dataset {
                field: DatasetField::Context,
                predicate: StringPredicate::NotIn(vec![s("eval")]),
            }],
        ),
        (
            "metrics.a > 1 AND params.b = 'x' AND tags.c LIKE 'y%' AND status = 'RUNNING'",
            vec![
                metric("a", Gt, 1.0),
                param("b", StringOp::Eq, "x"),
                tag("c", StringOp::Like, "y%"),
                attr(Status, eq("RUNNING")),
            ],
        ),
    ];
    for (filter, clauses) in cases {
        let parsed = parse_run_filter(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        assert_eq!(parsed.clauses, clauses, "{filter:?}");
    }
}

/// `IS NULL` / `IS NOT NULL` as MLflow 3.17.2 parses them (each case checked with its
/// `SearchUtils.parse_search_filter`).
#[test]
fn parses_run_null_tests() {
    use NullTest::*;
    let cases: Vec<(&str, Vec<RunClause>)> = vec![
        ("params.lr IS NULL", vec![param_null("lr", IsNull)]),
        ("tags.team IS NOT NULL", vec![tag_null("team", IsNotNull)]),
        ("param.lr is null", vec![param_null("lr", IsNull)]),
        ("parameters.lr IS  NULL", vec![param_null("lr", IsNull)]),
        ("parameter.lr IS\tNULL", vec![param_null("lr", IsNull)]),
        ("tag.t Is Not Null", vec![tag_null("t", IsNotNull)]),
        ("tags.t IS\nNOT NULL", vec![tag_null("t", IsNotNull)]),
        (
            "params.`my key` IS NULL",
            vec![param_null("my key", IsNull)],
        ),
        ("tags.\"a.b\" IS NOT NULL", vec![tag_null("a.b", IsNotNull)]),
        (
            "tags.mlflow.user IS NULL",
            vec![tag_null("mlflow.user", IsNull)],
        ),
        ("params.a.b IS NULL", vec![param_null("a.b", IsNull)]),
        ("params.1st IS NULL", vec![param_null("1st", IsNull)]),
        (
            "metrics.a > 1 AND params.b IS NULL AND tags.c IS NOT NULL",
            vec![
                metric("a", NumericOp::Gt, 1.0),
                param_null("b", IsNull),
                tag_null("c", IsNotNull),
            ],
        ),
        (
            "params.x IS NULL AND params.x IS NOT NULL",
            vec![param_null("x", IsNull), param_null("x", IsNotNull)],
        ),
        (
            "tags.t LIKE 'a' and params.a is null",
            vec![tag("t", StringOp::Like, "a"), param_null("a", IsNull)],
        ),
        // A quoted "NULL" is a string like any other.
        (
            "params.a = \"NULL\"",
            vec![param("a", StringOp::Eq, "NULL")],
        ),
    ];
    for (filter, clauses) in cases {
        let parsed = parse_run_filter(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        assert_eq!(parsed.clauses, clauses, "{filter:?}");
    }
}

/// Null tests MLflow 3.17.2 rejects, with its messages (each checked with its
/// `SearchUtils.parse_search_filter`).
#[test]
fn rejects_bad_run_null_tests_with_mlflow_messages() {
    let only = |entity: &str, key: &str| {
        format!(
            "IS NULL / IS NOT NULL is only supported for tags and params, not for \
             '{entity}' '{key}'"
        )
    };
    let clauses = |list: &str| format!("Invalid clause(s) in filter string: {list}");
    let cases: Vec<(&str, String)> = vec![
        // Keys other than params and tags.
        ("metrics.acc IS NULL", only("metric", "acc")),
        ("metrics.a IS NOT NULL", only("metric", "a")),
        ("params.lr IS NOT NULL AND metrics.m IS NULL", only("metric", "m")),
        ("end_time IS NULL", only("attribute", "end_time")),
        ("attributes.status IS NOT NULL", only("attribute", "status")),
        ("run_id IS NULL", only("attribute", "run_id")),
        ("`Run Name` IS NULL", only("attribute", "Run Name")),
        ("created IS NULL", only("attribute", "created")),
        ("datasets.name IS NULL", only("dataset", "name")),
        ("dataset.context IS NOT NULL", only("dataset", "context")),
        // The key is checked first.
        (
            "nope IS NULL",
            format!("Invalid attribute key 'nope' specified. Valid keys are '{RUN_ATTRIBUTE_KEYS}'"),
        ),
        (
            "foo.x IS NULL",
            s("Invalid entity type 'foo'. Valid values are \
               ['metric', 'parameter', 'tag', 'attribute', 'dataset']"),
        ),
        (
            "datasets.source IS NULL",
            s("Invalid dataset key 'source' specified. Valid keys are '{'context', 'digest', 'name'}'"),
        ),
        // Malformed null tests, listed as sqlparse tokenizes them.
        ("params.lr IS 'x'", clauses("'params.lr', 'IS', ''x''")),
        ("params.lr IS NOT 'x'", clauses("'params.lr', 'IS', 'NOT', ''x''")),
        ("params.lr NOT NULL", clauses("'params.lr', 'NOT NULL'")),
        ("params.lr IS", clauses("'params.lr', 'IS'")),
        ("params.lr IS NOT", clauses("'params.lr', 'IS', 'NOT'")),
        ("params.lr IS NULL NULL", clauses("'NULL'")),
        ("params.lr IS NOT NULL NULL", clauses("'NULL'")),
        ("params.lr IS NOT   NULL", clauses("'params.lr', 'IS', 'NOT   NULL'")),
        ("params.lr IS NOT\tNULL", clauses("'params.lr', 'IS', 'NOT\tNULL'")),
        ("params.lr ISNULL", clauses("'params.lr', 'ISNULL'")),
        ("params.lr IS NUL", clauses("'params.lr', 'IS', 'NUL'")),
        ("params.lr IS NULLx", clauses("'params.lr', 'IS', 'NULLx'")),
        ("params.lr IS TRUE", clauses("'params.lr', 'IS', 'TRUE'")),
        ("params.lr NOT IS NULL", clauses("'params.lr', 'NOT', 'IS', 'NULL'")),
        ("NOT params.lr IS NULL", clauses("'NOT'")),
        ("IS NULL", clauses("'IS', 'NULL'")),
        ("NULL IS NULL", clauses("'NULL', 'IS', 'NULL'")),
        ("'params.lr' IS NULL", clauses("''params.lr'', 'IS', 'NULL'")),
        ("(params.lr IS NULL)", clauses("'(params.lr IS NULL)'")),
        ("params.lr IS NULL OR tags.a IS NULL", clauses("'OR'")),
        ("params.lr IS NULL;", clauses("';'")),
        // MLflow accepts (or garbles) comparisons with no AND between them; we do not.
        ("tags.a IS NULL tags.b IS NULL", clauses("'tags.b IS NULL'")),
        ("params.a = 'x' tags.b IS NULL", clauses("'tags.b IS NULL'")),
        ("run_id IN NULL", clauses("'run_id', 'IN', 'NULL'")),
        // `NULL` is a keyword, not a value.
        (
            "params.lr = NULL",
            s("Expected a quoted string value for parameter (e.g. 'my-value'). Got value NULL"),
        ),
        (
            "params.a LIKE NULL",
            s("Expected a quoted string value for parameter (e.g. 'my-value'). Got value NULL"),
        ),
        (
            "tags.t != null",
            s("Expected a quoted string value for tag (e.g. 'my-value'). Got value null"),
        ),
        ("status = NULL", s("Expected a quoted string value for attributes. Got value NULL")),
        (
            "datasets.name = NULL",
            s("Expected a quoted string value for dataset attributes. Got value NULL"),
        ),
        ("metrics.a = NULL", s("Expected numeric value type for metric. Found NULL")),
        (
            "start_time > NULL",
            s("Expected numeric value type for numeric attribute: start_time. Found NULL"),
        ),
        (
            "params.a = NULL.x",
            s("Parameter value is either not quoted or unidentified quote types used for \
               string value NULL.x. Use either single or double quotes."),
        ),
    ];
    for (filter, expected) in cases {
        let err = parse_run_filter(filter).expect_err(filter);
        assert_eq!(err.to_string(), expected, "{filter:?}");
    }
}

const RUN_ATTRIBUTE_KEYS: &str = "{'Created', 'Run Name', 'Run name', 'artifact_uri', \
     'created', 'end_time', 'run name', 'run_id', 'run_name', 'start_time', 'status', \
     'user_id'}";
const METRIC_OPS: &str = "{'!=', '<', '<=', '=', '>', '>='}";
const STRING_OPS: &str = "{'!=', '=', 'ILIKE', 'IN', 'LIKE', 'NOT IN'}";
/// MLflow 3.17's `VALID_PARAM_COMPARATORS` and `VALID_TAG_COMPARATORS`.
const PARAM_OPS: &str = "{'!=', '=', 'ILIKE', 'IS NOT NULL', 'IS NULL', 'LIKE'}";

#[test]
fn rejects_bad_run_filters_with_mlflow_messages() {
    let cases: Vec<(&str, String)> = vec![
        // Structure.
        ("metrics.a > 1 OR metrics.b < 2", s("Invalid clause(s) in filter string: 'OR'")),
        ("metrics.a > 1 AND", s("Invalid clause(s) in filter string: 'AND'")),
        ("AND metrics.a > 1", s("Invalid clause(s) in filter string: 'AND'")),
        ("metrics.a > 1 AND AND metrics.b > 1", s("Invalid clause(s) in filter string: 'AND'")),
        ("metrics.a > 1 metrics.b > 1", s("Invalid clause(s) in filter string: 'metrics.b > 1'")),
        ("(metrics.a > 1)", s("Invalid clause(s) in filter string: '(metrics.a > 1)'")),
        ("NOT metrics.a > 1", s("Invalid clause(s) in filter string: 'NOT'")),
        ("metrics.a", s("Invalid clause(s) in filter string: 'metrics.a'")),
        ("metrics.a >", s("Invalid clause(s) in filter string: 'metrics.a', '>'")),
        ("> 1", s("Invalid clause(s) in filter string: '>', '1'")),
        ("params.a-b = 'x'", s("Invalid clause(s) in filter string: 'params.a', '-'")),
        ("run_id IN 'a'", s("Invalid clause(s) in filter string: 'run_id', 'IN', ''a''")),
        ("run_id = ('a', 'b')", s("Invalid clause(s) in filter string: 'run_id', '=', '('a', 'b')'")),
        ("metrics.a > 1;", s("Invalid clause(s) in filter string: ';'")),
        (
            "metrics.a > 1; DROP TABLE runs",
            s("Search filter contained multiple expression 'metrics.a > 1; DROP TABLE runs'. \
               Provide AND-ed expression list."),
        ),
        // Unterminated quotes.
        ("tags.a = 'abc", s("Invalid clause(s) in filter string: unterminated quoted text 'abc")),
        ("tags.a = \"abc", s("Invalid clause(s) in filter string: unterminated quoted text \"abc")),
        ("tags.`a = 'abc'", s("Invalid clause(s) in filter string: unterminated quoted text `a = 'abc'")),
        // Keys.
        (
            "foo.a = 'x'",
            s("Invalid entity type 'foo'. Valid values are \
               ['metric', 'parameter', 'tag', 'attribute', 'dataset']"),
        ),
        ("nope = 'x'", format!("Invalid attribute key 'nope' specified. Valid keys are '{RUN_ATTRIBUTE_KEYS}'")),
        (
            "attributes.lifecycle_stage = 'active'",
            format!("Invalid attribute key 'lifecycle_stage' specified. Valid keys are '{RUN_ATTRIBUTE_KEYS}'"),
        ),
        (
            "datasets.source = 'x'",
            s("Invalid dataset key 'source' specified. Valid keys are '{'context', 'digest', 'name'}'"),
        ),
        // Values.
        ("metrics.a > '1'", s("Expected numeric value type for metric. Found '1'")),
        ("metrics.a > abc", s("Expected numeric value type for metric. Found abc")),
        ("metrics.a = nan", s("Expected numeric value type for metric. Found nan")),
        ("metrics.a LIKE 'x%'", s("Expected numeric value type for metric. Found 'x%'")),
        ("metrics.a IN ('1')", s("Expected numeric value type for metric. Found ('1')")),
        (
            "params.a = 1",
            s("Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1"),
        ),
        ("tags.a = 1", s("Expected a quoted string value for tag (e.g. 'my-value'). Got value 1")),
        (
            "params.a = abc",
            s("Parameter value is either not quoted or unidentified quote types used for \
               string value abc. Use either single or double quotes."),
        ),
        (
            "tags.a = `abc`",
            s("Parameter value is either not quoted or unidentified quote types used for \
               string value `abc`. Use either single or double quotes."),
        ),
        ("status = 1", s("Expected a quoted string value for attributes. Got value 1")),
        (
            "start_time > 'yesterday'",
            s("Expected numeric value type for numeric attribute: start_time. Found 'yesterday'"),
        ),
        ("created > x", s("Expected numeric value type for numeric attribute: created. Found x")),
        ("datasets.name = 1", s("Expected a quoted string value for dataset attributes. Got value 1")),
        (
            "status IN ('FINISHED')",
            s("Only the 'run_id' attribute supports comparison with a list of quoted string values."),
        ),
        (
            "run_id IN ()",
            s("While parsing a list in the query, expected a non-empty list of string values, \
               but got empty list"),
        ),
        (
            "run_id IN ('a' 'b')",
            s("While parsing a list in the query, expected a non-empty list of string values, \
               but got ill-formed list."),
        ),
        (
            "run_id IN ('a', 2)",
            s("While parsing a list in the query, expected string value, punctuation, or \
               whitespace, but got different type in list: ('a', 2)"),
        ),
        // Comparators, with MLflow's (sometimes unbalanced) quoting.
        ("metrics.a == 1", format!("Invalid comparator '==' not one of '{METRIC_OPS}")),
        ("metrics.a <> 1", format!("Invalid comparator '<>' not one of '{METRIC_OPS}")),
        ("metrics.a LIKE 1", format!("Invalid comparator 'LIKE' not one of '{METRIC_OPS}")),
        ("params.a > 'x'", format!("Invalid comparator '>' not one of '{PARAM_OPS}'")),
        ("params.a NOT LIKE 'x'", format!("Invalid comparator 'NOT LIKE' not one of '{PARAM_OPS}'")),
        ("params.a IN ('x')", s("Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('x')")),
        ("tags.a < 'x'", format!("Invalid comparator '<' not one of '{PARAM_OPS}")),
        ("tags.a rlike 'x'", format!("Invalid comparator 'RLIKE' not one of '{PARAM_OPS}")),
        ("status > 'x'", format!("Invalid comparator '>' not one of '{STRING_OPS}'")),
        ("start_time LIKE 1", format!("Invalid comparator 'LIKE' not one of '{STRING_OPS}")),
        ("datasets.name >= 'x'", format!("Invalid comparator '>=' not one of '{STRING_OPS}")),
    ];
    for (filter, expected) in cases {
        let err = parse_run_filter(filter).expect_err(filter);
        assert_eq!(err.to_string(), expected, "{filter:?}");
    }
}

#[test]
fn survives_very_long_filters() {
    let clause = "metrics.`a key` > 1 AND params.p = 'v'";
    let long = vec![clause; 2_000].join(" AND ");
    assert_eq!(
        parse_run_filter(&long).expect("long filter").clauses.len(),
        4_000
    );
    let huge_value = format!("tags.t = '{}'", "x".repeat(1_000_000));
    assert_eq!(
        parse_run_filter(&huge_value)
            .expect("huge value")
            .clauses
            .len(),
        1
    );
    let deep = format!("{}metrics.a > 1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse_run_filter(&deep).is_err());
    let unbalanced = "(".repeat(200_000);
    assert!(parse_run_filter(&unbalanced).is_err());
}

#[test]
fn parses_run_order_by() {
    let order =
        |items: &[&str]| parse_run_order_by(&items.iter().map(|i| s(i)).collect::<Vec<_>>());
    let parsed = order(&[
        "metrics.acc DESC",
        "params.`learning rate`",
        "tags.t asc",
        "attributes.run_name",
        "created DESC",
        "end_time",
    ])
    .expect("valid");
    assert_eq!(
        parsed,
        vec![
            RunOrderBy {
                key: RunOrderKey::Metric(s("acc")),
                ascending: false
            },
            RunOrderBy {
                key: RunOrderKey::Param(s("learning rate")),
                ascending: true
            },
            RunOrderBy {
                key: RunOrderKey::Tag(s("t")),
                ascending: true
            },
            RunOrderBy {
                key: RunOrderKey::StringAttribute(RunStringAttribute::RunName),
                ascending: true
            },
            RunOrderBy {
                key: RunOrderKey::NumericAttribute(RunNumericAttribute::StartTime),
                ascending: false
            },
            RunOrderBy {
                key: RunOrderKey::NumericAttribute(RunNumericAttribute::EndTime),
                ascending: true
            },
        ]
    );
    assert_eq!(order(&[]).expect("empty"), vec![]);

    let err = |items: &[&str]| order(items).expect_err("invalid").to_string();
    assert_eq!(
        err(&["start_time", "created DESC"]),
        "`order_by` contains duplicate fields: ['start_time', 'created DESC']"
    );
    assert_eq!(
        err(&["metrics.a", "metric.a"]),
        "`order_by` contains duplicate fields: ['metrics.a', 'metric.a']"
    );
    assert_eq!(
        err(&["`run name`"]),
        "Invalid attribute key 'run name' specified. Valid keys are '{'Created', \
         'artifact_uri', 'created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', \
         'user_id'}'"
    );
    assert_eq!(err(&["datasets.name"]), "Invalid identifier type 'dataset'");
    assert_eq!(
        err(&["metrics.a sideways"]),
        "Invalid ordering key in order_by clause 'metrics.a sideways'."
    );
    assert_eq!(
        err(&["metrics.a DESC, params.b"]),
        "Invalid order_by clause 'metrics.a DESC, params.b'. Could not be parsed."
    );
    assert_eq!(
        err(&["foo.a"]),
        "Invalid entity type 'foo'. Valid values are \
         ['metric', 'parameter', 'tag', 'attribute', 'dataset']"
    );
}

#[test]
fn parses_experiment_filters() {
    use ExperimentTimeAttribute::*;
    let cases: Vec<(&str, Vec<ExperimentClause>)> = vec![
        ("", vec![]),
        (
            "name = 'exp'",
            vec![ExperimentClause::Name {
                op: StringOp::Eq,
                value: s("exp"),
            }],
        ),
        (
            "attribute.name ILIKE '%Exp%'",
            vec![ExperimentClause::Name {
                op: StringOp::ILike,
                value: s("%Exp%"),
            }],
        ),
        (
            "creation_time > 100 AND last_update_time <= 2.5",
            vec![
                ExperimentClause::Time {
                    attribute: CreationTime,
                    op: NumericOp::Gt,
                    value: Number::Int(100),
                },
                ExperimentClause::Time {
                    attribute: LastUpdateTime,
                    op: NumericOp::Le,
                    value: Number::Float(2.5),
                },
            ],
        ),
        (
            "tags.k IS NULL AND tag.`a b` is not null",
            vec![
                ExperimentClause::TagNull {
                    key: s("k"),
                    test: NullTest::IsNull,
                },
                ExperimentClause::TagNull {
                    key: s("a b"),
                    test: NullTest::IsNotNull,
                },
            ],
        ),
        (
            "name = 'x' AND tags.k IS NOT NULL",
            vec![
                ExperimentClause::Name {
                    op: StringOp::Eq,
                    value: s("x"),
                },
                ExperimentClause::TagNull {
                    key: s("k"),
                    test: NullTest::IsNotNull,
                },
            ],
        ),
        (
            "tags.`team name` != \"ml\" AND tag.k LIKE 'v%'",
            vec![
                ExperimentClause::Tag {
                    key: s("team name"),
                    op: StringOp::NotEq,
                    value: s("ml"),
                },
                ExperimentClause::Tag {
                    key: s("k"),
                    op: StringOp::Like,
                    value: s("v%"),
                },
            ],
        ),
    ];
    for (filter, clauses) in cases {
        let parsed = parse_experiment_filter(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        assert_eq!(parsed.clauses, clauses, "{filter:?}");
    }

    let errors: Vec<(&str, String)> = vec![
        ("name = 'a' OR name = 'b'", s("Invalid clause(s) in filter string: OR")),
        (
            "metrics.a > 1",
            s("Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ),
        (
            "attr.name = 'a'",
            s("Invalid entity type 'attr'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ),
        (
            "experiment_id = '1'",
            s("Invalid attribute key 'experiment_id' specified. Valid keys are \
               '{'creation_time', 'last_update_time', 'name'}'"),
        ),
        ("name = 1", s("Expected a quoted string value for attributes. Got value 1")),
        (
            "name IN ('a')",
            s("Only the 'run_id' attribute supports comparison with a list of quoted string values."),
        ),
        (
            "creation_time > 'x'",
            s("Expected numeric value type for numeric attribute: creation_time. Found 'x'"),
        ),
        ("name > 'a'", format!("Invalid comparator '>' not one of '{STRING_OPS}'")),
        ("creation_time LIKE 1", format!("Invalid comparator 'LIKE' not one of '{STRING_OPS}")),
        ("tags.k > 'a'", s("Invalid comparator for tag: >")),
        ("tags.k = 1", s("Expected a quoted string value for tag (e.g. 'my-value'). Got value 1")),
        // Null tests: tags only (messages checked with MLflow 3.17.2).
        (
            "name IS NULL",
            s("IS NULL / IS NOT NULL is only supported for tags, not for attribute 'name'"),
        ),
        (
            "attribute.creation_time IS NOT NULL",
            s("IS NULL / IS NOT NULL is only supported for tags, not for attribute \
               'creation_time'"),
        ),
        (
            "last_update_time is null",
            s("IS NULL / IS NOT NULL is only supported for tags, not for attribute \
               'last_update_time'"),
        ),
        (
            "metrics.a IS NULL",
            s("Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ),
        (
            "params.a IS NULL",
            s("Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')"),
        ),
        ("tags.k IS 'x'", s("Invalid clause(s) in filter string: tags.k, IS, 'x'")),
        ("tags.k IS NOT   NULL", s("Invalid clause(s) in filter string: tags.k, IS, NOT   NULL")),
        ("tags.k NOT NULL", s("Invalid clause(s) in filter string: tags.k, NOT NULL")),
        ("tags.k IS NULL OR name = 'x'", s("Invalid clause(s) in filter string: OR")),
        ("name = NULL", s("Expected a quoted string value for attributes. Got value NULL")),
        (
            "tags.k = NULL",
            s("Expected a quoted string value for tag (e.g. 'my-value'). Got value NULL"),
        ),
        (
            "creation_time > NULL",
            s("Expected numeric value type for numeric attribute: creation_time. Found NULL"),
        ),
    ];
    for (filter, expected) in errors {
        let err = parse_experiment_filter(filter).expect_err(filter);
        assert_eq!(err.to_string(), expected, "{filter:?}");
    }
}

#[test]
fn parses_experiment_order_by() {
    let order =
        |items: &[&str]| parse_experiment_order_by(&items.iter().map(|i| s(i)).collect::<Vec<_>>());
    assert_eq!(
        order(&[
            "name",
            "experiment_id DESC",
            "attribute.creation_time asc",
            "last_update_time"
        ])
        .expect("valid"),
        vec![
            ExperimentOrderBy {
                key: ExperimentOrderKey::Name,
                ascending: true
            },
            ExperimentOrderBy {
                key: ExperimentOrderKey::ExperimentId,
                ascending: false
            },
            ExperimentOrderBy {
                key: ExperimentOrderKey::CreationTime,
                ascending: true
            },
            ExperimentOrderBy {
                key: ExperimentOrderKey::LastUpdateTime,
                ascending: true
            },
        ]
    );
    assert_eq!(
        order(&["tags.a"]).expect_err("tag").to_string(),
        "Invalid order_by entity: tag"
    );
    assert_eq!(
        order(&["artifact_location"]).expect_err("attr").to_string(),
        "Invalid attribute key 'artifact_location' specified. Valid keys are \
         '{'creation_time', 'experiment_id', 'last_update_time', 'name'}'"
    );
}
