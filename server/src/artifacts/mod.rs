//! Artifact storage: the [`ArtifactStore`] trait, its one implementation on the
//! `object_store` crate ([`object::ObjectArtifactStore`]: local disk, S3 and
//! S3-compatible services), and the path rules every client path passes ([`path`]).
//!
//! This mirrors MLflow's `ArtifactRepository` (`mlflow/store/artifact/artifact_repo.py`)
//! as the tracking server uses it for `--serve-artifacts`: list, upload, download,
//! delete, multipart upload. Unlike MLflow, uploads and downloads are streams: no file
//! is ever held whole in memory or spooled to a temp file, and a write becomes visible
//! under its final name only once it is complete.
//!
//! Stores are chosen from a URI by [`open`]; nothing above the trait knows which
//! backend it talks to.

pub mod object;
pub mod path;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use ferroflow_protocol::ErrorCode;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::error::MlflowError;
pub use path::{ArtifactPath, InvalidPath};

/// Bytes flowing into or out of a store, chunk by chunk.
pub type ByteStream = BoxStream<'static, Result<Bytes, std::io::Error>>;

/// One entry of a listing, as MLflow's `FileInfo` proto.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Name relative to the listed folder (the service makes it run-relative).
    pub path: String,
    /// Whether this is a folder.
    pub is_dir: bool,
    /// Size in bytes; absent for folders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// A byte range of a download, as a `Range` header asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteRange {
    /// Bytes `start..=end` (`bytes=start-end`); `end` past the object is clamped.
    Inclusive {
        /// First byte.
        start: u64,
        /// Last byte.
        end: u64,
    },
    /// From `start` to the end (`bytes=start-`).
    From(u64),
    /// The last `n` bytes (`bytes=-n`).
    Suffix(u64),
}

impl ByteRange {
    /// Returns the byte offsets this range covers in an object of `size` bytes, or
    /// `None` when it covers none (HTTP 416).
    pub fn resolve(self, size: u64) -> Option<Range<u64>> {
        let range = match self {
            ByteRange::Inclusive { start, end } if start <= end => {
                start..end.saturating_add(1).min(size)
            }
            ByteRange::Inclusive { .. } => return None,
            ByteRange::From(start) => start..size,
            ByteRange::Suffix(n) => size.saturating_sub(n)..size,
        };
        (range.start < range.end).then_some(range)
    }
}

/// A download in progress.
pub struct Download {
    /// Size of the whole object.
    pub size: u64,
    /// The bytes `body` carries (the whole object unless a range was asked for).
    pub range: Range<u64>,
    /// The content.
    pub body: ByteStream,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("size", &self.size)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// One uploaded part of a multipart upload, as the client reports it on completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletedPart {
    /// 1-based part number.
    pub part_number: u32,
    /// The ETag the part upload answered with (empty to skip the check).
    pub etag: String,
}

/// Why an artifact operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// A client path broke the path rules.
    #[error("Invalid path")]
    InvalidPath,
    /// Nothing is stored at the path.
    #[error("No such file or directory: '{0}'")]
    NotFound(String),
    /// The path names a folder where a file was expected.
    #[error("Artifact path refers to a directory, not a file: '{0}'")]
    IsDirectory(String),
    /// The upload exceeded the configured maximum.
    #[error("Artifact upload exceeds the maximum size of {limit} bytes")]
    TooLarge {
        /// The maximum, in bytes.
        limit: u64,
    },
    /// The requested range lies outside the object.
    #[error("Requested range not satisfiable for an object of {size} bytes")]
    RangeNotSatisfiable {
        /// Size of the object.
        size: u64,
    },
    /// A multipart upload id is unknown, or belongs to another path.
    #[error("No multipart upload '{0}' for this path")]
    NoSuchUpload(String),
    /// A completion request named parts that were not uploaded or do not match.
    #[error("{0}")]
    InvalidPart(String),
    /// The client's request body failed mid-stream.
    #[error("upload interrupted: {0}")]
    Interrupted(String),
    /// The artifact URI cannot be served by this server.
    #[error("{0}")]
    UnsupportedUri(String),
    /// The storage backend failed.
    #[error("artifact store error: {0}")]
    Store(#[from] object_store::Error),
}

