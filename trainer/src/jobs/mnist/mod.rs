//! The MNIST job: the small CNN of the trainer issue, Conv2D(16, 3, strides
//! 2, same, relu) → Conv2D(8, 3, strides 2, same, relu) → Flatten →
//! Dense(30, relu) → Dense(20, relu) → Dense(10, softmax), trained with
//! categorical cross-entropy on one-hot labels.
//!
//! Data (see [`sources`]): the MNIST IDX files in the `--data` directory
//! (their own 60,000/10,000 split), the 8x8 digits CSV (`.csv`/`.csv.gz`,
//! the seeded 80/20 split of `shared/data/README.md`, input 8x8x1), or
//! 10,000 synthetic 28x28 digits (80/20 split).

pub mod sources;

use crate::data::{one_hot, train_test_indices};
use crate::jobs::common::{compile, digest, report, Classification, DatasetInfo};
use crate::jobs::{JobError, JobOptions, JobReport, Tracker};
use crate::nn::layers::{Conv2DConfig, DenseConfig, Padding};
use crate::nn::metrics::Metric;
use crate::nn::model::{FitConfig, Sequential};
use crate::nn::{Activation, LayerSpec, Loss};
use ndarray::{ArrayD, Axis, IxDyn};
use sources::Images;
use std::path::Path;

/// Synthetic images generated when `--data` is absent (before `--limit`).
pub const SYNTHETIC_IMAGES: usize = 10_000;
/// Default epochs.
pub const EPOCHS: usize = 10;
/// Default batch size.
pub const BATCH_SIZE: usize = 32;
/// Default Adam learning rate.
pub const LEARNING_RATE: f64 = 1e-3;
/// Seed of the synthetic digits (fixed: the data does not change with `--seed`).
const SYNTHETIC_SEED: u64 = 2024;

/// Returns the image side the data at `data` has: 8 for the digits CSV, else 28.
pub fn input_side(data: Option<&Path>) -> usize {
    match data {
        Some(path) if sources::is_digits_csv(path) => 8,
        _ => 28,
    }
}

/// Builds the CNN for `side`x`side`x1 images.
///
/// # Errors
/// Returns [`JobError::Trainer`] when a layer does not fit.
pub fn model(side: usize, seed: u64) -> Result<Sequential<f32>, JobError> {
    let mut model = Sequential::new(&[side, side, 1]).with_seed(seed);
    let conv = |filters| {
        Conv2DConfig::new(filters, 3)
            .with_strides(2)
            .with_padding(Padding::Same)
            .with_activation(Activation::Relu)
    };
    model.add(conv(16))?;
    model.add(conv(8))?;
    model.add(LayerSpec::Flatten)?;
    model.add(DenseConfig::new(30).with_activation(Activation::Relu))?;
    model.add(DenseConfig::new(20).with_activation(Activation::Relu))?;
    model.add(DenseConfig::new(10).with_activation(Activation::Softmax))?;
    Ok(model)
}

/// Loads `(train, test, dataset name)` as `options` asks.
fn load(options: &JobOptions) -> Result<(Images, Images, &'static str), JobError> {
    let (mut train, mut test, name) = match options.data.as_deref() {
        Some(path) if sources::is_digits_csv(path) => {
            let mut all = sources::read_digits_csv(path)?;
            if let Some(limit) = options.limit {
                all.truncate(limit);
            }
            let (train, test) = train_test_indices(all.len(), options.seed);
            return Ok((all.select(&train), all.select(&test), "digits"));
        }
        Some(dir) => {
            let (train, test) = sources::read_idx_dir(dir)?;
            (train, test, "mnist")
        }
        None => {
            let all = sources::synthetic_digits(
                options.limit.unwrap_or(SYNTHETIC_IMAGES),
                SYNTHETIC_SEED,
            );
            let (train, test) = train_test_indices(all.len(), options.seed);
            return Ok((all.select(&train), all.select(&test), "synthetic_digits"));
        }
    };
    if let Some(limit) = options.limit {
        train.truncate(limit);
        test.truncate(limit);
    }
    Ok((train, test, name))
}

/// Returns the images as a `[n, side, side, 1]` tensor and the one-hot labels.
fn tensors(images: &Images) -> Result<(ArrayD<f32>, ArrayD<f32>), JobError> {
    let x = ArrayD::from_shape_vec(
        IxDyn(&[images.len(), images.side, images.side, 1]),
        images.pixels.clone(),
    )
    .map_err(|e| JobError::Options(e.to_string()))?;
    let y = one_hot::<f32>(&images.labels, 10)?.into_dyn();
    Ok((x, y))
}

/// Runs the job.
///
/// # Errors
/// Returns [`JobError`] for bad data, training or tracking failures.
pub fn run(options: &JobOptions, tracker: &Tracker<'_>) -> Result<JobReport, JobError> {
    let (train, test, name) = load(options)?;
    if train.is_empty() || test.is_empty() {
        return Err(JobError::Options(format!(
            "--limit leaves {} training and {} test images; need at least one of each",
            train.len(),
            test.len()
        )));
    }
    DatasetInfo {
        name: name.into(),
        source: options.data.as_ref().map(|p| p.display().to_string()),
        rows: train.len() + test.len(),
        features: train.side * train.side,
        digest: digest(
            train
                .pixels
                .iter()
                .chain(&test.pixels)
                .map(|&v| f64::from(v)),
        ),
    }
    .log(tracker)?;
    tracker.log_params(&[
        ("train_rows", train.len().to_string()),
        ("test_rows", test.len().to_string()),
    ])?;
    let (x_train, y_train) = tensors(&train)?;
    let (x_test, y_test) = tensors(&test)?;

    let mut model = model(train.side, options.seed)?;
    compile(
        &mut model,
        options,
        LEARNING_RATE,
        Loss::CategoricalCrossentropy,
        &[Metric::Accuracy],
    )?;
    let config = FitConfig::new(
        options.epochs.unwrap_or(EPOCHS),
        options.batch_size.unwrap_or(BATCH_SIZE),
    )
    .with_validation_split(0.1)
    .with_seed(options.seed)
    .with_verbose(options.verbose);
    let history = tracker.fit(&mut model, &x_train, &y_train, &config, None)?;

    let evaluation = model.evaluate(&x_test, &y_test, 256)?;
    let probabilities = model.predict(&x_test, 256)?;
    let predicted: Vec<usize> = probabilities
        .axis_iter(Axis(0))
        .map(|row| {
            row.iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map_or(0, |(i, _)| i)
        })
        .collect();
    let classification = Classification::new(&test.labels, &predicted, 10);
    let metrics = vec![
        (
            "test_loss".to_string(),
            evaluation.get("loss").unwrap_or(f64::NAN),
        ),
        ("test_accuracy".to_string(), classification.accuracy),
    ];
    tracker.log_metrics(&metrics)?;
    let labels: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    classification.log(&labels, tracker)?;
    report(options, &metrics);
    let sample = x_test
        .slice_axis(Axis(0), (0..x_test.shape()[0].min(32)).into())
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
