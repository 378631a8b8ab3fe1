//! SQLite's group-commit writer for the writes of runs (create, update, delete, restore,
//! log-batch, delete-tag).
//!
//! One thread owns a rusqlite connection. It takes every write job queued while it was
//! busy and runs them in one transaction, each job in its own savepoint: a job that
//! fails rolls back to its savepoint alone, the others commit together. Requests learn
//! their outcome only after the COMMIT, so nothing is acknowledged before it is durable
//! (as durable as `synchronous = NORMAL` makes any commit).
//!
//! Why: through sqlx, every statement is a round trip to its SQLite worker thread (two
//! thread wake-ups), and every request's commit writes its own WAL pages. Here a job's
//! statements are plain function calls, and a group of N requests that touch the same
//! pages writes them once.
//!
//! A second thread checkpoints the WAL into the database file every
//! [`CHECKPOINT_EVERY`], so that copy (a fifth of the writer's time when SQLite did it
//! inside commits) runs beside the writer instead of in its way; every connection turns
//! SQLite's automatic checkpoint off (`sqlite::PRAGMAS`). A passive checkpoint never
//! catches up with a busy writer, and SQLite starts the WAL over only when one has, so
//! once the WAL holds [`RESTART_FRAMES`] the checkpointer asks the writer to run one
//! restarting checkpoint between two groups (the checkpointer itself would starve
//! waiting for the write lock); without it the WAL grew to 6 GB in the bench.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self as std_mpsc, RecvTimeoutError};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::write::{WriteConn, WriteJob};
use super::{sqlite, Dialect};
use crate::store::{StoreError, StoreResult};

/// Jobs per transaction at most: bounds how long one COMMIT keeps the others waiting.
const MAX_GROUP: usize = 256;

/// Jobs waiting for the writer at most before senders wait (back-pressure).
const QUEUE: usize = 4096;

/// How often the checkpointer copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// WAL frames (pages) after which the checkpointer has the WAL restarted: 64 MiB of
/// 4 KiB pages (tests use a small WAL to see restarts quickly). Each restart holds the
/// writer for the rest of a checkpoint and its fsync; under log-batches the disk took
/// 160-190 MB/s (`vmstat`), so at 16 MiB that happened several times a second. A/B
/// after a LogBatch 500 phase, req/s at 16 / 64 / 256 MiB: LogBatch 10 1,220-1,374 /
/// 1,594-1,605 / 1,670-2,071; LogBatch 500 117 / 168-171 / 183-188; SearchExperiments
/// 478-586 / 638-651 / 494-717. 64 MiB keeps most of the gain with a quarter of the
/// disk and of the replay after a crash.
const RESTART_FRAMES: i64 = if cfg!(test) { 64 } else { 16384 };

/// The writer's page cache: 4 MiB instead of the readers' 32 MiB. SQLite walks the page
/// cache's hash table at the end of every transaction (`pcache1TruncateUnsafe`, 5% of the
/// writer in `perf`); with the smaller cache LogBatch 10 and 500 ran about 5% faster (A/B
/// alternated twice). Reads of pages it no longer caches come from the memory map.
const WRITER_CACHE: &str = "PRAGMA cache_size = -4000";

/// Statements kept prepared: log-batch SQL varies with its batch's shape.
const STATEMENT_CACHE: usize = 256;

/// A queued job with the channel its request waits on.
struct Pending<J: WriteJob> {
    job: J,
    reply: oneshot::Sender<StoreResult<J::Output>>,
}

/// A job run inside the transaction, its result waiting for the COMMIT.
struct Ran<T> {
    result: StoreResult<T>,
    reply: oneshot::Sender<StoreResult<T>>,
}

/// What the writer thread does with a queued job, whatever its output type.
trait Queued: Send {
    /// Runs the job's statements.
    fn run(self: Box<Self>, conn: &mut rusqlite::Connection) -> Box<dyn Outcome>;
    /// Answers the request without running it.
    fn fail(self: Box<Self>, err: StoreError);
}

/// A job's result once its statements ran.
trait Outcome: Send {
    fn ok(&self) -> bool;
    /// Answers the request: the result, unless the transaction failed to commit.
    fn deliver(self: Box<Self>, commit_error: Option<&rusqlite::Error>);
}

impl<J: WriteJob> Queued for Pending<J> {
    fn run(self: Box<Self>, conn: &mut rusqlite::Connection) -> Box<dyn Outcome> {
        // A job's statements never wait here: `block_on` polls a future that is ready.
        let result = futures::executor::block_on(
            self.job.run(Dialect::Sqlite, &mut WriteConn::Sqlite(conn)),
        );
        Box::new(Ran {
            result,
            reply: self.reply,
        })
    }

    fn fail(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err));
    }
}

impl<T: Send> Outcome for Ran<T> {
    fn ok(&self) -> bool {
        self.result.is_ok()
    }

