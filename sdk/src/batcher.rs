//! The background worker of a run: logging calls enqueue metric points, params and
//! tags on a bounded channel and return; one thread per run drains the channel into
//! `runs/log-batch` requests, sent in logging order, by size and by time.
//!
//! - **Limits**: a batch holds at most 1000 metrics, 100 params, 100 tags and 1000
//!   items (MLflow's `MAX_METRICS_PER_BATCH`, `MAX_PARAMS_TAGS_PER_BATCH`,
//!   `MAX_ENTITIES_PER_BATCH` in `mlflow/utils/validation.py`).
//! - **Back-pressure**: the channel holds [`BatchConfig::queue_capacity`] items; when
//!   the server falls behind, logging calls block until there is room, so memory stays
//!   bounded and nothing is dropped.
//! - **Acknowledgement**: `flush` puts a marker on the same channel and waits for the
//!   worker to reach it, so it returns once everything logged before it was stored.
//! - **Failures**: requests retry per the client's [`RetryPolicy`](crate::RetryPolicy).
//!   When a batch still fails, its items are counted as lost, and if the server is
//!   unreachable, the rest of the queue up to the next flush marker is counted as lost
//!   without further tries (a dead server must not cost one full retry cycle per
//!   batch). The next `flush` (or `end`) returns [`Error::Logging`] with the count and
//!   the first cause, then the worker starts afresh.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use ferroflow_protocol::{Metric, Param, RunTag};

use crate::client::{log_batch_body, Client};
use crate::error::{Error, Result};

/// MLflow's limit on metrics per log-batch request.
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// MLflow's limit on params, and separately on tags, per log-batch request.
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
/// MLflow's limit on metrics, params and tags together per log-batch request.
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;

/// How a run batches its logging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchConfig {
    /// Items the queue holds before logging calls block (default 100,000: about 6 MB,
    /// a tenth of a second of logging at full speed).
    pub queue_capacity: usize,
    /// Longest time a logged item waits before it is sent (default 1 s).
    pub flush_interval: Duration,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            queue_capacity: 100_000,
            flush_interval: Duration::from_secs(1),
        }
    }
}

/// A metric point as queued: its key is copied inline when short, so the caller's
/// thread allocates nothing (and the worker, not the caller, frees); the worker
/// turns it into a [`Metric`].
pub(crate) struct Point {
    key: Key,
    value: f64,
    timestamp: i64,
    step: i64,
}

/// Keys up to 30 bytes are stored inline; most metric names fit.
enum Key {
    Inline { len: u8, bytes: [u8; 30] },
    Heap(Box<str>),
}

impl Point {
    #[inline]
    pub(crate) fn new(key: &str, value: f64, step: i64, timestamp: i64) -> Point {
        let key = if key.len() <= 30 {
            let mut bytes = [0u8; 30];
            bytes[..key.len()].copy_from_slice(key.as_bytes());
            Key::Inline {
                len: key.len() as u8,
                bytes,
            }
        } else {
            Key::Heap(key.into())
        };
        Point {
            key,
            value,
            timestamp,
            step,
        }
    }

    fn into_metric(self) -> Metric {
        let key = match self.key {
            // The bytes were copied from a `&str` at a char boundary (its full length).
            Key::Inline { len, bytes } => {
                String::from_utf8_lossy(&bytes[..usize::from(len)]).into_owned()
            }
            Key::Heap(key) => key.into_string(),
        };
        Metric {
            key,
            value: self.value,
            timestamp: self.timestamp,
            step: self.step,
        }
    }
}

/// One message to the worker.
pub(crate) enum Item {
    Metric(Point),
    Param(Param),
    Tag(RunTag),
    /// Send everything before this marker, then answer with the outcome since the last
    /// marker.
    Flush(Sender<Result<()>>),
}

/// The logging side of a run's worker.
pub(crate) struct Batcher {
    run_id: String,
    sender: Sender<Item>,
    worker: JoinHandle<()>,
}

