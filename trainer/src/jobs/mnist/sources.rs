//! The image sources of the MNIST job: the standard MNIST IDX files (raw or
//! `.gz`) in a directory, the 8x8 digits CSV of `shared/data` (no header, 64
//! pixel columns 0..16, then the label), or generated 28x28 digits.
//!
//! # Synthetic digits
//! Each image draws its digit as the strokes of a seven-segment display
//! (0 = a b c d e f, 1 = b c, ..., 8 = all seven) inside a box of random
//! size (8–13 x 14–19 px), position (±3 px around the centre), slant
//! (±0.25) and stroke half-width (1.2–2.2 px), with ink 0.7–1.0 and
//! Gaussian pixel noise (σ 0.05), clipped to [0, 1]. Labels cycle 0..9 and
//! the images come from one seeded splitmix64 stream, so the set is the
//! same on every machine.

use crate::data::SplitMix64;
use crate::jobs::common::read_file;
use crate::jobs::JobError;
use std::path::{Path, PathBuf};

/// Images as rows of `side * side` intensities in [0, 1], with labels 0..9.
#[derive(Clone, Debug, Default)]
pub struct Images {
    /// Row-major pixels, `len() == labels.len() * side * side`.
    pub pixels: Vec<f32>,
    /// The digit of each image.
    pub labels: Vec<usize>,
    /// Image height and width.
    pub side: usize,
}

impl Images {
    /// Returns the number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Returns whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Keeps the first `n` images.
    pub fn truncate(&mut self, n: usize) {
        self.labels.truncate(n);
        self.pixels.truncate(n * self.side * self.side);
    }

    /// Returns the images at `indices`.
    pub fn select(&self, indices: &[usize]) -> Images {
        let area = self.side * self.side;
        let mut pixels = Vec::with_capacity(indices.len() * area);
        for &i in indices {
            pixels.extend_from_slice(&self.pixels[i * area..(i + 1) * area]);
        }
        Images {
            pixels,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            side: self.side,
        }
    }
}

/// Returns whether `path` names the digits CSV format (`.csv` or `.csv.gz`).
pub fn is_digits_csv(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".csv") || name.ends_with(".csv.gz")
}

/// Reads the 8x8 digits CSV: 64 pixel columns (0..16, scaled by 1/16) then the label.
///
/// # Errors
/// Returns [`JobError::Data`] naming the row and column of the first bad value.
pub fn read_digits_csv(path: &Path) -> Result<Images, JobError> {
    let bytes = read_file(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut images = Images {
        side: 8,
        ..Images::default()
    };
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| JobError::data(path, format!("row {}: {e}", row + 1)))?;
        if record.len() != 65 {
            return Err(JobError::data(
                path,
                format!(
                    "row {}: expected 65 columns (64 pixels and the label), found {}",
                    row + 1,
                    record.len()
                ),
            ));
        }
        for (col, field) in record.iter().enumerate() {
            let value: f64 = field.trim().parse().map_err(|_| {
                JobError::data(
                    path,
                    format!(
                        "row {}, column {}: '{field}' is not a number",
                        row + 1,
                        col + 1
                    ),
                )
            })?;
            if col < 64 {
                if !(0.0..=16.0).contains(&value) {
                    return Err(JobError::data(
                        path,
                        format!(
                            "row {}, column {}: pixel {value} is outside 0..16",
                            row + 1,
                            col + 1
                        ),
                    ));
                }
                images.pixels.push((value / 16.0) as f32);
            } else {
                if value.fract() != 0.0 || !(0.0..=9.0).contains(&value) {
                    return Err(JobError::data(
                        path,
                        format!(
                            "row {}, column 65: label {value} is not a digit 0..9",
                            row + 1
                        ),
                    ));
                }
                images.labels.push(value as usize);
            }
        }
    }
    if images.is_empty() {
        return Err(JobError::data(path, "no rows"));
    }
    Ok(images)
}

