//! PostgreSQL's batcher of CreateRun: the runs that requests create at the same time go
//! in together, one statement for a batch, instead of one statement each.
//!
//! Why: PostgreSQL's cost of a CreateRun is mostly per statement (executor start, the
//! commit and its WAL flush), not per row. `pgbench` on this schema, 20 clients: 6,300–
//! 7,500 runs/s one run per statement, 16,000 ten runs per statement.
//!
//! [`WORKERS`] tasks take turns at the queue: each takes the first waiting request and
//! every request queued behind it (up to [`MAX_BATCH`]), so a batch is whatever arrived
//! while the previous one ran, and a lone request waits for nothing (it is a batch of
//! one). A batch that fails as a whole (a value PostgreSQL refuses, say) runs again one
//! run at a time, so a bad request fails alone.

use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot, Mutex};

use super::experiments::no_active_experiment;
use super::run_writes::unique_tags;
use super::search::Bind;
use super::write::WriteConn;
use crate::store::{NewRun, StoreError, StoreResult};

/// Batches running at once, each on its own connection.
const WORKERS: usize = 4;

/// Runs per batch at most.
const MAX_BATCH: usize = 64;

/// What a CreateRun answers: the request back, with the run's artifact URI.
type Created = StoreResult<(NewRun, String)>;

/// A queued CreateRun with the channel its request waits on.
struct Pending {
    new: NewRun,
    reply: oneshot::Sender<Created>,
}

/// Inserts the runs of `$1` (a JSON array of `{run_uuid, name, user_id, start_time,
/// experiment_id}`) whose experiment is active, deriving each artifact URI from its
/// experiment, and their tags of `$2` (a JSON array of `{run_uuid, key, value}`); returns
/// the ids and artifact URIs of the runs inserted.
const INSERT_RUNS: &str =
    "WITH new_runs AS (SELECT * FROM json_to_recordset(CAST($1 AS JSON)) AS r(run_uuid TEXT, \
     name TEXT, user_id TEXT, start_time BIGINT, experiment_id BIGINT)), \
     run AS (INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, \
     lifecycle_stage, artifact_uri) SELECT r.run_uuid, r.name, e.experiment_id, r.user_id, \
     'RUNNING', r.start_time, 'active', \
     rtrim(e.artifact_location, '/') || '/' || r.run_uuid || '/artifacts' \
     FROM new_runs r JOIN experiments e ON e.experiment_id = r.experiment_id \
     AND e.lifecycle_stage = 'active' RETURNING run_uuid, artifact_uri), \
     new_tags AS (INSERT INTO tags (run_uuid, key, value) SELECT t.run_uuid, t.key, t.value \
     FROM json_to_recordset(CAST($2 AS JSON)) AS t(run_uuid TEXT, key TEXT, value TEXT) \
     JOIN run ON run.run_uuid = t.run_uuid) \
     SELECT run_uuid, artifact_uri FROM run";

/// The handle requests queue their CreateRuns on; the workers stop when it is dropped.
#[derive(Debug)]
pub(super) struct RunBatcher {
    jobs: mpsc::Sender<Pending>,
}

impl RunBatcher {
    /// Starts the workers on `pool` (a PostgreSQL pool).
    pub(super) fn start(pool: AnyPool) -> Self {
        let (jobs, queue) = mpsc::channel(MAX_BATCH * WORKERS * 4);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..WORKERS {
            tokio::spawn(work(pool.clone(), queue.clone()));
        }
        RunBatcher { jobs }
    }

    /// Creates a run, in a batch with the runs created meanwhile.
    pub(super) async fn create(&self, new: NewRun) -> Created {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Database(sqlx::Error::PoolClosed);
        self.jobs
            .send(Pending { new, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// A worker: takes a batch off the queue, runs it, answers its requests; until the
/// queue closes.
async fn work(pool: AnyPool, queue: Arc<Mutex<mpsc::Receiver<Pending>>>) {
    loop {
        let batch = {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            batch
        };
        run_batch(&pool, batch).await;
    }
}

/// Runs a batch and answers each of its requests.
async fn run_batch(pool: &AnyPool, batch: Vec<Pending>) {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(err) => {
            let message = err.to_string();
            for pending in batch {
                let err = StoreError::Database(sqlx::Error::Protocol(message.clone()));
                let _ = pending.reply.send(Err(err));
            }
            return;
        }
    };
    create_runs(&mut WriteConn::Sqlx(&mut conn), batch).await;
}

/// Inserts a batch's runs in one statement and answers each request; a batch of several
/// that fails as a whole runs again one run at a time, so a bad request fails alone.
async fn create_runs(conn: &mut WriteConn<'_>, batch: Vec<Pending>) {
    match insert_runs(conn, &batch).await {
        Ok(created) => {
            for pending in batch {
                let result = match created.iter().find(|(id, _)| *id == pending.new.run_id) {
                    Some((_, artifact_uri)) => Ok(artifact_uri.clone()),
                    // The experiment is missing or not active: say which, as MLflow does.
                    None => Err(no_active_experiment(conn, pending.new.experiment_id).await),
                };
                let _ = pending.reply.send(result.map(|uri| (pending.new, uri)));
            }
        }
        Err(err) if batch.len() == 1 => {
            if let Some(pending) = batch.into_iter().next() {
                let _ = pending.reply.send(Err(err));
            }
        }
        Err(_) => {
            for pending in batch {
                Box::pin(create_runs(conn, vec![pending])).await;
            }
        }
    }
}

/// Inserts a batch's runs in one statement; returns the (run id, artifact URI) of the
/// runs inserted, those whose experiment is active.
async fn insert_runs(
    conn: &mut WriteConn<'_>,
    batch: &[Pending],
) -> StoreResult<Vec<(String, String)>> {
    let mut runs = Vec::with_capacity(batch.len());
    let mut tags = Vec::new();
    for Pending { new, .. } in batch {
        runs.push(serde_json::json!({
            "run_uuid": new.run_id, "name": new.run_name, "user_id": new.user_id,
            "start_time": new.start_time, "experiment_id": new.experiment_id,
        }));
        for (key, value) in unique_tags(&new.tags) {
            tags.push(serde_json::json!({ "run_uuid": new.run_id, "key": key, "value": value }));
        }
    }
    let json = |rows: Vec<serde_json::Value>| {
        serde_json::to_string(&rows)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))
    };
    let binds = [Bind::Text(json(runs)?), Bind::Text(json(tags)?)];
    conn.fetch(INSERT_RUNS, &binds)
        .await?
        .into_iter()
        .map(|row| Ok((row[0].text()?.to_owned(), row[1].text()?.to_owned())))
        .collect()
}
