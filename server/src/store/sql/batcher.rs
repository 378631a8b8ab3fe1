//! PostgreSQL's cross-request batching: writes that requests make at the same time go
//! in together, one statement and one commit for a batch, instead of each request
//! paying its own. Used for CreateRun ([`super::run_batch`]) and for log-batches of
//! metrics only ([`super::metric_batch`]).
//!
//! Why: PostgreSQL's cost of a small write is mostly per statement and per commit
//! (executor start, the commit and its WAL flush), not per row. `pgbench` on this
//! schema, 20 clients: 6,300–7,500 runs/s one run per statement, 16,000 ten runs per
//! statement.
//!
//! [`BatchWrite::WORKERS`] tasks take turns at the queue: each takes the first waiting
//! request and every request queued behind it (up to [`MAX_BATCH`]), so a batch is
//! whatever arrived while the previous one ran, and a lone request waits for nothing (it
//! is a batch of one). A batch that fails as a whole (a value PostgreSQL refuses, say) runs again one
//! request at a time, so a bad request fails alone.

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::store::{StoreError, StoreResult};

/// Requests per batch at most.
const MAX_BATCH: usize = 64;

/// A kind of write that PostgreSQL runs in batches.
pub(super) trait BatchWrite: Send + Sync + 'static {
    /// What a request asks for.
    type Request: Send + Sync + 'static;
    /// What a request is answered.
    type Output: Send + 'static;
    /// Batches running at once, each on its own connection. More overlap the round trips
    /// of several batches; fewer make each batch larger.
    const WORKERS: usize;

    /// Writes a batch on `conn`, atomically: returns each request's answer, in order, or
    /// an error when the batch failed as a whole and wrote nothing.
    fn write(
        conn: &mut AnyConnection,
        batch: &[Pending<Self>],
    ) -> impl Future<Output = StoreResult<Vec<StoreResult<Self::Output>>>> + Send;
}

/// What a caller gets back: its request, with the answer.
type Answered<W> = StoreResult<(<W as BatchWrite>::Request, <W as BatchWrite>::Output)>;

/// A queued request with the channel its caller waits on.
pub(super) struct Pending<W: BatchWrite + ?Sized> {
    pub(super) request: W::Request,
    reply: oneshot::Sender<Answered<W>>,
}

impl<W: BatchWrite> Pending<W> {
    /// Answers the request, handing it back; a caller that stopped waiting is no error.
    fn answer(self, result: StoreResult<W::Output>) {
        let _ = self.reply.send(result.map(|output| (self.request, output)));
    }
}

/// The handle requests queue on; the workers stop when it is dropped.
pub(super) struct Batcher<W: BatchWrite> {
    jobs: mpsc::Sender<Pending<W>>,
}

impl<W: BatchWrite> std::fmt::Debug for Batcher<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl<W: BatchWrite> Batcher<W> {
    /// Starts the workers on `pool` (a PostgreSQL pool).
    pub(super) fn start(pool: AnyPool) -> Self {
        let (jobs, queue) = mpsc::channel(MAX_BATCH * W::WORKERS * 4);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..W::WORKERS {
            tokio::spawn(work::<W>(pool.clone(), queue.clone()));
        }
        Batcher { jobs }
    }

    /// Runs a request, in a batch with the requests queued meanwhile; returns it with
    /// its answer.
    pub(super) async fn submit(&self, request: W::Request) -> Answered<W> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Database(sqlx::Error::PoolClosed);
        self.jobs
            .send(Pending { request, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// A worker: takes a batch off the queue, runs it; until the queue closes.
async fn work<W: BatchWrite>(pool: AnyPool, queue: Arc<Mutex<mpsc::Receiver<Pending<W>>>>) {
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
        match pool.acquire().await {
            Ok(mut conn) => run(&mut conn, batch).await,
            Err(err) => {
                let message = err.to_string();
                for pending in batch {
                    let err = StoreError::Database(sqlx::Error::Protocol(message.clone()));
                    pending.answer(Err(err));
                }
            }
        }
    }
}

/// Writes a batch and answers each request; a batch of several that fails as a whole
/// runs again one request at a time, so a bad request fails alone.
async fn run<W: BatchWrite>(conn: &mut AnyConnection, batch: Vec<Pending<W>>) {
    match W::write(conn, &batch).await {
        Ok(answers) => {
            for (pending, answer) in batch.into_iter().zip(answers) {
                pending.answer(answer);
            }
        }
        Err(err) if batch.len() == 1 => {
            if let Some(pending) = batch.into_iter().next() {
                pending.answer(Err(err));
            }
        }
        Err(_) => {
            for pending in batch {
                Box::pin(run(conn, vec![pending])).await;
            }
        }
    }
}

/// A batch's rows as one JSON text, for statements that read them with
/// `json_to_recordset`: one bind and one statement text whatever the batch's size.
pub(super) fn json_text(rows: &impl Serialize) -> StoreResult<String> {
    serde_json::to_string(rows).map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))
}

/// A stored metric value in JSON, which has no infinities: those go as the text
/// PostgreSQL reads as `double precision`.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum JsonFloat {
    Finite(f64),
    Text(&'static str),
}

impl From<f64> for JsonFloat {
    fn from(value: f64) -> Self {
        match value {
            f64::INFINITY => JsonFloat::Text("Infinity"),
            f64::NEG_INFINITY => JsonFloat::Text("-Infinity"),
            finite => JsonFloat::Finite(finite),
        }
    }
}
