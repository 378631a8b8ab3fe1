//! Artifact routes: the `mlflow-artifacts` proxy API (`/api/2.0/mlflow-artifacts/...`),
//! the run-scoped `GET /api/2.0/mlflow/artifacts/list`, and the UI's `GET /get-artifact`
//! and `GET /model-versions/get-artifact`,
//! as `mlflow/server/handlers.py` and `mlflow/server/__init__.py` serve them.
//!
//! Bodies stream both ways: uploads hand the request body to the service chunk by
//! chunk, downloads answer with the store's stream. Downloads carry MLflow's headers
//! (`Content-Type` from the extension, `Content-Disposition: attachment`,
//! `X-Content-Type-Options: nosniff`) and honour single `Range: bytes=` requests.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferroflow_protocol::messages::registry::ModelVersionName;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::api::extract::{parse_query, MlflowRequest};
use crate::artifacts::{ByteRange, ByteStream};
use crate::error::MlflowError;
use crate::service::artifacts::{
    ArtifactService, CreateMultipartUpload, CreateMultipartUploadResponse, DownloadOutcome,
    FinishMultipartUpload, ListArtifacts, ListArtifactsResponse, ListProxiedArtifacts,
    ListProxiedArtifactsResponse,
};
use crate::AppState;

/// MLflow's empty response message, `{}`.
#[derive(Serialize)]
pub struct Empty {}

/// Extensions MLflow serves as `text/plain` (`mlflow/utils/mime_type_utils.py`), so
/// the UI can show them inline; `MLmodel` and `MLproject` have no extension.
const TEXT_EXTENSIONS: &[&str] = &[
    "txt",
    "log",
    "err",
    "cfg",
    "conf",
    "cnf",
    "cf",
    "ini",
    "properties",
    "prop",
    "hocon",
    "toml",
    "yaml",
    "yml",
    "xml",
    "json",
    "js",
    "py",
    "py3",
    "csv",
    "tsv",
    "md",
    "rst",
    "ipynb",
    "MLmodel",
    "MLproject",
];

/// Returns the artifact path of a wildcard route, or MLflow's error.
fn artifact_path(path: Result<Path<String>, PathRejection>) -> Result<String, MlflowError> {
    path.map(|Path(p)| p)
        .map_err(|_| MlflowError::invalid("Invalid path"))
}

/// Returns the request body as a byte stream.
fn body_stream(body: Body) -> ByteStream {
    Box::pin(body.into_data_stream().map_err(std::io::Error::other))
}

