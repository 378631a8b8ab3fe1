//! The time-series job (Géron, *Hands-On Machine Learning*, chapter 15):
//! forecast the next value of a univariate series from the previous ones,
//! with a naive last-value baseline and a linear (Flatten → Dense(1)),
//! SimpleRNN(20) → Dense(1) or LSTM(20) → Dense(1) model (`--model`),
//! trained with MSE; MSE and MAE on validation are the results.
//!
//! - Without `--data`: [`generate_time_series`] makes 10,000 series of 51
//!   steps; the first 50 steps are the input, the 51st the target; 70% train,
//!   20% validation, 10% test, in generation order.
//! - With `--data`: a CSV with a header whose column `SUNACTIVITY` (else the
//!   last column) is the series, cut into windows of 20 inputs and the next
//!   value; the first 80% of windows train, the rest validate (no shuffle),
//!   values are standardized with the mean and std of what the training
//!   windows touch, and errors are reported in the series' own units — the
//!   protocol of `shared/data/README.md` for `sunspots.csv`.

use crate::data::SplitMix64;
use crate::jobs::common::{compile, digest, read_file, report, DatasetInfo};
use crate::jobs::{JobError, JobOptions, JobReport, SeriesModel, Tracker};
use crate::nn::layers::{DenseConfig, RecurrentConfig};
use crate::nn::metrics::Metric;
use crate::nn::model::{FitConfig, Sequential};
use crate::nn::{LayerSpec, Loss};
use ndarray::{ArrayD, Axis, IxDyn};
use std::path::Path;

/// Synthetic series generated when `--data` is absent (before `--limit`).
pub const SYNTHETIC_SERIES: usize = 10_000;
/// Input steps of a synthetic series.
pub const N_STEPS: usize = 50;
/// Input steps of a window cut from a CSV series.
pub const WINDOW: usize = 20;
/// Default epochs.
pub const EPOCHS: usize = 20;
/// Default batch size.
pub const BATCH_SIZE: usize = 32;
/// Default Adam learning rate.
pub const LEARNING_RATE: f64 = 1e-3;
/// Column read from a CSV series when present.
pub const SERIES_COLUMN: &str = "SUNACTIVITY";
/// Seed of the synthetic series (fixed: the data does not change with `--seed`).
const SYNTHETIC_SEED: u64 = 42;

/// Returns the input steps for the data at `data`.
pub fn steps(data: Option<&Path>) -> usize {
    if data.is_some() {
        WINDOW
    } else {
        N_STEPS
    }
}

/// Géron's `generate_time_series(batch_size, n_steps)`: per series, two sines
/// of random frequency and offset plus uniform noise,
/// `0.5 sin((t − o1)(10 f1 + 10)) + 0.2 sin((t − o2)(20 f2 + 20)) + 0.1 (u − 0.5)`
/// at `t = linspace(0, 1, n_steps)`.
pub fn generate_time_series(
    batch_size: usize,
    n_steps: usize,
    rng: &mut SplitMix64,
) -> Vec<Vec<f64>> {
    (0..batch_size)
        .map(|_| {
            let (f1, f2, o1, o2) = (
                rng.next_f64(),
                rng.next_f64(),
                rng.next_f64(),
                rng.next_f64(),
            );
            (0..n_steps)
                .map(|i| {
                    let t = if n_steps > 1 {
                        i as f64 / (n_steps - 1) as f64
                    } else {
                        0.0
                    };
                    0.5 * ((t - o1) * (f1 * 10.0 + 10.0)).sin()
                        + 0.2 * ((t - o2) * (f2 * 20.0 + 20.0)).sin()
                        + 0.1 * (rng.next_f64() - 0.5)
                })
                .collect()
        })
        .collect()
}

/// Builds the forecaster `kind` for inputs of `steps` x 1.
///
/// # Errors
/// Returns [`JobError::Trainer`] when a layer does not fit.
pub fn model(kind: SeriesModel, steps: usize, seed: u64) -> Result<Sequential<f32>, JobError> {
    let mut model = Sequential::new(&[steps, 1]).with_seed(seed);
    match kind {
        SeriesModel::Linear => model.add(LayerSpec::Flatten)?,
        SeriesModel::SimpleRnn => model.add(LayerSpec::SimpleRnn(RecurrentConfig::new(20)))?,
        SeriesModel::Lstm => model.add(LayerSpec::Lstm(RecurrentConfig::new(20)))?,
    };
    model.add(DenseConfig::new(1))?;
    Ok(model)
}

