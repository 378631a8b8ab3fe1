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
    /// Appends the little-endian bytes of `values` to `out`.
    fn write_le(values: &[Self], out: &mut Vec<u8>);
    /// Decodes little-endian bytes; the length must be a multiple of [`Float::BYTES`].
    fn read_le(bytes: &[u8]) -> Vec<Self>;
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
