//! Write transactions written once for both engines.
//!
//! A [`WriteJob`] runs its statements on a [`WriteConn`]: a sqlx connection inside a
//! transaction (PostgreSQL, and SQLite's other writes), or the rusqlite connection of
//! SQLite's group-commit thread ([`super::group_commit`]), where the whole job runs on
//! one thread with no hand-off per statement. Values go in as [`Bind`]s and come back as
//! [`Cell`]s, so a job never names a driver.

use std::future::Future;

use sqlx::any::AnyTypeInfoKind;
use sqlx::{AnyConnection, Row, Value, ValueRef};

use super::search::Bind;
use super::{bind_all, Dialect};
use crate::store::{StoreError, StoreResult};

/// One write transaction's statements, on either engine; dropping the transaction
/// without success rolls them back.
pub(super) trait WriteJob: Send + 'static {
    /// What the job returns once committed.
    type Output: Send + 'static;

    /// Runs the job's statements.
    fn run(
        self,
        d: Dialect,
        conn: &mut WriteConn<'_>,
    ) -> impl Future<Output = StoreResult<Self::Output>> + Send;
}

/// The connection a write transaction runs on.
pub(super) enum WriteConn<'c> {
    /// A sqlx connection inside a transaction.
    Sqlx(&'c mut AnyConnection),
    /// The group-commit thread's connection, inside its savepoint.
    Sqlite(&'c mut rusqlite::Connection),
}

/// A column value read inside a write transaction.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl Cell {
    /// The value as text, or an error naming what was found.
    pub(super) fn text(&self) -> StoreResult<&str> {
        match self {
            Cell::Text(text) => Ok(text),
            other => Err(unexpected("text", other)),
        }
    }

    /// The value as an integer, NULL as `None`.
    pub(super) fn opt_int(&self) -> StoreResult<Option<i64>> {
        match self {
            Cell::Null => Ok(None),
            other => other.int().map(Some),
        }
    }

    /// The value as an integer, or an error naming what was found.
    pub(super) fn int(&self) -> StoreResult<i64> {
        match self {
            Cell::Int(value) => Ok(*value),
            other => Err(unexpected("an integer", other)),
        }
    }
}

fn unexpected(wanted: &str, found: &Cell) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("expected {wanted}, the store returned {found:?}").into(),
    ))
}

impl WriteConn<'_> {
    /// Runs one statement and returns the number of rows it changed.
    pub(super) async fn execute(&mut self, sql: &str, binds: &[Bind]) -> StoreResult<u64> {
        match self {
            WriteConn::Sqlx(conn) => Ok(bind_all(sqlx::query(sql), binds)
                .execute(&mut **conn)
                .await?
                .rows_affected()),
            WriteConn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                bind_sqlite(&mut statement, binds)?;
                Ok(statement.raw_execute()? as u64)
            }
        }
    }

    /// Runs one query and returns its rows.
    pub(super) async fn fetch(&mut self, sql: &str, binds: &[Bind]) -> StoreResult<Vec<Vec<Cell>>> {
        match self {
            WriteConn::Sqlx(conn) => {
                let rows = bind_all(sqlx::query(sql), binds)
                    .fetch_all(&mut **conn)
                    .await?;
                rows.iter()
                    .map(|row| (0..row.len()).map(|i| sqlx_cell(row, i)).collect())
                    .collect()
            }
            WriteConn::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                bind_sqlite(&mut statement, binds)?;
                let columns = statement.column_count();
                let mut rows = statement.raw_query();
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let cells = (0..columns)
                        .map(|i| Ok(sqlite_cell(row.get_ref(i)?)))
                        .collect::<Result<_, rusqlite::Error>>()?;
                    out.push(cells);
                }
                Ok(out)
            }
        }
    }

    /// Runs one query expected to return at most one row.
    pub(super) async fn fetch_optional(
        &mut self,
        sql: &str,
        binds: &[Bind],
    ) -> StoreResult<Option<Vec<Cell>>> {
        Ok(self.fetch(sql, binds).await?.into_iter().next())
    }
}

/// Binds `binds` the way sqlx's SQLite driver does, so one SQL text means the same on
/// both connections: `$N` takes the N-th value, an anonymous `?` the next one in order.
fn bind_sqlite(statement: &mut rusqlite::Statement<'_>, binds: &[Bind]) -> StoreResult<()> {
    let mut next = 0;
    for index in 1..=statement.parameter_count() {
        let position = match statement.parameter_name(index) {
            Some(name) => name
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    StoreError::Database(sqlx::Error::Protocol(format!(
                        "unsupported SQL parameter '{name}'"
                    )))
                })?,
            None => {
                next += 1;
                next
            }
        };
        // As sqlx: a placeholder without a value stays NULL.
        let Some(bind) = binds.get(position - 1) else {
            continue;
        };
        match bind {
            Bind::Text(value) => statement.raw_bind_parameter(index, value.as_str())?,
            Bind::Int(value) => statement.raw_bind_parameter(index, value)?,
            Bind::Float(value) => statement.raw_bind_parameter(index, value)?,
        }
    }
    Ok(())
}

fn sqlite_cell(value: rusqlite::types::ValueRef<'_>) -> Cell {
    use rusqlite::types::ValueRef as V;
    match value {
        V::Null => Cell::Null,
        V::Integer(v) => Cell::Int(v),
        V::Real(v) => Cell::Float(v),
        V::Text(bytes) | V::Blob(bytes) => Cell::Text(String::from_utf8_lossy(bytes).into_owned()),
    }
}

fn sqlx_cell(row: &sqlx::any::AnyRow, index: usize) -> StoreResult<Cell> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let kind = raw.type_info().kind();
    let value = ValueRef::to_owned(&raw);
    let cell = match kind {
        AnyTypeInfoKind::Null => Cell::Null,
        AnyTypeInfoKind::Bool => Cell::Int(i64::from(value.try_decode::<bool>()?)),
        AnyTypeInfoKind::SmallInt => Cell::Int(value.try_decode::<i16>()?.into()),
        AnyTypeInfoKind::Integer => Cell::Int(value.try_decode::<i32>()?.into()),
        AnyTypeInfoKind::BigInt => Cell::Int(value.try_decode::<i64>()?),
        AnyTypeInfoKind::Real => Cell::Float(value.try_decode::<f32>()?.into()),
        AnyTypeInfoKind::Double => Cell::Float(value.try_decode::<f64>()?),
        AnyTypeInfoKind::Text | AnyTypeInfoKind::Blob => Cell::Text(value.try_decode::<String>()?),
    };
    Ok(cell)
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Sqlite(err)
    }
}
