//! Run artifacts: upload, list and download, wherever the run's `artifact_uri` points.
//!
//! - `mlflow-artifacts:/<experiment>/<run>/artifacts` (a server with `--serve-artifacts`,
//!   MLflow's default): MLflow's artifact proxy REST API, as
//!   `mlflow/store/artifact/http_artifact_repo.py` speaks it — `PUT` and `GET`
//!   `/api/2.0/mlflow-artifacts/artifacts/<root>/<path>` for a file, `GET
//!   /api/2.0/mlflow-artifacts/artifacts?path=<root>/<dir>` to list a directory (the
//!   server answers `{"files": [{"path", "is_dir", "file_size"}]}` with names relative
//!   to that directory).
//! - A local path or `file://` URI (ferroflow's default, and `mlflow server
//!   --default-artifact-root <dir>`): plain file copies, as MLflow's
//!   `LocalArtifactRepository` does; this needs the client to see the server's disk.
//!
//! Files travel whole in memory, so an upload can be retried as-is.

use std::path::{Component, Path, PathBuf};

use ferroflow_protocol::{wire, RunInfo};
use reqwest::Method;
use serde::Deserialize;

use crate::client::{Body, Client};
use crate::error::{Error, Result};

/// Path of MLflow's artifact proxy below the tracking URI.
const ARTIFACTS_PREFIX: &str = "api/2.0/mlflow-artifacts/artifacts";

/// One entry of an artifact listing (`FileInfo` in MLflow's `service.proto`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct FileInfo {
    /// Path relative to the run's artifact root, `/`-separated.
    pub path: String,
    /// Whether the entry is a directory.
    #[serde(default, with = "wire::boolean")]
    pub is_dir: bool,
    /// Size in bytes, for files.
    #[serde(default, with = "wire::opt_int64")]
    pub file_size: Option<i64>,
}

#[derive(Deserialize)]
struct ListResponse {
    #[serde(default)]
    files: Vec<FileInfo>,
}

/// Where one run's artifacts live.
pub(crate) enum ArtifactRepository {
    /// A directory the client can write.
    Local(PathBuf),
    /// MLflow's artifact proxy.
    Http {
        client: Client,
        /// `<tracking uri>/api/2.0/mlflow-artifacts/artifacts`.
        base_url: String,
        /// The run's root below the proxy, e.g. `1/<run id>/artifacts`.
        root: String,
    },
}

impl ArtifactRepository {
    /// Returns the repository of a run, from its `artifact_uri`.
    pub(crate) fn for_run(client: &Client, info: &RunInfo) -> Result<Self> {
        let uri = info.artifact_uri.as_str();
        if uri.starts_with("mlflow-artifacts:") {
            let parsed = url::Url::parse(uri).map_err(|e| {
                Error::InvalidArgument(format!("invalid artifact URI '{uri}': {e}"))
            })?;
            // `mlflow-artifacts://host:port/...` names the server; without a host, the
            // tracking server proxies.
            let server = match parsed.host_str() {
                Some(host) => {
                    let scheme = client.tracking_uri().split(':').next().unwrap_or("http");
                    match parsed.port() {
                        Some(port) => format!("{scheme}://{host}:{port}"),
                        None => format!("{scheme}://{host}"),
                    }
                }
                None => client.tracking_uri().to_string(),
            };
            return Ok(ArtifactRepository::Http {
                client: client.clone(),
                base_url: format!("{server}/{ARTIFACTS_PREFIX}"),
                root: parsed.path().trim_matches('/').to_string(),
            });
        }
        if uri.starts_with("file:") {
            let path = url::Url::parse(uri)
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .ok_or_else(|| Error::InvalidArgument(format!("invalid file URI '{uri}'")))?;
            return Ok(ArtifactRepository::Local(path));
        }
        if Path::new(uri).is_absolute() {
            return Ok(ArtifactRepository::Local(PathBuf::from(uri)));
        }
        Err(Error::InvalidArgument(format!(
            "artifact URI '{uri}' of run {} is not supported: this SDK handles \
             mlflow-artifacts:/ (the server's artifact proxy), file:// and local paths",
            info.run_id
        )))
    }

