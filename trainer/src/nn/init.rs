//! Weight initializers with Keras defaults: Glorot uniform for kernels,
//! orthogonal for recurrent kernels, zeros for biases.

use crate::data::SplitMix64;
use crate::float::Float;
use ndarray::{Array2, ArrayD, IxDyn};

/// Returns a tensor of `shape` drawn from U(-l, l), l = √(6 / (fan_in + fan_out)).
///
/// Fans follow Keras: for a `[rows, cols]` kernel fan_in = rows, fan_out = cols;
/// for a `[kh, kw, cin, cout]` convolution kernel the receptive field kh·kw
/// multiplies both channel counts.
pub fn glorot_uniform<F: Float>(shape: &[usize], rng: &mut SplitMix64) -> ArrayD<F> {
    let receptive: usize = shape[..shape.len().saturating_sub(2)].iter().product();
    let fan_in = shape[shape.len() - 2] * receptive;
    let fan_out = shape[shape.len() - 1] * receptive;
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
    ArrayD::from_shape_simple_fn(IxDyn(shape), || F::constant(rng.uniform(-limit, limit)))
}

/// Returns a `[rows, cols]` matrix with orthonormal rows or columns (Keras `Orthogonal`).
///
/// Draws a normal matrix of the taller orientation, orthonormalizes its columns
/// by modified Gram–Schmidt (the QR factor with positive diagonal, as Keras
/// obtains after its sign correction) and transposes back when `rows < cols`.
pub fn orthogonal<F: Float>(rows: usize, cols: usize, rng: &mut SplitMix64) -> ArrayD<F> {
    let (tall, wide) = if rows < cols {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let mut q = Array2::from_shape_simple_fn((tall, wide), || rng.normal());
    for j in 0..wide {
        for k in 0..j {
            let dot = q.column(j).dot(&q.column(k));
            let qk = q.column(k).to_owned();
            q.column_mut(j).scaled_add(-dot, &qk);
        }
        let norm = q.column(j).dot(&q.column(j)).sqrt();
        q.column_mut(j).mapv_inplace(|v| v / norm);
    }
    let q = if rows < cols { q.reversed_axes() } else { q };
    q.mapv(F::constant)
        .as_standard_layout()
        .into_owned()
        .into_dyn()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Ix2;

    #[test]
    fn glorot_limits_follow_keras_fans() {
        let mut rng = SplitMix64::new(1);
        let w: ArrayD<f64> = glorot_uniform(&[3, 3, 16, 8], &mut rng);
        // fan_in = 9·16 = 144, fan_out = 9·8 = 72.
        let limit = (6.0f64 / 216.0).sqrt();
        assert!(w.iter().all(|v| v.abs() <= limit));
        assert!(w.iter().any(|v| v.abs() > 0.9 * limit));
    }

    #[test]
    fn orthogonal_rows_are_orthonormal_for_wide_matrices() {
        let mut rng = SplitMix64::new(5);
        let u: ArrayD<f64> = orthogonal(4, 16, &mut rng);
        let u = u.into_dimensionality::<Ix2>().unwrap();
        let gram = u.dot(&u.t());
        let eye = Array2::<f64>::eye(4);
        assert!((&gram - &eye).iter().all(|v| v.abs() < 1e-12));
    }
}
