//! The writes of runs as [`WriteJob`]s (create, update, lifecycle, log-batch, tag delete)
//! and the statements they share: one code path for both engines, run by SQLite's
//! group-commit writer or in a PostgreSQL transaction ([`SqlStore::write`]).
//!
//! [`SqlStore::write`]: super::SqlStore

use std::collections::{BTreeMap, HashMap, HashSet};

use ferroflow_protocol::{LifecycleStage, Metric, Param, RunInfo, RunStatus, RunTag};

use super::experiments::no_active_experiment;
use super::logged_models::insert_model_metrics;
use super::runs::run_not_found;
use super::search::Bind;
use super::tiles::{update_tiles, StoredPoint};
use super::write::{Cell, WriteConn, WriteJob};
use super::{stored_value, Dialect};
use crate::store::{Entity, NewRun, RunUpdate, StoreError, StoreResult, ValidLogBatch};

const RUN_COLUMNS: &str = "run_uuid, name, experiment_id, user_id, status, start_time, end_time, \
                           lifecycle_stage, artifact_uri";

/// The tag MLflow keeps in step with the run's name.
const RUN_NAME_TAG: &str = "mlflow.runName";

/// Rows per multi-row INSERT of metrics: 6 values each stays far below both engines'
/// bind-parameter limits.
const METRIC_ROWS_PER_INSERT: usize = 500;

/// The upsert clause of `latest_metrics`: a candidate replaces the stored point when it
/// is later by step, then timestamp, then value.
pub(super) const KEEP_LATEST: &str = "ON CONFLICT (run_uuid, key) DO UPDATE SET \
     step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, \
     is_nan = excluded.is_nan WHERE excluded.step > latest_metrics.step OR \
     (excluded.step = latest_metrics.step AND (excluded.timestamp > latest_metrics.timestamp \
     OR (excluded.timestamp = latest_metrics.timestamp \
     AND excluded.value > latest_metrics.value)))";

/// Reads a run's info (`RUN_COLUMNS`) on a write connection or a reader.
pub(super) async fn run_info(conn: &mut WriteConn<'_>, run_id: &str) -> StoreResult<RunInfo> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE run_uuid = $1");
    let row = conn
        .fetch_optional(&sql, &[Bind::Text(run_id.to_owned())])
        .await?
        .ok_or_else(|| run_not_found(run_id))?;
    let [id, name, experiment_id, user_id, status, start_time, end_time, stage, artifact_uri] =
        <[Cell; 9]>::try_from(row).map_err(|row| {
            StoreError::Database(sqlx::Error::Decode(
                format!("a run row has {} columns, not 9", row.len()).into(),
            ))
        })?;
    let run_id = id.text()?.to_owned();
    Ok(RunInfo {
        run_uuid: run_id.clone(),
        run_id,
        run_name: name.text()?.to_owned(),
        experiment_id: experiment_id.int()?.to_string(),
        user_id: user_id.text()?.to_owned(),
        status: RunStatus::parse(status.text()?).unwrap_or_default(),
        start_time: start_time.opt_int()?,
        end_time: end_time.opt_int()?,
        artifact_uri: artifact_uri.text()?.to_owned(),
        lifecycle_stage: LifecycleStage::parse(stage.text()?).unwrap_or_default(),
    })
}

/// Returns an error unless the run exists and is active: writes to deleted runs are
/// refused with INVALID_PARAMETER_VALUE, as MLflow's `_check_run_is_active`.
///
/// On PostgreSQL it also locks the run against deletion until the transaction ends
/// (`FOR KEY SHARE`, as a foreign-key check would): the rows a run logs have no foreign
/// key there (migration 0005), so this is what keeps `gc` from deleting the run under a
/// write and leaving the write's rows behind.
pub(super) async fn require_active_run(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
) -> StoreResult<i64> {
    let sql = match d {
        Dialect::Sqlite => "SELECT lifecycle_stage, experiment_id FROM runs WHERE run_uuid = $1",
        Dialect::Postgres => {
            "SELECT lifecycle_stage, experiment_id FROM runs WHERE run_uuid = $1 FOR KEY SHARE"
        }
    };
    let row = conn
        .fetch_optional(sql, &[Bind::Text(run_id.to_owned())])
        .await?
        .ok_or_else(|| run_not_found(run_id))?;
    require_active(run_id, row[0].text()?)?;
    row[1].int()
}

