//! `LSTM`: long short-term memory (Keras `layers.LSTM`, gate order i, f, c, o).
//!
//! For each step, with z = x_t · kernel + h_{t−1} · recurrent_kernel + bias:
//! input gate i = σ(z_i), forget gate f = σ(z_f), candidate C̃ = tanh(z_c),
//! output gate o = σ(z_o); cell state C_t = f ⊙ C_{t−1} + i ⊙ C̃ and hidden
//! state h_t = o ⊙ tanh(C_t), with h_0 = C_0 = 0. Backward is
//! backpropagation through time over the cached gates and states.

use crate::data::SplitMix64;
use crate::error::Result;
use crate::float::Float;
use crate::nn::activation::{sigmoid, tanh};
use crate::nn::init::{glorot_uniform, orthogonal};
use crate::nn::layer::{Layer, LayerSpec, Mode, ParamMut, ParamRef};
use crate::nn::layers::recurrent::{
    batch_block, row, row_mut, state_gradients, swap_batch_time, RecurrentConfig,
};
use crate::nn::layers::{fill_rows, matrix, matrix_mut, param2};
use crate::nn::linalg::{gemm, gemm_at_b};
use ndarray::linalg::general_mat_mul;
use ndarray::{
    Array2, Array3, ArrayD, ArrayView2, ArrayView3, ArrayViewMut3, Axis, Ix3, IxDyn, Slice, Zip,
};
use rayon::prelude::*;

/// Activations and states cached by the forward pass, all time-major.
struct Cache<F> {
    /// The input `[time, batch, features]`.
    input: ArrayD<F>,
    /// Activated gates i, f, C̃, o per step, `[time, batch, 4·units]`.
    gates: Array3<F>,
    /// Cell states C_0..C_T, `[time + 1, batch, units]`.
    cells: Array3<F>,
    /// Hidden states h_0..h_T, `[time + 1, batch, units]`.
    hidden: Array3<F>,
}

/// A long short-term memory layer.
pub struct Lstm<F: Float> {
    config: RecurrentConfig,
    kernel: ArrayD<F>,
    recurrent_kernel: ArrayD<F>,
    bias: ArrayD<F>,
    grad_kernel: ArrayD<F>,
    grad_recurrent_kernel: ArrayD<F>,
    grad_bias: ArrayD<F>,
    cache: Option<Cache<F>>,
}

impl<F: Float> Lstm<F> {
    /// Builds the layer for `features` inputs per step: Glorot-uniform
    /// `[features, 4·units]` kernel, orthogonal `[units, 4·units]` recurrent
    /// kernel, zero bias except 1 for the forget gate (Keras `unit_forget_bias`).
    ///
    /// # Errors
    /// Returns [`crate::TrainerError::InvalidConfig`] when `units` is zero.
    pub fn new(config: &RecurrentConfig, features: usize, seed: u64) -> Result<Self> {
        config.validate()?;
        let units = config.units;
        let mut rng = SplitMix64::new(seed);
        let kernel = glorot_uniform(&[features, 4 * units], &mut rng);
        let recurrent_kernel = orthogonal(units, 4 * units, &mut rng);
        let mut bias = ArrayD::zeros(IxDyn(&[4 * units]));
        bias.slice_axis_mut(Axis(0), Slice::from(units..2 * units))
            .fill(F::one());
        Ok(Self {
            config: config.clone(),
            grad_kernel: ArrayD::zeros(kernel.raw_dim()),
            grad_recurrent_kernel: ArrayD::zeros(recurrent_kernel.raw_dim()),
            grad_bias: ArrayD::zeros(bias.raw_dim()),
            kernel,
            recurrent_kernel,
            bias,
            cache: None,
        })
    }
}

impl<F: Float> Layer<F> for Lstm<F> {
    fn spec(&self) -> LayerSpec {
        LayerSpec::Lstm(self.config.clone())
    }