    /// Uploads a file, or a directory under its own name, below `artifact_path`.
    pub(crate) fn log_artifact(&self, local: &Path, artifact_path: Option<&str>) -> Result<()> {
        let name = local.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            Error::InvalidArgument(format!("'{}' has no file name", local.display()))
        })?;
        let destination = join(artifact_path.unwrap_or(""), name);
        let metadata = std::fs::metadata(local)
            .map_err(|e| Error::io(format!("cannot read '{}'", local.display()), e))?;
        if metadata.is_dir() {
            self.log_dir(local, &destination)
        } else {
            let bytes = std::fs::read(local)
                .map_err(|e| Error::io(format!("cannot read '{}'", local.display()), e))?;
            self.write(&destination, &bytes)
        }
    }

    fn log_dir(&self, dir: &Path, destination: &str) -> Result<()> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::io(format!("cannot list '{}'", dir.display()), e))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::io(format!("cannot list '{}'", dir.display()), e))?;
            self.log_artifact(&entry.path(), Some(destination))?;
        }
        Ok(())
    }

    /// Stores `bytes` as the artifact at `artifact_file`.
    pub(crate) fn write(&self, artifact_file: &str, bytes: &[u8]) -> Result<()> {
        let relative = check_path(artifact_file)?;
        match self {
            ArtifactRepository::Local(root) => {
                let target = root.join(&relative);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        Error::io(format!("cannot create '{}'", parent.display()), e)
                    })?;
                }
                std::fs::write(&target, bytes)
                    .map_err(|e| Error::io(format!("cannot write '{}'", target.display()), e))
            }
            ArtifactRepository::Http { client, .. } => {
                let url = self.file_url(&relative)?;
                client.execute(
                    Method::PUT,
                    &url,
                    "mlflow-artifacts/artifacts",
                    &[],
                    &Body::Bytes(bytes.to_vec()),
                    |_| Ok(()),
                )
            }
        }
    }

    /// Lists the directory `path` (the root when `None`), sorted by path.
    pub(crate) fn list(&self, path: Option<&str>) -> Result<Vec<FileInfo>> {
        let relative = match path {
            Some(p) if !p.trim_matches('/').is_empty() => check_path(p)?,
            _ => String::new(),
        };
        let mut files = match self {
            ArtifactRepository::Local(root) => {
                let dir = root.join(&relative);
                if !dir.is_dir() {
                    return Ok(Vec::new());
                }
                let entries = std::fs::read_dir(&dir)
                    .map_err(|e| Error::io(format!("cannot list '{}'", dir.display()), e))?;
                let mut files = Vec::new();
                for entry in entries {
                    let entry = entry
                        .map_err(|e| Error::io(format!("cannot list '{}'", dir.display()), e))?;
                    let metadata = entry.metadata().map_err(|e| {
                        Error::io(format!("cannot stat '{}'", entry.path().display()), e)
                    })?;
                    files.push(FileInfo {
                        path: join(&relative, &entry.file_name().to_string_lossy()),
                        is_dir: metadata.is_dir(),
                        file_size: (!metadata.is_dir()).then_some(metadata.len() as i64),
                    });
                }
                files
            }
            ArtifactRepository::Http {
                client,
                base_url,
                root,
            } => {
                let listed = join(root, &relative);
                let bytes = client.execute(
                    Method::GET,
                    base_url,
                    "mlflow-artifacts/artifacts",
                    &[("path", &listed)],
                    &Body::None,
                    |r| r.bytes(),
                )?;
                let response: ListResponse =
                    serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                        endpoint: "mlflow-artifacts/artifacts".into(),
                        message: e.to_string(),
                    })?;
                let mut files = Vec::with_capacity(response.files.len());
                for mut file in response.files {
                    // Names come back relative to the listed directory; refuse any that
                    // would escape it once joined.
                    check_path(&file.path)?;
                    file.path = join(&relative, &file.path);
                    files.push(file);
                }
                files
            }
        };
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Downloads the file or directory at `path` into `dst_dir`, keeping its relative
    /// path, and returns where it landed.
    pub(crate) fn download(&self, path: &str, dst_dir: &Path) -> Result<PathBuf> {
        let relative = check_path(path)?;
        let target = dst_dir.join(&relative);
        let children = self.list(Some(&relative))?;
        if !children.is_empty() {
            for child in children {
                self.download(&child.path, dst_dir)?;
            }
            return Ok(target);
        }
        let bytes = match self {
            ArtifactRepository::Local(root) => {
                let source = root.join(&relative);
                std::fs::read(&source).map_err(|e| {
                    Error::io(format!("cannot read artifact '{}'", source.display()), e)
                })?
            }
            ArtifactRepository::Http { client, .. } => {
                let url = self.file_url(&relative)?;
                client
                    .execute(
                        Method::GET,
                        &url,
                        "mlflow-artifacts/artifacts",
                        &[],
                        &Body::None,
                        |r| r.bytes(),
                    )?
                    .to_vec()
            }
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(format!("cannot create '{}'", parent.display()), e))?;
        }
        std::fs::write(&target, bytes)
            .map_err(|e| Error::io(format!("cannot write '{}'", target.display()), e))?;
        Ok(target)
    }

    /// Returns the proxy URL of one artifact, each path segment percent-encoded.
    fn file_url(&self, relative: &str) -> Result<String> {
        let ArtifactRepository::Http { base_url, root, .. } = self else {
            return Err(Error::InvalidArgument(
                "not an HTTP artifact repository".into(),
            ));
        };
        let mut url = url::Url::parse(base_url).map_err(|e| {
            Error::InvalidArgument(format!("invalid artifact URL '{base_url}': {e}"))
        })?;
        url.path_segments_mut()
            .map_err(|()| Error::InvalidArgument(format!("invalid artifact URL '{base_url}'")))?
            .extend(
                root.split('/')
                    .chain(relative.split('/'))
                    .filter(|s| !s.is_empty()),
            );
        Ok(url.to_string())
    }
}

