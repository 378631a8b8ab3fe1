//! ferroflow's deep-learning library: tensors as ndarray arrays, layers with
//! forward and backward passes, losses, optimizers and a Keras-shaped
//! [`Sequential`](nn::model::Sequential) model trained with mini-batches.
//!
//! The API mirrors Keras 3 (`add`, `compile`, `fit`, `evaluate`, `predict`,
//! `summary`) and its defaults (Glorot uniform kernels, Adam ε = 1e-7, ...), so
//! that a model trained here reaches the accuracy Keras reaches on the same data.
//! Everything is generic over [`Float`]: training runs in `f32`, gradient checks
//! in `f64`.
#![warn(missing_docs)]

// Links the OpenBLAS that ndarray's `blas` feature calls (feature `openblas`).
#[cfg(feature = "openblas")]
extern crate blas_src;

pub mod data;
pub mod error;
pub mod float;
pub mod jobs;
pub mod nn;
pub mod train;

pub use error::{Result, TrainerError};
pub use float::Float;
