//! The service layer: checks each request the way MLflow's handlers and stores do,
//! turns it into the store's checked types, and calls the store. Handlers call exactly
//! one function here per endpoint.

pub mod artifacts;
mod charts;
pub mod events;
mod experiments;
pub mod logged_models;
mod metrics;
mod names;
mod page_token;
pub mod registry;
mod runs;
mod sampling;
pub mod search;
pub mod validation;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::store::TrackingStore;

/// The tracking service over one store.
#[derive(Clone)]
pub struct TrackingService {
    store: Arc<dyn TrackingStore>,
    events: events::EventBus,
}

impl TrackingService {
    /// Returns a service over `store`.
    pub fn new(store: Arc<dyn TrackingStore>) -> Self {
        TrackingService {
            store,
            events: events::EventBus::default(),
        }
    }

    /// Returns the bus of live updates this service publishes writes on.
    pub fn events(&self) -> &events::EventBus {
        &self.events
    }

    /// Returns the underlying store.
    pub fn store(&self) -> &Arc<dyn TrackingStore> {
        &self.store
    }
}

/// Returns the current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Returns a fresh id of 32 lowercase hex characters, MLflow's run-id form.
///
/// A UUIDv7 (RFC 9562: milliseconds first, then random bits), not MLflow's v4: ids made
/// later sort later, so new runs and their rows land at the end of every index keyed by
/// run id instead of on a random page, and a group commit writes those pages once.
pub fn new_uuid() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}
