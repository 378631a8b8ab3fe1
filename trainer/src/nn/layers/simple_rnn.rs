//! `SimpleRNN`: `h_t = tanh(x_t · kernel + h_{t−1} · recurrent_kernel + bias)`
//! with h_0 = 0 (Keras `layers.SimpleRNN`), trained by backpropagation
//! through time.

use crate::data::SplitMix64;
use crate::error::Result;
use crate::float::Float;
use crate::nn::activation::tanh;
use crate::nn::init::{glorot_uniform, orthogonal};
use crate::nn::layer::{Layer, LayerSpec, Mode, ParamMut, ParamRef};
use crate::nn::layers::recurrent::{
    batch_block, state_gradients, swap_batch_time, RecurrentConfig,
};
use crate::nn::layers::{fill_rows, matrix, matrix_mut, param2};
use crate::nn::linalg::{gemm, gemm_at_b};
use ndarray::linalg::general_mat_mul;
use ndarray::{
    Array2, Array3, ArrayD, ArrayView2, ArrayView3, ArrayViewMut3, Axis, Ix3, IxDyn, Slice, Zip,
};
use rayon::prelude::*;

/// A fully connected recurrent layer with tanh.
pub struct SimpleRnn<F: Float> {
    config: RecurrentConfig,
    kernel: ArrayD<F>,
    recurrent_kernel: ArrayD<F>,
    bias: ArrayD<F>,
    grad_kernel: ArrayD<F>,
    grad_recurrent_kernel: ArrayD<F>,
    grad_bias: ArrayD<F>,
    /// The last input, time-major `[time, batch, features]`.
    input: Option<ArrayD<F>>,
    /// Hidden states h_0..h_T, `[time + 1, batch, units]`.
    states: Option<Array3<F>>,
}

impl<F: Float> SimpleRnn<F> {
    /// Builds the layer for `features` inputs per step: Glorot-uniform kernel,
    /// orthogonal recurrent kernel, zero bias, drawn from `seed`.
    ///
    /// # Errors
    /// Returns [`crate::TrainerError::InvalidConfig`] when `units` is zero.
    pub fn new(config: &RecurrentConfig, features: usize, seed: u64) -> Result<Self> {
        config.validate()?;
        let units = config.units;
        let mut rng = SplitMix64::new(seed);
        let kernel = glorot_uniform(&[features, units], &mut rng);
        let recurrent_kernel = orthogonal(units, units, &mut rng);
        Ok(Self {
            config: config.clone(),
            grad_kernel: ArrayD::zeros(kernel.raw_dim()),
            grad_recurrent_kernel: ArrayD::zeros(recurrent_kernel.raw_dim()),
            kernel,
            recurrent_kernel,
            bias: ArrayD::zeros(IxDyn(&[units])),
            grad_bias: ArrayD::zeros(IxDyn(&[units])),
            input: None,
            states: None,
        })
    }
}

impl<F: Float> Layer<F> for SimpleRnn<F> {
    fn spec(&self) -> LayerSpec {
        LayerSpec::SimpleRnn(self.config.clone())
    }

    /// # Shapes
    /// `[batch, time, features]` → `[batch, time, units]` with `return_sequences`,
    /// else `[batch, units]`.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let x = swap_batch_time(input);
        let (time, batch) = (x.shape()[0], x.shape()[1]);
        let units = self.config.units;
        // x_t · kernel + bias for all steps in one product, written straight
        // into h_1..h_T; the time loop then adds h_{t−1} · recurrent_kernel.
        let mut states = Array3::zeros((time + 1, batch, units));
        {
            let mut xw = states
                .slice_axis_mut(Axis(0), Slice::from(1..))
                .into_shape_with_order((time * batch, units))
                .expect("trailing steps of a standard-layout array");
            fill_rows(xw.view_mut(), &self.bias);
            gemm(
                F::one(),
                matrix(&x, time * batch),
                param2(&self.kernel),
                F::one(),
                xw,
            );
        }
        let u = param2(&self.recurrent_kernel);
        let block = batch_block(batch);
        states
            .axis_chunks_iter_mut(Axis(1), block)
            .into_par_iter()
            .for_each(|states| forward_block(states, u));
        let out = if self.config.return_sequences {
            swap_batch_time(
                &states
                    .slice_axis(Axis(0), Slice::from(1..))
                    .to_owned()
                    .into_dyn(),
            )
        } else {
            states.index_axis(Axis(0), time).to_owned().into_dyn()
        };
        self.input = Some(x);
        self.states = Some(states);
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let x = self.input.as_ref().expect("backward called before forward");
        let states = self
            .states
            .as_ref()
            .expect("backward called before forward");
        let (time, batch, features) = (x.shape()[0], x.shape()[1], x.shape()[2]);
        let units = self.config.units;
        let grad_states = state_gradients(
            grad_output,
            self.config.return_sequences,
            time,
            batch,
            units,
        )
        .into_dimensionality::<Ix3>()
        .expect("rank 3");
        let u = param2(&self.recurrent_kernel);
        let mut grad_z = Array3::zeros((time, batch, units));
        let block = batch_block(batch);
        grad_z
            .axis_chunks_iter_mut(Axis(1), block)
            .into_par_iter()
            .zip(states.axis_chunks_iter(Axis(1), block))
            .zip(grad_states.axis_chunks_iter(Axis(1), block))
            .for_each(|((grad_z, states), grad_states)| {
                backward_block(grad_z, states, grad_states, u);
            });
        let gz2 = grad_z
            .into_shape_with_order((time * batch, units))
            .expect("same size");
        // Σ_t h_{t−1}ᵀ · dz_t as one product over all steps: h_0..h_{T−1}.
        let h_prev = states
            .slice_axis(Axis(0), Slice::from(..time))
            .into_shape_with_order((time * batch, units))
            .expect("leading steps of a standard-layout array");
        gemm_at_b(
            h_prev,
            gz2.view(),
            matrix_mut(&mut self.grad_recurrent_kernel, units),
        );
        self.grad_bias.assign(&gz2.sum_axis(Axis(0)));
        gemm_at_b(
            matrix(x, time * batch),
            gz2.view(),
            matrix_mut(&mut self.grad_kernel, features),
        );
        let mut grad_x = ArrayD::zeros(IxDyn(&[time, batch, features]));
        gemm(
            F::one(),
            gz2.view(),
            param2(&self.kernel).t(),
            F::zero(),
            matrix_mut(&mut grad_x, time * batch),
        );
        swap_batch_time(&grad_x)
    }

    fn params_mut(&mut self) -> Vec<ParamMut<'_, F>> {
        vec![
            ParamMut {
                name: "kernel",
                value: &mut self.kernel,
                grad: &self.grad_kernel,
            },
            ParamMut {
                name: "recurrent_kernel",
                value: &mut self.recurrent_kernel,
                grad: &self.grad_recurrent_kernel,
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
                name: "recurrent_kernel",
                value: &self.recurrent_kernel,
            },
            ParamRef {
                name: "bias",
                value: &self.bias,
            },
        ]
    }

    fn output_shape(&self, input_shape: &[usize]) -> Vec<usize> {
        self.config.output_shape(input_shape)
    }
}