/// `PUT /mlflow-artifacts/artifacts/<path>`.
pub async fn upload(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Json<Empty>, MlflowError> {
    artifacts
        .upload(&artifact_path(path)?, body_stream(body))
        .await?;
    Ok(Json(Empty {}))
}

/// `GET /mlflow-artifacts/artifacts/<path>`.
pub async fn download(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, MlflowError> {
    let range = requested_range(&headers);
    let outcome = artifacts.download(&artifact_path(path)?, range).await?;
    Ok(file_response(outcome, range.is_some()))
}

/// `GET /mlflow-artifacts/artifacts?path=`.
pub async fn list(
    State(artifacts): State<ArtifactService>,
    MlflowRequest(request): MlflowRequest<ListProxiedArtifacts>,
) -> Result<Json<ListProxiedArtifactsResponse>, MlflowError> {
    Ok(Json(artifacts.list(request).await?))
}

/// `DELETE /mlflow-artifacts/artifacts/<path>`.
pub async fn delete(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Empty>, MlflowError> {
    artifacts.delete(&artifact_path(path)?).await?;
    Ok(Json(Empty {}))
}

/// `POST /mlflow-artifacts/mpu/create/<folder>`.
pub async fn create_multipart(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    MlflowRequest(request): MlflowRequest<CreateMultipartUpload>,
) -> Result<Json<CreateMultipartUploadResponse>, MlflowError> {
    let base_url = base_url(&headers)?;
    Ok(Json(
        artifacts
            .create_multipart(&artifact_path(path)?, request, &base_url)
            .await?,
    ))
}

/// The query of a part upload.
#[derive(Deserialize)]
pub struct PartQuery {
    upload_id: String,
    part_number: i64,
}

/// `PUT /mlflow-artifacts/mpu/upload/<file>?upload_id=&part_number=`: one part, sent
/// to the URL `mpu/create` handed out. Answers with the part's `ETag` header, which
/// MLflow's client reads.
pub async fn upload_part(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
    query: axum::extract::RawQuery,
    body: Body,
) -> Result<Response, MlflowError> {
    let PartQuery {
        upload_id,
        part_number,
    } = parse_query(query.0.as_deref().unwrap_or(""))?;
    let etag = artifacts
        .upload_part(
            &artifact_path(path)?,
            &upload_id,
            part_number,
            body_stream(body),
        )
        .await?;
    let mut response = Json(Empty {}).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", etag.trim_matches('"'))) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

/// `POST /mlflow-artifacts/mpu/complete/<folder>`.
pub async fn complete_multipart(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
    MlflowRequest(request): MlflowRequest<FinishMultipartUpload>,
) -> Result<Json<Empty>, MlflowError> {
    artifacts
        .complete_multipart(&artifact_path(path)?, request)
        .await?;
    Ok(Json(Empty {}))
}

/// `POST /mlflow-artifacts/mpu/abort/<folder>`.
pub async fn abort_multipart(
    State(artifacts): State<ArtifactService>,
    path: Result<Path<String>, PathRejection>,
    MlflowRequest(request): MlflowRequest<FinishMultipartUpload>,
) -> Result<Json<Empty>, MlflowError> {
    artifacts
        .abort_multipart(&artifact_path(path)?, request)
        .await?;
    Ok(Json(Empty {}))
}

/// `GET|POST /mlflow/artifacts/list`.
pub async fn list_run_artifacts(
    State(state): State<AppState>,
    MlflowRequest(request): MlflowRequest<ListArtifacts>,
) -> Result<Json<ListArtifactsResponse>, MlflowError> {
    Ok(Json(
        state
            .artifacts
            .list_run_artifacts(&state.tracking, request)
            .await?,
    ))
}

/// The query of `GET /get-artifact`.
#[derive(Deserialize)]
pub struct GetArtifactQuery {
    run_id: Option<String>,
    run_uuid: Option<String>,
    path: Option<String>,
}

/// `GET /get-artifact?run_uuid=&path=`: the UI's download of a run's file.
pub async fn get_artifact(
    State(state): State<AppState>,
    Query(query): Query<GetArtifactQuery>,
    headers: HeaderMap,
) -> Result<Response, MlflowError> {
    let run_id = query
        .run_id
        .or(query.run_uuid)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| MlflowError::invalid("Missing value for required parameter 'run_id'."))?;
    let path = query
        .path
        .ok_or_else(|| MlflowError::invalid("Missing value for required parameter 'path'."))?;
    let range = requested_range(&headers);
    let outcome = state
        .artifacts
        .download_run_artifact(&state.tracking, &run_id, &path, range)
        .await?;
    Ok(file_response(outcome, range.is_some()))
}

/// The query of `GET /model-versions/get-artifact`.
#[derive(Deserialize)]
pub struct GetModelVersionArtifactQuery {
    name: Option<String>,
    version: Option<String>,
    path: Option<String>,
}

/// `GET /model-versions/get-artifact?name=&version=&path=`: the UI's download of a
/// model version's file.
pub async fn get_model_version_artifact(
    State(state): State<AppState>,
    Query(query): Query<GetModelVersionArtifactQuery>,
    headers: HeaderMap,
) -> Result<Response, MlflowError> {
    let path = query
        .path
        .ok_or_else(|| MlflowError::invalid("Missing value for required parameter 'path'."))?;
    let version = ModelVersionName {
        name: query.name,
        version: query.version,
    };
    let range = requested_range(&headers);
    let outcome = state
        .artifacts
        .download_model_version_artifact(&state.tracking, version, &path, range)
        .await?;
    Ok(file_response(outcome, range.is_some()))
}

/// Returns `scheme://host` of this request, for URLs handed to clients.
fn base_url(headers: &HeaderMap) -> Result<String, MlflowError> {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| MlflowError::bad_request("The request has no Host header"))?;
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|s| *s == "https" || *s == "http")
        .unwrap_or("http");
    Ok(format!("{scheme}://{host}"))
}

/// Parses a single `Range: bytes=...` header; anything else (absent, several ranges,
/// other units, malformed) means the whole file, as RFC 9110 allows.
pub fn requested_range(headers: &HeaderMap) -> Option<ByteRange> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    match (start.is_empty(), end.is_empty()) {
        (false, false) => Some(ByteRange::Inclusive {
            start: start.parse().ok()?,
            end: end.parse().ok()?,
        }),
        (false, true) => Some(ByteRange::From(start.parse().ok()?)),
        (true, false) => Some(ByteRange::Suffix(end.parse().ok()?)),
        (true, true) => None,
    }
}