/// Refuses a write to a run whose lifecycle stage is `stage` unless it is active, with
/// the INVALID_PARAMETER_VALUE of MLflow's `_check_run_is_active`.
pub(super) fn require_active(run_id: &str, stage: &str) -> StoreResult<()> {
    if stage != LifecycleStage::Active.as_str() {
        return Err(StoreError::InvalidInput(format!(
            "The run {run_id} must be in the 'active' state. Current state is {stage}."
        )));
    }
    Ok(())
}

/// The binds of one `(run_uuid, key, value)` row.
fn key_value(run_id: &str, key: &str, value: &str) -> [Bind; 3] {
    [
        Bind::Text(run_id.to_owned()),
        Bind::Text(key.to_owned()),
        Bind::Text(value.to_owned()),
    ]
}

/// The binds of one `(run_uuid, key, step, timestamp, value, is_nan)` metric row.
fn point(
    run_id: &str,
    key: &str,
    (step, timestamp, value, is_nan): (i64, i64, f64, i64),
) -> [Bind; 6] {
    [
        Bind::Text(run_id.to_owned()),
        Bind::Text(key.to_owned()),
        Bind::Int(step),
        Bind::Int(timestamp),
        Bind::Float(value),
        Bind::Int(is_nan),
    ]
}

/// Returns each tag key once, with the value given last for it (as MLflow keeps it).
pub(super) fn unique_tags(tags: &[RunTag]) -> Vec<(&str, &str)> {
    let mut last: HashMap<&str, &str> = HashMap::with_capacity(tags.len());
    for tag in tags {
        last.insert(&tag.key, &tag.value);
    }
    last.into_iter().collect()
}

