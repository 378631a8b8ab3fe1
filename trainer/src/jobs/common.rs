//! What the jobs share: compiling with the chosen optimizer, classification
//! metrics from predictions, dataset records for `log-inputs`, and reading
//! (possibly gzipped) data files with one-line errors.

use crate::float::Float;
use crate::jobs::{JobError, JobOptions, OptimizerKind, Tracker};
use crate::nn::metrics::Metric;
use crate::nn::model::Sequential;
use crate::nn::optim::{Adagrad, Adam, RmsProp, Sgd};
use crate::nn::Loss;
use crate::train::plots;
use ferroflow_sdk::{Dataset, DatasetInput, InputTag};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Compiles `model` with the optimizer of `options` at its learning rate
/// (else `default_lr`).
pub(crate) fn compile<F: Float>(
    model: &mut Sequential<F>,
    options: &JobOptions,
    default_lr: f64,
    loss: Loss,
    metrics: &[Metric],
) -> Result<(), JobError> {
    let lr = options.learning_rate.unwrap_or(default_lr);
    match options.optimizer {
        OptimizerKind::Adam => model.compile(Adam::new(lr), loss, metrics)?,
        OptimizerKind::Sgd => model.compile(Sgd::new(lr), loss, metrics)?,
        OptimizerKind::RmsProp => model.compile(RmsProp::new(lr), loss, metrics)?,
        OptimizerKind::Adagrad => model.compile(Adagrad::new(lr), loss, metrics)?,
    }
    Ok(())
}

/// Returns the whole file, decompressed when its name ends in `.gz`.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, JobError> {
    let bytes =
        std::fs::read(path).map_err(|e| JobError::data(path, format!("cannot read: {e}")))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| JobError::data(path, format!("not valid gzip: {e}")))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// Returns MLflow's dataset digest: the first 8 hex digits of a hash of the content.
