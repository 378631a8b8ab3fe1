//! Running the server: open the stores, bind, serve until Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::artifacts;
use crate::config::ServerArgs;
use crate::service::artifacts::ArtifactService;
use crate::store::sql::{DatabaseUri, SqlStore};
use crate::{app, app_artifacts_only, AppState};

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

/// Returns the artifact service the arguments ask for: proxying
/// `--artifacts-destination` when serving artifacts.
pub fn artifact_service(args: &ServerArgs) -> anyhow::Result<ArtifactService> {
    if !args.serves_artifacts() {
        return Ok(ArtifactService::not_serving());
    }
    let destination = artifacts::open(&args.artifacts_destination).with_context(|| {
        format!(
            "cannot open artifacts destination {}",
            args.artifacts_destination
        )
    })?;
    tracing::info!(destination = %destination.uri(), "serving artifacts");
    Ok(ArtifactService::new(
        Some(destination),
        args.max_artifact_size,
    ))
}

/// Serves the tracking API (or, with `--artifacts-only`, the artifact API alone) until
/// a shutdown signal.
pub async fn serve(args: &ServerArgs) -> anyhow::Result<()> {
    let artifacts = artifact_service(args)?;
    if args.artifacts_only {
        anyhow::ensure!(
            artifacts.is_serving(),
            "--artifacts-only needs --serve-artifacts"
        );
        let listener = bind(args).await?;
        tracing::info!(address = %format!("{}:{}", args.host, args.port), "ferroflow artifact server listening");
        return axum::serve(listener, app_artifacts_only(artifacts))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("server failed");
    }
    let store = open_store(
        &args.backend_store_uri,
        &args.artifact_root(),
        args.db_max_connections,
    )
    .await?;
    let listener = bind(args).await?;
    let address = format!("{}:{}", args.host, args.port);
    tracing::info!(%address, store = %DatabaseUri::parse(&args.backend_store_uri).map(|u| u.to_string()).unwrap_or_default(), "ferroflow server listening");
    let state = AppState::new(Arc::new(store.clone())).with_artifacts(artifacts);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    Ok(())
}

/// Binds the listening socket.
async fn bind(args: &ServerArgs) -> anyhow::Result<TcpListener> {
    let address = format!("{}:{}", args.host, args.port);
    TcpListener::bind(&address).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("cannot listen on {address}: the port is already in use")
        } else {
            anyhow::anyhow!("cannot listen on {address}: {e}")
        }
    })
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