/// Inserts or replaces tags in one statement per 300; the last value of a key repeated
/// in `tags` wins (PostgreSQL refuses to upsert one row twice in a statement).
async fn insert_tags(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
    tags: &[RunTag],
) -> StoreResult<()> {
    for chunk in unique_tags(tags).chunks(300) {
        let sql = format!(
            "INSERT INTO tags (run_uuid, key, value) VALUES {} \
             ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
            d.value_rows(1, chunk.len(), 3)
        );
        let mut binds = Vec::with_capacity(chunk.len() * 3);
        for (key, value) in chunk {
            binds.extend(key_value(run_id, key, value));
        }
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

/// Inserts or replaces tags and keeps `runs.name` in step with `mlflow.runName`.
async fn upsert_tags(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
    tags: &[RunTag],
) -> StoreResult<()> {
    insert_tags(d, conn, run_id, tags).await?;
    if let Some(name) = tags.iter().rev().find(|t| t.key == RUN_NAME_TAG) {
        let binds = [
            Bind::Text(name.value.clone()),
            Bind::Text(run_id.to_owned()),
        ];
        conn.execute("UPDATE runs SET name = $1 WHERE run_uuid = $2", &binds)
            .await?;
    }
    Ok(())
}

/// Inserts params; a key already logged with another value fails the whole batch with
/// MLflow's message, the same value again is accepted. New keys (the common case) cost
/// one statement; only keys that were already there are read back and compared.
async fn insert_params(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
    params: &[Param],
) -> StoreResult<()> {
    let mut present: Vec<&Param> = Vec::new();
    for chunk in params.chunks(300) {
        let sql = format!(
            "INSERT INTO params (run_uuid, key, value) VALUES {} \
             ON CONFLICT (run_uuid, key) DO NOTHING RETURNING key",
            d.value_rows(1, chunk.len(), 3)
        );
        let mut binds = Vec::with_capacity(chunk.len() * 3);
        for param in chunk {
            binds.extend(key_value(run_id, &param.key, &param.value));
        }
        let inserted = conn
            .fetch(&sql, &binds)
            .await?
            .into_iter()
            .map(|row| Ok(row[0].text()?.to_owned()))
            .collect::<StoreResult<HashSet<String>>>()?;
        if inserted.len() < chunk.len() {
            present.extend(chunk.iter().filter(|p| !inserted.contains(&p.key)));
        }
    }
    if present.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT key, value FROM params WHERE run_uuid = {} AND key IN ({})",
        d.params(1, 1),
        d.params(2, present.len())
    );
    let mut binds = vec![Bind::Text(run_id.to_owned())];
    binds.extend(present.iter().map(|p| Bind::Text(p.key.clone())));
    let existing: HashMap<String, String> = conn
        .fetch(&sql, &binds)
        .await?
        .into_iter()
        .map(|row| Ok((row[0].text()?.to_owned(), row[1].text()?.to_owned())))
        .collect::<StoreResult<_>>()?;
    for param in present {
        match existing.get(&param.key) {
            Some(old) if *old != param.value => {
                return Err(StoreError::InvalidInput(format!(
                    "Changing param values is not allowed. Param with key='{}' was already \
                     logged with value='{}' for run ID='{run_id}'. Attempted logging new value \
                     '{}'.",
                    param.key, old, param.value
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Inserts the metric points of `runs` (run id, points; exact duplicates are no-ops) and
/// advances `latest_metrics` where a point is newer by (step, timestamp, value), MLflow's
/// ordering, and the chart tiles of the points' steps.
///
/// Rows are written in (run, key, ...) order, as [`update_tiles`] does: concurrent
/// log-batches then lock the rows they share in one order and cannot deadlock on them.
pub(super) async fn insert_metrics(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    runs: &[(&str, &[Metric])],
) -> StoreResult<()> {
    let mut points: Vec<(&str, &Metric)> = runs
        .iter()
        .flat_map(|(run_id, metrics)| metrics.iter().map(move |m| (*run_id, m)))
        .collect();
    points.sort_by(|(a_run, a), (b_run, b)| {
        (a_run, &a.key, a.step, a.timestamp).cmp(&(b_run, &b.key, b.step, b.timestamp))
    });
    let mut inserted = 0;
    for chunk in points.chunks(METRIC_ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES {} \
             ON CONFLICT DO NOTHING",
            d.value_rows(1, chunk.len(), 6)
        );
        let mut binds = Vec::with_capacity(chunk.len() * 6);
        for (run_id, m) in chunk {
            let (value, is_nan) = stored_value(m.value);
            binds.extend(point(run_id, &m.key, (m.step, m.timestamp, value, is_nan)));
        }
        inserted += conn.execute(&sql, &binds).await?;
    }
    let duplicates = inserted < points.len() as u64;
    update_tiles(d, conn, runs, duplicates).await?;

    let latest: Vec<_> = latest_points(points).into_iter().collect();
    for chunk in latest.chunks(METRIC_ROWS_PER_INSERT) {
        let values = d.value_rows(1, chunk.len(), 6);
        let sql = format!(
            "INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) \
             VALUES {values} {KEEP_LATEST}"
        );
        let mut binds = Vec::with_capacity(chunk.len() * 6);
        for ((run_id, key), stored) in chunk {
            binds.extend(point(run_id, key, *stored));
        }
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

/// The latest of `points` (run id, point) per run and key, as [`KEEP_LATEST`] orders
/// them, in (run, key) order: one candidate each, as PostgreSQL refuses to upsert the
/// same row twice per statement.
pub(super) fn latest_points<'a>(
    points: impl IntoIterator<Item = (&'a str, &'a Metric)>,
) -> BTreeMap<(&'a str, &'a str), StoredPoint> {
    let mut latest: BTreeMap<(&str, &str), StoredPoint> = BTreeMap::new();
    for (run_id, m) in points {
        let (value, is_nan) = stored_value(m.value);
        let candidate = (m.step, m.timestamp, value, is_nan);
        latest
            .entry((run_id, m.key.as_str()))
            .and_modify(|best| {
                if (candidate.0, candidate.1) > (best.0, best.1)
                    || ((candidate.0, candidate.1) == (best.0, best.1) && candidate.2 > best.2)
                {
                    *best = candidate;
                }
            })
            .or_insert(candidate);
    }
    latest
}

/// Creates a run with its tags in an active experiment; returns the request back with
/// the run's artifact URI. (PostgreSQL creates runs in batches instead: `run_batch`.)
pub(super) struct CreateRun(pub(super) NewRun);

/// Inserts the run, checking in the same statement that the experiment is active and
/// deriving the artifact URI from it; `$1`..`$5` are id, name, user, start, experiment.
const INSERT_RUN: &str = "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, \
     start_time, lifecycle_stage, artifact_uri) SELECT $1, $2, experiment_id, $3, 'RUNNING', \
     $4, 'active', rtrim(artifact_location, '/') || '/' || $1 || '/artifacts' \
     FROM experiments WHERE experiment_id = $5 AND lifecycle_stage = 'active' \
     RETURNING artifact_uri";

impl WriteJob for CreateRun {
    type Output = (NewRun, String);

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<Self::Output> {
        let new = self.0;
        let binds = [
            Bind::Text(new.run_id.clone()),
            Bind::Text(new.run_name.clone()),
            Bind::Text(new.user_id.clone()),
            Bind::Int(new.start_time),
            Bind::Int(new.experiment_id),
        ];
        let Some(row) = conn.fetch_optional(INSERT_RUN, &binds).await? else {
            // The experiment is missing or not active: say which, as MLflow does.
            return Err(no_active_experiment(conn, new.experiment_id).await);
        };
        // The name column was written above; only the tags remain.
        insert_tags(d, conn, &new.run_id, &new.tags).await?;
        let artifact_uri = row[0].text()?.to_owned();
        Ok((new, artifact_uri))
    }
}

/// Writes a log-batch, all or nothing, to an active run.
pub(super) struct LogBatch {
    pub(super) run_id: String,
    pub(super) batch: ValidLogBatch,
}

impl WriteJob for LogBatch {
    type Output = ();

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<()> {
        let (run_id, batch) = (&self.run_id, &self.batch);
        require_active_run(d, conn, run_id).await?;
        insert_params(d, conn, run_id, &batch.params).await?;
        upsert_tags(d, conn, run_id, &batch.tags).await?;
        insert_metrics(d, conn, &[(run_id.as_str(), &batch.metrics[..])]).await?;
        if !batch.model_metrics.is_empty() {
            insert_model_metrics(conn, run_id, &batch.model_metrics).await?;
        }
        Ok(())
    }
}

/// Updates status, end time and name of an active run; returns its info after.
pub(super) struct UpdateRun {
    pub(super) run_id: String,
    pub(super) update: RunUpdate,
}

impl WriteJob for UpdateRun {
    type Output = RunInfo;

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<RunInfo> {
        let (run_id, update) = (&self.run_id, &self.update);
        require_active_run(d, conn, run_id).await?;
        let mut sets = Vec::new();
        let mut binds = Vec::new();
        let mut set = |column: &str, value: Bind| {
            binds.push(value);
            sets.push(format!("{column} = ${}", binds.len()));
        };
        if let Some(status) = update.status {
            set("status", Bind::Text(status.as_str().to_owned()));
        }
        if let Some(end_time) = update.end_time {
            set("end_time", Bind::Int(end_time));
        }
        if let Some(name) = &update.run_name {
            set("name", Bind::Text(name.clone()));
        }
        if !sets.is_empty() {
            binds.push(Bind::Text(run_id.clone()));
            let sql = format!(
                "UPDATE runs SET {} WHERE run_uuid = ${}",
                sets.join(", "),
                binds.len()
            );
            conn.execute(&sql, &binds).await?;
        }
        if let Some(name) = &update.run_name {
            let tag = RunTag {
                key: RUN_NAME_TAG.to_string(),
                value: name.clone(),
            };
            upsert_tags(d, conn, run_id, std::slice::from_ref(&tag)).await?;
        }
        run_info(conn, run_id).await
    }
}

/// Moves a run to a lifecycle stage; MLflow's store does this whatever the current stage.
pub(super) struct SetRunStage {
    pub(super) run_id: String,
    pub(super) stage: LifecycleStage,
    pub(super) deleted_time: Option<i64>,
}

impl WriteJob for SetRunStage {
    type Output = ();

    async fn run(self, _: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<()> {
        let mut binds = vec![Bind::Text(self.stage.as_str().to_owned())];
        // No NULL binds on the write path: a missing time is a literal.
        let deleted_time = match self.deleted_time {
            Some(time) => {
                binds.push(Bind::Int(time));
                format!("${}", binds.len())
            }
            None => "NULL".to_owned(),
        };
        binds.push(Bind::Text(self.run_id.clone()));
        let sql = format!(
            "UPDATE runs SET lifecycle_stage = $1, deleted_time = {deleted_time} \
             WHERE run_uuid = ${}",
            binds.len()
        );
        if conn.execute(&sql, &binds).await? == 0 {
            return Err(run_not_found(&self.run_id));
        }
        Ok(())
    }
}

/// Deletes one tag of an active run.
pub(super) struct DeleteTag {
    pub(super) run_id: String,
    pub(super) key: String,
}

impl WriteJob for DeleteTag {
    type Output = ();

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<()> {
        let (run_id, key) = (&self.run_id, &self.key);
        require_active_run(d, conn, run_id).await?;
        let binds = [Bind::Text(run_id.clone()), Bind::Text(key.clone())];
        let deleted = conn
            .execute("DELETE FROM tags WHERE run_uuid = $1 AND key = $2", &binds)
            .await?;
        if deleted == 0 {
            return Err(StoreError::NotFound(
                Entity::Run,
                format!("No tag with name: {key} in run with id {run_id}"),
            ));
        }
        Ok(())
    }
}
