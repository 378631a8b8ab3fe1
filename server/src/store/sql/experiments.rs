//! Experiments and their tags.

use async_trait::async_trait;
use ferroflow_protocol::{Experiment, ExperimentTag, LifecycleStage};
use std::collections::HashMap;

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

use super::search::{search_experiments_sql, Bind};
use super::write::WriteConn;
use super::{fetch_json_rows, unique_violation, SqlStore};
use crate::store::{
    Entity, ExperimentSearch, ExperimentStore, NewExperiment, Page, StoreError, StoreResult,
};

/// `experiments` columns in the order of [`ExperimentRow`].
const EXPERIMENT_FIELDS: [&str; 6] = [
    "experiment_id",
    "name",
    "artifact_location",
    "lifecycle_stage",
    "creation_time",
    "last_update_time",
];

/// One `experiments` row as the JSON aggregate returns it.
type ExperimentRow = (i64, String, String, String, Option<i64>, Option<i64>);

/// Returns `sql` with every id of `ids` bound in order.
fn with_ids<'q>(sql: &'q str, ids: &[i64]) -> Query<'q, Any, AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for id in ids {
        query = query.bind(*id);
    }
    query
}

/// MLflow's message for an unknown experiment id.
pub(super) fn experiment_not_found(experiment_id: i64) -> StoreError {
    StoreError::NotFound(
        Entity::Experiment,
        format!("No Experiment with id={experiment_id} exists"),
    )
}

/// Returns the lifecycle stage of an experiment, or NotFound.
pub(super) async fn experiment_stage(
    conn: &mut WriteConn<'_>,
    experiment_id: i64,
) -> StoreResult<LifecycleStage> {
    let row = conn
        .fetch_optional(
            "SELECT lifecycle_stage FROM experiments WHERE experiment_id = $1",
            &[Bind::Int(experiment_id)],
        )
        .await?
        .ok_or_else(|| experiment_not_found(experiment_id))?;
    Ok(LifecycleStage::parse(row[0].text()?).unwrap_or_default())
}

/// Fails unless the experiment exists and is active, with MLflow's
/// `_check_experiment_is_active` message (INVALID_PARAMETER_VALUE).
pub(super) async fn require_active_experiment(
    conn: &mut WriteConn<'_>,
    experiment_id: i64,
) -> StoreResult<()> {
    let stage = experiment_stage(conn, experiment_id).await?;
    if stage != LifecycleStage::Active {
        return Err(StoreError::InvalidInput(format!(
            "The experiment {experiment_id} must be in the 'active' state. \
             Current state is {}.",
            stage.as_str()
        )));
    }
    Ok(())
}

/// Explains why an `INSERT ... SELECT ... FROM experiments WHERE active` wrote nothing:
/// the experiment is not active, or it does not exist.
pub(super) async fn no_active_experiment(
    conn: &mut WriteConn<'_>,
    experiment_id: i64,
) -> StoreError {
    match require_active_experiment(conn, experiment_id).await {
        Err(err) => err,
        // Restored since the insert looked: report what the insert saw.
        Ok(()) => experiment_not_found(experiment_id),
    }
}

