//! The model registry on SQL: registered models, versions, their tags and aliases, with
//! the semantics of MLflow's `SqlAlchemyStore` (`mlflow/store/model_registry/
//! sqlalchemy_store.py`): versions count up per model and are never reused (a deleted
//! version stays as a redacted `Deleted_Internal` row), renames cascade to versions,
//! deleting a model deletes everything under it, and prompts (models tagged
//! `mlflow.prompt.is_prompt = 'true'`) are left out of searches unless asked for.
//!
//! Reads come back as one [`crate::store::sql::Dialect::json_rows`] aggregate row per table.
//!
//! Here the store's operations; `query` renders searches' filters and orders, `rows`
//! reads versions and models back.

mod query;
mod rows;

use std::collections::HashMap;

use async_trait::async_trait;
use ferroflow_protocol::{ModelVersion, ModelVersionTag, RegisteredModel, RegisteredModelTag};
use sqlx::AnyConnection;

use super::search::{Bind, Builder};
use super::{bind_all, fetch_json_rows, SqlStore};
use crate::store::registry::{
    NewModelVersion, NewRegisteredModel, RegistrySearch, RegistryStore, STAGE_DELETED_INTERNAL,
};
use crate::store::{Page, StoreError, StoreResult};
use query::{filter_conditions, order_terms, IS_PROMPT_TAG};
use rows::{model_version_not_found, registered_model_not_found};

/// Locks and touches a registered model inside a write transaction; `NotFound` if absent.
/// On PostgreSQL the row lock also serializes concurrent version creation.
async fn touch_registered_model(conn: &mut AnyConnection, name: &str, now: i64) -> StoreResult<()> {
    let updated =
        sqlx::query("UPDATE registered_models SET last_updated_time = $1 WHERE name = $2")
            .bind(now)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    if updated.rows_affected() == 0 {
        return Err(registered_model_not_found(name));
    }
    Ok(())
}

/// Fails unless `(name, version)` is a live version.
async fn require_version(conn: &mut AnyConnection, name: &str, version: i64) -> StoreResult<()> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT version FROM model_versions WHERE name = $1 AND version = $2 \
         AND current_stage <> $3",
    )
    .bind(name)
    .bind(version)
    .bind(STAGE_DELETED_INTERNAL)
    .fetch_optional(&mut *conn)
    .await?;
    found
        .map(drop)
        .ok_or_else(|| model_version_not_found(name, version))
}

