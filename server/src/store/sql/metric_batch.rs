//! PostgreSQL's log-batches of metrics only in batches ([`super::batcher`]): what a
//! training loop sends each step. The log-batches that requests send at the same time go
//! in as one transaction: one check of their runs, one insert of their points, one
//! upsert of their chart tiles and one of their latest points, one commit. Log-batches
//! with params, tags or model metrics run on their own ([`super::run_writes::LogBatch`]).
//!
//! Each request stays all or nothing. A request to a missing or deleted run gets its
//! error and is left out of the batch; a batch that fails as a whole runs again one
//! request at a time, each in its own transaction.

use std::collections::HashMap;

use ferroflow_protocol::Metric;
use sqlx::{AnyConnection, Connection};

use super::batcher::{BatchWrite, Pending};
use super::run_writes::{insert_metrics, require_active};
use super::runs::run_not_found;
use super::search::Bind;
use super::write::WriteConn;
use super::Dialect;
use crate::store::StoreResult;

/// A log-batch of metric points only.
pub(super) struct RunMetrics {
    pub(super) run_id: String,
    pub(super) metrics: Vec<Metric>,
}

/// Metric-only log-batches as a batched write.
pub(super) struct LogMetrics;

impl BatchWrite for LogMetrics {
    type Request = RunMetrics;
    type Output = ();
    /// Four: a batch is a transaction of six round trips, which other batches overlap.
    /// LogBatch 10 at c=20: 1,224 req/s with one worker, 1,254–1,266 with two,
    /// 1,395–1,619 with four, 1,261–1,370 with eight.
    const WORKERS: usize = 4;

    async fn write(
        conn: &mut AnyConnection,
        batch: &[Pending<Self>],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        write_batch(conn, batch).await
    }
}

/// Writes a batch in one transaction; returns each request's answer: done, or why its
/// run refuses writes.
async fn write_batch(
    conn: &mut AnyConnection,
    batch: &[Pending<LogMetrics>],
) -> StoreResult<Vec<StoreResult<()>>> {
    let mut run_ids: Vec<&str> = batch.iter().map(|p| p.request.run_id.as_str()).collect();
    run_ids.sort_unstable();
    run_ids.dedup();
    // As `require_active_run`, for every run at once: the lock keeps gc from deleting a
    // run under the write (its rows have no foreign key, migration 0005).
    let sql = format!(
        "SELECT run_uuid, lifecycle_stage FROM runs WHERE run_uuid IN ({}) FOR KEY SHARE",
        Dialect::Postgres.params(1, run_ids.len())
    );
    let binds: Vec<Bind> = run_ids
        .iter()
        .map(|id| Bind::Text(id.to_string()))
        .collect();

    let mut tx = conn.begin().await?;
    let mut write = WriteConn::Sqlx(&mut tx);
    let stages: HashMap<String, String> = write
        .fetch(&sql, &binds)
        .await?
        .into_iter()
        .map(|row| Ok((row[0].text()?.to_owned(), row[1].text()?.to_owned())))
        .collect::<StoreResult<_>>()?;
    let answers: Vec<StoreResult<()>> = batch
        .iter()
        .map(|pending| {
            let run_id = &pending.request.run_id;
            match stages.get(run_id) {
                Some(stage) => require_active(run_id, stage),
                None => Err(run_not_found(run_id)),
            }
        })
        .collect();
    let runs: Vec<(&str, &[Metric])> = batch
        .iter()
        .zip(&answers)
        .filter(|(_, answer)| answer.is_ok())
        .map(|(pending, _)| {
            (
                pending.request.run_id.as_str(),
                &pending.request.metrics[..],
            )
        })
        .collect();
    if !runs.is_empty() {
        insert_metrics(Dialect::Postgres, &mut write, &runs).await?;
    }
    tx.commit().await?;
    Ok(answers)
}
