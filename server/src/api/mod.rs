//! The HTTP layer: MLflow's REST routes, mounted under `/api/2.0/mlflow` and
//! `/ajax-api/2.0/mlflow` as `mlflow/server/handlers.py` `_get_paths` does. Handlers
//! parse, call one service function and serialize; nothing else lives here.
//!
//! Every route answers GET (query string) and POST (JSON body): MLflow's clients use
//! both forms, and accepting both costs nothing.

mod artifacts;
mod charts;
pub mod error;
mod events;
mod experiments;
pub mod extract;
mod logged_models;
mod metrics;
mod registry;
mod runs;

use axum::routing::{delete, get, patch, post, put, MethodRouter};
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

/// The model-registry and logged-model routes, relative to an API prefix. Besides GET
/// and POST, each route answers the method `model_registry.proto` / `service.proto` gives
/// it (PATCH for updates, DELETE for deletes), which is what MLflow's client sends.
fn registry_routes() -> Router<AppState> {
    use logged_models as lm;
    use registry as rm;
    Router::new()
        .route(
            "/registered-models/create",
            both(rm::create_registered_model),
        )
        .route("/registered-models/get", both(rm::get_registered_model))
        .route(
            "/registered-models/rename",
            both(rm::rename_registered_model),
        )
        .route(
            "/registered-models/update",
            both(rm::update_registered_model).patch(rm::update_registered_model),
        )
        .route(
            "/registered-models/delete",
            both(rm::delete_registered_model).delete(rm::delete_registered_model),
        )
        .route(
            "/registered-models/search",
            both(rm::search_registered_models),
        )
        .route(
            "/registered-models/get-latest-versions",
            both(rm::get_latest_versions),
        )
        .route(
            "/registered-models/set-tag",
            both(rm::set_registered_model_tag),
        )
        .route(
            "/registered-models/delete-tag",
            both(rm::delete_registered_model_tag).delete(rm::delete_registered_model_tag),
        )
        .route(
            "/registered-models/alias",
            get(rm::get_by_alias)
                .post(rm::set_alias)
                .delete(rm::delete_alias),
        )
        .route("/model-versions/create", both(rm::create_model_version))
        .route("/model-versions/get", both(rm::get_model_version))
        .route(
            "/model-versions/update",
            both(rm::update_model_version).patch(rm::update_model_version),
        )
        .route(
            "/model-versions/delete",
            both(rm::delete_model_version).delete(rm::delete_model_version),
        )
        .route("/model-versions/search", both(rm::search_model_versions))
        .route(
            "/model-versions/transition-stage",
            both(rm::transition_stage),
        )
        .route(
            "/model-versions/get-download-uri",
            both(rm::get_download_uri),
        )
        .route("/model-versions/set-tag", both(rm::set_model_version_tag))
        .route(
            "/model-versions/delete-tag",
            both(rm::delete_model_version_tag).delete(rm::delete_model_version_tag),
        )
        .route("/logged-models", post(lm::create))
        .route("/logged-models/search", post(lm::search))
        .route(
            "/logged-models/{model_id}",
            get(lm::get).patch(lm::finalize).delete(lm::delete),
        )
        .route("/logged-models/{model_id}/tags", patch(lm::set_tags))
        .route(
            "/logged-models/{model_id}/tags/{tag_key}",
            delete(lm::delete_tag),
        )
        .route("/logged-models/{model_id}/params", post(lm::log_params))
        .route(
            "/logged-models/{model_id}/artifacts/directories",
            get(lm::list_artifacts),
        )
        .route("/runs/outputs", post(lm::log_outputs))
}

/// ferroflow's own routes for the dashboard, relative to an API prefix.
fn ferroflow_routes() -> Router<AppState> {
    Router::new()
        .route("/metrics/sampled", both(charts::sampled_history))
        .route("/events", get(events::events))
}

/// The REST API under both of MLflow's prefixes (and ferroflow's dashboard routes beside
/// them), and the UI's artifact downloads.
pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/api/2.0/ferroflow", ferroflow_routes())
        .nest("/ajax-api/2.0/ferroflow", ferroflow_routes())
        .nest(
            "/api/2.0/mlflow",
            tracking_routes().merge(registry_routes()),
        )
        .nest(
            "/ajax-api/2.0/mlflow",
            tracking_routes().merge(registry_routes()),
        )
        .route("/get-artifact", get(artifacts::get_artifact))
        .route(
            "/model-versions/get-artifact",
            get(artifacts::get_model_version_artifact),
        )
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
