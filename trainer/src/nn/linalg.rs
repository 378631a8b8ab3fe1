//! Matrix products split across cores: rows of the left operand are shared
//! out to rayon's threads, and `Aᵀ·B` reductions over many rows are summed
//! from per-thread partial products. matrixmultiply runs each block on one
//! core; below [`PARALLEL_WORK`] multiply-adds one call is cheaper than a split.

use crate::float::Float;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

/// Products with fewer multiply-adds than this run on the calling thread.
const PARALLEL_WORK: usize = 1 << 18;

fn chunk_rows(rows: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    rows.div_ceil(threads).max(1)
}

/// Computes `c = alpha · a · b + beta · c`, splitting the rows of `a` and `c`.
pub fn gemm<F: Float>(
    alpha: F,
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    beta: F,
    mut c: ArrayViewMut2<'_, F>,
) {
    let work = a.nrows() * a.ncols() * b.ncols();
    if work < PARALLEL_WORK || rayon::current_num_threads() < 2 {
        general_mat_mul(alpha, &a, &b, beta, &mut c);
        return;
    }
    let rows = chunk_rows(a.nrows());
    a.axis_chunks_iter(Axis(0), rows)
        .into_par_iter()
        .zip(c.axis_chunks_iter_mut(Axis(0), rows).into_par_iter())
        .for_each(|(a_chunk, mut c_chunk)| {
            general_mat_mul(alpha, &a_chunk, &b, beta, &mut c_chunk)
        });
}

/// Computes `out = aᵀ · b`, summing per-thread partial products over row chunks.
pub fn gemm_at_b<F: Float>(
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    mut out: ArrayViewMut2<'_, F>,
) {
    let work = a.nrows() * a.ncols() * b.ncols();
    if work < PARALLEL_WORK || rayon::current_num_threads() < 2 {
        general_mat_mul(F::one(), &a.t(), &b, F::zero(), &mut out);
        return;
    }
    let rows = chunk_rows(a.nrows());
    let partials: Vec<Array2<F>> = a
        .axis_chunks_iter(Axis(0), rows)
        .into_par_iter()
        .zip(b.axis_chunks_iter(Axis(0), rows).into_par_iter())
        .map(|(a_chunk, b_chunk)| a_chunk.t().dot(&b_chunk))
        .collect();
    out.fill(F::zero());
    for partial in &partials {
        out += partial;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn split_products_equal_plain_products() {
        let a = Array2::from_shape_fn((700, 30), |(i, j)| ((i * 31 + j * 7) % 13) as f64 - 6.0);
        let b = Array2::from_shape_fn((30, 20), |(i, j)| ((i * 5 + j * 3) % 11) as f64 - 5.0);
        let mut c = Array2::from_elem((700, 20), 1.0);
        gemm(2.0, a.view(), b.view(), 1.0, c.view_mut());
        assert_eq!(c, a.dot(&b) * 2.0 + 1.0);
        let g = Array2::from_shape_fn((700, 20), |(i, j)| ((i + 2 * j) % 7) as f64 - 3.0);
        let mut w = Array2::zeros((30, 20));
        gemm_at_b(a.view(), g.view(), w.view_mut());
        assert_eq!(w, a.t().dot(&g));
    }
}
