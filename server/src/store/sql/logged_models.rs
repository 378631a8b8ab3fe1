//! MLflow 3 logged models on SQL, with the semantics of the logged-model methods of
//! MLflow's tracking `SqlAlchemyStore` (`mlflow/store/tracking/sqlalchemy_store.py`):
//! created `PENDING` under an active experiment with the artifact location
//! `<experiment location>/models/<model_id>/artifacts`, soft-deleted, tagged, given
//! params; and runs' model outputs (`runs/outputs`).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use ferroflow_protocol::{
    LifecycleStage, LoggedModel, LoggedModelData, LoggedModelInfo, LoggedModelParameter,
    LoggedModelStatus, LoggedModelTag, Metric, ModelMetric, ModelOutput,
};
use sqlx::AnyConnection;

use super::experiments::no_active_experiment;
use super::runs::run_not_found;
use super::search::{search_logged_models_sql, Bind};
use super::write::WriteConn;
use super::{bind_all, fetch_json_rows, metric_value, stored_value, SqlStore};
use crate::store::registry::{LoggedModelSearch, LoggedModelStore, NewLoggedModel};
use crate::store::{Entity, ModelMetricLink, Page, StoreError, StoreResult};

/// `logged_models` columns in the order of [`ModelRow`].
const MODEL_FIELDS: [&str; 10] = [
    "model_id",
    "experiment_id",
    "name",
    "artifact_location",
    "creation_timestamp_ms",
    "last_updated_timestamp_ms",
    "status",
    "model_type",
    "source_run_id",
    "status_message",
];

