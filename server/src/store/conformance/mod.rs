//! The store conformance suite: every behaviour a `TrackingStore` must have, written
//! once as `async fn test_x(store)` and run against each backend by
//! [`conformance_suite!`]: a temp-file SQLite database and a uniquely named PostgreSQL
//! database (created for the test, dropped after), as qw's `metastore_test_suite!`.
//! The tests live one file per resource beside this one; the harness and shared helpers
//! live here.
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
use crate::service::search::registry::LoggedModelOrderKey;
use crate::service::search::registry::{
    model_version_filter, model_version_order_by, registered_model_filter,
    registered_model_order_by,
};
use crate::service::search::NumericOp;
use crate::service::search::{
    parse_experiment_filter, parse_experiment_order_by, parse_run_filter, parse_run_order_by,
};
use crate::store::registry::{
    LoggedModelClause, LoggedModelSearch, LoggedModelStringKey, NewLoggedModel, NewModelVersion,
    NewRegisteredModel, RegistrySearch,
};
use ferroflow_protocol::{
    LoggedModelParameter, LoggedModelStatus, LoggedModelTag, ModelInput, ModelOutput,
    ModelVersionTag, RegisteredModelTag,
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
    // Every pooled connection runs without JIT (see `postgres::SESSION_SETTINGS`).
    assert_eq!(store.postgres_setting("jit").await, "off");
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

mod experiments;
mod logged_models;
mod metrics;
mod registry;
mod runs;
mod search;

use experiments::*;
use logged_models::*;
use metrics::*;
use registry::*;
use runs::*;
use search::*;

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
    nul_characters_are_kept_or_refused,
    latest_metric_rules,
    special_values_survive,
    log_batch_is_atomic,
    duplicate_points_are_ignored,
    metric_history_pages,
    metric_windows,
    metric_tiles_follow_every_write,
    metric_tiles_read_by_range,
    bulk_interval_samples,
    run_name_follows_tag,
    search_runs_filters_orders_and_pages,
    search_runs_order_metric_ranks,
    search_runs_metric_order_pages,
    search_runs_metric_window_keeps_edge_ties,
    dataset_inputs,
    garbage_collection,
    concurrent_creates_fail_alone,
    concurrent_metric_batches_fail_alone,
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
