//! A per-column standard scaler (scikit-learn's `StandardScaler`): statistics
//! from the training rows only, population standard deviation (ddof 0).

use crate::error::{Result, TrainerError};
use crate::float::Float;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// Per-column mean and population standard deviation of a training matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler<F: Float> {
    /// Column means.
    pub mean: Array1<F>,
    /// Column standard deviations (ddof 0); zero deviations are replaced by 1.
    pub std: Array1<F>,
}

impl<F: Float> StandardScaler<F> {
    /// Computes column statistics of `x` (rows are samples).
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when `x` has no rows.
    pub fn fit(x: ArrayView2<'_, F>) -> Result<Self> {
        let mean = x
            .mean_axis(Axis(0))
            .ok_or_else(|| TrainerError::Shape("cannot fit a scaler on zero rows".into()))?;
        let std = x
            .std_axis(Axis(0), F::zero())
            .mapv(|s| if s > F::zero() { s } else { F::one() });
        Ok(Self { mean, std })
    }

    /// Returns `(x - mean) / std` column by column.
    ///
    /// # Errors
    /// Returns [`TrainerError::Shape`] when the column count differs from the fitted one.
    pub fn transform(&self, x: ArrayView2<'_, F>) -> Result<Array2<F>> {
        if x.ncols() != self.mean.len() {
            return Err(TrainerError::Shape(format!(
                "scaler fitted on {} columns, got {}",
                self.mean.len(),
                x.ncols()
            )));
        }
        Ok((&x - &self.mean) / &self.std)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn scaled_training_columns_have_zero_mean_and_unit_std() {
        let x = array![[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0]];
        let scaler = StandardScaler::fit(x.view()).unwrap();
        // Population std of [1, 3, 5] is sqrt(8/3).
        assert!((scaler.std[0] - (8.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let z = scaler.transform(x.view()).unwrap();
        for col in z.columns().into_iter().take(2) {
            assert!(col.mean().unwrap().abs() < 1e-12);
            assert!((col.std(0.0) - 1.0).abs() < 1e-12);
        }
        // A constant column maps to zeros instead of NaN.
        assert!(z.column(2).iter().all(|v| *v == 0.0));
    }
}
