//! The airline customer-satisfaction job, the notebook's steps in order:
//!
//! 1. load `Invistico_Airline.csv` (or the synthetic table of [`table`]);
//! 2. exploratory summary (class balance, nulls per column, numeric ranges),
//!    logged as `eda_summary.txt`;
//! 3. preprocessing: numbers as floats, null cells (the `Arrival Delay in
//!    Minutes` ones) filled with the column's median, the four categorical
//!    columns as one-hot dummies (all levels, pandas' sorted order), the
//!    label as 1 = satisfied, 0 = dissatisfied: [`FEATURES`] columns;
//! 4. a stratified, seeded 80/20 train/test split;
//! 5. standard scaling fitted on the training rows only;
//! 6. a DNN with dropout, Dense(64, relu) → Dropout(0.2) → Dense(32, relu) →
//!    Dropout(0.2) → Dense(1, sigmoid), binary cross-entropy, 10% of the
//!    training rows for validation, EarlyStopping on `val_loss` (patience 3,
//!    best weights restored);
//! 7. evaluation on the test rows: accuracy, precision, recall, F1, ROC AUC
//!    and the confusion matrix.

pub mod table;

use crate::data::rng::derive_seed;
use crate::data::{permutation, StandardScaler};
use crate::jobs::common::{binary_metrics, compile, digest, report, Classification, DatasetInfo};
use crate::jobs::{JobError, JobOptions, JobReport, Tracker};
use crate::nn::layers::{DenseConfig, DropoutConfig};
use crate::nn::metrics::Metric;
use crate::nn::model::{FitConfig, Sequential};
use crate::nn::{Activation, Loss};
use crate::train::EarlyStoppingConfig;
use ndarray::{Array2, ArrayD, Axis, IxDyn};
use table::{Table, CATEGORICAL, LABEL_VALUES};

/// Features after preprocessing: 18 numeric columns and 9 dummies.
pub const FEATURES: usize = 27;
/// Default epochs.
pub const EPOCHS: usize = 10;
/// Default batch size.
pub const BATCH_SIZE: usize = 32;
/// Default Adam learning rate.
pub const LEARNING_RATE: f64 = 1e-3;
/// Seed of the synthetic table (fixed: the data does not change with `--seed`).
const SYNTHETIC_SEED: u64 = 7;

/// Builds the DNN for `features` inputs.
///
/// # Errors
/// Returns [`JobError::Trainer`] when a layer does not fit.
pub fn model(features: usize, seed: u64) -> Result<Sequential<f32>, JobError> {
    let mut model = Sequential::new(&[features]).with_seed(seed);
    model.add(DenseConfig::new(64).with_activation(Activation::Relu))?;
    model.add(DropoutConfig::new(0.2))?;
    model.add(DenseConfig::new(32).with_activation(Activation::Relu))?;
    model.add(DropoutConfig::new(0.2))?;
    model.add(DenseConfig::new(1).with_activation(Activation::Sigmoid))?;
    Ok(model)
}

/// Step 3: the feature matrix (nulls filled with the column median, then
/// dummies) and the number of filled cells per numeric column.
pub fn preprocess(table: &Table) -> (Array2<f32>, Vec<usize>) {
    let n = table.len();
    let mut x = Array2::<f32>::zeros((n, FEATURES));
    let mut filled = Vec::new();
    for (col, column) in table.numbers.iter().enumerate() {
        let mut present: Vec<f64> = column.iter().flatten().copied().collect();
        present.sort_by(f64::total_cmp);
        let median = match present.len() {
            0 => 0.0,
            len if len % 2 == 1 => present[len / 2],
            len => (present[len / 2 - 1] + present[len / 2]) / 2.0,
        };
        filled.push(n - present.len());
        for (row, value) in column.iter().enumerate() {
            x[[row, col]] = value.unwrap_or(median) as f32;
        }
    }
    let mut offset = table.numbers.len();
    for ((_, levels), column) in CATEGORICAL.iter().zip(&table.categories) {
        for (row, &level) in column.iter().enumerate() {
            x[[row, offset + level]] = 1.0;
        }
        offset += levels.len();
    }
    (x, filled)
}

/// Step 4: `(train, test)` row indices, 80% of each class in training; the
/// training rows in seeded random order, the test rows in file order.
pub fn stratified_split(labels: &[usize], seed: u64) -> (Vec<usize>, Vec<usize>) {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for class in 0..2 {
        let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        let perm = permutation(rows.len(), derive_seed(seed, class as u64));
        let n_train = rows.len() * 8 / 10;
        train.extend(perm[..n_train].iter().map(|&p| rows[p]));
        test.extend(perm[n_train..].iter().map(|&p| rows[p]));
    }
    let order = permutation(train.len(), derive_seed(seed, 2));
    let train = order.into_iter().map(|i| train[i]).collect();
    test.sort_unstable();
    (train, test)
}

fn step(options: &JobOptions, text: &str) {
    if options.verbose {
        println!("[airline] {text}");
    }
}

