//! `Activation`: a stand-alone activation layer (Keras `layers.Activation`).

use crate::float::Float;
use crate::nn::activation::Activation;
use crate::nn::layer::{Layer, LayerSpec, Mode};
use ndarray::ArrayD;
use serde::{Deserialize, Serialize};

/// Configuration of an [`ActivationLayer`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationConfig {
    /// The activation applied element-wise (softmax: over the last axis).
    pub activation: Activation,
}

impl ActivationConfig {
    /// Returns the config of a layer applying `activation`.
    pub fn new(activation: Activation) -> Self {
        Self { activation }
    }
}

/// A parameter-free layer applying an activation.
pub struct ActivationLayer<F: Float> {
    config: ActivationConfig,
    output: Option<ArrayD<F>>,
}

impl<F: Float> ActivationLayer<F> {
    /// Creates the layer.
    pub fn new(config: &ActivationConfig) -> Self {
        Self {
            config: config.clone(),
            output: None,
        }
    }
}

impl<F: Float> Layer<F> for ActivationLayer<F> {
    fn spec(&self) -> LayerSpec {
        LayerSpec::Activation(self.config.clone())
    }

    /// # Shapes
    /// Any shape, unchanged.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let mut out = input.as_standard_layout().into_owned();
        self.config.activation.apply_inplace(&mut out);
        self.output = Some(out.clone());
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let output = self
            .output
            .as_ref()
            .expect("backward called before forward");
        self.config.activation.backward(output, grad_output)
    }

    fn activation(&self) -> Activation {
        self.config.activation
    }

    fn backward_pre_activation(&mut self, grad_pre_activation: &ArrayD<F>) -> ArrayD<F> {
        grad_pre_activation.clone()
    }

    fn output_shape(&self, input_shape: &[usize]) -> Vec<usize> {
        input_shape.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_layer, probe_weights};

    #[test]
    fn activation_layer_gradients_match_central_differences() {
        for activation in [Activation::Relu, Activation::Sigmoid, Activation::Softmax] {
            let mut layer = ActivationLayer::<f64>::new(&ActivationConfig::new(activation));
            check_layer(&mut layer, &probe_weights(&[3, 4]), 1e-8);
        }
    }
}
