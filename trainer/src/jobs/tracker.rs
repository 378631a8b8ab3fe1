//! [`Tracker`]: a job's handle on its run, or on nothing when tracking is
//! off, so that a job's code is the same either way.

use crate::float::Float;
use crate::jobs::JobError;
use crate::nn::model::{FitConfig, Sequential};
use crate::nn::{Callback, History};
use crate::train::{Autolog, EarlyStoppingConfig, Scratch};
use ferroflow_sdk::{ActiveRun, DatasetInput};
use ndarray::ArrayD;
use std::path::Path;

/// The run a job logs to, if any.
pub struct Tracker<'r> {
    run: Option<&'r ActiveRun>,
}

impl<'r> Tracker<'r> {
    /// Returns a tracker logging to `run`.
    pub fn new(run: &'r ActiveRun) -> Self {
        Self { run: Some(run) }
    }

    /// Returns a tracker that logs nothing.
    pub fn disabled() -> Self {
        Self { run: None }
    }

    /// Returns the run's id, when tracking.
    pub fn run_id(&self) -> Option<&str> {
        self.run.map(ActiveRun::run_id)
    }

    /// Logs params.
    ///
    /// # Errors
    /// Returns [`JobError::Tracking`] when a param is invalid.
    pub fn log_params(&self, params: &[(&str, String)]) -> Result<(), JobError> {
        if let Some(run) = self.run {
            run.log_params(params.iter().map(|(k, v)| (*k, v)))?;
        }
        Ok(())
    }

    /// Sets a tag.
    ///
    /// # Errors
    /// Returns [`JobError::Tracking`] when the tag is invalid.
    pub fn set_tag(&self, key: &str, value: &str) -> Result<(), JobError> {
        if let Some(run) = self.run {
            run.set_tag(key, value)?;
        }
        Ok(())
    }

    /// Logs metrics at step 0.
    ///
    /// # Errors
    /// Returns [`JobError::Tracking`] when a key is invalid.
    pub fn log_metrics(&self, metrics: &[(String, f64)]) -> Result<(), JobError> {
        if let Some(run) = self.run {
            let metrics: Vec<(&str, f64)> = metrics.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            run.log_metrics(&metrics, 0)?;
        }
        Ok(())
    }

    /// Stores `text` as the artifact `file`.
    ///
    /// # Errors
    /// Returns [`JobError::Tracking`] when the upload fails.
    pub fn log_text(&self, text: &str, file: &str) -> Result<(), JobError> {
        if let Some(run) = self.run {
            run.log_text(text, file)?;
        }
        Ok(())
    }

    /// Records the datasets the run used (`runs/log-inputs`).
    ///
    /// # Errors
    /// Returns [`JobError::Tracking`] when the request fails.
    pub fn log_inputs(&self, inputs: &[DatasetInput]) -> Result<(), JobError> {
        if let Some(run) = self.run {
            run.log_inputs(inputs)?;
        }
        Ok(())
    }

    /// Draws a file with `draw` into a scratch directory and logs it as the
    /// artifact `name`; draws nothing when not tracking.
    ///
    /// # Errors
    /// Returns the drawing's error, or [`JobError::Tracking`] when the upload fails.
    pub fn log_drawn(
        &self,
        name: &str,
        draw: impl FnOnce(&Path) -> Result<(), JobError>,
    ) -> Result<(), JobError> {
        let Some(run) = self.run else {
            return Ok(());
        };
        let scratch = Scratch::new(run.run_id()).map_err(JobError::Scratch)?;
        let path = scratch.path.join(name);
        draw(&path)?;
        run.log_artifact(&path, None)?;
        Ok(())
    }

    /// Trains `model` with autologging when tracking, and with the
    /// EarlyStopping `early_stopping` either way.
    ///
    /// # Errors
    /// Returns the training error, or the autologger's first failure.
    pub fn fit<F: Float>(
        &self,
        model: &mut Sequential<F>,
        x: &ArrayD<F>,
        y: &ArrayD<F>,
        config: &FitConfig<F>,
        early_stopping: Option<EarlyStoppingConfig>,
    ) -> Result<History, JobError> {
        match self.run {
            Some(run) => {
                let mut autolog = Autolog::new(run, config);
                if let Some(early) = early_stopping {
                    autolog = autolog.with_early_stopping(early);
                }
                let history = model.fit(x, y, config, &mut [&mut autolog])?;
                autolog.finish()?;
                Ok(history)
            }
            None => {
                let mut stopper = early_stopping.map(|c| c.build::<F>());
                let mut callbacks: Vec<&mut dyn Callback<F>> = Vec::new();
                if let Some(stopper) = stopper.as_mut() {
                    callbacks.push(stopper);
                }
                Ok(model.fit(x, y, config, &mut callbacks)?)
            }
        }
    }
}
