//! The trainer's ready-made jobs, run by `ferroflow train <job>`: load and
//! prepare the data, build and train the model, evaluate it, and record it
//! all in an MLflow run through [`Autolog`](crate::train::Autolog) and a few
//! job-specific artifacts (EDA summary, confusion matrix).
//!
//! - [`airline`]: the customer-satisfaction DNN on `Invistico_Airline.csv`;
//! - [`mnist`]: the small CNN on MNIST IDX files or the 8x8 digits CSV;
//! - [`timeseries`]: Géron's sine series (or a CSV series) with a naive
//!   baseline and Dense, SimpleRNN and LSTM models.
//!
//! Every job also runs on generated data when `--data` is absent; such runs
//! are tagged `dataset=synthetic`.

pub mod airline;
mod common;
pub mod mnist;
pub mod timeseries;
mod tracker;

use crate::error::TrainerError;
use crate::nn::model::Sequential;
use crate::nn::{History, ModelSummary};
use ferroflow_sdk::{Client, RunStatus, StartRun};
use ndarray::ArrayD;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

pub use tracker::Tracker;

/// Tag naming the job of a run.
pub const JOB_TAG: &str = "job";
/// Tag naming the data a run trained on: `synthetic` or the file name.
pub const DATASET_TAG: &str = "dataset";

/// Which job to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// The airline customer-satisfaction classifier.
    Airline,
    /// The MNIST (or 8x8 digits) CNN.
    Mnist,
    /// The time-series forecasters.
    Timeseries,
}

impl JobKind {
    /// Returns the job's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Airline => "airline",
            Self::Mnist => "mnist",
            Self::Timeseries => "timeseries",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The optimizers a job can train with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OptimizerKind {
    /// Adam (the default).
    #[default]
    Adam,
    /// Plain stochastic gradient descent.
    Sgd,
    /// RMSprop.
    RmsProp,
    /// Adagrad.
    Adagrad,
}

impl FromStr for OptimizerKind {
    type Err = JobError;

    fn from_str(s: &str) -> Result<Self, JobError> {
        match s.to_ascii_lowercase().as_str() {
            "adam" => Ok(Self::Adam),
            "sgd" => Ok(Self::Sgd),
            "rmsprop" => Ok(Self::RmsProp),
            "adagrad" => Ok(Self::Adagrad),
            _ => Err(JobError::Options(format!(
                "unknown optimizer '{s}': use adam, sgd, rmsprop or adagrad"
            ))),
        }
    }
}

/// The models of the time-series job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SeriesModel {
    /// Flatten → Dense(1): a linear autoregression.
    Linear,
    /// SimpleRNN(20) → Dense(1).
    SimpleRnn,
    /// LSTM(20) → Dense(1) (the default).
    #[default]
    Lstm,
}

impl SeriesModel {
    /// Returns the model's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::SimpleRnn => "simple_rnn",
            Self::Lstm => "lstm",
        }
    }
}

impl FromStr for SeriesModel {
    type Err = JobError;

    fn from_str(s: &str) -> Result<Self, JobError> {
        match s.to_ascii_lowercase().as_str() {
            "linear" | "dense" => Ok(Self::Linear),
            "simple_rnn" | "simplernn" | "rnn" => Ok(Self::SimpleRnn),
            "lstm" => Ok(Self::Lstm),
            _ => Err(JobError::Options(format!(
                "unknown model '{s}': use linear, simple_rnn or lstm"
            ))),
        }
    }
}

/// What a job is asked to do; `None` fields take the job's default.
#[derive(Clone, Debug, Default)]
pub struct JobOptions {
    /// The data file (or, for MNIST, the IDX directory); synthetic data when absent.
    pub data: Option<PathBuf>,
    /// Training epochs.
    pub epochs: Option<usize>,
    /// Mini-batch size.
    pub batch_size: Option<usize>,
    /// The optimizer's learning rate.
    pub learning_rate: Option<f64>,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Seed of the split, the weights and the shuffling.
    pub seed: u64,
    /// Train and evaluate on the first `limit` examples only.
    pub limit: Option<usize>,
    /// The time-series model.
    pub series_model: SeriesModel,
    /// Print progress bars and results.
    pub verbose: bool,
}

/// Where a job's run is recorded.
pub struct TrackingTarget {
    /// The tracking client.
    pub client: Client,
    /// The run's options (experiment, name, tags); the job adds its own tags.
    pub start: StartRun,
}

