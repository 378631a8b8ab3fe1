//! Artifact tests without a socket: the `mlflow-artifacts` routes driven with
//! `oneshot` over a temp-dir destination (hostile paths, size limit, ranges, serving
//! switches), and the local store's multipart uploads and failure handling through the
//! [`ArtifactStore`] trait.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bytes::Bytes;
use ferroflow_server::artifacts::{
    self, ArtifactError, ArtifactPath, ArtifactStore, ByteStream, CompletedPart,
};
use ferroflow_server::service::artifacts::ArtifactService;
use ferroflow_server::{app, app_artifacts_only, server::open_store, AppState};
use futures::StreamExt;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A router serving artifacts from `<tmp>/dest`; `<tmp>/outside` is a sibling that
/// traversal would reach.
struct TestApp {
    router: axum::Router,
    dir: tempfile::TempDir,
}

impl TestApp {
    async fn new(max_upload_bytes: u64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        let uri = format!("sqlite:///{}", dir.path().join("mlflow.db").display());
        let store = open_store(&uri, "mlflow-artifacts:/", 2).await.unwrap();
        let destination = artifacts::open(&dir.path().join("dest").display().to_string()).unwrap();
        let service = ArtifactService::new(Some(destination), max_upload_bytes);
        TestApp {
            router: app(AppState::new(Arc::new(store)).with_artifacts(service)),
            dir,
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Bytes) {
        send(&self.router, request).await
    }

    async fn put(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let (status, _, bytes) = self
            .send(
                Request::put(format!("/api/2.0/mlflow-artifacts/artifacts/{path}"))
                    .body(body.into())
                    .unwrap(),
            )
            .await;
        (status, json_of(&bytes))
    }

    fn outside_is_empty(&self) -> bool {
        std::fs::read_dir(self.dir.path().join("outside"))
            .unwrap()
            .next()
            .is_none()
            && !self.dir.path().join("escape.txt").exists()
    }
}

async fn send(
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Bytes) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes)
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

fn stream_of(chunks: Vec<Result<Bytes, std::io::Error>>) -> ByteStream {
    futures::stream::iter(chunks).boxed()
}

fn bytes_stream(data: &[u8], chunk: usize) -> ByteStream {
    stream_of(
        data.chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect(),
    )
}

async fn read_all(store: &dyn ArtifactStore, path: &str) -> Result<Vec<u8>, ArtifactError> {
    let download = store.get(&ArtifactPath::parse(path).unwrap(), None).await?;
    let mut out = Vec::new();
    let mut body = download.body;
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    Ok(out)
}

/// Paths that must never reach the store, as they appear in a request URI.
const HOSTILE_URI_PATHS: &[&str] = &[
    "..%2fescape.txt",
    "..%2F..%2Fescape.txt",
    "%2e%2e/escape.txt",
    "%2E%2E%2Foutside%2Fx",
    "%252e%252e%252foutside%252fx",
    "a/%2e%2e/%2e%2e/escape.txt",
    "%2fetc%2fpasswd",
    "%2F%2Fserver%2Fshare",
    "a%00b",
    "a%0ab",
    "..%5coutside%5cx",
    "C:%5cwindows",
    "c:/windows",
    "file:%2F%2F%2Fetc%2Fpasswd",
    "s3:%2F%2Fbucket%2Fkey",
    "a%23b",
    ".ferroflow-mpu/0123456789abcdef0123456789abcdef/target",
    "%ff%fe",
];

