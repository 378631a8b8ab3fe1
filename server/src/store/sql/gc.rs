//! Permanent deletion of soft-deleted runs and experiments (`mlflow gc`). Child rows go
//! with their run or experiment through `ON DELETE CASCADE`.

use async_trait::async_trait;

use super::{placeholders, SqlStore};
use crate::store::{GarbageCollector, StoreResult};

#[async_trait]
impl GarbageCollector for SqlStore {
    async fn purge_deleted(
        &self,
        older_than: Option<i64>,
        run_ids: &[String],
        experiment_ids: &[i64],
    ) -> StoreResult<(u64, u64)> {
        let mut tx = self.begin_write().await?;
        let cutoff = older_than.unwrap_or(i64::MAX);
        let mut sql = String::from(
            "DELETE FROM runs WHERE lifecycle_stage = 'deleted' \
             AND COALESCE(deleted_time, 0) <= $1",
        );
        if !run_ids.is_empty() {
            sql.push_str(&format!(
                " AND run_uuid IN ({})",
                placeholders(2, run_ids.len())
            ));
        }
        let mut query = sqlx::query(&sql).bind(cutoff);
        for id in run_ids {
            query = query.bind(id.as_str());
        }
        let runs = query.execute(&mut *tx).await?.rows_affected();

        let mut sql = String::from(
            "DELETE FROM experiments WHERE lifecycle_stage = 'deleted' \
             AND COALESCE(last_update_time, 0) <= $1",
        );
        if !experiment_ids.is_empty() {
            sql.push_str(&format!(
                " AND experiment_id IN ({})",
                placeholders(2, experiment_ids.len())
            ));
        }
        let mut query = sqlx::query(&sql).bind(cutoff);
        for id in experiment_ids {
            query = query.bind(*id);
        }
        let experiments = query.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok((runs, experiments))
    }
}
