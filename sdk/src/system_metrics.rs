//! System metrics sampled while a run is active, named as MLflow's
//! `mlflow/system_metrics` monitors name them: `system/cpu_utilization_percentage`,
//! `system/system_memory_usage_megabytes`, `system/system_memory_usage_percentage`,
//! `system/network_receive_megabytes`, `system/network_transmit_megabytes` (bytes
//! since the sampler started, as MLflow's `NetworkMonitor`). Values come from Linux's
//! `/proc`; elsewhere, or where a file is unreadable, that metric is not logged. Each
//! sample is one step, counted from 0 as MLflow does.

use std::thread::JoinHandle;
use std::time::Duration;

use crate::batcher::{Item, Point};
use crate::client::now_millis;
use crate::error::{Error, Result};
use crossbeam_channel::{RecvTimeoutError, Sender};

/// CPU busy share since the previous sample, percent.
pub const CPU_UTILIZATION: &str = "system/cpu_utilization_percentage";
/// Memory in use (total minus available), megabytes (10^6 bytes, as MLflow).
pub const MEMORY_USAGE_MEGABYTES: &str = "system/system_memory_usage_megabytes";
/// Memory in use, percent of total.
pub const MEMORY_USAGE_PERCENTAGE: &str = "system/system_memory_usage_percentage";
/// Bytes received on all non-loopback interfaces since sampling began, megabytes.
pub const NETWORK_RECEIVE_MEGABYTES: &str = "system/network_receive_megabytes";
/// Bytes sent on all non-loopback interfaces since sampling began, megabytes.
pub const NETWORK_TRANSMIT_MEGABYTES: &str = "system/network_transmit_megabytes";

/// The sampling thread of one run.
pub(crate) struct SystemMetricsSampler {
    stop: Sender<()>,
    handle: JoinHandle<()>,
}

impl SystemMetricsSampler {
    /// Starts sampling every `interval` into the run's queue.
    pub(crate) fn start(queue: Sender<Item>, interval: Duration) -> Result<Self> {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(1);
        let handle = std::thread::Builder::new()
            .name("ferroflow-system-metrics".into())
            .spawn(move || {
                let mut previous_cpu = read("/proc/stat").and_then(|t| parse_cpu(&t));
                let network_start = read("/proc/net/dev").and_then(|t| parse_network(&t));
                let mut step = 0;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                    let cpu = read("/proc/stat").and_then(|t| parse_cpu(&t));
                    let mut values = Vec::new();
                    if let (Some(before), Some(now)) = (previous_cpu, cpu) {
                        values.extend(cpu_percentage(before, now).map(|v| (CPU_UTILIZATION, v)));
                    }
                    previous_cpu = cpu;
                    if let Some((total_kb, available_kb)) =
                        read("/proc/meminfo").and_then(|t| parse_memory(&t))
                    {
                        let used_kb = total_kb.saturating_sub(available_kb) as f64;
                        values.push((MEMORY_USAGE_MEGABYTES, used_kb * 1024.0 / 1e6));
                        values.push((
                            MEMORY_USAGE_PERCENTAGE,
                            100.0 * used_kb / total_kb.max(1) as f64,
                        ));
                    }
                    if let (Some((rx0, tx0)), Some((rx, tx))) = (
                        network_start,
                        read("/proc/net/dev").and_then(|t| parse_network(&t)),
                    ) {
                        values.push((
                            NETWORK_RECEIVE_MEGABYTES,
                            rx.saturating_sub(rx0) as f64 / 1e6,
                        ));
                        values.push((
                            NETWORK_TRANSMIT_MEGABYTES,
                            tx.saturating_sub(tx0) as f64 / 1e6,
                        ));
                    }
                    let timestamp = now_millis();
                    for (key, value) in values {
                        let point = Point::new(key, value, step, timestamp);
                        if queue.send(Item::Metric(point)).is_err() {
                            return;
                        }
                    }
                    step += 1;
                }
            })
            .map_err(|e| Error::io("cannot start the system metrics thread", e))?;
        Ok(SystemMetricsSampler { stop, handle })
    }

    /// Stops sampling and waits for the thread, so no sample follows.
    pub(crate) fn stop(self) {
        // A full or closed channel both mean the thread is already stopping.
        let _ = self.stop.try_send(());
        if self.handle.join().is_err() {
            tracing::warn!("system metrics sampler panicked");
        }
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Busy and total jiffies from the aggregate `cpu` line of `/proc/stat`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct CpuTimes {
    busy: u64,
    total: u64,
}

fn parse_cpu(stat: &str) -> Option<CpuTimes> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    let total: u64 = fields.iter().take(8).sum();
    Some(CpuTimes {
        busy: total.saturating_sub(idle),
        total,
    })
}

fn cpu_percentage(before: CpuTimes, now: CpuTimes) -> Option<f64> {
    let total = now.total.checked_sub(before.total)?;
    let busy = now.busy.checked_sub(before.busy)?;
    (total > 0).then(|| 100.0 * busy as f64 / total as f64)
}

/// `MemTotal` and `MemAvailable` of `/proc/meminfo`, in kB.
fn parse_memory(meminfo: &str) -> Option<(u64, u64)> {
    let field = |name: &str| {
        meminfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("MemTotal:")?, field("MemAvailable:")?))
}

/// Received and transmitted bytes over all interfaces but loopback, from
/// `/proc/net/dev`.
fn parse_network(dev: &str) -> Option<(u64, u64)> {
    let mut totals = None;
    for line in dev.lines().skip(2) {
        let Some((name, counters)) = line.split_once(':') else {
            continue;
        };
        if name.trim() == "lo" {
            continue;
        }
        let fields: Vec<u64> = counters
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        if let (Some(rx), Some(tx)) = (fields.first(), fields.get(8)) {
            let (r, t) = totals.unwrap_or((0, 0));
            totals = Some((r + rx, t + tx));
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_utilization_is_the_busy_share_between_samples() {
        let before = parse_cpu("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n").unwrap();
        let after = parse_cpu("cpu  200 0 200 1300 200 0 0 0 0 0\n").unwrap();
        // 200 busy jiffies of 900 elapsed.
        let share = cpu_percentage(before, after).unwrap();
        assert!((share - 200.0 / 900.0 * 100.0).abs() < 1e-9, "{share}");
        assert_eq!(cpu_percentage(after, after), None);
    }

    #[test]
    fn memory_and_network_parse_from_proc() {
        let meminfo = "MemTotal:       16000000 kB\nMemFree:  1 kB\nMemAvailable:    4000000 kB\n";
        assert_eq!(parse_memory(meminfo), Some((16_000_000, 4_000_000)));
        let dev = "Inter-|   Receive  |  Transmit\n face |bytes packets|bytes\n    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n  eth0: 1000 5 0 0 0 0 0 0 2000 6 0 0 0 0 0 0\n  eth1: 10 1 0 0 0 0 0 0 20 1 0 0 0 0 0 0\n";
        assert_eq!(parse_network(dev), Some((1010, 2020)));
    }
}
