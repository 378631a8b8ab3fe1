//! The few places where SQLite and PostgreSQL SQL differ. Every other query is written
//! once in their common subset (`$N` placeholders, `ON CONFLICT`, `RETURNING`).

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
}
