//! Running the server: open the store, bind, serve until Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::ServerArgs;
use crate::store::sql::{DatabaseUri, SqlStore};
use crate::{app, AppState};

/// Opens the store named by a backend-store URI, migrating it.
pub async fn open_store(
    uri: &str,
    artifact_root: &str,
    max_connections: u32,
) -> anyhow::Result<SqlStore> {
    let parsed = DatabaseUri::parse(uri).map_err(anyhow::Error::msg)?;
    SqlStore::open(&parsed, artifact_root, max_connections)
        .await
        .with_context(|| format!("cannot open backend store {parsed}"))
}

/// Serves the tracking API until a shutdown signal.
pub async fn serve(args: &ServerArgs) -> anyhow::Result<()> {
    let store = open_store(
        &args.backend_store_uri,
        &args.artifact_root(),
        args.db_max_connections,
    )
    .await?;
    let address = format!("{}:{}", args.host, args.port);
    let listener = TcpListener::bind(&address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("cannot listen on {address}: the port is already in use")
        } else {
            anyhow::anyhow!("cannot listen on {address}: {e}")
        }
    })?;
    tracing::info!(%address, store = %DatabaseUri::parse(&args.backend_store_uri).map(|u| u.to_string()).unwrap_or_default(), "ferroflow server listening");
    let state = AppState::new(Arc::new(store.clone()));
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
