//! An in-process ferroflow server on a free port, on SQLite or a fresh PostgreSQL
//! database, that a test can stop and restart on the same port.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ferroflow_sdk::{BatchConfig, Client, ClientBuilder, RetryPolicy};
use sqlx::Connection;
use tempfile::TempDir;

/// Which store backs the server.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A ferroflow server running on its own tokio runtime.
pub struct TestServer {
    pub uri: String,
    port: u16,
    store_uri: String,
    pub artifact_root: PathBuf,
    runtime: Option<tokio::runtime::Runtime>,
    /// The PostgreSQL database to drop afterwards: (admin URL, name).
    postgres: Option<(String, String)>,
    _dir: TempDir,
}

fn postgres_admin_url() -> String {
    std::env::var("FERROFLOW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/postgres".to_string())
}

fn small_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

impl TestServer {
    /// Starts a server on a fresh store.
    pub fn start(backend: Backend) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let artifact_root = dir.path().join("artifacts");
        let (store_uri, postgres) = match backend {
            Backend::Sqlite => (
                format!("sqlite:///{}", dir.path().join("mlflow.db").display()),
                None,
            ),
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("ferroflow_sdk_{}", uuid::Uuid::new_v4().simple());
                small_runtime().block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&admin)
                        .await
                        .expect("connect to PostgreSQL (set FERROFLOW_TEST_POSTGRES_URL)");
                    sqlx::query(&format!("CREATE DATABASE {name}"))
                        .execute(&mut conn)
                        .await
                        .expect("create test database");
                });
                let mut url = url::Url::parse(&admin).expect("admin url");
                url.set_path(&name);
                (url.to_string(), Some((admin, name)))
            }
        };
        let mut server = TestServer {
            uri: String::new(),
            port: 0,
            store_uri,
            artifact_root,
            runtime: None,
            postgres,
            _dir: dir,
        };
        server.serve();
        server
    }

    /// Opens the store and serves on `self.port` (a free port the first time).
    fn serve(&mut self) {
        let runtime = small_runtime();
        let port = runtime.block_on(async {
            let store = ferroflow_server::server::open_store(
                &self.store_uri,
                &self.artifact_root.display().to_string(),
                4,
            )
            .await
            .expect("open store");
            let app = ferroflow_server::app(ferroflow_server::AppState::new(Arc::new(store)));
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
                .await
                .expect("bind");
            let port = listener.local_addr().expect("local addr").port();
            tokio::spawn(async move { axum::serve(listener, app).await });
            port
        });
        self.port = port;
        self.uri = format!("http://127.0.0.1:{port}");
        self.runtime = Some(runtime);
    }

    /// Kills the server at once, as a crash would: open connections and requests in
    /// flight are dropped.
    pub fn stop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(500));
        }
    }

    /// Starts the server again on the same port and store.
    pub fn restart(&mut self) {
        self.stop();
        self.serve();
    }

    /// Returns a client with short retry pauses, so fault tests stay quick.
    pub fn client(&self) -> Client {
        self.client_builder().build().expect("client")
    }

    pub fn client_builder(&self) -> ClientBuilder {
        ClientBuilder::new(&self.uri)
            .retry(RetryPolicy {
                max_attempts: 10,
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(500),
            })
            .batching(BatchConfig {
                queue_capacity: 10_000,
                flush_interval: Duration::from_millis(200),
            })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        if let Some((admin, name)) = self.postgres.take() {
            small_runtime().block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        }
    }
}

/// Expands each listed `fn name(server: &mut TestServer)` into one test per store.
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let mut server = $crate::common::TestServer::start($crate::common::Backend::Sqlite);
                    super::$name(&mut server);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let mut server = $crate::common::TestServer::start($crate::common::Backend::Postgres);
                    super::$name(&mut server);
                }
            )*
        }
    };
}
pub(crate) use store_tests;
