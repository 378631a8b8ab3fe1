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
    // The probe reads the metric by run and key, and tests its value outside.
    assert!(
        top.sql.contains(
            "EXISTS (SELECT 1 FROM (SELECT * FROM latest_metrics \
             WHERE run_uuid = runs.run_uuid AND key = $8 OFFSET 0) f \
             WHERE f.value < $9 OFFSET 0)"
        ),
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
    assert!(q
        .sql
        .ends_with("ORDER BY runs.start_time ASC NULLS LAST, runs.run_uuid LIMIT $4 OFFSET $5"));
}

#[test]
fn matches_nothing_without_experiments_or_stages() {
    let filter = RunFilter::default();
    let q = search_runs_sql(Dialect::Postgres, &[], &[], &filter, &[], 0, 10).full;
    assert!(q.sql.contains("WHERE 1 = 0 AND 1 = 0 ORDER BY"));
    assert_eq!(q.binds, vec![Bind::Int(10), Bind::Int(0)]);
}