    fn deliver(self: Box<Self>, commit_error: Option<&rusqlite::Error>) {
        let result = match commit_error {
            Some(err) => Err(writer_error("commit", err)),
            None => self.result,
        };
        let _ = self.reply.send(result);
    }
}

type Job = Box<dyn Queued>;

/// The handle requests queue their write jobs on; both threads stop when it is dropped.
#[derive(Debug)]
pub(super) struct GroupWriter {
    jobs: mpsc::Sender<Job>,
    /// Dropped with the writer: tells the checkpointer to make its last copy and stop.
    _checkpointer: std_mpsc::Sender<()>,
}

impl GroupWriter {
    /// Opens the writer's and the checkpointer's connections to the (already migrated)
    /// database file and starts their threads.
    pub(super) fn open(path: &str) -> StoreResult<Self> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(sqlite::PRAGMAS)?;
        conn.execute_batch(WRITER_CACHE)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let checkpoint_conn = rusqlite::Connection::open(path)?;
        checkpoint_conn.execute_batch(sqlite::PRAGMAS)?;
        let (jobs, queue) = mpsc::channel(QUEUE);
        let (checkpointer, stop) = std_mpsc::channel();
        let spawn = |name: &str, body: Box<dyn FnOnce() + Send>| {
            thread::Builder::new()
                .name(name.into())
                .spawn(body)
                .map_err(|err| StoreError::Database(sqlx::Error::Io(err)))
        };
        let restart = Arc::new(AtomicBool::new(false));
        let restart_wanted = restart.clone();
        spawn(
            "sqlite-writer",
            Box::new(move || write_loop(conn, queue, &restart)),
        )?;
        spawn(
            "sqlite-checkpoint",
            Box::new(move || checkpoint_loop(checkpoint_conn, stop, &restart_wanted)),
        )?;
        Ok(GroupWriter {
            jobs,
            _checkpointer: checkpointer,
        })
    }

    /// Queues `job` and waits until its transaction committed (its output) or failed.
    pub(super) async fn run<J: WriteJob>(&self, job: J) -> StoreResult<J::Output> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send(Box::new(Pending { job, reply }))
            .await
            .map_err(|_| writer_gone())?;
        outcome.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

fn writer_error(step: &str, err: &rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!(
        "SQLite writer {step} failed: {err}"
    )))
}

/// The writer thread: one transaction per group of queued jobs, and a restarting
/// checkpoint between groups when the checkpointer asks for one, until every handle is
/// gone.
fn write_loop(
    mut conn: rusqlite::Connection,
    mut queue: mpsc::Receiver<Job>,
    restart: &AtomicBool,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&mut conn, group.drain(..));
        if restart.swap(false, Ordering::Relaxed) {
            if let Err(err) = checkpoint(&conn, "RESTART") {
                tracing::warn!(error = %err, "WAL restart failed; the next one retries");
            }
        }
    }
}

/// Runs `jobs` in one transaction, each in a savepoint, then delivers every outcome.
fn commit_group(conn: &mut rusqlite::Connection, mut jobs: impl Iterator<Item = Job>) {
    if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
        for job in jobs {
            job.fail(writer_error("begin", &err));
        }
        return;
    }
    let mut outcomes = Vec::with_capacity(MAX_GROUP);
    while let Some(job) = jobs.next() {
        if let Err(err) = conn.execute_batch("SAVEPOINT job") {
            job.fail(writer_error("savepoint", &err));
            continue;
        }
        // A panicking job fails its own request only (its reply is dropped unanswered).
        let ran = catch_unwind(AssertUnwindSafe(|| job.run(conn)));
        let keep = matches!(&ran, Ok(outcome) if outcome.ok());
        let end = if keep {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        match (conn.execute_batch(end), ran) {
            (Ok(()), Ok(outcome)) => outcomes.push(outcome),
            (Err(err), Ok(outcome)) => outcome.deliver(Some(&err)),
            (_, Err(_)) => tracing::error!("a SQLite write job panicked; its request fails"),
        }
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (an I/O error, a full disk): none
            // of the group so far is stored. Tell those requests, then start over.
            let lost = rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                Some("the transaction was rolled back".into()),
            );
            for outcome in outcomes.drain(..) {
                outcome.deliver(Some(&lost));
            }
            if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
                for job in jobs.by_ref() {
                    job.fail(writer_error("begin", &err));
                }
                return;
            }
        }
    }
    let commit = conn.execute_batch("COMMIT").err();
    if commit.is_some() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for outcome in outcomes {
        outcome.deliver(commit.as_ref());
    }
}

