//! Faults: the server crashes and comes back while a run logs; the server is gone.

use std::collections::HashSet;
use std::time::Duration;

use ferroflow_sdk::{Error, RetryPolicy, RunStatus, StartRun};

use crate::common::{store_tests, TestServer};

store_tests!(
    restart_while_logging_keeps_every_point_once,
    dead_server_gives_a_clear_error,
);

fn restart_while_logging_keeps_every_point_once(server: &mut TestServer) {
    let client = server.client();
    let run = client.start_run(StartRun::new()).unwrap();
    let run_id = run.run_id().to_string();
    const POINTS: i64 = 30_000;
    std::thread::scope(|scope| {
        // Crash with batches in flight (some may be stored without their answer
        // reaching the client, and are sent again), stay down, come back.
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            server.stop();
            std::thread::sleep(Duration::from_millis(300));
            server.restart();
        });
        // About a second of logging around the outage; while the server is down the
        // queue fills and logging blocks, as back-pressure should.
        for step in 0..POINTS {
            run.log_metric("loss", step as f64 * 0.5, step).unwrap();
            if step % 100 == 0 {
                std::thread::sleep(Duration::from_millis(3));
            }
        }
    });
    run.flush().unwrap();
    let history = client.get_metric_history(&run_id, "loss").unwrap();
    let distinct: HashSet<i64> = history.iter().map(|m| m.step).collect();
    assert_eq!(distinct.len() as i64, POINTS, "every point stored");
    assert_eq!(history.len() as i64, POINTS, "no point stored twice");
    run.end(RunStatus::Finished).unwrap();
    assert_eq!(
        client.get_run(&run_id).unwrap().info.status,
        RunStatus::Finished
    );
}

fn dead_server_gives_a_clear_error(server: &mut TestServer) {
    let client = server
        .client_builder()
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        })
        .build()
        .unwrap();
    let run = client.start_run(StartRun::new()).unwrap();
    server.stop();
    for step in 0..5000 {
        run.log_metric("loss", 1.0, step).unwrap();
    }
    let error = run.flush().unwrap_err();
    match &error {
        Error::Logging { lost, cause, .. } => {
            assert_eq!(*lost, 5000);
            assert!(
                matches!(**cause, Error::Transport { attempts: 3, .. }),
                "{cause:?}"
            );
        }
        other => panic!("expected a logging error, got {other:?}"),
    }
    assert!(error.to_string().contains("unreachable"), "{error}");
    let ended = run.end(RunStatus::Finished).unwrap_err();
    assert!(matches!(ended, Error::Transport { .. }), "{ended:?}");
}