/// Runs the job.
///
/// # Errors
/// Returns [`JobError`] for bad data, training or tracking failures.
pub fn run(options: &JobOptions, tracker: &Tracker<'_>) -> Result<JobReport, JobError> {
    // 1. Load.
    let (table, source) = match &options.data {
        Some(path) => (
            table::read_csv(path, options.limit)?,
            path.display().to_string(),
        ),
        None => (
            table::synthetic(options.limit.unwrap_or(table::ROWS), SYNTHETIC_SEED),
            "synthetic".to_string(),
        ),
    };
    step(
        options,
        &format!("loaded {} rows from {source}", table.len()),
    );
    // 2. Exploratory summary.
    let summary = table::eda_summary(&table, &source);
    tracker.log_text(&summary, "eda_summary.txt")?;
    if options.verbose {
        println!("{summary}");
    }
    // 3. Preprocessing.
    let (x, filled) = preprocess(&table);
    let arrival = table::numeric_columns()
        .iter()
        .position(|c| *c == table::ARRIVAL_DELAY)
        .map_or(0, |i| filled[i]);
    step(options, &format!("filled {arrival} null arrival delays with the median; {FEATURES} features after one-hot encoding"));
    DatasetInfo {
        name: "invistico_airline".into(),
        source: options.data.as_ref().map(|p| p.display().to_string()),
        rows: table.len(),
        features: FEATURES,
        digest: digest(
            x.iter()
                .map(|&v| f64::from(v))
                .chain(table.labels.iter().map(|&l| l as f64)),
        ),
    }
    .log(tracker)?;
    // 4. Stratified split.
    let (train, test) = stratified_split(&table.labels, options.seed);
    if train.len() < 2 || test.is_empty() {
        return Err(JobError::Options(format!(
            "{} rows are too few for a stratified 80/20 split",
            table.len()
        )));
    }
    step(
        options,
        &format!(
            "stratified split: {} train, {} test rows",
            train.len(),
            test.len()
        ),
    );
    tracker.log_params(&[
        ("train_rows", train.len().to_string()),
        ("test_rows", test.len().to_string()),
        ("null_arrival_delays_filled", arrival.to_string()),
    ])?;
    // 5. Scaling fitted on the training rows.
    let x_train = x.select(Axis(0), &train);
    let x_test = x.select(Axis(0), &test);
    let scaler = StandardScaler::fit(x_train.view())?;
    let x_train = scaler.transform(x_train.view())?.into_dyn();
    let x_test = scaler.transform(x_test.view())?.into_dyn();
    let labels = |rows: &[usize]| -> Result<ArrayD<f32>, JobError> {
        ArrayD::from_shape_vec(
            IxDyn(&[rows.len(), 1]),
            rows.iter().map(|&r| table.labels[r] as f32).collect(),
        )
        .map_err(|e| JobError::Options(e.to_string()))
    };
    let (y_train, y_test) = (labels(&train)?, labels(&test)?);
    // 6. Train.
    let mut model = model(FEATURES, options.seed)?;
    compile(
        &mut model,
        options,
        LEARNING_RATE,
        Loss::BinaryCrossentropy,
        &[Metric::Accuracy, Metric::Auc],
    )?;
    let config = FitConfig::new(
        options.epochs.unwrap_or(EPOCHS),
        options.batch_size.unwrap_or(BATCH_SIZE),
    )
    .with_validation_split(0.1)
    .with_seed(options.seed)
    .with_verbose(options.verbose);
    let early = EarlyStoppingConfig::new("val_loss", 3);
    let history = tracker.fit(&mut model, &x_train, &y_train, &config, Some(early))?;
    // 7. Evaluate.
    let test_loss = model
        .evaluate(&x_test, &y_test, 1024)?
        .get("loss")
        .unwrap_or(f64::NAN);
    let scores: Vec<f64> = model
        .predict(&x_test, 1024)?
        .iter()
        .map(|&p| f64::from(p))
        .collect();
    let truth: Vec<usize> = test.iter().map(|&r| table.labels[r]).collect();
    let predicted: Vec<usize> = scores.iter().map(|&s| usize::from(s > 0.5)).collect();
    let classification = Classification::new(&truth, &predicted, 2);
    let mut metrics = vec![
        ("test_loss".to_string(), test_loss),
        ("test_accuracy".to_string(), classification.accuracy),
    ];
    metrics.extend(
        binary_metrics(&truth, &scores)
            .into_iter()
            .map(|(k, v)| (format!("test_{k}"), v)),
    );
    tracker.log_metrics(&metrics)?;
    classification.log(&LABEL_VALUES.map(String::from), tracker)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_stratified_and_preprocessing_fills_nulls_and_encodes_dummies() {
        let labels: Vec<usize> = (0..100).map(|i| usize::from(i % 4 == 0)).collect();
        let (train, test) = stratified_split(&labels, 3);
        assert_eq!((train.len(), test.len()), (80, 20));
        assert_eq!(test.iter().filter(|&&r| labels[r] == 1).count(), 5);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());

        let mut table = table::synthetic(3, 1);
        table.numbers[17] = vec![Some(4.0), None, Some(10.0)];
        let (x, filled) = preprocess(&table);
        assert_eq!(x.shape(), &[3, FEATURES]);
        assert_eq!(x[[1, 17]], 7.0);
        assert_eq!(filled[17], 1);
        // One dummy set per categorical column in every row.
        for row in x.rows() {
            assert_eq!(row.iter().skip(18).sum::<f32>(), 4.0);
        }
    }
}