/// What a finished job returns.
pub struct JobReport {
    /// The id of the run, when tracked.
    pub run_id: Option<String>,
    /// Final evaluation metrics (`test_accuracy`, `val_mse`, ...).
    pub metrics: Vec<(String, f64)>,
    /// The trained model.
    pub model: Sequential<f32>,
    /// Up to 32 evaluation inputs, to compare predictions of a reloaded model.
    pub sample_inputs: ArrayD<f32>,
    /// The per-epoch logs.
    pub history: History,
    /// Whether the data was generated.
    pub synthetic: bool,
}

impl JobReport {
    /// Returns the final metric `name`.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }
}

/// A job's failure, as one line.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The data file is missing or malformed.
    #[error("data file {path}: {message}")]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong, with row and column when known.
        message: String,
    },
    /// An option has an invalid value.
    #[error("invalid option: {0}")]
    Options(String),
    /// Building, training or saving the model failed.
    #[error(transparent)]
    Trainer(#[from] TrainerError),
    /// Talking to the tracking server failed.
    #[error("tracking: {0}")]
    Tracking(#[from] ferroflow_sdk::Error),
    /// Autologging failed.
    #[error(transparent)]
    Autolog(#[from] crate::train::AutologError),
    /// A plot could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::train::plots::PlotError),
    /// A scratch file could not be written.
    #[error("{0}")]
    Scratch(String),
}

impl JobError {
    /// Returns a data error about `path`.
    pub fn data(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Data {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Returns the model `kind` would train with `options`, untrained, for `--summary`.
///
/// # Errors
/// Returns [`JobError`] for invalid options.
pub fn model(kind: JobKind, options: &JobOptions) -> Result<Sequential<f32>, JobError> {
    match kind {
        JobKind::Airline => airline::model(airline::FEATURES, options.seed),
        JobKind::Mnist => mnist::model(mnist::input_side(options.data.as_deref()), options.seed),
        JobKind::Timeseries => timeseries::model(
            options.series_model,
            timeseries::steps(options.data.as_deref()),
            options.seed,
        ),
    }
}

/// Returns the summary of the model `kind` would train.
///
/// # Errors
/// Returns [`JobError`] for invalid options.
pub fn summary(kind: JobKind, options: &JobOptions) -> Result<ModelSummary, JobError> {
    Ok(model(kind, options)?.summary())
}

/// Runs job `kind`; when `tracking` is given, records it in a new run tagged
/// `job=<kind>`, ended FINISHED, or FAILED with the error when the job fails.
///
/// # Errors
/// Returns the job's [`JobError`] (after ending the run FAILED).
pub fn run(
    kind: JobKind,
    options: &JobOptions,
    tracking: Option<TrackingTarget>,
) -> Result<JobReport, JobError> {
    let Some(target) = tracking else {
        return dispatch(kind, options, &Tracker::disabled());
    };
    let mut start = target.start.tag(JOB_TAG, kind.name());
    if let Some(user) = login_name() {
        start = start.tag(ferroflow_sdk::MLFLOW_USER, user);
    }
    let active = target.client.start_run(start)?;
    let run_id = active.run_id().to_string();
    let result = dispatch(kind, options, &Tracker::new(&active));
    match result {
        Ok(mut report) => {
            active.end(RunStatus::Finished)?;
            report.run_id = Some(run_id);
            Ok(report)
        }
        Err(error) => {
            if let Err(fail_error) = active.fail(&error) {
                tracing::warn!(run_id = %run_id, error = %fail_error, "cannot mark the run failed");
            }
            Err(error)
        }
    }
}

/// Returns the user for `mlflow.user`, as Python's `getpass.getuser()` finds it:
/// `USER`, `USERNAME` or `LOGNAME`, else (on Unix) the passwd entry of the process's uid.
fn login_name() -> Option<String> {
    for var in ["USER", "USERNAME", "LOGNAME"] {
        if let Some(name) = std::env::var(var).ok().filter(|n| !n.is_empty()) {
            return Some(name);
        }
    }
    passwd_name()
}

#[cfg(unix)]
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 2 && fields[2] == uid).then(|| fields[0].to_string())
    })
}

#[cfg(not(unix))]
fn passwd_name() -> Option<String> {
    None
}

fn dispatch(
    kind: JobKind,
    options: &JobOptions,
    tracker: &Tracker<'_>,
) -> Result<JobReport, JobError> {
    match kind {
        JobKind::Airline => airline::run(options, tracker),
        JobKind::Mnist => mnist::run(options, tracker),
        JobKind::Timeseries => timeseries::run(options, tracker),
    }
}