impl Batcher {
    /// Starts the worker thread of `run_id`.
    pub(crate) fn spawn(client: Client, run_id: &str) -> Result<Batcher> {
        let config = client.batch_config().clone();
        let (sender, receiver) = crossbeam_channel::bounded(config.queue_capacity.max(1));
        let worker = Worker {
            client,
            run_id: run_id.to_string(),
            receiver,
            flush_interval: config.flush_interval,
            batch: Batch::default(),
            failure: None,
            lost: 0,
            unreachable: false,
        };
        let handle = std::thread::Builder::new()
            .name(format!(
                "ferroflow-log-{}",
                run_id.chars().take(8).collect::<String>()
            ))
            .spawn(move || worker.run())
            .map_err(|e| Error::io("cannot start the logging thread", e))?;
        Ok(Batcher {
            run_id: run_id.to_string(),
            sender,
            worker: handle,
        })
    }

    /// Enqueues one item, blocking while the queue is full.
    #[inline]
    pub(crate) fn send(&self, item: Item) -> Result<()> {
        self.sender
            .send(item)
            .map_err(|_| Error::WorkerStopped(self.run_id.clone()))
    }

    /// Returns a sender for another producer (the system metrics sampler).
    pub(crate) fn sender(&self) -> Sender<Item> {
        self.sender.clone()
    }

    /// Waits until everything enqueued so far was sent, and returns what failed.
    pub(crate) fn flush(&self) -> Result<()> {
        let (ack, answer) = crossbeam_channel::bounded(1);
        self.send(Item::Flush(ack))?;
        answer
            .recv()
            .map_err(|_| Error::WorkerStopped(self.run_id.clone()))?
    }

    /// Flushes, then stops the worker and waits for its thread.
    pub(crate) fn close(self) -> Result<()> {
        let outcome = self.flush();
        let Batcher {
            run_id,
            sender,
            worker,
        } = self;
        // The worker ends when the last sender is gone; the run stops its other
        // producers (the sampler) before closing.
        drop(sender);
        if worker.join().is_err() {
            return Err(Error::WorkerStopped(run_id));
        }
        outcome
    }
}

/// Items waiting to be sent in one request.
#[derive(Default)]
struct Batch {
    metrics: Vec<Metric>,
    params: Vec<Param>,
    tags: Vec<RunTag>,
}

impl Batch {
    fn len(&self) -> usize {
        self.metrics.len() + self.params.len() + self.tags.len()
    }

    fn is_full(&self) -> bool {
        self.metrics.len() >= MAX_METRICS_PER_BATCH
            || self.params.len() >= MAX_PARAMS_TAGS_PER_BATCH
            || self.tags.len() >= MAX_PARAMS_TAGS_PER_BATCH
            || self.len() >= MAX_ENTITIES_PER_BATCH
    }

    fn clear(&mut self) {
        self.metrics.clear();
        self.params.clear();
        self.tags.clear();
    }

    /// Adds a param; MLflow rejects a batch naming one param twice, and the run
    /// already refused a second value, so a repeat is dropped.
    fn push_param(&mut self, param: Param) {
        if !self.params.iter().any(|p| p.key == param.key) {
            self.params.push(param);
        }
    }

    /// Adds a tag; a later value of the same key replaces the earlier one in place,
    /// which is what sending both in order would leave.
    fn push_tag(&mut self, tag: RunTag) {
        match self.tags.iter_mut().find(|t| t.key == tag.key) {
            Some(existing) => existing.value = tag.value,
            None => self.tags.push(tag),
        }
    }
}

struct Worker {
    client: Client,
    run_id: String,
    receiver: Receiver<Item>,
    flush_interval: Duration,
    batch: Batch,
    /// The first failure since the last flush marker.
    failure: Option<Error>,
    /// Items not stored since the last flush marker.
    lost: u64,
    /// Set when a batch failed for want of a server: later batches are not tried
    /// until the next flush marker.
    unreachable: bool,
}

