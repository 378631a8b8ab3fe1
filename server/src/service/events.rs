//! Live updates for the dashboard: writes publish what changed (a run's info, new
//! metric points) on an in-process broadcast channel that `GET .../ferroflow/events`
//! streams as Server-Sent Events.
//!
//! Publishing costs one atomic load when nobody watches: events are only built while a
//! dashboard is subscribed. A slow subscriber that falls more than [`CAPACITY`] events
//! behind skips ahead (it is told, and reloads), so ingest never waits on a browser.
//! Events are local to one server process; replicas behind a load balancer each stream
//! their own writes (a shared channel, e.g. PostgreSQL `LISTEN/NOTIFY`, would lift that).

use std::sync::Arc;

use ferroflow_protocol::{Metric, RunInfo};
use tokio::sync::broadcast;

/// Events a subscriber may lag behind before it skips ahead.
const CAPACITY: usize = 4096;

/// Something a dashboard showing a run should learn without reloading.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    /// A run was created, or its status, name, end time or lifecycle stage changed.
    Run(RunInfo),
    /// New points were logged to a run.
    Metrics {
        /// The run written to.
        run_id: String,
        /// The points, in the order they were logged.
        metrics: Vec<Metric>,
    },
}

/// The broadcast channel of [`LiveEvent`]s.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<LiveEvent>>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl EventBus {
    /// Returns whether anybody listens, so callers can skip building an event.
    pub fn has_subscribers(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Publishes `event` to current subscribers (none is fine).
    pub fn publish(&self, event: LiveEvent) {
        // An error only means there is no subscriber right now.
        let _ = self.sender.send(Arc::new(event));
    }

    /// Returns a receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_receive_events_in_order() {
        let bus = EventBus::default();
        assert!(!bus.has_subscribers());
        let mut rx = bus.subscribe();
        assert!(bus.has_subscribers());
        for step in 0..3 {
            bus.publish(LiveEvent::Metrics {
                run_id: "r".into(),
                metrics: vec![Metric {
                    key: "loss".into(),
                    value: 1.0,
                    timestamp: 0,
                    step,
                }],
            });
        }
        for step in 0..3 {
            match &*rx.recv().await.unwrap() {
                LiveEvent::Metrics { metrics, .. } => assert_eq!(metrics[0].step, step),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
