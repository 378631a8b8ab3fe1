//! [`ObjectArtifactStore`]: the [`ArtifactStore`] over any `object_store` backend —
//! `LocalFileSystem` for paths and `file://` URIs, `AmazonS3` for `s3://` (AWS, MinIO,
//! moto, any S3-compatible service).
//!
//! Streaming: uploads go through `put_multipart` in parts ([`S3_PART_SIZE`] on S3,
//! [`LOCAL_PART_SIZE`] on disk) with at most [`UPLOAD_CONCURRENCY`] in flight, so memory
//! per upload is bounded whatever the file size; the local backend stages into
//! `<name>#<n>` and renames on completion, S3 makes a multipart object visible only on
//! completion, so a broken upload never leaves a partial file under its final name. Downloads stream the backend's body; local files
//! are read in [`LOCAL_READ_CHUNK`] pieces (`object_store`'s own local stream reads
//! 8 KiB at a time, far below disk speed).
//!
//! Multipart uploads from clients (MLflow's `mpu/create|complete|abort`) stage each
//! part as its own object under [`STAGING_DIR`](super::path::STAGING_DIR)`/<upload id>/`
//! next to a manifest naming the destination, and completion streams the parts, in
//! order, into the destination. This works on every backend alike.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::{Path as ObjectPath, PathPart};
use object_store::{
    GetOptions, GetRange, GetResultPayload, ObjectStore, PutPayload, WriteMultipart,
};

use super::{
    ArtifactError, ArtifactPath, ArtifactResult, ArtifactStore, ByteRange, ByteStream,
    CompletedPart, Download, FileInfo,
};
use crate::artifacts::path::STAGING_DIR;

/// Size of the parts an upload to S3 is cut into (S3 wants at least 5 MiB per part;
/// 10,000 parts of 8 MiB allow 78 GiB files).
pub const S3_PART_SIZE: usize = 8 * 1024 * 1024;

/// Size of the parts an upload to local disk is cut into. Disk has no minimum part
/// size, and small parts free received buffers sooner: a 1 GiB upload peaks at 26 MB
/// of server RSS instead of 51-57 MB with S3-sized parts, at the same speed.
pub const LOCAL_PART_SIZE: usize = 1024 * 1024;

/// Parts of one upload written concurrently; with [`S3_PART_SIZE`] this bounds an
/// upload's buffers to about 40 MiB.
pub const UPLOAD_CONCURRENCY: usize = 4;

/// Read size for local downloads.
pub const LOCAL_READ_CHUNK: usize = 1024 * 1024;

/// Name of a multipart upload's manifest object, which holds the destination path.
const MANIFEST: &str = "target";

/// An artifact store on an `object_store` backend, rooted at a prefix.
#[derive(Debug)]
pub struct ObjectArtifactStore {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    uri: String,
    /// Size of the parts uploads are written in; files up to it take one `put`.
    part_size: usize,
}

