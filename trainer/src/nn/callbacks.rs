//! Per-epoch hooks: the [`Callback`] trait (what an autologger implements),
//! the [`Logs`] map it receives, the [`History`] `fit` returns, and
//! [`EarlyStopping`] (Keras `callbacks.EarlyStopping`).

use crate::float::Float;
use crate::nn::model::Sequential;
use ndarray::ArrayD;
use std::collections::BTreeMap;
use std::fmt;

/// Metric name → value after an epoch, in Keras' order: `loss`, the
/// metrics, then `val_loss` and the validation metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Logs {
    entries: Vec<(String, f64)>,
}

impl Logs {
    /// Returns empty logs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn insert(&mut self, name: impl Into<String>, value: f64) {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// Returns the value of `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// Returns the entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), *v))
    }
}

impl fmt::Display for Logs {
    /// Formats as Keras' progress line: `loss: 0.2100 - accuracy: 0.9400`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" - ")?;
            }
            write!(f, "{name}: {value:.4}")?;
        }
        Ok(())
    }
}

/// The per-epoch logs of a `fit` call (Keras `History.history`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Indices (0-based) of the epochs that ran.
    pub epochs: Vec<usize>,
    /// Each logged name's value per epoch.
    pub history: BTreeMap<String, Vec<f64>>,
}

impl History {
    /// Appends one epoch's logs.
    pub fn push(&mut self, epoch: usize, logs: &Logs) {
        self.epochs.push(epoch);
        for (name, value) in logs.iter() {
            self.history.entry(name.to_owned()).or_default().push(value);
        }
    }

    /// Returns the per-epoch values of `name` (`loss`, `val_accuracy`, ...).
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.history.get(name).map(Vec::as_slice)
    }
}

/// Whether training goes on after a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop after this epoch (Keras `model.stop_training = True`).
    Stop,
}

/// Hooks called by `fit`. Every method has a default that does nothing.
pub trait Callback<F: Float> {
    /// Called once before the first epoch.
    fn on_train_begin(&mut self, _model: &mut Sequential<F>) {}

    /// Called after each epoch (0-based index) with its logs, validation included.
    fn on_epoch_end(&mut self, _epoch: usize, _logs: &Logs, _model: &mut Sequential<F>) -> Control {
        Control::Continue
    }

    /// Called once after the last epoch.
    fn on_train_end(&mut self, _model: &mut Sequential<F>) {}
}

/// Whether a monitored value improves by going down or up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorMode {
    /// Lower is better (losses, errors).
    Min,
    /// Higher is better (accuracy, AUC, precision, recall).
    Max,
}

impl MonitorMode {
    /// Returns Keras' `mode="auto"` choice for a monitored name.
    pub fn auto(monitor: &str) -> Self {
        let higher = ["acc", "auc", "precision", "recall"];
        if higher.iter().any(|h| monitor.contains(h)) {
            Self::Max
        } else {
            Self::Min
        }
    }
}

/// Stops training when a monitored value has not improved for `patience` epochs.
pub struct EarlyStopping<F: Float> {
    monitor: String,
    min_delta: f64,
    patience: usize,
    mode: MonitorMode,
    restore_best_weights: bool,
    best: Option<f64>,
    wait: usize,
    best_weights: Option<Vec<(String, ArrayD<F>)>>,
    /// The best epoch so far (0-based).
    pub best_epoch: Option<usize>,
    /// The epoch at which training was stopped, if it was.
    pub stopped_epoch: Option<usize>,
}

impl<F: Float> EarlyStopping<F> {
    /// Monitors `monitor` (`val_loss`, ...) with patience 0 and Keras' auto mode.
    pub fn new(monitor: impl Into<String>) -> Self {
        let monitor = monitor.into();
        Self {
            mode: MonitorMode::auto(&monitor),
            monitor,
            min_delta: 0.0,
            patience: 0,
            restore_best_weights: false,
            best: None,
            wait: 0,
            best_weights: None,
            best_epoch: None,
            stopped_epoch: None,
        }
    }

    /// Sets how many epochs without improvement are tolerated.
    pub fn with_patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Sets the smallest change that counts as an improvement.
    pub fn with_min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.abs();
        self
    }

    /// Overrides the automatic mode.
    pub fn with_mode(mut self, mode: MonitorMode) -> Self {
        self.mode = mode;
        self
    }

    /// Restores the weights of the best epoch when stopping early.
    pub fn with_restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best_weights = restore;
        self
    }

    fn is_improvement(&self, value: f64) -> bool {
        match (self.best, self.mode) {
            (None, _) => true,
            (Some(best), MonitorMode::Min) => value + self.min_delta < best,
            (Some(best), MonitorMode::Max) => value - self.min_delta > best,
        }
    }
}

impl<F: Float> Callback<F> for EarlyStopping<F> {
    fn on_train_begin(&mut self, _model: &mut Sequential<F>) {
        self.best = None;
        self.wait = 0;
        self.best_weights = None;
        self.best_epoch = None;
        self.stopped_epoch = None;
    }

    fn on_epoch_end(&mut self, epoch: usize, logs: &Logs, model: &mut Sequential<F>) -> Control {
        let Some(value) = logs.get(&self.monitor) else {
            return Control::Continue;
        };
        self.wait += 1;
        if self.is_improvement(value) {
            self.best = Some(value);
            self.best_epoch = Some(epoch);
            if self.restore_best_weights {
                self.best_weights = Some(model.get_weights());
            }
            self.wait = 0;
            return Control::Continue;
        }
        if self.wait >= self.patience && epoch > 0 {
            self.stopped_epoch = Some(epoch);
            if let Some(weights) = &self.best_weights {
                model
                    .set_weights(weights)
                    .expect("weights taken from the same model fit it");
            }
            return Control::Stop;
        }
        Control::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_format_like_keras_and_history_collects_epochs() {
        let mut logs = Logs::new();
        logs.insert("loss", 0.21);
        logs.insert("accuracy", 0.94);
        logs.insert("loss", 0.2);
        assert_eq!(logs.to_string(), "loss: 0.2000 - accuracy: 0.9400");
        let mut history = History::default();
        history.push(0, &logs);
        history.push(1, &logs);
        assert_eq!(history.get("accuracy"), Some(&[0.94, 0.94][..]));
        assert_eq!(MonitorMode::auto("val_accuracy"), MonitorMode::Max);
        assert_eq!(MonitorMode::auto("val_loss"), MonitorMode::Min);
    }
}
