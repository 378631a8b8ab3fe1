//! The SDK against MLflow's own server (`mlflow server` from PyPI), proving it speaks
//! MLflow's protocol and not only ferroflow's. The Python interpreter comes from
//! `FERROFLOW_MLFLOW_PYTHON` (a venv with mlflow installed); without it the test says
//! so and passes. Artifacts go through MLflow's proxy (`--artifacts-destination`), so
//! this also covers the `mlflow-artifacts:/` code path.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ferroflow_sdk::{ClientBuilder, RetryPolicy, RunStatus, StartRun};

/// A running `mlflow server` in its own process group, killed with it on drop:
/// MLflow 3 starts uvicorn and job-queue workers (which ignore SIGTERM) as children,
/// and killing only the launcher would leave them running.
struct MlflowServer {
    child: Child,
    uri: String,
    _dir: tempfile::TempDir,
}

impl Drop for MlflowServer {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn start_mlflow(python: &str) -> MlflowServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let child = Command::new(python)
        .args(["-m", "mlflow", "server", "--backend-store-uri"])
        .arg(format!("sqlite:///{}", dir.path().join("m.db").display()))
        .arg("--artifacts-destination")
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
        .process_group(0)
        .spawn()
        .expect("start mlflow server");
    let server = MlflowServer {
        child,
        uri: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    // MLflow takes tens of seconds to import and migrate its database.
    let http = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let healthy = http
            .get(format!("{}/health", server.uri))
            .send()
            .is_ok_and(|r| r.status().is_success());
        if healthy {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "mlflow server did not start in 120 s"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn sdk_speaks_mlflow_protocol() {
    let Ok(python) = std::env::var("FERROFLOW_MLFLOW_PYTHON") else {
        eprintln!("skipped: set FERROFLOW_MLFLOW_PYTHON to a Python with mlflow installed");
        return;
    };
    let server = start_mlflow(&python);
    let client = ClientBuilder::new(&server.uri)
        .retry(RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        })
        .build()
        .unwrap();

    let experiment_id = client.get_or_create_experiment("sdk-compat").unwrap();
    assert_eq!(
        client.get_or_create_experiment("sdk-compat").unwrap(),
        experiment_id
    );
    let parent = client
        .start_run(
            StartRun::new()
                .experiment_name("sdk-compat")
                .run_name("parent")
                .tag("team", "vision"),
        )
        .unwrap();
    let run = client
        .start_run(
            StartRun::new()
                .experiment_id(&experiment_id)
                .run_name("child")
                .parent_run_id(parent.run_id()),
        )
        .unwrap();
    assert!(
        run.info().artifact_uri.starts_with("mlflow-artifacts:/"),
        "{}",
        run.info().artifact_uri
    );
    run.log_params((0..150).map(|i| (format!("p{i}"), i)))
        .unwrap();
    run.log_param("lr", "0.1").unwrap();
    for step in 0..2500 {
        run.log_metric("loss", 1.0 / (step as f64 + 1.0), step)
            .unwrap();
    }
    run.log_metric("nan", f64::NAN, 0).unwrap();
    run.set_tag("phase", "a").unwrap();
    run.set_tag("phase", "b").unwrap();
    run.log_text("hello", "notes/hello.txt").unwrap();
    let source = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(source.path().join("model")).unwrap();
    std::fs::write(source.path().join("model/w.bin"), [7u8; 10]).unwrap();
    run.log_artifact(source.path().join("model"), None).unwrap();
    let run_id = run.run_id().to_string();
    run.end(RunStatus::Finished).unwrap();
    parent.end(RunStatus::Finished).unwrap();

    let stored = client.get_run(&run_id).unwrap();
    assert_eq!(stored.info.status, RunStatus::Finished);
    assert_eq!(stored.data.params.len(), 151);
    assert!(stored
        .data
        .tags
        .iter()
        .any(|t| t.key == "phase" && t.value == "b"));
    let history = client.get_metric_history(&run_id, "loss").unwrap();
    assert_eq!(history.len(), 2500);
    assert!(client.get_metric_history(&run_id, "nan").unwrap()[0]
        .value
        .is_nan());

    let found = client
        .search_all_runs(
            &[&experiment_id],
            "params.lr = '0.1' and metrics.loss < 0.01",
        )
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].info.run_id, run_id);

    let listed: Vec<String> = client
        .list_artifacts(&run_id, None)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(listed, ["model", "notes"]);
    let model = client.list_artifacts(&run_id, Some("model")).unwrap();
    assert_eq!(model[0].path, "model/w.bin");
    assert_eq!(model[0].file_size, Some(10));
    let destination = tempfile::tempdir().unwrap();
    let notes = client
        .download_artifacts(&run_id, "notes", destination.path())
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(notes.join("hello.txt")).unwrap(),
        "hello"
    );

    let missing = client.get_run(&"0".repeat(32)).unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
}
