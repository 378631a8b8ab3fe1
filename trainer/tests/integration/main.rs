//! Integration tests of ferroflow-trainer, one binary (faster linking):
//! `summary()` against Keras' table, save/load round trips, and learning
//! tests on the real data sets in `shared/data`.

mod datasets;
mod learning;
mod persistence;
mod summary;