impl ObjectArtifactStore {
    /// Returns a store over `store` below `prefix`, reported as `uri`, writing uploads
    /// in parts of `part_size` bytes.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        prefix: ObjectPath,
        uri: String,
        part_size: usize,
    ) -> Self {
        ObjectArtifactStore {
            store,
            prefix,
            uri,
            part_size,
        }
    }

    /// Opens the store a URI names; see [`super::open`].
    pub fn open(uri: &str) -> ArtifactResult<Self> {
        if let Some(rest) = uri
            .strip_prefix("s3://")
            .or_else(|| uri.strip_prefix("s3a://"))
        {
            return open_s3(uri, rest);
        }
        let local = if let Some(rest) = uri.strip_prefix("file://") {
            PathBuf::from(rest)
        } else if uri.contains("://") || uri.starts_with("mlflow-artifacts:") {
            return Err(ArtifactError::UnsupportedUri(format!(
                "Artifact URI '{uri}' is not a local path or an s3:// URI this server can open"
            )));
        } else {
            PathBuf::from(uri)
        };
        let local = if local.is_absolute() {
            local
        } else {
            std::env::current_dir()
                .map_err(|e| ArtifactError::UnsupportedUri(format!("no working directory: {e}")))?
                .join(local)
        };
        std::fs::create_dir_all(&local).map_err(|e| {
            ArtifactError::UnsupportedUri(format!(
                "cannot create artifact directory {}: {e}",
                local.display()
            ))
        })?;
        let fs = LocalFileSystem::new_with_prefix(&local)?.with_automatic_cleanup(true);
        Ok(Self::new(
            Arc::new(fs),
            ObjectPath::default(),
            local.display().to_string(),
            LOCAL_PART_SIZE,
        ))
    }

    /// Returns the backend location of an artifact path.
    fn location(&self, path: &ArtifactPath) -> ObjectPath {
        self.prefix
            .parts()
            .chain(path.segments().iter().map(|s| PathPart::from(s.as_str())))
            .collect()
    }

    /// Returns a listing prefix: the location of `path`, or `None` for the bucket root
    /// (object_store lists nothing for an empty `Some` prefix on some backends).
    fn list_prefix(&self, path: &ArtifactPath) -> Option<ObjectPath> {
        let location = self.location(path);
        (!location.as_ref().is_empty()).then_some(location)
    }

    /// Converts a backend error about `path`, recognising "not found".
    fn not_found_or(path: &ArtifactPath, err: object_store::Error) -> ArtifactError {
        match err {
            object_store::Error::NotFound { .. } => ArtifactError::NotFound(path.to_string()),
            other => ArtifactError::Store(other),
        }
    }

    /// Returns whether something is stored below `path` (it is a folder).
    async fn is_folder(&self, path: &ArtifactPath) -> bool {
        let prefix = self.list_prefix(path);
        matches!(self.store.list(prefix.as_ref()).next().await, Some(Ok(_)))
    }

    /// Reads the manifest of upload `upload_id` and checks it names `path`.
    async fn check_upload(&self, path: &ArtifactPath, upload_id: &str) -> ArtifactResult<()> {
        let staging = staging_dir(upload_id)?;
        let manifest = self.location(&staging.child(MANIFEST.to_string()));
        let target = match self.store.get(&manifest).await {
            Ok(result) => result.bytes().await?,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(ArtifactError::NoSuchUpload(upload_id.to_string()))
            }
            Err(other) => return Err(other.into()),
        };
        if target != path.to_string().as_bytes() {
            return Err(ArtifactError::NoSuchUpload(upload_id.to_string()));
        }
        Ok(())
    }
}

/// Opens `s3://bucket/prefix`.
fn open_s3(uri: &str, rest: &str) -> ArtifactResult<ObjectArtifactStore> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(ArtifactError::UnsupportedUri(format!(
            "Artifact URI '{uri}' names no bucket"
        )));
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    if let Ok(endpoint) = std::env::var("MLFLOW_S3_ENDPOINT_URL") {
        if !endpoint.is_empty() {
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
    }
    if std::env::var("AWS_DEFAULT_REGION").is_err() && std::env::var("AWS_REGION").is_err() {
        builder = builder.with_region("us-east-1");
    }
    let store = builder.build()?;
    let prefix = ObjectPath::parse(prefix.trim_matches('/'))
        .map_err(|e| ArtifactError::UnsupportedUri(format!("invalid S3 prefix in '{uri}': {e}")))?;
    Ok(ObjectArtifactStore::new(
        Arc::new(store),
        prefix,
        uri.trim_end_matches('/').to_string(),
        S3_PART_SIZE,
    ))
}

/// Returns the staging folder of an upload, refusing ids the server did not make.
fn staging_dir(upload_id: &str) -> ArtifactResult<ArtifactPath> {
    if upload_id.len() != 32 || !upload_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ArtifactError::NoSuchUpload(upload_id.to_string()));
    }
    Ok(ArtifactPath::staging(upload_id))
}

/// Name of a staged part; zero-padded so names sort by number.
fn part_name(part_number: u32) -> String {
    format!("part-{part_number:05}")
}

/// Writes `body` to `location`: one `put` when it fits in a part, otherwise a
/// streamed multipart upload in parts of `part_size` that is aborted on any failure.
async fn write_stream(
    store: &dyn ObjectStore,
    location: &ObjectPath,
    mut body: ByteStream,
    max_bytes: u64,
    part_size: usize,
) -> ArtifactResult<(u64, Option<String>)> {
    let mut total: u64 = 0;
    let mut head: Vec<Bytes> = Vec::new();
    let mut head_len = 0usize;
    // Small files (most artifacts) take one request instead of three.
    loop {
        match body.next().await {
            None => {
                let result = store.put(location, PutPayload::from_iter(head)).await?;
                return Ok((total, result.e_tag));
            }
            Some(chunk) => {
                let chunk = chunk.map_err(|e| ArtifactError::Interrupted(e.to_string()))?;
                total += chunk.len() as u64;
                if total > max_bytes {
                    return Err(ArtifactError::TooLarge { limit: max_bytes });
                }
                head_len += chunk.len();
                head.push(chunk);
                if head_len >= part_size {
                    break;
                }
            }
        }
    }
    let upload = store.put_multipart(location).await?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, part_size);
    for chunk in head {
        writer.put(chunk);
    }
    let outcome: ArtifactResult<()> = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ArtifactError::Interrupted(e.to_string()))?;
            total += chunk.len() as u64;
            if total > max_bytes {
                return Err(ArtifactError::TooLarge { limit: max_bytes });
            }
            writer.wait_for_capacity(UPLOAD_CONCURRENCY).await?;
            writer.put(chunk);
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            let result = writer.finish().await?;
            Ok((total, result.e_tag))
        }
        Err(err) => {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(error = %abort, "aborting a failed artifact upload failed");
            }
            Err(err)
        }
    }
}

