//! ferroflow's tracking server: MLflow's REST API over a SQL store.
//!
//! Layers, outermost first: [`api`] (HTTP only) → [`service`] (MLflow's validation and
//! orchestration) → [`store`] (traits, and the SQL implementation for SQLite and
//! PostgreSQL). [`app`] builds the whole router, so tests drive it without a socket.
//! Artifacts go through [`service::artifacts`] to an [`artifacts::ArtifactStore`]
//! (local disk or S3); [`app_artifacts_only`] is the `--artifacts-only` server.
//! [`web`] serves the embedded dashboard at `/`.

pub mod api;
pub mod artifacts;
pub mod config;
pub mod error;
pub mod server;
pub mod service;
pub mod store;
pub mod web;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use service::artifacts::ArtifactService;
use service::TrackingService;
use store::TrackingStore;

/// The MLflow REST API version this server implements, reported by `GET /version`
/// (clients use it to pick request forms).
pub const MLFLOW_API_VERSION: &str = "3.17.2";

/// Largest request body accepted; log-batch bodies stay far below it.
pub const MAX_REQUEST_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Shared state of all handlers.
#[derive(Clone)]
pub struct AppState {
    /// The tracking service.
    pub tracking: TrackingService,
    /// The artifact service.
    pub artifacts: ArtifactService,
}

impl AppState {
    /// Returns state over `store`, not serving artifacts (`--no-serve-artifacts`) until
    /// [`AppState::with_artifacts`] says otherwise.
    pub fn new(store: Arc<dyn TrackingStore>) -> Self {
        AppState {
            tracking: TrackingService::new(store),
            artifacts: ArtifactService::not_serving(),
        }
    }

    /// Returns this state with `artifacts` as its artifact service.
    pub fn with_artifacts(self, artifacts: ArtifactService) -> Self {
        AppState { artifacts, ..self }
    }
}

/// Returns the complete HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(api::artifacts_router().with_state(state.artifacts.clone()))
        .route("/health", get(|| async { "OK" }))
        .route("/version", get(|| async { MLFLOW_API_VERSION }))
        .fallback(web::serve)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .layer(CatchPanicLayer::custom(api::error::panic_response))
        .with_state(state)
}

/// Returns the `--artifacts-only` application: the `mlflow-artifacts` API alone, with no
/// tracking store behind it.
pub fn app_artifacts_only(artifacts: ArtifactService) -> Router {
    Router::new()
        .merge(api::artifacts_router())
        .route("/health", get(|| async { "OK" }))
        .route("/version", get(|| async { MLFLOW_API_VERSION }))
        .fallback(api::error::endpoint_not_found)
        .layer(CatchPanicLayer::custom(api::error::panic_response))
        .with_state(artifacts)
}
