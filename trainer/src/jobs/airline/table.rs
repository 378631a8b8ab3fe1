//! The Invistico airline table: its schema, reading `Invistico_Airline.csv`
//! with row- and column-precise errors, the synthetic stand-in, and the
//! exploratory summary (class balance, nulls per column, numeric ranges,
//! category counts).
//!
//! # Synthetic data
//! [`synthetic`] makes up to 129,880 rows with the real file's 23 columns,
//! category levels, value ranges and null pattern (393 empty `Arrival Delay
//! in Minutes` cells, at seeded random rows). Each row comes from its own
//! seeded generator, so the first N rows do not depend on how many are made.
//! Per row: Gender Female with p 0.507; Loyal Customer 0.817; Age uniform
//! 7..=85; Business travel 0.69; Class Business 0.6 for business travel and
//! 0.2 otherwise, then Eco 0.85 of the rest, else Eco Plus; Flight Distance
//! `50 + exp(7.3 + 0.6 N)` up to 6,951; each of the 14 ratings
//! `round(2.9 + z + N)` clipped to 0..=5 with one latent `z ~ N(0, 1)` per
//! passenger; Departure Delay 0 with p 0.56, else exponential with mean 30
//! (≤ 1,592); Arrival Delay the departure delay ± N(0, 5), at least 0.
//!
//! The label is `satisfied` exactly when
//! `0.8 (Inflight entertainment − 3) + 0.4 (Seat comfort − 3)
//!  + 0.3 (Online support − 3) + 0.3 (Ease of Online booking − 3)
//!  + 0.2 (On-board service − 3) + 1.2 [Loyal Customer] + 0.5 [Business travel]
//!  + 0.4 [Class = Business] − 0.005 Departure Delay − 0.6 + 0.8 N > 0`,
//! with `N` standard normal noise: a model can learn it, but not perfectly.

use crate::data::rng::derive_seed;
use crate::data::{permutation, SplitMix64};
use crate::jobs::common::read_file;
use crate::jobs::JobError;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// Rows of the real file.
pub const ROWS: usize = 129_880;
/// Empty `Arrival Delay in Minutes` cells of the real file.
pub const ARRIVAL_DELAY_NULLS: usize = 393;
/// The label column.
pub const LABEL: &str = "satisfaction";
/// The label's positive and negative values.
pub const LABEL_VALUES: [&str; 2] = ["dissatisfied", "satisfied"];
/// Categorical columns with their levels in pandas' `get_dummies` (sorted) order.
pub const CATEGORICAL: [(&str, &[&str]); 4] = [
    ("Gender", &["Female", "Male"]),
    ("Customer Type", &["Loyal Customer", "disloyal Customer"]),
    ("Type of Travel", &["Business travel", "Personal Travel"]),
    ("Class", &["Business", "Eco", "Eco Plus"]),
];
/// The 14 service ratings, 0..=5.
pub const RATINGS: [&str; 14] = [
    "Seat comfort",
    "Departure/Arrival time convenient",
    "Food and drink",
    "Gate location",
    "Inflight wifi service",
    "Inflight entertainment",
    "Online support",
    "Ease of Online booking",
    "On-board service",
    "Leg room service",
    "Baggage handling",
    "Checkin service",
    "Cleanliness",
    "Online boarding",
];
/// Numeric columns other than the ratings.
pub const OTHER_NUMERIC: [&str; 4] = [
    "Age",
    "Flight Distance",
    "Departure Delay in Minutes",
    "Arrival Delay in Minutes",
];
/// The column with nulls in the real file.
pub const ARRIVAL_DELAY: &str = "Arrival Delay in Minutes";

/// Returns the numeric columns in feature order.
pub fn numeric_columns() -> Vec<&'static str> {
    let mut columns = vec![OTHER_NUMERIC[0], OTHER_NUMERIC[1]];
    columns.extend(RATINGS);
    columns.extend(&OTHER_NUMERIC[2..]);
    columns
}

/// The table: labels, category level indices, numeric values (`None` = null).
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// 1 = satisfied, 0 = dissatisfied.
    pub labels: Vec<usize>,
    /// Per categorical column (in [`CATEGORICAL`] order), the level index of each row.
    pub categories: Vec<Vec<usize>>,
    /// Per numeric column (in [`numeric_columns`] order), each row's value.
    pub numbers: Vec<Vec<Option<f64>>>,
}

impl Table {
    /// Returns the number of rows.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Returns whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Keeps the first `n` rows.
    pub fn truncate(&mut self, n: usize) {
        self.labels.truncate(n);
        self.categories.iter_mut().for_each(|c| c.truncate(n));
        self.numbers.iter_mut().for_each(|c| c.truncate(n));
    }
}

