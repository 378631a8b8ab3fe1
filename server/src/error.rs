//! [`MlflowError`]: every failure the server reports, as an MLflow error code and message.
//! Store and search errors convert here in one place; `api::error` renders it as JSON.

use ferroflow_protocol::ErrorCode;

use crate::service::search::SearchError;
use crate::store::StoreError;

/// An error with MLflow's code and a message for the client.
#[derive(Debug, Clone, PartialEq)]
pub struct MlflowError {
    /// The MLflow error code, which also fixes the HTTP status.
    pub code: ErrorCode,
    /// The message sent to the client.
    pub message: String,
}

impl MlflowError {
    /// Returns an error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        MlflowError {
            code,
            message: message.into(),
        }
    }

    /// Returns an INVALID_PARAMETER_VALUE error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameterValue, message)
    }

    /// Returns a RESOURCE_DOES_NOT_EXIST error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceDoesNotExist, message)
    }

    /// Returns a BAD_REQUEST error.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
}

impl std::fmt::Display for MlflowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for MlflowError {}

impl From<StoreError> for MlflowError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(_, message) => Self::new(ErrorCode::ResourceDoesNotExist, message),
            StoreError::AlreadyExists(message) => {
                Self::new(ErrorCode::ResourceAlreadyExists, message)
            }
            StoreError::InvalidState(message) => Self::new(ErrorCode::InvalidState, message),
            StoreError::InvalidInput(message) => {
                Self::new(ErrorCode::InvalidParameterValue, message)
            }
            // Driver messages can carry SQL and schema details: log them, answer generically.
            other
            @ (StoreError::Database(_) | StoreError::Sqlite(_) | StoreError::Migration(_)) => {
                tracing::error!(error = %other, "store operation failed");
                Self::new(
                    ErrorCode::InternalError,
                    "internal error: the metadata store failed",
                )
            }
        }
    }
}

impl From<SearchError> for MlflowError {
    fn from(err: SearchError) -> Self {
        Self::invalid(err.0)
    }
}
