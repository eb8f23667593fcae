//! The order of the admin cart list and its keyset cursors: up to three sort keys, each with
//! its direction, the cart id breaking ties, and a cursor that remembers the ordering it
//! belongs to.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};

use crate::{
    entity::carts,
    error::{AppError, AppResult},
};

/// A sort key of the cart list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderField {
    UpdatedAt,
    CreatedAt,
    Version,
}

/// One sort key and its direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartOrder {
    pub field: OrderField,
    pub descending: bool,
}

/// Where a page starts: the sort-key values and id of the last cart of the previous page,
/// with the ordering they belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartCursor {
    order: Vec<CartOrder>,
    keys: Vec<KeyValue>,
    id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum KeyValue {
    Time(DateTime<Utc>),
    Int(i64),
}

impl CartCursor {
    /// The cursor of `cart` in a list sorted by `order`.
    pub fn of(cart: &carts::Model, order: &[CartOrder]) -> Self {
        Self {
            order: order.to_vec(),
            keys: order.iter().map(|o| key_value(cart, o.field)).collect(),
            id: cart.id.clone(),
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor back; it must have been made for the same ordering.
    pub fn decode(raw: &str, order: &[CartOrder]) -> AppResult<Self> {
        let invalid = || AppError::BadUserInput("`after` is not a cursor of this list".into());
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.order != order || cursor.keys.len() != order.len() {
            return Err(AppError::BadUserInput(
                "`after` belongs to a different `orderBy`".into(),
            ));
        }
        Ok(cursor)
    }
}

fn key_value(cart: &carts::Model, field: OrderField) -> KeyValue {
    match field {
        OrderField::UpdatedAt => KeyValue::Time(cart.updated_at),
        OrderField::CreatedAt => KeyValue::Time(cart.created_at),
        OrderField::Version => KeyValue::Int(cart.version),
    }
}

pub(super) fn column(field: OrderField) -> carts::Column {
    match field {
        OrderField::UpdatedAt => carts::Column::UpdatedAt,
        OrderField::CreatedAt => carts::Column::CreatedAt,
        OrderField::Version => carts::Column::Version,
    }
}

/// The default and the tie-breaker: most recently updated first.
pub fn default_order() -> Vec<CartOrder> {
    vec![CartOrder {
        field: OrderField::UpdatedAt,
        descending: true,
    }]
}

/// "After the cursor" in the list's order: the lexicographic comparison
/// `(k1, …, kn, id) > (v1, …, vn, vid)`, spelled out so each key keeps its own direction.
pub(super) fn after_condition(after: &CartCursor) -> Condition {
    let mut any = Condition::any();
    let mut equal_so_far = Condition::all();
    for (key, value) in after.order.iter().zip(&after.keys) {
        let col = Expr::col((carts::Entity, column(key.field)));
        let value = match value {
            KeyValue::Time(t) => Expr::value(*t),
            KeyValue::Int(i) => Expr::value(*i),
        };
        let beyond = match key.descending {
            true => col.clone().lt(value.clone()),
            false => col.clone().gt(value.clone()),
        };
        any = any.add(equal_so_far.clone().add(beyond));
        equal_so_far = equal_so_far.add(col.eq(value));
    }
    any.add(equal_so_far.add(carts::Column::Id.gt(after.id.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_another_order() {
        let order = default_order();
        let cursor = CartCursor {
            order: order.clone(),
            keys: vec![KeyValue::Time(Utc::now())],
            id: "c1".into(),
        };
        assert_eq!(
            CartCursor::decode(&cursor.encode(), &order).ok(),
            Some(cursor.clone())
        );
        let other = vec![CartOrder {
            field: OrderField::Version,
            descending: false,
        }];
        assert!(CartCursor::decode(&cursor.encode(), &other).is_err());
        assert!(CartCursor::decode("not a cursor", &order).is_err());
    }
}
