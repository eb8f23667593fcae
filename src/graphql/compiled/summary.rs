//! `cartSummary`'s fields.

use super::{
    collect::Collected,
    fields::leaf,
    plan::{Compiled, Compiler, Write, many, one},
};
use crate::graphql::types::{CartSummary, CartSummaryItem};

impl Compiled for CartSummary {
    const TYPE: &'static str = "CartSummary";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "itemCount" => leaf!(|summary| summary.item_count_value()),
            "totalQuantity" => leaf!(|summary| summary.total_quantity_value()),
            "isEmpty" => leaf!(|summary| summary.is_empty_value()),
            "items" => many(compiler.selection(field)?, |summary: &CartSummary| {
                summary.items_value()
            }),
            "subtotal" => one(compiler.selection(field)?, |summary: &CartSummary| {
                summary.subtotal_value()
            }),
            "discount" => one(compiler.selection(field)?, |summary: &CartSummary| {
                summary.discount_value()
            }),
            "promotionDiscount" => one(compiler.selection(field)?, |summary: &CartSummary| {
                summary.promotion_discount_value()
            }),
            "estimatedTax" => one(compiler.selection(field)?, |summary: &CartSummary| {
                summary.estimated_tax_value()
            }),
            "total" => one(compiler.selection(field)?, |summary: &CartSummary| {
                summary.total_value()
            }),
            _ => return None,
        })
    }
}

impl Compiled for CartSummaryItem {
    const TYPE: &'static str = "CartSummaryItem";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "itemId" => leaf!(|item| item.item_id_value()),
            "productId" => leaf!(|item| item.product_id_value()),
            "sku" => leaf!(|item| item.sku_value()),
            "productName" => leaf!(|item| item.product_name_value()),
            "quantity" => leaf!(|item| item.quantity_value()),
            "image" => leaf!(|item| item.image_value()),
            "stockQuantity" => leaf!(|item| item.stock_quantity_value()),
            "shopId" => leaf!(|item| item.shop_id_value()),
            "shopName" => leaf!(|item| item.shop_name_value()),
            "unitPrice" => one(compiler.selection(field)?, |item: &CartSummaryItem| {
                item.unit_price_value()
            }),
            "subtotal" => one(compiler.selection(field)?, |item: &CartSummaryItem| {
                item.subtotal_value()
            }),
            _ => return None,
        })
    }
}