impl From<InvalidPath> for ArtifactError {
    fn from(_: InvalidPath) -> Self {
        ArtifactError::InvalidPath
    }
}

impl From<ArtifactError> for MlflowError {
    fn from(err: ArtifactError) -> Self {
        let message = err.to_string();
        match err {
            ArtifactError::InvalidPath
            | ArtifactError::IsDirectory(_)
            | ArtifactError::InvalidPart(_)
            | ArtifactError::UnsupportedUri(_) => MlflowError::invalid(message),
            ArtifactError::TooLarge { .. } => {
                MlflowError::new(ErrorCode::RequestLimitExceeded, message)
            }
            ArtifactError::NotFound(_) | ArtifactError::NoSuchUpload(_) => {
                MlflowError::not_found(message)
            }
            ArtifactError::RangeNotSatisfiable { .. } | ArtifactError::Interrupted(_) => {
                MlflowError::bad_request(message)
            }
            // Backend messages carry bucket names, keys and endpoints: log, answer generically.
            ArtifactError::Store(source) => {
                tracing::error!(error = %source, "artifact store operation failed");
                MlflowError::new(
                    ErrorCode::InternalError,
                    "internal error: the artifact store failed",
                )
            }
        }
    }
}

/// Result of artifact operations.
pub type ArtifactResult<T> = Result<T, ArtifactError>;

/// An artifact store: a tree of files addressed by [`ArtifactPath`] below one root.
#[async_trait]
pub trait ArtifactStore: Send + Sync + fmt::Debug {
    /// Returns the URI of the store's root (`/abs/dir`, `s3://bucket/prefix`).
    fn uri(&self) -> &str;

    /// Writes `body` to `path`, replacing any file there. The file appears under its
    /// name only once the body has been read completely; a failed or oversized upload
    /// (more than `max_bytes`) leaves nothing under that name. Returns the bytes written.
    async fn put(
        &self,
        path: &ArtifactPath,
        body: ByteStream,
        max_bytes: u64,
    ) -> ArtifactResult<u64>;

    /// Streams the file at `path`, or the part of it `range` selects.
    async fn get(&self, path: &ArtifactPath, range: Option<ByteRange>) -> ArtifactResult<Download>;

    /// Lists the direct children of folder `path`, sorted by name; empty when `path` is
    /// a file or does not exist (as MLflow's repositories answer).
    async fn list(&self, path: &ArtifactPath) -> ArtifactResult<Vec<FileInfo>>;

    /// Deletes the file at `path`, or everything below it when it is a folder.
    async fn delete(&self, path: &ArtifactPath) -> ArtifactResult<()>;

    /// Starts a multipart upload to `path` and returns its id.
    async fn create_multipart(&self, path: &ArtifactPath) -> ArtifactResult<String>;

    /// Stores part `part_number` (1-based) of an upload; returns the part's ETag.
    async fn put_part(
        &self,
        path: &ArtifactPath,
        upload_id: &str,
        part_number: u32,
        body: ByteStream,
        max_bytes: u64,
    ) -> ArtifactResult<String>;

    /// Joins `parts`, in order, into the file at `path` and forgets the upload.
    async fn complete_multipart(
        &self,
        path: &ArtifactPath,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> ArtifactResult<()>;

    /// Drops an upload and its parts; `path` never appears.
    async fn abort_multipart(&self, path: &ArtifactPath, upload_id: &str) -> ArtifactResult<()>;
}

/// Opens the store at `uri`: an absolute or relative local path, `file://` URI, or
/// `s3://bucket/prefix` (endpoint from `MLFLOW_S3_ENDPOINT_URL`, credentials and region
/// from the usual `AWS_*` variables).
pub fn open(uri: &str) -> ArtifactResult<Arc<dyn ArtifactStore>> {
    Ok(Arc::new(object::ObjectArtifactStore::open(uri)?))
}
