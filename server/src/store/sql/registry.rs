//! The model registry on SQL: registered models, versions, their tags and aliases, with
//! the semantics of MLflow's `SqlAlchemyStore` (`mlflow/store/model_registry/
//! sqlalchemy_store.py`): versions count up per model and are never reused (a deleted
//! version stays as a redacted `Deleted_Internal` row), renames cascade to versions,
//! deleting a model deletes everything under it, and prompts (models tagged
//! `mlflow.prompt.is_prompt = 'true'`) are left out of searches unless asked for.
//!
//! Reads come back as one [`super::Dialect::json_rows`] aggregate row per table.

use std::collections::HashMap;

use async_trait::async_trait;
use ferroflow_protocol::{
    ModelVersion, ModelVersionStatus, ModelVersionTag, RegisteredModel, RegisteredModelAlias,
    RegisteredModelTag,
};
use sqlx::{Any, AnyConnection, Executor};

use super::search::{Bind, Builder};
use super::{bind_all, fetch_json_rows, Dialect, SqlStore};
use crate::service::search::registry::{
    RegistryAttribute, RegistryClause, RegistryFilter, RegistryOrderBy, RegistryOrderKey,
};
use crate::service::search::StringOp;
use crate::store::registry::{
    NewModelVersion, NewRegisteredModel, RegistrySearch, RegistryStore, STAGE_DELETED_INTERNAL,
};
use crate::store::{Entity, Page, StoreError, StoreResult};

/// The tag that marks a registered model (or version) as a prompt.
const IS_PROMPT_TAG: &str = "mlflow.prompt.is_prompt";

/// `model_versions` columns in the order of [`VersionRow`].
const VERSION_FIELDS: [&str; 13] = [
    "name",
    "version",
    "creation_time",
    "last_updated_time",
    "description",
    "user_id",
    "current_stage",
    "source",
    "run_id",
    "run_link",
    "status",
    "status_message",
    "model_id",
];

