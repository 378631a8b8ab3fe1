//! The layers, one per file, and the array helpers they share.

pub mod activation;
pub mod conv2d;
pub mod dense;
pub mod dropout;
pub mod flatten;
#[cfg(test)]
pub(crate) mod gradcheck;
pub mod lstm;
pub mod pooling2d;
pub mod recurrent;
pub mod simple_rnn;

use crate::float::Float;
use ndarray::{ArrayD, ArrayView2, ArrayViewMut2, Ix2};

pub use activation::{ActivationConfig, ActivationLayer};
pub use conv2d::{Conv2D, Conv2DConfig, Padding};
pub use dense::{Dense, DenseConfig};
pub use dropout::{Dropout, DropoutConfig};
pub use flatten::Flatten;
pub use lstm::Lstm;
pub use pooling2d::{Pooling2D, Pooling2DConfig};
pub use recurrent::RecurrentConfig;
pub use simple_rnn::SimpleRnn;

/// Views a standard-layout tensor as a `[rows, len / rows]` matrix.
pub(crate) fn matrix<F: Float>(a: &ArrayD<F>, rows: usize) -> ArrayView2<'_, F> {
    let cols = a.len() / rows.max(1);
    a.view()
        .into_shape_with_order((rows, cols))
        .expect("layers keep their tensors in standard layout")
}

/// Views a standard-layout tensor as a mutable `[rows, len / rows]` matrix.
pub(crate) fn matrix_mut<F: Float>(a: &mut ArrayD<F>, rows: usize) -> ArrayViewMut2<'_, F> {
    let cols = a.len() / rows.max(1);
    a.view_mut()
        .into_shape_with_order((rows, cols))
        .expect("layers keep their tensors in standard layout")
}

/// Sets every row of a standard-layout matrix to `bias`.
pub(crate) fn fill_rows<F: Float>(mut m: ArrayViewMut2<'_, F>, bias: &ArrayD<F>) {
    let bias = bias.as_slice().expect("parameters are in standard layout");
    let data = m
        .as_slice_mut()
        .expect("layers keep their tensors in standard layout");
    for row in data.chunks_exact_mut(bias.len()) {
        row.copy_from_slice(bias);
    }
}

/// Views a rank-2 parameter as a matrix.
pub(crate) fn param2<F: Float>(a: &ArrayD<F>) -> ArrayView2<'_, F> {
    a.view()
        .into_dimensionality::<Ix2>()
        .expect("parameter is a matrix")
}

/// Returns the tensor itself when in standard layout, else a standard-layout copy.
pub(crate) fn standard<F: Float>(a: &ArrayD<F>) -> ArrayD<F> {
    if a.is_standard_layout() {
        a.clone()
    } else {
        a.as_standard_layout().into_owned()
    }
}
