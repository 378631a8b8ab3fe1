//! PostgreSQL connection set-up: a pool shared by writes and most reads, through sqlx's
//! `Any` driver, and a native one for reads of many rows.

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{AnyPool, Connection, Executor, FromRow, Postgres};

use super::search::Bind;
use super::{pool_options, ACQUIRE_TIMEOUT};
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

/// A pool of native PostgreSQL connections for reads of many rows
/// ([`super::SqlStore::fetch_rows`]).
///
/// The `Any` driver converts every row into its own form, a `Vec` of columns and a `Vec`
/// of owned values per row: for a 1,000-experiment page that cost the server more than
/// the query cost PostgreSQL. Folding the rows into one JSON row instead (as on SQLite)
/// moved the cost to PostgreSQL, about 1.5 us a row (`json_build_array` looks up every
/// argument's output function on every call). Native rows cost neither.
#[derive(Clone, Debug)]
pub(super) struct ReadPool(PgPool);

impl ReadPool {
    /// Makes the pool; it connects lazily, after [`connect`] has proven the database.
    pub(super) fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(|conn, _| {
                Box::pin(async move { conn.execute(SESSION_SETTINGS).await.map(drop) })
            })
            .connect_lazy_with(options);
        Ok(ReadPool(pool))
    }

    /// Runs `sql` with `binds` and decodes every row as `T`.
    pub(super) async fn fetch_all<T>(&self, sql: &str, binds: &[Bind]) -> StoreResult<Vec<T>>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let mut query = sqlx::query_as::<Postgres, T>(sql);
        for bind in binds {
            query = match bind {
                Bind::Text(v) => query.bind(v.as_str()),
                Bind::Int(v) => query.bind(*v),
                Bind::Float(v) => query.bind(*v),
            };
        }
        Ok(query.fetch_all(&self.0).await?)
    }

    /// Closes the pool, waiting for in-flight queries.
    pub(super) async fn close(&self) {
        self.0.close().await;
    }
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
