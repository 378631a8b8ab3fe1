//! `Dense`: a fully connected layer `y = act(x · kernel + bias)` on the last
//! axis (Keras `layers.Dense`).

use crate::data::SplitMix64;
use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::activation::Activation;
use crate::nn::init::glorot_uniform;
use crate::nn::layer::{Layer, LayerSpec, Mode, ParamMut, ParamRef};
use crate::nn::layers::{fill_rows, matrix, matrix_mut, param2, standard};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayD, Axis, IxDyn};
use serde::{Deserialize, Serialize};

/// Configuration of a [`Dense`] layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DenseConfig {
    /// Number of output units.
    pub units: usize,
    /// Activation applied to the output.
    pub activation: Activation,
}

impl DenseConfig {
    /// Returns a config with `units` outputs and a linear activation.
    pub fn new(units: usize) -> Self {
        Self {
            units,
            activation: Activation::Linear,
        }
    }

    /// Sets the activation.
    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Checks the config.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] when `units` is zero.
    pub fn validate(&self) -> Result<()> {
        if self.units == 0 {
            return Err(TrainerError::InvalidConfig(
                "Dense units must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// A fully connected layer with a `[input_dim, units]` kernel and a `[units]` bias.
pub struct Dense<F: Float> {
    config: DenseConfig,
    kernel: ArrayD<F>,
    bias: ArrayD<F>,
    grad_kernel: ArrayD<F>,
    grad_bias: ArrayD<F>,
    input: Option<ArrayD<F>>,
    output: Option<ArrayD<F>>,
}

impl<F: Float> Dense<F> {
    /// Builds the layer: Glorot-uniform kernel drawn from `seed`, zero bias.
    ///
    /// # Errors
    /// Returns [`TrainerError::InvalidConfig`] when the config is invalid.
    pub fn new(config: &DenseConfig, input_dim: usize, seed: u64) -> Result<Self> {
        config.validate()?;
        let mut rng = SplitMix64::new(seed);
        let kernel = glorot_uniform(&[input_dim, config.units], &mut rng);
        Ok(Self {
            config: config.clone(),
            grad_kernel: ArrayD::zeros(kernel.raw_dim()),
            kernel,
            bias: ArrayD::zeros(IxDyn(&[config.units])),
            grad_bias: ArrayD::zeros(IxDyn(&[config.units])),
            input: None,
            output: None,
        })
    }
}

impl<F: Float> Layer<F> for Dense<F> {
    fn spec(&self) -> LayerSpec {
        LayerSpec::Dense(self.config.clone())
    }

    /// # Shapes
    /// `[batch, ..., input_dim]` → `[batch, ..., units]`.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let input = standard(input);
        let in_dim = self.kernel.shape()[0];
        let rows = input.len() / in_dim;
        let mut out_shape = input.shape().to_vec();
        *out_shape.last_mut().expect("rank checked at build") = self.config.units;
        let mut out = ArrayD::zeros(IxDyn(&out_shape));
        {
            let mut out2 = matrix_mut(&mut out, rows);
            fill_rows(out2.view_mut(), &self.bias);
            general_mat_mul(
                F::one(),
                &matrix(&input, rows),
                &param2(&self.kernel),
                F::one(),
                &mut out2,
            );
        }
        self.config.activation.apply_inplace(&mut out);
        self.input = Some(input);
        self.output = Some(out.clone());
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let output = self
            .output
            .as_ref()
            .expect("backward called before forward");
        let grad = self.config.activation.backward(output, grad_output);
        self.backward_pre_activation(&grad)
    }

    fn activation(&self) -> Activation {
        self.config.activation
    }

    fn backward_pre_activation(&mut self, grad_pre_activation: &ArrayD<F>) -> ArrayD<F> {
        let input = self.input.as_ref().expect("backward called before forward");
        let grad = standard(grad_pre_activation);
        let in_dim = self.kernel.shape()[0];
        let rows = input.len() / in_dim;
        let x = matrix(input, rows);
        let g = matrix(&grad, rows);
        let mut gk = matrix_mut(&mut self.grad_kernel, in_dim);
        general_mat_mul(F::one(), &x.t(), &g, F::zero(), &mut gk);
        self.grad_bias.assign(&g.sum_axis(Axis(0)));
        let mut grad_input = ArrayD::zeros(input.raw_dim());
        general_mat_mul(
            F::one(),
            &g,
            &param2(&self.kernel).t(),
            F::zero(),
            &mut matrix_mut(&mut grad_input, rows),
        );
        grad_input
    }

    fn params_mut(&mut self) -> Vec<ParamMut<'_, F>> {
        vec![
            ParamMut {
                name: "kernel",
                value: &mut self.kernel,
                grad: &self.grad_kernel,
            },
            ParamMut {
                name: "bias",
                value: &mut self.bias,
                grad: &self.grad_bias,
            },
        ]
    }

    fn params(&self) -> Vec<ParamRef<'_, F>> {
        vec![
            ParamRef {
                name: "kernel",
                value: &self.kernel,
            },
            ParamRef {
                name: "bias",
                value: &self.bias,
            },
        ]
    }

    fn output_shape(&self, input_shape: &[usize]) -> Vec<usize> {
        let mut shape = input_shape.to_vec();
        *shape.last_mut().expect("rank checked at build") = self.config.units;
        shape
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_layer, probe_weights};

    #[test]
    fn dense_gradients_match_central_differences() {
        for activation in [Activation::Linear, Activation::Tanh, Activation::Softmax] {
            let mut layer =
                Dense::<f64>::new(&DenseConfig::new(4).with_activation(activation), 3, 7).unwrap();
            layer.params_mut()[1]
                .value
                .assign(&ndarray::arr1(&[0.1, -0.2, 0.3, 0.05]).into_dyn());
            check_layer(&mut layer, &probe_weights(&[5, 3]), 1e-7);
        }
        // Rank-3 input: the kernel applies to the last axis.
        let mut layer = Dense::<f64>::new(&DenseConfig::new(2), 3, 1).unwrap();
        check_layer(&mut layer, &probe_weights(&[2, 4, 3]), 1e-7);
    }

    #[test]
    fn dense_forward_is_x_times_kernel_plus_bias() {
        let mut layer = Dense::<f64>::new(&DenseConfig::new(2), 2, 0).unwrap();
        layer.params_mut()[0]
            .value
            .assign(&ndarray::array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
        layer.params_mut()[1]
            .value
            .assign(&ndarray::arr1(&[0.5, -1.0]).into_dyn());
        let y = layer.forward(&ndarray::array![[1.0, 1.0]].into_dyn(), Mode::Infer);
        assert_eq!(y, ndarray::array![[4.5, 5.0]].into_dyn());
        assert!(DenseConfig::new(0).validate().is_err());
    }
}
