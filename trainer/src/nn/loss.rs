//! Losses with Keras semantics: means over the batch (and over the last axis
//! for MSE, MAE and binary cross-entropy), probabilities clipped to
//! [1e-7, 1 − 1e-7] in cross-entropy values.
//!
//! When the model's last layer ends in softmax (categorical losses) or
//! sigmoid (binary cross-entropy), training uses [`Loss::fused_gradient`]:
//! the gradient with respect to the logits, `(p − y) / n`, which is exact and
//! never divides by a small probability. Keras reaches the same gradient by
//! reading the logits in graph mode.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use crate::nn::activation::Activation;
use ndarray::{ArrayD, Zip};
use serde::{Deserialize, Serialize};

/// Probability clipping of cross-entropy values (Keras `backend.epsilon()`).
const EPSILON: f64 = 1e-7;

/// A loss function, named as in Keras.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Mean of `(p − y)²`.
    MeanSquaredError,
    /// Mean of `|p − y|`.
    MeanAbsoluteError,
    /// Mean of `−y ln p − (1 − y) ln(1 − p)`; labels 0/1, predictions in (0, 1).
    BinaryCrossentropy,
    /// Batch mean of `−Σ_k y_k ln p_k`; labels one-hot.
    CategoricalCrossentropy,
    /// Batch mean of `−ln p_label`; labels are class indices stored as floats.
    SparseCategoricalCrossentropy,
}

