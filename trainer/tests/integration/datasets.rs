//! Loaders for `shared/data` (beside the repository root), split and scaled
//! exactly as `shared/data/README.md` prescribes.

use ferroflow_trainer::data::{take_rows, train_test_indices, StandardScaler};
use flate2::read::GzDecoder;
use ndarray::{Array2, ArrayD, Ix2, IxDyn};
use std::io::Read;
use std::path::PathBuf;

/// Train and test inputs and labels.
pub struct Split {
    pub x_train: ArrayD<f32>,
    pub y_train: ArrayD<f32>,
    pub x_test: ArrayD<f32>,
    pub y_test: ArrayD<f32>,
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

fn parse_rows(text: &str, skip: usize) -> Array2<f32> {
    let rows: Vec<Vec<f32>> = text
        .lines()
        .skip(skip)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|v| v.trim().parse::<f32>().expect("numeric cell"))
                .collect()
        })
        .collect();
    let cols = rows[0].len();
    Array2::from_shape_vec((rows.len(), cols), rows.into_iter().flatten().collect())
        .expect("rectangular CSV")
}

fn split_rows(x: ArrayD<f32>, y: ArrayD<f32>) -> Split {
    let (train, test) = train_test_indices(x.shape()[0], 42);
    Split {
        x_train: take_rows(x.view(), &train),
        y_train: take_rows(y.view(), &train),
        x_test: take_rows(x.view(), &test),
        y_test: take_rows(y.view(), &test),
    }
}

/// The 1,797 8x8 digits scaled by 1/16, as `[n, 64]` (MLP) or `[n, 8, 8, 1]` (CNN);
/// labels are class indices `[n]`.
pub fn digits(as_images: bool) -> Split {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(data_dir().join("digits.csv.gz")).expect("digits.csv.gz"))
        .read_to_string(&mut text)
        .expect("gzip CSV");
    let table = parse_rows(&text, 0);
    assert_eq!(table.dim(), (1797, 65));
    let x = table
        .slice_axis(ndarray::Axis(1), (0..64).into())
        .mapv(|v| v / 16.0);
    let y = table.column(64).to_owned().into_dyn();
    let shape: &[usize] = if as_images {
        &[1797, 8, 8, 1]
    } else {
        &[1797, 64]
    };
    let x = x
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order(IxDyn(shape))
        .expect("64 pixels per row");
    split_rows(x, y)
}

/// The 569 breast-cancer rows, standardized with train-only statistics; labels `[n, 1]`.
pub fn breast_cancer() -> Split {
    let text =
        std::fs::read_to_string(data_dir().join("breast_cancer.csv")).expect("breast_cancer.csv");
    let table = parse_rows(&text, 1);
    assert_eq!(table.dim(), (569, 31));
    let x = table
        .slice_axis(ndarray::Axis(1), (0..30).into())
        .to_owned()
        .into_dyn();
    let y = table
        .column(30)
        .to_owned()
        .into_shape_with_order(IxDyn(&[569, 1]))
        .expect("one label per row");
    let mut split = split_rows(x, y);
    let scaler = StandardScaler::fit(
        split
            .x_train
            .view()
            .into_dimensionality::<Ix2>()
            .expect("matrix"),
    )
    .expect("rows");
    let scale = |a: &ArrayD<f32>| {
        scaler
            .transform(a.view().into_dimensionality::<Ix2>().expect("matrix"))
            .expect("30 columns")
            .into_dyn()
    };
    split.x_train = scale(&split.x_train);
    split.x_test = scale(&split.x_test);
    split
}