/// Windows (inputs, target) in model units, and how to map back to data units.
struct Windows {
    inputs: Vec<Vec<f64>>,
    targets: Vec<f64>,
}

impl Windows {
    fn tensors(&self, steps: usize) -> Result<(ArrayD<f32>, ArrayD<f32>), JobError> {
        let flat: Vec<f32> = self.inputs.iter().flatten().map(|&v| v as f32).collect();
        let x = ArrayD::from_shape_vec(IxDyn(&[self.targets.len(), steps, 1]), flat)
            .map_err(|e| JobError::Options(e.to_string()))?;
        let y = ArrayD::from_shape_vec(
            IxDyn(&[self.targets.len(), 1]),
            self.targets.iter().map(|&v| v as f32).collect(),
        )
        .map_err(|e| JobError::Options(e.to_string()))?;
        Ok((x, y))
    }

    fn take(&self, range: std::ops::Range<usize>) -> Windows {
        Windows {
            inputs: self.inputs[range.clone()].to_vec(),
            targets: self.targets[range].to_vec(),
        }
    }
}

/// Reads the series column of a CSV with a header.
///
/// # Errors
/// Returns [`JobError::Data`] naming the row and column of the first bad value.
pub fn read_series(path: &Path) -> Result<Vec<f64>, JobError> {
    let bytes = read_file(path)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| JobError::data(path, format!("cannot read the header: {e}")))?
        .clone();
    let column = headers
        .iter()
        .position(|h| h.trim() == SERIES_COLUMN)
        .or_else(|| headers.len().checked_sub(1))
        .ok_or_else(|| JobError::data(path, "the header names no column"))?;
    let name = headers.get(column).unwrap_or_default().to_string();
    let mut values = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| JobError::data(path, format!("row {}: {e}", row + 1)))?;
        let field = record
            .get(column)
            .ok_or_else(|| JobError::data(path, format!("row {}: no column '{name}'", row + 1)))?;
        let value: f64 = field.trim().parse().map_err(|_| {
            JobError::data(
                path,
                format!(
                    "row {}, column '{name}': '{field}' is not a number",
                    row + 1
                ),
            )
        })?;
        values.push(value);
    }
    Ok(values)
}

/// Mean squared and mean absolute error of `pred` against `truth`.
fn errors(pred: &[f64], truth: &[f64]) -> (f64, f64) {
    let n = truth.len().max(1) as f64;
    let mse = pred
        .iter()
        .zip(truth)
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / n;
    let mae = pred
        .iter()
        .zip(truth)
        .map(|(p, t)| (p - t).abs())
        .sum::<f64>()
        / n;
    (mse, mae)
}