    /// # Shapes
    /// `[batch, time, features]` → `[batch, time, units]` with `return_sequences`,
    /// else `[batch, units]`.
    fn forward(&mut self, input: &ArrayD<F>, _mode: Mode) -> ArrayD<F> {
        let x = swap_batch_time(input);
        let (time, batch) = (x.shape()[0], x.shape()[1]);
        let units = self.config.units;
        // x_t · kernel + bias for all steps in one product; the time loop then
        // only adds h_{t−1} · recurrent_kernel.
        let mut z_all = Array2::zeros((time * batch, 4 * units));
        fill_rows(z_all.view_mut(), &self.bias);
        gemm(
            F::one(),
            matrix(&x, time * batch),
            param2(&self.kernel),
            F::one(),
            z_all.view_mut(),
        );
        let mut gates = z_all
            .into_shape_with_order((time, batch, 4 * units))
            .expect("same size");
        let u = param2(&self.recurrent_kernel);
        let mut cells = Array3::zeros((time + 1, batch, units));
        let mut hidden = Array3::zeros((time + 1, batch, units));
        let block = batch_block(batch);
        gates
            .axis_chunks_iter_mut(Axis(1), block)
            .into_par_iter()
            .zip(cells.axis_chunks_iter_mut(Axis(1), block))
            .zip(hidden.axis_chunks_iter_mut(Axis(1), block))
            .for_each(|((gates, cells), hidden)| forward_block(gates, cells, hidden, u));
        let out = if self.config.return_sequences {
            swap_batch_time(
                &hidden
                    .slice_axis(Axis(0), Slice::from(1..))
                    .to_owned()
                    .into_dyn(),
            )
        } else {
            hidden.index_axis(Axis(0), time).to_owned().into_dyn()
        };
        self.cache = Some(Cache {
            input: x,
            gates,
            cells,
            hidden,
        });
        out
    }