impl Loss {
    /// Returns the Keras name (`mean_squared_error`, ...), used in logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::MeanSquaredError => "mean_squared_error",
            Self::MeanAbsoluteError => "mean_absolute_error",
            Self::BinaryCrossentropy => "binary_crossentropy",
            Self::CategoricalCrossentropy => "categorical_crossentropy",
            Self::SparseCategoricalCrossentropy => "sparse_categorical_crossentropy",
        }
    }

    /// Returns the mean loss of predictions `pred` against `target`.
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when the target does not fit the predictions.
    pub fn value<F: Float>(self, pred: &ArrayD<F>, target: &ArrayD<F>) -> Result<F> {
        let eps = F::constant(EPSILON);
        let one = F::one();
        let clip = |p: F| p.max(eps).min(one - eps);
        Ok(match self {
            Self::SparseCategoricalCrossentropy => {
                let (rows, classes) = rows_and_classes(pred);
                let labels = sparse_labels(target, rows, classes)?;
                let p = pred.as_standard_layout();
                let p = p.as_slice().expect("standard layout");
                let sum: F = labels
                    .iter()
                    .enumerate()
                    .map(|(r, &l)| -clip(p[r * classes + l]).ln())
                    .sum();
                sum / F::constant(rows as f64)
            }
            _ => {
                let y = dense_target(pred, target)?;
                let mut sum = F::zero();
                match self {
                    Self::MeanSquaredError => Zip::from(pred)
                        .and(&y)
                        .for_each(|&p, &t| sum += (p - t) * (p - t)),
                    Self::MeanAbsoluteError => Zip::from(pred)
                        .and(&y)
                        .for_each(|&p, &t| sum += (p - t).abs()),
                    Self::BinaryCrossentropy => Zip::from(pred).and(&y).for_each(|&p, &t| {
                        let p = clip(p);
                        sum -= t * p.ln() + (one - t) * (one - p).ln();
                    }),
                    _ => Zip::from(pred)
                        .and(&y)
                        .for_each(|&p, &t| sum -= t * clip(p).ln()),
                }
                let count = match self {
                    Self::CategoricalCrossentropy => rows_and_classes(pred).0,
                    _ => pred.len(),
                };
                sum / F::constant(count as f64)
            }
        })
    }

    /// Returns `dL/dpred` for [`Loss::value`] (within the clipping range).
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when the target does not fit the predictions.
    pub fn gradient<F: Float>(self, pred: &ArrayD<F>, target: &ArrayD<F>) -> Result<ArrayD<F>> {
        let eps = F::constant(EPSILON);
        let one = F::one();
        let clip = |p: F| p.max(eps).min(one - eps);
        let (rows, classes) = rows_and_classes(pred);
        if self == Self::SparseCategoricalCrossentropy {
            let labels = sparse_labels(target, rows, classes)?;
            let mut grad = ArrayD::zeros(pred.raw_dim());
            let p = pred.as_standard_layout();
            let p = p.as_slice().expect("standard layout");
            let g = grad.as_slice_mut().expect("standard layout");
            let n = F::constant(rows as f64);
            for (r, &l) in labels.iter().enumerate() {
                g[r * classes + l] = -one / (clip(p[r * classes + l]) * n);
            }
            return Ok(grad);
        }
        let y = dense_target(pred, target)?;
        let n = F::constant(pred.len() as f64);
        let two = F::constant(2.0);
        let mut grad = ArrayD::zeros(pred.raw_dim());
        let zip = Zip::from(&mut grad).and(pred).and(&y);
        match self {
            Self::MeanSquaredError => zip.for_each(|g, &p, &t| *g = two * (p - t) / n),
            Self::MeanAbsoluteError => zip.for_each(|g, &p, &t| *g = (p - t).signum() / n),
            Self::BinaryCrossentropy => zip.for_each(|g, &p, &t| {
                let p = clip(p);
                *g = (p - t) / (p * (one - p) * n);
            }),
            _ => {
                let rows = F::constant(rows as f64);
                zip.for_each(|g, &p, &t| *g = -t / (clip(p) * rows));
            }
        }
        Ok(grad)
    }

    /// Returns `dL/dz` for logits `z` when `activation` is the one this loss
    /// fuses with (softmax for categorical losses, sigmoid for binary
    /// cross-entropy), computed from the activated output `pred`; `None` otherwise.
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when the target does not fit the predictions.
    pub fn fused_gradient<F: Float>(
        self,
        activation: Activation,
        pred: &ArrayD<F>,
        target: &ArrayD<F>,
    ) -> Result<Option<ArrayD<F>>> {
        let (rows, classes) = rows_and_classes(pred);
        let grad = match (self, activation) {
            (Self::CategoricalCrossentropy, Activation::Softmax) => {
                let y = dense_target(pred, target)?;
                (pred - &y) / F::constant(rows as f64)
            }
            (Self::SparseCategoricalCrossentropy, Activation::Softmax) => {
                let labels = sparse_labels(target, rows, classes)?;
                let mut grad = pred.as_standard_layout().into_owned();
                let g = grad.as_slice_mut().expect("standard layout");
                for (r, &l) in labels.iter().enumerate() {
                    g[r * classes + l] -= F::one();
                }
                grad / F::constant(rows as f64)
            }
            (Self::BinaryCrossentropy, Activation::Sigmoid) => {
                let y = dense_target(pred, target)?;
                (pred - &y) / F::constant(pred.len() as f64)
            }
            _ => return Ok(None),
        };
        Ok(Some(grad))
    }
}

/// Returns (rows, size of the last axis) of a prediction tensor.
fn rows_and_classes<F: Float>(pred: &ArrayD<F>) -> (usize, usize) {
    let classes = pred.shape().last().copied().unwrap_or(1).max(1);
    (pred.len() / classes, classes)
}

/// Returns the target in the prediction's shape (a `[batch]` label vector
/// fits `[batch, 1]` predictions).
fn dense_target<F: Float>(pred: &ArrayD<F>, target: &ArrayD<F>) -> Result<ArrayD<F>> {
    if target.len() != pred.len() {
        return Err(TrainerError::Shape(format!(
            "target shape {:?} does not match prediction shape {:?}",
            target.shape(),
            pred.shape()
        )));
    }
    Ok(target
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order(pred.raw_dim())
        .expect("same length"))
}

