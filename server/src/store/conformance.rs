//! The store conformance suite: every behaviour a `TrackingStore` must have, written
//! once as `async fn test_x(store)` and run against each backend by
//! [`conformance_suite!`]: a temp-file SQLite database and a uniquely named PostgreSQL
//! database (created for the test, dropped after), as qw's `metastore_test_suite!`.
//!
//! PostgreSQL is reached through `FERROFLOW_TEST_POSTGRES_URL` (an admin connection,
//! default `postgresql://postgres@127.0.0.1:5432/postgres`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ferroflow_protocol::{
    Dataset, DatasetInput, ExperimentTag, InputTag, LifecycleStage, Metric, Param, RunStatus,
    RunTag, ViewType,
};
use sqlx::Connection;

use super::sql::{DatabaseUri, SqlStore};
use super::*;
use crate::service::search::{
    parse_experiment_filter, parse_experiment_order_by, parse_run_filter, parse_run_order_by,
};

type TestFn = fn(Arc<SqlStore>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

const ARTIFACT_ROOT: &str = "/tmp/ferroflow-test-artifacts";

/// Runs `test` on a fresh SQLite store in a temp directory.
async fn run_sqlite(test: TestFn) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mlflow.db").display().to_string();
    let store = SqlStore::open(&DatabaseUri::Sqlite { path }, ARTIFACT_ROOT, 4)
        .await
        .expect("open sqlite store");
    let store = Arc::new(store);
    test(store.clone()).await;
    store.close().await;
}

fn postgres_admin_url() -> String {
    std::env::var("FERROFLOW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Runs `test` on a fresh PostgreSQL database, dropped afterwards even if the test fails.
async fn run_postgres(test: TestFn) {
    sqlx::any::install_default_drivers();
    let admin_url = postgres_admin_url();
    let name = format!("ferroflow_test_{}", crate::service::new_uuid());
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("connect to PostgreSQL (set FERROFLOW_TEST_POSTGRES_URL)");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("admin url");
    url.set_path(&name);
    let store = SqlStore::open(
        &DatabaseUri::Postgres {
            url: url.to_string(),
        },
        ARTIFACT_ROOT,
        4,
    )
    .await
    .expect("open postgres store");
    let store = Arc::new(store);
    let outcome = tokio::spawn(test(store.clone())).await;
    store.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop test database");
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

macro_rules! conformance_suite {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::run_sqlite(|s| Box::pin(super::$test(s))).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::run_postgres(|s| Box::pin(super::$test(s))).await;
                }
            )*
        }
    };
}

conformance_suite!(
    default_experiment_exists,
    experiment_lifecycle,
    experiment_names_are_unique,
    experiment_tags,
    search_experiments_filters_and_pages,
    run_lifecycle,
    deleted_runs_refuse_writes,
    params_are_immutable,
    latest_metric_rules,
    special_values_survive,
    log_batch_is_atomic,
    duplicate_points_are_ignored,
    metric_history_pages,
    metric_windows,
    bulk_interval_samples,
    run_name_follows_tag,
    search_runs_filters_orders_and_pages,
    dataset_inputs,
    garbage_collection,
    concurrent_writers,
    registered_model_lifecycle,
    model_versions_are_never_reused,
    aliases_follow_versions,
    stages_and_latest_versions,
    search_registry_filters_orders_and_pages,
    logged_model_lifecycle,
    logged_model_metrics,
    runs_record_model_inputs,
    search_logged_models_by_metrics,
);

// ---- helpers ----------------------------------------------------------------------

async fn new_experiment(store: &SqlStore, name: &str) -> i64 {
    store
        .create_experiment(NewExperiment {
            name: name.to_string(),
            artifact_location: None,
            tags: vec![],
            creation_time: 1_000,
        })
        .await
        .expect("create experiment")
}

async fn new_run(store: &SqlStore, experiment_id: i64, name: &str, start_time: i64) -> String {
    let run_id = crate::service::new_uuid();
    store
        .create_run(NewRun {
            run_id: run_id.clone(),
            experiment_id,
            user_id: "alice".into(),
            run_name: name.into(),
            start_time,
            tags: vec![RunTag {
                key: "mlflow.runName".into(),
                value: name.into(),
            }],
        })
        .await
        .expect("create run");
    run_id
}

fn metric(key: &str, value: f64, timestamp: i64, step: i64) -> Metric {
    Metric {
        key: key.into(),
        value,
        timestamp,
        step,
    }
}

fn batch(
    metrics: Vec<Metric>,
    params: Vec<(&str, &str)>,
    tags: Vec<(&str, &str)>,
) -> ValidLogBatch {
    ValidLogBatch {
        metrics,
        params: params
            .into_iter()
            .map(|(k, v)| Param {
                key: k.into(),
                value: v.into(),
            })
            .collect(),
        tags: tags
            .into_iter()
            .map(|(k, v)| RunTag {
                key: k.into(),
                value: v.into(),
            })
            .collect(),
        model_metrics: vec![],
    }
}

fn run_search(
    experiment_ids: Vec<i64>,
    filter: &str,
    order_by: &[&str],
    max: i64,
    offset: i64,
) -> RunSearch {
    let order_by: Vec<String> = order_by.iter().map(|s| s.to_string()).collect();
    RunSearch {
        experiment_ids,
        filter: parse_run_filter(filter).expect("filter"),
        order_by: parse_run_order_by(&order_by).expect("order_by"),
        view: ViewType::ActiveOnly,
        max_results: max,
        offset,
    }
}

async fn history(store: &SqlStore, run_id: &str, key: &str) -> Vec<Metric> {
    store
        .get_metric_history(run_id, key, 0, None)
        .await
        .expect("history")
        .items
}

// ---- experiments --------------------------------------------------------------------

async fn default_experiment_exists(store: Arc<SqlStore>) {
    let default = store.get_experiment(0).await.unwrap();
    assert_eq!(default.name, "Default");
    assert_eq!(default.artifact_location, format!("{ARTIFACT_ROOT}/0"));
    // Opening again (a restart) must not duplicate or fail.
    store.migrate().await.unwrap();
    assert_eq!(new_experiment(&store, "first").await, 1);
}