    fn backward(&mut self, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let Cache {
            input: x,
            gates,
            cells,
            hidden,
        } = self.cache.as_ref().expect("backward called before forward");
        let (time, batch, features) = (x.shape()[0], x.shape()[1], x.shape()[2]);
        let units = self.config.units;
        let one = F::one();
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
        let mut grad_z = Array3::zeros((time, batch, 4 * units));
        let block = batch_block(batch);
        grad_z
            .axis_chunks_iter_mut(Axis(1), block)
            .into_par_iter()
            .zip(gates.axis_chunks_iter(Axis(1), block))
            .zip(cells.axis_chunks_iter(Axis(1), block))
            .zip(grad_states.axis_chunks_iter(Axis(1), block))
            .for_each(|(((grad_z, gates), cells), grad_states)| {
                backward_block(grad_z, gates, cells, grad_states, u);
            });
        let gz2 = grad_z
            .into_shape_with_order((time * batch, 4 * units))
            .expect("same size");
        // Σ_t h_{t−1}ᵀ · dz_t as one product over all steps: h_0..h_{T−1}.
        let h_prev = hidden
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
            one,
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

/// Runs the time loop for a block of batch rows (all views time-major):
/// `gates` holds x_t · kernel + bias on entry and the activated gates
/// i, f, C̃, o on return; `cells` and `hidden` receive C_1..C_T and h_1..h_T
/// after the zero initial states.
fn forward_block<F: Float>(
    mut gates: ArrayViewMut3<'_, F>,
    mut cells: ArrayViewMut3<'_, F>,
    mut hidden: ArrayViewMut3<'_, F>,
    u: ArrayView2<'_, F>,
) {
    let units = u.nrows();
    for t in 0..gates.shape()[0] {
        let mut z = gates.index_axis_mut(Axis(0), t);
        general_mat_mul(
            F::one(),
            &hidden.index_axis(Axis(0), t),
            &u,
            F::one(),
            &mut z,
        );
        let (c_prev, mut c_next) = cells.view_mut().split_at(Axis(0), t + 1);
        let c_prev = c_prev.index_axis_move(Axis(0), t);
        let mut c_next = c_next.index_axis_mut(Axis(0), 0);
        let mut h_next = hidden.index_axis_mut(Axis(0), t + 1);
        for b in 0..z.nrows() {
            let (zi, rest) = row_mut(z.index_axis_mut(Axis(0), b)).split_at_mut(units);
            let (zf, rest) = rest.split_at_mut(units);
            let (zg, zo) = rest.split_at_mut(units);
            // One activation per pass over one slice: loops the compiler vectorizes.
            for gate in [&mut *zi, &mut *zf, &mut *zo] {
                gate.iter_mut().for_each(|v| *v = sigmoid(*v));
            }
            zg.iter_mut().for_each(|v| *v = tanh(*v));
            let cp = row(c_prev.index_axis(Axis(0), b));
            let cn = row_mut(c_next.index_axis_mut(Axis(0), b));
            let hn = row_mut(h_next.index_axis_mut(Axis(0), b));
            for (j, (c, h)) in cn.iter_mut().zip(hn.iter_mut()).enumerate() {
                *c = zf[j] * cp[j] + zi[j] * zg[j];
                *h = tanh(*c);
            }
            hn.iter_mut().zip(zo.iter()).for_each(|(h, &o)| *h *= o);
        }
    }
}

/// Backpropagates through time for a block of batch rows: fills `grad_z`
/// with dL/dz_t from the cached gates and cell states and each step's
/// `grad_states` (dL/dh_t from the layer's output).
fn backward_block<F: Float>(
    mut grad_z: ArrayViewMut3<'_, F>,
    gates: ArrayView3<'_, F>,
    cells: ArrayView3<'_, F>,
    grad_states: ArrayView3<'_, F>,
    u: ArrayView2<'_, F>,
) {
    let one = F::one();
    let units = u.nrows();
    let rows = grad_z.shape()[1];
    let mut grad_h = Array2::zeros((rows, units));
    let mut grad_c = Array2::<F>::zeros((rows, units));
    let mut tanh_c = Array2::<F>::zeros((rows, units));
    for t in (0..grad_z.shape()[0]).rev() {
        grad_h += &grad_states.index_axis(Axis(0), t);
        let mut gz = grad_z.index_axis_mut(Axis(0), t);
        let (gates_t, c_prev, c_next) = (
            gates.index_axis(Axis(0), t),
            cells.index_axis(Axis(0), t),
            cells.index_axis(Axis(0), t + 1),
        );
        // tanh(C_t) in its own pass, which vectorizes.
        Zip::from(&mut tanh_c)
            .and(&c_next)
            .for_each(|tc, &c| *tc = tanh(c));
        for b in 0..rows {
            let gate = row(gates_t.index_axis(Axis(0), b));
            let (cp, tanh_cn) = (
                row(c_prev.index_axis(Axis(0), b)),
                row(tanh_c.index_axis(Axis(0), b)),
            );
            let dh = row(grad_h.index_axis(Axis(0), b));
            let dc_row = row_mut(grad_c.index_axis_mut(Axis(0), b));
            let dzb = row_mut(gz.index_axis_mut(Axis(0), b));
            for j in 0..units {
                let (i, f, g, o) = (
                    gate[j],
                    gate[units + j],
                    gate[2 * units + j],
                    gate[3 * units + j],
                );
                let tc = tanh_cn[j];
                let dc = dc_row[j] + dh[j] * o * (one - tc * tc);
                dzb[j] = dc * g * i * (one - i);
                dzb[units + j] = dc * cp[j] * f * (one - f);
                dzb[2 * units + j] = dc * i * (one - g * g);
                dzb[3 * units + j] = dh[j] * tc * o * (one - o);
                dc_row[j] = dc * f;
            }
        }
        general_mat_mul(one, &gz, &u.t(), F::zero(), &mut grad_h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{check_batch_split, check_layer, probe_weights};

    #[test]
    fn lstm_gradients_match_central_differences_over_several_steps() {
        for return_sequences in [false, true] {
            let config = RecurrentConfig::new(3).with_return_sequences(return_sequences);
            let mut layer = Lstm::<f64>::new(&config, 2, 8).unwrap();
            check_layer(&mut layer, &probe_weights(&[2, 6, 2]), 1e-7);
        }
    }

    #[test]
    fn lstm_matches_the_gate_equations_for_one_unit() {
        // Scalar LSTM with all kernel weights w and zero recurrent weights.
        let config = RecurrentConfig::new(1);
        let mut layer = Lstm::<f64>::new(&config, 1, 0).unwrap();
        layer.params_mut()[0].value.fill(0.5);
        layer.params_mut()[1].value.fill(0.0);
        let bias = layer.params_mut()[2].value.clone();
        assert_eq!(bias.as_slice().unwrap(), &[0.0, 1.0, 0.0, 0.0]);
        let x = ArrayD::from_shape_vec(IxDyn(&[1, 2, 1]), vec![1.0, -1.0]).unwrap();
        let y = layer.forward(&x, Mode::Infer);
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        let mut c = 0.0;
        let mut h = 0.0;
        for xt in [1.0, -1.0] {
            let z = 0.5 * xt;
            c = sig(z + 1.0) * c + sig(z) * z.tanh();
            h = sig(z) * f64::tanh(c);
        }
        assert!((y[[0, 0]] - h).abs() < 1e-15);
    }

    #[test]
    fn lstm_blocks_of_the_batch_run_independently_on_two_threads() {
        for return_sequences in [false, true] {
            let config = RecurrentConfig::new(3).with_return_sequences(return_sequences);
            let mut layer = Lstm::<f64>::new(&config, 2, 8).unwrap();
            check_batch_split(&mut layer, &(probe_weights(&[20, 4, 2]) * 0.5), 1e-7);
        }
    }
}
