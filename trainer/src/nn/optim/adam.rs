//! Adam (Keras `optimizers.Adam`: learning rate 0.001, β1 0.9, β2 0.999,
//! ε 1e-7) in Keras' "ε-hat" form: `m ← m + (g − m)(1 − β1)`,
//! `v ← v + (g² − v)(1 − β2)`, `α_t = lr·√(1 − β2^t)/(1 − β1^t)`,
//! `w ← w − α_t·m/(√v + ε)`.

use super::{
    check_learning_rate, check_range, ConstantLearningRate, LearningRateSchedule, NamedParam,
    Optimizer, Slots,
};
use crate::error::Result;
use crate::float::Float;
use ndarray::Zip;

/// The Adam optimizer.
pub struct Adam<F: Float> {
    schedule: Box<dyn LearningRateSchedule>,
    beta_1: f64,
    beta_2: f64,
    epsilon: f64,
    iterations: u64,
    moments: Slots<F>,
}

impl<F: Float> Default for Adam<F> {
    fn default() -> Self {
        Self::new(0.001)
    }
}

impl<F: Float> Adam<F> {
    /// Returns Adam with Keras defaults and a constant learning rate.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            schedule: Box::new(ConstantLearningRate(learning_rate)),
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            iterations: 0,
            moments: Slots::default(),
        }
    }

    /// Sets the exponential decay rates of the first and second moments.
    pub fn with_betas(mut self, beta_1: f64, beta_2: f64) -> Self {
        self.beta_1 = beta_1;
        self.beta_2 = beta_2;
        self
    }

    /// Sets ε.
    pub fn with_epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Replaces the constant learning rate by a schedule.
    pub fn with_schedule(mut self, schedule: impl LearningRateSchedule + 'static) -> Self {
        self.schedule = Box::new(schedule);
        self
    }
}

impl<F: Float> Optimizer<F> for Adam<F> {
    fn name(&self) -> &'static str {
        "adam"
    }

    fn hyperparameters(&self) -> Vec<(String, String)> {
        vec![
            ("learning_rate".into(), self.schedule.describe()),
            ("beta_1".into(), self.beta_1.to_string()),
            ("beta_2".into(), self.beta_2.to_string()),
            ("epsilon".into(), self.epsilon.to_string()),
        ]
    }

    fn validate(&self) -> Result<()> {
        check_learning_rate(self.schedule.as_ref())?;
        check_range("beta_1", self.beta_1, 0.0, 1.0)?;
        check_range("beta_2", self.beta_2, 0.0, 1.0)?;
        check_range("epsilon", self.epsilon, 0.0, f64::INFINITY)
    }

    fn iterations(&self) -> u64 {
        self.iterations
    }

    fn current_learning_rate(&self) -> f64 {
        self.schedule.learning_rate(self.iterations)
    }

    fn step(&mut self, params: &mut [NamedParam<'_, F>]) {
        let t = (self.iterations + 1) as f64;
        let alpha = self.current_learning_rate() * (1.0 - self.beta_2.powf(t)).sqrt()
            / (1.0 - self.beta_1.powf(t));
        let (alpha, eps) = (F::constant(alpha), F::constant(self.epsilon));
        let (one_minus_b1, one_minus_b2) = (
            F::constant(1.0 - self.beta_1),
            F::constant(1.0 - self.beta_2),
        );
        for p in params.iter_mut() {
            let slots = self.moments.get(p.name, p.value, 2, F::zero());
            let (m, v) = slots.split_at_mut(1);
            Zip::from(&mut *p.value)
                .and(p.grad)
                .and(&mut m[0])
                .and(&mut v[0])
                .for_each(|w, &g, m, v| {
                    *m += (g - *m) * one_minus_b1;
                    *v += (g * g - *v) * one_minus_b2;
                    *w -= alpha * *m / (v.sqrt() + eps);
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
    fn adam_steps_match_hand_computed_values() {
        // Step 1, g = 2: m = 0.2, v = 0.004, α = 0.1·√0.001/0.1 = √0.001,
        // w = 1 − √0.001·0.2/(√0.004 + 1e-7).
        let w1 = 1.0 - 0.001f64.sqrt() * 0.2 / (0.004f64.sqrt() + 1e-7);
        // Step 2, g = 1: m = 0.18 + 0.1 = 0.28, v = 0.003996 + 0.001 = 0.004996,
        // α = 0.1·√(1 − 0.999²)/(1 − 0.81).
        let alpha2 = 0.1 * (1.0 - 0.999f64 * 0.999).sqrt() / (1.0 - 0.81);
        let w2 = w1 - alpha2 * 0.28 / (0.004996f64.sqrt() + 1e-7);
        assert_close(&run(&mut Adam::new(0.1), 1.0, &[2.0, 1.0]), &[w1, w2]);
        assert!(Optimizer::<f64>::validate(&Adam::<f64>::default().with_betas(1.0, 0.9)).is_err());
    }
}