/// Returns the IDX file `stem` in `dir`, raw or gzipped.
fn idx_file(dir: &Path, stem: &str) -> Result<PathBuf, JobError> {
    let candidates = [
        stem.to_string(),
        format!("{stem}.gz"),
        stem.replacen("-idx", ".idx", 1),
    ];
    candidates
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| JobError::data(dir.join(stem), "not found (raw or .gz)"))
}

fn be_u32(bytes: &[u8], at: usize) -> usize {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize
}

/// Reads an IDX image file (magic 0x00000803) and its label file (0x00000801).
fn read_idx_pair(images_path: &Path, labels_path: &Path) -> Result<Images, JobError> {
    let images = read_file(images_path)?;
    if images.len() < 16 || be_u32(&images, 0) != 0x0803 {
        return Err(JobError::data(
            images_path,
            "not an IDX image file (magic 0x00000803)",
        ));
    }
    let (n, rows, cols) = (be_u32(&images, 4), be_u32(&images, 8), be_u32(&images, 12));
    if rows != cols || images.len() != 16 + n * rows * cols {
        return Err(JobError::data(
            images_path,
            format!(
                "header says {n} images of {rows}x{cols}, the file has {} pixel bytes",
                images.len() - 16
            ),
        ));
    }
    let labels = read_file(labels_path)?;
    if labels.len() < 8 || be_u32(&labels, 0) != 0x0801 {
        return Err(JobError::data(
            labels_path,
            "not an IDX label file (magic 0x00000801)",
        ));
    }
    if be_u32(&labels, 4) != n || labels.len() != 8 + n {
        return Err(JobError::data(
            labels_path,
            format!("expected {n} labels to match the images"),
        ));
    }
    if let Some(bad) = labels[8..].iter().position(|&l| l > 9) {
        return Err(JobError::data(
            labels_path,
            format!("label {} of item {bad} is not a digit", labels[8 + bad]),
        ));
    }
    Ok(Images {
        pixels: images[16..].iter().map(|&b| f32::from(b) / 255.0).collect(),
        labels: labels[8..].iter().map(|&l| usize::from(l)).collect(),
        side: rows,
    })
}

/// Reads MNIST's four IDX files from `dir`: `(train, test)`.
///
/// # Errors
/// Returns [`JobError::Data`] for a missing or malformed file.
pub fn read_idx_dir(dir: &Path) -> Result<(Images, Images), JobError> {
    if !dir.is_dir() {
        return Err(JobError::data(
            dir,
            if dir.exists() {
                "expected a directory of MNIST IDX files or a digits .csv/.csv.gz file"
            } else {
                "cannot read: No such file or directory"
            },
        ));
    }
    let train = read_idx_pair(
        &idx_file(dir, "train-images-idx3-ubyte")?,
        &idx_file(dir, "train-labels-idx1-ubyte")?,
    )?;
    let test = read_idx_pair(
        &idx_file(dir, "t10k-images-idx3-ubyte")?,
        &idx_file(dir, "t10k-labels-idx1-ubyte")?,
    )?;
    Ok((train, test))
}

/// Segments of each digit on a seven-segment display (a b c d e f g).
const SEGMENTS: [&[usize]; 10] = [
    &[0, 1, 2, 3, 4, 5],
    &[1, 2],
    &[0, 1, 6, 4, 3],
    &[0, 1, 6, 2, 3],
    &[5, 6, 1, 2],
    &[0, 5, 6, 2, 3],
    &[0, 5, 6, 4, 2, 3],
    &[0, 1, 2],
    &[0, 1, 2, 3, 4, 5, 6],
    &[0, 1, 2, 3, 5, 6],
];

