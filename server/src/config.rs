//! The server's settings, as `mlflow server` names its flags and environment variables.

use std::path::Path;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args};

/// `ferroflow server` options.
#[derive(Args, Clone, Debug)]
pub struct ServerArgs {
    /// Where metadata lives: sqlite:///relative.db, sqlite:////abs/path.db or
    /// postgresql://user:pass@host:port/db.
    #[arg(
        long,
        env = "MLFLOW_BACKEND_STORE_URI",
        default_value = "sqlite:///mlflow.db"
    )]
    pub backend_store_uri: String,

    /// Artifact root of new experiments (`<root>/<experiment_id>`); defaults to
    /// mlflow-artifacts:/ when serving artifacts, else ./mlartifacts as an absolute path.
    #[arg(long, env = "MLFLOW_DEFAULT_ARTIFACT_ROOT")]
    pub default_artifact_root: Option<String>,

    /// Proxy artifact uploads, downloads and listings through this server, storing
    /// them under --artifacts-destination (on by default, as in MLflow).
    #[arg(
        long,
        env = "MLFLOW_SERVE_ARTIFACTS",
        default_value_t = true,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new(),
        overrides_with = "no_serve_artifacts"
    )]
    pub serve_artifacts: bool,

    /// Do not proxy artifacts: clients write to the artifact root directly.
    #[arg(long, overrides_with = "serve_artifacts")]
    pub no_serve_artifacts: bool,

    /// Where proxied artifacts are stored: a local directory or s3://bucket/prefix
    /// (endpoint from MLFLOW_S3_ENDPOINT_URL, credentials from the AWS_* variables).
    #[arg(
        long,
        env = "MLFLOW_ARTIFACTS_DESTINATION",
        default_value = "./mlartifacts"
    )]
    pub artifacts_destination: String,

    /// Serve only the mlflow-artifacts API; no tracking store is opened.
    #[arg(long, env = "MLFLOW_ARTIFACTS_ONLY")]
    pub artifacts_only: bool,

    /// Largest artifact upload accepted, in bytes or with a K, M, G or T suffix
    /// (powers of 1024).
    #[arg(
        long,
        env = "FERROFLOW_MAX_ARTIFACT_SIZE",
        default_value = "50G",
        value_parser = parse_size
    )]
    pub max_artifact_size: u64,

    /// Address to listen on.
    #[arg(long, env = "MLFLOW_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on.
    #[arg(long, short = 'p', env = "MLFLOW_PORT", default_value_t = 5000)]
    pub port: u16,

    /// Worker threads serving requests (default: one per CPU core).
    #[arg(long, short = 'w', env = "MLFLOW_WORKERS")]
    pub workers: Option<usize>,

    /// Most database connections per pool (SQLite: a reader and a writer pool;
    /// PostgreSQL: one for writes and most reads, one for reads of many rows).
    #[arg(long, env = "FERROFLOW_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
}

impl ServerArgs {
    /// Returns whether artifacts are proxied (`--serve-artifacts`, the default, and no
    /// `--no-serve-artifacts`).
    pub fn serves_artifacts(&self) -> bool {
        self.serve_artifacts && !self.no_serve_artifacts
    }

    /// Returns the artifact root of new experiments — the one place that decides it,
    /// as MLflow's `resolve_default_artifact_root` (`mlflow/utils/server_cli_utils.py`):
    /// `--default-artifact-root` when given; else `mlflow-artifacts:/` when serving
    /// artifacts, so runs get `mlflow-artifacts:/<experiment_id>/<run_id>/artifacts` and
    /// clients go through this server; else ./mlartifacts as an absolute path, so that
    /// every client sees the same location.
    pub fn artifact_root(&self) -> String {
        match &self.default_artifact_root {
            Some(root) => root.clone(),
            None if self.serves_artifacts() => "mlflow-artifacts:/".to_string(),
            None => std::env::current_dir()
                .unwrap_or_else(|_| Path::new(".").to_path_buf())
                .join("mlartifacts")
                .display()
                .to_string(),
        }
    }
}

/// Parses a size: `1048576`, `512K`, `100M`, `5G`, `1T` (powers of 1024; `KiB`, `MB`
/// and the like are read the same way).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| {
        format!("invalid size '{text}': expected a number with an optional K, M, G or T")
    })?;
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("invalid size '{text}': unknown unit '{unit}'")),
    };
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("invalid size '{text}': too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        server: ServerArgs,
    }

    fn args(argv: &[&str]) -> ServerArgs {
        let mut full = vec!["ferroflow"];
        full.extend_from_slice(argv);
        Cli::try_parse_from(full).unwrap().server
    }

    #[test]
    fn artifact_root_follows_mlflow() {
        let serving = args(&[]);
        assert!(serving.serves_artifacts());
        assert_eq!(serving.artifact_root(), "mlflow-artifacts:/");
        let explicit = args(&["--default-artifact-root", "s3://b/p"]);
        assert_eq!(explicit.artifact_root(), "s3://b/p");
        let direct = args(&["--no-serve-artifacts"]);
        assert!(!direct.serves_artifacts());
        assert!(Path::new(&direct.artifact_root()).is_absolute());
        assert!(direct.artifact_root().ends_with("mlartifacts"));
        assert!(!args(&["--serve-artifacts", "false"]).serves_artifacts());
        assert!(args(&["--no-serve-artifacts", "--serve-artifacts"]).serves_artifacts());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("5GiB"), Ok(5 << 30));
        assert_eq!(parse_size("2gb"), Ok(2 << 30));
        assert!(parse_size("5X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
