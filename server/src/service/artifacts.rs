//! The artifact service: MLflow's artifact endpoints over an [`ArtifactStore`].
//!
//! Two families, as in `mlflow/server/handlers.py`:
//! - the `mlflow-artifacts` proxy (`_upload_artifact`, `_download_artifact`,
//!   `_list_artifacts_mlflow_artifacts`, `_delete_artifact_mlflow_artifacts`, the
//!   `mpu/*` handlers), which addresses paths below `--artifacts-destination` and only
//!   works with `--serve-artifacts`;
//! - run- and model-version-scoped reads (`list_artifacts_impl`, `get_artifact_handler`,
//!   `get_model_version_artifact_handler`), which resolve the run's `artifact_uri` (or
//!   the version's download URI): `mlflow-artifacts:/<path>` maps into the destination when
//!   serving, any other URI (a local path, `s3://...`) is opened directly.
//!
//! Every client path is checked by [`ArtifactPath::parse`] first.

use std::sync::Arc;

use ferroflow_protocol::messages::registry::ModelVersionName;
use ferroflow_protocol::ErrorCode;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

use crate::artifacts::{
    self, ArtifactError, ArtifactPath, ArtifactStore, ByteRange, ByteStream, CompletedPart,
    Download, FileInfo,
};
use crate::error::MlflowError;
use crate::service::TrackingService;

/// Characters left unescaped in a path placed in a URL: unreserved ones and `/`.
const PATH_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `GET /mlflow/artifacts/list` request (`ListArtifacts` in `service.proto`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListArtifacts {
    /// The run.
    pub run_id: Option<String>,
    /// Deprecated alias of `run_id`.
    pub run_uuid: Option<String>,
    /// Folder below the run's artifact root; the root when absent.
    pub path: Option<String>,
    /// Accepted and ignored: listings are returned whole, as MLflow's repositories do.
    pub page_token: Option<String>,
}

/// `GET /mlflow/artifacts/list` response.
#[derive(Clone, Debug, Serialize)]
pub struct ListArtifactsResponse {
    /// The run's artifact URI.
    pub root_uri: String,
    /// Entries, with paths relative to the run's artifact root.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileInfo>,
}

/// `GET /mlflow-artifacts/artifacts?path=` request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListProxiedArtifacts {
    /// Folder below the destination root; the root when absent.
    pub path: Option<String>,
}

/// `GET /mlflow-artifacts/artifacts` response: entry names relative to the folder.
#[derive(Clone, Debug, Serialize)]
pub struct ListProxiedArtifactsResponse {
    /// Entries of the folder.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileInfo>,
}

/// `POST /mlflow-artifacts/mpu/create/<artifact_path>` request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CreateMultipartUpload {
    /// The client's local file; its base name is the destination file name.
    pub path: Option<String>,
    /// Number of parts the client will send.
    #[serde(default, with = "ferroflow_protocol::wire::opt_int64")]
    pub num_parts: Option<i64>,
}

/// Where and how to send one part.
#[derive(Clone, Debug, Serialize)]
pub struct MultipartUploadCredential {
    /// URL to `PUT` the part's bytes to.
    pub url: String,
    /// 1-based part number.
    pub part_number: i64,
    /// Extra headers the client must send (none here).
    pub headers: std::collections::BTreeMap<String, String>,
}

/// `POST /mlflow-artifacts/mpu/create` response.
#[derive(Clone, Debug, Serialize)]
pub struct CreateMultipartUploadResponse {
    /// The upload's id.
    pub upload_id: String,
    /// One credential per part.
    pub credentials: Vec<MultipartUploadCredential>,
}

/// A part as the client reports it on completion (`MultipartUploadPart`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct MultipartUploadPart {
    /// 1-based part number.
    #[serde(default, with = "ferroflow_protocol::wire::opt_int64")]
    pub part_number: Option<i64>,
    /// The ETag the part upload answered.
    pub etag: Option<String>,
    /// The URL the part was sent to (unused).
    pub url: Option<String>,
}

/// `POST /mlflow-artifacts/mpu/complete` and `mpu/abort` request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FinishMultipartUpload {
    /// The client's local file, as sent to `mpu/create`.
    pub path: Option<String>,
    /// The upload's id.
    pub upload_id: Option<String>,
    /// The uploaded parts (completion only).
    #[serde(default)]
    pub parts: Vec<MultipartUploadPart>,
}

