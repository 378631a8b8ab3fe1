//! The environment variables MLflow's clients read (`mlflow/environment_variables.py`),
//! gathered in one place so [`Client::from_env`](crate::Client::from_env) and the
//! docs agree on the names.

/// URI of the tracking server, e.g. `http://127.0.0.1:5000`.
pub const MLFLOW_TRACKING_URI: &str = "MLFLOW_TRACKING_URI";
/// User name for HTTP basic authentication.
pub const MLFLOW_TRACKING_USERNAME: &str = "MLFLOW_TRACKING_USERNAME";
/// Password for HTTP basic authentication.
pub const MLFLOW_TRACKING_PASSWORD: &str = "MLFLOW_TRACKING_PASSWORD";
/// Bearer token; takes precedence over basic authentication, as in MLflow.
pub const MLFLOW_TRACKING_TOKEN: &str = "MLFLOW_TRACKING_TOKEN";
/// Experiment that runs start in when the caller names none.
pub const MLFLOW_EXPERIMENT_NAME: &str = "MLFLOW_EXPERIMENT_NAME";

/// Reads a variable, treating unset, empty and non-UTF-8 alike as absent.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}
