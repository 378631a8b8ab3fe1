//! The SDK's error type: what the server answered (MLflow's `{"error_code", "message"}`
//! body), a transport failure that outlived the retries, a local I/O failure, or input
//! rejected before it was sent.

use ferroflow_protocol::ErrorCode;

/// Everything that can go wrong in the SDK.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an error status. `code` is MLflow's error code when
    /// the body carried one (servers behind proxies may answer plain text).
    #[error("{method} {endpoint} failed with HTTP {status}{}: {message}", code.map(|c| format!(" ({c:?})")).unwrap_or_default())]
    Api {
        /// HTTP method of the request.
        method: &'static str,
        /// Path of the request, below the tracking URI.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// MLflow's error code, when the body was MLflow JSON.
        code: Option<ErrorCode>,
        /// The server's message (or the start of its body).
        message: String,
    },
    /// The server could not be reached (connection refused, reset, timeout), and kept
    /// failing through every retry.
    #[error(
        "{method} {endpoint}: tracking server unreachable after {attempts} attempt(s): {message}"
    )]
    Transport {
        /// HTTP method of the request.
        method: &'static str,
        /// Path of the request, below the tracking URI.
        endpoint: String,
        /// How many times the request was tried.
        attempts: u32,
        /// The last transport error.
        message: String,
    },
    /// The server answered 2xx with a body that is not the expected JSON.
    #[error("{endpoint}: unexpected response body: {message}")]
    Decode {
        /// Path of the request, below the tracking URI.
        endpoint: String,
        /// The parser's complaint.
        message: String,
    },
    /// Input rejected before sending (bad key, a param logged twice with two values,
    /// an unparsable URI, ...).
    #[error("{0}")]
    InvalidArgument(String),
    /// A local file operation failed (artifacts).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Logged data that the background worker could not deliver; reported by the
    /// `flush()` or `end()` that follows the failure.
    #[error("{lost} logged item(s) of run {run_id} were not stored: {cause}")]
    Logging {
        /// The run the data belonged to.
        run_id: String,
        /// Metric points, params and tags not stored.
        lost: u64,
        /// The first failure.
        #[source]
        cause: Box<Error>,
    },
    /// The run's background worker is gone (it panicked, or the run already ended).
    #[error("the logging worker of run {0} has stopped")]
    WorkerStopped(String),
}

impl Error {
    /// Returns MLflow's error code, for errors the server answered.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { code, .. } => *code,
            Error::Logging { cause, .. } => cause.error_code(),
            _ => None,
        }
    }

    /// Returns whether the error is the server's RESOURCE_DOES_NOT_EXIST (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        self.error_code() == Some(ErrorCode::ResourceDoesNotExist)
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
