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
