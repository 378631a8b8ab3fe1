//! Element-wise activations (ReLU, tanh, sigmoid, linear) and the row-wise
//! softmax, with their backward passes written in terms of the activation's
//! output so that layers only cache what they return.

use crate::float::Float;
use ndarray::{ArrayD, Axis, Zip};
use serde::{Deserialize, Serialize};

/// Arrays at least this long are processed on both cores.
const PARALLEL_LEN: usize = 1 << 16;

/// An activation function, named as in Keras (`"relu"`, `"softmax"`, ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// Identity, `a = z`.
    #[default]
    Linear,
    /// `a = max(z, 0)`.
    Relu,
    /// `a = tanh(z)`.
    Tanh,
    /// `a = 1 / (1 + e^-z)`.
    Sigmoid,
    /// `a_j = e^{z_j} / Σ_k e^{z_k}` over the last axis, shifted by the row maximum.
    Softmax,
}

impl Activation {
    /// Returns the Keras name of the activation.
    pub fn name(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Relu => "relu",
            Self::Tanh => "tanh",
            Self::Sigmoid => "sigmoid",
            Self::Softmax => "softmax",
        }
    }

    /// Applies the activation to `z` in place.
    pub fn apply_inplace<F: Float>(self, z: &mut ArrayD<F>) {
        match self {
            Self::Linear => {}
            Self::Relu => map_inplace(z, |v| if v > F::zero() { v } else { F::zero() }),
            Self::Tanh => map_inplace(z, tanh),
            Self::Sigmoid => map_inplace(z, sigmoid),
            Self::Softmax => softmax_inplace(z),
        }
    }

    /// Returns `dL/dz` from the activation's output `a` and `dL/da`.
    ///
    /// # Shapes
    /// `output` and `grad_output` have the same shape, which is also the result's.
    pub fn backward<F: Float>(self, output: &ArrayD<F>, grad_output: &ArrayD<F>) -> ArrayD<F> {
        let mut grad = grad_output.clone();
        self.backward_inplace(output, &mut grad);
        grad
    }

    /// Turns `grad` from `dL/da` into `dL/dz` in place, given the output `a`.
    pub fn backward_inplace<F: Float>(self, output: &ArrayD<F>, grad: &mut ArrayD<F>) {
        let one = F::one();
        match self {
            Self::Linear => {}
            Self::Relu => zip_inplace(
                grad,
                output,
                |g, a| if a > F::zero() { g } else { F::zero() },
            ),
            Self::Tanh => zip_inplace(grad, output, move |g, a| g * (one - a * a)),
            Self::Sigmoid => zip_inplace(grad, output, move |g, a| g * a * (one - a)),
            Self::Softmax => {
                let last = Axis(grad.ndim() - 1);
                Zip::from(grad.lanes_mut(last))
                    .and(output.lanes(last))
                    .for_each(|mut g, a| {
                        let dot: F = g.iter().zip(a.iter()).map(|(&gi, &ai)| gi * ai).sum();
                        g.zip_mut_with(&a, |gi, &ai| *gi = ai * (*gi - dot));
                    });
            }
        }
    }
}

/// Returns `1 / (1 + e^-z)`; for very negative `z`, e^-z is +∞ and the
/// result 0, so no branch is needed and loops over gates vectorize.
#[inline]
pub fn sigmoid<F: Float>(z: F) -> F {
    F::one() / (F::one() + (-z).activation_exp())
}

/// Returns `tanh(z) = 1 − 2 / (e^{2z} + 1)`: one `exp` (vectorized for
/// `f32`, see [`crate::float::exp_f32`]) instead of libm's `tanhf`, which the
/// recurrent layers would call per gate; within 2e-7 absolute in `f32`, and
/// saturating to ±1 without overflow.
#[inline]
pub fn tanh<F: Float>(z: F) -> F {
    let two = F::constant(2.0);
    F::one() - two / ((two * z).activation_exp() + F::one())
}

fn softmax_inplace<F: Float>(z: &mut ArrayD<F>) {
    let last = Axis(z.ndim() - 1);
    for mut row in z.lanes_mut(last) {
        let max = row.fold(F::neg_infinity(), |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|v| v / sum);
    }
}

fn map_inplace<F: Float>(z: &mut ArrayD<F>, f: impl Fn(F) -> F + Sync + Send) {
    if z.len() >= PARALLEL_LEN {
        z.par_mapv_inplace(f);
    } else {
        z.mapv_inplace(f);
    }
}

fn zip_inplace<F: Float>(
    grad: &mut ArrayD<F>,
    output: &ArrayD<F>,
    f: impl Fn(F, F) -> F + Sync + Send,
) {
    let zip = Zip::from(grad).and(output);
    if output.len() >= PARALLEL_LEN {
        zip.par_for_each(|g, &a| *g = f(*g, a));
    } else {
        zip.for_each(|g, &a| *g = f(*g, a));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::numeric_gradient;
    use ndarray::{array, ArrayD};

    fn check(act: Activation, z: ArrayD<f64>) {
        // Loss L = Σ w ⊙ act(z) with fixed weights, so dL/da = w.
        let w = z.mapv(|v| 0.3 + 0.7 * v.sin());
        let mut a = z.clone();
        act.apply_inplace(&mut a);
        let analytic = act.backward(&a, &w);
        let numeric = numeric_gradient(&z, |zz| {
            let mut out = zz.clone();
            act.apply_inplace(&mut out);
            (&out * &w).sum()
        });
        let err = (&analytic - &numeric)
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v));
        assert!(err < 1e-8, "{act:?}: max abs error {err}");
    }

    #[test]
    fn activation_gradients_match_central_differences() {
        // Values away from ReLU's kink at 0, where the derivative is undefined.
        let z = array![[0.5, -1.2, 2.0, -0.3], [1.7, 0.2, -2.5, 0.9]].into_dyn();
        for act in [
            Activation::Linear,
            Activation::Relu,
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Softmax,
        ] {
            check(act, z.clone());
        }
    }

    #[test]
    fn softmax_rows_sum_to_one_and_survive_large_logits() {
        let mut z = array![[1000.0f32, 1001.0, 999.0], [-5.0, 0.0, 5.0]].into_dyn();
        Activation::Softmax.apply_inplace(&mut z);
        for row in z.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
            assert!(row.iter().all(|v| v.is_finite()));
        }
        assert!(sigmoid(-1000.0f32) == 0.0 && sigmoid(1000.0f32) == 1.0);
        assert!(tanh(-1000.0f32) == -1.0 && tanh(1000.0f32) == 1.0);
        for i in -400..=400 {
            let z = i as f32 / 40.0;
            assert!((tanh(z) - z.tanh()).abs() < 2e-7, "tanh({z})");
        }
    }
}
