//! ferroflow's tracking server: MLflow's REST API over a SQL store.
//!
//! Layers, outermost first: [`api`] (HTTP only) → [`service`] (MLflow's validation and
//! orchestration) → [`store`] (traits, and the SQL implementation for SQLite and
//! PostgreSQL). [`app`] builds the whole router, so tests drive it without a socket.

pub mod api;
pub mod config;
pub mod error;
pub mod server;
pub mod service;
pub mod store;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

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
}

impl AppState {
    /// Returns state over `store`.
    pub fn new(store: Arc<dyn TrackingStore>) -> Self {
        AppState {
            tracking: TrackingService::new(store),
        }
    }
}

/// Returns the complete HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .route("/health", get(|| async { "OK" }))
        .route("/version", get(|| async { MLFLOW_API_VERSION }))
        .fallback(api::error::endpoint_not_found)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .layer(CatchPanicLayer::custom(api::error::panic_response))
        .with_state(state)
}
