//! PostgreSQL connection set-up: one pool shared by reads and writes.

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection};

use super::pool_options;
use crate::store::StoreResult;

/// The PostgreSQL schema, embedded in the binary.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

/// How long the first connection may take before the server gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects a pool to the database at `url`. One plain connection is made first so
/// that an unreachable or misnamed database fails fast with the driver's reason
/// ("connection refused", "database does not exist") instead of a pool timeout.
pub(super) async fn connect(url: &str, max_connections: u32) -> StoreResult<AnyPool> {
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::AnyConnection::connect(url))
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    probe.close().await?;
    Ok(pool_options(max_connections).connect(url).await?)
}
