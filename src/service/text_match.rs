//! Text matching that behaves the same on SQLite, PostgreSQL and MySQL/MariaDB: one way to
//! escape `LIKE` patterns for free-text search (case-insensitive, callers lower-case both
//! sides), and a byte-exact "contains" for values that must match exactly (`LIKE` ignores
//! ASCII case on SQLite and under MySQL's default collation, and does not on PostgreSQL).

use sea_orm::{
    DbBackend,
    sea_query::{Expr, LikeExpr},
};

/// The `LIKE` escape character: not a backslash, which MySQL also treats as a string escape.
const LIKE_ESCAPE: char = '!';

/// `raw` with `LIKE`'s wildcards and the escape character made literal.
pub fn escape_like(raw: &str) -> String {
    raw.chars()
        .flat_map(|c| match c {
            '!' | '%' | '_' => vec![LIKE_ESCAPE, c],
            c => vec![c],
        })
        .collect()
}

/// A `LIKE` pattern matching any text that contains `term` literally.
pub fn containing(term: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(term))).escape(LIKE_ESCAPE)
}

/// `column` contains `needle`, byte for byte, on every backend.
pub fn contains_exactly(backend: DbBackend, column: Expr, needle: &str) -> Expr {
    let needle = Expr::val(needle.to_owned());
    // Each query builder fills its own placeholder style: `$n` for PostgreSQL, `?` otherwise.
    match backend {
        DbBackend::Postgres => Expr::cust_with_exprs("strpos($1, $2) > 0", [column, needle]),
        DbBackend::MySql => Expr::cust_with_exprs("LOCATE(BINARY ?, ?) > 0", [needle, column]),
        _ => Expr::cust_with_exprs("instr(?, ?) > 0", [column, needle]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_containment_renders_for_each_backend() {
        use sea_orm::sea_query::{
            Alias, MysqlQueryBuilder, PostgresQueryBuilder, Query, SqliteQueryBuilder,
        };
        let sql = |backend| {
            let query = Query::select()
                .column(Alias::new("a"))
                .from(Alias::new("t"))
                .and_where(contains_exactly(backend, Expr::col(Alias::new("a")), "x"))
                .to_owned();
            match backend {
                DbBackend::Postgres => query.to_string(PostgresQueryBuilder),
                DbBackend::MySql => query.to_string(MysqlQueryBuilder),
                _ => query.to_string(SqliteQueryBuilder),
            }
        };
        assert!(sql(DbBackend::Sqlite).ends_with(r#"WHERE instr("a", 'x') > 0"#));
        assert!(sql(DbBackend::Postgres).ends_with(r#"WHERE strpos("a", 'x') > 0"#));
        assert!(sql(DbBackend::MySql).ends_with("WHERE LOCATE(BINARY 'x', `a`) > 0"));
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_off!"), "50!%!_off!!");
        assert_eq!(escape_like("a\\b"), "a\\b");
    }
}