/// Returns integer class labels, one per prediction row.
fn sparse_labels<F: Float>(target: &ArrayD<F>, rows: usize, classes: usize) -> Result<Vec<usize>> {
    if target.len() != rows {
        return Err(TrainerError::Shape(format!(
            "sparse labels need one class index per row: {} labels for {} rows",
            target.len(),
            rows
        )));
    }
    target
        .iter()
        .map(|&v| {
            let label = v.as_f64();
            if label >= 0.0 && label.fract() == 0.0 && (label as usize) < classes {
                Ok(label as usize)
            } else {
                Err(TrainerError::Shape(format!(
                    "label {label} is not a class index below {classes}"
                )))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::gradcheck::{max_abs_diff, numeric_gradient};
    use ndarray::array;

    fn probabilities() -> ArrayD<f64> {
        array![[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]].into_dyn()
    }

    #[test]
    fn loss_gradients_match_central_differences() {
        let pred = probabilities();
        let one_hot = array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]].into_dyn();
        let binary = array![[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]].into_dyn();
        let regression = array![[0.1, 0.9, -0.4], [1.5, 0.0, 0.35]].into_dyn();
        let sparse = array![1.0, 2.0].into_dyn();
        for (loss, target) in [
            (Loss::MeanSquaredError, &regression),
            (Loss::MeanAbsoluteError, &regression),
            (Loss::BinaryCrossentropy, &binary),
            (Loss::CategoricalCrossentropy, &one_hot),
            (Loss::SparseCategoricalCrossentropy, &sparse),
        ] {
            let analytic = loss.gradient(&pred, target).unwrap();
            let numeric = numeric_gradient(&pred, |p| loss.value(p, target).unwrap());
            let err = max_abs_diff(&analytic, &numeric);
            assert!(err < 1e-7, "{loss:?}: max abs error {err}");
        }
    }

    #[test]
    fn fused_gradients_match_central_differences_through_the_activation() {
        let logits = array![[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]].into_dyn();
        let one_hot = array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]].into_dyn();
        let sparse = array![[2.0], [0.0]].into_dyn();
        let binary = array![[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]].into_dyn();
        for (loss, activation, target) in [
            (Loss::CategoricalCrossentropy, Activation::Softmax, &one_hot),
            (
                Loss::SparseCategoricalCrossentropy,
                Activation::Softmax,
                &sparse,
            ),
            (Loss::BinaryCrossentropy, Activation::Sigmoid, &binary),
        ] {
            let activate = |z: &ArrayD<f64>| {
                let mut a = z.clone();
                activation.apply_inplace(&mut a);
                a
            };
            let fused = loss
                .fused_gradient(activation, &activate(&logits), target)
                .unwrap()
                .unwrap();
            let numeric = numeric_gradient(&logits, |z| loss.value(&activate(z), target).unwrap());
            let err = max_abs_diff(&fused, &numeric);
            assert!(err < 1e-7, "{loss:?}: max abs error {err}");
        }
        let pred = probabilities();
        assert!(Loss::MeanSquaredError
            .fused_gradient(Activation::Softmax, &pred, &pred)
            .unwrap()
            .is_none());
    }

    #[test]
    fn loss_values_match_hand_computed_numbers() {
        let pred = probabilities();
        let sparse = array![1.0, 2.0].into_dyn();
        // −(ln 0.5 + ln 0.3) / 2
        let expected = -(0.5f64.ln() + 0.3f64.ln()) / 2.0;
        let got = Loss::SparseCategoricalCrossentropy
            .value(&pred, &sparse)
            .unwrap();
        assert!((got - expected).abs() < 1e-15);
        // Clipping: p = 0 gives −ln(1e-7), as Keras.
        let zero = array![[0.0, 1.0]].into_dyn();
        let got = Loss::SparseCategoricalCrossentropy
            .value(&zero, &array![0.0].into_dyn())
            .unwrap();
        assert!((got + 1e-7f64.ln()).abs() < 1e-9);
        let mse = Loss::MeanSquaredError
            .value(
                &array![[1.0], [3.0]].into_dyn(),
                &array![0.0, 1.0].into_dyn(),
            )
            .unwrap();
        assert_eq!(mse, 2.5);
        assert!(Loss::SparseCategoricalCrossentropy
            .value(&pred, &array![3.0, 0.0].into_dyn())
            .is_err());
        assert!(Loss::MeanSquaredError.value(&pred, &sparse).is_err());
    }
}
