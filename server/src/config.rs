//! The server's settings, as `mlflow server` names its flags and environment variables.

use std::path::Path;

use clap::Args;

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
    /// ./mlartifacts as an absolute path.
    #[arg(long, env = "MLFLOW_DEFAULT_ARTIFACT_ROOT")]
    pub default_artifact_root: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "MLFLOW_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on.
    #[arg(long, short = 'p', env = "MLFLOW_PORT", default_value_t = 5000)]
    pub port: u16,

    /// Worker threads serving requests (default: one per CPU core).
    #[arg(long, short = 'w', env = "MLFLOW_WORKERS")]
    pub workers: Option<usize>,

    /// Most database connections per pool.
    #[arg(long, env = "FERROFLOW_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
}

impl ServerArgs {
    /// Returns the artifact root to use, resolving the default against the working
    /// directory so that every client sees the same absolute location.
    pub fn artifact_root(&self) -> String {
        match &self.default_artifact_root {
            Some(root) => root.clone(),
            None => std::env::current_dir()
                .unwrap_or_else(|_| Path::new(".").to_path_buf())
                .join("mlartifacts")
                .display()
                .to_string(),
        }
    }
}
