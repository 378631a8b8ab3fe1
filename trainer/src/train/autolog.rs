//! [`Autolog`]: a [`Callback`] that records a `fit` call in an MLflow run the
//! way MLflow's Keras autologging does (`mlflow.tensorflow.autolog`), so a
//! training script needs no logging code of its own:
//!
//! - at the start: the fit arguments (`epochs`, `batch_size`,
//!   `validation_split`, `shuffle`, `seed`), the optimizer (`opt_name` and
//!   `opt_<hyperparameter>`), `loss`, `num_layers`, `total_params`, the
//!   EarlyStopping settings, and the `model_summary.txt` artifact;
//! - after each epoch: every entry of the epoch's logs (`loss`, `accuracy`,
//!   `val_loss`, ...) as a metric at step = epoch (0-based, as MLflow does);
//! - at the end: `stopped_epoch` and `restored_epoch` when EarlyStopping
//!   stopped training, the model as the `model/` artifact directory
//!   (`model.safetensors`, `architecture.json` and an `MLmodel` descriptor),
//!   and the `training_curves.png` plot.
//!
//! Callbacks cannot return errors, so the first logging failure is kept and
//! returned by [`Autolog::finish`]; later epochs are still logged.

use crate::float::Float;
use crate::nn::callbacks::{Callback, Control, EarlyStopping, History, Logs};
use crate::nn::io::{ARCHITECTURE_FILE, WEIGHTS_FILE};
use crate::nn::model::{FitConfig, Sequential, Validation};
use crate::train::plots;
use ferroflow_sdk::ActiveRun;
use std::path::PathBuf;

/// Artifact holding the model summary table.
pub const MODEL_SUMMARY_ARTIFACT: &str = "model_summary.txt";
/// Artifact directory holding the trained model.
pub const MODEL_ARTIFACT_DIR: &str = "model";
/// Artifact holding the training-curve plot.
pub const TRAINING_CURVES_ARTIFACT: &str = "training_curves.png";
/// File name of the model descriptor inside [`MODEL_ARTIFACT_DIR`].
pub const MLMODEL_FILE: &str = "MLmodel";

/// Settings of the EarlyStopping an [`Autolog`] runs and records.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyStoppingConfig {
    /// The monitored log entry (`val_loss`).
    pub monitor: String,
    /// Epochs without improvement tolerated.
    pub patience: usize,
    /// Whether the best epoch's weights are restored when stopping.
    pub restore_best_weights: bool,
}

impl EarlyStoppingConfig {
    /// Returns settings monitoring `monitor` with `patience`, restoring the best weights.
    pub fn new(monitor: impl Into<String>, patience: usize) -> Self {
        Self {
            monitor: monitor.into(),
            patience,
            restore_best_weights: true,
        }
    }

    /// Builds the callback.
    pub fn build<F: Float>(&self) -> EarlyStopping<F> {
        EarlyStopping::new(self.monitor.clone())
            .with_patience(self.patience)
            .with_restore_best_weights(self.restore_best_weights)
    }
}

/// Autologging of one `fit` call into `run`; pass it among `fit`'s callbacks.
///
/// ```no_run
/// use ferroflow_sdk::{Client, StartRun};
/// use ferroflow_trainer::nn::{FitConfig, Sequential};
/// use ferroflow_trainer::train::Autolog;
/// # fn demo(model: &mut Sequential<f32>, x: &ndarray::ArrayD<f32>, y: &ndarray::ArrayD<f32>)
/// # -> Result<(), Box<dyn std::error::Error>> {
/// let run = Client::from_env()?.start_run(StartRun::new().experiment_name("demo"))?;
/// let config = FitConfig::new(10, 32).with_validation_split(0.1);
/// let mut autolog = Autolog::new(&run, &config);
/// model.fit(x, y, &config, &mut [&mut autolog])?;
/// autolog.finish()?;
/// # Ok(()) }
/// ```
pub struct Autolog<'r, F: Float> {
    run: &'r ActiveRun,
    fit_params: Vec<(String, String)>,
    early_stopping: Option<(EarlyStoppingConfig, EarlyStopping<F>)>,
    history: History,
    log_model: bool,
    error: Option<String>,
}

