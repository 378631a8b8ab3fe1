//! Experiments and their tags.

use async_trait::async_trait;
use ferroflow_protocol::{Experiment, ExperimentTag, LifecycleStage};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::Postgres;

use super::search::{search_experiments_sql, Bind, SqlQuery};
use super::write::WriteConn;
use super::{unique_violation, Dialect, RowOrder, SqlStore};
use crate::store::{
    Entity, ExperimentSearch, ExperimentStore, NewExperiment, Page, StoreError, StoreResult,
};

/// One experiment as [`SqlStore::fetch_experiments`] reads it: the `experiments` columns,
/// then its tags (none: NULL on PostgreSQL).
type ExperimentRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<TagPairs>,
);

/// An experiment's tags as `[key, value]` pairs in key order: a JSON array in SQLite's
/// aggregate row, a JSON text column in PostgreSQL's rows.
#[derive(serde::Deserialize)]
struct TagPairs(Vec<(String, String)>);

impl sqlx::Type<Postgres> for TagPairs {
    fn type_info() -> PgTypeInfo {
        <&str as sqlx::Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as sqlx::Type<Postgres>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for TagPairs {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as sqlx::Decode<Postgres>>::decode(value)?;
        Ok(serde_json::from_str(text)?)
    }
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

    /// Reads the experiments that `page` selects (a query of `experiments` rows), with
    /// their tags, in `order` (an `ORDER BY` list over `experiments.` columns that the
    /// page is sorted by): one statement, however many.
    async fn fetch_experiments(
        &self,
        page: &SqlQuery,
        order: &str,
    ) -> StoreResult<Vec<Experiment>> {
        let tags = match self.dialect {
            Dialect::Sqlite => {
                "json((SELECT json_group_array(json_array(t.key, t.value) ORDER BY t.key) \
                 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id))"
            }
            // The EXISTS first, one primary-key probe per experiment of the page: the
            // aggregate's subplan then runs only for experiments with tags. A hashed
            // `IN (SELECT experiment_id FROM experiment_tags)` ran faster on untagged
            // pages but scans every tag: at 50,000 tags a GetExperiment took 16 ms
            // instead of 0.2-0.6.
            Dialect::Postgres => {
                "CASE WHEN EXISTS (SELECT 1 FROM experiment_tags t \
                 WHERE t.experiment_id = experiments.experiment_id) \
                 THEN (SELECT CAST(json_agg(json_build_array(t.key, t.value) ORDER BY t.key) \
                 AS TEXT) FROM experiment_tags t \
                 WHERE t.experiment_id = experiments.experiment_id) END"
            }
        };
        let columns = [
            "experiments.experiment_id",
            "experiments.name",
            "experiments.artifact_location",
            "experiments.lifecycle_stage",
            "experiments.creation_time",
            "experiments.last_update_time",
            tags,
        ];
        let from = format!("FROM ({}) AS experiments", page.sql);
        let rows: Vec<ExperimentRow> = self
            .fetch_rows(&columns, &from, RowOrder::Presorted(order), &page.binds)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, artifact_location, stage, creation_time, last_update_time, tags)| {
                    Experiment {
                        experiment_id: id.to_string(),
                        name,
                        artifact_location,
                        lifecycle_stage: LifecycleStage::parse(&stage).unwrap_or_default(),
                        creation_time,
                        last_update_time,
                        tags: tags
                            .map(|TagPairs(pairs)| pairs)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(key, value)| ExperimentTag { key, value })
                            .collect(),
                    }
                },
            )
            .collect())
    }

    /// Reads the experiment that `condition` (on `experiments.`, binding `bind`) selects.
    async fn fetch_experiment(
        &self,
        condition: &str,
        bind: Bind,
    ) -> StoreResult<Option<Experiment>> {
        let page = SqlQuery {
            sql: format!("SELECT * FROM experiments WHERE {condition}"),
            binds: vec![bind],
        };
        Ok(self
            .fetch_experiments(&page, "experiments.experiment_id")
            .await?
            .pop())
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
        self.fetch_experiment("experiment_id = $1", Bind::Int(experiment_id))
            .await?
            .ok_or_else(|| experiment_not_found(experiment_id))
    }

    async fn get_experiment_by_name(&self, name: &str) -> StoreResult<Option<Experiment>> {
        self.fetch_experiment("name = $1", Bind::Text(name.to_owned()))
            .await
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
        let page = search_experiments_sql(
            self.dialect,
            search.view.stages(),
            &search.filter,
            &search.order_by,
            search.offset,
            search.max_results + 1,
        );
        let mut items = self.fetch_experiments(&page.query, &page.order).await?;
        let more = items.len() as i64 > search.max_results;
        items.truncate(search.max_results as usize);
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
