//! [`SqlStore`]: the tracking store on SQLite or PostgreSQL, one code path for both.
//!
//! Queries are written once in the engines' common SQL (`$N` placeholders,
//! `ON CONFLICT`, `RETURNING`) and run through sqlx's `Any` driver; the few real
//! differences live in [`dialect`], connection set-up and migrations in [`sqlite`] and
//! [`postgres`]. Values are plain `BIGINT`/`TEXT`/`DOUBLE` columns so both engines
//! decode them alike; NaN metrics are stored as value 0 with `is_nan = 1`, as MLflow does
//! (SQLite cannot store NaN).

mod batcher;
pub mod dialect;
mod experiments;
mod gc;
mod group_commit;
mod logged_models;
mod metric_batch;
mod metrics;
mod postgres;
mod registry;
mod run_batch;
mod run_writes;
mod runs;
pub(crate) mod search;
mod sqlite;
mod tiles;
mod write;

use std::fmt;
use std::sync::Arc;

use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::postgres::PgRow;
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

use batcher::Batcher;
pub use dialect::Dialect;
use group_commit::GroupWriter;
use metric_batch::LogMetrics;
use run_batch::CreateRuns;
use search::Bind;
use write::{WriteConn, WriteJob};

use super::{StoreError, StoreResult};

/// Where the metadata lives, parsed from an MLflow backend-store URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUri {
    /// `sqlite:///relative.db` or `sqlite:////abs/path.db`.
    Sqlite {
        /// File path as given (relative to the working directory or absolute).
        path: String,
    },
    /// `postgresql://user:pass@host:port/db` (driver suffixes like `+psycopg2` ignored).
    Postgres {
        /// The URL in the form sqlx understands.
        url: String,
    },
}

impl DatabaseUri {
    /// Parses a backend-store URI the way `mlflow server` accepts it.
    pub fn parse(uri: &str) -> Result<Self, String> {
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
            format!("invalid backend store URI '{uri}': expected sqlite:///file.db or postgresql://user@host/db")
        })?;
        // MLflow (SQLAlchemy) URIs may name a driver: `postgresql+psycopg2://`.
        let engine = scheme.split('+').next().unwrap_or(scheme);
        match engine {
            "sqlite" => {
                let path = rest.strip_prefix('/').unwrap_or(rest);
                if path.is_empty() {
                    return Err(format!(
                        "invalid backend store URI '{uri}': no database file (use sqlite:///mlflow.db)"
                    ));
                }
                Ok(DatabaseUri::Sqlite { path: path.to_string() })
            }
            "postgresql" | "postgres" => Ok(DatabaseUri::Postgres {
                url: format!("postgresql://{rest}"),
            }),
            other => Err(format!(
                "unsupported backend store URI '{uri}': scheme '{other}' (supported: sqlite, postgresql)"
            )),
        }
    }

    /// Returns the SQL dialect of this database.
    pub fn dialect(&self) -> Dialect {
        match self {
            DatabaseUri::Sqlite { .. } => Dialect::Sqlite,
            DatabaseUri::Postgres { .. } => Dialect::Postgres,
        }
    }
}

impl fmt::Display for DatabaseUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUri::Sqlite { path } => write!(f, "sqlite:///{path}"),
            // Never print a password.
            DatabaseUri::Postgres { url } => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    write!(f, "{parsed}")
                }
                Err(_) => f.write_str("postgresql://<unparsable>"),
            },
        }
    }
}

/// The tracking store on a SQL database.
///
/// SQLite allows one writer at a time, so writes queue in-process instead of contending
/// for the file lock ("database is locked"): the writes of runs (the hot path) on the
/// group-commit thread (`group_commit`), the others on a one-connection pool; both
/// take the lock with `BEGIN IMMEDIATE` and wait for each other (busy timeout). Reads use
/// a separate pool and never block on writers thanks to WAL. PostgreSQL uses one pool
/// for everything but the reads of many rows ([`SqlStore::fetch_rows`]), which have a
/// native one.
#[derive(Clone, Debug)]
pub struct SqlStore {
    reader: AnyPool,
    writer: AnyPool,
    /// PostgreSQL's pool for reads of many rows, decoded natively; `Some` exactly on
    /// PostgreSQL.
    pg_reads: Option<postgres::ReadPool>,
    group: Option<Arc<GroupWriter>>,
    /// PostgreSQL's batchers of CreateRun and of metric-only log-batches.
    run_batcher: Option<Arc<Batcher<CreateRuns>>>,
    metric_batcher: Option<Arc<Batcher<LogMetrics>>>,
    dialect: Dialect,
    artifact_root: String,
}

