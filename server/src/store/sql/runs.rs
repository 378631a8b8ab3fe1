//! [`RunStore`] on SQL: loading and searching runs with what they logged (params, tags,
//! latest metrics, dataset inputs), and dataset inputs. The other writes are the jobs of
//! [`super::run_writes`].

use std::collections::HashMap;

use async_trait::async_trait;
use ferroflow_protocol::registry::{ModelInput, ModelOutput};
use ferroflow_protocol::{
    Dataset, DatasetInput, InputTag, LifecycleStage, Metric, Param, Run, RunData, RunInfo,
    RunStatus, RunTag,
};
use sqlx::Row;

use super::metric_batch::RunMetrics;
use super::run_writes::{
    require_active_run, run_info, CreateRun, DeleteTag, LogBatch, SetRunStage, UpdateRun,
};
use super::search::{search_runs_sql, Bind};
use super::write::WriteConn;
use super::{ExactReal, RowOrder, SqlStore};
use crate::store::{
    Entity, NewRun, Page, RunSearch, RunStore, RunUpdate, StoreError, StoreResult, ValidLogBatch,
};

/// MLflow's message for an unknown run id.
pub(super) fn run_not_found(run_id: &str) -> StoreError {
    StoreError::NotFound(Entity::Run, format!("Run with id={run_id} not found"))
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

/// One `runs` row as [`SqlStore::fetch_rows`] returns it.
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

impl SqlStore {
    /// Loads whole runs by id, in the given order; unknown ids are skipped. Each table
    /// is one read ([`SqlStore::fetch_rows`]).
    async fn load_runs(&self, ids: &[String]) -> StoreResult<Vec<Run>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let d = self.dialect;
            let list = d.params(1, chunk.len());
            let binds: Vec<Bind> = chunk.iter().map(|id| Bind::Text(id.clone())).collect();

            let rows: Vec<RunRow> = self
                .fetch_rows(
                    &RUN_FIELDS,
                    &d.rows_of_runs("runs", &list),
                    RowOrder::SortBy("run_uuid"),
                    &binds,
                )
                .await?;
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

            let rows: Vec<(String, String, ExactReal, i64, i64, i64)> = self
                .fetch_rows(
                    &[
                        "run_uuid",
                        "key",
                        &d.exact_real("value"),
                        "timestamp",
                        "step",
                        "is_nan",
                    ],
                    &d.rows_of_runs("latest_metrics", &list),
                    RowOrder::SortBy("run_uuid, key"),
                    &binds,
                )
                .await?;
            for (run_id, key, value, timestamp, step, is_nan) in rows {
                if let Some(run) = runs.get_mut(&run_id) {
                    run.data.metrics.push(Metric {
                        key,
                        value: value.metric_value(is_nan),
                        timestamp,
                        step,
                    });
                }
            }

            for table in ["params", "tags"] {
                let rows: Vec<(String, String, String)> = self
                    .fetch_rows(
                        &["run_uuid", "key", "value"],
                        &d.rows_of_runs(table, &list),
                        RowOrder::SortBy("run_uuid, key"),
                        &binds,
                    )
                    .await?;
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

            let rows: Vec<(String, String, i64)> = self
                .fetch_rows(
                    &["run_uuid", "model_id", "step"],
                    &format!("FROM run_model_outputs WHERE run_uuid IN ({list})"),
                    RowOrder::SortBy("run_uuid, model_id"),
                    &binds,
                )
                .await?;
            for (run_id, model_id, step) in rows {
                if let Some(run) = runs.get_mut(&run_id) {
                    run.outputs
                        .model_outputs
                        .push(ModelOutput { model_id, step });
                }
            }

            let rows: Vec<(String, String)> = self
                .fetch_rows(
                    &["run_uuid", "model_id"],
                    &format!("FROM run_model_inputs WHERE run_uuid IN ({list})"),
                    RowOrder::SortBy("run_uuid, model_id"),
                    &binds,
                )
                .await?;
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
        let (new, artifact_uri) = match &self.run_batcher {
            Some(batcher) => batcher.submit(new).await?,
            None => self.write(CreateRun(new)).await?,
        };
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
        let plan = search_runs_sql(
            self.dialect,
            &search.experiment_ids,
            search.view.stages(),
            &search.filter,
            &search.order_by,
            search.offset,
            search.max_results + 1,
        );
        let mut top_ids = None;
        if let Some(top) = &plan.top {
            let ids: Vec<String> = self.fetch_page_ids(&top.query).await?;
            if ids.len() as i64 >= top.rows {
                top_ids = Some(ids.into_iter().skip(search.offset as usize).collect());
            }
        }
        let mut ids: Vec<String> = match top_ids {
            Some(ids) => ids,
            None => self.fetch_page_ids(&plan.full).await?,
        };
        let more = ids.len() as i64 > search.max_results;
        ids.truncate(search.max_results as usize);
        let items = self.load_runs(&ids).await?;
        Ok(Page {
            next_offset: more.then_some(search.offset + search.max_results),
            items,
        })
    }

    async fn log_batch(&self, run_id: &str, batch: &ValidLogBatch) -> StoreResult<()> {
        if let Some(batcher) = &self.metric_batcher {
            let metrics_only = batch.params.is_empty()
                && batch.tags.is_empty()
                && batch.model_metrics.is_empty()
                && !batch.metrics.is_empty();
            if metrics_only {
                let request = RunMetrics {
                    run_id: run_id.to_owned(),
                    metrics: batch.metrics.clone(),
                };
                return batcher.submit(request).await.map(|_| ());
            }
        }
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
        let experiment_id =
            require_active_run(self.dialect, &mut WriteConn::Sqlx(&mut tx), run_id).await?;
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
