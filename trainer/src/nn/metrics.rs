//! Metrics computed over all batches of an epoch: accuracy (binary,
//! categorical, sparse), precision, recall, ROC AUC, MAE and MSE.

use crate::float::Float;
use crate::nn::loss::Loss;
use ndarray::{ArrayD, Axis};
use serde::{Deserialize, Serialize};

/// A metric, named in logs as Keras names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Accuracy of the kind the loss implies (binary, categorical or sparse), logged as `accuracy`.
    Accuracy,
    /// Fraction of `p > 0.5` equal to `y > 0.5`.
    BinaryAccuracy,
    /// Fraction of rows whose arg-max matches the one-hot label's.
    CategoricalAccuracy,
    /// Fraction of rows whose arg-max equals the integer label.
    SparseCategoricalAccuracy,
    /// TP / (TP + FP) at threshold 0.5.
    Precision,
    /// TP / (TP + FN) at threshold 0.5.
    Recall,
    /// Area under the ROC curve, computed exactly from ranks (Mann–Whitney U);
    /// Keras interpolates over 200 thresholds.
    Auc,
    /// Mean absolute error, logged as `mae`.
    MeanAbsoluteError,
    /// Mean squared error, logged as `mse`.
    MeanSquaredError,
}

impl Metric {
    /// Returns the key of the metric in logs and history.
    pub fn name(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy",
            Self::BinaryAccuracy => "binary_accuracy",
            Self::CategoricalAccuracy => "categorical_accuracy",
            Self::SparseCategoricalAccuracy => "sparse_categorical_accuracy",
            Self::Precision => "precision",
            Self::Recall => "recall",
            Self::Auc => "auc",
            Self::MeanAbsoluteError => "mae",
            Self::MeanSquaredError => "mse",
        }
    }

    /// Returns the concrete metric: `Accuracy` becomes the accuracy matching `loss`.
    pub fn resolve(self, loss: Loss) -> Self {
        match (self, loss) {
            (Self::Accuracy, Loss::CategoricalCrossentropy) => Self::CategoricalAccuracy,
            (Self::Accuracy, Loss::SparseCategoricalCrossentropy) => {
                Self::SparseCategoricalAccuracy
            }
            (Self::Accuracy, _) => Self::BinaryAccuracy,
            (other, _) => other,
        }
    }
}

/// Running state of one metric over the batches of an epoch.
#[derive(Clone, Debug)]
pub struct MetricState {
    metric: Metric,
    name: &'static str,
    /// Numerator and denominator of ratio metrics (accuracy, precision, recall, errors).
    numerator: f64,
    denominator: f64,
    /// (score, positive) pairs, kept for AUC only.
    scores: Vec<(f64, bool)>,
}

impl MetricState {
    /// Starts a metric, resolving `Accuracy` from the loss.
    pub fn new(metric: Metric, loss: Loss) -> Self {
        Self {
            metric: metric.resolve(loss),
            name: metric.name(),
            numerator: 0.0,
            denominator: 0.0,
            scores: Vec::new(),
        }
    }

