//! sea-orm entities, one file per table. They mirror the tables and nothing more: GraphQL types
//! wrap them, so a new column never reaches the public schema by accident.

pub mod cart_discount_codes;
pub mod cart_events;
pub mod cart_items;
pub mod carts;
pub mod checkout_holds;
pub mod checkouts;
pub mod hold_shares;
pub mod idempotency_keys;
pub mod outbox_cursors;
pub mod outbox_events;
pub mod product_media;
pub mod products;
pub mod promotion_usages;
pub mod promotions;
pub mod shipping_rates;
pub mod shops;
pub mod tax_rates;
