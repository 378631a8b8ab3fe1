//! Optimizers with Keras 3 defaults and update rules. An optimizer sees only
//! named `(value, grad)` pairs and keeps its per-parameter state (momentum,
//! moments, accumulators) keyed by the parameter's stable name
//! (`dense_1.kernel`), as candle's optimizers do.

pub mod adagrad;
pub mod adam;
pub mod rmsprop;
pub mod sgd;

use crate::error::{Result, TrainerError};
use crate::float::Float;
use ndarray::ArrayD;
use std::collections::HashMap;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

/// A parameter with its model-wide name and gradient, as optimizers see it.
pub struct NamedParam<'a, F> {
    /// Stable name, `<layer>.<parameter>` (`conv2d_1.kernel`).
    pub name: &'a str,
    /// The value to update.
    pub value: &'a mut ArrayD<F>,
    /// The gradient of the loss with respect to the value.
    pub grad: &'a ArrayD<F>,
}

/// A gradient-descent update rule.
pub trait Optimizer<F: Float>: Send {
    /// Returns the Keras name (`adam`, `sgd`, ...).
    fn name(&self) -> &'static str;

    /// Returns hyperparameters as key/value pairs, for logging as run params.
    fn hyperparameters(&self) -> Vec<(String, String)>;

    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] for an out-of-range value.
    fn validate(&self) -> Result<()>;

    /// Returns the number of updates applied so far.
    fn iterations(&self) -> u64;

    /// Returns the learning rate the next update will use.
    fn current_learning_rate(&self) -> f64;

    /// Applies one update to every parameter from its gradient.
    fn step(&mut self, params: &mut [NamedParam<'_, F>]);
}

/// A learning rate as a function of the update count (Keras `LearningRateSchedule`).
pub trait LearningRateSchedule: Send + Sync {
    /// Returns the learning rate for update number `iteration` (0-based).
    fn learning_rate(&self, iteration: u64) -> f64;

    /// Returns a short description for logs (`0.001`, `exponential_decay(...)`).
    fn describe(&self) -> String;
}

/// A constant learning rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConstantLearningRate(pub f64);

impl LearningRateSchedule for ConstantLearningRate {
    fn learning_rate(&self, _iteration: u64) -> f64 {
        self.0
    }

    fn describe(&self) -> String {
        self.0.to_string()
    }
}

/// `initial · decay_rate^(iteration / decay_steps)` (Keras `ExponentialDecay`),
/// with an integer exponent when `staircase`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialDecay {
    /// Learning rate at iteration 0.
    pub initial_learning_rate: f64,
    /// Iterations over which the rate is multiplied by `decay_rate`.
    pub decay_steps: u64,
    /// Factor per `decay_steps` iterations.
    pub decay_rate: f64,
    /// Whether the exponent is floored.
    pub staircase: bool,
}

impl LearningRateSchedule for ExponentialDecay {
    fn learning_rate(&self, iteration: u64) -> f64 {
        let mut exponent = iteration as f64 / self.decay_steps.max(1) as f64;
        if self.staircase {
            exponent = exponent.floor();
        }
        self.initial_learning_rate * self.decay_rate.powf(exponent)
    }

    fn describe(&self) -> String {
        format!(
            "exponential_decay(initial_learning_rate={}, decay_steps={}, decay_rate={}, staircase={})",
            self.initial_learning_rate, self.decay_steps, self.decay_rate, self.staircase
        )
    }
}

/// Per-parameter state slots keyed by parameter name.
pub(crate) struct Slots<F> {
    slots: HashMap<String, Vec<ArrayD<F>>>,
}

impl<F> Default for Slots<F> {
    fn default() -> Self {
        Self {
            slots: HashMap::new(),
        }
    }
}

impl<F: Float> Slots<F> {
    /// Returns the `count` state arrays of parameter `name`, created filled with `init`.
    pub(crate) fn get(
        &mut self,
        name: &str,
        like: &ArrayD<F>,
        count: usize,
        init: F,
    ) -> &mut Vec<ArrayD<F>> {
        if !self.slots.contains_key(name) {
            self.slots.insert(
                name.to_owned(),
                vec![ArrayD::from_elem(like.raw_dim(), init); count],
            );
        }
        self.slots.get_mut(name).expect("inserted above")
    }
}

/// Checks that a learning rate is positive at the first iteration.
pub(crate) fn check_learning_rate(schedule: &dyn LearningRateSchedule) -> Result<()> {
    let lr = schedule.learning_rate(0);
    if lr > 0.0 && lr.is_finite() {
        Ok(())
    } else {
        Err(TrainerError::InvalidConfig(format!(
            "learning rate must be positive, got {lr}"
        )))
    }
}

/// Checks that a hyperparameter lies in `[low, high)`.
pub(crate) fn check_range(name: &str, value: f64, low: f64, high: f64) -> Result<()> {
    if (low..high).contains(&value) {
        Ok(())
    } else {
        Err(TrainerError::InvalidConfig(format!(
            "{name} must be in [{low}, {high}), got {value}"
        )))
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Applies `steps` updates to one scalar parameter with constant gradient
    /// sequence `grads`, returning the values after each step.
    pub(crate) fn run(optimizer: &mut dyn Optimizer<f64>, start: f64, grads: &[f64]) -> Vec<f64> {
        let mut value = ArrayD::from_elem(vec![1], start);
        let mut out = Vec::new();
        for &g in grads {
            let grad = ArrayD::from_elem(vec![1], g);
            optimizer.step(&mut [NamedParam {
                name: "w",
                value: &mut value,
                grad: &grad,
            }]);
            out.push(value[[0]]);
        }
        out
    }

    /// Asserts that two sequences agree to 1e-12.
    pub(crate) fn assert_close(got: &[f64], expected: &[f64]) {
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "got {got:?}, expected {expected:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_decay_follows_the_keras_formula() {
        let s = ExponentialDecay {
            initial_learning_rate: 0.1,
            decay_steps: 10,
            decay_rate: 0.5,
            staircase: false,
        };
        assert!((s.learning_rate(5) - 0.1 * 0.5f64.sqrt()).abs() < 1e-15);
        let stair = ExponentialDecay {
            staircase: true,
            ..s
        };
        assert_eq!(stair.learning_rate(15), 0.05);
    }
}
