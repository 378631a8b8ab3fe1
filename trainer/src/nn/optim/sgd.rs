//! SGD with optional momentum and Nesterov momentum (Keras `optimizers.SGD`:
//! learning rate 0.01, momentum 0).
//!
//! With momentum m: `v ← m·v − lr·g`, then `w ← w + v`, or with Nesterov
//! `w ← w + m·v − lr·g`.

use super::{
    check_learning_rate, check_range, ConstantLearningRate, LearningRateSchedule, NamedParam,
    Optimizer, Slots,
};
use crate::error::Result;
use crate::float::Float;
use ndarray::Zip;

/// Stochastic gradient descent.
pub struct Sgd<F: Float> {
    schedule: Box<dyn LearningRateSchedule>,
    momentum: f64,
    nesterov: bool,
    iterations: u64,
    velocity: Slots<F>,
}

impl<F: Float> Default for Sgd<F> {
    fn default() -> Self {
        Self::new(0.01)
    }
}

impl<F: Float> Sgd<F> {
    /// Returns plain SGD with a constant learning rate.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            schedule: Box::new(ConstantLearningRate(learning_rate)),
            momentum: 0.0,
            nesterov: false,
            iterations: 0,
            velocity: Slots::default(),
        }
    }

    /// Sets the momentum, in `[0, 1)`.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Enables Nesterov momentum.
    pub fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// Replaces the constant learning rate by a schedule.
    pub fn with_schedule(mut self, schedule: impl LearningRateSchedule + 'static) -> Self {
        self.schedule = Box::new(schedule);
        self
    }
}

impl<F: Float> Optimizer<F> for Sgd<F> {
    fn name(&self) -> &'static str {
        "sgd"
    }

    fn hyperparameters(&self) -> Vec<(String, String)> {
        vec![
            ("learning_rate".into(), self.schedule.describe()),
            ("momentum".into(), self.momentum.to_string()),
            ("nesterov".into(), self.nesterov.to_string()),
        ]
    }

    fn validate(&self) -> Result<()> {
        check_learning_rate(self.schedule.as_ref())?;
        check_range("momentum", self.momentum, 0.0, 1.0)
    }

    fn iterations(&self) -> u64 {
        self.iterations
    }

    fn current_learning_rate(&self) -> f64 {
        self.schedule.learning_rate(self.iterations)
    }

    fn step(&mut self, params: &mut [NamedParam<'_, F>]) {
        let lr = F::constant(self.current_learning_rate());
        let m = F::constant(self.momentum);
        for p in params.iter_mut() {
            if self.momentum == 0.0 {
                Zip::from(&mut *p.value)
                    .and(p.grad)
                    .for_each(|w, &g| *w -= lr * g);
                continue;
            }
            let v = &mut self.velocity.get(p.name, p.value, 1, F::zero())[0];
            let nesterov = self.nesterov;
            Zip::from(&mut *p.value)
                .and(p.grad)
                .and(v)
                .for_each(|w, &g, v| {
                    *v = m * *v - lr * g;
                    *w += if nesterov { m * *v - lr * g } else { *v };
                });
        }
        self.iterations += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::optim::test_support::{assert_close, run};

    #[test]
    fn sgd_steps_match_hand_computed_values() {
        // w = 1, g = 2, 1; lr 0.1: 1 − 0.2 = 0.8, 0.8 − 0.1 = 0.7.
        assert_close(&run(&mut Sgd::new(0.1), 1.0, &[2.0, 1.0]), &[0.8, 0.7]);
        // Momentum 0.9: v1 = −0.2, w = 0.8; v2 = −0.18 − 0.1 = −0.28, w = 0.52.
        assert_close(
            &run(&mut Sgd::new(0.1).with_momentum(0.9), 1.0, &[2.0, 1.0]),
            &[0.8, 0.52],
        );
        // Nesterov: w1 = 1 + 0.9·(−0.2) − 0.2 = 0.62; w2 = 0.62 + 0.9·(−0.28) − 0.1 = 0.268.
        let mut nesterov = Sgd::new(0.1).with_momentum(0.9).with_nesterov(true);
        assert_close(&run(&mut nesterov, 1.0, &[2.0, 1.0]), &[0.62, 0.268]);
        assert!(Optimizer::<f64>::validate(&Sgd::<f64>::new(0.1).with_momentum(1.0)).is_err());
        assert!(Optimizer::<f64>::validate(&Sgd::<f64>::new(-1.0)).is_err());
    }
}
