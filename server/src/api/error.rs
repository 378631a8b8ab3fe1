//! Rendering of [`MlflowError`] as MLflow's JSON error body with the matching status,
//! and the JSON answers for unknown endpoints and panics.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferroflow_protocol::{ErrorCode, ErrorResponse};

use crate::error::MlflowError;

impl IntoResponse for MlflowError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorResponse {
            error_code: self.code,
            message: self.message,
        };
        (status, Json(body)).into_response()
    }
}

/// Answers requests to paths no route serves.
pub async fn endpoint_not_found(uri: axum::http::Uri) -> MlflowError {
    MlflowError::new(
        ErrorCode::EndpointNotFound,
        format!("No API endpoint found for '{}'", uri.path()),
    )
}

/// Turns a handler panic into a JSON 500 instead of a dropped connection.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    MlflowError::new(
        ErrorCode::InternalError,
        "internal error: the request handler failed",
    )
    .into_response()
}