impl Client {
    /// Lists a run's artifacts under `path` (the root when `None`).
    pub fn list_artifacts(&self, run_id: &str, path: Option<&str>) -> Result<Vec<FileInfo>> {
        let run = self.get_run(run_id)?;
        ArtifactRepository::for_run(self, &run.info)?.list(path)
    }

    /// Uploads a local file or directory into a run's artifacts, under
    /// `artifact_path` when given.
    pub fn log_artifact(
        &self,
        run_id: &str,
        local_path: &Path,
        artifact_path: Option<&str>,
    ) -> Result<()> {
        let run = self.get_run(run_id)?;
        ArtifactRepository::for_run(self, &run.info)?.log_artifact(local_path, artifact_path)
    }

    /// Downloads a run's artifact (file or directory) at `path` into `dst_dir` and
    /// returns the local path.
    pub fn download_artifacts(&self, run_id: &str, path: &str, dst_dir: &Path) -> Result<PathBuf> {
        let run = self.get_run(run_id)?;
        ArtifactRepository::for_run(self, &run.info)?.download(path, dst_dir)
    }
}

/// Joins two `/`-separated artifact paths.
fn join(base: &str, name: &str) -> String {
    match (base.trim_matches('/'), name.trim_matches('/')) {
        ("", name) => name.to_string(),
        (base, "") => base.to_string(),
        (base, name) => format!("{base}/{name}"),
    }
}

/// Checks that an artifact path stays inside the run's root and returns it without
/// leading or trailing slashes.
fn check_path(path: &str) -> Result<String> {
    let trimmed = path.trim_matches('/');
    let escapes = Path::new(trimmed)
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if trimmed.is_empty() || escapes || path.starts_with('/') {
        return Err(Error::InvalidArgument(format!(
            "invalid artifact path '{path}': it must be relative and stay inside the run's \
             artifact directory"
        )));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths_stay_inside_the_root() {
        assert_eq!(check_path("a/b.txt").unwrap(), "a/b.txt");
        assert_eq!(check_path("dir/").unwrap(), "dir");
        for bad in ["", "/etc/passwd", "../x", "a/../../x"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("d", "a"), "d/a");
    }

    #[test]
    fn mlflow_artifacts_uris_resolve_to_the_proxy() {
        let client = Client::new("http://127.0.0.1:5000").unwrap();
        let info = RunInfo {
            run_id: "abc".into(),
            artifact_uri: "mlflow-artifacts:/1/abc/artifacts".into(),
            ..RunInfo::default()
        };
        let repo = ArtifactRepository::for_run(&client, &info).unwrap();
        assert_eq!(
            repo.file_url("plots/loss curve.png").unwrap(),
            "http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/plots/loss%20curve.png"
        );
        let s3 = RunInfo {
            artifact_uri: "s3://bucket/x".into(),
            ..info
        };
        assert!(ArtifactRepository::for_run(&client, &s3).is_err());
    }
}
