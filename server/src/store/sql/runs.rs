//! Runs and what they log: params, tags, metrics (with the latest-metric table) and
//! dataset inputs.

use std::collections::HashMap;

use async_trait::async_trait;
use ferroflow_protocol::registry::{ModelInput, ModelOutput};
use ferroflow_protocol::{
    Dataset, DatasetInput, InputTag, LifecycleStage, Metric, Param, Run, RunData, RunInfo,
    RunStatus, RunTag,
};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};

use super::experiments::experiment_not_found;
use super::logged_models::insert_model_metrics;
use super::search::{search_runs_sql, Bind};
use super::tiles::update_tiles;
use super::write::{Cell, WriteConn, WriteJob};
use super::{fetch_json_rows, metric_value, stored_value, Dialect, SqlStore};
use crate::store::{
    Entity, NewRun, Page, RunSearch, RunStore, RunUpdate, StoreError, StoreResult, ValidLogBatch,
};

const RUN_COLUMNS: &str = "run_uuid, name, experiment_id, user_id, status, start_time, end_time, \
                           lifecycle_stage, artifact_uri";

/// The tag MLflow keeps in step with the run's name.
const RUN_NAME_TAG: &str = "mlflow.runName";

/// Rows per multi-row INSERT of metrics: 6 values each stays far below both engines'
/// bind-parameter limits.
const METRIC_ROWS_PER_INSERT: usize = 500;

/// MLflow's message for an unknown run id.
pub(super) fn run_not_found(run_id: &str) -> StoreError {
    StoreError::NotFound(Entity::Run, format!("Run with id={run_id} not found"))
}

/// Returns `sql` with every id of `ids` bound in order.
fn query_with_ids<'q>(sql: &'q str, ids: &'q [String]) -> Query<'q, Any, AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for id in ids {
        query = query.bind(id.as_str());
    }
    query
}

/// `runs` columns in the order of [`RunRow`].
const RUN_FIELDS: [&str; 9] = [
    "run_uuid",
    "name",
    "experiment_id",
    "user_id",
    "status",
    "start_time",
    "end_time",
    "lifecycle_stage",
    "artifact_uri",
];

