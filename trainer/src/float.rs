//! The [`Float`] trait: the scalar types a model can be built on (`f32` for
//! training, `f64` for gradient checks), following linfa's `Float`.

use ndarray::{LinalgScalar, ScalarOperand};
use std::fmt::{Debug, Display};
use std::iter::Sum;

/// A floating-point scalar usable for tensors, parameters and gradients.
pub trait Float:
    LinalgScalar
    + ScalarOperand
    + num_traits::Float
    + num_traits::NumAssign
    + num_traits::FromPrimitive
    + Sum
    + Debug
    + Display
    + Send
    + Sync
    + 'static
{
    /// The safetensors dtype weights of this type are stored as.
    const DTYPE: safetensors::Dtype;
    /// Size of one value in bytes.
    const BYTES: usize;

    /// Converts an `f64` constant to this type (rounding for `f32`).
    fn constant(value: f64) -> Self;
    /// Converts the value to `f64` exactly.
    fn as_f64(self) -> f64;
    /// Returns `e^self` for the sigmoid and tanh activations: [`exp_f32`] for
    /// `f32`, which the compiler vectorizes, and libm's `exp` for `f64`, whose
    /// last bits the central-difference gradient checks need.
    fn activation_exp(self) -> Self;
    /// Appends the little-endian bytes of `values` to `out`.
    fn write_le(values: &[Self], out: &mut Vec<u8>);
    /// Decodes little-endian bytes; the length must be a multiple of [`Float::BYTES`].
    fn read_le(bytes: &[u8]) -> Vec<Self>;
}

/// Returns `e^x` in `f32` without a libm call, so that loops over gates
/// vectorize (glibc's `expf` was a fifth of the LSTM's time, one scalar call
/// per gate): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two for an
/// exact reduction), e^r from Cephes' `expf` polynomial (within 2 ulp), 2^n
/// built in the exponent bits. Results under 2.7e-38 flush to 0 and results
/// over 3.3e38 are +∞, which is what the activations need at the extremes.
#[inline]
pub fn exp_f32(x: f32) -> f32 {
    const LOW: f32 = -86.5;
    const HIGH: f32 = 88.7;
    // Adding 1.5·2^23 rounds to the nearest integer, held in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    let xc = x.clamp(LOW, HIGH);
    let t = xc * std::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    let r = xc - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = (((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2)
        * r
        + 0.166_666_65)
        * r
        + 0.5)
        * r
        * r
        + r
        + 1.0;
    // 2^(n−1) stays a normal number for n in −125..=128; the factor 2 goes on p.
    let n_bits = t.to_bits() as i32 - ROUND.to_bits() as i32;
    let half_scale = f32::from_bits(((n_bits + 126) << 23) as u32);
    let e = (p * 2.0) * half_scale;
    if x < LOW {
        0.0
    } else if x > HIGH {
        f32::INFINITY
    } else {
        e
    }
}

impl Float for f32 {
    const DTYPE: safetensors::Dtype = safetensors::Dtype::F32;
    const BYTES: usize = 4;

    fn constant(value: f64) -> Self {
        value as f32
    }

    fn as_f64(self) -> f64 {
        f64::from(self)
    }

    #[inline]
    fn activation_exp(self) -> Self {
        exp_f32(self)
    }

    fn write_le(values: &[Self], out: &mut Vec<u8>) {
        out.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }

    fn read_le(bytes: &[u8]) -> Vec<Self> {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }
}

impl Float for f64 {
    const DTYPE: safetensors::Dtype = safetensors::Dtype::F64;
    const BYTES: usize = 8;

    fn constant(value: f64) -> Self {
        value
    }

    fn as_f64(self) -> f64 {
        self
    }

    #[inline]
    fn activation_exp(self) -> Self {
        self.exp()
    }

    fn write_le(values: &[Self], out: &mut Vec<u8>) {
        out.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }

    fn read_le(bytes: &[u8]) -> Vec<Self> {
        bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_f32_is_within_two_ulp_of_libm_and_saturates() {
        for i in -8650..=8870 {
            let x = i as f32 / 100.0;
            let (fast, libm) = (exp_f32(x), x.exp());
            assert!(
                (fast - libm).abs() <= 2.0 * f32::EPSILON * libm,
                "exp({x}) = {fast}, libm {libm}"
            );
        }
        assert_eq!(exp_f32(-1000.0), 0.0);
        assert_eq!(exp_f32(1000.0), f32::INFINITY);
        assert!(exp_f32(f32::NAN).is_nan());
    }
}
