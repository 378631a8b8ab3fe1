//! Reading the registry back: versions (with their tags and aliases) and registered
//! models (with their tags, aliases and latest versions), and MLflow's not-found errors.

use std::collections::HashMap;

use ferroflow_protocol::{
    ModelVersion, ModelVersionStatus, ModelVersionTag, RegisteredModel, RegisteredModelAlias,
    RegisteredModelTag,
};
use sqlx::{Any, Executor};

use super::query::text_column;
use crate::store::registry::STAGE_DELETED_INTERNAL;
use crate::store::sql::search::{Bind, Builder};
use crate::store::sql::{bind_all, fetch_json_rows, SqlStore};
use crate::store::{Entity, StoreError, StoreResult};

/// `model_versions` columns in the order of [`VersionRow`].
pub(super) const VERSION_FIELDS: [&str; 13] = [
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
pub(super) type VersionRow = (
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

pub(super) fn version_from_row(row: VersionRow) -> ModelVersion {
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
pub(super) fn model_version_not_found(name: &str, version: i64) -> StoreError {
    StoreError::NotFound(
        Entity::ModelVersion,
        format!("Model Version (name={name}, version={version}) not found"),
    )
}

impl SqlStore {
    /// Returns model versions matching `conditions` (rendered over `mv`), in `order`,
    /// with `limit` rows after `offset`, tags and aliases filled in.
    pub(super) async fn select_versions(
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
    pub(super) async fn fill_version_details(
        &self,
        versions: &mut [ModelVersion],
    ) -> StoreResult<()> {
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
    pub(super) async fn load_registered_models(
        &self,
        names: &[String],
    ) -> StoreResult<Vec<RegisteredModel>> {
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
    pub(super) async fn registered_model_exists<'e, E>(
        &self,
        executor: E,
        name: &str,
    ) -> StoreResult<bool>
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
