//! MLflow's error codes (`databricks.proto` `ErrorCode`) and the HTTP status each maps
//! to, copied from `ERROR_CODE_TO_HTTP_STATUS` in `mlflow/exceptions.py`.

use serde::{Deserialize, Serialize};

/// An MLflow error code as it appears in `{"error_code": ...}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// An unexpected server-side failure.
    InternalError,
    /// The request could not be parsed (malformed JSON, wrong types).
    BadRequest,
    /// A field has a value MLflow does not accept.
    InvalidParameterValue,
    /// No endpoint exists at the requested path.
    EndpointNotFound,
    /// An entity with the same unique key already exists.
    ResourceAlreadyExists,
    /// The named entity does not exist.
    ResourceDoesNotExist,
    /// The entity is in a state that forbids the operation (e.g. a deleted run).
    InvalidState,
    /// The request body exceeds the configured limit.
    RequestLimitExceeded,
    /// The caller may not perform the operation.
    PermissionDenied,
    /// The server is temporarily unable to serve the request.
    TemporarilyUnavailable,
    /// The operation is not implemented by this server.
    NotImplemented,
}

impl ErrorCode {
    /// Returns the HTTP status MLflow answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidParameterValue
            | ErrorCode::ResourceAlreadyExists => 400,
            ErrorCode::PermissionDenied => 403,
            ErrorCode::ResourceDoesNotExist | ErrorCode::EndpointNotFound => 404,
            ErrorCode::RequestLimitExceeded => 429,
            ErrorCode::NotImplemented => 501,
            ErrorCode::TemporarilyUnavailable => 503,
            ErrorCode::InvalidState | ErrorCode::InternalError => 500,
        }
    }
}

/// The JSON body of every error response: `{"error_code": ..., "message": ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The MLflow error code.
    pub error_code: ErrorCode,
    /// A human-readable explanation.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_mlflow_spells_them() {
        let body = ErrorResponse {
            error_code: ErrorCode::ResourceDoesNotExist,
            message: "x".into(),
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"x"}"#
        );
        assert_eq!(ErrorCode::InvalidParameterValue.http_status(), 400);
        assert_eq!(ErrorCode::InvalidState.http_status(), 500);
    }
}
