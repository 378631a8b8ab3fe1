//! One-hot encoding of integer class labels for categorical cross-entropy.

use crate::error::{Result, TrainerError};
use crate::float::Float;
use ndarray::Array2;

/// Returns a `[labels.len(), num_classes]` matrix with a 1 at each label's column.
///
/// # Errors
/// Returns [`TrainerError::Shape`] when a label is not below `num_classes`.
pub fn one_hot<F: Float>(labels: &[usize], num_classes: usize) -> Result<Array2<F>> {
    let mut out = Array2::zeros((labels.len(), num_classes));
    for (row, &label) in labels.iter().enumerate() {
        if label >= num_classes {
            return Err(TrainerError::Shape(format!(
                "label {label} is not below num_classes {num_classes}"
            )));
        }
        out[[row, label]] = F::one();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn one_hot_places_ones_at_labels_and_rejects_out_of_range() {
        let m: Array2<f32> = one_hot(&[2, 0, 1], 3).unwrap();
        assert_eq!(m, array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]);
        assert!(one_hot::<f32>(&[3], 3).is_err());
    }
}
