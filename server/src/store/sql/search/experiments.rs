//! Experiment searches: the ids of the experiments an MLflow filter and order select,
//! one page.

use ferroflow_protocol::LifecycleStage;

use super::{not_if_null, numeric_condition, stage_binds, Builder, SqlQuery};
use crate::service::search::{
    ExperimentClause, ExperimentFilter, ExperimentOrderBy, ExperimentOrderKey,
    ExperimentTimeAttribute,
};
use crate::store::sql::dialect::Dialect;

fn experiment_time_column(attribute: ExperimentTimeAttribute) -> &'static str {
    match attribute {
        ExperimentTimeAttribute::CreationTime => "experiments.creation_time",
        ExperimentTimeAttribute::LastUpdateTime => "experiments.last_update_time",
    }
}

fn experiment_condition(b: &mut Builder, clause: &ExperimentClause) -> String {
    match clause {
        ExperimentClause::Name { op, value } => b.compare_string("experiments.name", *op, value),
        ExperimentClause::Time {
            attribute,
            op,
            value,
        } => numeric_condition(b, experiment_time_column(*attribute), *op, *value),
        ExperimentClause::Tag { key, op, value } => {
            let key = b.text(key);
            let condition = b.compare_string("t.value", *op, value);
            format!(
                "EXISTS (SELECT 1 FROM experiment_tags t \
                 WHERE t.experiment_id = experiments.experiment_id \
                 AND t.key = {key} AND {condition})"
            )
        }
        ExperimentClause::TagNull { key, test } => {
            let key = b.text(key);
            format!(
                "{}EXISTS (SELECT 1 FROM experiment_tags t \
                 WHERE t.experiment_id = experiments.experiment_id AND t.key = {key})",
                not_if_null(*test)
            )
        }
    }
}

/// MLflow's order when a search gives none.
const DEFAULT_EXPERIMENT_ORDER: [ExperimentOrderBy; 2] = [
    ExperimentOrderBy {
        key: ExperimentOrderKey::CreationTime,
        ascending: false,
    },
    ExperimentOrderBy {
        key: ExperimentOrderKey::ExperimentId,
        ascending: true,
    },
];

/// An experiment search: a query of the page's `experiments` rows, and its order as a
/// SQL `ORDER BY` list over `experiments.` columns.
pub(crate) struct ExperimentPage {
    pub(crate) query: SqlQuery,
    pub(crate) order: String,
}

