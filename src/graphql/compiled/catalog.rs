//! The catalog's fields as a cart line shows them: product, shop, media, and money.

use async_graphql::Value;

use super::{
    collect::Collected,
    fields::leaf,
    json::Out,
    plan::{Compiled, Compiler, Selection, Write, maybe, one},
};
use crate::graphql::types::{Money, Product, ProductMedia, Shop, formatting_locale};

impl Compiled for Product {
    const TYPE: &'static str = "Product";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "id" => leaf!(|product| product.id_value()),
            "sku" => leaf!(|product| product.sku_value()),
            "name" => leaf!(|product| product.name_value()),
            "description" => leaf!(|product| product.description_value()),
            "stock" => leaf!(|product| product.stock_value()),
            "image" => leaf!(|product| product.image_value()),
            "active" => leaf!(|product| product.active_value()),
            "currencyCode" => leaf!(|product| product.currency_code_value()),
            "price" => one(compiler.selection(field)?, |product: &Product| {
                product.price_value()
            }),
            "discountPrice" => maybe(compiler.selection(field)?, |product: &Product| {
                product.discount_price_value()
            }),
            "effectivePrice" => one(compiler.selection(field)?, |product: &Product| {
                product.effective_price_value()
            }),
            // What the line's read brought; a product without it is not written here.
            "shop" => {
                let selection: Selection<Shop> = compiler.selection(field)?;
                Box::new(
                    move |product: &Product, out: &mut Out| match product.line_shop()? {
                        Some(shop) => selection.write(&shop, out),
                        None => {
                            out.null();
                            Some(())
                        }
                    },
                )
            }
            "media" => {
                compiler.needs_media();
                let selection: Selection<ProductMedia> = compiler.selection(field)?;
                Box::new(move |product: &Product, out: &mut Out| {
                    out.begin_list();
                    for media in product.line_media()? {
                        selection.write(&media, out)?;
                    }
                    out.end_list();
                    Some(())
                })
            }
            _ => return None,
        })
    }
}

impl Compiled for Shop {
    const TYPE: &'static str = "Shop";

    fn field(field: &Collected<'_>, _: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "id" => leaf!(|shop| shop.id_value()),
            "name" => leaf!(|shop| shop.name_value()),
            _ => return None,
        })
    }
}

impl Compiled for ProductMedia {
    const TYPE: &'static str = "ProductMedia";

    fn field(field: &Collected<'_>, _: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "key" => leaf!(|media| media.key_value()),
            "url" => leaf!(|media| media.url_value()),
            _ => return None,
        })
    }
}

impl Compiled for Money {
    const TYPE: &'static str = "Money";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "amount" => leaf!(|money| money.amount_value()),
            "currencyCode" => leaf!(|money| money.currency_code_value()),
            "formatted" => {
                // `locale` as the resolver reads it; a tag it would refuse is its error to
                // report, so the plan leaves such an operation to async-graphql.
                let given = match compiler.source.argument(field, "locale")? {
                    None | Some(Value::Null) => None,
                    Some(Value::String(tag)) => Some(tag),
                    Some(_) => return None,
                };
                let locale = formatting_locale(given.as_deref(), &compiler.locale).ok()?;
                leaf!(move |money| money.formatted_value(&locale))
            }
            _ => return None,
        })
    }
}
