//! Handler tests: the whole router driven without a socket (`oneshot`) on a real
//! temp-file SQLite store. Error bodies are inline snapshots, so any change to what a
//! client sees shows up in review.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ferroflow_server::{app, server::open_store, AppState};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

struct TestApp {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let uri = format!("sqlite:///{}", dir.path().join("mlflow.db").display());
        let store = open_store(&uri, "/tmp/ff-artifacts", 2).await.unwrap();
        TestApp {
            router: app(AppState::new(Arc::new(store))),
            _dir: dir,
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    async fn post(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        self.send(
            Request::post(format!("/api/2.0/mlflow/{path}"))
                .body(body.into())
                .unwrap(),
        )
        .await
    }

    async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post(path, body.to_string()).await
    }

    async fn get(&self, path_and_query: &str) -> (StatusCode, Value) {
        self.send(Request::get(path_and_query).body(Body::empty()).unwrap())
            .await
    }

    async fn new_run(&self) -> String {
        let (status, body) = self
            .post_json("runs/create", json!({"experiment_id": "0"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["run"]["info"]["run_id"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn health_and_version() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/health").await, (StatusCode::OK, json!("OK")));
    let (status, _) = app.get("/version").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_json_is_a_json_bad_request() {
    let app = TestApp::new().await;
    let (status, body) = app.post("experiments/create", "{\"name\": ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "BAD_REQUEST",
      "message": "Malformed JSON in request body: EOF while parsing a value at line 1 column 9"
    }
    "###);
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_invalid_parameter_values() {
    let app = TestApp::new().await;
    let (status, body) = app
        .post_json("experiments/create", json!({"name": 5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");
    let (status, body) = app.post_json("experiments/create", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "INVALID_PARAMETER_VALUE",
      "message": "Missing value for required parameter 'name'. See the API docs for more information about request parameters."
    }
    "###);
}

#[tokio::test]
async fn unknown_ids_and_endpoints_are_404() {
    let app = TestApp::new().await;
    let (status, body) = app
        .get("/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "RESOURCE_DOES_NOT_EXIST",
      "message": "Run with id=0123456789abcdef0123456789abcdef not found"
    }
    "###);
    let (status, body) = app
        .get("/api/2.0/mlflow/experiments/get?experiment_id=42")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "No Experiment with id=42 exists");
    let (status, body) = app.get("/api/2.0/mlflow/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "ENDPOINT_NOT_FOUND",
      "message": "No API endpoint found for '/api/2.0/mlflow/no-such-thing'"
    }
    "###);
}

#[tokio::test]
async fn int64_fields_accept_strings_and_ajax_prefix_works() {
    let app = TestApp::new().await;
    let request = Request::post("/ajax-api/2.0/mlflow/runs/create")
        .body(Body::from(
            json!({"experiment_id": "0", "start_time": "1700000000000", "run_name": "r"})
                .to_string(),
        ))
        .unwrap();
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["run"]["info"]["start_time"],
        json!(1_700_000_000_000i64)
    );
    assert_eq!(body["run"]["info"]["run_name"], "r");
    assert_eq!(body["run"]["info"]["status"], "RUNNING");
}

#[tokio::test]
async fn nan_and_infinity_round_trip_as_protobuf_strings() {
    let app = TestApp::new().await;
    let run_id = app.new_run().await;
    let metrics = json!([
        {"key": "m", "value": "NaN", "timestamp": 1, "step": 0},
        {"key": "m", "value": "Infinity", "timestamp": 1, "step": 1},
        {"key": "m", "value": "-Infinity", "timestamp": 1, "step": 2},
        {"key": "m", "value": 2.5, "timestamp": "1", "step": "3"},
    ]);
    let (status, body) = app
        .post_json(
            "runs/log-batch",
            json!({"run_id": run_id, "metrics": metrics}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .get(&format!(
            "/api/2.0/mlflow/metrics/get-history?run_id={run_id}&metric_key=m"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let values: Vec<Value> = body["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].clone())
        .collect();
    assert_eq!(
        values,
        vec![
            json!("NaN"),
            json!("Infinity"),
            json!("-Infinity"),
            json!(2.5)
        ]
    );
}

#[tokio::test]
async fn oversized_batches_fail_whole() {
    let app = TestApp::new().await;
    let run_id = app.new_run().await;
    let metrics: Vec<Value> = (0..1001)
        .map(|i| json!({"key": "m", "value": i, "timestamp": 1, "step": i}))
        .collect();
    let (status, body) = app
        .post_json(
            "runs/log-batch",
            json!({"run_id": run_id, "metrics": metrics}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "INVALID_PARAMETER_VALUE",
      "message": "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again."
    }
    "###);
    let (_, body) = app
        .get(&format!(
            "/api/2.0/mlflow/metrics/get-history?run_id={run_id}&metric_key=m"
        ))
        .await;
    assert_eq!(body, json!({}), "nothing of the refused batch was written");
}

#[tokio::test]
async fn changed_params_and_bad_filters_are_rejected() {
    let app = TestApp::new().await;
    let run_id = app.new_run().await;
    let log = |value: &str| json!({"run_id": run_id, "key": "lr", "value": value});
    assert_eq!(
        app.post_json("runs/log-parameter", log("0.1")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.post_json("runs/log-parameter", log("0.1")).await.0,
        StatusCode::OK
    );
    let (status, body) = app.post_json("runs/log-parameter", log("0.2")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");
    let (status, body) = app
        .post_json(
            "runs/search",
            json!({"experiment_ids": ["0"], "filter": "metrics.loss > 1 OR params.x = 'y'"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");
    let (status, body) = app
        .post_json(
            "runs/search",
            json!({"experiment_ids": ["0"], "page_token": "not-a-token"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn oversized_bodies_get_a_json_error() {
    let app = TestApp::new().await;
    let huge = format!(
        "{{\"name\": \"{}\"}}",
        "x".repeat(ferroflow_server::MAX_REQUEST_BODY_BYTES + 1)
    );
    let (status, body) = app.post("experiments/create", huge).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn search_pages_through_runs() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        app.new_run().await;
    }
    let mut token: Option<String> = None;
    let mut seen = 0;
    loop {
        let mut req = json!({"experiment_ids": ["0"], "max_results": 2});
        if let Some(t) = &token {
            req["page_token"] = json!(t);
        }
        let (status, body) = app.post_json("runs/search", req).await;
        assert_eq!(status, StatusCode::OK);
        seen += body["runs"].as_array().unwrap().len();
        match body["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, 5);
}

/// Logs `count` points of `key` (value 1.0, one spike of 100.0 at `spike`) to `run_id`.
async fn log_flat_with_spike(app: &TestApp, run_id: &str, key: &str, count: i64, spike: i64) {
    log_series(app, run_id, key, count, |step| {
        if step == spike {
            100.0
        } else {
            1.0
        }
    })
    .await;
}

/// Logs steps `0..count` of `key` with `value(step)`, at timestamp 1,000,000 + step.
async fn log_series(
    app: &TestApp,
    run_id: &str,
    key: &str,
    count: i64,
    value: impl Fn(i64) -> f64,
) {
    for chunk_start in (0..count).step_by(1000) {
        let metrics: Vec<Value> = (chunk_start..(chunk_start + 1000).min(count))
            .map(|step| {
                json!({"key": key, "value": value(step), "timestamp": 1_000_000 + step,
                       "step": step})
            })
            .collect();
        let (status, body) = app
            .post_json(
                "runs/log-batch",
                json!({"run_id": run_id, "metrics": metrics}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

async fn sampled(app: &TestApp, request: Value) -> (StatusCode, Value) {
    app.send(
        Request::post("/ajax-api/2.0/ferroflow/metrics/sampled")
            .body(Body::from(request.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn sampled_history_keeps_spikes_within_max_points() {
    let app = TestApp::new().await;
    let run = app.new_run().await;
    log_flat_with_spike(&app, &run, "loss", 5000, 3217).await;
    let (status, body) = sampled(
        &app,
        json!({"run_ids": [run], "metric_keys": ["loss", "absent"], "max_points": 100}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let series = body["series"].as_array().unwrap();
    assert_eq!(series.len(), 1, "a key without points has no series");
    assert_eq!(series[0]["total_points"], 5000);
    let points = series[0]["points"].as_array().unwrap();
    assert!(points.len() <= 100, "{} points", points.len());
    let steps: Vec<i64> = points.iter().map(|p| p["step"].as_i64().unwrap()).collect();
    assert_eq!((steps[0], *steps.last().unwrap()), (0, 4999));
    let spike = points
        .iter()
        .find(|p| p["step"] == 3217)
        .expect("spike kept");
    assert_eq!(spike["value"], 100.0);
    assert_eq!(spike["timestamp"], 1_003_217);

    // A window re-samples only its part: with room for all 101 points, all come back.
    let (_, body) = sampled(
        &app,
        json!({"run_ids": [run], "metric_keys": ["loss"], "start": 3200, "end": 3300,
               "max_points": 1000}),
    )
    .await;
    assert_eq!(body["series"][0]["total_points"], 101);
    assert_eq!(body["series"][0]["points"].as_array().unwrap().len(), 101);

    // Wall time relative to the run's start, with smoothing over the full history.
    let (_, run_body) = app
        .get(&format!("/api/2.0/mlflow/runs/get?run_id={run}"))
        .await;
    let start_time = run_body["run"]["info"]["start_time"].as_i64().unwrap();
    let (status, body) = sampled(
        &app,
        json!({"run_ids": [run], "metric_keys": ["loss"], "x_axis": "relative",
               "start": 1_000_000 + 3217 - start_time, "end": 1_000_000 + 3218 - start_time,
               "smoothing": 0.5}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let points = body["series"][0]["points"].as_array().unwrap();
    let steps: Vec<i64> = points.iter().map(|p| p["step"].as_i64().unwrap()).collect();
    assert_eq!(steps, vec![3217, 3218]);
    // The EMA runs from the history's first point, not the window's: 0.5 · 1 + 0.5 · 100
    // at the spike (bias correction ≈ 1 after 3,217 points), then halfway back to 1.
    assert!(
        (points[0]["value"].as_f64().unwrap() - 50.5).abs() < 1e-9,
        "{body}"
    );
    assert!(
        (points[1]["value"].as_f64().unwrap() - 25.75).abs() < 1e-9,
        "{body}"
    );
}

#[tokio::test]
async fn sampled_history_of_long_series_keeps_spikes_and_window_edges() {
    let app = TestApp::new().await;
    let run = app.new_run().await;
    // 40,000 steps of a slow wave with spikes; 25,599 is the last step of a 128-step tile.
    let spikes = [
        (1_000, 50.0),
        (12_345, -50.0),
        (25_599, 80.0),
        (39_998, -80.0),
    ];
    log_series(&app, &run, "loss", 40_000, |step| {
        spikes
            .iter()
            .find(|s| s.0 == step)
            .map_or((step as f64 / 5_000.0).sin(), |s| s.1)
    })
    .await;
    let steps_of = |body: &Value| -> Vec<(i64, f64)> {
        body["series"][0]["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["step"].as_i64().unwrap(), p["value"].as_f64().unwrap()))
            .collect()
    };
    // 25 buckets of 1,600 steps each: whole tiles stand for their points.
    let (status, body) = sampled(
        &app,
        json!({"run_ids": [run], "metric_keys": ["loss"], "max_points": 100}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["series"][0]["total_points"], 40_000);
    let points = steps_of(&body);
    assert!(points.len() <= 100, "{} points", points.len());
    assert_eq!((points[0].0, points.last().unwrap().0), (0, 39_999));
    assert!(points.windows(2).all(|w| w[0].0 < w[1].0), "in step order");
    for spike in spikes {
        assert!(points.contains(&spike), "spike {spike:?} kept: {points:?}");
    }
    // The widest window there is reads the same.
    let (status, widest) = sampled(
        &app,
        json!({"run_ids": [run], "metric_keys": ["loss"], "max_points": 100,
               "start": i64::MIN, "end": i64::MAX}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{widest}");
    assert_eq!(widest["series"][0]["total_points"], 40_000);
    // A zoom whose edges cut tiles: the edges are read point by point, nothing twice.
    let (_, body) = sampled(
        &app,
        json!({"run_ids": [run], "metric_keys": ["loss"], "start": 1_000, "end": 30_000,
               "max_points": 40}),
    )
    .await;
    assert_eq!(body["series"][0]["total_points"], 29_001);
    let points = steps_of(&body);
    assert!(points.len() <= 40, "{} points", points.len());
    assert_eq!(points[0], (1_000, 50.0));
    assert_eq!(points.last().unwrap().0, 30_000);
    assert!(points.contains(&(12_345, -50.0)) && points.contains(&(25_599, 80.0)));
}

#[tokio::test]
async fn sampled_history_rejects_bad_requests() {
    let app = TestApp::new().await;
    let (status, body) = sampled(&app, json!({"run_ids": [], "metric_keys": ["x"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "INVALID_PARAMETER_VALUE",
      "message": "Both 'run_ids' and 'metric_keys' must name at least one entry."
    }
    "###);
    let (status, body) = sampled(
        &app,
        json!({"run_ids": ["a"], "metric_keys": ["x"], "smoothing": 1.0}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "INVALID_PARAMETER_VALUE",
      "message": "smoothing must be in [0, 1). Received 1."
    }
    "###);
    let (status, body) = sampled(
        &app,
        json!({"run_ids": ["a"], "metric_keys": ["x"], "start": 5, "end": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(body, @r###"
    {
      "error_code": "INVALID_PARAMETER_VALUE",
      "message": "end must not be less than start. Found start=5 and end=1."
    }
    "###);
}

/// Reads server-sent events from `body` until one's data contains `needle`.
async fn next_event_containing(body: &mut Body, needle: &str) -> Value {
    let mut buffer = String::new();
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
            .await
            .expect("an event within 5 s")
            .expect("stream open")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            buffer.push_str(std::str::from_utf8(&data).unwrap());
        }
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.strip_prefix("data: ") {
                if data.contains(needle) {
                    return serde_json::from_str(data.trim()).unwrap();
                }
            }
        }
    }
}

#[tokio::test]
async fn live_events_stream_runs_and_metrics_of_watched_experiments() {
    let app = TestApp::new().await;
    let (_, other) = app
        .post_json("experiments/create", json!({"name": "unwatched"}))
        .await;
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/ajax-api/2.0/ferroflow/events?experiment_id=0")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut events = response.into_body();

    // A run in an unwatched experiment is not streamed; the watched one is.
    let (_, unwatched) = app
        .post_json(
            "runs/create",
            json!({"experiment_id": other["experiment_id"]}),
        )
        .await;
    let unwatched = unwatched["run"]["info"]["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post_json(
        "runs/log-metric",
        json!({"run_id": unwatched, "key": "hidden", "value": 1, "timestamp": 1}),
    )
    .await;
    let run = app.new_run().await;
    let event = next_event_containing(&mut events, "\"type\":\"run\"").await;
    assert_eq!(event["run"]["run_id"], run.as_str());
    assert_eq!(event["run"]["status"], "RUNNING");

    app.post_json(
        "runs/log-metric",
        json!({"run_id": run, "key": "loss", "value": 0.25, "timestamp": 7, "step": 3}),
    )
    .await;
    let event = next_event_containing(&mut events, "\"type\":\"metrics\"").await;
    assert_eq!(
        event,
        json!({"type": "metrics", "run_id": run, "experiment_id": "0",
               "metrics": [{"key": "loss", "value": 0.25, "timestamp": 7, "step": 3}]})
    );

    app.post_json("runs/update", json!({"run_id": run, "status": "FINISHED"}))
        .await;
    let event = next_event_containing(&mut events, "FINISHED").await;
    assert_eq!(event["run"]["run_id"], run.as_str());
}

#[tokio::test]
async fn client_routes_get_the_dashboard_and_api_paths_stay_json() {
    let app = TestApp::new().await;
    let (status, body) = app.get("/experiments/1").await;
    let page = body.as_str().unwrap_or_default();
    // The embedded app when web/dist was built before this crate, else how to build it.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist/index.html");
    if dist.exists() {
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("<div id=\"root\">"), "{page}");
        let (status, _) = app.get("/runs/0123456789abcdef0123456789abcdef").await;
        assert_eq!(status, StatusCode::OK, "client routes get index.html");
    } else {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(page.contains("dashboard was not built"), "{page}");
    }
    let (status, body) = app.get("/api/2.0/mlflow/no-such-endpoint").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error_code"], "ENDPOINT_NOT_FOUND");
    let (status, _) = app.post("../../../etc/passwd", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