/// Returns MLflow's content type for a file name: `text/plain` for its text
/// extensions, the registered type otherwise, `application/octet-stream` by default.
pub fn content_type(file_name: &str) -> String {
    let extension = match file_name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() => ext,
        _ => file_name,
    };
    if TEXT_EXTENSIONS.contains(&extension) {
        return "text/plain".to_string();
    }
    mime_guess::from_path(file_name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
}

/// Returns `attachment; filename=...`, with an RFC 5987 `filename*` for non-ASCII
/// names, as MLflow's `_content_disposition_attachment`.
fn content_disposition(file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control() && *c != '"' && *c != '\\')
        .collect();
    let value = if ascii == file_name {
        format!("attachment; filename=\"{file_name}\"")
    } else {
        let fallback = if ascii.is_empty() { "download" } else { &ascii };
        let encoded =
            percent_encoding::utf8_percent_encode(file_name, percent_encoding::NON_ALPHANUMERIC);
        format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Builds the response of a download: the streamed file, 206 with `Content-Range` for
/// a range, or 416 for a range outside the file.
fn file_response(outcome: DownloadOutcome, ranged: bool) -> Response {
    match outcome {
        DownloadOutcome::Unsatisfiable { size } => {
            let mut response = MlflowError::bad_request(format!(
                "Requested range not satisfiable for an artifact of {size} bytes"
            ))
            .into_response();
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            response
        }
        DownloadOutcome::Content {
            download,
            file_name,
        } => {
            let length = download.range.end - download.range.start;
            let mut response = Response::new(Body::from_stream(download.body));
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&content_type(&file_name)) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            headers.insert(header::CONTENT_DISPOSITION, content_disposition(&file_name));
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            if ranged {
                let range = format!(
                    "bytes {}-{}/{}",
                    download.range.start,
                    download.range.end.saturating_sub(1),
                    download.size
                );
                if let Ok(value) = HeaderValue::from_str(&range) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
                *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str) -> Option<ByteRange> {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(value).unwrap());
        requested_range(&headers)
    }

    #[test]
    fn range_headers() {
        assert_eq!(
            range("bytes=0-99"),
            Some(ByteRange::Inclusive { start: 0, end: 99 })
        );
        assert_eq!(range("bytes=100-"), Some(ByteRange::From(100)));
        assert_eq!(range("bytes=-5"), Some(ByteRange::Suffix(5)));
        assert_eq!(range("bytes=0-1,5-6"), None);
        assert_eq!(range("items=0-1"), None);
        assert_eq!(range("bytes=x-1"), None);
        assert_eq!(range("bytes=-"), None);
    }

    #[test]
    fn content_types_follow_mlflow() {
        assert_eq!(content_type("notes.txt"), "text/plain");
        assert_eq!(content_type("config.yaml"), "text/plain");
        assert_eq!(content_type("MLmodel"), "text/plain");
        assert_eq!(content_type("data.json"), "text/plain");
        assert_eq!(content_type("plot.png"), "image/png");
        assert_eq!(content_type("page.html"), "text/html");
        assert_eq!(content_type("weights"), "application/octet-stream");
        assert_eq!(content_type("model.unknownext"), "application/octet-stream");
    }

    #[test]
    fn dispositions_are_attachments() {
        assert_eq!(
            content_disposition("a b.txt"),
            HeaderValue::from_static("attachment; filename=\"a b.txt\"")
        );
        assert_eq!(
            content_disposition("日本.txt"),
            HeaderValue::from_static(
                "attachment; filename=\".txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%2Etxt"
            )
        );
    }
}
