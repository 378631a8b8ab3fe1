//! `Dropout`: inverted dropout (Keras `layers.Dropout`): in training each
//! value is kept with probability 1 − rate and scaled by 1 / (1 − rate); in
//! inference the layer is the identity.

use crate::data::SplitMix64;
use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::layer::{Layer, LayerSpec, Mode};
use ndarray::{ArrayD, Zip};
use serde::{Deserialize, Serialize};

/// Configuration of a [`Dropout`] layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DropoutConfig {
    /// Fraction of inputs dropped in training, in `[0, 1)`.
    pub rate: f64,
}

impl DropoutConfig {
    /// Returns a config dropping a fraction `rate` of the inputs.
    pub fn new(rate: f64) -> Self {
        Self { rate }
    }

    /// Checks the config.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] unless `0 <= rate < 1`.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..1.0).contains(&self.rate) {
            return Err(TrainerError::InvalidConfig(format!(
                "Dropout rate must be in [0, 1), got {}",
                self.rate
            )));
        }
        Ok(())
    }
}

/// Inverted dropout with its own seeded generator.
pub struct Dropout<F: Float> {
    config: DropoutConfig,
    rng: SplitMix64,
    /// The scale applied per element in the last training forward (0 or 1/(1−rate)).
    mask: Option<ArrayD<F>>,
}

impl<F: Float> Dropout<F> {
    /// Builds the layer; masks are drawn from a generator seeded with `seed`.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] when the rate is out of range.
    pub fn new(config: &DropoutConfig, seed: u64) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            config: config.clone(),
            rng: SplitMix64::new(seed),
            mask: None,
        })
    }
}

impl<F: Float> Layer<F> for Dropout<F> {
    fn spec(&self) -> LayerSpec {
        LayerSpec::Dropout(self.config.clone())
    }

    /// # Shapes
    /// Any shape, unchanged.
    fn forward(&mut self, input: &ArrayD<F>, mode: Mode) -> ArrayD<F> {
        if mode == Mode::Infer || self.config.rate == 0.0 {
            self.mask = None;
            return input.clone();
        }
        let rate = self.config.rate;
        let scale = F::constant(1.0 / (1.0 - rate));
        let rng = &mut self.rng;
        let mask = ArrayD::from_shape_simple_fn(input.raw_dim(), || {
            if rng.next_f64() >= rate {
                scale
            } else {
                F::zero()
            }
        });
        let mut out = input.as_standard_layout().into_owned();
        Zip::from(&mut out).and(&mask).for_each(|o, &m| *o *= m);
        self.mask = Some(mask);
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        match &self.mask {
            Some(mask) => grad_output * mask,
            None => grad_output.clone(),
        }
    }

    fn output_shape(&self, input_shape: &[usize]) -> Vec<usize> {
        input_shape.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::probe_weights;

    #[test]
    fn dropout_scales_kept_units_and_is_identity_in_inference() {
        let mut layer = Dropout::<f64>::new(&DropoutConfig::new(0.25), 9).unwrap();
        let x = ArrayD::from_elem(vec![100, 40], 1.0);
        let y = layer.forward(&x, Mode::Train);
        let kept = y.iter().filter(|v| **v != 0.0).count() as f64 / y.len() as f64;
        assert!((kept - 0.75).abs() < 0.03, "kept fraction {kept}");
        assert!(y
            .iter()
            .all(|v| *v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-12));
        // The layer is linear for a fixed mask, so dL/dx = mask ⊙ dL/dy exactly.
        let g = probe_weights(&[100, 40]);
        let gx = layer.backward(&g);
        assert_eq!(gx, &g * &y);
        assert_eq!(layer.forward(&x, Mode::Infer), x);
        assert!(DropoutConfig::new(1.0).validate().is_err());
    }
}