/// One `logged_models` row as the JSON aggregate returns it.
type ModelRow = (
    String,
    i64,
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn model_from_row(row: ModelRow) -> LoggedModel {
    let (
        model_id,
        experiment_id,
        name,
        artifact_uri,
        created,
        updated,
        status,
        model_type,
        source_run_id,
        status_message,
    ) = row;
    LoggedModel {
        info: LoggedModelInfo {
            model_id,
            experiment_id: experiment_id.to_string(),
            name,
            creation_timestamp_ms: Some(created),
            last_updated_timestamp_ms: Some(updated),
            artifact_uri,
            status: LoggedModelStatus::parse(&status).unwrap_or_default(),
            model_type,
            source_run_id,
            status_message,
            tags: Vec::new(),
            registrations: Vec::new(),
        },
        data: LoggedModelData::default(),
    }
}

/// MLflow's message for an unknown or deleted logged model.
fn logged_model_not_found(model_id: &str) -> StoreError {
    StoreError::NotFound(
        Entity::LoggedModel,
        format!("Logged model with ID '{model_id}' not found."),
    )
}

/// Fails unless the logged model exists and is not deleted.
async fn require_model(conn: &mut WriteConn<'_>, model_id: &str) -> StoreResult<()> {
    conn.fetch_optional(
        "SELECT model_id FROM logged_models WHERE model_id = $1 AND lifecycle_stage = 'active'",
        &[Bind::Text(model_id.to_owned())],
    )
    .await?
    .map(drop)
    .ok_or_else(|| logged_model_not_found(model_id))
}

/// Records the points of a log-batch that name a logged model among that model's
/// metrics (MLflow's `_log_model_metrics`); a point already recorded is kept once. Every
/// named model must exist and be active.
pub(super) async fn insert_model_metrics(
    conn: &mut WriteConn<'_>,
    run_id: &str,
    links: &[ModelMetricLink],
) -> StoreResult<()> {
    let mut checked = HashSet::new();
    for link in links {
        if checked.insert(link.model_id.as_str()) {
            require_model(conn, &link.model_id).await?;
        }
        let (value, is_nan) = stored_value(link.metric.value);
        // Absent dataset fields are NULL literals: the write binds carry no NULL.
        let dataset = |field: &Option<String>, binds: &mut Vec<Bind>| match field {
            Some(value) => {
                binds.push(Bind::Text(value.clone()));
                format!("${}", binds.len())
            }
            None => "NULL".to_owned(),
        };
        let mut binds = vec![
            Bind::Text(link.model_id.clone()),
            Bind::Text(link.metric.key.clone()),
            Bind::Int(link.metric.timestamp),
            Bind::Int(link.metric.step),
            Bind::Float(value),
            Bind::Int(is_nan),
            Bind::Text(run_id.to_owned()),
        ];
        let name = dataset(&link.dataset_name, &mut binds);
        let digest = dataset(&link.dataset_digest, &mut binds);
        let sql = format!(
            "INSERT INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms, \
             metric_step, metric_value, is_nan, run_id, dataset_name, dataset_digest) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, {name}, {digest}) ON CONFLICT DO NOTHING"
        );
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

/// One `logged_model_metrics` row as loaded: model, name, timestamp, step, value as exact
/// text, is_nan, run, dataset name, dataset digest.
type ModelMetricRow = (
    String,
    String,
    i64,
    i64,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
);

/// Inserts or replaces key/value rows of `table` (`logged_model_tags` or
/// `logged_model_params`); the last value of a repeated key wins.
async fn upsert_key_values(
    conn: &mut AnyConnection,
    table: &str,
    model_id: &str,
    pairs: impl Iterator<Item = (&str, &str)>,
) -> StoreResult<()> {
    let mut last: HashMap<&str, &str> = HashMap::new();
    for (k, v) in pairs {
        last.insert(k, v);
    }
    let sql = format!(
        "INSERT INTO {table} (model_id, key, value) VALUES ($1, $2, $3) \
         ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value"
    );
    for (key, value) in last {
        sqlx::query(&sql)
            .bind(model_id)
            .bind(key)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl SqlStore {
    /// Loads logged models by id (unknown ids skipped) in the given order, with tags and
    /// params.
    async fn load_logged_models(&self, ids: &[String]) -> StoreResult<Vec<LoggedModel>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = self.dialect.params(1, chunk.len());
            let binds: Vec<Bind> = chunk.iter().map(|id| Bind::Text(id.clone())).collect();
            let d = self.dialect;
            let sql = format!(
                "SELECT {} FROM logged_models WHERE model_id IN ({list})",
                d.json_rows(&MODEL_FIELDS, "model_id")
            );
            let rows: Vec<ModelRow> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            let mut models: HashMap<String, LoggedModel> = rows
                .into_iter()
                .map(|row| {
                    let model = model_from_row(row);
                    (model.info.model_id.clone(), model)
                })
                .collect();
            for table in ["logged_model_tags", "logged_model_params"] {
                let sql = format!(
                    "SELECT {} FROM {table} WHERE model_id IN ({list})",
                    d.json_rows(&["model_id", "key", "value"], "model_id, key")
                );
                let rows: Vec<(String, String, String)> =
                    fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
                for (model_id, key, value) in rows {
                    if let Some(model) = models.get_mut(&model_id) {
                        if table == "logged_model_tags" {
                            model.info.tags.push(LoggedModelTag { key, value });
                        } else {
                            model.data.params.push(LoggedModelParameter { key, value });
                        }
                    }
                }
            }
            let value = d.exact_real_text("metric_value");
            let sql = format!(
                "SELECT {} FROM (SELECT model_id, metric_name, metric_timestamp_ms, \
                 metric_step, {value} AS value_text, is_nan, run_id, dataset_name, \
                 dataset_digest FROM logged_model_metrics WHERE model_id IN ({list})) AS m",
                d.json_rows(
                    &[
                        "model_id",
                        "metric_name",
                        "metric_timestamp_ms",
                        "metric_step",
                        "value_text",
                        "is_nan",
                        "run_id",
                        "dataset_name",
                        "dataset_digest",
                    ],
                    "model_id, metric_name, metric_step, metric_timestamp_ms, run_id"
                )
            );
            let rows: Vec<ModelMetricRow> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            for (
                model_id,
                key,
                timestamp,
                step,
                value,
                is_nan,
                run_id,
                dataset_name,
                dataset_digest,
            ) in rows
            {
                if let Some(model) = models.get_mut(&model_id) {
                    model.data.metrics.push(ModelMetric {
                        metric: Metric {
                            key,
                            value: metric_value(&value, is_nan)?,
                            timestamp,
                            step,
                        },
                        model_id,
                        run_id,
                        dataset_name,
                        dataset_digest,
                    });
                }
            }
            out.extend(chunk.iter().filter_map(|id| models.remove(id)));
        }
        Ok(out)
    }
}

#[async_trait]
impl LoggedModelStore for SqlStore {
    async fn create_logged_model(&self, new: NewLoggedModel) -> StoreResult<LoggedModel> {
        let mut tx = self.begin_write().await?;
        // One statement checks the experiment is active and derives the artifact location.
        let inserted = sqlx::query(
            "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, \
             creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, \
             model_type, source_run_id) SELECT $1, experiment_id, $2, \
             rtrim(artifact_location, '/') || '/models/' || $1 || '/artifacts', $3, $3, $4, \
             'active', $5, $6 FROM experiments WHERE experiment_id = $7 \
             AND lifecycle_stage = 'active'",
        )
        .bind(&new.model_id)
        .bind(&new.name)
        .bind(new.creation_time)
        .bind(LoggedModelStatus::Pending.as_str())
        .bind(new.model_type.as_deref())
        .bind(new.source_run_id.as_deref())
        .bind(new.experiment_id)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            // The experiment is missing or not active: say which, as MLflow does.
            return Err(
                no_active_experiment(&mut WriteConn::Sqlx(&mut tx), new.experiment_id).await,
            );
        }
        upsert_key_values(
            &mut tx,
            "logged_model_params",
            &new.model_id,
            new.params
                .iter()
                .map(|p| (p.key.as_str(), p.value.as_str())),
        )
        .await?;
        upsert_key_values(
            &mut tx,
            "logged_model_tags",
            &new.model_id,
            new.tags.iter().map(|t| (t.key.as_str(), t.value.as_str())),
        )
        .await?;
        tx.commit().await?;
        self.get_logged_model(&new.model_id).await
    }

    async fn get_logged_model(&self, model_id: &str) -> StoreResult<LoggedModel> {
        let model = self
            .load_logged_models(&[model_id.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| logged_model_not_found(model_id))?;
        // Deleted models read as absent.
        let stage: Option<(String,)> =
            sqlx::query_as("SELECT lifecycle_stage FROM logged_models WHERE model_id = $1")
                .bind(model_id)
                .fetch_optional(&self.reader)
                .await?;
        match stage {
            Some((stage,)) if stage == LifecycleStage::Active.as_str() => Ok(model),
            _ => Err(logged_model_not_found(model_id)),
        }
    }

    async fn delete_logged_model(&self, model_id: &str, now: i64) -> StoreResult<()> {
        let updated = sqlx::query(
            "UPDATE logged_models SET lifecycle_stage = 'deleted', \
             last_updated_timestamp_ms = $1 WHERE model_id = $2",
        )
        .bind(now)
        .bind(model_id)
        .execute(&self.writer)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(logged_model_not_found(model_id));
        }
        Ok(())
    }

    async fn finalize_logged_model(
        &self,
        model_id: &str,
        status: LoggedModelStatus,
        now: i64,
    ) -> StoreResult<LoggedModel> {
        let updated = sqlx::query(
            "UPDATE logged_models SET status = $1, last_updated_timestamp_ms = $2 \
             WHERE model_id = $3",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(model_id)
        .execute(&self.writer)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(logged_model_not_found(model_id));
        }
        self.get_logged_model(model_id).await
    }

    async fn set_logged_model_tags(
        &self,
        model_id: &str,
        tags: &[LoggedModelTag],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_model(&mut WriteConn::Sqlx(&mut tx), model_id).await?;
        upsert_key_values(
            &mut tx,
            "logged_model_tags",
            model_id,
            tags.iter().map(|t| (t.key.as_str(), t.value.as_str())),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_model(&mut WriteConn::Sqlx(&mut tx), model_id).await?;
        let deleted = sqlx::query("DELETE FROM logged_model_tags WHERE model_id = $1 AND key = $2")
            .bind(model_id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound(
                Entity::LoggedModel,
                format!("No tag with key '{key}' found for model with ID '{model_id}'."),
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn log_logged_model_params(
        &self,
        model_id: &str,
        params: &[LoggedModelParameter],
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_model(&mut WriteConn::Sqlx(&mut tx), model_id).await?;
        upsert_key_values(
            &mut tx,
            "logged_model_params",
            model_id,
            params.iter().map(|p| (p.key.as_str(), p.value.as_str())),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn search_logged_models(
        &self,
        search: &LoggedModelSearch,
    ) -> StoreResult<Page<LoggedModel>> {
        if search.experiment_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next_offset: None,
            });
        }
        let query = search_logged_models_sql(self.dialect, search);
        let rows: Vec<(String,)> = fetch_json_rows(
            bind_all(sqlx::query(&query.sql), &query.binds),
            &self.reader,
        )
        .await?;
        let mut ids: Vec<String> = rows.into_iter().map(|(id,)| id).collect();
        let more = ids.len() as i64 > search.max_results;
        ids.truncate(search.max_results as usize);
        Ok(Page {
            items: self.load_logged_models(&ids).await?,
            next_offset: more.then_some(search.offset + search.max_results),
        })
    }

    async fn log_outputs(&self, run_id: &str, models: &[ModelOutput]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let stage: Option<(String,)> =
            sqlx::query_as("SELECT lifecycle_stage FROM runs WHERE run_uuid = $1")
                .bind(run_id)
                .fetch_optional(&mut *tx)
                .await?;
        let (stage,) = stage.ok_or_else(|| run_not_found(run_id))?;
        if stage != LifecycleStage::Active.as_str() {
            return Err(StoreError::InvalidInput(format!(
                "The run {run_id} must be in the 'active' state. Current state is {stage}."
            )));
        }
        for model in models {
            sqlx::query(
                "INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES ($1, $2, $3) \
                 ON CONFLICT (run_uuid, model_id) DO UPDATE SET step = excluded.step",
            )
            .bind(run_id)
            .bind(&model.model_id)
            .bind(model.step)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