impl Worker {
    fn run(mut self) {
        let mut deadline: Option<Instant> = None;
        loop {
            let received = match deadline {
                Some(at) => self.receiver.recv_deadline(at),
                None => self
                    .receiver
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(Item::Flush(ack)) => {
                    self.send_batch();
                    deadline = None;
                    // The flusher may have given up waiting; nothing to do then.
                    let _ = ack.send(self.take_outcome());
                    continue;
                }
                Ok(Item::Metric(point)) => self.batch.metrics.push(point.into_metric()),
                Ok(Item::Param(param)) => self.batch.push_param(param),
                Ok(Item::Tag(tag)) => self.batch.push_tag(tag),
                Err(RecvTimeoutError::Timeout) => {
                    self.send_batch();
                    deadline = None;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.send_batch();
                    if let Err(error) = self.take_outcome() {
                        tracing::error!(run_id = %self.run_id, %error, "logged data lost");
                    }
                    return;
                }
            }
            // An item was added: start the clock on its batch, send it when full.
            if deadline.is_none() {
                deadline = Some(Instant::now() + self.flush_interval);
            }
            if self.batch.is_full() {
                self.send_batch();
                deadline = None;
            }
        }
    }

    /// Sends the pending batch, or counts it as lost while the server is unreachable.
    fn send_batch(&mut self) {
        let count = self.batch.len() as u64;
        if count == 0 {
            return;
        }
        if self.unreachable {
            self.lost += count;
            self.batch.clear();
            return;
        }
        let outcome = log_batch_body(
            &self.run_id,
            &self.batch.metrics,
            &self.batch.params,
            &self.batch.tags,
        )
        .and_then(|body| {
            self.client
                .post_bytes::<ferroflow_protocol::messages::Empty>("runs/log-batch", body)
        });
        self.batch.clear();
        if let Err(error) = outcome {
            tracing::warn!(run_id = %self.run_id, %error, "log-batch failed");
            self.unreachable = matches!(
                error,
                Error::Transport { .. }
                    | Error::Api {
                        status: 429 | 500..=599,
                        ..
                    }
            );
            self.lost += count;
            self.failure.get_or_insert(error);
        }
    }

    /// Returns the outcome since the last marker and starts afresh.
    fn take_outcome(&mut self) -> Result<()> {
        self.unreachable = false;
        let lost = std::mem::take(&mut self.lost);
        match self.failure.take() {
            None => Ok(()),
            Some(cause) => Err(Error::Logging {
                run_id: self.run_id.clone(),
                lost,
                cause: Box::new(cause),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> RunTag {
        RunTag {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn batches_fill_at_mlflow_limits() {
        let mut batch = Batch::default();
        for i in 0..MAX_PARAMS_TAGS_PER_BATCH {
            assert!(!batch.is_full());
            batch.push_tag(tag(&format!("t{i}"), "v"));
        }
        assert!(batch.is_full());
        batch.clear();
        for step in 0..MAX_METRICS_PER_BATCH as i64 {
            assert!(!batch.is_full());
            batch.metrics.push(Metric {
                key: "m".into(),
                value: 1.0,
                timestamp: 0,
                step,
            });
        }
        assert!(batch.is_full());
    }

    #[test]
    fn points_keep_short_and_long_keys() {
        for key in ["loss", "système/é", &"k".repeat(30), &"long".repeat(20)] {
            let metric = Point::new(key, 0.5, 3, 7).into_metric();
            assert_eq!(
                metric,
                Metric {
                    key: key.to_string(),
                    value: 0.5,
                    timestamp: 7,
                    step: 3
                }
            );
        }
    }

    #[test]
    fn repeated_keys_collapse_within_a_batch() {
        let mut batch = Batch::default();
        batch.push_tag(tag("a", "1"));
        batch.push_tag(tag("b", "1"));
        batch.push_tag(tag("a", "2"));
        assert_eq!(batch.tags, [tag("a", "2"), tag("b", "1")]);
        let param = Param {
            key: "lr".into(),
            value: "0.1".into(),
        };
        batch.push_param(param.clone());
        batch.push_param(param.clone());
        assert_eq!(batch.params, [param]);
    }
}