/// Streams `range` of a local file in [`LOCAL_READ_CHUNK`] pieces, each read on the
/// blocking pool straight into the buffer that is sent. (`tokio::fs::File` reads into
/// its own buffer and copies from it: one more pass over every byte.)
fn read_file(mut file: std::fs::File, range: std::ops::Range<u64>) -> ArtifactResult<ByteStream> {
    // A seek only moves the file offset: no disk access to keep off this thread.
    file.seek(SeekFrom::Start(range.start)).map_err(|e| {
        ArtifactError::Store(object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(e),
        })
    })?;
    let state = (file, range.end - range.start);
    let stream = futures::stream::try_unfold(state, |(mut file, left)| async move {
        if left == 0 {
            return Ok(None);
        }
        let want = left.min(LOCAL_READ_CHUNK as u64);
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            // Capacity, not length: the read fills uninitialised memory, no zeroing.
            let mut chunk = Vec::with_capacity(want as usize);
            (&mut file).take(want).read_to_end(&mut chunk)?;
            Ok::<_, std::io::Error>((file, chunk))
        })
        .await
        .map_err(std::io::Error::other)??;
        if chunk.is_empty() {
            // The file shrank under the download.
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let left = left - chunk.len() as u64;
        Ok(Some((Bytes::from(chunk), (file, left))))
    });
    Ok(stream.boxed())
}

#[async_trait]
impl ArtifactStore for ObjectArtifactStore {
    fn uri(&self) -> &str {
        &self.uri
    }

    async fn put(
        &self,
        path: &ArtifactPath,
        body: ByteStream,
        max_bytes: u64,
    ) -> ArtifactResult<u64> {
        if path.is_root() {
            return Err(ArtifactError::InvalidPath);
        }
        let (written, _) = write_stream(
            self.store.as_ref(),
            &self.location(path),
            body,
            max_bytes,
            self.part_size,
        )
        .await?;
        Ok(written)
    }

    async fn get(&self, path: &ArtifactPath, range: Option<ByteRange>) -> ArtifactResult<Download> {
        let location = self.location(path);
        let mut options = GetOptions::default();
        if let Some(range) = range {
            let size = match self.store.head(&location).await {
                Ok(meta) => meta.size,
                Err(err) => return Err(self.missing_file(path, err).await),
            };
            let bounds = range
                .resolve(size)
                .ok_or(ArtifactError::RangeNotSatisfiable { size })?;
            options.range = Some(GetRange::Bounded(bounds));
        }
        let result = match self.store.get_opts(&location, options).await {
            Ok(result) => result,
            Err(err) => return Err(self.missing_file(path, err).await),
        };
        let size = result.meta.size;
        let range = result.range.clone();
        let body: ByteStream = match result.payload {
            GetResultPayload::File(file, _) => read_file(file, range.clone())?,
            GetResultPayload::Stream(stream) => stream.map_err(std::io::Error::other).boxed(),
        };
        Ok(Download { size, range, body })
    }

