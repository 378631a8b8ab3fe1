//! Gathering rows of a tensor into a mini-batch.

use crate::float::Float;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};

/// Returns the rows `indices` of `x` (along axis 0) as a new contiguous tensor.
///
/// Copies whole rows with `copy_from_slice` when `x` is in standard layout.
pub fn take_rows<F: Float>(x: ArrayViewD<'_, F>, indices: &[usize]) -> ArrayD<F> {
    let mut shape = x.shape().to_vec();
    shape[0] = indices.len();
    match x.as_slice() {
        Some(data) => {
            let row = x.len() / x.shape()[0].max(1);
            let mut out = Vec::with_capacity(indices.len() * row);
            for &i in indices {
                out.extend_from_slice(&data[i * row..(i + 1) * row]);
            }
            ArrayD::from_shape_vec(IxDyn(&shape), out).expect("row-major gather keeps the shape")
        }
        None => x.select(Axis(0), indices),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn take_rows_matches_select_for_contiguous_and_strided_inputs() {
        let x: Array2<f64> = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let got = take_rows(x.view().into_dyn(), &[2, 0]);
        assert_eq!(got, array![[5.0, 6.0], [1.0, 2.0]].into_dyn());
        let t = x.t();
        let got_t = take_rows(t.into_dyn(), &[1]);
        assert_eq!(got_t, array![[2.0, 4.0, 6.0]].into_dyn());
    }
}