/// Runs the time loop for a block of batch rows: `states` (time-major) holds
/// h_0 = 0 and x_t · kernel + bias in place of h_1..h_T on entry, the hidden
/// states on return.
fn forward_block<F: Float>(mut states: ArrayViewMut3<'_, F>, u: ArrayView2<'_, F>) {
    for t in 0..states.shape()[0] - 1 {
        let (prev, mut next) = states.view_mut().split_at(Axis(0), t + 1);
        let mut h = next.index_axis_mut(Axis(0), 0);
        general_mat_mul(F::one(), &prev.index_axis(Axis(0), t), &u, F::one(), &mut h);
        h.mapv_inplace(tanh);
    }
}

/// Backpropagates through time for a block of batch rows: fills `grad_z`
/// with dL/dz_t from the hidden states and each step's `grad_states`
/// (dL/dh_t from the layer's output).
fn backward_block<F: Float>(
    mut grad_z: ArrayViewMut3<'_, F>,
    states: ArrayView3<'_, F>,
    grad_states: ArrayView3<'_, F>,
    u: ArrayView2<'_, F>,
) {
    let mut grad_h = Array2::zeros((grad_z.shape()[1], u.nrows()));
    for t in (0..grad_z.shape()[0]).rev() {
        grad_h += &grad_states.index_axis(Axis(0), t);
        let mut gz = grad_z.index_axis_mut(Axis(0), t);
        // dz = dh ⊙ (1 − h_t²), h_t = states[t + 1].
        Zip::from(&mut gz)
            .and(&grad_h)
            .and(&states.index_axis(Axis(0), t + 1))
            .for_each(|z, &g, &h| *z = g * (F::one() - h * h));
        general_mat_mul(F::one(), &gz, &u.t(), F::zero(), &mut grad_h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_batch_split, check_layer, probe_weights};

    #[test]
    fn simple_rnn_gradients_match_central_differences_through_time() {
        for return_sequences in [false, true] {
            let config = RecurrentConfig::new(3).with_return_sequences(return_sequences);
            let mut layer = SimpleRnn::<f64>::new(&config, 2, 4).unwrap();
            layer.params_mut()[2]
                .value
                .assign(&ndarray::arr1(&[0.1, -0.2, 0.05]).into_dyn());
            check_layer(&mut layer, &(probe_weights(&[2, 5, 2]) * 0.8), 1e-7);
        }
    }

    #[test]
    fn simple_rnn_computes_the_recurrence() {
        let config = RecurrentConfig::new(1).with_return_sequences(true);
        let mut layer = SimpleRnn::<f64>::new(&config, 1, 0).unwrap();
        layer.params_mut()[0].value.fill(0.5);
        layer.params_mut()[1].value.fill(-1.0);
        let x = ArrayD::from_shape_vec(IxDyn(&[1, 2, 1]), vec![1.0, 2.0]).unwrap();
        let y = layer.forward(&x, Mode::Infer);
        let h1 = 0.5f64.tanh();
        let h2 = (1.0 - h1).tanh();
        let y = y.as_slice().unwrap();
        assert!(
            (y[0] - h1).abs() < 1e-15 && (y[1] - h2).abs() < 1e-15,
            "{y:?}"
        );
        assert_eq!(layer.output_shape(&[50, 1]), vec![50, 1]);
    }

    #[test]
    fn simple_rnn_blocks_of_the_batch_run_independently_on_two_threads() {
        for return_sequences in [false, true] {
            let config = RecurrentConfig::new(3).with_return_sequences(return_sequences);
            let mut layer = SimpleRnn::<f64>::new(&config, 2, 4).unwrap();
            check_batch_split(&mut layer, &(probe_weights(&[20, 4, 2]) * 0.5), 1e-7);
        }
    }
}