    async fn list(&self, path: &ArtifactPath) -> ArtifactResult<Vec<FileInfo>> {
        let prefix = self.list_prefix(path);
        let listing = match self.store.list_with_delimiter(prefix.as_ref()).await {
            Ok(listing) => listing,
            Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(other) => return Err(other.into()),
        };
        let mut files: Vec<FileInfo> = listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .filter(|name| !(path.is_root() && name == STAGING_DIR))
            .map(|name| FileInfo {
                path: name,
                is_dir: true,
                file_size: None,
            })
            .chain(listing.objects.iter().filter_map(|meta| {
                meta.location.filename().map(|name| FileInfo {
                    path: name.to_string(),
                    is_dir: false,
                    file_size: Some(meta.size),
                })
            }))
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    async fn delete(&self, path: &ArtifactPath) -> ArtifactResult<()> {
        let prefix = self.list_prefix(path);
        let below = self
            .store
            .list(prefix.as_ref())
            .map_ok(|meta| meta.location)
            .boxed();
        let failures: Vec<_> = self
            .store
            .delete_stream(below)
            .filter_map(|result| async move {
                match result {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => None,
                    Err(err) => Some(err),
                }
            })
            .collect()
            .await;
        if let Some(err) = failures.into_iter().next() {
            return Err(err.into());
        }
        if !path.is_root() {
            match self.store.delete(&self.location(path)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    async fn create_multipart(&self, path: &ArtifactPath) -> ArtifactResult<String> {
        if path.is_root() {
            return Err(ArtifactError::InvalidPath);
        }
        let upload_id = uuid::Uuid::new_v4().simple().to_string();
        let manifest = ArtifactPath::staging(&upload_id).child(MANIFEST.to_string());
        self.store
            .put(
                &self.location(&manifest),
                PutPayload::from(path.to_string().into_bytes()),
            )
            .await?;
        Ok(upload_id)
    }

    async fn put_part(
        &self,
        path: &ArtifactPath,
        upload_id: &str,
        part_number: u32,
        body: ByteStream,
        max_bytes: u64,
    ) -> ArtifactResult<String> {
        if !(1..=10_000).contains(&part_number) {
            return Err(ArtifactError::InvalidPart(format!(
                "part_number must be between 1 and 10000, got {part_number}"
            )));
        }
        self.check_upload(path, upload_id).await?;
        let part = staging_dir(upload_id)?.child(part_name(part_number));
        let (_, e_tag) = write_stream(
            self.store.as_ref(),
            &self.location(&part),
            body,
            max_bytes,
            self.part_size,
        )
        .await?;
        Ok(e_tag.unwrap_or_default())
    }

    async fn complete_multipart(
        &self,
        path: &ArtifactPath,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> ArtifactResult<()> {
        self.check_upload(path, upload_id).await?;
        let staging = staging_dir(upload_id)?;
        if parts.is_empty() {
            return Err(ArtifactError::InvalidPart(
                "a multipart upload needs at least one part".to_string(),
            ));
        }
        let mut locations = Vec::with_capacity(parts.len());
        let mut previous = 0;
        for part in parts {
            if part.part_number <= previous {
                return Err(ArtifactError::InvalidPart(
                    "parts must be listed in increasing part_number order".to_string(),
                ));
            }
            previous = part.part_number;
            let location = self.location(&staging.child(part_name(part.part_number)));
            let meta = match self.store.head(&location).await {
                Ok(meta) => meta,
                Err(object_store::Error::NotFound { .. }) => {
                    return Err(ArtifactError::InvalidPart(format!(
                        "part {} was not uploaded",
                        part.part_number
                    )))
                }
                Err(other) => return Err(other.into()),
            };
            let stored = meta.e_tag.unwrap_or_default();
            if !part.etag.is_empty() && part.etag.trim_matches('"') != stored.trim_matches('"') {
                return Err(ArtifactError::InvalidPart(format!(
                    "ETag of part {} does not match the uploaded part",
                    part.part_number
                )));
            }
            locations.push(location);
        }
        // The parts, read one after the other, are the file.
        let store = Arc::clone(&self.store);
        let joined: ByteStream = futures::stream::iter(locations)
            .then(move |location| {
                let store = Arc::clone(&store);
                async move { store.get(&location).await.map(|r| r.into_stream()) }
            })
            .try_flatten()
            .map_err(std::io::Error::other)
            .boxed();
        write_stream(
            self.store.as_ref(),
            &self.location(path),
            joined,
            u64::MAX,
            self.part_size,
        )
        .await?;
        self.delete(&staging).await
    }

    async fn abort_multipart(&self, path: &ArtifactPath, upload_id: &str) -> ArtifactResult<()> {
        self.check_upload(path, upload_id).await?;
        self.delete(&staging_dir(upload_id)?).await
    }
}

impl ObjectArtifactStore {
    /// Explains a failed read of `path`: a folder, missing, or a backend failure.
    async fn missing_file(&self, path: &ArtifactPath, err: object_store::Error) -> ArtifactError {
        match Self::not_found_or(path, err) {
            ArtifactError::NotFound(name) if self.is_folder(path).await => {
                ArtifactError::IsDirectory(name)
            }
            other => other,
        }
    }
}
