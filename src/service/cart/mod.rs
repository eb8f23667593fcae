//! Carts: finding the caller's cart, loading it with its lines, and the mutations.
//!
//! Every mutation runs in one write transaction that first locks the caller's cart row
//! (`SELECT … FOR UPDATE`; on SQLite the `BEGIN IMMEDIATE` write lock), so mutations of one
//! cart are serialized across connections and instances. Lines are written with an atomic
//! upsert on the live-line unique key, so even without the lock an add could neither lose an
//! increment nor create a duplicate line. A refused mutation rolls back and changes nothing.
//! Each committed change bumps the cart's version and appends its events to the history.

#[macro_use]
pub(crate) mod txn;
mod add;
mod buyer;
mod by_id;
mod change;
pub mod checkout;
mod close;
mod details;
mod discount_codes;
mod expiry;
mod fast_add;
mod history;
mod lines;
mod lock;
mod merge;
mod outbox;
mod purge;
mod read;
mod rows;
mod rules;
mod search;
mod search_order;
mod sync;
mod view;
mod write;

pub use add::add_to_cart;
pub use buyer::{BuyerUpdate, Edit, select_delivery_option, update_buyer_identity};
pub use by_id::{carts_of_lines, may_read, readable_carts};
pub use change::{AddLine, Change, ItemChange};
pub use checkout::{
    Checkout, CheckoutChange, CheckoutState, HoldRules, begin_checkout, cancel_checkout,
    claim_checkout, complete_checkout, find_checkout, find_checkouts, parse_share,
    release_checkout, spawn_checkout_sweeper, sweep_checkouts,
};
pub use details::{MAX_NOTE_LEN, parse_note, update_cart_attributes};
pub use discount_codes::{apply_discount_code, remove_discount_code};
pub use expiry::{spawn_sweeper, sweep_expired};
pub use history::{EventCursor, EventKind, events_page};
pub use lines::{UpdateLine, remove_item, update_item};
pub use merge::{MergeStrategy, merge_guest_cart};
pub use outbox::Outbox;
pub use purge::{Purged, purge};
pub use read::{load_views, view_by_id, viewer_cart};
pub use search::{
    CartCursor, CartFilter, CartOrder, Listing, OrderField, count_carts, default_order,
    search_carts,
};
pub use sync::sync_cart;
pub use txn::Writer;
pub use view::{Buyer, CartView, Destination, Include, Line};
pub use write::{clear_cart, create_cart};