/// The first failure of an [`Autolog`].
#[derive(Debug, thiserror::Error)]
#[error("autologging failed: {0}")]
pub struct AutologError(String);

impl<'r, F: Float> Autolog<'r, F> {
    /// Returns an autologger of a `fit` call with `config` into `run`.
    pub fn new(run: &'r ActiveRun, config: &FitConfig<F>) -> Self {
        let validation_split = match &config.validation {
            Validation::Split(fraction) => fraction.to_string(),
            Validation::None | Validation::Data(_) => "0.0".into(),
        };
        let fit_params = vec![
            ("epochs".to_string(), config.epochs.to_string()),
            ("batch_size".to_string(), config.batch_size.to_string()),
            ("validation_split".to_string(), validation_split),
            (
                "validation_data".to_string(),
                matches!(config.validation, Validation::Data(_)).to_string(),
            ),
            ("shuffle".to_string(), config.shuffle.to_string()),
            ("seed".to_string(), config.seed.to_string()),
        ];
        Self {
            run,
            fit_params,
            early_stopping: None,
            history: History::default(),
            log_model: true,
            error: None,
        }
    }

    /// Runs an EarlyStopping with `config` (before the logging of each epoch)
    /// and records its settings and outcome.
    pub fn with_early_stopping(mut self, config: EarlyStoppingConfig) -> Self {
        let callback = config.build();
        self.early_stopping = Some((config, callback));
        self
    }

    /// Sets whether the model is logged as the `model/` artifact (default true).
    pub fn with_log_model(mut self, log_model: bool) -> Self {
        self.log_model = log_model;
        self
    }

    /// Returns the epochs recorded so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Waits until everything is stored; returns the first failure, if any.
    ///
    /// # Errors
    /// Returns [`AutologError`] when some logging call failed.
    pub fn finish(self) -> Result<History, AutologError> {
        let flushed = self.run.flush().map_err(|e| e.to_string());
        match (self.error, flushed) {
            (Some(error), _) | (None, Err(error)) => Err(AutologError(error)),
            (None, Ok(())) => Ok(self.history),
        }
    }

    fn record(&mut self, what: &str, result: Result<(), String>) {
        if let Err(error) = result {
            tracing::warn!(run_id = %self.run.run_id(), %error, "autologging {what} failed");
            self.error.get_or_insert_with(|| format!("{what}: {error}"));
        }
    }

    fn log_start(&self, model: &Sequential<F>) -> Result<(), String> {
        let run = self.run;
        let mut params = self.fit_params.clone();
        if let Some(optimizer) = model.optimizer() {
            params.push(("opt_name".into(), optimizer.name().into()));
            params.extend(
                optimizer
                    .hyperparameters()
                    .into_iter()
                    .map(|(k, v)| (format!("opt_{k}"), v)),
            );
        }
        if let Some(loss) = model.loss() {
            params.push(("loss".into(), loss.name().into()));
        }
        params.push(("num_layers".into(), model.layer_names().len().to_string()));
        params.push(("total_params".into(), model.count_params().to_string()));
        if let Some((config, _)) = &self.early_stopping {
            params.push(("monitor".into(), config.monitor.clone()));
            params.push(("patience".into(), config.patience.to_string()));
            params.push((
                "restore_best_weights".into(),
                config.restore_best_weights.to_string(),
            ));
        }
        run.log_params(params).map_err(|e| e.to_string())?;
        run.log_text(&model.summary().to_string(), MODEL_SUMMARY_ARTIFACT)
            .map_err(|e| e.to_string())
    }

