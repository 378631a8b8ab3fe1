//! Adagrad (Keras `optimizers.Adagrad`: learning rate 0.001, initial
//! accumulator 0.1, ε 1e-7): `a ← a + g²`, `w ← w − lr·g/√(a + ε)`.

use super::{
    check_learning_rate, check_range, ConstantLearningRate, LearningRateSchedule, NamedParam,
    Optimizer, Slots,
};
use crate::error::Result;
use crate::float::Float;
use ndarray::Zip;

/// The Adagrad optimizer.
pub struct Adagrad<F: Float> {
    schedule: Box<dyn LearningRateSchedule>,
    initial_accumulator_value: f64,
    epsilon: f64,
    iterations: u64,
    accumulators: Slots<F>,
}

impl<F: Float> Default for Adagrad<F> {
    fn default() -> Self {
        Self::new(0.001)
    }
}

impl<F: Float> Adagrad<F> {
    /// Returns Adagrad with Keras defaults and a constant learning rate.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            schedule: Box::new(ConstantLearningRate(learning_rate)),
            initial_accumulator_value: 0.1,
            epsilon: 1e-7,
            iterations: 0,
            accumulators: Slots::default(),
        }
    }

    /// Sets the starting value of the squared-gradient accumulators.
    pub fn with_initial_accumulator_value(mut self, value: f64) -> Self {
        self.initial_accumulator_value = value;
        self
    }

    /// Replaces the constant learning rate by a schedule.
    pub fn with_schedule(mut self, schedule: impl LearningRateSchedule + 'static) -> Self {
        self.schedule = Box::new(schedule);
        self
    }
}

impl<F: Float> Optimizer<F> for Adagrad<F> {
    fn name(&self) -> &'static str {
        "adagrad"
    }

    fn hyperparameters(&self) -> Vec<(String, String)> {
        vec![
            ("learning_rate".into(), self.schedule.describe()),
            (
                "initial_accumulator_value".into(),
                self.initial_accumulator_value.to_string(),
            ),
            ("epsilon".into(), self.epsilon.to_string()),
        ]
    }

    fn validate(&self) -> Result<()> {
        check_learning_rate(self.schedule.as_ref())?;
        check_range(
            "initial_accumulator_value",
            self.initial_accumulator_value,
            0.0,
            f64::INFINITY,
        )?;
        check_range("epsilon", self.epsilon, 0.0, f64::INFINITY)
    }

    fn iterations(&self) -> u64 {
        self.iterations
    }

    fn current_learning_rate(&self) -> f64 {
        self.schedule.learning_rate(self.iterations)
    }

    fn step(&mut self, params: &mut [NamedParam<'_, F>]) {
        let lr = F::constant(self.current_learning_rate());
        let eps = F::constant(self.epsilon);
        let init = F::constant(self.initial_accumulator_value);
        for p in params.iter_mut() {
            let a = &mut self.accumulators.get(p.name, p.value, 1, init)[0];
            Zip::from(&mut *p.value)
                .and(p.grad)
                .and(a)
                .for_each(|w, &g, a| {
                    *a += g * g;
                    *w -= lr * g / (*a + eps).sqrt();
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
    fn adagrad_steps_match_hand_computed_values() {
        // a1 = 0.1 + 4 = 4.1, w1 = 1 − 0.1·2/√(4.1 + 1e-7); a2 = 5.1.
        let w1 = 1.0 - 0.2 / (4.1f64 + 1e-7).sqrt();
        let w2 = w1 - 0.1 / (5.1f64 + 1e-7).sqrt();
        assert_close(&run(&mut Adagrad::new(0.1), 1.0, &[2.0, 1.0]), &[w1, w2]);
    }
}
