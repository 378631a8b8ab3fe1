//! Chart tiles (`metric_tiles`, migration 0004): each history cut into tiles of
//! [`MetricTile::STEPS`] steps, each keeping its point count and its first, last, smallest
//! and largest point. Written with every log-batch, read by charts of long histories.
//!
//! A tile is a join of its points: merging two tiles of the same steps gives the tile of
//! all their points, whatever the order the points came in. So each batch merges the
//! tiles of its own points into the stored ones. When the batch repeated points already
//! stored (a client retry), those must not be counted twice: the tiles it touched are
//! then recomputed from the history. (PostgreSQL's batches of metric-only log-batches
//! merge their tiles inside their one statement, [`merge_tiles_json`]; a repeat fails that
//! statement and the batch runs again through [`update_tiles`].)

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Serialize;

use super::batcher::{json_text, JsonFloat};
use super::search::Bind;
use super::write::WriteConn;
use super::{stored_value, Dialect};
use crate::store::{MetricTile, StoreResult};
use ferroflow_protocol::Metric;

/// Rows per multi-row tile upsert: 18 binds each, far below both engines' bind limits.
const TILES_PER_UPSERT: usize = 500;

/// The stored columns of a tile after `run_uuid, key`.
pub(super) const TILE_COLUMNS: &str =
    "tile, point_count, first_step, first_timestamp, first_value, \
     first_is_nan, last_step, last_timestamp, last_value, last_is_nan, min_step, min_timestamp, \
     min_value, max_step, max_timestamp, max_value";

