//! The mutation root, merged from one object per area.

mod cart;
mod catalog;
mod checkout;
mod discount;
mod payloads;
mod promotions;
mod rates;

use async_graphql::MergedObject;

/// All mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    cart::CartMutation,
    discount::DiscountMutation,
    catalog::CatalogMutation,
    checkout::CheckoutMutation,
    promotions::PromotionMutation,
    rates::RateMutation,
);
