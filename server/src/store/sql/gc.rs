//! Permanent deletion of soft-deleted runs and experiments (`mlflow gc`).
//!
//! The rows a run logs have no foreign key on PostgreSQL (migration 0005), so they do
//! not go with their run by `ON DELETE CASCADE`: gc deletes them itself, by the ids of
//! the runs it removes, on both engines. The other children (experiment tags, datasets,
//! inputs, logged models) still go by cascade.

use async_trait::async_trait;
use sqlx::{Any, Row, Transaction};

use super::search::Bind;
use super::{bind_all, placeholders, Dialect, SqlStore};
use crate::store::{GarbageCollector, StoreResult};

/// The tables of the rows a run logs, which gc empties of the removed runs' rows.
const RUN_ROWS: [&str; 5] = [
    "metrics",
    "latest_metrics",
    "metric_tiles",
    "params",
    "tags",
];

/// Ids bound per `IN` list: far below both engines' bind limits.
const IDS_PER_STATEMENT: usize = 500;

/// Runs `sql` with `binds` and returns the first column of each row it returns.
async fn first_column<T>(
    tx: &mut Transaction<'static, Any>,
    sql: &str,
    binds: &[Bind],
) -> StoreResult<Vec<T>>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    let rows = bind_all(sqlx::query(sql), binds)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get::<T, _>(0))
        .collect::<Result<_, _>>()?)
}

/// Runs `statement(list)` for each chunk of `ids`, `list` being the chunk's
/// placeholders from `$1`, and returns the first column of the rows they return.
async fn by_chunks<T>(
    tx: &mut Transaction<'static, Any>,
    ids: &[Bind],
    statement: impl Fn(&str) -> String,
) -> StoreResult<Vec<T>>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let sql = statement(&placeholders(1, chunk.len()));
        out.extend(first_column(tx, &sql, chunk).await?);
    }
    Ok(out)
}

#[async_trait]
impl GarbageCollector for SqlStore {
    async fn purge_deleted(
        &self,
        older_than: Option<i64>,
        run_ids: &[String],
        experiment_ids: &[i64],
    ) -> StoreResult<(u64, u64)> {
        let mut tx = self.begin_write().await?;
        let cutoff = Bind::Int(older_than.unwrap_or(i64::MAX));

        let mut sql = String::from(
            "DELETE FROM runs WHERE lifecycle_stage = 'deleted' \
             AND COALESCE(deleted_time, 0) <= $1",
        );
        let mut binds = vec![cutoff.clone()];
        if !run_ids.is_empty() {
            sql.push_str(&format!(
                " AND run_uuid IN ({})",
                placeholders(2, run_ids.len())
            ));
            binds.extend(run_ids.iter().map(|id| Bind::Text(id.clone())));
        }
        sql.push_str(" RETURNING run_uuid");
        let mut removed: Vec<String> = first_column(&mut tx, &sql, &binds).await?;
        let runs = removed.len() as u64;

        let mut sql = String::from(
            "SELECT experiment_id FROM experiments WHERE lifecycle_stage = 'deleted' \
             AND COALESCE(last_update_time, 0) <= $1",
        );
        let mut binds = vec![cutoff];
        if !experiment_ids.is_empty() {
            sql.push_str(&format!(
                " AND experiment_id IN ({})",
                placeholders(2, experiment_ids.len())
            ));
            binds.extend(experiment_ids.iter().map(|id| Bind::Int(*id)));
        }
        if self.dialect == Dialect::Postgres {
            // Kept deleted until the commit: a restore waits.
            sql.push_str(" FOR UPDATE");
        }
        let experiments: Vec<i64> = first_column(&mut tx, &sql, &binds).await?;
        let experiments: Vec<Bind> = experiments.into_iter().map(Bind::Int).collect();
        // An experiment's runs go with it, and their rows with them.
        removed.extend(
            by_chunks::<String>(&mut tx, &experiments, |list| {
                format!("DELETE FROM runs WHERE experiment_id IN ({list}) RETURNING run_uuid")
            })
            .await?,
        );
        let purged: Vec<i64> = by_chunks(&mut tx, &experiments, |list| {
            format!(
                "DELETE FROM experiments WHERE experiment_id IN ({list}) RETURNING experiment_id"
            )
        })
        .await?;

        let removed: Vec<Bind> = removed.into_iter().map(Bind::Text).collect();
        for chunk in removed.chunks(IDS_PER_STATEMENT) {
            let list = placeholders(1, chunk.len());
            for table in RUN_ROWS {
                let sql = format!("DELETE FROM {table} WHERE run_uuid IN ({list})");
                bind_all(sqlx::query(&sql), chunk).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok((runs, purged.len() as u64))
    }
}

#[cfg(test)]
impl SqlStore {
    /// How many rows of `run_id` the tables of the rows a run logs hold, all together.
    pub(crate) async fn rows_of_run(&self, run_id: &str) -> i64 {
        let mut total = 0;
        for table in RUN_ROWS {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE run_uuid = $1");
            let (count,): (i64,) = sqlx::query_as(&sql)
                .bind(run_id)
                .fetch_one(&self.reader)
                .await
                .expect("count rows");
            total += count;
        }
        total
    }
}
