//! Logging cost, measured end to end against real servers.
//!
//! 1. `log_metric` on the caller's thread (ns/call): 1,000,000 calls into a queue large
//!    enough that back-pressure never blocks, so only the enqueue is timed.
//! 2. 1,000,000 points logged and flushed with the default configuration (points/s):
//!    from the first call until `flush()` returns, every point acknowledged.
//!
//! Against ferroflow on SQLite, started in-process; and against `mlflow server` when
//! `FERROFLOW_MLFLOW_PYTHON` names a Python with mlflow installed (fewer points there:
//! `FERROFLOW_BENCH_MLFLOW_POINTS`, default 100,000).
//!
//! ```sh
//! cargo bench -p ferroflow-sdk --bench logging
//! ```

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferroflow_sdk::{BatchConfig, ClientBuilder, RunStatus, StartRun};

const POINTS: i64 = 1_000_000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let store_uri = format!("sqlite:///{}", dir.path().join("mlflow.db").display());
    let artifacts = dir.path().join("artifacts").display().to_string();
    let uri = runtime.block_on(async {
        let store = ferroflow_server::server::open_store(&store_uri, &artifacts, 4)
            .await
            .expect("open store");
        let app = ferroflow_server::app(ferroflow_server::AppState::new(Arc::new(store)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}")
    });
    println!("ferroflow (SQLite, in-process)");
    bench_server(&uri, POINTS);

    if let Ok(python) = std::env::var("FERROFLOW_MLFLOW_PYTHON") {
        let points = std::env::var("FERROFLOW_BENCH_MLFLOW_POINTS")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(100_000);
        let (mut child, uri, _dir) = start_mlflow(&python);
        println!("mlflow server (SQLite, 1 worker)");
        bench_server(&uri, points);
        let group = format!("-{}", child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = child.wait();
    } else {
        println!("mlflow server: skipped (set FERROFLOW_MLFLOW_PYTHON)");
    }
}

fn bench_server(uri: &str, points: i64) {
    // 1. Caller cost: the queue holds every point, so no call waits for the server.
    let client = ClientBuilder::new(uri)
        .batching(BatchConfig {
            queue_capacity: points as usize + 1,
            ..BatchConfig::default()
        })
        .build()
        .expect("client");
    let run = client
        .start_run(StartRun::new().experiment_name("bench"))
        .expect("start run");
    let started = Instant::now();
    for step in 0..points {
        run.log_metric("loss", step as f64, step).expect("log");
    }
    let enqueue = started.elapsed();
    run.flush().expect("flush");
    let drained = started.elapsed();
    run.end(RunStatus::Finished).expect("end");
    println!(
        "  log_metric on the caller's thread: {:.0} ns/call ({} calls, queue never full)",
        enqueue.as_nanos() as f64 / points as f64,
        points
    );
    println!(
        "  same run, until flush() returned: {:.0} points/s",
        points as f64 / drained.as_secs_f64()
    );

    // 2. End to end with the default configuration (100,000-item queue, so the caller
    //    feels back-pressure whenever the server is slower than the loop).
    let client = ClientBuilder::new(uri).build().expect("client");
    let run = client
        .start_run(StartRun::new().experiment_name("bench"))
        .expect("start run");
    let started = Instant::now();
    for step in 0..points {
        run.log_metric("loss", step as f64, step).expect("log");
    }
    run.flush().expect("flush");
    let elapsed = started.elapsed();
    let run_id = run.run_id().to_string();
    run.end(RunStatus::Finished).expect("end");
    let stored = client.get_metric_history(&run_id, "loss").expect("history");
    assert_eq!(stored.len() as i64, points, "every point stored once");
    println!(
        "  {points} points logged and flushed, default config: {:.0} points/s ({:.2} s)",
        points as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}

fn start_mlflow(python: &str) -> (Child, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = Command::new(python)
        .args(["-m", "mlflow", "server", "--backend-store-uri"])
        .arg(format!("sqlite:///{}", dir.path().join("m.db").display()))
        .arg("--default-artifact-root")
        .arg(dir.path().join("a"))
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--workers",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group, so its uvicorn and job workers die with it.
        .process_group(0)
        .spawn()
        .expect("start mlflow server");
    let uri = format!("http://127.0.0.1:{port}");
    let http = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !http
        .get(format!("{uri}/health"))
        .send()
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(Instant::now() < deadline, "mlflow server did not start");
        std::thread::sleep(Duration::from_millis(500));
    }
    (child, uri, dir)
}