/// Returns the tiles of the `metrics` rows matching `filter` (a condition on `run_uuid`,
/// `key` and `step`), one row per tile: migration 0004's backfill with a filter.
fn tiles_from_metrics(filter: &str) -> String {
    "SELECT DISTINCT run_uuid, key, tile,
    COUNT(*) OVER whole,
    FIRST_VALUE(step) OVER by_history, FIRST_VALUE(timestamp) OVER by_history,
    FIRST_VALUE(value) OVER by_history, FIRST_VALUE(is_nan) OVER by_history,
    LAST_VALUE(step) OVER by_history, LAST_VALUE(timestamp) OVER by_history,
    LAST_VALUE(value) OVER by_history, LAST_VALUE(is_nan) OVER by_history,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_min = 0 THEN FIRST_VALUE(step) OVER by_min END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_min = 0 THEN FIRST_VALUE(timestamp) OVER by_min END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_min = 0 THEN FIRST_VALUE(value) OVER by_min END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_max = 0 THEN FIRST_VALUE(step) OVER by_max END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_max = 0 THEN FIRST_VALUE(timestamp) OVER by_max END,
    CASE WHEN FIRST_VALUE(is_nan) OVER by_max = 0 THEN FIRST_VALUE(value) OVER by_max END
FROM (SELECT run_uuid, key, step, timestamp, value, is_nan,
        CASE WHEN step >= 0 THEN step / 128 ELSE (step + 1) / 128 - 1 END AS tile
      FROM metrics{FILTER}) AS points
WHERE true
WINDOW whole AS (PARTITION BY run_uuid, key, tile),
    by_history AS (whole ORDER BY step, timestamp, value
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
    by_min AS (whole ORDER BY is_nan, value, step, timestamp
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
    by_max AS (whole ORDER BY is_nan, value DESC, step, timestamp
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        .replace(
            "{FILTER}",
            &if filter.is_empty() {
                String::new()
            } else {
                format!(" {filter}")
            },
        )
}

/// A stored point as tiles order it: step, timestamp, stored value, is_nan.
pub(super) type StoredPoint = (i64, i64, f64, i64);

/// A tile being built from a batch's points.
struct TileRow {
    count: i64,
    first: StoredPoint,
    last: StoredPoint,
    min: Option<StoredPoint>,
    max: Option<StoredPoint>,
}

impl TileRow {
    fn new(point: StoredPoint) -> Self {
        let finite = (point.3 == 0).then_some(point);
        TileRow {
            count: 1,
            first: point,
            last: point,
            min: finite,
            max: finite,
        }
    }

    /// Adds a point, ordering as `tiles_from_metrics` does: history order (step,
    /// timestamp, value) for first and last; the smallest value, then the earliest step
    /// and timestamp, for min; the largest value, then the earliest, for max.
    fn add(&mut self, p: StoredPoint) {
        self.count += 1;
        let history = |a: &StoredPoint, b: &StoredPoint| (a.0, a.1, a.2) < (b.0, b.1, b.2);
        if history(&p, &self.first) {
            self.first = p;
        }
        if history(&self.last, &p) {
            self.last = p;
        }
        if p.3 != 0 {
            return;
        }
        if self.min.is_none_or(|m| (p.2, p.0, p.1) < (m.2, m.0, m.1)) {
            self.min = Some(p);
        }
        if self
            .max
            .is_none_or(|m| p.2 > m.2 || (p.2 == m.2 && (p.0, p.1) < (m.0, m.1)))
        {
            self.max = Some(p);
        }
    }
}

/// The tiles of the points of `runs` (run id, points), by (run, key, tile).
fn batch_tiles<'a>(runs: &[(&'a str, &'a [Metric])]) -> BTreeMap<(&'a str, &'a str, i64), TileRow> {
    let mut tiles: BTreeMap<(&str, &str, i64), TileRow> = BTreeMap::new();
    for (run_id, metrics) in runs {
        for m in *metrics {
            let (value, is_nan) = stored_value(m.value);
            let point = (m.step, m.timestamp, value, is_nan);
            tiles
                .entry((run_id, m.key.as_str(), MetricTile::of_step(m.step)))
                .and_modify(|tile| tile.add(point))
                .or_insert_with(|| TileRow::new(point));
        }
    }
    tiles
}

/// A tile as [`merge_tiles_json`] reads it: the columns of `metric_tiles`.
#[derive(Serialize)]
struct TileJson<'a> {
    run_uuid: &'a str,
    key: &'a str,
    tile: i64,
    point_count: i64,
    first_step: i64,
    first_timestamp: i64,
    first_value: JsonFloat,
    first_is_nan: i64,
    last_step: i64,
    last_timestamp: i64,
    last_value: JsonFloat,
    last_is_nan: i64,
    min_step: Option<i64>,
    min_timestamp: Option<i64>,
    min_value: Option<JsonFloat>,
    max_step: Option<i64>,
    max_timestamp: Option<i64>,
    max_value: Option<JsonFloat>,
}

/// The tiles of the points of `runs` (run id, points) as the JSON that
/// [`merge_tiles_json`] reads, in (run, key, tile) order.
pub(super) fn tiles_json(runs: &[(&str, &[Metric])]) -> StoreResult<String> {
    let rows: Vec<TileJson> = batch_tiles(runs)
        .into_iter()
        .map(|((run_uuid, key, tile), row)| TileJson {
            run_uuid,
            key,
            tile,
            point_count: row.count,
            first_step: row.first.0,
            first_timestamp: row.first.1,
            first_value: row.first.2.into(),
            first_is_nan: row.first.3,
            last_step: row.last.0,
            last_timestamp: row.last.1,
            last_value: row.last.2.into(),
            last_is_nan: row.last.3,
            min_step: row.min.map(|p| p.0),
            min_timestamp: row.min.map(|p| p.1),
            min_value: row.min.map(|p| p.2.into()),
            max_step: row.max.map(|p| p.0),
            max_timestamp: row.max.map(|p| p.1),
            max_value: row.max.map(|p| p.2.into()),
        })
        .collect();
    json_text(&rows)
}

/// PostgreSQL's upsert of the tiles in `json` (a parameter holding [`tiles_json`]'s text)
/// of the runs that `filter` keeps, merged into the stored ones in (run, key, tile) order,
/// the order [`update_tiles`] writes them in. Only for tiles of points just inserted and
/// none stored before: a repeated point would be counted twice.
pub(super) fn merge_tiles_json(json: &str, filter: &str) -> String {
    format!(
        "INSERT INTO metric_tiles (run_uuid, key, {TILE_COLUMNS}) \
         SELECT run_uuid, key, {TILE_COLUMNS} FROM json_to_recordset(CAST({json} AS JSON)) \
         AS t(run_uuid TEXT, key TEXT, tile BIGINT, point_count BIGINT, first_step BIGINT, \
         first_timestamp BIGINT, first_value DOUBLE PRECISION, first_is_nan BIGINT, \
         last_step BIGINT, last_timestamp BIGINT, last_value DOUBLE PRECISION, \
         last_is_nan BIGINT, min_step BIGINT, min_timestamp BIGINT, \
         min_value DOUBLE PRECISION, max_step BIGINT, max_timestamp BIGINT, \
         max_value DOUBLE PRECISION) WHERE {filter} \
         ORDER BY run_uuid COLLATE \"C\", key COLLATE \"C\", tile \
         ON CONFLICT (run_uuid, key, tile) DO UPDATE SET {}",
        *MERGE
    )
}

/// Keeps the chart tiles of the runs' histories current after the points of `runs`
/// (run id, points) were inserted; `duplicates` says whether some of them were already
/// stored. Tiles are written in (run, key, tile) order: concurrent log-batches lock the
/// rows they share in one order, so they cannot deadlock on them.
pub(super) async fn update_tiles(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    runs: &[(&str, &[Metric])],
    duplicates: bool,
) -> StoreResult<()> {
    let tiles = batch_tiles(runs);
    // Only a batch with repeats needs its tiles' keys after the merge.
    let touched: Vec<(&str, &str, i64)> = if duplicates {
        tiles.keys().copied().collect()
    } else {
        Vec::new()
    };
    merge_tiles(d, conn, tiles).await?;
    if duplicates {
        // The merge counted the repeated points twice; recompute the tiles. The merge
        // comes first for its row locks: the recompute's statement then reads the
        // history after every concurrent writer of these tiles committed (PostgreSQL
        // reads each statement from a fresh snapshot), and later writers wait for this
        // one. Without them it could read the history before a concurrent writer's
        // commit, then overwrite the tile that writer had merged its point into.
        recompute_tiles(conn, touched.into_iter()).await?;
    }
    Ok(())
}

/// Merges `tiles`, built from a batch's points, into the stored ones.
async fn merge_tiles(
    d: Dialect,
    conn: &mut WriteConn<'_>,
    tiles: BTreeMap<(&str, &str, i64), TileRow>,
) -> StoreResult<()> {
    let tiles: Vec<_> = tiles.into_iter().collect();
    for chunk in tiles.chunks(TILES_PER_UPSERT) {
        // Missing extremes are written as NULL literals, not bound: sqlx's Any driver
        // binds a NULL double as a PostgreSQL float4, which then types the prepared
        // statement's parameter wrongly for every later non-NULL value.
        let mut next = 1;
        let mut placeholders = |count: usize| {
            let text = d.params(next, count);
            next += count;
            text
        };
        let rows: Vec<String> = chunk
            .iter()
            .map(|(_, row)| {
                let mut columns = vec![placeholders(12)];
                for extreme in [row.min, row.max] {
                    columns.push(match extreme {
                        Some(_) => placeholders(3),
                        None => "NULL, NULL, NULL".to_string(),
                    });
                }
                format!("({})", columns.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO metric_tiles (run_uuid, key, {TILE_COLUMNS}) VALUES {} \
             ON CONFLICT (run_uuid, key, tile) DO UPDATE SET {}",
            rows.join(", "),
            *MERGE
        );
        let mut binds = Vec::with_capacity(chunk.len() * 18);
        for ((run_id, key, tile), row) in chunk {
            binds.extend([
                Bind::Text((*run_id).to_owned()),
                Bind::Text((*key).to_owned()),
                Bind::Int(*tile),
                Bind::Int(row.count),
            ]);
            for (step, timestamp, value, is_nan) in [row.first, row.last] {
                binds.extend([
                    Bind::Int(step),
                    Bind::Int(timestamp),
                    Bind::Float(value),
                    Bind::Int(is_nan),
                ]);
            }
            for (step, timestamp, value, _) in [row.min, row.max].into_iter().flatten() {
                binds.extend([Bind::Int(step), Bind::Int(timestamp), Bind::Float(value)]);
            }
        }
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

/// The upsert's merge of a stored tile (`metric_tiles.`) with a batch's (`excluded.`),
/// with the orders of [`TileRow::add`]: each point group takes the batch's columns where
/// the batch's point wins. Every right-hand side reads the stored row as it was before
/// the update, on both engines.
static MERGE: LazyLock<String> = LazyLock::new(|| {
    let (new, old) = ("excluded", "metric_tiles");
    let first = format!(
        "({new}.first_step, {new}.first_timestamp, {new}.first_value) \
         < ({old}.first_step, {old}.first_timestamp, {old}.first_value)"
    );
    let last = format!(
        "({new}.last_step, {new}.last_timestamp, {new}.last_value) \
         > ({old}.last_step, {old}.last_timestamp, {old}.last_value)"
    );
    let min = format!(
        "{new}.min_value IS NOT NULL AND ({old}.min_value IS NULL OR \
         ({new}.min_value, {new}.min_step, {new}.min_timestamp) \
         < ({old}.min_value, {old}.min_step, {old}.min_timestamp))"
    );
    let max = format!(
        "{new}.max_value IS NOT NULL AND ({old}.max_value IS NULL OR \
         {new}.max_value > {old}.max_value OR ({new}.max_value = {old}.max_value AND \
         ({new}.max_step, {new}.max_timestamp) < ({old}.max_step, {old}.max_timestamp)))"
    );
    let mut assignments = vec![format!(
        "point_count = {old}.point_count + {new}.point_count"
    )];
    for (group, wins, columns) in [
        (
            "first",
            &first,
            &["step", "timestamp", "value", "is_nan"][..],
        ),
        ("last", &last, &["step", "timestamp", "value", "is_nan"][..]),
        ("min", &min, &["step", "timestamp", "value"][..]),
        ("max", &max, &["step", "timestamp", "value"][..]),
    ] {
        for column in columns {
            let c = format!("{group}_{column}");
            assignments.push(format!(
                "{c} = CASE WHEN {wins} THEN {new}.{c} ELSE {old}.{c} END"
            ));
        }
    }
    assignments.join(", ")
});

/// Recomputes the given (run, key, tile) tiles, in that order, from the runs'
/// histories, replacing them.
async fn recompute_tiles<'k>(
    conn: &mut WriteConn<'_>,
    tiles: impl Iterator<Item = (&'k str, &'k str, i64)>,
) -> StoreResult<()> {
    // One statement per run of consecutive touched tiles of a key.
    let mut ranges: Vec<(&str, &str, i64, i64)> = Vec::new();
    for (run_id, key, tile) in tiles {
        match ranges.last_mut() {
            Some((r, k, _, hi)) if *r == run_id && *k == key && *hi + 1 == tile => *hi = tile,
            _ => ranges.push((run_id, key, tile, tile)),
        }
    }
    let replace: Vec<String> = TILE_COLUMNS
        .split(", ")
        .skip(1)
        .map(|column| format!("{column} = excluded.{column}"))
        .collect();
    let sql = format!(
        "INSERT INTO metric_tiles (run_uuid, key, {TILE_COLUMNS}) {} \
         ON CONFLICT (run_uuid, key, tile) DO UPDATE SET {}",
        tiles_from_metrics("WHERE run_uuid = $1 AND key = $2 AND step BETWEEN $3 AND $4"),
        replace.join(", ")
    );
    for (run_id, key, lo, hi) in ranges {
        let binds = [
            Bind::Text(run_id.to_owned()),
            Bind::Text(key.to_owned()),
            Bind::Int(MetricTile::first_step(lo)),
            Bind::Int(MetricTile::last_step(hi)),
        ];
        conn.execute(&sql, &binds).await?;
    }
    Ok(())
}

#[cfg(test)]
impl super::SqlStore {
    /// Every stored tile as text, in key order: for comparing two ways of building them.
    pub(crate) async fn tiles_as_text(&self) -> Vec<String> {
        use sqlx::Row;
        let columns: Vec<String> = TILE_COLUMNS
            .split(", ")
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '-')"))
            .collect();
        let sql = format!(
            "SELECT run_uuid || ' ' || key || ' ' || {} FROM metric_tiles \
             ORDER BY run_uuid, key, tile",
            columns.join(" || ' ' || ")
        );
        sqlx::query(&sql)
            .fetch_all(&self.reader)
            .await
            .expect("read tiles")
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect()
    }

    /// Drops every tile and rebuilds them with migration 0004's own backfill statement.
    pub(crate) async fn rebuild_tiles_as_migration(&self) {
        let migration = match self.dialect {
            Dialect::Sqlite => include_str!("../../../../migrations/sqlite/0004_metric_tiles.sql"),
            Dialect::Postgres => {
                include_str!("../../../../migrations/postgres/0004_metric_tiles.sql")
            }
        };
        let start = migration
            .find("INSERT INTO metric_tiles")
            .expect("the migration backfills");
        let backfill = migration[start..].split(';').next().unwrap();
        sqlx::query("DELETE FROM metric_tiles")
            .execute(&self.writer)
            .await
            .expect("delete tiles");
        sqlx::query(backfill)
            .execute(&self.writer)
            .await
            .expect("backfill tiles");
    }
}

#[cfg(test)]
mod tests {
    use super::tiles_from_metrics;

    #[test]
    fn recompute_matches_the_migration_backfill() {
        // The server's recompute is the migration's statement with a filter.
        for migration in [
            include_str!("../../../../migrations/sqlite/0004_metric_tiles.sql"),
            include_str!("../../../../migrations/postgres/0004_metric_tiles.sql"),
        ] {
            let normalise = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let backfill = migration.split("INSERT INTO metric_tiles").nth(1).unwrap();
            let backfill = normalise(backfill.split(';').next().unwrap());
            assert_eq!(backfill, normalise(&tiles_from_metrics("")));
        }
    }
}