#[tokio::test]
async fn hostile_paths_are_invalid_parameter_values() {
    let app = TestApp::new(1 << 20).await;
    for raw in HOSTILE_URI_PATHS {
        let (status, body) = app.put(raw, "evil").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "PUT {raw}: {body}");
        assert_eq!(
            body,
            json!({"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}),
            "PUT {raw}"
        );
        for method in ["GET", "DELETE"] {
            let (status, _, bytes) = app
                .send(
                    Request::builder()
                        .method(method)
                        .uri(format!("/api/2.0/mlflow-artifacts/artifacts/{raw}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {raw}");
            assert_eq!(json_of(&bytes)["error_code"], "INVALID_PARAMETER_VALUE");
        }
        // Query strings decode invalid UTF-8 lossily (to U+FFFD), which is harmless.
        if *raw != "%ff%fe" {
            let (status, _, _) = app
                .send(
                    Request::get(format!("/api/2.0/mlflow-artifacts/artifacts?path={raw}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "list {raw}");
        }
        let (status, _, _) = app
            .send(
                Request::post("/api/2.0/mlflow-artifacts/mpu/create/x")
                    .body(Body::from(
                        json!({"path": format!("/tmp/{raw}"), "num_parts": 1}).to_string(),
                    ))
                    .unwrap(),
            )
            .await;
        // Only the base name of the client's path is used, and it is checked too.
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::OK,
            "mpu/create {raw}: {status}"
        );
    }
    assert!(app.outside_is_empty());
}

#[tokio::test]
async fn uploads_over_the_limit_are_refused_and_leave_nothing() {
    let app = TestApp::new(1 << 20).await;
    let (status, body) = app.put("1/r/artifacts/ok.bin", vec![7u8; 1 << 20]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .put("1/r/artifacts/big.bin", vec![7u8; (1 << 20) + 1])
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error_code"], "REQUEST_LIMIT_EXCEEDED");
    let (status, _, bytes) = app
        .send(
            Request::get("/api/2.0/mlflow-artifacts/artifacts?path=1/r/artifacts")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json_of(&bytes),
        json!({"files": [{"path": "ok.bin", "is_dir": false, "file_size": 1048576}]})
    );
}

#[tokio::test]
async fn downloads_stream_with_headers_and_ranges() {
    let app = TestApp::new(1 << 30).await;
    // Over two read chunks, so whole and ranged downloads cross chunk edges.
    let data: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
    let (status, _) = app.put("2/r/artifacts/data.csv", data.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let uri = "/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts/data.csv";

    let (status, headers, bytes) = app
        .send(Request::get(uri).body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.as_ref(), data.as_slice());
    assert_eq!(headers["content-type"], "text/plain");
    assert_eq!(headers["content-length"], "2500000");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"data.csv\""
    );

    for (range, expected, content_range) in [
        ("bytes=0-9", &data[0..10], "bytes 0-9/2500000"),
        (
            "bytes=2499990-",
            &data[2_499_990..],
            "bytes 2499990-2499999/2500000",
        ),
        (
            "bytes=-5",
            &data[2_499_995..],
            "bytes 2499995-2499999/2500000",
        ),
        (
            "bytes=500000-9000000",
            &data[500_000..],
            "bytes 500000-2499999/2500000",
        ),
    ] {
        let (status, headers, bytes) = app
            .send(
                Request::get(uri)
                    .header("range", range)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(bytes.as_ref(), expected, "{range}");
        assert_eq!(headers["content-range"], content_range, "{range}");
    }
    let (status, headers, _) = app
        .send(
            Request::get(uri)
                .header("range", "bytes=2500000-")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers["content-range"], "bytes */2500000");

    let (status, _, bytes) = app
        .send(
            Request::get("/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&bytes)["error_code"], "INVALID_PARAMETER_VALUE");
    let (status, _, bytes) = app
        .send(
            Request::get("/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts/missing.bin")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&bytes)["error_code"], "RESOURCE_DOES_NOT_EXIST");
}

#[tokio::test]
async fn without_serve_artifacts_the_proxy_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:///{}", dir.path().join("mlflow.db").display());
    let store = open_store(&uri, &dir.path().display().to_string(), 2)
        .await
        .unwrap();
    let router = app(AppState::new(Arc::new(store)));
    let (status, _, bytes) = send(
        &router,
        Request::put("/api/2.0/mlflow-artifacts/artifacts/x.txt")
            .body(Body::from("x"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json_of(&bytes)["error_code"], "TEMPORARILY_UNAVAILABLE");
}

#[tokio::test]
async fn artifacts_only_serves_the_proxy_alone() {
    let dir = tempfile::tempdir().unwrap();
    let destination = artifacts::open(&dir.path().display().to_string()).unwrap();
    let router = app_artifacts_only(ArtifactService::new(Some(destination), 1 << 20));
    let (status, _, _) = send(
        &router,
        Request::put("/ajax-api/2.0/mlflow-artifacts/artifacts/a/b.txt")
            .body(Body::from("hello"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, bytes) = send(
        &router,
        Request::get("/api/2.0/mlflow-artifacts/artifacts/a/b.txt")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, bytes.as_ref()),
        (StatusCode::OK, b"hello".as_ref())
    );
    let (status, _, bytes) = send(
        &router,
        Request::post("/api/2.0/mlflow/runs/create")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&bytes)["error_code"], "ENDPOINT_NOT_FOUND");
}

fn local_store(dir: &tempfile::TempDir) -> Arc<dyn ArtifactStore> {
    artifacts::open(&dir.path().join("root").display().to_string()).unwrap()
}

fn path(text: &str) -> ArtifactPath {
    ArtifactPath::parse(text).unwrap()
}

#[tokio::test]
async fn multipart_on_the_local_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_store(&dir);
    let target = path("3/run/artifacts/model/weights.bin");
    let parts: Vec<Vec<u8>> = vec![
        vec![1u8; 5 * 1024 * 1024],
        (0..9 * 1024 * 1024).map(|i| (i % 7) as u8).collect(),
        vec![3u8; 1234],
    ];
    let upload_id = store.create_multipart(&target).await.unwrap();
    // Parts may arrive in any order; the part number fixes the position.
    let mut etags = vec![String::new(); parts.len()];
    for index in [2usize, 0, 1] {
        etags[index] = store
            .put_part(
                &target,
                &upload_id,
                index as u32 + 1,
                bytes_stream(&parts[index], 64 * 1024),
                u64::MAX,
            )
            .await
            .unwrap();
    }
    // Nothing is visible before completion.
    assert!(matches!(
        read_all(store.as_ref(), "3/run/artifacts/model/weights.bin").await,
        Err(ArtifactError::NotFound(_))
    ));
    let completed: Vec<CompletedPart> = etags
        .iter()
        .enumerate()
        .map(|(i, etag)| CompletedPart {
            part_number: i as u32 + 1,
            etag: etag.clone(),
        })
        .collect();
    store
        .complete_multipart(&target, &upload_id, &completed)
        .await
        .unwrap();
    let joined = read_all(store.as_ref(), "3/run/artifacts/model/weights.bin")
        .await
        .unwrap();
    assert_eq!(joined, parts.concat());
    // The staging folder is gone and never listed; the upload id is spent.
    assert!(!dir
        .path()
        .join("root/.ferroflow-mpu")
        .join(&upload_id)
        .exists());
    let root = store.list(&ArtifactPath::root()).await.unwrap();
    assert_eq!(
        root.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["3"]
    );
    assert!(matches!(
        store
            .put_part(&target, &upload_id, 1, bytes_stream(b"x", 1), u64::MAX)
            .await,
        Err(ArtifactError::NoSuchUpload(_))
    ));
}

#[tokio::test]
async fn multipart_rejects_bad_completions_and_aborts_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_store(&dir);
    let target = path("a/file.bin");
    let upload_id = store.create_multipart(&target).await.unwrap();
    let etag = store
        .put_part(
            &target,
            &upload_id,
            1,
            bytes_stream(b"part one", 3),
            u64::MAX,
        )
        .await
        .unwrap();

    // Another path cannot use this upload, nor can an id the server never made.
    assert!(matches!(
        store
            .put_part(
                &path("b/file.bin"),
                &upload_id,
                2,
                bytes_stream(b"x", 1),
                u64::MAX
            )
            .await,
        Err(ArtifactError::NoSuchUpload(_))
    ));
    assert!(matches!(
        store
            .put_part(&target, "../../etc", 1, bytes_stream(b"x", 1), u64::MAX)
            .await,
        Err(ArtifactError::NoSuchUpload(_))
    ));
    assert!(matches!(
        store
            .put_part(&target, &upload_id, 0, bytes_stream(b"x", 1), u64::MAX)
            .await,
        Err(ArtifactError::InvalidPart(_))
    ));
    let missing = [
        CompletedPart {
            part_number: 1,
            etag: etag.clone(),
        },
        CompletedPart {
            part_number: 2,
            etag: String::new(),
        },
    ];
    assert!(matches!(
        store
            .complete_multipart(&target, &upload_id, &missing)
            .await,
        Err(ArtifactError::InvalidPart(_))
    ));
    let wrong_etag = [CompletedPart {
        part_number: 1,
        etag: "\"not-the-etag\"".to_string(),
    }];
    assert!(matches!(
        store
            .complete_multipart(&target, &upload_id, &wrong_etag)
            .await,
        Err(ArtifactError::InvalidPart(_))
    ));
    assert!(matches!(
        store.complete_multipart(&target, &upload_id, &[]).await,
        Err(ArtifactError::InvalidPart(_))
    ));

    store.abort_multipart(&target, &upload_id).await.unwrap();
    assert!(!dir
        .path()
        .join("root/.ferroflow-mpu")
        .join(&upload_id)
        .exists());
    assert!(matches!(
        read_all(store.as_ref(), "a/file.bin").await,
        Err(ArtifactError::NotFound(_))
    ));
    assert!(matches!(
        store.abort_multipart(&target, &upload_id).await,
        Err(ArtifactError::NoSuchUpload(_))
    ));
}

#[tokio::test]
async fn failed_uploads_leave_no_file_under_the_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_store(&dir);
    // Large enough to take the streamed multipart path (more than one 8 MiB part).
    let mut chunks: Vec<Result<Bytes, std::io::Error>> = (0..20)
        .map(|_| Ok(Bytes::from(vec![9u8; 1024 * 1024])))
        .collect();
    chunks.push(Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "client went away",
    )));
    let result = store
        .put(&path("x/broken.bin"), stream_of(chunks), u64::MAX)
        .await;
    assert!(matches!(result, Err(ArtifactError::Interrupted(_))));
    assert!(!dir.path().join("root/x/broken.bin").exists());
    assert!(matches!(
        read_all(store.as_ref(), "x/broken.bin").await,
        Err(ArtifactError::NotFound(_))
    ));
    assert!(store.list(&path("x")).await.unwrap().is_empty());

    // A small body that fails takes the single-request path; same guarantee.
    let result = store
        .put(
            &path("x/small.bin"),
            stream_of(vec![
                Ok(Bytes::from_static(b"abc")),
                Err(std::io::Error::other("reset")),
            ]),
            u64::MAX,
        )
        .await;
    assert!(matches!(result, Err(ArtifactError::Interrupted(_))));
    assert!(!dir.path().join("root/x/small.bin").exists());

    // Over the limit mid-stream: refused, nothing written.
    let result = store
        .put(&path("x/limit.bin"), bytes_stream(&[0u8; 4096], 1000), 4000)
        .await;
    assert!(matches!(
        result,
        Err(ArtifactError::TooLarge { limit: 4000 })
    ));
    assert!(!dir.path().join("root/x/limit.bin").exists());
}

#[tokio::test]
async fn listing_and_deleting_folders() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_store(&dir);
    for (name, data) in [
        ("r/a.txt", &b"aa"[..]),
        ("r/sub/b.txt", b"b"),
        ("r/sub/deeper/c.txt", b"c"),
    ] {
        store
            .put(&path(name), bytes_stream(data, 1), u64::MAX)
            .await
            .unwrap();
    }
    let listing = store.list(&path("r")).await.unwrap();
    assert_eq!(
        serde_json::to_value(&listing).unwrap(),
        json!([
            {"path": "a.txt", "is_dir": false, "file_size": 2},
            {"path": "sub", "is_dir": true},
        ])
    );
    // A file lists as empty, as MLflow's repositories answer.
    assert!(store.list(&path("r/a.txt")).await.unwrap().is_empty());
    assert!(matches!(
        store.get(&path("r/sub"), None).await,
        Err(ArtifactError::IsDirectory(_))
    ));
    store.delete(&path("r/sub")).await.unwrap();
    assert_eq!(store.list(&path("r")).await.unwrap().len(), 1);
    store.delete(&path("r/a.txt")).await.unwrap();
    assert!(store.list(&path("r")).await.unwrap().is_empty());
}
