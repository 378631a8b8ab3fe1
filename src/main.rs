//! `ferroflow`: the one binary. A thin CLI in `mlflow`'s words that dispatches to the
//! crates: `server` (the tracking server), `db upgrade` (migrations), `gc` (permanent
//! removal of soft-deleted runs and experiments).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ferroflow_server::config::ServerArgs;
use ferroflow_server::server;
use ferroflow_server::store::GarbageCollector;

#[derive(Parser)]
#[command(
    name = "ferroflow",
    version,
    about = "An MLflow-compatible experiment-tracking server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the tracking server (like `mlflow server`).
    Server(ServerArgs),
    /// Manages the metadata database (like `mlflow db`).
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Permanently deletes soft-deleted runs and experiments (like `mlflow gc`).
    Gc(GcArgs),
}

#[derive(Subcommand)]
enum DbCommand {
    /// Applies pending schema migrations to the database at URL.
    Upgrade {
        /// Backend-store URI, e.g. sqlite:///mlflow.db.
        url: String,
    },
}

#[derive(clap::Args)]
struct GcArgs {
    /// Backend-store URI.
    #[arg(
        long,
        env = "MLFLOW_BACKEND_STORE_URI",
        default_value = "sqlite:///mlflow.db"
    )]
    backend_store_uri: String,
    /// Only remove entities deleted longer ago than this, e.g. 30d, 12h, 90m, 45s.
    #[arg(long)]
    older_than: Option<String>,
    /// Comma-separated run ids to remove (default: all deleted runs).
    #[arg(long, value_delimiter = ',')]
    run_ids: Vec<String>,
    /// Comma-separated experiment ids to remove (default: all deleted experiments).
    #[arg(long, value_delimiter = ',')]
    experiment_ids: Vec<i64>,
}

/// Parses `30d`, `12h`, `90m`, `45s` (or combinations like `1d12h`) into milliseconds.
fn parse_age(text: &str) -> anyhow::Result<i64> {
    let mut total = 0i64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits
            .parse()
            .map_err(|_| anyhow::anyhow!("invalid --older-than '{text}'"))?;
        digits.clear();
        total += n * match c {
            'd' => 86_400_000,
            'h' => 3_600_000,
            'm' => 60_000,
            's' => 1_000,
            _ => anyhow::bail!("invalid --older-than '{text}': use d, h, m or s units"),
        };
    }
    if !digits.is_empty() {
        anyhow::bail!("invalid --older-than '{text}': missing unit (d, h, m or s)");
    }
    Ok(total)
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Server(args) => server::serve(&args).await,
        Command::Db {
            command: DbCommand::Upgrade { url },
        } => {
            let store = server::open_store(&url, "./mlartifacts", 1).await?;
            store.close().await;
            println!("database at {url} is up to date");
            Ok(())
        }
        Command::Gc(args) => {
            let cutoff = match &args.older_than {
                Some(age) => Some(ferroflow_server::service::now_ms() - parse_age(age)?),
                None => None,
            };
            let store = server::open_store(&args.backend_store_uri, "./mlartifacts", 1).await?;
            let (runs, experiments) = store
                .purge_deleted(cutoff, &args.run_ids, &args.experiment_ids)
                .await?;
            store.close().await;
            println!("permanently deleted {runs} runs and {experiments} experiments");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let workers = match &cli.command {
        Command::Server(args) => args.workers,
        _ => Some(1),
    };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers {
        builder.worker_threads(n.max(1));
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_age, Cli};
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ages() {
        assert_eq!(parse_age("30d").unwrap(), 30 * 86_400_000);
        assert_eq!(parse_age("1h30m").unwrap(), 5_400_000);
        assert!(parse_age("10").is_err());
        assert!(parse_age("5w").is_err());
    }
}
