//! PostgreSQL's log-batches of metrics only in batches ([`super::batcher`]): what a
//! training loop sends each step. The log-batches that requests send at the same time go
//! in as one statement, [`WRITE_BATCH`]: it locks their runs, inserts their points and
//! merges their chart tiles and latest points, which the server computed. One round trip
//! and one commit for the batch. Log-batches with params, tags or model metrics run on
//! their own ([`super::run_writes::LogBatch`]).
//!
//! A batch that repeats a stored point (a client's retry) must not count it twice in the
//! tiles. The statement inserts points without `ON CONFLICT`, so a repeat fails it as a
//! whole; the batch then runs in a transaction that skips repeats and recomputes the
//! tiles they touch ([`insert_metrics`]).
//!
//! Each request stays all or nothing. A request to a missing or deleted run gets its
//! error and none of its points go in; a batch that fails as a whole otherwise runs again
//! one request at a time.

use std::collections::HashMap;
use std::sync::LazyLock;

use ferroflow_protocol::Metric;
use serde::Serialize;
use sqlx::{AnyConnection, Connection};

use super::batcher::{json_text, BatchWrite, JsonFloat, Pending};
use super::run_writes::{insert_metrics, latest_points, require_active, KEEP_LATEST};
use super::runs::run_not_found;
use super::search::Bind;
use super::stored_value;
use super::tiles::{merge_tiles_json, tiles_json, StoredPoint};
use super::write::{Cell, WriteConn};
use super::Dialect;
use crate::store::{StoreError, StoreResult};

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
    /// Four: batches overlap their round trips and commits. LogBatch 10 at c=20,
    /// alternated: 1,685 req/s with one worker, 2,142–2,203 with two, 2,126–2,430 with
    /// four, 1,967 with eight.
    const WORKERS: usize = 4;

    async fn write(
        conn: &mut AnyConnection,
        batch: &[Pending<Self>],
    ) -> StoreResult<Vec<StoreResult<()>>> {
        match write_batch(conn, batch).await {
            Err(err) if repeats_a_point(&err) => write_batch_with_repeats(conn, batch).await,
            written => written,
        }
    }
}

/// Writes a batch's points (`$2`, a JSON array of `{r: run, k: key, s: step, t: timestamp,
/// v: value, n: is_nan}`), tiles (`$3`) and latest points (`$4`, as the points) for the
/// runs of `$1` (a JSON array of ids) that are active; answers the lifecycle stage of
/// each run found.
///
/// - `FOR KEY SHARE` keeps gc from deleting a run under the write, as `require_active_run`
///   does (the points have no foreign key, migration 0005). The runs are looked up with
///   `= ANY(ARRAY(…))`, which PostgreSQL's generic plan reads through the primary key;
///   with `IN (SELECT … FROM json_array_elements_text(…))` it scanned the whole table
///   (1.8 ms a batch at 10,000 runs: LogBatch 10 fell to 253 req/s in the bench).
/// - Every writer of these tables takes its locks in one order, so concurrent writers
///   cannot deadlock: runs, points, tiles, latest points ([`insert_metrics`] too), and
///   each table's rows in key order, the byte order of Rust's `str` (`COLLATE "C"`).
///   PostgreSQL would run the statement's writes last first; `(SELECT count(*) FROM
///   <the write before>) >= 0` makes each wait for the one before it.
/// - Points go in without `ON CONFLICT`: a repeat fails the statement (see the module's
///   doc). Tiles and latest points are upserts that merge into the row as last committed
///   (waiting for a concurrent writer's lock), so no point is lost.
static WRITE_BATCH: LazyLock<String> = LazyLock::new(|| {
    let point = |json: &str| {
        format!(
            "json_to_recordset(CAST({json} AS JSON)) AS p(r TEXT, k TEXT, s BIGINT, \
             t BIGINT, v DOUBLE PRECISION, n BIGINT)"
        )
    };
    let active = "(SELECT run_uuid FROM found WHERE lifecycle_stage = 'active')";
    format!(
        "WITH found AS ({FIND_RUNS}), \
         points AS (INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) \
         SELECT r, k, s, t, v, n FROM {} WHERE r IN {active} \
         ORDER BY r COLLATE \"C\", k COLLATE \"C\", s, t RETURNING 1), \
         tiles AS ({} RETURNING 1), \
         latest AS (INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) \
         SELECT r, k, s, t, v, n FROM {} WHERE r IN {active} \
         AND (SELECT count(*) FROM tiles) >= 0 \
         ORDER BY r COLLATE \"C\", k COLLATE \"C\" {KEEP_LATEST}) \
         SELECT run_uuid, lifecycle_stage FROM found",
        point("$2"),
        merge_tiles_json(
            "$3",
            &format!("run_uuid IN {active} AND (SELECT count(*) FROM points) >= 0")
        ),
        point("$4"),
    )
});