async fn experiment_lifecycle(store: Arc<SqlStore>) {
    let id = new_experiment(&store, "life").await;
    let run_id = new_run(&store, id, "r", 10).await;
    store.delete_experiment(id, 2_000).await.unwrap();
    let exp = store.get_experiment(id).await.unwrap();
    assert_eq!(exp.lifecycle_stage, LifecycleStage::Deleted);
    assert_eq!(exp.last_update_time, Some(2_000));
    // Runs follow their experiment.
    assert_eq!(
        store.get_run(&run_id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
    assert!(matches!(
        store.delete_experiment(id, 3_000).await,
        Err(StoreError::NotFound(..))
    ));
    assert!(matches!(
        store.rename_experiment(id, "x", 3_000).await,
        Err(StoreError::InvalidState(_))
    ));
    store.restore_experiment(id, 4_000).await.unwrap();
    assert_eq!(
        store.get_run(&run_id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    store.rename_experiment(id, "renamed", 5_000).await.unwrap();
    assert_eq!(
        store
            .get_experiment_by_name("renamed")
            .await
            .unwrap()
            .unwrap()
            .experiment_id,
        id.to_string()
    );
    assert!(store
        .get_experiment_by_name("life")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.get_experiment(999).await,
        Err(StoreError::NotFound(Entity::Experiment, _))
    ));
}

async fn experiment_names_are_unique(store: Arc<SqlStore>) {
    let id = new_experiment(&store, "dup").await;
    store.delete_experiment(id, 2).await.unwrap();
    // Unique among active and deleted alike, as MLflow.
    let err = store
        .create_experiment(NewExperiment {
            name: "dup".into(),
            artifact_location: Some("s3://b/x".into()),
            tags: vec![],
            creation_time: 3,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AlreadyExists(ref m) if m.contains("dup")),
        "{err}"
    );
    let other = new_experiment(&store, "other").await;
    assert!(matches!(
        store.rename_experiment(other, "dup", 4).await,
        Err(StoreError::AlreadyExists(_))
    ));
}

async fn experiment_tags(store: Arc<SqlStore>) {
    let id = store
        .create_experiment(NewExperiment {
            name: "tagged".into(),
            artifact_location: Some("file:///elsewhere".into()),
            tags: vec![ExperimentTag {
                key: "team".into(),
                value: "a".into(),
            }],
            creation_time: 1,
        })
        .await
        .unwrap();
    store
        .set_experiment_tag(
            id,
            &ExperimentTag {
                key: "team".into(),
                value: "b".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_experiment_tag(
            id,
            &ExperimentTag {
                key: "x".into(),
                value: "1".into(),
            },
        )
        .await
        .unwrap();
    let exp = store.get_experiment(id).await.unwrap();
    assert_eq!(exp.artifact_location, "file:///elsewhere");
    assert_eq!(
        exp.tags,
        vec![
            ExperimentTag {
                key: "team".into(),
                value: "b".into()
            },
            ExperimentTag {
                key: "x".into(),
                value: "1".into()
            },
        ]
    );
    store.delete_experiment_tag(id, "x").await.unwrap();
    assert!(matches!(
        store.delete_experiment_tag(id, "x").await,
        Err(StoreError::NotFound(..))
    ));
    assert_eq!(store.get_experiment(id).await.unwrap().tags.len(), 1);
}

async fn search_experiments_filters_and_pages(store: Arc<SqlStore>) {
    for i in 0..5 {
        let id = store
            .create_experiment(NewExperiment {
                name: format!("exp-{i}"),
                artifact_location: None,
                tags: vec![ExperimentTag {
                    key: "parity".into(),
                    value: (i % 2).to_string(),
                }],
                creation_time: 100 + i,
            })
            .await
            .unwrap();
        if i == 4 {
            store.delete_experiment(id, 500).await.unwrap();
        }
    }
    let search = |filter: &str, order: &[&str], view, max, offset| ExperimentSearch {
        filter: parse_experiment_filter(filter).unwrap(),
        order_by: parse_experiment_order_by(
            &order.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
        .unwrap(),
        view,
        max_results: max,
        offset,
    };
    let names = |page: &Page<ferroflow_protocol::Experiment>| {
        page.items
            .iter()
            .map(|e| e.name.clone())
            .collect::<Vec<_>>()
    };
    let page = store
        .search_experiments(&search(
            "name LIKE 'exp-%'",
            &["name ASC"],
            ViewType::ActiveOnly,
            2,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-0", "exp-1"]);
    assert_eq!(page.next_offset, Some(2));
    let page = store
        .search_experiments(&search(
            "name LIKE 'exp-%'",
            &["name ASC"],
            ViewType::ActiveOnly,
            2,
            2,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-2", "exp-3"]);
    assert_eq!(page.next_offset, None);
    let page = store
        .search_experiments(&search("tags.parity = '0'", &[], ViewType::All, 10, 0))
        .await
        .unwrap();
    // Default order: newest first.
    assert_eq!(names(&page), vec!["exp-4", "exp-2", "exp-0"]);
    let page = store
        .search_experiments(&search("", &[], ViewType::DeletedOnly, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-4"]);
    let page = store
        .search_experiments(&search(
            "name ILIKE 'EXP-1'",
            &[],
            ViewType::ActiveOnly,
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["exp-1"]);
}

// ---- runs ---------------------------------------------------------------------------

async fn run_lifecycle(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "runs").await;
    let run_id = new_run(&store, exp, "first", 1_000).await;
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(run.info.run_id.len(), 32);
    assert_eq!(run.info.status, RunStatus::Running);
    assert_eq!(run.info.user_id, "alice");
    assert_eq!(
        run.info.artifact_uri,
        format!("{ARTIFACT_ROOT}/{exp}/{run_id}/artifacts")
    );
    let info = store
        .update_run(
            &run_id,
            &RunUpdate {
                status: Some(RunStatus::Finished),
                end_time: Some(2_000),
                run_name: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (info.status, info.end_time, info.run_name.as_str()),
        (RunStatus::Finished, Some(2_000), "first")
    );
    store.delete_run(&run_id, 3_000).await.unwrap();
    // Deleting twice is accepted, as in MLflow's store.
    store.delete_run(&run_id, 3_000).await.unwrap();
    store.restore_run(&run_id).await.unwrap();
    assert_eq!(
        store.get_run(&run_id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    assert!(matches!(
        store.get_run("0123456789abcdef0123456789abcdef").await,
        Err(StoreError::NotFound(Entity::Run, _))
    ));
    store.delete_experiment(exp, 4_000).await.unwrap();
    let err = store
        .create_run(NewRun {
            run_id: crate::service::new_uuid(),
            experiment_id: exp,
            user_id: String::new(),
            run_name: "late".into(),
            start_time: 5,
            tags: vec![],
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput(_)), "{err}");
}

async fn deleted_runs_refuse_writes(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    store.delete_run(&run_id, 2).await.unwrap();
    let err = store
        .log_batch(
            &run_id,
            &batch(vec![metric("m", 1.0, 1, 0)], vec![], vec![]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidInput(ref m) if m.contains("must be in the 'active' state")),
        "{err}"
    );
    assert!(matches!(
        store.delete_tag(&run_id, "mlflow.runName").await,
        Err(StoreError::InvalidInput(_))
    ));
    assert!(matches!(
        store
            .update_run(
                &run_id,
                &RunUpdate {
                    status: Some(RunStatus::Failed),
                    end_time: None,
                    run_name: None
                }
            )
            .await,
        Err(StoreError::InvalidInput(_))
    ));
}

async fn params_are_immutable(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    store
        .log_batch(&run_id, &batch(vec![], vec![("lr", "0.1")], vec![]))
        .await
        .unwrap();
    // The same value again is fine.
    store
        .log_batch(&run_id, &batch(vec![], vec![("lr", "0.1")], vec![]))
        .await
        .unwrap();
    let err = store
        .log_batch(&run_id, &batch(vec![], vec![("lr", "0.2")], vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidInput(ref m) if m.contains("Changing param values is not allowed")),
        "{err}"
    );
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(
        run.data.params,
        vec![Param {
            key: "lr".into(),
            value: "0.1".into()
        }]
    );
}

async fn latest_metric_rules(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    // Higher step wins even when logged first and older.
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("a", 5.0, 10, 3)], vec![], vec![]),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("a", 7.0, 99, 2)], vec![], vec![]),
        )
        .await
        .unwrap();
    // Same step: later timestamp wins; same step and timestamp: larger value wins.
    store
        .log_batch(
            &run_id,
            &batch(
                vec![metric("b", 1.0, 5, 1), metric("b", 0.5, 6, 1)],
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("c", 1.0, 5, 1)], vec![], vec![]),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &run_id,
            &batch(
                vec![metric("c", 2.0, 5, 1), metric("c", 0.0, 5, 1)],
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    let run = store.get_run(&run_id).await.unwrap();
    let latest: Vec<(String, f64)> = run
        .data
        .metrics
        .iter()
        .map(|m| (m.key.clone(), m.value))
        .collect();
    assert_eq!(
        latest,
        vec![("a".into(), 5.0), ("b".into(), 0.5), ("c".into(), 2.0)]
    );
}

async fn special_values_survive(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let points = vec![
        metric("x", f64::NAN, 1, 0),
        metric("x", f64::INFINITY, 1, 1),
        metric("x", f64::NEG_INFINITY, 1, 2),
        metric("x", -0.125, 1, 3),
        metric("x", 1e300, 1, 4),
    ];
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let values: Vec<f64> = history(&store, &run_id, "x")
        .await
        .iter()
        .map(|m| m.value)
        .collect();
    assert!(values[0].is_nan());
    assert_eq!(
        &values[1..],
        &[f64::INFINITY, f64::NEG_INFINITY, -0.125, 1e300]
    );
    store
        .log_batch(
            &run_id,
            &batch(vec![metric("y", f64::NAN, 1, 9)], vec![], vec![]),
        )
        .await
        .unwrap();
    let run = store.get_run(&run_id).await.unwrap();
    assert!(run
        .data
        .metrics
        .iter()
        .find(|m| m.key == "y")
        .unwrap()
        .value
        .is_nan());
}

async fn log_batch_is_atomic(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    store
        .log_batch(&run_id, &batch(vec![], vec![("p", "1")], vec![]))
        .await
        .unwrap();
    let bad = batch(
        (0..100).map(|i| metric("m", i as f64, 1, i)).collect(),
        vec![("q", "new"), ("p", "changed")],
        vec![("t", "v")],
    );
    assert!(store.log_batch(&run_id, &bad).await.is_err());
    let run = store.get_run(&run_id).await.unwrap();
    assert!(
        history(&store, &run_id, "m").await.is_empty(),
        "metrics of a failed batch were written"
    );
    assert_eq!(
        run.data.params.len(),
        1,
        "params of a failed batch were written"
    );
    assert!(
        run.data.tags.iter().all(|t| t.key != "t"),
        "tags of a failed batch were written"
    );
}

async fn duplicate_points_are_ignored(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let points: Vec<Metric> = (0..10).map(|i| metric("m", i as f64, 100, i)).collect();
    store
        .log_batch(&run_id, &batch(points.clone(), vec![], vec![]))
        .await
        .unwrap();
    // A retried request (same points) leaves exactly one copy of each.
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    assert_eq!(history(&store, &run_id, "m").await.len(), 10);
}

async fn metric_history_pages(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let points: Vec<Metric> = (0..1000)
        .rev()
        .map(|i| metric("loss", 1.0 / (i + 1) as f64, i, i))
        .collect();
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let all = history(&store, &run_id, "loss").await;
    assert_eq!(all.len(), 1000);
    assert!(
        all.windows(2).all(|w| w[0].step < w[1].step),
        "history is in step order"
    );
    let first = store
        .get_metric_history(&run_id, "loss", 0, Some(400))
        .await
        .unwrap();
    assert_eq!((first.items.len(), first.next_offset), (400, Some(400)));
    let last = store
        .get_metric_history(&run_id, "loss", 800, Some(400))
        .await
        .unwrap();
    assert_eq!((last.items.len(), last.next_offset), (200, None));
    assert_eq!(last.items[0].step, 800);
    assert!(history(&store, &run_id, "nope").await.is_empty());
}

async fn metric_windows(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    // Steps rise while timestamps fall, so the two axes order points differently.
    let mut points: Vec<Metric> = (0..100)
        .map(|i| metric("m", i as f64, 1_000 - i, i))
        .collect();
    points.push(metric("m", f64::NAN, 2_000, 100));
    points.push(metric("m", f64::NEG_INFINITY, 2_001, 101));
    store
        .log_batch(&run_id, &batch(points, vec![], vec![]))
        .await
        .unwrap();
    let window = |by_timestamp, start, end| MetricWindow {
        by_timestamp,
        start,
        end,
    };
    let steps = store
        .get_metric_window(&run_id, "m", window(false, 10, 19))
        .await
        .unwrap();
    assert_eq!(
        steps.iter().map(|p| p.step).collect::<Vec<_>>(),
        (10..20).collect::<Vec<_>>()
    );
    assert_eq!((steps[0].timestamp, steps[0].value), (990, 10.0));
    let times = store
        .get_metric_window(&run_id, "m", window(true, 990, 999))
        .await
        .unwrap();
    assert_eq!(
        times.iter().map(|p| p.timestamp).collect::<Vec<_>>(),
        (990..1000).collect::<Vec<_>>(),
        "a time window is in timestamp order"
    );
    let tail = store
        .get_metric_window(&run_id, "m", window(false, 100, i64::MAX))
        .await
        .unwrap();
    assert!(tail[0].value.is_nan());
    assert_eq!(tail[1].value, f64::NEG_INFINITY);
    let everything = window(false, i64::MIN, i64::MAX);
    assert_eq!(
        store
            .get_metric_window(&run_id, "m", everything)
            .await
            .unwrap()
            .len(),
        102
    );
    assert!(store
        .get_metric_window(&run_id, "other", everything)
        .await
        .unwrap()
        .is_empty());
}

async fn bulk_interval_samples(store: Arc<SqlStore>) {
    let a = new_run(&store, 0, "a", 1).await;
    let b = new_run(&store, 0, "b", 2).await;
    store
        .log_batch(
            &a,
            &batch(
                (0..1000).map(|i| metric("m", i as f64, i, i)).collect(),
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    store
        .log_batch(
            &b,
            &batch(
                (0..50).map(|i| metric("m", i as f64, i, i * 3)).collect(),
                vec![],
                vec![],
            ),
        )
        .await
        .unwrap();
    let points = store
        .get_metric_history_bulk_interval(&HistoryInterval {
            run_ids: vec![a.clone(), b.clone()],
            key: "m".into(),
            start_step: None,
            end_step: None,
            max_results: 100,
        })
        .await
        .unwrap();
    let of = |run: &str| {
        points
            .iter()
            .filter(|p| p.run_id == run)
            .map(|p| p.step)
            .collect::<Vec<_>>()
    };
    let (steps_a, steps_b) = (of(&a), of(&b));
    assert!(
        steps_a.len() <= 104 && steps_a.len() >= 90,
        "{}",
        steps_a.len()
    );
    assert_eq!((steps_a[0], *steps_a.last().unwrap()), (0, 999));
    assert_eq!(
        *steps_b.last().unwrap(),
        147,
        "each run keeps its last step"
    );
    let window = store
        .get_metric_history_bulk_interval(&HistoryInterval {
            run_ids: vec![a.clone()],
            key: "m".into(),
            start_step: Some(10),
            end_step: Some(19),
            max_results: 100,
        })
        .await
        .unwrap();
    assert_eq!(
        window.iter().map(|p| p.step).collect::<Vec<_>>(),
        (10..20).collect::<Vec<_>>()
    );
}

async fn run_name_follows_tag(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "before", 1).await;
    store
        .log_batch(
            &run_id,
            &batch(vec![], vec![], vec![("mlflow.runName", "after")]),
        )
        .await
        .unwrap();
    assert_eq!(store.get_run(&run_id).await.unwrap().info.run_name, "after");
    let info = store
        .update_run(
            &run_id,
            &RunUpdate {
                status: None,
                end_time: None,
                run_name: Some("third".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(info.run_name, "third");
    let run = store.get_run(&run_id).await.unwrap();
    assert!(run.data.tags.contains(&RunTag {
        key: "mlflow.runName".into(),
        value: "third".into()
    }));
}

async fn search_runs_filters_orders_and_pages(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "search").await;
    let mut ids = Vec::new();
    for i in 0..12i64 {
        let run_id = new_run(&store, exp, &format!("run-{i:02}"), 1_000 + i).await;
        let mut metrics = vec![metric("acc", i as f64 / 10.0, 1, 0)];
        if i == 5 {
            metrics.clear(); // one run without the metric: sorted last either way
        }
        let parity = if i % 2 == 0 { "even" } else { "odd" };
        store
            .log_batch(
                &run_id,
                &batch(
                    metrics,
                    vec![("parity", parity)],
                    vec![("group", if i < 6 { "low" } else { "high" })],
                ),
            )
            .await
            .unwrap();
        ids.push(run_id);
    }
    let names = |page: &Page<ferroflow_protocol::Run>| {
        page.items
            .iter()
            .map(|r| r.info.run_name.clone())
            .collect::<Vec<_>>()
    };

    let page = store
        .search_runs(&run_search(
            vec![exp],
            "metrics.acc > 0.75",
            &["metrics.acc DESC"],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["run-11", "run-10", "run-09", "run-08"]);
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "params.parity = 'odd' and tags.group = 'low'",
            &[],
            100,
            0,
        ))
        .await
        .unwrap();
    // Default order: start_time DESC.
    assert_eq!(names(&page), vec!["run-05", "run-03", "run-01"]);
    let page = store
        .search_runs(&run_search(vec![exp], "", &["metrics.acc ASC"], 100, 0))
        .await
        .unwrap();
    assert_eq!(
        names(&page).last().map(String::as_str),
        Some("run-05"),
        "missing metric sorts last (ASC)"
    );
    let page = store
        .search_runs(&run_search(vec![exp], "", &["metrics.acc DESC"], 100, 0))
        .await
        .unwrap();
    assert_eq!(
        names(&page).last().map(String::as_str),
        Some("run-05"),
        "missing metric sorts last (DESC)"
    );
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "attributes.run_name LIKE 'run-1%'",
            &["attributes.run_name ASC"],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["run-10", "run-11"]);
    let filter = format!("attributes.run_id IN ('{}', '{}')", ids[0], ids[1]);
    assert_eq!(
        store
            .search_runs(&run_search(vec![exp], &filter, &[], 100, 0))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "attributes.start_time >= 1010",
            &[],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&page), vec!["run-11", "run-10"]);
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "tags.group ILIKE 'HIGH'",
            &[],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 6);

    // Paging: 5 + 5 + 2, no duplicates or omissions.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .search_runs(&run_search(
                vec![exp],
                "",
                &["params.parity ASC"],
                5,
                offset,
            ))
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|r| r.info.run_id.clone()));
        match page.next_offset {
            Some(next) => offset = next,
            None => break,
        }
    }
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);

    store.delete_run(&ids[0], 5).await.unwrap();
    let mut deleted = run_search(vec![exp], "", &[], 100, 0);
    deleted.view = ViewType::DeletedOnly;
    assert_eq!(
        names(&store.search_runs(&deleted).await.unwrap()),
        vec!["run-00"]
    );
    assert_eq!(
        store
            .search_runs(&run_search(vec![exp], "", &[], 100, 0))
            .await
            .unwrap()
            .items
            .len(),
        11
    );
    // A full run comes back: params, tags and latest metrics.
    let page = store
        .search_runs(&run_search(vec![exp], "metrics.acc = 1.1", &[], 10, 0))
        .await
        .unwrap();
    let run = &page.items[0];
    assert_eq!(
        run.data.params,
        vec![Param {
            key: "parity".into(),
            value: "odd".into()
        }]
    );
    assert_eq!(run.data.metrics.len(), 1);
    assert!(run
        .data
        .tags
        .iter()
        .any(|t| t.key == "group" && t.value == "high"));
}

async fn dataset_inputs(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "data").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    let other = new_run(&store, exp, "o", 2).await;
    let input = DatasetInput {
        tags: vec![InputTag {
            key: "mlflow.data.context".into(),
            value: "train".into(),
        }],
        dataset: Dataset {
            name: "airline".into(),
            digest: "abc123".into(),
            source_type: "local".into(),
            source: "{\"uri\": \"/data/airline.csv\"}".into(),
            schema: Some("{}".into()),
            profile: None,
        },
    };
    store
        .log_inputs(&run_id, std::slice::from_ref(&input), &[])
        .await
        .unwrap();
    store
        .log_inputs(&run_id, std::slice::from_ref(&input), &[])
        .await
        .unwrap(); // idempotent
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(run.inputs.dataset_inputs, vec![input]);
    let page = store
        .search_runs(&run_search(
            vec![exp],
            "datasets.context = 'train' AND datasets.name = 'airline'",
            &[],
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|r| r.info.run_id.clone())
            .collect::<Vec<_>>(),
        vec![run_id]
    );
    assert!(store
        .get_run(&other)
        .await
        .unwrap()
        .inputs
        .dataset_inputs
        .is_empty());
}

async fn garbage_collection(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "gc").await;
    let keep = new_run(&store, exp, "keep", 1).await;
    let old = new_run(&store, exp, "old", 1).await;
    let recent = new_run(&store, exp, "recent", 1).await;
    store
        .log_batch(
            &old,
            &batch(vec![metric("m", 1.0, 1, 1)], vec![("p", "1")], vec![]),
        )
        .await
        .unwrap();
    store.delete_run(&old, 1_000).await.unwrap();
    store.delete_run(&recent, 9_000).await.unwrap();
    assert_eq!(
        store.purge_deleted(Some(5_000), &[], &[]).await.unwrap(),
        (1, 0)
    );
    assert!(matches!(
        store.get_run(&old).await,
        Err(StoreError::NotFound(..))
    ));
    assert!(
        history(&store, &old, "m").await.is_empty(),
        "history went with its run"
    );
    assert!(store.get_run(&recent).await.is_ok());
    store.delete_experiment(exp, 10_000).await.unwrap();
    let (_, experiments) = store.purge_deleted(None, &[], &[]).await.unwrap();
    assert_eq!(experiments, 1);
    assert!(matches!(
        store.get_run(&keep).await,
        Err(StoreError::NotFound(..))
    ));
}

async fn concurrent_writers(store: Arc<SqlStore>) {
    // 20 writers logging at once must never see "database is locked".
    let run_ids: Vec<String> = {
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(new_run(&store, 0, &format!("w{i}"), i).await);
        }
        ids
    };
    let mut tasks = Vec::new();
    for (w, run_id) in run_ids.iter().cloned().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..10i64 {
                let points = (0..50)
                    .map(|i| {
                        metric(
                            "m",
                            (w as i64 * 1000 + round * 50 + i) as f64,
                            round,
                            round * 50 + i,
                        )
                    })
                    .collect();
                store
                    .log_batch(&run_id, &batch(points, vec![], vec![("round", "x")]))
                    .await
                    .expect("concurrent log_batch");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for run_id in &run_ids {
        assert_eq!(history(&store, run_id, "m").await.len(), 500);
    }
}

// ---- model registry and logged models -----------------------------------------------

use crate::service::search::registry::LoggedModelOrderKey;
use crate::service::search::registry::{
    model_version_filter, model_version_order_by, registered_model_filter,
    registered_model_order_by,
};
use crate::service::search::NumericOp;
use crate::store::registry::{
    LoggedModelClause, LoggedModelSearch, LoggedModelStringKey, NewLoggedModel, NewModelVersion,
    NewRegisteredModel, RegistrySearch,
};
use ferroflow_protocol::{
    LoggedModelParameter, LoggedModelStatus, LoggedModelTag, ModelInput, ModelOutput,
    ModelVersionTag, RegisteredModelTag,
};

async fn new_registered_model(store: &SqlStore, name: &str, time: i64) {
    store
        .create_registered_model(NewRegisteredModel {
            name: name.into(),
            tags: vec![],
            description: None,
            creation_time: time,
        })
        .await
        .expect("create registered model");
}

async fn new_version(store: &SqlStore, name: &str, source: &str, time: i64) -> i64 {
    store
        .create_model_version(NewModelVersion {
            name: name.into(),
            source: source.into(),
            storage_location: source.into(),
            run_id: Some("r1".into()),
            run_link: None,
            description: None,
            tags: vec![],
            model_id: None,
            creation_time: time,
        })
        .await
        .expect("create model version")
        .version
        .parse()
        .unwrap()
}

fn registry_search(
    filter: &str,
    order_by: &[&str],
    versions: bool,
    max: i64,
    offset: i64,
) -> RegistrySearch {
    let order_by: Vec<String> = order_by.iter().map(|s| s.to_string()).collect();
    RegistrySearch {
        filter: if versions {
            model_version_filter(filter).expect("filter")
        } else {
            registered_model_filter(filter).expect("filter")
        },
        order_by: if versions {
            model_version_order_by(&order_by).expect("order_by")
        } else {
            registered_model_order_by(&order_by).expect("order_by")
        },
        max_results: max,
        offset,
    }
}

async fn registered_model_lifecycle(store: Arc<SqlStore>) {
    let created = store
        .create_registered_model(NewRegisteredModel {
            name: "clf".into(),
            tags: vec![RegisteredModelTag {
                key: "team".into(),
                value: "a".into(),
            }],
            description: Some("first".into()),
            creation_time: 10,
        })
        .await
        .unwrap();
    assert_eq!(created.name, "clf");
    assert_eq!(created.creation_timestamp, Some(10));
    assert_eq!(created.description.as_deref(), Some("first"));
    assert_eq!(created.tags.len(), 1);
    let err = store
        .create_registered_model(NewRegisteredModel {
            name: "clf".into(),
            tags: vec![],
            description: None,
            creation_time: 11,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::AlreadyExists(m) if m == "Registered Model (name=clf) already exists."),
        "{err}"
    );

    let updated = store
        .update_registered_model("clf", Some("second"), 20)
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("second"));
    assert_eq!(updated.last_updated_timestamp, Some(20));

    store
        .set_registered_model_tag(
            "clf",
            &RegisteredModelTag {
                key: "team".into(),
                value: "b".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_registered_model_tag(
            "clf",
            &RegisteredModelTag {
                key: "x".into(),
                value: "1".into(),
            },
        )
        .await
        .unwrap();
    store.delete_registered_model_tag("clf", "x").await.unwrap();
    store
        .delete_registered_model_tag("clf", "absent")
        .await
        .unwrap();
    let model = store.get_registered_model("clf").await.unwrap();
    assert_eq!(
        model.tags,
        vec![RegisteredModelTag {
            key: "team".into(),
            value: "b".into()
        }]
    );

    // Renaming carries versions, their tags and aliases.
    let v1 = new_version(&store, "clf", "s3://b/m1", 30).await;
    store
        .set_model_version_tag(
            "clf",
            v1,
            &ModelVersionTag {
                key: "k".into(),
                value: "v".into(),
            },
        )
        .await
        .unwrap();
    store
        .set_registered_model_alias("clf", "champion", v1)
        .await
        .unwrap();
    new_registered_model(&store, "taken", 1).await;
    assert!(matches!(
        store.rename_registered_model("clf", "taken", 40).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let renamed = store
        .rename_registered_model("clf", "clf2", 40)
        .await
        .unwrap();
    assert_eq!(renamed.name, "clf2");
    assert_eq!(renamed.latest_versions.len(), 1);
    assert_eq!(renamed.aliases[0].alias, "champion");
    assert!(matches!(
        store.get_registered_model("clf").await,
        Err(StoreError::NotFound(Entity::RegisteredModel, m)) if m == "Registered Model with name=clf not found"
    ));
    let version = store.get_model_version("clf2", v1).await.unwrap();
    assert_eq!(version.name, "clf2");
    assert_eq!(version.tags[0].key, "k");
    assert_eq!(version.aliases, vec!["champion".to_string()]);

    // Deleting the model deletes its versions and aliases.
    store.delete_registered_model("clf2").await.unwrap();
    assert!(matches!(
        store.get_model_version("clf2", v1).await,
        Err(StoreError::NotFound(..))
    ));
    assert!(matches!(
        store.delete_registered_model("clf2").await,
        Err(StoreError::NotFound(..))
    ));
    new_registered_model(&store, "clf2", 50).await;
    assert_eq!(new_version(&store, "clf2", "s3://b/m", 51).await, 1);
    assert!(store
        .get_model_version_by_alias("clf2", "champion")
        .await
        .is_err());
}

async fn model_versions_are_never_reused(store: Arc<SqlStore>) {
    new_registered_model(&store, "m", 1).await;
    for i in 1..=3 {
        assert_eq!(new_version(&store, "m", &format!("s3://b/{i}"), i).await, i);
    }
    store.delete_model_version("m", 3, 10).await.unwrap();
    assert!(matches!(
        store.get_model_version("m", 3).await,
        Err(StoreError::NotFound(Entity::ModelVersion, m)) if m == "Model Version (name=m, version=3) not found"
    ));
    assert!(matches!(
        store.delete_model_version("m", 3, 11).await,
        Err(StoreError::NotFound(..))
    ));
    assert_eq!(new_version(&store, "m", "s3://b/4", 12).await, 4);
    assert!(store.get_model_version_download_uri("m", 3).await.is_err());
    assert_eq!(
        store.get_model_version_download_uri("m", 4).await.unwrap(),
        "s3://b/4"
    );
    let page = store
        .search_model_versions(&registry_search("name = 'm'", &[], true, 10, 0))
        .await
        .unwrap();
    let numbers: Vec<&str> = page.items.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(numbers, vec!["4", "2", "1"]);
    // Versions of an unknown model cannot be created.
    assert!(matches!(
        store
            .create_model_version(NewModelVersion {
                name: "nope".into(),
                source: "s3://x".into(),
                storage_location: "s3://x".into(),
                run_id: None,
                run_link: None,
                description: None,
                tags: vec![],
                model_id: None,
                creation_time: 1,
            })
            .await,
        Err(StoreError::NotFound(Entity::RegisteredModel, _))
    ));
    let updated = store
        .update_model_version("m", 1, Some("desc"), 99)
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("desc"));
    assert_eq!(updated.last_updated_timestamp, Some(99));
    assert_eq!(
        updated.status,
        ferroflow_protocol::ModelVersionStatus::Ready
    );
    assert_eq!(updated.current_stage, "None");
}

async fn aliases_follow_versions(store: Arc<SqlStore>) {
    new_registered_model(&store, "m", 1).await;
    let v1 = new_version(&store, "m", "s3://b/1", 2).await;
    let v2 = new_version(&store, "m", "s3://b/2", 3).await;
    assert!(matches!(
        store.set_registered_model_alias("m", "champion", 7).await,
        Err(StoreError::NotFound(Entity::ModelVersion, _))
    ));
    store
        .set_registered_model_alias("m", "champion", v1)
        .await
        .unwrap();
    store
        .set_registered_model_alias("m", "challenger", v2)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_model_version_by_alias("m", "champion")
            .await
            .unwrap()
            .version,
        "1"
    );
    // Moving an alias.
    store
        .set_registered_model_alias("m", "champion", v2)
        .await
        .unwrap();
    let v = store
        .get_model_version_by_alias("m", "champion")
        .await
        .unwrap();
    assert_eq!(v.version, "2");
    assert_eq!(
        v.aliases,
        vec!["challenger".to_string(), "champion".to_string()]
    );
    let model = store.get_registered_model("m").await.unwrap();
    assert_eq!(model.aliases.len(), 2);
    // Deleting a version drops its aliases.
    store.delete_model_version("m", v2, 5).await.unwrap();
    assert!(matches!(
        store.get_model_version_by_alias("m", "champion").await,
        Err(StoreError::InvalidInput(m)) if m == "Registered model alias champion not found."
    ));
    store
        .set_registered_model_alias("m", "x", v1)
        .await
        .unwrap();
    store.delete_registered_model_alias("m", "x").await.unwrap();
    store.delete_registered_model_alias("m", "x").await.unwrap();
    assert!(store.get_model_version_by_alias("m", "x").await.is_err());
    assert!(matches!(
        store.delete_registered_model_alias("nope", "x").await,
        Err(StoreError::NotFound(Entity::RegisteredModel, _))
    ));
}

async fn stages_and_latest_versions(store: Arc<SqlStore>) {
    new_registered_model(&store, "m", 1).await;
    for i in 1..=4 {
        new_version(&store, "m", &format!("s3://b/{i}"), i).await;
    }
    store
        .transition_model_version_stage("m", 1, "Production", false, 10)
        .await
        .unwrap();
    store
        .transition_model_version_stage("m", 2, "Staging", false, 11)
        .await
        .unwrap();
    let v3 = store
        .transition_model_version_stage("m", 3, "Production", true, 12)
        .await
        .unwrap();
    assert_eq!(v3.current_stage, "Production");
    assert_eq!(
        store.get_model_version("m", 1).await.unwrap().current_stage,
        "Archived"
    );
    let latest = store.get_latest_versions("m", &[]).await.unwrap();
    let mut pairs: Vec<(String, String)> = latest
        .iter()
        .map(|v| (v.current_stage.clone(), v.version.clone()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("Archived".into(), "1".into()),
            ("None".into(), "4".into()),
            ("Production".into(), "3".into()),
            ("Staging".into(), "2".into()),
        ]
    );
    let prod = store
        .get_latest_versions("m", &["Production"])
        .await
        .unwrap();
    assert_eq!(prod.len(), 1);
    assert_eq!(prod[0].version, "3");
    assert!(matches!(
        store.get_latest_versions("nope", &[]).await,
        Err(StoreError::NotFound(..))
    ));
}

async fn search_registry_filters_orders_and_pages(store: Arc<SqlStore>) {
    for (i, name) in ["alpha", "Beta", "gamma", "delta"].iter().enumerate() {
        new_registered_model(&store, name, i as i64).await;
    }
    store
        .set_registered_model_tag(
            "gamma",
            &RegisteredModelTag {
                key: "team".into(),
                value: "vision".into(),
            },
        )
        .await
        .unwrap();
    // A prompt is left out unless asked for.
    store
        .create_registered_model(NewRegisteredModel {
            name: "prompt".into(),
            tags: vec![RegisteredModelTag {
                key: "mlflow.prompt.is_prompt".into(),
                value: "true".into(),
            }],
            description: None,
            creation_time: 9,
        })
        .await
        .unwrap();
    let names = |page: &Page<ferroflow_protocol::RegisteredModel>| {
        page.items
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
    };
    let all = store
        .search_registered_models(&registry_search("", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&all), vec!["Beta", "alpha", "delta", "gamma"]);
    let like = store
        .search_registered_models(&registry_search("name LIKE '%a'", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&like), vec!["Beta", "alpha", "delta", "gamma"]);
    let case = store
        .search_registered_models(&registry_search("name LIKE 'b%'", &[], false, 10, 0))
        .await
        .unwrap();
    assert!(case.items.is_empty());
    let ilike = store
        .search_registered_models(&registry_search("name ILIKE 'b%'", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&ilike), vec!["Beta"]);
    let tagged = store
        .search_registered_models(&registry_search("tags.team = 'vision'", &[], false, 10, 0))
        .await
        .unwrap();
    assert_eq!(names(&tagged), vec!["gamma"]);
    let prompts = store
        .search_registered_models(&registry_search(
            "tags.`mlflow.prompt.is_prompt` = 'true'",
            &[],
            false,
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(&prompts), vec!["prompt"]);
    let first = store
        .search_registered_models(&registry_search("", &["timestamp DESC"], false, 2, 0))
        .await
        .unwrap();
    // gamma was touched last (tag set), then delta (3), Beta... by creation order.
    assert_eq!(names(&first), vec!["delta", "gamma"]);
    assert_eq!(first.next_offset, Some(2));
    let second = store
        .search_registered_models(&registry_search("", &["timestamp DESC"], false, 2, 2))
        .await
        .unwrap();
    assert_eq!(names(&second), vec!["Beta", "alpha"]);
    assert_eq!(second.next_offset, None);

    for name in ["alpha", "gamma"] {
        for i in 0..3 {
            new_version(&store, name, &format!("s3://b/{name}/{i}"), 100 + i).await;
        }
    }
    store
        .set_model_version_tag(
            "gamma",
            2,
            &ModelVersionTag {
                key: "approved".into(),
                value: "yes".into(),
            },
        )
        .await
        .unwrap();
    let versions = |page: &Page<ferroflow_protocol::ModelVersion>| {
        page.items
            .iter()
            .map(|v| format!("{}/{}", v.name, v.version))
            .collect::<Vec<_>>()
    };
    let page = store
        .search_model_versions(&registry_search(
            "name IN ('alpha', 'gamma') AND version_number >= 2",
            &["name DESC", "version_number ASC"],
            true,
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(
        versions(&page),
        vec!["gamma/2", "gamma/3", "alpha/2", "alpha/3"]
    );
    let page = store
        .search_model_versions(&registry_search("tags.approved = 'yes'", &[], true, 10, 0))
        .await
        .unwrap();
    assert_eq!(versions(&page), vec!["gamma/2"]);
    let page = store
        .search_model_versions(&registry_search(
            "source_path LIKE 's3://b/alpha/%' AND run_id = 'r1'",
            &["version_number DESC"],
            true,
            2,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(versions(&page), vec!["alpha/3", "alpha/2"]);
    assert_eq!(page.next_offset, Some(2));
}

async fn logged_model_metrics(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "model-metrics").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    store
        .create_logged_model(NewLoggedModel {
            model_id: "m-0002".into(),
            experiment_id: exp,
            name: "model".into(),
            model_type: None,
            source_run_id: Some(run_id.clone()),
            params: vec![],
            tags: vec![],
            creation_time: 5,
        })
        .await
        .unwrap();
    let link = |metric: Metric, model_id: &str| ModelMetricLink {
        model_id: model_id.into(),
        metric,
        dataset_name: Some("eval".into()),
        dataset_digest: Some("abc".into()),
    };
    let mut linked = batch(vec![metric("acc", 0.5, 10, 1)], vec![], vec![]);
    linked.model_metrics = vec![link(metric("acc", 0.5, 10, 1), "m-0002")];
    // Logged twice: the model keeps the point once, like the run's history.
    for _ in 0..2 {
        store.log_batch(&run_id, &linked).await.unwrap();
    }
    let nan = metric("loss", f64::NAN, 11, 2);
    let mut second = batch(vec![nan.clone()], vec![], vec![]);
    second.model_metrics = vec![link(nan, "m-0002")];
    store.log_batch(&run_id, &second).await.unwrap();

    let model = store.get_logged_model("m-0002").await.unwrap();
    let metrics = &model.data.metrics;
    assert_eq!(metrics.len(), 2, "{metrics:?}");
    assert_eq!(
        (metrics[0].key.as_str(), metrics[0].value, metrics[0].step),
        ("acc", 0.5, 1)
    );
    assert_eq!(metrics[0].run_id, run_id);
    assert_eq!(metrics[0].dataset_digest.as_deref(), Some("abc"));
    assert!(metrics[1].value.is_nan());

    // An unknown model fails the whole batch: not even the run's own point is written.
    let mut unknown = batch(vec![metric("f1", 0.9, 12, 3)], vec![], vec![]);
    unknown.model_metrics = vec![link(metric("f1", 0.9, 12, 3), "m-missing")];
    let err = store.log_batch(&run_id, &unknown).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(..)), "{err:?}");
    assert!(history(&store, &run_id, "f1").await.is_empty());
}

async fn search_logged_models_by_metrics(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "scored-models").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    // Model a: acc 0.7 then 0.9 on "eval"; b: acc 0.8 on "train"; c: no metrics.
    let points = [
        ("m-a", 0.7, 1, "eval"),
        ("m-a", 0.9, 2, "eval"),
        ("m-b", 0.8, 1, "train"),
    ];
    for (i, id) in ["m-a", "m-b", "m-c"].into_iter().enumerate() {
        store
            .create_logged_model(NewLoggedModel {
                model_id: id.into(),
                experiment_id: exp,
                name: id.into(),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: i as i64,
            })
            .await
            .unwrap();
    }
    for (model_id, value, step, dataset) in points {
        let point = metric("acc", value, step, step);
        let mut linked = batch(vec![point.clone()], vec![], vec![]);
        linked.model_metrics = vec![ModelMetricLink {
            model_id: model_id.into(),
            metric: point,
            dataset_name: Some(dataset.into()),
            dataset_digest: None,
        }];
        store.log_batch(&run_id, &linked).await.unwrap();
    }
    let search = |clauses, datasets: Vec<(&str, Option<&str>)>, order_by| LoggedModelSearch {
        experiment_ids: vec![exp],
        clauses,
        datasets: datasets
            .into_iter()
            .map(|(n, d)| (n.to_owned(), d.map(str::to_owned)))
            .collect(),
        order_by,
        max_results: 10,
        offset: 0,
    };
    let ids = |page: Page<ferroflow_protocol::LoggedModel>| {
        page.items
            .into_iter()
            .map(|m| m.info.model_id)
            .collect::<Vec<_>>()
    };
    let above = |value| LoggedModelClause::Metric {
        key: "acc".into(),
        op: NumericOp::Gt,
        value,
    };
    let found = store
        .search_logged_models(&search(vec![above(0.75)], vec![], vec![]))
        .await
        .unwrap();
    assert_eq!(
        ids(found),
        vec!["m-b", "m-a"],
        "any point counts, newest first"
    );
    let found = store
        .search_logged_models(&search(vec![above(0.75)], vec![("train", None)], vec![]))
        .await
        .unwrap();
    assert_eq!(ids(found), vec!["m-b"]);
    let found = store
        .search_logged_models(&search(vec![], vec![("eval", None)], vec![]))
        .await
        .unwrap();
    assert_eq!(
        ids(found),
        vec!["m-a"],
        "datasets alone: models with metrics on them"
    );
    let by_acc = |ascending| {
        vec![(
            LoggedModelOrderKey::Metric {
                name: "acc".into(),
                dataset_name: None,
                dataset_digest: None,
            },
            ascending,
        )]
    };
    // a's latest acc is 0.9; c has none and sorts last either way.
    let found = store
        .search_logged_models(&search(vec![], vec![], by_acc(true)))
        .await
        .unwrap();
    assert_eq!(ids(found), vec!["m-b", "m-a", "m-c"]);
    let found = store
        .search_logged_models(&search(vec![], vec![], by_acc(false)))
        .await
        .unwrap();
    assert_eq!(ids(found), vec!["m-a", "m-b", "m-c"]);
}

async fn runs_record_model_inputs(store: Arc<SqlStore>) {
    let run_id = new_run(&store, 0, "r", 1).await;
    let used = ModelInput {
        model_id: "m-0003".into(),
    };
    for _ in 0..2 {
        store
            .log_inputs(&run_id, &[], std::slice::from_ref(&used))
            .await
            .unwrap();
    }
    let run = store.get_run(&run_id).await.unwrap();
    assert_eq!(run.inputs.model_inputs, vec![used]);
    assert!(run.inputs.dataset_inputs.is_empty());
}

async fn logged_model_lifecycle(store: Arc<SqlStore>) {
    let exp = new_experiment(&store, "models").await;
    let run_id = new_run(&store, exp, "r", 1).await;
    let model = store
        .create_logged_model(NewLoggedModel {
            model_id: "m-0001".into(),
            experiment_id: exp,
            name: "model".into(),
            model_type: Some("agent".into()),
            source_run_id: Some(run_id.clone()),
            params: vec![LoggedModelParameter {
                key: "lr".into(),
                value: "0.1".into(),
            }],
            tags: vec![LoggedModelTag {
                key: "t".into(),
                value: "1".into(),
            }],
            creation_time: 5,
        })
        .await
        .unwrap();
    assert_eq!(model.info.status, LoggedModelStatus::Pending);
    assert_eq!(model.info.experiment_id, exp.to_string());
    assert_eq!(
        model.info.artifact_uri,
        format!("{ARTIFACT_ROOT}/{exp}/models/m-0001/artifacts")
    );
    assert_eq!(model.data.params.len(), 1);
    assert_eq!(model.info.tags.len(), 1);

    let ready = store
        .finalize_logged_model("m-0001", LoggedModelStatus::Ready, 6)
        .await
        .unwrap();
    assert_eq!(ready.info.status, LoggedModelStatus::Ready);
    assert_eq!(ready.info.last_updated_timestamp_ms, Some(6));
    store
        .set_logged_model_tags(
            "m-0001",
            &[
                LoggedModelTag {
                    key: "t".into(),
                    value: "2".into(),
                },
                LoggedModelTag {
                    key: "u".into(),
                    value: "3".into(),
                },
            ],
        )
        .await
        .unwrap();
    store.delete_logged_model_tag("m-0001", "u").await.unwrap();
    assert!(matches!(
        store.delete_logged_model_tag("m-0001", "u").await,
        Err(StoreError::NotFound(..))
    ));
    store
        .log_logged_model_params(
            "m-0001",
            &[LoggedModelParameter {
                key: "epochs".into(),
                value: "3".into(),
            }],
        )
        .await
        .unwrap();
    let got = store.get_logged_model("m-0001").await.unwrap();
    assert_eq!(
        got.info.tags,
        vec![LoggedModelTag {
            key: "t".into(),
            value: "2".into()
        }]
    );
    assert_eq!(got.data.params.len(), 2);

    store
        .log_outputs(
            &run_id,
            &[ModelOutput {
                model_id: "m-0001".into(),
                step: 3,
            }],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_run(&run_id).await.unwrap().outputs.model_outputs,
        vec![ModelOutput {
            model_id: "m-0001".into(),
            step: 3
        }]
    );
    assert!(matches!(
        store.log_outputs("nope", &[]).await,
        Err(StoreError::NotFound(Entity::Run, _))
    ));

    // Search by attribute and tag, in creation order.
    for (i, id) in ["m-0002", "m-0003"].iter().enumerate() {
        store
            .create_logged_model(NewLoggedModel {
                model_id: (*id).into(),
                experiment_id: exp,
                name: format!("other{i}"),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: 10 + i as i64,
            })
            .await
            .unwrap();
    }
    let search = |clauses: Vec<LoggedModelClause>, max: i64, offset: i64| LoggedModelSearch {
        experiment_ids: vec![exp],
        clauses,
        datasets: vec![],
        order_by: vec![],
        max_results: max,
        offset,
    };
    let ids = |page: Page<ferroflow_protocol::LoggedModel>| {
        page.items
            .into_iter()
            .map(|m| m.info.model_id)
            .collect::<Vec<_>>()
    };
    let page = store
        .search_logged_models(&search(vec![], 2, 0))
        .await
        .unwrap();
    assert_eq!(page.next_offset, Some(2));
    assert_eq!(ids(page), vec!["m-0003", "m-0002"]);
    let page = store
        .search_logged_models(&search(
            crate::service::search::registry::logged_model_filter(
                "name = 'model' AND tags.t = '2' AND params.lr = '0.1'",
            )
            .unwrap(),
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(ids(page), vec!["m-0001"]);
    let page = store
        .search_logged_models(&search(
            vec![LoggedModelClause::Attribute {
                key: LoggedModelStringKey::Status,
                predicate: crate::service::search::StringPredicate::Compare(
                    crate::service::search::StringOp::Eq,
                    "LOGGED_MODEL_PENDING".into(),
                ),
            }],
            10,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(ids(page), vec!["m-0003", "m-0002"]);

    // Deleted models read as absent.
    store.delete_logged_model("m-0002", 20).await.unwrap();
    assert!(matches!(
        store.get_logged_model("m-0002").await,
        Err(StoreError::NotFound(Entity::LoggedModel, m)) if m == "Logged model with ID 'm-0002' not found."
    ));
    assert_eq!(
        ids(store
            .search_logged_models(&search(vec![], 10, 0))
            .await
            .unwrap()),
        vec!["m-0003", "m-0001"]
    );
    // Only active experiments take new models.
    store.delete_experiment(exp, 30).await.unwrap();
    assert!(matches!(
        store
            .create_logged_model(NewLoggedModel {
                model_id: "m-0004".into(),
                experiment_id: exp,
                name: "late".into(),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: 31,
            })
            .await,
        Err(StoreError::InvalidInput(_))
    ));
    assert!(matches!(
        store
            .create_logged_model(NewLoggedModel {
                model_id: "m-0005".into(),
                experiment_id: 999,
                name: "x".into(),
                model_type: None,
                source_run_id: None,
                params: vec![],
                tags: vec![],
                creation_time: 31,
            })
            .await,
        Err(StoreError::NotFound(Entity::Experiment, _))
    ));
}
