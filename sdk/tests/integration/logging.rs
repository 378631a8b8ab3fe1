//! The run guard and its background batching: limits, order, flush, end, drop.

use std::collections::BTreeSet;
use std::time::Duration;

use ferroflow_sdk::{BatchConfig, RunStatus, StartRun, FERROFLOW_ERROR};

use crate::common::{store_tests, TestServer};

store_tests!(
    batches_respect_mlflow_limits_and_keep_everything,
    flush_waits_for_acknowledgement,
    drop_ends_finished_and_panic_ends_failed,
    fail_records_the_error,
    system_metrics_are_sampled,
    logging_from_many_threads,
);

fn batches_respect_mlflow_limits_and_keep_everything(server: &mut TestServer) {
    let client = server.client();
    let run = client
        .start_run(
            StartRun::new()
                .experiment_name("limits")
                .run_name("big")
                .tag("team", "vision"),
        )
        .unwrap();
    assert_eq!(run.info().run_id.len(), 32);
    // 2500 points of one key and 250 params: several batches of each limit.
    for step in 0..2500 {
        run.log_metric("loss", 1.0 / (step as f64 + 1.0), step)
            .unwrap();
    }
    run.log_params((0..250).map(|i| (format!("p{i}"), i)))
        .unwrap();
    run.log_metrics(&[("acc", 0.5), ("val/acc", 0.4)], 7)
        .unwrap();
    for value in ["a", "b", "c"] {
        run.set_tag("phase", value).unwrap();
    }
    let run_id = run.run_id().to_string();
    run.end(RunStatus::Finished).unwrap();

    let stored = client.get_run(&run_id).unwrap();
    assert_eq!(stored.info.status, RunStatus::Finished);
    assert_eq!(stored.info.run_name, "big");
    assert!(stored.info.end_time.is_some());
    assert_eq!(stored.data.params.len(), 250);
    let tag = |key: &str| {
        stored
            .data
            .tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.clone())
    };
    assert_eq!(tag("phase").as_deref(), Some("c"));
    assert_eq!(tag("team").as_deref(), Some("vision"));
    assert_eq!(tag("mlflow.source.type").as_deref(), Some("LOCAL"));
    let history = client.get_metric_history(&run_id, "loss").unwrap();
    let steps: Vec<i64> = history.iter().map(|m| m.step).collect();
    assert_eq!(steps, (0..2500).collect::<Vec<_>>());
    assert_eq!(history[9].value, 0.1);
    let acc = client.get_metric_history(&run_id, "val/acc").unwrap();
    assert_eq!((acc[0].step, acc[0].value), (7, 0.4));
}

fn flush_waits_for_acknowledgement(server: &mut TestServer) {
    // A flush interval far longer than the test: only flush() can send.
    let client = server
        .client_builder()
        .batching(BatchConfig {
            queue_capacity: 1000,
            flush_interval: Duration::from_secs(3600),
        })
        .build()
        .unwrap();
    let run = client.start_run(StartRun::new()).unwrap();
    for step in 0..10 {
        run.log_metric("loss", step as f64, step).unwrap();
    }
    run.flush().unwrap();
    assert_eq!(
        client
            .get_metric_history(run.run_id(), "loss")
            .unwrap()
            .len(),
        10
    );
    // 5000 points through a 1000-item queue: logging blocks while the worker catches
    // up, and loses nothing.
    for step in 10..5010 {
        run.log_metric("loss", step as f64, step).unwrap();
    }
    run.flush().unwrap();
    assert_eq!(
        client
            .get_metric_history(run.run_id(), "loss")
            .unwrap()
            .len(),
        5010
    );
    assert_eq!(
        client.get_run(run.run_id()).unwrap().info.status,
        RunStatus::Running
    );
    run.end(RunStatus::Killed).unwrap();
}

fn drop_ends_finished_and_panic_ends_failed(server: &mut TestServer) {
    let client = server.client();
    let run = client.start_run(StartRun::new()).unwrap();
    let finished_id = run.run_id().to_string();
    run.log_metric("loss", 1.0, 0).unwrap();
    drop(run);
    let finished = client.get_run(&finished_id).unwrap();
    assert_eq!(finished.info.status, RunStatus::Finished);
    assert_eq!(finished.data.metrics.len(), 1);

    let (sender, receiver) = std::sync::mpsc::channel();
    let panicking_client = client.clone();
    let outcome = std::thread::spawn(move || {
        let run = panicking_client.start_run(StartRun::new()).unwrap();
        sender.send(run.run_id().to_string()).unwrap();
        run.log_metric("loss", 2.0, 0).unwrap();
        panic!("training diverged");
    })
    .join();
    assert!(outcome.is_err());
    let failed = client.get_run(&receiver.recv().unwrap()).unwrap();
    assert_eq!(failed.info.status, RunStatus::Failed);
    assert_eq!(failed.data.metrics.len(), 1);
}

fn fail_records_the_error(server: &mut TestServer) {
    let client = server.client();
    let run = client.start_run(StartRun::new()).unwrap();
    let run_id = run.run_id().to_string();
    let error = std::io::Error::other("loss is NaN at step 12");
    run.fail(&error).unwrap();
    let stored = client.get_run(&run_id).unwrap();
    assert_eq!(stored.info.status, RunStatus::Failed);
    assert!(stored
        .data
        .tags
        .iter()
        .any(|t| t.key == FERROFLOW_ERROR && t.value == "loss is NaN at step 12"));
    let artifacts = client.list_artifacts(&run_id, None).unwrap();
    assert_eq!(artifacts[0].path, "error.txt");
}

fn system_metrics_are_sampled(server: &mut TestServer) {
    let client = server.client();
    let run = client
        .start_run(StartRun::new().system_metrics(Duration::from_millis(50)))
        .unwrap();
    let run_id = run.run_id().to_string();
    // Wait for samples by polling what the server stored, not by a fixed sleep.
    let mut stored = Vec::new();
    for _ in 0..200 {
        run.flush().unwrap();
        stored = client
            .get_metric_history(
                &run_id,
                ferroflow_sdk::system_metrics::MEMORY_USAGE_MEGABYTES,
            )
            .unwrap();
        if stored.len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    run.end(RunStatus::Finished).unwrap();
    assert!(stored.len() >= 2, "{stored:?}");
    assert_eq!((stored[0].step, stored[1].step), (0, 1));
    assert!(stored[0].value > 0.0);
    let keys: BTreeSet<String> = client
        .get_run(&run_id)
        .unwrap()
        .data
        .metrics
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert!(
        keys.contains("system/cpu_utilization_percentage"),
        "{keys:?}"
    );
    assert!(
        keys.contains("system/system_memory_usage_percentage"),
        "{keys:?}"
    );
}

fn logging_from_many_threads(server: &mut TestServer) {
    let client = server.client();
    let run = client.start_run(StartRun::new()).unwrap();
    std::thread::scope(|scope| {
        for worker in 0..4 {
            let run = &run;
            scope.spawn(move || {
                for step in 0..1000 {
                    run.log_metric(&format!("worker{worker}/loss"), 1.0, step)
                        .unwrap();
                }
            });
        }
    });
    run.flush().unwrap();
    for worker in 0..4 {
        let history = client
            .get_metric_history(run.run_id(), &format!("worker{worker}/loss"))
            .unwrap();
        assert_eq!(history.len(), 1000);
    }
    run.end(RunStatus::Finished).unwrap();
}