impl SqlStore {
    /// Creates experiment "Default" with id 0 unless it exists, as MLflow does at start.
    pub(super) async fn ensure_default_experiment(&self) -> StoreResult<()> {
        let now = crate::service::now_ms();
        sqlx::query(
            "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, \
             creation_time, last_update_time) VALUES (0, 'Default', $1, 'active', $2, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(self.default_artifact_location(0))
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Loads experiments by id with their tags, in the given order; each table is read
    /// as one JSON aggregate row (see [`super::Dialect::json_rows`]).
    async fn load_experiments(&self, ids: &[i64]) -> StoreResult<Vec<Experiment>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let list = self.dialect.params(1, chunk.len());
            let sql = format!(
                "SELECT {} FROM experiments WHERE experiment_id IN ({list})",
                self.dialect.json_rows(&EXPERIMENT_FIELDS, "experiment_id")
            );
            let rows: Vec<ExperimentRow> =
                fetch_json_rows(with_ids(&sql, chunk), &self.reader).await?;
            let mut by_id: HashMap<i64, Experiment> = rows
                .into_iter()
                .map(
                    |(id, name, artifact_location, stage, creation_time, last_update_time)| {
                        let experiment = Experiment {
                            experiment_id: id.to_string(),
                            name,
                            artifact_location,
                            lifecycle_stage: LifecycleStage::parse(&stage).unwrap_or_default(),
                            creation_time,
                            last_update_time,
                            tags: Vec::new(),
                        };
                        (id, experiment)
                    },
                )
                .collect();
            let sql = format!(
                "SELECT {} FROM experiment_tags WHERE experiment_id IN ({list})",
                self.dialect
                    .json_rows(&["experiment_id", "key", "value"], "experiment_id, key")
            );
            let tags: Vec<(i64, String, String)> =
                fetch_json_rows(with_ids(&sql, chunk), &self.reader).await?;
            for (id, key, value) in tags {
                if let Some(experiment) = by_id.get_mut(&id) {
                    experiment.tags.push(ExperimentTag { key, value });
                }
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(out)
    }

    async fn set_experiment_stage(
        &self,
        experiment_id: i64,
        from: LifecycleStage,
        to: LifecycleStage,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE experiments SET lifecycle_stage = $1, last_update_time = $2 \
             WHERE experiment_id = $3 AND lifecycle_stage = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(experiment_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(experiment_not_found(experiment_id));
        }
        // MLflow moves the experiment's runs along with it.
        let deleted_time = (to == LifecycleStage::Deleted).then_some(now);
        sqlx::query(
            "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 \
             WHERE experiment_id = $3 AND lifecycle_stage = $4",
        )
        .bind(to.as_str())
        .bind(deleted_time)
        .bind(experiment_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl ExperimentStore for SqlStore {
    async fn create_experiment(&self, new: NewExperiment) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let name = new.name.clone();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, \
             last_update_time) VALUES ($1, $2, 'active', $3, $3) RETURNING experiment_id",
        )
        .bind(&new.name)
        .bind(new.artifact_location.clone().unwrap_or_default())
        .bind(new.creation_time)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, || format!("Experiment(name={name}) already exists.")))?;
        if new.artifact_location.is_none() {
            sqlx::query("UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2")
                .bind(self.default_artifact_location(id))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for tag in &new.tags {
            sqlx::query(
                "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
            )
            .bind(id)
            .bind(&tag.key)
            .bind(&tag.value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn get_experiment(&self, experiment_id: i64) -> StoreResult<Experiment> {
        self.load_experiments(&[experiment_id])
            .await?
            .pop()
            .ok_or_else(|| experiment_not_found(experiment_id))
    }

    async fn get_experiment_by_name(&self, name: &str) -> StoreResult<Option<Experiment>> {
        let id: Option<(i64,)> =
            sqlx::query_as("SELECT experiment_id FROM experiments WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.reader)
                .await?;
        match id {
            Some((id,)) => Ok(self.load_experiments(&[id]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn delete_experiment(&self, experiment_id: i64, now: i64) -> StoreResult<()> {
        self.set_experiment_stage(
            experiment_id,
            LifecycleStage::Active,
            LifecycleStage::Deleted,
            now,
        )
        .await
    }

    async fn restore_experiment(&self, experiment_id: i64, now: i64) -> StoreResult<()> {
        self.set_experiment_stage(
            experiment_id,
            LifecycleStage::Deleted,
            LifecycleStage::Active,
            now,
        )
        .await
    }

    async fn rename_experiment(&self, experiment_id: i64, name: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let stage = experiment_stage(&mut WriteConn::Sqlx(&mut tx), experiment_id).await?;
        if stage != LifecycleStage::Active {
            return Err(StoreError::InvalidState(
                "Cannot rename a non-active experiment.".to_string(),
            ));
        }
        sqlx::query(
            "UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3",
        )
        .bind(name)
        .bind(now)
        .bind(experiment_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, || format!("Experiment(name={name}) already exists.")))?;
        tx.commit().await?;
        Ok(())
    }

    async fn search_experiments(&self, search: &ExperimentSearch) -> StoreResult<Page<Experiment>> {
        let query = search_experiments_sql(
            self.dialect,
            search.view.stages(),
            &search.filter,
            &search.order_by,
            search.offset,
            search.max_results + 1,
        );
        let mut ids: Vec<i64> = self.fetch_page_ids(&query).await?;
        let more = ids.len() as i64 > search.max_results;
        ids.truncate(search.max_results as usize);
        let items = self.load_experiments(&ids).await?;
        Ok(Page {
            next_offset: more.then_some(search.offset + search.max_results),
            items,
        })
    }

    async fn set_experiment_tag(&self, experiment_id: i64, tag: &ExperimentTag) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_active_experiment(&mut WriteConn::Sqlx(&mut tx), experiment_id).await?;
        sqlx::query(
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
        )
        .bind(experiment_id)
        .bind(&tag.key)
        .bind(&tag.value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_experiment_tag(&self, experiment_id: i64, key: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_active_experiment(&mut WriteConn::Sqlx(&mut tx), experiment_id).await?;
        let deleted =
            sqlx::query("DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2")
                .bind(experiment_id)
                .bind(key)
                .execute(&mut *tx)
                .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound(
                Entity::Experiment,
                format!("No tag with name: {key} in experiment with id {experiment_id}"),
            ));
        }
        tx.commit().await?;
        Ok(())
    }
}
