//! End-to-end tests of `ferroflow train`'s jobs: a real `ferroflow server` on a
//! temporary SQLite database, each job run for 2 epochs on a few rows with
//! autologging, and the run read back over REST through the SDK: params, metric
//! history (one point per epoch), artifacts (the downloaded model predicts exactly
//! as the trained one), status FINISHED. A job pointed at a missing file fails with
//! a one-line error and a FAILED run.

use ferroflow_sdk::{Client, RunStatus, StartRun};
use ferroflow_trainer::jobs::{self, JobKind, JobOptions, JobReport, SeriesModel, TrackingTarget};
use ferroflow_trainer::nn::Sequential;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `ferroflow server` child process on a free port, killed on drop.
struct Server {
    child: Child,
    uri: String,
    dir: PathBuf,
}

impl Server {
    fn start(name: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("ferroflow-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_ferroflow"))
            .args(["server", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--backend-store-uri")
            .arg(format!("sqlite:///{}", dir.join("mlflow.db").display()))
            .arg("--artifacts-destination")
            .arg(dir.join("artifacts"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let uri = format!("http://127.0.0.1:{port}");
        let mut server = Server { child, uri, dir };
        for _ in 0..200 {
            if reqwest::blocking::get(format!("{}/health", server.uri))
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "the server exited"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not answer /health");
    }

    fn client(&self) -> Client {
        Client::new(&self.uri).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn shared_data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(file)
}

/// Runs `kind` with 2 epochs against `server` and checks the recorded run.
fn run_and_check(
    server: &Server,
    kind: JobKind,
    options: JobOptions,
    epoch_metrics: &[&str],
) -> JobReport {
    let client = server.client();
    let target = TrackingTarget {
        client: client.clone(),
        start: StartRun::new().experiment_name(format!("e2e-{kind}")),
    };
    let mut report = jobs::run(kind, &options, Some(target)).unwrap();
    let run_id = report
        .run_id
        .clone()
        .expect("a tracked job returns its run id");
    let run = client.get_run(&run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);

    let param = |key: &str| {
        run.data
            .params
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.clone())
            .unwrap_or_else(|| panic!("param {key} missing"))
    };
    assert_eq!(param("epochs"), "2");
    assert_eq!(param("batch_size"), "32");
    assert_eq!(param("seed"), "42");
    assert_eq!(param("shuffle"), "true");
    assert_eq!(param("opt_name"), "adam");
    assert_eq!(param("opt_learning_rate"), "0.001");
    assert_eq!(
        param("num_layers"),
        report.model.layer_names().len().to_string()
    );
    assert_eq!(
        param("total_params"),
        report.model.count_params().to_string()
    );
    assert!(!param("loss").is_empty() && !param("dataset_digest").is_empty());
    let tag = |key: &str| {
        run.data
            .tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.clone())
    };
    assert_eq!(tag("job").as_deref(), Some(kind.name()));
    assert!(tag("mlflow.source.name").is_some() && tag("mlflow.user").is_some());
    let dataset = if options.data.is_none() {
        Some("synthetic")
    } else {
        None
    };
    if let Some(expected) = dataset {
        assert_eq!(tag("dataset").as_deref(), Some(expected));
    }
    let inputs = run.inputs.dataset_inputs;
    assert_eq!(inputs.len(), 1, "one dataset recorded through log-inputs");

    for key in epoch_metrics {
        let history = client.get_metric_history(&run_id, key).unwrap();
        let steps: Vec<i64> = history.iter().map(|m| m.step).collect();
        assert_eq!(steps, [0, 1], "metric {key}: one point per epoch");
    }
    for (key, value) in &report.metrics {
        let history = client.get_metric_history(&run_id, key).unwrap();
        assert_eq!(history.len(), 1, "final metric {key}");
        assert!((history[0].value - value).abs() < 1e-9 || value.is_nan());
    }

    let listed: Vec<String> = client
        .list_artifacts(&run_id, None)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    for expected in ["model", "model_summary.txt", "training_curves.png"] {
        assert!(
            listed.iter().any(|p| p == expected),
            "artifact {expected} in {listed:?}"
        );
    }
    let download = server.dir.join(format!("download-{run_id}"));
    std::fs::create_dir_all(&download).unwrap();
    let model_dir = client
        .download_artifacts(&run_id, "model", &download)
        .unwrap();
    for file in ["model.safetensors", "architecture.json", "MLmodel"] {
        assert!(model_dir.join(file).is_file(), "model/{file}");
    }
    let mut loaded = Sequential::<f32>::load(&model_dir).unwrap();
    let expected = report.model.predict(&report.sample_inputs, 16).unwrap();
    assert_eq!(loaded.predict(&report.sample_inputs, 16).unwrap(), expected);
    let summary = client
        .download_artifacts(&run_id, "model_summary.txt", &download)
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(summary).unwrap(),
        report.model.summary().to_string()
    );
    let curves = client
        .download_artifacts(&run_id, "training_curves.png", &download)
        .unwrap();
    assert_eq!(&std::fs::read(curves).unwrap()[1..4], b"PNG");
    report
}

/// Registers the run's `model/` artifact in the model registry, as a user promoting a
/// trained model would, and downloads its weights back through the version.
fn register_the_model(server: &Server, run_id: &str) {
    let http = reqwest::blocking::Client::new();
    let call = |path: &str, body: serde_json::Value| -> serde_json::Value {
        let response = http
            .post(format!("{}/api/2.0/mlflow/{path}", server.uri))
            .json(&body)
            .send()
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.text().unwrap()
        );
        response.json().unwrap()
    };
    let run = server.client().get_run(run_id).unwrap();
    let source = format!("{}/model", run.info.artifact_uri);
    call(
        "registered-models/create",
        serde_json::json!({"name": "airline-dnn"}),
    );
    let version = call(
        "model-versions/create",
        serde_json::json!({"name": "airline-dnn", "source": source, "run_id": run_id}),
    );
    assert_eq!(version["model_version"]["status"], "READY");
    call(
        "registered-models/alias",
        serde_json::json!({"name": "airline-dnn", "alias": "champion", "version": "1"}),
    );
    let weights = http
        .get(format!("{}/model-versions/get-artifact", server.uri))
        .query(&[
            ("name", "airline-dnn"),
            ("version", "1"),
            ("path", "model.safetensors"),
        ])
        .send()
        .unwrap();
    assert!(weights.status().is_success());
    let download = server.dir.join(format!("download-{run_id}"));
    let logged = std::fs::read(download.join("model").join("model.safetensors")).unwrap();
    assert_eq!(weights.bytes().unwrap().as_ref(), logged.as_slice());
}

#[test]
fn airline_job_is_autologged_end_to_end() {
    let server = Server::start("airline");
    let options = JobOptions {
        epochs: Some(2),
        limit: Some(600),
        seed: 42,
        ..JobOptions::default()
    };
    let report = run_and_check(
        &server,
        JobKind::Airline,
        options,
        &["loss", "accuracy", "val_loss", "val_accuracy"],
    );
    let run_id = report.run_id.unwrap();
    let listed: Vec<String> = server
        .client()
        .list_artifacts(&run_id, None)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    for expected in [
        "eda_summary.txt",
        "confusion_matrix.png",
        "confusion_matrix.json",
    ] {
        assert!(
            listed.iter().any(|p| p == expected),
            "artifact {expected} in {listed:?}"
        );
    }
    register_the_model(&server, &run_id);
    for metric in [
        "test_accuracy",
        "test_precision",
        "test_recall",
        "test_f1",
        "test_roc_auc",
    ] {
        assert!(report.metrics.iter().any(|(k, _)| k == metric), "{metric}");
    }
}

#[test]
fn mnist_job_on_the_8x8_digits_is_autologged_end_to_end() {
    let server = Server::start("mnist");
    let options = JobOptions {
        data: Some(shared_data("digits.csv.gz")),
        epochs: Some(2),
        limit: Some(300),
        seed: 42,
        ..JobOptions::default()
    };
    let report = run_and_check(
        &server,
        JobKind::Mnist,
        options,
        &["loss", "accuracy", "val_loss", "val_accuracy"],
    );
    assert_eq!(report.model.input_shape(), &[8, 8, 1]);
    let run = server
        .client()
        .get_run(report.run_id.as_deref().unwrap())
        .unwrap();
    let dataset = run.data.tags.iter().find(|t| t.key == "dataset").unwrap();
    assert_eq!(dataset.value, "digits.csv.gz");
}

#[test]
fn timeseries_job_is_autologged_end_to_end() {
    let server = Server::start("timeseries");
    let options = JobOptions {
        epochs: Some(2),
        limit: Some(300),
        seed: 42,
        series_model: SeriesModel::Lstm,
        ..JobOptions::default()
    };
    let report = run_and_check(
        &server,
        JobKind::Timeseries,
        options,
        &["loss", "mae", "val_loss", "val_mae"],
    );
    assert!(report.metric("naive_validation_mse").is_some());
}

#[test]
fn a_missing_data_file_is_a_one_line_error_and_a_failed_run() {
    let server = Server::start("missing");
    let missing = server.dir.join("no-such-file.csv");
    let output = Command::new(env!("CARGO_BIN_EXE_ferroflow"))
        .args([
            "train",
            "airline",
            "--epochs",
            "2",
            "--experiment-name",
            "e2e-missing",
        ])
        .arg("--data")
        .arg(&missing)
        .arg("--tracking-uri")
        .arg(&server.uri)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "error: data file {}: cannot read",
            missing.display()
        )),
        "{stderr}"
    );

    let client = server.client();
    let experiment = client
        .get_experiment_by_name("e2e-missing")
        .unwrap()
        .unwrap();
    let runs = client
        .search_all_runs(&[&experiment.experiment_id], "")
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].info.status, RunStatus::Failed);
    let error = runs[0]
        .data
        .tags
        .iter()
        .find(|t| t.key == "ferroflow.error")
        .unwrap();
    assert!(error.value.contains("no-such-file.csv"), "{}", error.value);

    // Without tracking the same error, and no run anywhere.
    let output = Command::new(env!("CARGO_BIN_EXE_ferroflow"))
        .args(["train", "mnist", "--data"])
        .arg(server.dir.join("no-such-dir"))
        .env_remove("MLFLOW_TRACKING_URI")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("tracking is off"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no-such-dir"), "{stderr}");
}
