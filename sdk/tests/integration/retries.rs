//! Retry rules at the HTTP level, against a scripted server (no real server answers
//! 429 or 503 on demand): 429 and 5xx are retried, other 4xx fail at once with
//! MLflow's error code.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use ferroflow_sdk::{ClientBuilder, Error, ErrorCode, Metric, RetryPolicy};

/// Answers log-batch with the scripted statuses, then 200; counts requests.
struct Script {
    statuses: Mutex<VecDeque<u16>>,
    requests: Mutex<u32>,
}

fn serve(script: Arc<Script>) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let uri = runtime.block_on(async {
        let app = axum::Router::new().route(
            "/api/2.0/mlflow/runs/log-batch",
            axum::routing::post(move || {
                let script = script.clone();
                async move {
                    *script.requests.lock().unwrap() += 1;
                    let status = script.statuses.lock().unwrap().pop_front().unwrap_or(200);
                    let body = match status {
                        200 => "{}".to_string(),
                        400 => r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"bad metric"}"#
                            .to_string(),
                        _ => r#"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}"#
                            .to_string(),
                    };
                    (StatusCode::from_u16(status).unwrap(), body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}")
    });
    (runtime, uri)
}

fn point() -> Metric {
    Metric {
        key: "loss".into(),
        value: 1.0,
        timestamp: 1,
        step: 0,
    }
}

#[test]
fn throttling_and_server_errors_are_retried_client_errors_are_not() {
    let script = Arc::new(Script {
        statuses: Mutex::new(VecDeque::from([429, 503, 500, 400])),
        requests: Mutex::new(0),
    });
    let (_runtime, uri) = serve(script.clone());
    let client = ClientBuilder::new(uri)
        .retry(RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
        })
        .build()
        .unwrap();

    // 429, 503, 500, then the fourth try is answered 400: not retried.
    let error = client.log_batch("r", &[point()], &[], &[]).unwrap_err();
    assert_eq!(*script.requests.lock().unwrap(), 4);
    assert!(matches!(error, Error::Api { status: 400, .. }), "{error:?}");
    assert_eq!(error.error_code(), Some(ErrorCode::InvalidParameterValue));

    // Throttled twice, then accepted.
    script.statuses.lock().unwrap().extend([429, 503]);
    client.log_batch("r", &[point()], &[], &[]).unwrap();
    assert_eq!(*script.requests.lock().unwrap(), 7);

    // Always busy: gives up after max_attempts with the last answer.
    script.statuses.lock().unwrap().extend([503; 5]);
    let error = client.log_batch("r", &[point()], &[], &[]).unwrap_err();
    assert_eq!(*script.requests.lock().unwrap(), 12);
    assert_eq!(error.error_code(), Some(ErrorCode::TemporarilyUnavailable));
}
