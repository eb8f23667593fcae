//! Lookups by a unique key without `LIMIT`.
//!
//! sea-orm's `.one()` appends `LIMIT ?`, and SQLite's planner reads the value bound to a
//! LIMIT parameter, so such a statement is marked stale whenever it is bound again and is
//! parsed and planned anew on every run instead of coming from the statement cache. In an
//! add on SQLite that re-preparation was a sixth of the request's instructions. A lookup by
//! a unique key matches at most one row anyway, so it needs no LIMIT.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Select};

/// The one row `select` (narrowed by a unique key) matches, if any.
pub async fn unique<E: EntityTrait>(
    select: Select<E>,
    db: &impl ConnectionTrait,
) -> Result<Option<E::Model>, DbErr> {
    Ok(select.all(db).await?.into_iter().next())
}