/// Generates `n` synthetic 28x28 digits (see the module docs).
pub fn synthetic_digits(n: usize, seed: u64) -> Images {
    const SIDE: usize = 28;
    let mut rng = SplitMix64::new(seed);
    let mut images = Images {
        side: SIDE,
        pixels: Vec::with_capacity(n * SIDE * SIDE),
        labels: Vec::with_capacity(n),
    };
    for i in 0..n {
        let digit = i % 10;
        let (w, h) = (rng.uniform(8.0, 13.0), rng.uniform(14.0, 19.0));
        let (cx, cy) = (14.0 + rng.uniform(-3.0, 3.0), 14.0 + rng.uniform(-3.0, 3.0));
        let slant = rng.uniform(-0.25, 0.25);
        let half_width = rng.uniform(1.2, 2.2);
        let ink = rng.uniform(0.7, 1.0);
        // Corners: top-left, top-right, middle-left, middle-right, bottom-left, bottom-right.
        let point = |fx: f64, fy: f64| {
            let y = cy + (fy - 0.5) * h;
            (cx + (fx - 0.5) * w + slant * (cy - y), y)
        };
        let corners = [
            point(0.0, 0.0),
            point(1.0, 0.0),
            point(0.0, 0.5),
            point(1.0, 0.5),
            point(0.0, 1.0),
            point(1.0, 1.0),
        ];
        let ends = [(0, 1), (1, 3), (3, 5), (4, 5), (2, 4), (0, 2), (2, 3)];
        let strokes: Vec<((f64, f64), (f64, f64))> = SEGMENTS[digit]
            .iter()
            .map(|&s| (corners[ends[s].0], corners[ends[s].1]))
            .collect();
        for py in 0..SIDE {
            for px in 0..SIDE {
                let p = (px as f64 + 0.5, py as f64 + 0.5);
                let distance = strokes
                    .iter()
                    .map(|&(a, b)| segment_distance(p, a, b))
                    .fold(f64::INFINITY, f64::min);
                let value =
                    ink * (1.0 - (distance - half_width)).clamp(0.0, 1.0) + 0.05 * rng.normal();
                images.pixels.push(value.clamp(0.0, 1.0) as f32);
            }
        }
        images.labels.push(digit);
    }
    images
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - qx).powi(2) + (p.1 - qy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_digits_are_deterministic_and_distinct_per_class() {
        let a = synthetic_digits(20, 1);
        assert_eq!(a.pixels, synthetic_digits(20, 1).pixels);
        assert_eq!(a.labels[..10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let ink = |i: usize| {
            a.pixels[i * 784..(i + 1) * 784]
                .iter()
                .map(|&v| f64::from(v))
                .sum::<f64>()
        };
        // An 8 lights all seven segments, a 1 only two.
        assert!(ink(8) > 2.0 * ink(1), "8: {}, 1: {}", ink(8), ink(1));
    }

    #[test]
    fn idx_files_round_trip_and_bad_files_name_the_problem() {
        let dir = std::env::temp_dir().join(format!("ferroflow-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, magic: u32, dims: &[u32], body: &[u8]| {
            let mut bytes = magic.to_be_bytes().to_vec();
            for d in dims {
                bytes.extend_from_slice(&d.to_be_bytes());
            }
            bytes.extend_from_slice(body);
            std::fs::write(dir.join(name), bytes).unwrap();
        };
        write(
            "train-images-idx3-ubyte",
            0x0803,
            &[2, 2, 2],
            &[0, 255, 0, 0, 51, 0, 0, 0],
        );
        write("train-labels-idx1-ubyte", 0x0801, &[2], &[3, 7]);
        write(
            "t10k-images-idx3-ubyte",
            0x0803,
            &[1, 2, 2],
            &[0, 0, 0, 255],
        );
        write("t10k-labels-idx1-ubyte", 0x0801, &[1], &[9]);
        let (train, test) = read_idx_dir(&dir).unwrap();
        assert_eq!(train.labels, [3, 7]);
        assert_eq!(train.pixels[1], 1.0);
        assert!((train.pixels[4] - 0.2).abs() < 1e-6);
        assert_eq!((test.len(), test.side), (1, 2));
        write("t10k-labels-idx1-ubyte", 0x0801, &[1], &[12]);
        let error = read_idx_dir(&dir).unwrap_err().to_string();
        assert!(
            error.contains("t10k-labels-idx1-ubyte") && error.contains("not a digit"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