/// What a download request yields.
#[derive(Debug)]
pub enum DownloadOutcome {
    /// The content, with the file name to report.
    Content {
        /// The bytes and their range.
        download: Download,
        /// Base name of the artifact (for `Content-Type` and `Content-Disposition`).
        file_name: String,
    },
    /// The range lies outside an object of this size (HTTP 416).
    Unsatisfiable {
        /// Size of the object.
        size: u64,
    },
}

/// The artifact service.
#[derive(Clone, Debug)]
pub struct ArtifactService {
    /// The `--artifacts-destination` store; `None` with `--no-serve-artifacts`.
    proxied: Option<Arc<dyn ArtifactStore>>,
    /// Largest accepted upload, in bytes.
    max_upload_bytes: u64,
}

impl ArtifactService {
    /// Returns a service proxying `destination` (`None`: not serving artifacts), with
    /// uploads capped at `max_upload_bytes`.
    pub fn new(destination: Option<Arc<dyn ArtifactStore>>, max_upload_bytes: u64) -> Self {
        ArtifactService {
            proxied: destination,
            max_upload_bytes,
        }
    }

    /// Returns a service that does not serve artifacts (`--no-serve-artifacts`):
    /// run-scoped reads still open the run's own artifact URI.
    pub fn not_serving() -> Self {
        Self::new(None, u64::MAX)
    }

    /// Returns whether `mlflow-artifacts` requests are served.
    pub fn is_serving(&self) -> bool {
        self.proxied.is_some()
    }

    /// Returns the destination store, or MLflow's 503 when not serving.
    fn destination(&self) -> Result<&Arc<dyn ArtifactStore>, MlflowError> {
        self.proxied.as_ref().ok_or_else(|| {
            MlflowError::new(
                ErrorCode::TemporarilyUnavailable,
                "Endpoint disabled due to the mlflow server running with `--no-serve-artifacts`. \
                 To enable artifacts server functionality, run `mlflow server` with \
                 `--serve-artifacts`",
            )
        })
    }

    /// `PUT /mlflow-artifacts/artifacts/<path>`: streams `body` to `path`.
    pub async fn upload(&self, path: &str, body: ByteStream) -> Result<(), MlflowError> {
        let store = self.destination()?;
        let path = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
        store.put(&path, body, self.max_upload_bytes).await?;
        Ok(())
    }

    /// `GET /mlflow-artifacts/artifacts/<path>`: streams the file (or `range` of it).
    pub async fn download(
        &self,
        path: &str,
        range: Option<ByteRange>,
    ) -> Result<DownloadOutcome, MlflowError> {
        let store = self.destination()?;
        let path = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
        fetch(store.as_ref(), &path, range).await
    }

    /// `GET /mlflow-artifacts/artifacts?path=`: lists a folder of the destination.
    pub async fn list(
        &self,
        request: ListProxiedArtifacts,
    ) -> Result<ListProxiedArtifactsResponse, MlflowError> {
        let store = self.destination()?;
        let path = ArtifactPath::parse(request.path.as_deref().unwrap_or(""))
            .map_err(ArtifactError::from)?;
        Ok(ListProxiedArtifactsResponse {
            files: store.list(&path).await?,
        })
    }

    /// `DELETE /mlflow-artifacts/artifacts/<path>`: deletes a file or folder.
    pub async fn delete(&self, path: &str) -> Result<(), MlflowError> {
        let store = self.destination()?;
        let path = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
        store.delete(&path).await?;
        Ok(())
    }

    /// `POST /mlflow-artifacts/mpu/create/<folder>`: starts an upload of
    /// `<folder>/<basename(request.path)>`; every part is sent back to this server at
    /// `<base_url>/api/2.0/mlflow-artifacts/mpu/upload/<file>`.
    pub async fn create_multipart(
        &self,
        folder: &str,
        request: CreateMultipartUpload,
        base_url: &str,
    ) -> Result<CreateMultipartUploadResponse, MlflowError> {
        let store = self.destination()?;
        let target = multipart_target(folder, request.path.as_deref())?;
        let num_parts = request.num_parts.unwrap_or(1);
        if !(1..=10_000).contains(&num_parts) {
            return Err(MlflowError::invalid(format!(
                "num_parts must be between 1 and 10000, got {num_parts}"
            )));
        }
        let upload_id = store.create_multipart(&target).await?;
        let url_path = utf8_percent_encode(&target.to_string(), PATH_ESCAPES).to_string();
        let credentials = (1..=num_parts)
            .map(|part_number| MultipartUploadCredential {
                url: format!(
                    "{base_url}/api/2.0/mlflow-artifacts/mpu/upload/{url_path}\
                     ?upload_id={upload_id}&part_number={part_number}"
                ),
                part_number,
                headers: Default::default(),
            })
            .collect();
        Ok(CreateMultipartUploadResponse {
            upload_id,
            credentials,
        })
    }