impl SqlStore {
    /// Connects, runs pending migrations and ensures the Default experiment exists.
    pub async fn open(
        uri: &DatabaseUri,
        artifact_root: &str,
        max_connections: u32,
    ) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let (reader, writer, pg_reads) = match uri {
            DatabaseUri::Sqlite { path } => {
                let (reader, writer) = sqlite::connect(path, max_connections).await?;
                (reader, writer, None)
            }
            DatabaseUri::Postgres { url } => {
                let pool = postgres::connect(url, max_connections).await?;
                let reads = postgres::ReadPool::connect(url, max_connections)?;
                (pool.clone(), pool, Some(reads))
            }
        };
        let mut store = SqlStore {
            reader,
            writer,
            pg_reads,
            group: None,
            run_batcher: None,
            metric_batcher: None,
            dialect: uri.dialect(),
            artifact_root: artifact_root.trim_end_matches('/').to_string(),
        };
        store.migrate().await?;
        store.ensure_default_experiment().await?;
        match uri {
            DatabaseUri::Sqlite { path } => {
                store.group = Some(Arc::new(GroupWriter::open(path)?));
            }
            DatabaseUri::Postgres { .. } => {
                store.run_batcher = Some(Arc::new(Batcher::start(store.writer.clone())));
                store.metric_batcher = Some(Arc::new(Batcher::start(store.writer.clone())));
            }
        }
        Ok(store)
    }

    /// Applies the embedded migrations of this store's engine.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.dialect {
            Dialect::Sqlite => sqlite::MIGRATOR.run(&self.writer).await?,
            Dialect::Postgres => postgres::MIGRATOR.run(&self.writer).await?,
        }
        Ok(())
    }

    /// Returns the SQL dialect of this store.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Closes the pools, waiting for in-flight queries.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
        if let Some(reads) = &self.pg_reads {
            reads.close().await;
        }
    }

    /// Runs `job` as one write transaction: on SQLite's group-commit thread, or in a
    /// transaction of the writer pool.
    async fn write<J: WriteJob>(&self, job: J) -> StoreResult<J::Output> {
        if let Some(group) = &self.group {
            return group.run(job).await;
        }
        let mut tx = self.begin_write().await?;
        let output = job.run(self.dialect, &mut WriteConn::Sqlx(&mut tx)).await?;
        tx.commit().await?;
        Ok(output)
    }

    /// Begins a transaction on the writer pool. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that read first could not
    /// upgrade to writing after the group-commit thread committed ("database is locked").
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.writer.begin().await?,
        })
    }

    /// Runs a search builder's query (one `page_id` column, in page order) and returns
    /// the ids. On SQLite the page comes back as one JSON array row: sqlx hands each row
    /// from its worker thread separately, two thread wake-ups per id of a 1,000-id page.
    async fn fetch_page_ids<T>(&self, query: &search::SqlQuery) -> StoreResult<Vec<T>>
    where
        T: serde::de::DeserializeOwned + for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
    {
        match self.dialect {
            Dialect::Sqlite => {
                // The subquery's LIMIT makes SQLite feed the aggregate in its order.
                let sql = format!("SELECT json_group_array(page_id) FROM ({})", query.sql);
                Ok(
                    fetch_json_rows(bind_all(sqlx::query(&sql), &query.binds), &self.reader)
                        .await?,
                )
            }
            Dialect::Postgres => {
                let rows = bind_all(sqlx::query(&query.sql), &query.binds)
                    .fetch_all(&self.reader)
                    .await?;
                Ok(rows
                    .iter()
                    .map(|row| row.try_get::<T, _>(0))
                    .collect::<Result<_, _>>()?)
            }
        }
    }

    /// Reads `columns` (SQL expressions) of the rows that `from` (a `FROM ... WHERE ...`
    /// binding `binds` in order) selects, in `order`. SQLite folds them into one JSON
    /// aggregate row ([`Dialect::json_rows`]); PostgreSQL returns plain rows, decoded
    /// natively ([`postgres::ReadPool`]).
    async fn fetch_rows<T>(
        &self,
        columns: &[&str],
        from: &str,
        order: RowOrder<'_>,
        binds: &[Bind],
    ) -> StoreResult<Vec<T>>
    where
        T: serde::de::DeserializeOwned + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let (order_by, presorted) = match order {
            RowOrder::SortBy(order_by) => (order_by, false),
            RowOrder::Presorted(order_by) => (order_by, true),
        };
        match &self.pg_reads {
            Some(reads) => {
                let sql = format!("SELECT {} {from} ORDER BY {order_by}", columns.join(", "));
                reads.fetch_all(&sql, binds).await
            }
            None => {
                let json_rows = if presorted {
                    self.dialect.json_rows_presorted(columns, order_by)
                } else {
                    self.dialect.json_rows(columns, order_by)
                };
                let sql = format!("SELECT {json_rows} {from}");
                Ok(fetch_json_rows(bind_all(sqlx::query(&sql), binds), &self.reader).await?)
            }
        }
    }

    /// Returns `<artifact_root>/<experiment_id>`, MLflow's default experiment location.
    fn default_artifact_location(&self, experiment_id: i64) -> String {
        format!("{}/{}", self.artifact_root, experiment_id)
    }
}