#[async_trait]
impl RegistryStore for SqlStore {
    async fn create_registered_model(
        &self,
        new: NewRegisteredModel,
    ) -> StoreResult<RegisteredModel> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO registered_models (name, creation_time, last_updated_time, description) \
             VALUES ($1, $2, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&new.name)
        .bind(new.creation_time)
        .bind(new.description.as_deref())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            // A prompt and a model may not share a name; say which one holds it.
            let existing_is_prompt: Option<(String,)> = sqlx::query_as(
                "SELECT value FROM registered_model_tags WHERE name = $1 AND key = $2",
            )
            .bind(&new.name)
            .bind(IS_PROMPT_TAG)
            .fetch_optional(&mut *tx)
            .await?;
            let old_prompt = existing_is_prompt.is_some_and(|(v,)| v.eq_ignore_ascii_case("true"));
            let new_prompt = new
                .tags
                .iter()
                .any(|t| t.key == IS_PROMPT_TAG && t.value.eq_ignore_ascii_case("true"));
            let entity = |prompt: bool| if prompt { "Prompt" } else { "Registered Model" };
            let message = if old_prompt != new_prompt {
                format!(
                    "Tried to create a {} with name '{}', but the name is already taken by a \
                     {}. MLflow does not allow creating a model and a prompt with the same name.",
                    entity(new_prompt).to_lowercase(),
                    new.name,
                    entity(old_prompt).to_lowercase()
                )
            } else {
                format!("{} (name={}) already exists.", entity(new_prompt), new.name)
            };
            return Err(StoreError::AlreadyExists(message));
        }
        let mut last: HashMap<&str, &str> = HashMap::new();
        for tag in &new.tags {
            last.insert(&tag.key, &tag.value);
        }
        for (key, value) in last {
            sqlx::query("INSERT INTO registered_model_tags (name, key, value) VALUES ($1, $2, $3)")
                .bind(&new.name)
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.get_registered_model(&new.name).await
    }

    async fn get_registered_model(&self, name: &str) -> StoreResult<RegisteredModel> {
        self.load_registered_models(&[name.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| registered_model_not_found(name))
    }

    async fn rename_registered_model(
        &self,
        name: &str,
        new_name: &str,
        now: i64,
    ) -> StoreResult<RegisteredModel> {
        let mut tx = self.begin_write().await?;
        if !self.registered_model_exists(&mut *tx, name).await? {
            return Err(registered_model_not_found(name));
        }
        if name != new_name && self.registered_model_exists(&mut *tx, new_name).await? {
            return Err(StoreError::AlreadyExists(format!(
                "Registered Model (name={new_name}) already exists."
            )));
        }
        // Versions, tags and aliases follow through ON UPDATE CASCADE.
        sqlx::query(
            "UPDATE registered_models SET name = $1, last_updated_time = $2 WHERE name = $3",
        )
        .bind(new_name)
        .bind(now)
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            super::unique_violation(e, || {
                format!("Registered Model (name={new_name}) already exists.")
            })
        })?;
        sqlx::query("UPDATE model_versions SET last_updated_time = $1 WHERE name = $2")
            .bind(now)
            .bind(new_name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.get_registered_model(new_name).await
    }

    async fn update_registered_model(
        &self,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> StoreResult<RegisteredModel> {
        let updated = sqlx::query(
            "UPDATE registered_models SET description = $1, last_updated_time = $2 \
             WHERE name = $3",
        )
        .bind(description)
        .bind(now)
        .bind(name)
        .execute(&self.writer)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(registered_model_not_found(name));
        }
        self.get_registered_model(name).await
    }

    async fn delete_registered_model(&self, name: &str) -> StoreResult<()> {
        let deleted = sqlx::query("DELETE FROM registered_models WHERE name = $1")
            .bind(name)
            .execute(&self.writer)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(registered_model_not_found(name));
        }
        Ok(())
    }

    async fn search_registered_models(
        &self,
        search: &RegistrySearch,
    ) -> StoreResult<Page<RegisteredModel>> {
        let mut b = Builder::new(self.dialect);
        let conditions = filter_conditions(
            &mut b,
            &search.filter,
            "rm",
            "registered_model_tags",
            "t.name = rm.name",
        );
        let mut inner = "SELECT rm.name, rm.last_updated_time FROM registered_models rm".to_owned();
        if !conditions.is_empty() {
            inner.push_str(" WHERE ");
            inner.push_str(&conditions.join(" AND "));
        }
        let order = order_terms(self.dialect, &search.order_by, false);
        let l = b.bind(Bind::Int(search.max_results + 1));
        let o = b.bind(Bind::Int(search.offset));
        inner.push_str(&format!(" ORDER BY {order} LIMIT {l} OFFSET {o}"));
        let sql = format!(
            "SELECT {} FROM ({inner}) rm",
            self.dialect.json_rows(&["name"], &order)
        );
        let rows: Vec<(String,)> =
            fetch_json_rows(bind_all(sqlx::query(&sql), &b.binds), &self.reader).await?;
        let mut names: Vec<String> = rows.into_iter().map(|(n,)| n).collect();
        let more = names.len() as i64 > search.max_results;
        names.truncate(search.max_results as usize);
        Ok(Page {
            items: self.load_registered_models(&names).await?,
            next_offset: more.then_some(search.offset + search.max_results),
        })
    }

    async fn get_latest_versions(
        &self,
        name: &str,
        stages: &[&str],
    ) -> StoreResult<Vec<ModelVersion>> {
        let model = self.get_registered_model(name).await?;
        Ok(model
            .latest_versions
            .into_iter()
            .filter(|v| stages.is_empty() || stages.contains(&v.current_stage.as_str()))
            .collect())
    }

    async fn set_registered_model_tag(
        &self,
        name: &str,
        tag: &RegisteredModelTag,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if !self.registered_model_exists(&mut *tx, name).await? {
            return Err(registered_model_not_found(name));
        }
        sqlx::query(
            "INSERT INTO registered_model_tags (name, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (name, key) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(&tag.key)
        .bind(&tag.value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_registered_model_tag(&self, name: &str, key: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if !self.registered_model_exists(&mut *tx, name).await? {
            return Err(registered_model_not_found(name));
        }
        sqlx::query("DELETE FROM registered_model_tags WHERE name = $1 AND key = $2")
            .bind(name)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_model_version(&self, new: NewModelVersion) -> StoreResult<ModelVersion> {
        let mut tx = self.begin_write().await?;
        touch_registered_model(&mut tx, &new.name, new.creation_time).await?;
        // Deleted versions keep their rows, so MAX covers every number ever used.
        let (version,): (i64,) = sqlx::query_as(
            "INSERT INTO model_versions (name, version, creation_time, last_updated_time, \
             description, current_stage, source, storage_location, run_id, run_link, status, \
             model_id) SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $2, $3, 'None', $4, $5, \
             $6, $7, 'READY', $8 FROM model_versions WHERE name = $1 RETURNING version",
        )
        .bind(&new.name)
        .bind(new.creation_time)
        .bind(new.description.as_deref())
        .bind(&new.source)
        .bind(&new.storage_location)
        .bind(new.run_id.as_deref())
        .bind(new.run_link.as_deref())
        .bind(new.model_id.as_deref())
        .fetch_one(&mut *tx)
        .await?;
        let mut last: HashMap<&str, &str> = HashMap::new();
        for tag in &new.tags {
            last.insert(&tag.key, &tag.value);
        }
        for (key, value) in last {
            sqlx::query(
                "INSERT INTO model_version_tags (name, version, key, value) VALUES ($1, $2, $3, $4)",
            )
            .bind(&new.name)
            .bind(version)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.get_model_version(&new.name, version).await
    }

    async fn get_model_version(&self, name: &str, version: i64) -> StoreResult<ModelVersion> {
        let mut b = Builder::new(self.dialect);
        let n = b.text(name);
        let v = b.bind(Bind::Int(version));
        let deleted = b.text(STAGE_DELETED_INTERNAL);
        let conditions = vec![
            format!("mv.name = {n}"),
            format!("mv.version = {v}"),
            format!("mv.current_stage <> {deleted}"),
        ];
        self.select_versions(b, &conditions, "version", None)
            .await?
            .pop()
            .ok_or_else(|| model_version_not_found(name, version))
    }

    async fn update_model_version(
        &self,
        name: &str,
        version: i64,
        description: Option<&str>,
        now: i64,
    ) -> StoreResult<ModelVersion> {
        let updated = sqlx::query(
            "UPDATE model_versions SET description = $1, last_updated_time = $2 \
             WHERE name = $3 AND version = $4 AND current_stage <> $5",
        )
        .bind(description)
        .bind(now)
        .bind(name)
        .bind(version)
        .bind(STAGE_DELETED_INTERNAL)
        .execute(&self.writer)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(model_version_not_found(name, version));
        }
        self.get_model_version(name, version).await
    }

    async fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: &str,
        archive_existing_versions: bool,
        now: i64,
    ) -> StoreResult<ModelVersion> {
        let mut tx = self.begin_write().await?;
        require_version(&mut tx, name, version).await?;
        if archive_existing_versions {
            sqlx::query(
                "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = $1 \
                 WHERE name = $2 AND version <> $3 AND current_stage = $4",
            )
            .bind(now)
            .bind(name)
            .bind(version)
            .bind(stage)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE model_versions SET current_stage = $1, last_updated_time = $2 \
             WHERE name = $3 AND version = $4",
        )
        .bind(stage)
        .bind(now)
        .bind(name)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        touch_registered_model(&mut tx, name, now).await?;
        tx.commit().await?;
        self.get_model_version(name, version).await
    }

    async fn delete_model_version(&self, name: &str, version: i64, now: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_version(&mut tx, name, version).await?;
        touch_registered_model(&mut tx, name, now).await?;
        sqlx::query("DELETE FROM registered_model_aliases WHERE name = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        // Redacted as MLflow does; the row keeps the number from being reused.
        sqlx::query(
            "UPDATE model_versions SET current_stage = $1, last_updated_time = $2, \
             description = NULL, user_id = NULL, source = 'REDACTED-SOURCE-PATH', \
             storage_location = NULL, run_id = 'REDACTED-RUN-ID', \
             run_link = 'REDACTED-RUN-LINK', status_message = NULL \
             WHERE name = $3 AND version = $4",
        )
        .bind(STAGE_DELETED_INTERNAL)
        .bind(now)
        .bind(name)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_model_version_download_uri(
        &self,
        name: &str,
        version: i64,
    ) -> StoreResult<String> {
        let row: Option<(Option<String>, String)> = sqlx::query_as(
            "SELECT storage_location, source FROM model_versions \
             WHERE name = $1 AND version = $2 AND current_stage <> $3",
        )
        .bind(name)
        .bind(version)
        .bind(STAGE_DELETED_INTERNAL)
        .fetch_optional(&self.reader)
        .await?;
        let (storage_location, source) =
            row.ok_or_else(|| model_version_not_found(name, version))?;
        Ok(storage_location.filter(|s| !s.is_empty()).unwrap_or(source))
    }

    async fn search_model_versions(
        &self,
        search: &RegistrySearch,
    ) -> StoreResult<Page<ModelVersion>> {
        let mut b = Builder::new(self.dialect);
        let mut conditions = filter_conditions(
            &mut b,
            &search.filter,
            "mv",
            "model_version_tags",
            "t.name = mv.name AND t.version = mv.version",
        );
        let deleted = b.text(STAGE_DELETED_INTERNAL);
        conditions.push(format!("mv.current_stage <> {deleted}"));
        let order = order_terms(self.dialect, &search.order_by, true);
        let mut items = self
            .select_versions(
                b,
                &conditions,
                &order,
                Some((search.max_results + 1, search.offset)),
            )
            .await?;
        let more = items.len() as i64 > search.max_results;
        items.truncate(search.max_results as usize);
        Ok(Page {
            items,
            next_offset: more.then_some(search.offset + search.max_results),
        })
    }

    async fn set_model_version_tag(
        &self,
        name: &str,
        version: i64,
        tag: &ModelVersionTag,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_version(&mut tx, name, version).await?;
        sqlx::query(
            "INSERT INTO model_version_tags (name, version, key, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(version)
        .bind(&tag.key)
        .bind(&tag.value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_model_version_tag(
        &self,
        name: &str,
        version: i64,
        key: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_version(&mut tx, name, version).await?;
        sqlx::query("DELETE FROM model_version_tags WHERE name = $1 AND version = $2 AND key = $3")
            .bind(name)
            .bind(version)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_registered_model_alias(
        &self,
        name: &str,
        alias: &str,
        version: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        require_version(&mut tx, name, version).await?;
        sqlx::query(
            "INSERT INTO registered_model_aliases (name, alias, version) VALUES ($1, $2, $3) \
             ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
        )
        .bind(name)
        .bind(alias)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_registered_model_alias(&self, name: &str, alias: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if !self.registered_model_exists(&mut *tx, name).await? {
            return Err(registered_model_not_found(name));
        }
        sqlx::query("DELETE FROM registered_model_aliases WHERE name = $1 AND alias = $2")
            .bind(name)
            .bind(alias)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_model_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> StoreResult<ModelVersion> {
        if !self.registered_model_exists(&self.reader, name).await? {
            return Err(registered_model_not_found(name));
        }
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT version FROM registered_model_aliases WHERE name = $1 AND alias = $2",
        )
        .bind(name)
        .bind(alias)
        .fetch_optional(&self.reader)
        .await?;
        let (version,) = row.ok_or_else(|| {
            StoreError::InvalidInput(format!("Registered model alias {alias} not found."))
        })?;
        self.get_model_version(name, version).await
    }
}
