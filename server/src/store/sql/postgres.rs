//! PostgreSQL connection set-up: one pool shared by reads and writes.

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection, Executor};

use super::pool_options;
use crate::store::StoreResult;

/// The PostgreSQL schema, embedded in the binary.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/postgres");

/// Settings of every pooled connection. JIT compilation is off: the store's statements
/// are short index lookups, but PostgreSQL decides on JIT from its cost estimates, and
/// with skewed or missing statistics (a few runs holding most params) it spent 100 ms
/// compiling a load of 100 runs' params that then ran in 0.5 ms (`EXPLAIN ANALYZE`).
const SESSION_SETTINGS: &str = "SET jit = off";

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
    Ok(pool_options(max_connections)
        .after_connect(|conn, _| {
            Box::pin(async move { conn.execute(SESSION_SETTINGS).await.map(drop) })
        })
        .connect(url)
        .await?)
}

#[cfg(test)]
impl super::SqlStore {
    /// Returns the value of a PostgreSQL setting on a pooled connection.
    pub(crate) async fn postgres_setting(&self, name: &str) -> String {
        use sqlx::Row;
        let row = sqlx::query(&format!("SHOW {name}"))
            .fetch_one(&self.reader)
            .await
            .expect("SHOW a setting");
        row.get(0)
    }
}