/// Renders an experiment search: the experiments in `stages` matching `filter`, sorted
/// by `order_by` (or MLflow's default), one page.
pub(crate) fn search_experiments_sql(
    dialect: Dialect,
    stages: &[LifecycleStage],
    filter: &ExperimentFilter,
    order_by: &[ExperimentOrderBy],
    offset: i64,
    limit: i64,
) -> ExperimentPage {
    let mut b = Builder::new(dialect);
    let mut conditions = vec![b.in_list("experiments.lifecycle_stage", stage_binds(stages), false)];
    for clause in &filter.clauses {
        conditions.push(experiment_condition(&mut b, clause));
    }

    let order_by = if order_by.is_empty() {
        &DEFAULT_EXPERIMENT_ORDER[..]
    } else {
        order_by
    };
    let mut order_terms: Vec<String> = order_by
        .iter()
        .map(|order| {
            let (column, text) = match order.key {
                ExperimentOrderKey::Name => ("experiments.name", true),
                ExperimentOrderKey::ExperimentId => ("experiments.experiment_id", false),
                ExperimentOrderKey::CreationTime => ("experiments.creation_time", false),
                ExperimentOrderKey::LastUpdateTime => ("experiments.last_update_time", false),
            };
            b.order_term(column, order.ascending, text)
        })
        .collect();
    if !order_by
        .iter()
        .any(|o| o.key == ExperimentOrderKey::ExperimentId)
    {
        order_terms.push("experiments.experiment_id DESC".to_owned());
    }

    let order = order_terms.join(", ");
    let mut sql = format!(
        "SELECT experiments.* FROM experiments WHERE {} ORDER BY {order}",
        conditions.join(" AND "),
    );
    sql.push_str(&b.limit_offset(limit, offset));
    ExperimentPage {
        query: b.finish(sql),
        order,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::search::{parse_experiment_filter, parse_experiment_order_by};
    use crate::store::sql::search::Bind;

    fn text(value: &str) -> Bind {
        Bind::Text(value.to_owned())
    }
    fn experiments(dialect: Dialect, filter: &str, order_by: &[&str]) -> SqlQuery {
        let filter = parse_experiment_filter(filter).expect("valid filter");
        let order_by: Vec<String> = order_by.iter().map(|o| (*o).to_owned()).collect();
        let order_by = parse_experiment_order_by(&order_by).expect("valid order_by");
        let stages = [LifecycleStage::Active, LifecycleStage::Deleted];
        search_experiments_sql(dialect, &stages, &filter, &order_by, 0, 51).query
    }

    #[test]
    fn renders_experiment_searches() {
        let page = search_experiments_sql(
            Dialect::Sqlite,
            &[LifecycleStage::Active, LifecycleStage::Deleted],
            &parse_experiment_filter("").unwrap(),
            &[],
            0,
            51,
        );
        // The order the caller sorts the page's rows by again, over the same columns.
        assert_eq!(
            page.order,
            "experiments.creation_time DESC, experiments.experiment_id ASC NULLS LAST"
        );
        let q = page.query;
        assert_eq!(
            q.sql,
            "SELECT experiments.* FROM experiments \
             WHERE experiments.lifecycle_stage IN ($1, $2) \
             ORDER BY experiments.creation_time DESC, experiments.experiment_id ASC NULLS LAST \
             LIMIT $3 OFFSET $4"
        );
        assert_eq!(
            q.binds,
            vec![text("active"), text("deleted"), Bind::Int(51), Bind::Int(0)]
        );

        let filter = "name ILIKE '%x%' AND creation_time > 5 AND tags.`k k` = 'v'";
        let q = experiments(Dialect::Postgres, filter, &["name DESC"]);
        assert_eq!(
            q.sql,
            "SELECT experiments.* FROM experiments \
             WHERE experiments.lifecycle_stage IN ($1, $2) \
             AND experiments.name ILIKE $3 AND experiments.creation_time > $4 \
             AND EXISTS (SELECT 1 FROM experiment_tags t \
             WHERE t.experiment_id = experiments.experiment_id AND t.key = $5 AND t.value = $6) \
             ORDER BY experiments.name COLLATE \"C\" DESC NULLS LAST, \
             experiments.experiment_id DESC LIMIT $7 OFFSET $8"
        );
        assert_eq!(
            q.binds[2..6],
            [text("%x%"), Bind::Int(5), text("k k"), text("v")]
        );
    }

    #[test]
    fn renders_experiment_tag_null_tests() {
        let filter = "tags.a IS NULL AND tags.b IS NOT NULL";
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let q = experiments(dialect, filter, &[]);
            assert!(
                q.sql.contains(
                    "WHERE experiments.lifecycle_stage IN ($1, $2) \
                     AND NOT EXISTS (SELECT 1 FROM experiment_tags t \
                     WHERE t.experiment_id = experiments.experiment_id AND t.key = $3) \
                     AND EXISTS (SELECT 1 FROM experiment_tags t \
                     WHERE t.experiment_id = experiments.experiment_id AND t.key = $4) \
                     ORDER BY"
                ),
                "{dialect:?}: {}",
                q.sql
            );
            assert_eq!(
                q.binds,
                vec![
                    text("active"),
                    text("deleted"),
                    text("a"),
                    text("b"),
                    Bind::Int(51),
                    Bind::Int(0)
                ]
            );
        }
    }
}