/// The order of a [`SqlStore::fetch_rows`] read: an `ORDER BY` list over its columns.
#[derive(Clone, Copy)]
enum RowOrder<'a> {
    /// Rows to sort.
    SortBy(&'a str),
    /// Rows that `from` already yields in this order (a sorted subquery): SQLite does
    /// not sort them again ([`Dialect::json_rows_presorted`]).
    Presorted(&'a str),
}

/// How long a request waits for a pooled connection before it fails.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Pool options shared by both engines.
fn pool_options(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
}

/// Binds search-builder values onto a query.
fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    binds: &'q [Bind],
) -> Query<'q, Any, AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Text(v) => query.bind(v.as_str()),
            Bind::Int(v) => query.bind(*v),
            Bind::Float(v) => query.bind(*v),
        };
    }
    query
}

/// Returns `$start, $start+1, ...` for `count` placeholders, for statements that also
/// reuse numbered binds; pure bind lists use [`Dialect::params`], which is fast on SQLite.
fn placeholders(start: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 4);
    for i in 0..count {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('$');
        out.push_str(&(start + i).to_string());
    }
    out
}

/// Fetches the one row of a query selecting a [`Dialect::json_rows`] aggregate and
/// decodes its arrays; no matching rows gives an empty list.
async fn fetch_json_rows<'q, T, E>(
    query: Query<'q, Any, AnyArguments<'q>>,
    executor: E,
) -> Result<Vec<T>, sqlx::Error>
where
    T: serde::de::DeserializeOwned,
    E: sqlx::Executor<'q, Database = Any>,
{
    let row = query.fetch_one(executor).await?;
    let text: Option<String> = row.try_get(0)?;
    match text {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e))),
    }
}

/// A value as [`Dialect::json_real`] writes it.
#[derive(serde::Deserialize)]
struct JsonReal(#[serde(with = "ferroflow_protocol::wire::double")] f64);

/// Decodes a metric value read through [`Dialect::exact_real_text`], restoring NaN
/// from the `is_nan` flag.
fn metric_value(text: &str, is_nan: i64) -> Result<f64, sqlx::Error> {
    if is_nan != 0 {
        return Ok(f64::NAN);
    }
    ferroflow_protocol::wire::parse_f64(text).ok_or_else(|| {
        sqlx::Error::Decode(format!("stored metric value '{text}' is not a number").into())
    })
}

/// A stored double read through [`Dialect::exact_real`]: exact text in SQLite's JSON
/// aggregate, a `DOUBLE PRECISION` in PostgreSQL's rows.
struct ExactReal(f64);

impl ExactReal {
    /// The metric value, restoring NaN from the `is_nan` flag.
    fn metric_value(self, is_nan: i64) -> f64 {
        if is_nan != 0 {
            f64::NAN
        } else {
            self.0
        }
    }
}

impl<'de> serde::Deserialize<'de> for ExactReal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<str>>::deserialize(deserializer)?;
        ferroflow_protocol::wire::parse_f64(&text)
            .map(ExactReal)
            .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a number")))
    }
}

impl sqlx::Type<sqlx::Postgres> for ExactReal {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <f64 as sqlx::Type<sqlx::Postgres>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for ExactReal {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(ExactReal(<f64 as sqlx::Decode<sqlx::Postgres>>::decode(
            value,
        )?))
    }
}

/// Splits a metric value into the stored (value, is_nan) pair.
fn stored_value(value: f64) -> (f64, i64) {
    if value.is_nan() {
        (0.0, 1)
    } else {
        (value, 0)
    }
}

/// Maps a unique-key violation to `AlreadyExists(message)`, passing other errors on.
fn unique_violation(err: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::AlreadyExists(message())
        }
        _ => StoreError::Database(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mlflow_uris() {
        assert_eq!(
            DatabaseUri::parse("sqlite:///mlflow.db").unwrap(),
            DatabaseUri::Sqlite {
                path: "mlflow.db".into()
            }
        );
        assert_eq!(
            DatabaseUri::parse("sqlite:////tmp/x/mlflow.db").unwrap(),
            DatabaseUri::Sqlite {
                path: "/tmp/x/mlflow.db".into()
            }
        );
        assert_eq!(
            DatabaseUri::parse("postgresql+psycopg2://u:p@h:5432/db").unwrap(),
            DatabaseUri::Postgres {
                url: "postgresql://u:p@h:5432/db".into()
            }
        );
        assert!(DatabaseUri::parse("mysql://x").is_err());
        assert!(DatabaseUri::parse("mlflow.db").is_err());
        assert!(DatabaseUri::parse("sqlite://").is_err());
        let shown = DatabaseUri::parse("postgresql://u:secret@h/db")
            .unwrap()
            .to_string();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
