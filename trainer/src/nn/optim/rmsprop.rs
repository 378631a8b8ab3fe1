//! RMSprop (Keras `optimizers.RMSprop`: learning rate 0.001, ρ 0.9,
//! momentum 0, ε 1e-7, not centered): `s ← ρ·s + (1 − ρ)·g²`,
//! `w ← w − lr·g/√(s + ε)`; with momentum `v ← m·v + lr·g/√(s + ε)`, `w ← w − v`.

use super::{
    check_learning_rate, check_range, ConstantLearningRate, LearningRateSchedule, NamedParam,
    Optimizer, Slots,
};
use crate::error::Result;
use crate::float::Float;
use ndarray::Zip;

/// The RMSprop optimizer.
pub struct RmsProp<F: Float> {
    schedule: Box<dyn LearningRateSchedule>,
    rho: f64,
    momentum: f64,
    epsilon: f64,
    iterations: u64,
    slots: Slots<F>,
}

impl<F: Float> Default for RmsProp<F> {
    fn default() -> Self {
        Self::new(0.001)
    }
}

impl<F: Float> RmsProp<F> {
    /// Returns RMSprop with Keras defaults and a constant learning rate.
    pub fn new(learning_rate: f64) -> Self {
        Self {
            schedule: Box::new(ConstantLearningRate(learning_rate)),
            rho: 0.9,
            momentum: 0.0,
            epsilon: 1e-7,
            iterations: 0,
            slots: Slots::default(),
        }
    }

    /// Sets the decay rate ρ of the squared-gradient average.
    pub fn with_rho(mut self, rho: f64) -> Self {
        self.rho = rho;
        self
    }

    /// Sets the momentum.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Replaces the constant learning rate by a schedule.
    pub fn with_schedule(mut self, schedule: impl LearningRateSchedule + 'static) -> Self {
        self.schedule = Box::new(schedule);
        self
    }
}

impl<F: Float> Optimizer<F> for RmsProp<F> {
    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn hyperparameters(&self) -> Vec<(String, String)> {
        vec![
            ("learning_rate".into(), self.schedule.describe()),
            ("rho".into(), self.rho.to_string()),
            ("momentum".into(), self.momentum.to_string()),
            ("epsilon".into(), self.epsilon.to_string()),
        ]
    }

    fn validate(&self) -> Result<()> {
        check_learning_rate(self.schedule.as_ref())?;
        check_range("rho", self.rho, 0.0, 1.0)?;
        check_range("momentum", self.momentum, 0.0, 1.0)?;
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
        let (rho, eps, m) = (
            F::constant(self.rho),
            F::constant(self.epsilon),
            F::constant(self.momentum),
        );
        let one = F::one();
        for p in params.iter_mut() {
            let slots = self.slots.get(p.name, p.value, 2, F::zero());
            let (s, v) = slots.split_at_mut(1);
            Zip::from(&mut *p.value)
                .and(p.grad)
                .and(&mut s[0])
                .and(&mut v[0])
                .for_each(|w, &g, s, v| {
                    *s = rho * *s + (one - rho) * g * g;
                    let increment = lr * g / (*s + eps).sqrt();
                    *v = m * *v + increment;
                    *w -= *v;
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
    fn rmsprop_steps_match_hand_computed_values() {
        // s1 = 0.1·4 = 0.4, w1 = 1 − 0.01·2/√(0.4 + 1e-7);
        // s2 = 0.36 + 0.1 = 0.46, w2 = w1 − 0.01·1/√(0.46 + 1e-7).
        let w1 = 1.0 - 0.02 / (0.4f64 + 1e-7).sqrt();
        let w2 = w1 - 0.01 / (0.46f64 + 1e-7).sqrt();
        assert_close(&run(&mut RmsProp::new(0.01), 1.0, &[2.0, 1.0]), &[w1, w2]);
        // Momentum 0.5: v2 = 0.5·v1 + increment2.
        let v1 = 0.02 / (0.4f64 + 1e-7).sqrt();
        let v2 = 0.5 * v1 + 0.01 / (0.46f64 + 1e-7).sqrt();
        assert_close(
            &run(&mut RmsProp::new(0.01).with_momentum(0.5), 1.0, &[2.0, 1.0]),
            &[1.0 - v1, 1.0 - v1 - v2],
        );
    }
}
