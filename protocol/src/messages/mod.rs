//! Request and response bodies of the tracking endpoints, one module per resource.
//!
//! Every request field is optional on the wire (`#[serde(default)]`): MLflow decides
//! which are required per endpoint and says so with INVALID_PARAMETER_VALUE, which the
//! server's validation reproduces instead of failing at parse time.

pub mod charts;
pub mod experiments;
pub mod logged_models;
pub mod metrics;
pub mod registry;
pub mod runs;

use serde::{Deserialize, Serialize};

/// The body of endpoints that answer nothing but success: `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}