    /// `PUT /mlflow-artifacts/mpu/upload/<file>?upload_id=&part_number=`: stores one
    /// part; returns its ETag.
    pub async fn upload_part(
        &self,
        path: &str,
        upload_id: &str,
        part_number: i64,
        body: ByteStream,
    ) -> Result<String, MlflowError> {
        let store = self.destination()?;
        let path = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
        let part_number = u32::try_from(part_number)
            .map_err(|_| MlflowError::invalid(format!("Invalid part_number {part_number}")))?;
        Ok(store
            .put_part(&path, upload_id, part_number, body, self.max_upload_bytes)
            .await?)
    }

    /// `POST /mlflow-artifacts/mpu/complete/<folder>`: joins the parts into the file.
    pub async fn complete_multipart(
        &self,
        folder: &str,
        request: FinishMultipartUpload,
    ) -> Result<(), MlflowError> {
        let store = self.destination()?;
        let target = multipart_target(folder, request.path.as_deref())?;
        let upload_id = required(request.upload_id.as_deref(), "upload_id")?;
        let parts = request
            .parts
            .iter()
            .map(|part| {
                let number = part.part_number.unwrap_or(0);
                Ok(CompletedPart {
                    part_number: u32::try_from(number).map_err(|_| {
                        MlflowError::invalid(format!("Invalid part_number {number}"))
                    })?,
                    etag: part.etag.clone().unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, MlflowError>>()?;
        store.complete_multipart(&target, upload_id, &parts).await?;
        Ok(())
    }

    /// `POST /mlflow-artifacts/mpu/abort/<folder>`: drops an upload.
    pub async fn abort_multipart(
        &self,
        folder: &str,
        request: FinishMultipartUpload,
    ) -> Result<(), MlflowError> {
        let store = self.destination()?;
        let target = multipart_target(folder, request.path.as_deref())?;
        let upload_id = required(request.upload_id.as_deref(), "upload_id")?;
        store.abort_multipart(&target, upload_id).await?;
        Ok(())
    }

    /// `GET /mlflow/artifacts/list`: lists a folder of a run's artifacts.
    pub async fn list_run_artifacts(
        &self,
        tracking: &TrackingService,
        request: ListArtifacts,
    ) -> Result<ListArtifactsResponse, MlflowError> {
        let run_id = request
            .run_id
            .as_deref()
            .or(request.run_uuid.as_deref())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                MlflowError::invalid("Missing value for required parameter 'run_id'.")
            })?;
        let relative = ArtifactPath::parse(request.path.as_deref().unwrap_or(""))
            .map_err(ArtifactError::from)?;
        let root_uri = tracking.store().get_run_info(run_id).await?.artifact_uri;
        let (store, root) = self.resolve_run_root(&root_uri)?;
        let files = store
            .list(&root.join(&relative))
            .await?
            .into_iter()
            .map(|file| FileInfo {
                path: if relative.is_root() {
                    file.path
                } else {
                    format!("{relative}/{}", file.path)
                },
                ..file
            })
            .collect();
        Ok(ListArtifactsResponse { root_uri, files })
    }

    /// `GET /get-artifact?run_uuid=&path=`: streams one file of a run's artifacts.
    pub async fn download_run_artifact(
        &self,
        tracking: &TrackingService,
        run_id: &str,
        path: &str,
        range: Option<ByteRange>,
    ) -> Result<DownloadOutcome, MlflowError> {
        let relative = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
        let info = tracking.store().get_run_info(run_id).await?;
        let (store, root) = self.resolve_run_root(&info.artifact_uri)?;
        fetch(store.as_ref(), &root.join(&relative), range).await
    }

    /// `GET /model-versions/get-artifact?name=&version=&path=`: streams one file of a
    /// model version, from its download URI (`get_model_version_artifact_handler`).
    pub async fn download_model_version_artifact(
        &self,
        tracking: &TrackingService,
        version: ModelVersionName,
        path: &str,
        range: Option<ByteRange>,
    ) -> Result<DownloadOutcome, MlflowError> {
        let relative = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
        let uri = tracking
            .get_model_version_download_uri(version)
            .await?
            .artifact_uri;
        let (store, root) = self.resolve_run_root(&uri)?;
        fetch(store.as_ref(), &root.join(&relative), range).await
    }

    /// Maps a run's artifact URI to a store and a folder in it, as MLflow's
    /// `_is_servable_proxied_run_artifact_root` and
    /// `_get_proxied_run_artifact_destination_path` do.
    fn resolve_run_root(
        &self,
        artifact_uri: &str,
    ) -> Result<(Arc<dyn ArtifactStore>, ArtifactPath), MlflowError> {
        if let (Some(destination), Some(path)) = (&self.proxied, proxied_path(artifact_uri)) {
            let root = ArtifactPath::parse(path).map_err(ArtifactError::from)?;
            return Ok((Arc::clone(destination), root));
        }
        Ok((artifacts::open(artifact_uri)?, ArtifactPath::root()))
    }
}

/// Returns the path part of a proxied artifact URI: `mlflow-artifacts:/p`,
/// `mlflow-artifacts://host:port/p`, or `http(s)://host/api/2.0/mlflow-artifacts/artifacts/p`.
fn proxied_path(uri: &str) -> Option<&str> {
    if let Some(rest) = uri.strip_prefix("mlflow-artifacts:") {
        let path = match rest.strip_prefix("//") {
            Some(authority_and_path) => authority_and_path
                .find('/')
                .map_or("", |i| &authority_and_path[i..]),
            None => rest,
        };
        return Some(path.trim_start_matches('/'));
    }
    if uri.starts_with("http://") || uri.starts_with("https://") {
        const ANCHOR: &str = "/api/2.0/mlflow-artifacts/artifacts/";
        return uri
            .split_once(ANCHOR)
            .map(|(_, tail)| tail.trim_start_matches('/'));
    }
    None
}

/// Streams `path` from `store`, turning an unsatisfiable range into its outcome.
async fn fetch(
    store: &dyn ArtifactStore,
    path: &ArtifactPath,
    range: Option<ByteRange>,
) -> Result<DownloadOutcome, MlflowError> {
    let file_name = path
        .file_name()
        .ok_or_else(|| MlflowError::from(ArtifactError::IsDirectory(String::new())))?
        .to_string();
    match store.get(path, range).await {
        Ok(download) => Ok(DownloadOutcome::Content {
            download,
            file_name,
        }),
        Err(ArtifactError::RangeNotSatisfiable { size }) => {
            Ok(DownloadOutcome::Unsatisfiable { size })
        }
        Err(other) => Err(other.into()),
    }
}

/// Returns the destination of a multipart upload: `<folder>/<basename(local_file)>`,
/// as MLflow's repositories build it.
fn multipart_target(folder: &str, local_file: Option<&str>) -> Result<ArtifactPath, MlflowError> {
    let local_file = required(local_file, "path")?;
    let name = local_file
        .rsplit(['/', '\\'])
        .next()
        .filter(|name| !name.is_empty())
        .ok_or_else(|| MlflowError::invalid(format!("Invalid path '{local_file}'")))?;
    let folder = ArtifactPath::parse(folder).map_err(ArtifactError::from)?;
    let name = ArtifactPath::parse(name).map_err(ArtifactError::from)?;
    Ok(folder.join(&name))
}

/// Returns a required string field, or MLflow's missing-parameter error.
fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, MlflowError> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| {
        MlflowError::invalid(format!("Missing value for required parameter '{name}'."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxied_uris_map_to_destination_paths() {
        assert_eq!(
            proxied_path("mlflow-artifacts:/1/abc/artifacts"),
            Some("1/abc/artifacts")
        );
        assert_eq!(
            proxied_path("mlflow-artifacts://host:5000/1/abc/artifacts"),
            Some("1/abc/artifacts")
        );
        assert_eq!(
            proxied_path("http://h:5000/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts"),
            Some("2/r/artifacts")
        );
        assert_eq!(proxied_path("s3://bucket/1/r/artifacts"), None);
        assert_eq!(proxied_path("/abs/1/r/artifacts"), None);
    }

    #[test]
    fn multipart_targets_use_the_local_base_name() {
        let target = multipart_target("1/r/artifacts/model", Some("/tmp/x/weights.bin")).unwrap();
        assert_eq!(target.to_string(), "1/r/artifacts/model/weights.bin");
        assert!(multipart_target("../x", Some("/tmp/a")).is_err());
        assert!(multipart_target("x", Some("/tmp/")).is_err());
        assert!(multipart_target("x", None).is_err());
    }
}