/// One `runs` row as the JSON aggregate returns it.
type RunRow = (
    String,
    String,
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

fn run_info_from_json(row: RunRow) -> RunInfo {
    let (
        run_id,
        run_name,
        experiment_id,
        user_id,
        status,
        start_time,
        end_time,
        stage,
        artifact_uri,
    ) = row;
    RunInfo {
        run_uuid: run_id.clone(),
        run_id,
        run_name,
        experiment_id: experiment_id.to_string(),
        user_id,
        status: RunStatus::parse(&status).unwrap_or_default(),
        start_time,
        end_time,
        artifact_uri,
        lifecycle_stage: LifecycleStage::parse(&stage).unwrap_or_default(),
    }
}

/// Reads a run's info (`RUN_COLUMNS`) on a write connection or a reader.
async fn run_info(conn: &mut WriteConn<'_>, run_id: &str) -> StoreResult<RunInfo> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE run_uuid = $1");
    let row = conn
        .fetch_optional(&sql, &[Bind::Text(run_id.to_owned())])
        .await?
        .ok_or_else(|| run_not_found(run_id))?;
    let [id, name, experiment_id, user_id, status, start_time, end_time, stage, artifact_uri] =
        <[Cell; 9]>::try_from(row).map_err(|_| run_not_found(run_id))?;
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
async fn require_active_run(conn: &mut WriteConn<'_>, run_id: &str) -> StoreResult<i64> {
    let row = conn
        .fetch_optional(
            "SELECT lifecycle_stage, experiment_id FROM runs WHERE run_uuid = $1",
            &[Bind::Text(run_id.to_owned())],
        )
        .await?
        .ok_or_else(|| run_not_found(run_id))?;
    let stage = row[0].text()?;
    if stage != LifecycleStage::Active.as_str() {
        return Err(StoreError::InvalidInput(format!(
            "The run {run_id} must be in the 'active' state. Current state is {stage}."
        )));
    }
    row[1].int()
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

/// Inserts or replaces tags in one statement per 300; the last value of a key repeated
/// in `tags` wins (PostgreSQL refuses to upsert one row twice in a statement).
async fn insert_tags(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
    tags: &[RunTag],
) -> StoreResult<()> {
    let mut last: HashMap<&str, &str> = HashMap::with_capacity(tags.len());
    for tag in tags {
        last.insert(&tag.key, &tag.value);
    }
    let unique: Vec<(&str, &str)> = last.into_iter().collect();
    for chunk in unique.chunks(300) {
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
/// MLflow's message, the same value again is accepted.
async fn insert_params(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
    params: &[Param],
) -> StoreResult<()> {
    if params.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT key, value FROM params WHERE run_uuid = {} AND key IN ({})",
        d.params(1, 1),
        d.params(2, params.len())
    );
    let mut binds = vec![Bind::Text(run_id.to_owned())];
    binds.extend(params.iter().map(|p| Bind::Text(p.key.clone())));
    let existing: HashMap<String, String> = conn
        .fetch(&sql, &binds)
        .await?
        .into_iter()
        .map(|row| Ok((row[0].text()?.to_owned(), row[1].text()?.to_owned())))
        .collect::<StoreResult<_>>()?;
    let mut fresh = Vec::with_capacity(params.len());
    for param in params {
        match existing.get(&param.key) {
            Some(old) if *old != param.value => {
                return Err(StoreError::InvalidInput(format!(
                    "Changing param values is not allowed. Param with key='{}' was already \
                     logged with value='{}' for run ID='{run_id}'. Attempted logging new value \
                     '{}'.",
                    param.key, old, param.value
                )));
            }
            Some(_) => {}
            None => fresh.push(param),
        }
    }
    for chunk in fresh.chunks(300) {
        let sql = format!(
            "INSERT INTO params (run_uuid, key, value) VALUES {}",
            d.value_rows(1, chunk.len(), 3)
        );
        let mut binds = Vec::with_capacity(chunk.len() * 3);
        for param in chunk {
            binds.extend(key_value(run_id, &param.key, &param.value));
        }
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

/// Inserts metric points (exact duplicates are no-ops) and advances `latest_metrics`
/// where a point is newer by (step, timestamp, value), MLflow's ordering, and the chart
/// tiles of the points' steps.
async fn insert_metrics(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    run_id: &str,
    metrics: &[Metric],
) -> StoreResult<()> {
    let mut inserted = 0;
    for chunk in metrics.chunks(METRIC_ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES {} \
             ON CONFLICT DO NOTHING",
            d.value_rows(1, chunk.len(), 6)
        );
        let mut binds = Vec::with_capacity(chunk.len() * 6);
        for m in chunk {
            let (value, is_nan) = stored_value(m.value);
            binds.extend(point(run_id, &m.key, (m.step, m.timestamp, value, is_nan)));
        }
        inserted += conn.execute(&sql, &binds).await?;
    }
    let duplicates = inserted < metrics.len() as u64;
    update_tiles(d, conn, run_id, metrics, duplicates).await?;

    // One candidate per key: PostgreSQL refuses to upsert the same row twice per statement.
    let mut latest: HashMap<&str, (i64, i64, f64, i64)> = HashMap::new();
    for m in metrics {
        let (value, is_nan) = stored_value(m.value);
        let candidate = (m.step, m.timestamp, value, is_nan);
        latest
            .entry(m.key.as_str())
            .and_modify(|best| {
                if (candidate.0, candidate.1) > (best.0, best.1)
                    || ((candidate.0, candidate.1) == (best.0, best.1) && candidate.2 > best.2)
                {
                    *best = candidate;
                }
            })
            .or_insert(candidate);
    }
    let latest: Vec<_> = latest.into_iter().collect();
    for chunk in latest.chunks(METRIC_ROWS_PER_INSERT) {
        let values = d.value_rows(1, chunk.len(), 6);
        let sql = format!(
            "INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) \
             VALUES {values} ON CONFLICT (run_uuid, key) DO UPDATE SET step = excluded.step, \
             timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan \
             WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step \
             AND (excluded.timestamp > latest_metrics.timestamp OR (excluded.timestamp = \
             latest_metrics.timestamp AND excluded.value > latest_metrics.value)))"
        );
        let mut binds = Vec::with_capacity(chunk.len() * 6);
        for (key, stored) in chunk {
            binds.extend(point(run_id, key, *stored));
        }
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

/// Creates a run with its tags in an active experiment; returns the request back with
/// the run's artifact URI.
struct CreateRun(NewRun);

impl WriteJob for CreateRun {
    type Output = (NewRun, String);

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<Self::Output> {
        let new = self.0;
        // One statement checks the experiment is active and derives the artifact URI.
        let binds = [
            Bind::Text(new.run_id.clone()),
            Bind::Text(new.run_name.clone()),
            Bind::Text(new.user_id.clone()),
            Bind::Int(new.start_time),
            Bind::Int(new.experiment_id),
        ];
        let inserted = conn
            .fetch_optional(
                "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, \
                 lifecycle_stage, artifact_uri) SELECT $1, $2, experiment_id, $3, 'RUNNING', $4, \
                 'active', rtrim(artifact_location, '/') || '/' || $1 || '/artifacts' \
                 FROM experiments WHERE experiment_id = $5 AND lifecycle_stage = 'active' \
                 RETURNING artifact_uri",
                &binds,
            )
            .await?;
        let Some(row) = inserted else {
            let stage = conn
                .fetch_optional(
                    "SELECT lifecycle_stage FROM experiments WHERE experiment_id = $1",
                    &[Bind::Int(new.experiment_id)],
                )
                .await?
                .ok_or_else(|| experiment_not_found(new.experiment_id))?;
            return Err(StoreError::InvalidInput(format!(
                "The experiment {} must be in the 'active' state. Current state is {}.",
                new.experiment_id,
                stage[0].text()?
            )));
        };
        let artifact_uri = row[0].text()?.to_owned();
        // The name column was written above; only the tags remain.
        insert_tags(d, conn, &new.run_id, &new.tags).await?;
        Ok((new, artifact_uri))
    }
}

/// Writes a log-batch, all or nothing, to an active run.
struct LogBatch {
    run_id: String,
    batch: ValidLogBatch,
}

impl WriteJob for LogBatch {
    type Output = ();

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<()> {
        let (run_id, batch) = (&self.run_id, &self.batch);
        require_active_run(conn, run_id).await?;
        insert_params(d, conn, run_id, &batch.params).await?;
        upsert_tags(d, conn, run_id, &batch.tags).await?;
        insert_metrics(d, conn, run_id, &batch.metrics).await?;
        if !batch.model_metrics.is_empty() {
            insert_model_metrics(conn, run_id, &batch.model_metrics).await?;
        }
        Ok(())
    }
}

/// Updates status, end time and name of an active run; returns its info after.
struct UpdateRun {
    run_id: String,
    update: RunUpdate,
}

impl WriteJob for UpdateRun {
    type Output = RunInfo;

    async fn run(self, d: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<RunInfo> {
        let (run_id, update) = (&self.run_id, &self.update);
        require_active_run(conn, run_id).await?;
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
struct SetRunStage {
    run_id: String,
    stage: LifecycleStage,
    deleted_time: Option<i64>,
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
struct DeleteTag {
    run_id: String,
    key: String,
}

impl WriteJob for DeleteTag {
    type Output = ();

    async fn run(self, _: Dialect, conn: &mut WriteConn<'_>) -> StoreResult<()> {
        let (run_id, key) = (&self.run_id, &self.key);
        require_active_run(conn, run_id).await?;
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

impl SqlStore {
    /// Loads whole runs by id, in the given order; unknown ids are skipped. Each table
    /// is read as one JSON aggregate row (see [`super::Dialect::json_rows`]).
    async fn load_runs(&self, ids: &[String]) -> StoreResult<Vec<Run>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let d = self.dialect;
            let list = d.params(1, chunk.len());

            let sql = format!(
                "SELECT {} FROM runs WHERE run_uuid IN ({list})",
                d.json_rows(&RUN_FIELDS, "run_uuid")
            );
            let rows: Vec<RunRow> =
                fetch_json_rows(query_with_ids(&sql, chunk), &self.reader).await?;
            let mut runs: HashMap<String, Run> = rows
                .into_iter()
                .map(|row| {
                    let info = run_info_from_json(row);
                    let run = Run {
                        info,
                        ..Run::default()
                    };
                    (run.info.run_id.clone(), run)
                })
                .collect();

            let sql = format!(
                "SELECT {} {}",
                d.json_rows(
                    &[
                        "run_uuid",
                        "key",
                        &d.exact_real_text("value"),
                        "timestamp",
                        "step",
                        "is_nan"
                    ],
                    "run_uuid, key"
                ),
                d.rows_of_runs("latest_metrics", &list)
            );
            let rows: Vec<(String, String, String, i64, i64, i64)> =
                fetch_json_rows(query_with_ids(&sql, chunk), &self.reader).await?;
            for (run_id, key, value, timestamp, step, is_nan) in rows {
                if let Some(run) = runs.get_mut(&run_id) {
                    let value = metric_value(&value, is_nan)?;
                    run.data.metrics.push(Metric {
                        key,
                        value,
                        timestamp,
                        step,
                    });
                }
            }

            for table in ["params", "tags"] {
                let sql = format!(
                    "SELECT {} {}",
                    d.json_rows(&["run_uuid", "key", "value"], "run_uuid, key"),
                    d.rows_of_runs(table, &list)
                );
                let rows: Vec<(String, String, String)> =
                    fetch_json_rows(query_with_ids(&sql, chunk), &self.reader).await?;
                for (run_id, key, value) in rows {
                    if let Some(run) = runs.get_mut(&run_id) {
                        if table == "params" {
                            run.data.params.push(Param { key, value });
                        } else {
                            run.data.tags.push(RunTag { key, value });
                        }
                    }
                }
            }

            let sql = format!(
                "SELECT {} FROM run_model_outputs WHERE run_uuid IN ({list})",
                d.json_rows(&["run_uuid", "model_id", "step"], "run_uuid, model_id")
            );
            let rows: Vec<(String, String, i64)> =
                fetch_json_rows(query_with_ids(&sql, chunk), &self.reader).await?;
            for (run_id, model_id, step) in rows {
                if let Some(run) = runs.get_mut(&run_id) {
                    run.outputs
                        .model_outputs
                        .push(ModelOutput { model_id, step });
                }
            }

            let sql = format!(
                "SELECT {} FROM run_model_inputs WHERE run_uuid IN ({list})",
                d.json_rows(&["run_uuid", "model_id"], "run_uuid, model_id")
            );
            let rows: Vec<(String, String)> =
                fetch_json_rows(query_with_ids(&sql, chunk), &self.reader).await?;
            for (run_id, model_id) in rows {
                if let Some(run) = runs.get_mut(&run_id) {
                    run.inputs.model_inputs.push(ModelInput { model_id });
                }
            }

            self.load_inputs(chunk, &list, &mut runs).await?;
            out.extend(chunk.iter().filter_map(|id| runs.remove(id)));
        }
        Ok(out)
    }

    /// Fills `inputs.dataset_inputs` of the given runs.
    async fn load_inputs(
        &self,
        ids: &[String],
        list: &str,
        runs: &mut HashMap<String, Run>,
    ) -> StoreResult<()> {
        let sql = format!(
            "SELECT ri.input_uuid, ri.run_uuid, d.name, d.digest, d.source_type, d.source, \
             d.schema, d.profile FROM run_inputs ri JOIN datasets d \
             ON d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid IN ({list}) \
             ORDER BY d.name, d.digest"
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.as_str());
        }
        let rows = q.fetch_all(&self.reader).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut by_input: Vec<(String, String, DatasetInput)> = Vec::with_capacity(rows.len());
        for row in &rows {
            by_input.push((
                row.try_get("input_uuid")?,
                row.try_get("run_uuid")?,
                DatasetInput {
                    tags: Vec::new(),
                    dataset: Dataset {
                        name: row.try_get("name")?,
                        digest: row.try_get("digest")?,
                        source_type: row.try_get("source_type")?,
                        source: row.try_get("source")?,
                        schema: row.try_get("schema")?,
                        profile: row.try_get("profile")?,
                    },
                },
            ));
        }
        let sql = format!(
            "SELECT input_uuid, key, value FROM input_tags WHERE input_uuid IN ({}) ORDER BY key",
            self.dialect.params(1, by_input.len())
        );
        let mut q = sqlx::query(&sql);
        for (input_id, _, _) in &by_input {
            q = q.bind(input_id.as_str());
        }
        let mut tags: HashMap<String, Vec<InputTag>> = HashMap::new();
        for row in q.fetch_all(&self.reader).await? {
            tags.entry(row.try_get("input_uuid")?)
                .or_default()
                .push(InputTag {
                    key: row.try_get("key")?,
                    value: row.try_get("value")?,
                });
        }
        for (input_id, run_id, mut input) in by_input {
            input.tags = tags.remove(&input_id).unwrap_or_default();
            if let Some(run) = runs.get_mut(&run_id) {
                run.inputs.dataset_inputs.push(input);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl RunStore for SqlStore {
    async fn create_run(&self, new: NewRun) -> StoreResult<Run> {
        let (new, artifact_uri) = self.write(CreateRun(new)).await?;
        let mut tags = new.tags;
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Run {
            info: RunInfo {
                run_id: new.run_id.clone(),
                run_uuid: new.run_id,
                run_name: new.run_name,
                experiment_id: new.experiment_id.to_string(),
                user_id: new.user_id,
                status: RunStatus::Running,
                start_time: Some(new.start_time),
                end_time: None,
                artifact_uri,
                lifecycle_stage: LifecycleStage::Active,
            },
            data: RunData {
                metrics: Vec::new(),
                params: Vec::new(),
                tags,
            },
            ..Run::default()
        })
    }

    async fn get_run_info(&self, run_id: &str) -> StoreResult<RunInfo> {
        let mut conn = self.reader.acquire().await?;
        run_info(&mut WriteConn::Sqlx(&mut conn), run_id).await
    }

    async fn get_run(&self, run_id: &str) -> StoreResult<Run> {
        self.load_runs(&[run_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| run_not_found(run_id))
    }

    async fn update_run(&self, run_id: &str, update: &RunUpdate) -> StoreResult<RunInfo> {
        let job = UpdateRun {
            run_id: run_id.to_owned(),
            update: update.clone(),
        };
        self.write(job).await
    }

    async fn delete_run(&self, run_id: &str, now: i64) -> StoreResult<()> {
        let job = SetRunStage {
            run_id: run_id.to_owned(),
            stage: LifecycleStage::Deleted,
            deleted_time: Some(now),
        };
        self.write(job).await
    }

    async fn restore_run(&self, run_id: &str) -> StoreResult<()> {
        let job = SetRunStage {
            run_id: run_id.to_owned(),
            stage: LifecycleStage::Active,
            deleted_time: None,
        };
        self.write(job).await
    }

    async fn search_runs(&self, search: &RunSearch) -> StoreResult<Page<Run>> {
        let query = search_runs_sql(
            self.dialect,
            &search.experiment_ids,
            search.view.stages(),
            &search.filter,
            &search.order_by,
            search.offset,
            search.max_results + 1,
        );
        let mut ids: Vec<String> = self.fetch_page_ids(&query).await?;
        let more = ids.len() as i64 > search.max_results;
        ids.truncate(search.max_results as usize);
        let items = self.load_runs(&ids).await?;
        Ok(Page {
            next_offset: more.then_some(search.offset + search.max_results),
            items,
        })
    }

    async fn log_batch(&self, run_id: &str, batch: &ValidLogBatch) -> StoreResult<()> {
        let job = LogBatch {
            run_id: run_id.to_owned(),
            batch: batch.clone(),
        };
        self.write(job).await
    }

    async fn delete_tag(&self, run_id: &str, key: &str) -> StoreResult<()> {
        let job = DeleteTag {
            run_id: run_id.to_owned(),
            key: key.to_owned(),
        };
        self.write(job).await
    }

    async fn log_inputs(
        &self,
        run_id: &str,
        inputs: &[DatasetInput],
        models: &[ModelInput],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let experiment_id = require_active_run(&mut WriteConn::Sqlx(&mut tx), run_id).await?;
        for model in models {
            sqlx::query(
                "INSERT INTO run_model_inputs (run_uuid, model_id) VALUES ($1, $2) \
                 ON CONFLICT (run_uuid, model_id) DO NOTHING",
            )
            .bind(run_id)
            .bind(&model.model_id)
            .execute(&mut *tx)
            .await?;
        }
        for input in inputs {
            let d = &input.dataset;
            sqlx::query(
                "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, \
                 source, schema, profile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (experiment_id, name, digest) DO NOTHING",
            )
            .bind(crate::service::new_uuid())
            .bind(experiment_id)
            .bind(&d.name)
            .bind(&d.digest)
            .bind(&d.source_type)
            .bind(&d.source)
            .bind(d.schema.as_deref())
            .bind(d.profile.as_deref())
            .execute(&mut *tx)
            .await?;
            let (dataset_id,): (String,) = sqlx::query_as(
                "SELECT dataset_uuid FROM datasets WHERE experiment_id = $1 AND name = $2 \
                 AND digest = $3",
            )
            .bind(experiment_id)
            .bind(&d.name)
            .bind(&d.digest)
            .fetch_one(&mut *tx)
            .await?;
            let input_id = crate::service::new_uuid();
            let inserted = sqlx::query(
                "INSERT INTO run_inputs (input_uuid, run_uuid, dataset_uuid) VALUES ($1, $2, $3) \
                 ON CONFLICT (run_uuid, dataset_uuid) DO NOTHING",
            )
            .bind(&input_id)
            .bind(run_id)
            .bind(&dataset_id)
            .execute(&mut *tx)
            .await?;
            // A dataset already linked to the run keeps its original input tags, as MLflow.
            if inserted.rows_affected() == 0 {
                continue;
            }
            for tag in &input.tags {
                sqlx::query(
                    "INSERT INTO input_tags (input_uuid, key, value) VALUES ($1, $2, $3) \
                     ON CONFLICT (input_uuid, key) DO UPDATE SET value = excluded.value",
                )
                .bind(&input_id)
                .bind(&tag.key)
                .bind(&tag.value)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
