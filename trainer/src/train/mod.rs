//! Training support on top of [`nn`](crate::nn): [`Autolog`], the callback
//! that records a `fit` call in an MLflow run through `ferroflow-sdk`, and
//! the PNG [`plots`] it and the jobs log.

pub mod autolog;
pub mod plots;

pub(crate) use autolog::Scratch;
pub use autolog::{Autolog, AutologError, EarlyStoppingConfig};
