//! ferroflow's Rust SDK: log experiments to ferroflow or to any MLflow tracking
//! server, from a training loop, at no measurable cost to it.
//!
//! - [`Client`] is MLflow's tracking REST API as typed blocking methods (experiments,
//!   runs, search in MLflow's filter language, metric history, tags, params, batch,
//!   inputs, artifacts), with retries on connection errors, 429 and 5xx.
//! - [`Client::start_run`] returns an [`ActiveRun`] guard. Its `log_metric`,
//!   `log_param` and `set_tag` enqueue and return; a background thread sends
//!   `runs/log-batch` requests within MLflow's limits (see [`batcher`]). `flush`,
//!   `end` and drop wait until everything is stored, and report what could not be.
//!
//! ```no_run
//! use ferroflow_sdk::{Client, RunStatus, StartRun};
//!
//! // MLFLOW_TRACKING_URI=http://127.0.0.1:5000
//! let client = Client::from_env()?;
//! let run = client.start_run(StartRun::new().experiment_name("quickstart").run_name("demo"))?;
//! run.log_params([("learning_rate", "0.01"), ("epochs", "100")])?;
//! for step in 0..100 {
//!     let loss = 1.0 / (1.0 + step as f64);
//!     run.log_metric("loss", loss, step)?; // queued in ~200 ns, sent in the background
//! }
//! run.log_text("converged", "notes.txt")?;
//! run.end(RunStatus::Finished)?; // returns once every point is acknowledged
//! # Ok::<(), ferroflow_sdk::Error>(())
//! ```
//!
//! Dropping an [`ActiveRun`] ends it FINISHED, or FAILED while panicking;
//! [`ActiveRun::fail`] ends it FAILED with the error recorded. Data the background
//! worker could not store is reported by the next `flush()` or `end()` as
//! [`Error::Logging`]; nothing is dropped silently.
#![warn(missing_docs)]

pub mod artifacts;
pub mod batcher;
mod client;
pub mod env;
mod error;
pub mod retry;
mod run;
pub mod system_metrics;

pub use artifacts::FileInfo;
pub use batcher::BatchConfig;
pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use retry::RetryPolicy;
pub use run::{
    ActiveRun, StartRun, ERROR_ARTIFACT, FERROFLOW_ERROR, MLFLOW_PARENT_RUN_ID, MLFLOW_SOURCE_NAME,
    MLFLOW_SOURCE_TYPE, MLFLOW_USER,
};

/// The wire types the API takes and returns, re-exported so callers need not depend on
/// `ferroflow-protocol` themselves.
pub use ferroflow_protocol::{
    messages, Dataset, DatasetInput, ErrorCode, Experiment, ExperimentTag, InputTag,
    LifecycleStage, Metric, Param, Run, RunInfo, RunStatus, RunTag, ViewType,
};
