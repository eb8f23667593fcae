//! Carts: finding the caller's cart, loading it with its lines, and the mutations.
//!
//! Every mutation runs in one write transaction that first locks the caller's cart row
//! (`SELECT … FOR UPDATE`; on SQLite the `BEGIN IMMEDIATE` write lock), so mutations of one
//! cart are serialized across connections and instances. Lines are written with an atomic
//! upsert on the live-line unique key, so even without the lock an add could neither lose an
//! increment nor create a duplicate line. A refused mutation rolls back and changes nothing.

mod lock;
mod purge;
mod rules;
mod view;
mod write;

pub use purge::{Purged, purge};
pub use view::{CartView, Line, find_cart, load_view, view_by_id};
pub use write::{
    AddLine, Change, ItemChange, UpdateLine, add_to_cart, clear_cart, create_cart, remove_item,
    update_item,
};
