//! The few places where SQLite and PostgreSQL SQL differ. Every other query is written
//! once in their common subset (`$N` placeholders, `ON CONFLICT`, `RETURNING`,
//! `ORDER BY` inside aggregates).

/// Which SQL engine a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite (the default store).
    Sqlite,
    /// PostgreSQL (the store for teams and several replicas).
    Postgres,
}

impl Dialect {
    /// Returns a case-insensitive LIKE of `column` against the bound pattern `param`.
    /// SQLite's LIKE is already case-insensitive for ASCII; PostgreSQL has ILIKE.
    pub fn ilike(self, column: &str, param: &str) -> String {
        match self {
            Dialect::Sqlite => format!("LOWER({column}) LIKE LOWER({param})"),
            Dialect::Postgres => format!("{column} ILIKE {param}"),
        }
    }

    /// Returns a case-sensitive LIKE of `column` against the bound pattern `param`.
    /// Every SQLite connection sets `PRAGMA case_sensitive_like = ON`, so plain LIKE
    /// means the same on both engines.
    pub fn like(self, column: &str, param: &str) -> String {
        format!("{column} LIKE {param}")
    }

    /// Returns `column` (a double) as text that parses back to the same double.
    /// SQLite's default text conversion keeps only 15 digits; `%!.17g` round-trips
    /// (since SQLite 3.43, checked by a test). PostgreSQL prints the shortest exact form.
    pub fn exact_real_text(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("printf('%!.17g', {column})"),
            Dialect::Postgres => format!("CAST({column} AS TEXT)"),
        }
    }

    /// Returns `column` (a double) for an [`super::ExactReal`] of a `fetch_rows` read:
    /// SQLite's JSON aggregate carries it as [`Dialect::exact_real_text`], PostgreSQL's
    /// native rows as the double itself.
    pub fn exact_real(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => self.exact_real_text(column),
            Dialect::Postgres => column.to_owned(),
        }
    }

    /// Returns `column` (a REAL) as a JSON-safe value: a number, or the protobuf spelling
    /// `"Infinity"` / `"-Infinity"` (PostgreSQL already writes non-finite doubles as such
    /// strings; SQLite would write an out-of-range number). Cheaper than
    /// [`Dialect::exact_real_text`], at JSON's precision: for chart reads.
    pub fn json_real(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "CASE WHEN {column} > 1.7976931348623157e308 THEN 'Infinity' \
                 WHEN {column} < -1.7976931348623157e308 THEN '-Infinity' ELSE {column} END"
            ),
            Dialect::Postgres => column.to_owned(),
        }
    }

    /// Returns an aggregate that folds every row into one JSON array of arrays
    /// `[[e1, e2, ...], ...]`, in `order_by` order.
    ///
    /// Large reads come back as one row on purpose: sqlx's SQLite driver hands each row
    /// from its worker thread to the async side separately, which costs a context
    /// switch per row and dominated reads of long metric histories.
    pub fn json_rows(self, elements: &[&str], order_by: &str) -> String {
        let elements = elements.join(", ");
        match self {
            Dialect::Sqlite => {
                format!("json_group_array(json_array({elements}) ORDER BY {order_by})")
            }
            // `json` is not a type sqlx's Any driver decodes: return text.
            Dialect::Postgres => {
                format!("CAST(json_agg(json_build_array({elements}) ORDER BY {order_by}) AS TEXT)")
            }
        }
    }

    /// Like [`Dialect::json_rows`], for rows that a subquery already yields in
    /// `order_by` order: SQLite then aggregates them as they come instead of sorting
    /// them again into a temporary b-tree (its aggregate `ORDER BY` always sorts);
    /// PostgreSQL keeps the clause.
    pub fn json_rows_presorted(self, elements: &[&str], order_by: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_group_array(json_array({}))", elements.join(", ")),
            Dialect::Postgres => self.json_rows(elements, order_by),
        }
    }

    /// Returns the `FROM` and `WHERE` of a read of `table`'s rows belonging to the runs
    /// whose ids are bound at `list` (placeholders); the rows keep `table`'s column names.
    ///
    /// PostgreSQL looks each run up by its own index probe: with a plain `IN` list it
    /// scanned the whole table whenever a few runs with thousands of rows (a skew its
    /// sampled `n_distinct` underestimates) made the list look unselective: 47 ms for
    /// the 500 params of 100 runs among 448,500, against well under 1 ms by the index.
    /// Without statistics (autovacuum off) it scanned `runs` itself for 100 of 10,000
    /// ids: 1.7-3.0 ms, against 0.9-1.3 by the probes (`EXPLAIN ANALYZE`).
    pub fn rows_of_runs(self, table: &str, list: &str) -> String {
        match self {
            Dialect::Sqlite => format!("FROM {table} WHERE run_uuid IN ({list})"),
            // OFFSET 0 keeps the planner from flattening the lookup back into a join.
            Dialect::Postgres => format!(
                "FROM unnest(ARRAY[{list}]::text[]) AS ids(id) CROSS JOIN LATERAL \
                 (SELECT * FROM {table} WHERE run_uuid = ids.id OFFSET 0) AS {table}"
            ),
        }
    }

    /// Returns `count` comma-separated bind placeholders numbered from `start`, for a
    /// statement whose values are all bound in textual order.
    ///
    /// SQLite gets anonymous `?`: sqlx resolves every `$N` through
    /// `sqlite3_bind_parameter_name`, a linear scan, so a statement with thousands of
    /// `$N` binds costs quadratic time (it was 60% of log-batch time with 2,500 binds).
    pub fn params(self, start: usize, count: usize) -> String {
        let mut out = String::with_capacity(count * 6);
        for i in 0..count {
            if i > 0 {
                out.push_str(", ");
            }
            match self {
                Dialect::Sqlite => out.push('?'),
                Dialect::Postgres => {
                    out.push('$');
                    out.push_str(&(start + i).to_string());
                }
            }
        }
        out
    }

    /// Returns `rows` tuples of `columns` placeholders, `(p, p), (p, p)`, numbered from
    /// `start` in textual order (see [`Dialect::params`]).
    pub fn value_rows(self, start: usize, rows: usize, columns: usize) -> String {
        (0..rows)
            .map(|r| format!("({})", self.params(start + r * columns, columns)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
