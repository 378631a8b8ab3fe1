//! When and how long to retry a request.
//!
//! Mirrors MLflow's Python client (`mlflow/utils/rest_utils.py`, which retries through
//! urllib3 with exponential backoff): connection failures, 429 and 5xx are retried with
//! exponentially growing pauses; any other 4xx is the caller's mistake and fails at
//! once. Retrying writes is safe for what the SDK sends repeatedly: log-batch carries
//! timestamps fixed when the point was logged, so a retried batch is byte-identical and
//! the server's primary key on `(run, key, step, timestamp, value)` absorbs the
//! duplicate; params accept the same value again; tags are last-writer-wins.

use std::time::Duration;

/// How often and how patiently a request is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// Pause after the first failure; doubled after each further failure.
    pub initial_backoff: Duration,
    /// Longest pause between two tries.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Eight tries over about 25 seconds (0.2 s, 0.4 s, ... capped at 10 s), long
    /// enough to ride out a server restart.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Returns a policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Returns the pause after failed try number `attempt` (1-based), honouring a
    /// server's `Retry-After` when it asks for longer, within `max_backoff`.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        let exponential = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        match retry_after {
            Some(asked) => asked.max(exponential).min(self.max_backoff),
            None => exponential,
        }
    }

    /// Returns whether a try that failed as `failure` should be followed by another.
    pub(crate) fn should_retry(&self, attempt: u32, failure: Failure) -> bool {
        attempt < self.max_attempts && failure.is_retryable()
    }
}

/// How one try of a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No HTTP answer: refused, reset, timed out.
    Transport,
    /// The server answered this non-2xx status.
    Status(u16),
}

impl Failure {
    fn is_retryable(self) -> bool {
        match self {
            Failure::Transport => true,
            Failure::Status(status) => status == 429 || (500..600).contains(&status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
        };
        let pauses: Vec<u128> = (1..=5)
            .map(|a| policy.backoff(a, None).as_millis())
            .collect();
        assert_eq!(pauses, [100, 200, 400, 500, 500]);
        assert_eq!(
            policy.backoff(1, Some(Duration::from_millis(300))),
            Duration::from_millis(300)
        );
        assert_eq!(
            policy.backoff(1, Some(Duration::from_secs(60))),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn only_transport_errors_429_and_5xx_are_retried() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(1, Failure::Transport));
        assert!(policy.should_retry(1, Failure::Status(429)));
        assert!(policy.should_retry(1, Failure::Status(503)));
        assert!(!policy.should_retry(1, Failure::Status(400)));
        assert!(!policy.should_retry(1, Failure::Status(404)));
        assert!(!policy.should_retry(policy.max_attempts, Failure::Transport));
        assert!(!RetryPolicy::none().should_retry(1, Failure::Status(500)));
    }
}