/// Reads `Invistico_Airline.csv` (plain or `.gz`), at most `limit` rows.
///
/// # Errors
/// Returns [`JobError::Data`] for a missing file or column, or the row and
/// column of the first value that does not parse.
pub fn read_csv(path: &Path, limit: Option<usize>) -> Result<Table, JobError> {
    let bytes = read_file(path)?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| JobError::data(path, format!("cannot read the header: {e}")))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| JobError::data(path, format!("missing column '{name}'")))
    };
    let label_at = find(LABEL)?;
    let category_at = CATEGORICAL
        .iter()
        .map(|(n, _)| find(n))
        .collect::<Result<Vec<_>, _>>()?;
    let numeric = numeric_columns();
    let numeric_at = numeric
        .iter()
        .map(|n| find(n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut table = Table {
        categories: vec![Vec::new(); CATEGORICAL.len()],
        numbers: vec![Vec::new(); numeric.len()],
        ..Table::default()
    };
    let bar =
        indicatif::ProgressBar::new_spinner().with_message(format!("reading {}", path.display()));
    for (index, record) in reader.records().enumerate() {
        if limit.is_some_and(|l| index >= l) {
            break;
        }
        let row = index + 1;
        let record = record.map_err(|e| JobError::data(path, format!("row {row}: {e}")))?;
        let cell = |at: usize, name: &str| {
            record.get(at).map(str::trim).ok_or_else(|| {
                JobError::data(path, format!("row {row}, column '{name}': missing value"))
            })
        };
        let label = cell(label_at, LABEL)?;
        let label = LABEL_VALUES.iter().position(|v| *v == label).ok_or_else(|| {
            JobError::data(
                path,
                format!("row {row}, column '{LABEL}': '{label}' is neither 'satisfied' nor 'dissatisfied'"),
            )
        })?;
        table.labels.push(label);
        for ((name, levels), (&at, column)) in CATEGORICAL
            .iter()
            .zip(category_at.iter().zip(&mut table.categories))
        {
            let value = cell(at, name)?;
            let level = levels.iter().position(|l| *l == value).ok_or_else(|| {
                JobError::data(
                    path,
                    format!("row {row}, column '{name}': unknown value '{value}' (expected one of {levels:?})"),
                )
            })?;
            column.push(level);
        }
        for ((name, &at), column) in numeric.iter().zip(&numeric_at).zip(&mut table.numbers) {
            let value = cell(at, name)?;
            column.push(if value.is_empty() {
                None
            } else {
                Some(value.parse::<f64>().map_err(|_| {
                    JobError::data(
                        path,
                        format!("row {row}, column '{name}': '{value}' is not a number"),
                    )
                })?)
            });
        }
        if row % 10_000 == 0 {
            bar.tick();
        }
    }
    bar.finish_and_clear();
    if table.is_empty() {
        return Err(JobError::data(path, "no data rows"));
    }
    Ok(table)
}

/// Generates the first `rows` rows of the synthetic table (see the module docs).
pub fn synthetic(rows: usize, seed: u64) -> Table {
    let rows = rows.min(ROWS);
    let nulls: HashSet<usize> = permutation(ROWS, derive_seed(seed, 1))
        .into_iter()
        .take(ARRIVAL_DELAY_NULLS)
        .collect();
    let numeric = numeric_columns();
    let mut table = Table {
        categories: vec![Vec::with_capacity(rows); CATEGORICAL.len()],
        numbers: vec![Vec::with_capacity(rows); numeric.len()],
        ..Table::default()
    };
    for row in 0..rows {
        let mut rng = SplitMix64::new(derive_seed(seed, 2 + row as u64));
        let female = rng.next_f64() < 0.507;
        let loyal = rng.next_f64() < 0.817;
        let age = 7.0 + (rng.next_f64() * 79.0).floor();
        let business_travel = rng.next_f64() < 0.69;
        let class = if rng.next_f64() < if business_travel { 0.6 } else { 0.2 } {
            0
        } else if rng.next_f64() < 0.85 {
            1
        } else {
            2
        };
        let distance = (50.0 + (7.3 + 0.6 * rng.normal()).exp())
            .round()
            .min(6951.0);
        let latent = rng.normal();
        let ratings: Vec<f64> = RATINGS
            .iter()
            .map(|_| (2.9 + latent + rng.normal()).round().clamp(0.0, 5.0) + 0.0)
            .collect();
        let departure = if rng.next_f64() < 0.56 {
            0.0
        } else {
            (-(1.0 - rng.next_f64()).ln() * 30.0).floor().min(1592.0)
        };
        let arrival = (departure + (5.0 * rng.normal()).round()).max(0.0);
        let rating = |name: &str| {
            RATINGS
                .iter()
                .position(|r| *r == name)
                .map_or(0.0, |i| ratings[i])
        };
        let score = 0.8 * (rating("Inflight entertainment") - 3.0)
            + 0.4 * (rating("Seat comfort") - 3.0)
            + 0.3 * (rating("Online support") - 3.0)
            + 0.3 * (rating("Ease of Online booking") - 3.0)
            + 0.2 * (rating("On-board service") - 3.0)
            + if loyal { 1.2 } else { 0.0 }
            + if business_travel { 0.5 } else { 0.0 }
            + if class == 0 { 0.4 } else { 0.0 }
            - 0.005 * departure
            - 0.6
            + 0.8 * rng.normal();
        table.labels.push(usize::from(score > 0.0));
        for (column, level) in table.categories.iter_mut().zip([
            usize::from(!female),
            usize::from(!loyal),
            usize::from(!business_travel),
            class,
        ]) {
            column.push(level);
        }
        let mut values = vec![Some(age), Some(distance)];
        values.extend(ratings.into_iter().map(Some));
        values.push(Some(departure));
        values.push((!nulls.contains(&row)).then_some(arrival));
        for (column, value) in table.numbers.iter_mut().zip(values) {
            column.push(value);
        }
    }
    table
}

/// Returns the exploratory summary: class balance, nulls per column, numeric
/// ranges and category counts.
pub fn eda_summary(table: &Table, source: &str) -> String {
    let n = table.len().max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(out, "Invistico airline satisfaction data ({source})");
    let _ = writeln!(
        out,
        "rows: {}, columns: {}",
        table.len(),
        1 + CATEGORICAL.len() + table.numbers.len()
    );
    let _ = writeln!(out, "\nclass balance ({LABEL}):");
    for (level, name) in LABEL_VALUES.iter().enumerate() {
        let count = table.labels.iter().filter(|&&l| l == level).count();
        let _ = writeln!(
            out,
            "  {name:<14} {count:>7} {:>6.1}%",
            100.0 * count as f64 / n
        );
    }
    let _ = writeln!(out, "\nnulls per column:");
    let _ = writeln!(out, "  {LABEL:<34} {:>7}", 0);
    for (name, _) in CATEGORICAL {
        let _ = writeln!(out, "  {name:<34} {:>7}", 0);
    }
    for (name, column) in numeric_columns().iter().zip(&table.numbers) {
        let nulls = column.iter().filter(|v| v.is_none()).count();
        let _ = writeln!(out, "  {name:<34} {nulls:>7}");
    }
    let _ = writeln!(out, "\nnumeric ranges (non-null values):");
    let _ = writeln!(
        out,
        "  {:<34} {:>10} {:>10} {:>10} {:>10}",
        "column", "min", "max", "mean", "std"
    );
    for (name, column) in numeric_columns().iter().zip(&table.numbers) {
        let values: Vec<f64> = column.iter().flatten().copied().collect();
        let count = values.len().max(1) as f64;
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = values.iter().sum::<f64>() / count;
        let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count).sqrt();
        let _ = writeln!(
            out,
            "  {name:<34} {min:>10.2} {max:>10.2} {mean:>10.2} {std:>10.2}"
        );
    }
    let _ = writeln!(out, "\ncategory counts:");
    for ((name, levels), column) in CATEGORICAL.iter().zip(&table.categories) {
        let counts: Vec<String> = levels
            .iter()
            .enumerate()
            .map(|(i, level)| format!("{level} {}", column.iter().filter(|&&c| c == i).count()))
            .collect();
        let _ = writeln!(out, "  {name}: {}", counts.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_rows_do_not_depend_on_the_row_count() {
        let small = synthetic(50, 7);
        let large = synthetic(200, 7);
        assert_eq!(small.labels[..], large.labels[..50]);
        assert_eq!(small.numbers[0][..], large.numbers[0][..50]);
        assert_eq!(large.numbers.len(), 18);
    }

    #[test]
    fn the_full_synthetic_table_has_the_real_shape_and_null_pattern() {
        let table = synthetic(ROWS, 7);
        assert_eq!(table.len(), ROWS);
        let arrival = numeric_columns()
            .iter()
            .position(|c| *c == ARRIVAL_DELAY)
            .unwrap();
        let nulls = table.numbers[arrival]
            .iter()
            .filter(|v| v.is_none())
            .count();
        assert_eq!(nulls, ARRIVAL_DELAY_NULLS);
        let satisfied = table.labels.iter().sum::<usize>() as f64 / ROWS as f64;
        assert!(
            (0.35..0.7).contains(&satisfied),
            "satisfied share {satisfied}"
        );
        let summary = eda_summary(&table, "synthetic");
        assert!(
            summary.contains(&format!("{ARRIVAL_DELAY:<34} {:>7}", 393)),
            "{summary}"
        );
    }

    #[test]
    fn csv_errors_name_the_row_and_column() {
        let dir = std::env::temp_dir().join(format!("ferroflow-airline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut header = vec![
            LABEL,
            "Gender",
            "Customer Type",
            "Age",
            "Type of Travel",
            "Class",
            "Flight Distance",
        ];
        header.extend(RATINGS);
        header.extend(["Departure Delay in Minutes", "Arrival Delay in Minutes"]);
        let good = "satisfied,Female,Loyal Customer,65,Personal Travel,Eco,265,0,0,0,2,2,4,2,3,3,0,3,5,3,2,0,";
        let bad = "dissatisfied,Male,disloyal Customer,abc,Business travel,Business,2000,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,7";
        let path = dir.join("air.csv");
        std::fs::write(&path, format!("{}\n{good}\n{bad}\n", header.join(","))).unwrap();
        let error = read_csv(&path, None).unwrap_err().to_string();
        assert!(
            error.contains("row 2, column 'Age': 'abc' is not a number"),
            "{error}"
        );
        let table = read_csv(&path, Some(1)).unwrap();
        assert_eq!(table.labels, [1]);
        assert_eq!(table.numbers[17], [None]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
