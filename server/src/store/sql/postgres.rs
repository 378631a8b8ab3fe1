//! PostgreSQL connection set-up: one pool shared by reads and writes.

use sqlx::migrate::Migrator;
use sqlx::AnyPool;

use super::pool_options;
use crate::store::StoreResult;

/// The PostgreSQL schema, embedded in the binary.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

/// Connects a pool to the database at `url`.
pub(super) async fn connect(url: &str, max_connections: u32) -> StoreResult<AnyPool> {
    Ok(pool_options(max_connections).connect(url).await?)
}
