//! Decoding the joined cart read by column position.
//!
//! The joined read selects every column of each table in the entity's declaration order, so
//! a model can be read from a known offset. Decoding by name instead builds each prefixed
//! column name and looks it up in the row, which profiling showed to cost about a quarter of
//! a cart view's CPU.

use sea_orm::{DbErr, QueryResult};

use crate::entity::{cart_items, carts, products, shops};

/// A model read from consecutive columns of a row.
pub(super) trait Positional: Sized {
    /// The model's columns in selection order (a test holds them to the entity's).
    const COLUMNS: &'static [&'static str];

    /// Reads the model from the columns starting at `at`.
    fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr>;

    /// Like [`read`](Self::read), but `None` when the first column (the primary key) is
    /// NULL: the LEFT JOIN found no row.
    fn read_optional(row: &QueryResult, at: usize) -> Result<Option<Self>, DbErr> {
        match row.try_get_by_index::<Option<String>>(at)? {
            None => Ok(None),
            Some(_) => Self::read(row, at).map(Some),
        }
    }
}

macro_rules! positional {
    ($model:path { $($field:ident),+ $(,)? }) => {
        impl Positional for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                let mut index = at;
                let mut next = || {
                    index += 1;
                    index - 1
                };
                Ok(Self {
                    $($field: row.try_get_by_index(next())?),+
                })
            }
        }
    };
}

positional!(carts::Model {
    id,
    user_id,
    token_hash,
    live,
    currency,
    version,
    created_at,
    updated_at,
    expires_at,
    deleted_at,
    attributes,
    note,
    closed_reason,
    merged_into,
    status,
    buyer_email,
    buyer_country_code,
    buyer_province_code,
    buyer_postal_code,
    delivery_option,
});

positional!(cart_items::Model {
    id,
    cart_id,
    product_id,
    quantity,
    attributes,
    attributes_key,
    live,
    created_at,
    updated_at,
    deleted_at,
    added_unit_price_minor,
});

positional!(products::Model {
    id,
    shop_id,
    sku,
    name,
    description,
    price_minor,
    discount_price_minor,
    currency,
    stock,
    image,
    active,
    required_attributes,
    created_at,
    updated_at,
    quantity_minimum,
    quantity_maximum,
    quantity_increment,
    held,
});

positional!(shops::Model {
    id,
    name,
    created_at,
    updated_at,
});

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    use super::*;

    fn declared<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| IdenStatic::as_str(&c)).collect()
    }

    #[test]
    fn positions_follow_the_entities_column_order() {
        assert_eq!(carts::Model::COLUMNS, declared::<carts::Entity>());
        assert_eq!(cart_items::Model::COLUMNS, declared::<cart_items::Entity>());
        assert_eq!(products::Model::COLUMNS, declared::<products::Entity>());
        assert_eq!(shops::Model::COLUMNS, declared::<shops::Entity>());
    }
}