/// One `model_versions` row as the JSON aggregate returns it.
type VersionRow = (
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

fn version_from_row(row: VersionRow) -> ModelVersion {
    let (
        name,
        version,
        creation_time,
        last_updated_time,
        description,
        user_id,
        current_stage,
        source,
        run_id,
        run_link,
        status,
        status_message,
        model_id,
    ) = row;
    ModelVersion {
        name,
        version: version.to_string(),
        creation_timestamp: Some(creation_time),
        last_updated_timestamp: Some(last_updated_time),
        user_id,
        current_stage,
        description,
        source,
        run_id,
        status: ModelVersionStatus::parse(&status).unwrap_or_default(),
        status_message,
        tags: Vec::new(),
        run_link,
        aliases: Vec::new(),
        model_id,
    }
}

/// MLflow's message for an unknown registered model.
pub(super) fn registered_model_not_found(name: &str) -> StoreError {
    StoreError::NotFound(
        Entity::RegisteredModel,
        format!("Registered Model with name={name} not found"),
    )
}

/// MLflow's message for an unknown (or deleted) model version.
fn model_version_not_found(name: &str, version: i64) -> StoreError {
    StoreError::NotFound(
        Entity::ModelVersion,
        format!("Model Version (name={name}, version={version}) not found"),
    )
}

/// Returns whether a filter asks for prompts (`tags.mlflow.prompt.is_prompt = 'true'`),
/// as MLflow's `_is_querying_prompt`.
fn is_querying_prompts(filter: &RegistryFilter) -> bool {
    filter.clauses.iter().any(|c| match c {
        RegistryClause::Tag { key, op, value } if key == IS_PROMPT_TAG => {
            (*op == StringOp::Eq && value.eq_ignore_ascii_case("true"))
                || (*op == StringOp::NotEq && value.eq_ignore_ascii_case("false"))
        }
        _ => false,
    })
}

/// Renders the WHERE conditions of a registry search over `alias` (`rm` or `mv`).
/// `tag_table` holds the tags and `tag_join` matches a tag row `t` to the entity.
fn filter_conditions(
    b: &mut Builder,
    filter: &RegistryFilter,
    alias: &str,
    tag_table: &str,
    tag_join: &str,
) -> Vec<String> {
    let mut conditions = Vec::new();
    let prompts = is_querying_prompts(filter);
    if !prompts {
        // MLflow drops conditions on the prompt tag when it excludes prompts.
        let key = b.text(IS_PROMPT_TAG);
        let value = b.text("true");
        conditions.push(format!(
            "NOT EXISTS (SELECT 1 FROM {tag_table} t WHERE {tag_join} AND t.key = {key} \
             AND t.value = {value})"
        ));
    }
    for clause in &filter.clauses {
        match clause {
            RegistryClause::Attribute {
                attribute,
                predicate,
            } => {
                let column = match attribute {
                    RegistryAttribute::Name => format!("{alias}.name"),
                    RegistryAttribute::RunId => format!("{alias}.run_id"),
                    RegistryAttribute::Source => format!("{alias}.source"),
                };
                conditions.push(b.string_predicate(&column, predicate));
            }
            RegistryClause::Version { op, value } => {
                let p = b.bind(Bind::Int(*value));
                conditions.push(format!("{alias}.version {} {p}", op.as_sql()));
            }
            RegistryClause::Tag { key, .. } if key == IS_PROMPT_TAG && !prompts => {}
            RegistryClause::Tag { key, op, value } => {
                let k = b.text(key);
                let v = b.compare_string("t.value", *op, value);
                conditions.push(format!(
                    "EXISTS (SELECT 1 FROM {tag_table} t WHERE {tag_join} AND t.key = {k} \
                     AND {v})"
                ));
            }
        }
    }
    conditions
}

/// Returns `column` for ordering: byte-wise text on PostgreSQL, as SQLite compares.
fn text_column(dialect: Dialect, column: &str) -> String {
    match dialect {
        Dialect::Sqlite => column.to_owned(),
        Dialect::Postgres => format!("{column} COLLATE \"C\""),
    }
}

/// Renders an ORDER BY list over unqualified columns, adding MLflow's tie-breakers.
fn order_terms(dialect: Dialect, order_by: &[RegistryOrderBy], versions: bool) -> String {
    let mut terms = Vec::new();
    let mut seen_name = false;
    let mut seen_version = false;
    for o in order_by {
        let column = match o.key {
            RegistryOrderKey::Name => {
                seen_name = true;
                text_column(dialect, "name")
            }
            RegistryOrderKey::Version => {
                seen_version = true;
                "version".to_owned()
            }
            RegistryOrderKey::CreationTime => "creation_time".to_owned(),
            RegistryOrderKey::LastUpdatedTime => "last_updated_time".to_owned(),
        };
        terms.push(format!(
            "{column} {}",
            if o.ascending { "ASC" } else { "DESC" }
        ));
    }
    if !seen_name {
        terms.push(format!("{} ASC", text_column(dialect, "name")));
    }
    if versions && !seen_version {
        terms.push("version DESC".to_owned());
    }
    terms.join(", ")
}

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

impl SqlStore {
    /// Returns model versions matching `conditions` (rendered over `mv`), in `order`,
    /// with `limit` rows after `offset`, tags and aliases filled in.
    async fn select_versions(
        &self,
        mut b: Builder,
        conditions: &[String],
        order: &str,
        page: Option<(i64, i64)>,
    ) -> StoreResult<Vec<ModelVersion>> {
        let mut inner = "SELECT * FROM model_versions mv".to_owned();
        if !conditions.is_empty() {
            inner.push_str(" WHERE ");
            inner.push_str(&conditions.join(" AND "));
        }
        inner.push_str(&format!(" ORDER BY {order}"));
        if let Some((limit, offset)) = page {
            let l = b.bind(Bind::Int(limit));
            let o = b.bind(Bind::Int(offset));
            inner.push_str(&format!(" LIMIT {l} OFFSET {o}"));
        }
        let sql = format!(
            "SELECT {} FROM ({inner}) mv",
            self.dialect.json_rows(&VERSION_FIELDS, order)
        );
        let rows: Vec<VersionRow> =
            fetch_json_rows(bind_all(sqlx::query(&sql), &b.binds), &self.reader).await?;
        let mut versions: Vec<ModelVersion> = rows.into_iter().map(version_from_row).collect();
        self.fill_version_details(&mut versions).await?;
        Ok(versions)
    }

    /// Fills the tags and aliases of `versions`.
    async fn fill_version_details(&self, versions: &mut [ModelVersion]) -> StoreResult<()> {
        if versions.is_empty() {
            return Ok(());
        }
        let mut names: Vec<&str> = versions.iter().map(|v| v.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
        let mut tags: HashMap<(String, String), Vec<ModelVersionTag>> = HashMap::new();
        let mut aliases: HashMap<(String, String), Vec<String>> = HashMap::new();
        for chunk in names.chunks(500) {
            let list = self.dialect.params(1, chunk.len());
            let sql = format!(
                "SELECT {} FROM model_version_tags WHERE name IN ({list})",
                self.dialect
                    .json_rows(&["name", "version", "key", "value"], "name, version, key")
            );
            let binds: Vec<Bind> = chunk.iter().map(|n| Bind::Text(n.clone())).collect();
            let rows: Vec<(String, i64, String, String)> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            for (name, version, key, value) in rows {
                tags.entry((name, version.to_string()))
                    .or_default()
                    .push(ModelVersionTag { key, value });
            }
            let sql = format!(
                "SELECT {} FROM registered_model_aliases WHERE name IN ({list})",
                self.dialect
                    .json_rows(&["name", "version", "alias"], "name, alias")
            );
            let rows: Vec<(String, i64, String)> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            for (name, version, alias) in rows {
                aliases
                    .entry((name, version.to_string()))
                    .or_default()
                    .push(alias);
            }
        }
        for v in versions.iter_mut() {
            let key = (v.name.clone(), v.version.clone());
            v.tags = tags.remove(&key).unwrap_or_default();
            v.aliases = aliases.remove(&key).unwrap_or_default();
        }
        Ok(())
    }

    /// Returns registered models by name (unknown names skipped) in the given order, with
    /// tags, aliases and latest versions.
    async fn load_registered_models(&self, names: &[String]) -> StoreResult<Vec<RegisteredModel>> {
        let mut out = Vec::with_capacity(names.len());
        for chunk in names.chunks(500) {
            let list = self.dialect.params(1, chunk.len());
            let binds: Vec<Bind> = chunk.iter().map(|n| Bind::Text(n.clone())).collect();
            let d = self.dialect;
            let sql = format!(
                "SELECT {} FROM registered_models WHERE name IN ({list})",
                d.json_rows(
                    &["name", "creation_time", "last_updated_time", "description"],
                    "name"
                )
            );
            let rows: Vec<(String, i64, i64, Option<String>)> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            let mut models: HashMap<String, RegisteredModel> = rows
                .into_iter()
                .map(|(name, created, updated, description)| {
                    let model = RegisteredModel {
                        name: name.clone(),
                        creation_timestamp: Some(created),
                        last_updated_timestamp: Some(updated),
                        description,
                        ..Default::default()
                    };
                    (name, model)
                })
                .collect();

            let sql = format!(
                "SELECT {} FROM registered_model_tags WHERE name IN ({list})",
                d.json_rows(&["name", "key", "value"], "name, key")
            );
            let rows: Vec<(String, String, String)> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            for (name, key, value) in rows {
                if let Some(m) = models.get_mut(&name) {
                    m.tags.push(RegisteredModelTag { key, value });
                }
            }

            let sql = format!(
                "SELECT {} FROM registered_model_aliases WHERE name IN ({list})",
                d.json_rows(&["name", "alias", "version"], "name, alias")
            );
            let rows: Vec<(String, String, i64)> =
                fetch_json_rows(bind_all(sqlx::query(&sql), &binds), &self.reader).await?;
            for (name, alias, version) in rows {
                if let Some(m) = models.get_mut(&name) {
                    m.aliases.push(RegisteredModelAlias {
                        alias,
                        version: version.to_string(),
                    });
                }
            }

            // The latest version of each stage (MLflow's `latest_versions`).
            let mut b = Builder::new(d);
            let items: Vec<String> = chunk.iter().map(|n| b.text(n)).collect();
            let deleted = b.text(STAGE_DELETED_INTERNAL);
            let conditions = vec![
                format!("mv.name IN ({})", items.join(", ")),
                format!("mv.current_stage <> {deleted}"),
                "mv.version = (SELECT MAX(m2.version) FROM model_versions m2 \
                 WHERE m2.name = mv.name AND m2.current_stage = mv.current_stage)"
                    .to_owned(),
            ];
            let order = format!("{}, version", text_column(d, "name"));
            for version in self.select_versions(b, &conditions, &order, None).await? {
                if let Some(m) = models.get_mut(&version.name) {
                    m.latest_versions.push(version);
                }
            }
            out.extend(chunk.iter().filter_map(|n| models.remove(n)));
        }
        Ok(out)
    }

    /// Returns whether a registered model exists.
    async fn registered_model_exists<'e, E>(&self, executor: E, name: &str) -> StoreResult<bool>
    where
        E: Executor<'e, Database = Any>,
    {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT name FROM registered_models WHERE name = $1")
                .bind(name)
                .fetch_optional(executor)
                .await?;
        Ok(found.is_some())
    }
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