/// Reads the runs of `$1` (a JSON array of ids) and their lifecycle stages, locking them
/// as `require_active_run` does.
const FIND_RUNS: &str = "SELECT run_uuid, lifecycle_stage FROM runs \
     WHERE run_uuid = ANY(ARRAY(SELECT json_array_elements_text(CAST($1 AS JSON)))) \
     FOR KEY SHARE";

/// A point as [`WRITE_BATCH`] reads it.
#[derive(Serialize)]
struct PointJson<'a> {
    r: &'a str,
    k: &'a str,
    s: i64,
    t: i64,
    v: JsonFloat,
    n: i64,
}

impl<'a> PointJson<'a> {
    fn new(run_id: &'a str, key: &'a str, (step, timestamp, value, is_nan): StoredPoint) -> Self {
        PointJson {
            r: run_id,
            k: key,
            s: step,
            t: timestamp,
            v: value.into(),
            n: is_nan,
        }
    }
}

/// Writes a batch in one statement; returns each request's answer: done, or why its run
/// refuses writes.
async fn write_batch(
    conn: &mut AnyConnection,
    batch: &[Pending<LogMetrics>],
) -> StoreResult<Vec<StoreResult<()>>> {
    let runs = batch_runs(batch);
    let points: Vec<(&str, &Metric)> = runs
        .iter()
        .flat_map(|&(run_id, metrics)| metrics.iter().map(move |m| (run_id, m)))
        .collect();
    let latest: Vec<PointJson> = latest_points(points.iter().copied())
        .into_iter()
        .map(|((run_id, key), point)| PointJson::new(run_id, key, point))
        .collect();
    let points: Vec<PointJson> = points
        .into_iter()
        .map(|(run_id, m)| {
            let (value, is_nan) = stored_value(m.value);
            PointJson::new(run_id, &m.key, (m.step, m.timestamp, value, is_nan))
        })
        .collect();
    let binds = [
        run_ids_json(&runs)?,
        Bind::Text(json_text(&points)?),
        Bind::Text(tiles_json(&runs)?),
        Bind::Text(json_text(&latest)?),
    ];
    let found = WriteConn::Sqlx(conn).fetch(&WRITE_BATCH, &binds).await?;
    answers(batch, found)
}

/// Whether a batch failed because it repeats a stored point (or a point twice).
fn repeats_a_point(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Database(sqlx::Error::Database(db))
            if db.is_unique_violation() && db.constraint() == Some("metrics_pkey")
    )
}

/// Writes a batch that repeats points in one transaction: repeats are skipped and the
/// tiles they touch recomputed ([`insert_metrics`]). Six round trips instead of one.
async fn write_batch_with_repeats(
    conn: &mut AnyConnection,
    batch: &[Pending<LogMetrics>],
) -> StoreResult<Vec<StoreResult<()>>> {
    let runs = batch_runs(batch);
    let mut tx = conn.begin().await?;
    let mut write = WriteConn::Sqlx(&mut tx);
    let found = write.fetch(FIND_RUNS, &[run_ids_json(&runs)?]).await?;
    let answers = answers(batch, found)?;
    let runs: Vec<(&str, &[Metric])> = runs
        .into_iter()
        .zip(&answers)
        .filter(|(_, answer)| answer.is_ok())
        .map(|(run, _)| run)
        .collect();
    if !runs.is_empty() {
        insert_metrics(Dialect::Postgres, &mut write, &runs).await?;
    }
    tx.commit().await?;
    Ok(answers)
}

/// The batch's requests as (run id, points).
fn batch_runs(batch: &[Pending<LogMetrics>]) -> Vec<(&str, &[Metric])> {
    batch
        .iter()
        .map(|p| (p.request.run_id.as_str(), &p.request.metrics[..]))
        .collect()
}

/// The ids of the batch's runs, once each, as [`FIND_RUNS`] reads them.
fn run_ids_json(runs: &[(&str, &[Metric])]) -> StoreResult<Bind> {
    let mut run_ids: Vec<&str> = runs.iter().map(|(run_id, _)| *run_id).collect();
    run_ids.sort_unstable();
    run_ids.dedup();
    Ok(Bind::Text(json_text(&run_ids)?))
}

/// Each request's answer from the runs found: (id, lifecycle stage) rows.
fn answers(
    batch: &[Pending<LogMetrics>],
    found: Vec<Vec<Cell>>,
) -> StoreResult<Vec<StoreResult<()>>> {
    let stages: HashMap<String, String> = found
        .into_iter()
        .map(|row| Ok((row[0].text()?.to_owned(), row[1].text()?.to_owned())))
        .collect::<StoreResult<_>>()?;
    Ok(batch
        .iter()
        .map(|pending| {
            let run_id = &pending.request.run_id;
            match stages.get(run_id) {
                Some(stage) => require_active(run_id, stage),
                None => Err(run_not_found(run_id)),
            }
        })
        .collect())
}