/// The checkpointer thread: a passive checkpoint every [`CHECKPOINT_EVERY`] (it waits
/// for nobody), a request to the writer to restart the WAL once it is long, and a
/// truncating checkpoint when the store closes, so a clean shutdown leaves no WAL.
fn checkpoint_loop(conn: rusqlite::Connection, stop: std_mpsc::Receiver<()>, restart: &AtomicBool) {
    loop {
        let last = !matches!(
            stop.recv_timeout(CHECKPOINT_EVERY),
            Err(RecvTimeoutError::Timeout)
        );
        let mode = if last { "TRUNCATE" } else { "PASSIVE" };
        match checkpoint(&conn, mode) {
            Ok(frames) => restart.store(frames >= RESTART_FRAMES, Ordering::Relaxed),
            Err(err) => tracing::warn!(error = %err, "WAL checkpoint failed; the next one retries"),
        }
        if last {
            return;
        }
    }
}

/// Runs one checkpoint and returns the number of frames in the WAL.
fn checkpoint(conn: &rusqlite::Connection, mode: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        row.get(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts `value` into `t`, then fails or panics as told.
    struct Insert {
        value: i64,
        then: Then,
    }

    enum Then {
        Succeed,
        Fail,
        Panic,
    }

    impl WriteJob for Insert {
        type Output = i64;

        async fn run(self, _: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<i64> {
            let binds = [super::super::search::Bind::Int(self.value)];
            conn.execute("INSERT INTO t (v) VALUES ($1)", &binds)
                .await?;
            match self.then {
                Then::Succeed => Ok(self.value),
                Then::Fail => Err(StoreError::InvalidInput(format!("job {}", self.value))),
                Then::Panic => panic!("job {} panicked", self.value),
            }
        }
    }

    #[test]
    fn a_group_commits_its_jobs_and_rolls_back_each_failure_alone() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v BIGINT NOT NULL)")
            .unwrap();
        let mut replies = Vec::new();
        let mut jobs: Vec<Job> = Vec::new();
        for (value, then) in [
            (1, Then::Succeed),
            (2, Then::Fail),
            (3, Then::Succeed),
            (4, Then::Panic),
            (5, Then::Succeed),
        ] {
            let (reply, outcome) = oneshot::channel();
            jobs.push(Box::new(Pending {
                job: Insert { value, then },
                reply,
            }));
            replies.push(outcome);
        }
        commit_group(&mut conn, jobs.into_iter());

        assert!(conn.is_autocommit(), "the group's transaction is closed");
        let stored: Vec<i64> = conn
            .prepare("SELECT v FROM t ORDER BY v")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stored, [1, 3, 5]);
        let outcomes: Vec<String> = replies
            .into_iter()
            .map(|mut reply| match reply.try_recv() {
                Ok(Ok(value)) => format!("ok {value}"),
                Ok(Err(err)) => format!("error: {err}"),
                Err(_) => "no answer".to_string(),
            })
            .collect();
        assert_eq!(
            outcomes,
            ["ok 1", "error: job 2", "ok 3", "no answer", "ok 5"]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_stays_short_under_writes_and_is_emptied_at_close() {
        use crate::store::sql::{DatabaseUri, SqlStore};
        use crate::store::{NewRun, RunStore, ValidLogBatch};
        use ferroflow_protocol::Metric;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db").display().to_string();
        let wal = dir.path().join("m.db-wal");
        let uri = DatabaseUri::Sqlite { path };
        let store = SqlStore::open(&uri, "/tmp/artifacts", 2).await.unwrap();
        let run_id = crate::service::new_uuid();
        let new = NewRun {
            run_id: run_id.clone(),
            experiment_id: 0,
            user_id: "alice".into(),
            run_name: "wal".into(),
            start_time: 0,
            tags: vec![],
        };
        store.create_run(new).await.unwrap();
        // 1,500 commits of a few pages each, back to back, while readers keep reading:
        // a passive checkpoint alone never catches up with that.
        let store = Arc::new(store);
        let writing = Arc::new(AtomicBool::new(true));
        let mut readers = Vec::new();
        for _ in 0..2 {
            let (store, writing, run_id) = (store.clone(), writing.clone(), run_id.clone());
            readers.push(tokio::spawn(async move {
                while writing.load(Ordering::Relaxed) {
                    store.get_run(&run_id).await.unwrap();
                }
            }));
        }
        let mut longest = 0;
        for b in 0..1500 {
            let start = b * 100;
            let batch = ValidLogBatch {
                metrics: (start..start + 100)
                    .map(|step| Metric {
                        key: format!("m{}", step % 7),
                        value: step as f64,
                        timestamp: step,
                        step,
                    })
                    .collect(),
                ..ValidLogBatch::default()
            };
            store.log_batch(&run_id, &batch).await.unwrap();
            longest = longest.max(std::fs::metadata(&wal).unwrap().len());
        }
        writing.store(false, Ordering::Relaxed);
        for reader in readers {
            reader.await.unwrap();
        }
        let store = Arc::into_inner(store).expect("readers are done");
        // One checkpointer tick of writes is about 20 MB here; without restarts, 250 MB.
        assert!(longest < 64 << 20, "the WAL grew to {longest} bytes");
        drop(store);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the WAL was not emptied at close"
            );
            tokio::time::sleep(CHECKPOINT_EVERY).await;
        }
    }
}