/// Runs the job.
///
/// # Errors
/// Returns [`JobError`] for bad data, training or tracking failures.
pub fn run(options: &JobOptions, tracker: &Tracker<'_>) -> Result<JobReport, JobError> {
    let steps = steps(options.data.as_deref());
    // (train, validation, test, scale back to data units: value * std + mean)
    let (train, validation, test, (mean, std), name, rows) = match options.data.as_deref() {
        None => {
            let n = options.limit.unwrap_or(SYNTHETIC_SERIES);
            let series = generate_time_series(n, N_STEPS + 1, &mut SplitMix64::new(SYNTHETIC_SEED));
            let all = Windows {
                inputs: series.iter().map(|s| s[..N_STEPS].to_vec()).collect(),
                targets: series.iter().map(|s| s[N_STEPS]).collect(),
            };
            let (n_train, n_valid) = (n * 7 / 10, n * 2 / 10);
            (
                all.take(0..n_train),
                all.take(n_train..n_train + n_valid),
                Some(all.take(n_train + n_valid..n)),
                (0.0, 1.0),
                "generate_time_series",
                n,
            )
        }
        Some(path) => {
            let mut series = read_series(path)?;
            if let Some(limit) = options.limit {
                series.truncate(limit);
            }
            if series.len() < WINDOW + 5 {
                return Err(JobError::data(
                    path,
                    format!(
                        "{} values: need at least {} for windows of {WINDOW}",
                        series.len(),
                        WINDOW + 5
                    ),
                ));
            }
            let count = series.len() - WINDOW;
            let n_train = count * 8 / 10;
            let touched = &series[..n_train + WINDOW];
            let mean = touched.iter().sum::<f64>() / touched.len() as f64;
            let var =
                touched.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / touched.len() as f64;
            let std = if var > 0.0 { var.sqrt() } else { 1.0 };
            let scaled: Vec<f64> = series.iter().map(|v| (v - mean) / std).collect();
            let all = Windows {
                inputs: (0..count).map(|i| scaled[i..i + WINDOW].to_vec()).collect(),
                targets: (0..count).map(|i| scaled[i + WINDOW]).collect(),
            };
            (
                all.take(0..n_train),
                all.take(n_train..count),
                None,
                (mean, std),
                "series_csv",
                series.len(),
            )
        }
    };
    if train.targets.is_empty() || validation.targets.is_empty() {
        return Err(JobError::Options(format!(
            "--limit leaves {} training and {} validation windows; need at least one of each",
            train.targets.len(),
            validation.targets.len()
        )));
    }
    DatasetInfo {
        name: name.into(),
        source: options.data.as_ref().map(|p| p.display().to_string()),
        rows,
        features: steps,
        digest: digest(
            train
                .inputs
                .iter()
                .chain(&validation.inputs)
                .flatten()
                .copied(),
        ),
    }
    .log(tracker)?;
    tracker.log_params(&[
        ("model", options.series_model.name().to_string()),
        ("n_steps", steps.to_string()),
        ("train_windows", train.targets.len().to_string()),
        ("validation_windows", validation.targets.len().to_string()),
    ])?;

    let (x_train, y_train) = train.tensors(steps)?;
    let (x_valid, y_valid) = validation.tensors(steps)?;
    let mut model = model(options.series_model, steps, options.seed)?;
    compile(
        &mut model,
        options,
        LEARNING_RATE,
        Loss::MeanSquaredError,
        &[Metric::MeanAbsoluteError],
    )?;
    let config = FitConfig::new(
        options.epochs.unwrap_or(EPOCHS),
        options.batch_size.unwrap_or(BATCH_SIZE),
    )
    .with_validation_data(x_valid.clone(), y_valid)
    .with_seed(options.seed)
    .with_verbose(options.verbose);
    let history = tracker.fit(&mut model, &x_train, &y_train, &config, None)?;

    let unscale = |v: f64| v * std + mean;
    let mut evaluate = |windows: &Windows,
                        x: &ArrayD<f32>,
                        prefix: &str|
     -> Result<Vec<(String, f64)>, JobError> {
        let truth: Vec<f64> = windows.targets.iter().map(|&v| unscale(v)).collect();
        let pred: Vec<f64> = model
            .predict(x, 256)?
            .iter()
            .map(|&v| unscale(f64::from(v)))
            .collect();
        let naive: Vec<f64> = windows
            .inputs
            .iter()
            .map(|w| unscale(w[w.len() - 1]))
            .collect();
        let (mse, mae) = errors(&pred, &truth);
        let (naive_mse, naive_mae) = errors(&naive, &truth);
        Ok(vec![
            (format!("{prefix}_mse"), mse),
            (format!("{prefix}_mae"), mae),
            (format!("naive_{prefix}_mse"), naive_mse),
            (format!("naive_{prefix}_mae"), naive_mae),
        ])
    };
    // Named `validation_*`, not `val_*`: these are in data units, the epoch
    // metrics `val_loss`/`val_mae` in model (standardized) units.
    let mut metrics = evaluate(&validation, &x_valid, "validation")?;
    if let Some(test) = &test {
        if !test.targets.is_empty() {
            let (x_test, _) = test.tensors(steps)?;
            metrics.extend(evaluate(test, &x_test, "test")?);
        }
    }
    tracker.log_metrics(&metrics)?;
    report(options, &metrics);
    let sample = x_valid
        .slice_axis(Axis(0), (0..x_valid.shape()[0].min(32)).into())
        .to_owned();
    Ok(JobReport {
        run_id: None,
        metrics,
        model,
        sample_inputs: sample,
        history,
        synthetic: options.data.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_series_stay_in_the_sum_of_amplitudes() {
        let series = generate_time_series(50, 51, &mut SplitMix64::new(1));
        assert_eq!((series.len(), series[0].len()), (50, 51));
        // 0.5 + 0.2 + 0.05 bounds every value.
        assert!(series.iter().flatten().all(|v| v.abs() <= 0.75));
        let spread = series.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(spread > 0.5, "sines reach beyond the small one: {spread}");
    }
}