    fn log_end(&self, model: &Sequential<F>) -> Result<(), String> {
        if let Some((config, callback)) = &self.early_stopping {
            if let Some(stopped) = callback.stopped_epoch {
                self.run
                    .log_metric("stopped_epoch", stopped as f64, 0)
                    .map_err(|e| e.to_string())?;
                if let (true, Some(best)) = (config.restore_best_weights, callback.best_epoch) {
                    self.run
                        .log_metric("restored_epoch", best as f64, 0)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        let scratch = Scratch::new(self.run.run_id())?;
        if self.log_model {
            let dir = scratch.path.join(MODEL_ARTIFACT_DIR);
            model.save(&dir).map_err(|e| e.to_string())?;
            std::fs::write(dir.join(MLMODEL_FILE), mlmodel(self.run.run_id(), model))
                .map_err(|e| e.to_string())?;
            // A directory is stored under its own name, so this lands at `model/`.
            self.run
                .log_artifact(&dir, None)
                .map_err(|e| e.to_string())?;
        }
        if !self.history.epochs.is_empty() {
            let png = scratch.path.join(TRAINING_CURVES_ARTIFACT);
            plots::training_curves(&self.history, &png).map_err(|e| e.to_string())?;
            self.run
                .log_artifact(&png, None)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

impl<F: Float> Callback<F> for Autolog<'_, F> {
    fn on_train_begin(&mut self, model: &mut Sequential<F>) {
        self.history = History::default();
        if let Some((_, callback)) = &mut self.early_stopping {
            callback.on_train_begin(model);
        }
        let result = self.log_start(model);
        self.record("the model's parameters", result);
    }

    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, model: &mut Sequential<F>) -> Control {
        self.history.push(epoch, logs);
        let metrics: Vec<(&str, f64)> = logs.iter().collect();
        let result = self
            .run
            .log_metrics(&metrics, epoch as i64)
            .map_err(|e| e.to_string());
        self.record("epoch metrics", result);
        match &mut self.early_stopping {
            Some((_, callback)) => callback.on_epoch_end(epoch, logs, model),
            None => Control::Continue,
        }
    }

    fn on_train_end(&mut self, model: &mut Sequential<F>) {
        if let Some((_, callback)) = &mut self.early_stopping {
            callback.on_train_end(model);
        }
        let result = self.log_end(model);
        self.record("the trained model", result);
    }
}

/// An MLmodel-like descriptor of the saved model: its flavor, files, input
/// and output signature, in the YAML layout of MLflow's `MLmodel` files.
fn mlmodel<F: Float>(run_id: &str, model: &Sequential<F>) -> String {
    let shape = |dims: &[usize]| {
        let dims: Vec<String> = dims.iter().map(usize::to_string).collect();
        format!("[-1, {}]", dims.join(", "))
    };
    let dtype = if F::BYTES == 4 { "float32" } else { "float64" };
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "artifact_path: {MODEL_ARTIFACT_DIR}\n\
         flavors:\n  \
           ferroflow_trainer:\n    \
             architecture: {ARCHITECTURE_FILE}\n    \
             weights: {WEIGHTS_FILE}\n    \
             trainer_version: {version}\n    \
             total_params: {params}\n\
         run_id: {run_id}\n\
         signature:\n  \
           inputs: '[{{\"type\": \"tensor\", \"tensor-spec\": {{\"dtype\": \"{dtype}\", \"shape\": {input}}}}}]'\n  \
           outputs: '[{{\"type\": \"tensor\", \"tensor-spec\": {{\"dtype\": \"{dtype}\", \"shape\": {output}}}}}]'\n\
         utc_time_created_epoch_seconds: {created}\n",
        version = env!("CARGO_PKG_VERSION"),
        params = model.count_params(),
        input = shape(model.input_shape()),
        output = shape(model.output_shape()),
    )
}

/// A temporary directory for files on their way to the artifact store,
/// removed on drop.
pub(crate) struct Scratch {
    pub(crate) path: PathBuf,
}

impl Scratch {
    pub(crate) fn new(run_id: &str) -> Result<Self, String> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ferroflow-{}-{run_id}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove a scratch directory");
        }
    }
}
