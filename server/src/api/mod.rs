//! The HTTP layer: MLflow's REST routes, mounted under `/api/2.0/mlflow` and
//! `/ajax-api/2.0/mlflow` as `mlflow/server/handlers.py` `_get_paths` does. Handlers
//! parse, call one service function and serialize; nothing else lives here.
//!
//! Every route answers GET (query string) and POST (JSON body): MLflow's clients use
//! both forms, and accepting both costs nothing.

mod artifacts;
pub mod error;
mod experiments;
pub mod extract;
mod metrics;
mod runs;

use axum::routing::{get, post, put, MethodRouter};
use axum::Router;

use crate::service::artifacts::ArtifactService;
use crate::AppState;

/// Returns a route answering GET and POST with the same handler.
fn both<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState> + Clone,
    T: 'static,
{
    get(handler.clone()).post(handler)
}

/// The tracking routes, relative to an API prefix.
fn tracking_routes() -> Router<AppState> {
    Router::new()
        .route("/experiments/create", both(experiments::create))
        .route("/experiments/get", both(experiments::get))
        .route("/experiments/get-by-name", both(experiments::get_by_name))
        .route("/experiments/delete", both(experiments::delete))
        .route("/experiments/restore", both(experiments::restore))
        .route("/experiments/update", both(experiments::update))
        .route("/experiments/search", both(experiments::search))
        .route(
            "/experiments/set-experiment-tag",
            both(experiments::set_tag),
        )
        .route(
            "/experiments/delete-experiment-tag",
            both(experiments::delete_tag),
        )
        .route("/runs/create", both(runs::create))
        .route("/runs/get", both(runs::get))
        .route("/runs/update", both(runs::update))
        .route("/runs/delete", both(runs::delete))
        .route("/runs/restore", both(runs::restore))
        .route("/runs/search", both(runs::search))
        .route("/runs/log-parameter", both(runs::log_param))
        .route("/runs/log-metric", both(runs::log_metric))
        .route("/runs/set-tag", both(runs::set_tag))
        .route("/runs/delete-tag", both(runs::delete_tag))
        .route("/runs/log-batch", both(runs::log_batch))
        .route("/runs/log-inputs", both(runs::log_inputs))
        .route("/runs/log-model", both(runs::log_model))
        .route("/artifacts/list", both(artifacts::list_run_artifacts))
        .route("/metrics/get-history", both(metrics::get_history))
        .route(
            "/metrics/get-history-bulk-interval",
            both(metrics::get_history_bulk_interval),
        )
}

/// The REST API under both of MLflow's prefixes, and the UI's `/get-artifact`.
pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/api/2.0/mlflow", tracking_routes())
        .nest("/ajax-api/2.0/mlflow", tracking_routes())
        .route("/get-artifact", get(artifacts::get_artifact))
}

/// The `mlflow-artifacts` proxy routes, relative to an API prefix (MLflow's
/// `MlflowArtifactsService`). `mpu/upload` is ferroflow's: the part URLs `mpu/create`
/// hands out point there, on every store.
fn artifact_routes() -> Router<ArtifactService> {
    Router::new()
        .route("/artifacts", get(artifacts::list))
        .route(
            "/artifacts/{*path}",
            get(artifacts::download)
                .put(artifacts::upload)
                .delete(artifacts::delete),
        )
        .route("/mpu/create/{*path}", post(artifacts::create_multipart))
        .route("/mpu/complete/{*path}", post(artifacts::complete_multipart))
        .route("/mpu/abort/{*path}", post(artifacts::abort_multipart))
        .route("/mpu/upload/{*path}", put(artifacts::upload_part))
}

/// The `mlflow-artifacts` API under both of MLflow's prefixes.
pub fn artifacts_router() -> Router<ArtifactService> {
    Router::new()
        .nest("/api/2.0/mlflow-artifacts", artifact_routes())
        .nest("/ajax-api/2.0/mlflow-artifacts", artifact_routes())
}
