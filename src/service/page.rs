//! One page of a keyset-paged list, and whether more follow.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect, Select};

/// One page of rows, in order, and whether more follow it.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
}

impl<M> Page<M> {
    /// Runs `query` (ordered and filtered past the cursor) for `size` rows, reading one more
    /// to learn whether another page follows.
    pub async fn read<E>(
        db: &impl ConnectionTrait,
        query: Select<E>,
        size: u64,
    ) -> Result<Self, DbErr>
    where
        E: EntityTrait<Model = M>,
    {
        let mut rows = query.limit(size + 1).all(db).await?;
        let has_next = rows.len() as u64 > size;
        rows.truncate(size as usize);
        Ok(Self { rows, has_next })
    }
}
