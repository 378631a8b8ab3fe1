//! MLflow's tracking REST API as Rust types: the entities of `service.proto`
//! (`Experiment`, `RunInfo`, `Metric`, ...), the request and response messages of
//! each endpoint, and MLflow's error codes with their HTTP statuses.
//!
//! JSON follows MLflow's server: field names as in the protos (snake_case), int64
//! written as numbers but accepted as numbers or strings (proto3 JSON sends strings),
//! doubles accepted and written with the protobuf JSON spellings `"NaN"`,
//! `"Infinity"`, `"-Infinity"`, unset and empty fields omitted, unknown fields ignored.
#![warn(missing_docs)]

pub mod entities;
pub mod error;
pub mod messages;
pub mod registry;
pub mod wire;

pub use entities::*;
pub use error::{ErrorCode, ErrorResponse};
pub use registry::*;
