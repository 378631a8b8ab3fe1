//! The SDK against real servers: ferroflow started in-process on SQLite and on
//! PostgreSQL (every test in [`tracking`], [`logging`] and [`faults`] runs on both),
//! MLflow's own `mlflow server` from PyPI ([`mlflow_server`]), and a scripted server
//! for the retry rules ([`retries`]).
//!
//! One binary for all (faster linking); PostgreSQL comes from
//! `FERROFLOW_TEST_POSTGRES_URL`, MLflow's Python from `FERROFLOW_MLFLOW_PYTHON`.

mod common;
mod faults;
mod logging;
mod mlflow_server;
mod retries;
mod tracking;