pub(crate) fn digest(values: impl IntoIterator<Item = f64>) -> String {
    let mut hasher = Sha256::new();
    for value in values {
        hasher.update(value.to_le_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a job trains on, for params and `log-inputs`.
pub(crate) struct DatasetInfo {
    /// Dataset name (`invistico_airline`, `digits`, ...).
    pub(crate) name: String,
    /// The file, or `None` for generated data.
    pub(crate) source: Option<String>,
    /// Rows used (after `--limit`).
    pub(crate) rows: usize,
    /// Features per row after preprocessing.
    pub(crate) features: usize,
    /// Content digest.
    pub(crate) digest: String,
}

impl DatasetInfo {
    /// Logs `dataset_name`, `dataset_rows`, `dataset_features`, the
    /// `dataset` tag and the `log-inputs` record (context `train`).
    pub(crate) fn log(&self, tracker: &Tracker<'_>) -> Result<(), JobError> {
        tracker.log_params(&[
            ("dataset_name", self.name.clone()),
            ("dataset_rows", self.rows.to_string()),
            ("dataset_features", self.features.to_string()),
            ("dataset_digest", self.digest.clone()),
        ])?;
        let tag = match &self.source {
            None => "synthetic".to_string(),
            Some(path) => Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |f| f.to_string_lossy().into_owned()),
        };
        tracker.set_tag(crate::jobs::DATASET_TAG, &tag)?;
        let (source_type, source) = match &self.source {
            None => ("synthetic", serde_json::json!({ "generator": self.name })),
            Some(path) => ("local", serde_json::json!({ "uri": path })),
        };
        let profile = serde_json::json!({ "num_rows": self.rows, "num_features": self.features });
        tracker.log_inputs(&[DatasetInput {
            tags: vec![InputTag {
                key: "mlflow.data.context".into(),
                value: "train".into(),
            }],
            dataset: Dataset {
                name: self.name.clone(),
                digest: self.digest.clone(),
                source_type: source_type.into(),
                source: source.to_string(),
                schema: None,
                profile: Some(profile.to_string()),
            },
        }])
    }
}

/// Classification results on a test set.
pub(crate) struct Classification {
    /// `counts[true][predicted]`.
    pub(crate) confusion: Vec<Vec<usize>>,
    /// Fraction of correct predictions.
    pub(crate) accuracy: f64,
}

impl Classification {
    /// Counts predicted against true classes.
    pub(crate) fn new(truth: &[usize], predicted: &[usize], classes: usize) -> Self {
        let mut confusion = vec![vec![0; classes]; classes];
        for (&t, &p) in truth.iter().zip(predicted) {
            confusion[t][p] += 1;
        }
        let correct = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
        Self {
            confusion,
            accuracy: correct as f64 / truth.len().max(1) as f64,
        }
    }

    /// Logs the matrix as `confusion_matrix.png` and `confusion_matrix.json`.
    pub(crate) fn log(&self, labels: &[String], tracker: &Tracker<'_>) -> Result<(), JobError> {
        tracker.log_drawn("confusion_matrix.png", |path| {
            Ok(plots::confusion_matrix(&self.confusion, labels, path)?)
        })?;
        let json = serde_json::json!({ "labels": labels, "matrix": self.confusion });
        tracker.log_text(&json.to_string(), "confusion_matrix.json")
    }
}

/// Binary metrics at threshold 0.5: precision, recall, F1 and ROC AUC.
pub(crate) fn binary_metrics(truth: &[usize], scores: &[f64]) -> Vec<(&'static str, f64)> {
    let predicted: Vec<bool> = scores.iter().map(|s| *s > 0.5).collect();
    let count = |t: usize, p: bool| {
        truth
            .iter()
            .zip(&predicted)
            .filter(|(a, b)| **a == t && **b == p)
            .count() as f64
    };
    let (tp, fp, fn_) = (count(1, true), count(0, true), count(1, false));
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = ratio(2.0 * precision * recall, precision + recall);
    vec![
        ("precision", precision),
        ("recall", recall),
        ("f1", f1),
        ("roc_auc", roc_auc(truth, scores)),
    ]
}

/// ROC AUC from ranks (Mann–Whitney U), ties sharing their mean rank.
pub(crate) fn roc_auc(truth: &[usize], scores: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += mean_rank * order[i..=j].iter().filter(|&&k| truth[k] == 1).count() as f64;
        i = j + 1;
    }
    let positives = truth.iter().filter(|&&t| t == 1).count() as f64;
    let negatives = truth.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Prints a result line when the job is verbose.
pub(crate) fn report(options: &JobOptions, metrics: &[(String, f64)]) {
    if options.verbose {
        let line: Vec<String> = metrics
            .iter()
            .map(|(k, v)| format!("{k}: {v:.4}"))
            .collect();
        println!("{}", line.join(" - "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_metrics_match_hand_counts() {
        // tp = 2, fp = 1, fn = 1, tn = 1.
        let truth = [1, 1, 1, 0, 0];
        let scores = [0.9, 0.8, 0.2, 0.7, 0.1];
        let metrics = binary_metrics(&truth, &scores);
        let get = |n: &str| metrics.iter().find(|(k, _)| *k == n).unwrap().1;
        assert!((get("precision") - 2.0 / 3.0).abs() < 1e-12);
        assert!((get("recall") - 2.0 / 3.0).abs() < 1e-12);
        assert!((get("f1") - 2.0 / 3.0).abs() < 1e-12);
        // Pairs (positive, negative) ranked correctly: 0.9>0.7, 0.9>0.1, 0.8>0.7, 0.8>0.1, 0.2>0.1 = 5 of 6.
        assert!((get("roc_auc") - 5.0 / 6.0).abs() < 1e-12);
        let c = Classification::new(&[0, 1, 1], &[0, 1, 0], 2);
        assert_eq!(c.confusion, vec![vec![1, 0], vec![1, 1]]);
        assert!((c.accuracy - 2.0 / 3.0).abs() < 1e-12);
    }
}