    /// Returns the key of the metric in logs.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Adds one batch of predictions and targets (targets already checked by the loss).
    pub fn update<F: Float>(&mut self, pred: &ArrayD<F>, target: &ArrayD<F>) {
        let last = Axis(pred.ndim() - 1);
        match self.metric {
            Metric::CategoricalAccuracy | Metric::SparseCategoricalAccuracy => {
                let classes = pred.shape()[pred.ndim() - 1];
                let rows = pred.len() / classes.max(1);
                let labels: Vec<usize> = if self.metric == Metric::SparseCategoricalAccuracy {
                    target.iter().map(|v| v.as_f64() as usize).collect()
                } else {
                    target
                        .to_shape((rows, classes))
                        .expect("target shape checked by the loss")
                        .rows()
                        .into_iter()
                        .map(|r| argmax(r.iter().copied()))
                        .collect()
                };
                for (row, label) in pred.lanes(last).into_iter().zip(labels) {
                    self.numerator += f64::from(u8::from(argmax(row.iter().copied()) == label));
                }
                self.denominator += rows as f64;
            }
            _ => {
                for (&p, &t) in pred.iter().zip(target.iter()) {
                    let (p, t) = (p.as_f64(), t.as_f64());
                    let (predicted, actual) = (p > 0.5, t > 0.5);
                    match self.metric {
                        Metric::BinaryAccuracy => {
                            self.numerator += f64::from(u8::from(predicted == actual));
                            self.denominator += 1.0;
                        }
                        Metric::Precision => {
                            self.numerator += f64::from(u8::from(predicted && actual));
                            self.denominator += f64::from(u8::from(predicted));
                        }
                        Metric::Recall => {
                            self.numerator += f64::from(u8::from(predicted && actual));
                            self.denominator += f64::from(u8::from(actual));
                        }
                        Metric::MeanAbsoluteError => {
                            self.numerator += (p - t).abs();
                            self.denominator += 1.0;
                        }
                        Metric::MeanSquaredError => {
                            self.numerator += (p - t) * (p - t);
                            self.denominator += 1.0;
                        }
                        _ => self.scores.push((p, actual)),
                    }
                }
            }
        }
    }

    /// Returns the metric over everything added so far (0 when undefined, as Keras).
    pub fn result(&self) -> f64 {
        if self.metric == Metric::Auc {
            return roc_auc(&self.scores);
        }
        if self.denominator > 0.0 {
            self.numerator / self.denominator
        } else {
            0.0
        }
    }
}

fn argmax<F: Float>(values: impl Iterator<Item = F>) -> usize {
    let mut best = (0, F::neg_infinity());
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// Returns the ROC AUC: the probability that a random positive scores above a
/// random negative, ties counting one half.
fn roc_auc(scores: &[(f64, bool)]) -> f64 {
    let positives = scores.iter().filter(|s| s.1).count() as f64;
    let negatives = scores.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.0;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let mean_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += mean_rank * sorted[i..j].iter().filter(|s| s.1).count() as f64;
        i = j;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn result(metric: Metric, loss: Loss, pred: ArrayD<f64>, target: ArrayD<f64>) -> f64 {
        let mut state = MetricState::new(metric, loss);
        state.update(&pred, &target);
        state.result()
    }

    #[test]
    fn metrics_match_hand_counts() {
        let p = array![[0.9], [0.2], [0.7], [0.4]].into_dyn();
        let y = array![1.0, 0.0, 0.0, 1.0].into_dyn();
        let bce = Loss::BinaryCrossentropy;
        assert_eq!(result(Metric::Accuracy, bce, p.clone(), y.clone()), 0.5);
        assert_eq!(result(Metric::Precision, bce, p.clone(), y.clone()), 0.5);
        assert_eq!(result(Metric::Recall, bce, p.clone(), y.clone()), 0.5);
        // Positives score 0.9 and 0.4, negatives 0.2 and 0.7: 3 of 4 pairs ordered.
        assert_eq!(result(Metric::Auc, bce, p.clone(), y.clone()), 0.75);
        let mae = result(Metric::MeanAbsoluteError, bce, p.clone(), y.clone());
        assert!((mae - (0.1 + 0.2 + 0.7 + 0.6) / 4.0).abs() < 1e-12);
        let probs = array![[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]].into_dyn();
        let sparse = array![1.0, 2.0].into_dyn();
        assert_eq!(
            result(
                Metric::Accuracy,
                Loss::SparseCategoricalCrossentropy,
                probs.clone(),
                sparse
            ),
            0.5
        );
        let one_hot = array![[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]].into_dyn();
        assert_eq!(
            result(
                Metric::Accuracy,
                Loss::CategoricalCrossentropy,
                probs,
                one_hot
            ),
            1.0
        );
    }

    #[test]
    fn auc_counts_ties_as_one_half() {
        assert_eq!(roc_auc(&[(0.5, true), (0.5, false)]), 0.5);
        assert_eq!(roc_auc(&[(0.1, false), (0.9, true), (0.8, true)]), 1.0);
    }
}
