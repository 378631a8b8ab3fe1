//! SQLite connection set-up: WAL, busy timeout, foreign keys, case-sensitive LIKE, and
//! the split into a one-connection writer pool and a reader pool.

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use super::pool_options;
use crate::store::StoreResult;

/// The SQLite schema, embedded in the binary.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("../migrations/sqlite");

/// Statements run on every new connection. `busy_timeout` covers other processes
/// (e.g. `ferroflow gc`) writing the same file; `synchronous = NORMAL` is the durable
/// choice for WAL (a power loss can drop the last commits, never corrupt); reads go
/// through a 256 MiB memory map instead of read() calls; no connection checkpoints the
/// WAL inside its commits, the group-commit writer's checkpointer thread does.
pub(super) const PRAGMAS: &str = "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; \
     PRAGMA wal_autocheckpoint = 0; \
     PRAGMA synchronous = NORMAL; PRAGMA case_sensitive_like = ON; \
     PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32000; \
     PRAGMA mmap_size = 268435456;";

/// Opens (creating if needed) the database file and returns (reader, writer) pools.
pub(super) async fn connect(path: &str, max_connections: u32) -> StoreResult<(AnyPool, AnyPool)> {
    if let Some(parent) = Path::new(path).parent() {
        if !parent.as_os_str().is_empty() && !parent.exists() {
            return Err(sqlx::Error::Configuration(
                format!("directory '{}' does not exist", parent.display()).into(),
            )
            .into());
        }
    }
    let url = format!("sqlite://{path}?mode=rwc");
    // No ping before each acquire: the connection lives in this process, and the ping is
    // one more hand-off to sqlx's SQLite worker thread on every request.
    let writer = pool_options(1)
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(async move { conn.execute(PRAGMAS).await.map(drop) }))
        .connect(&url)
        .await?;
    // WAL is a property of the file: set it once, through the writer.
    writer.execute("PRAGMA journal_mode = WAL").await?;
    let reader = pool_options(max_connections)
        .test_before_acquire(false)
        .idle_timeout(Duration::from_secs(600))
        .after_connect(|conn, _| Box::pin(async move { conn.execute(PRAGMAS).await.map(drop) }))
        .connect(&url)
        .await?;
    Ok((reader, writer))
}
