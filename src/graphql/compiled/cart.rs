//! The cart's fields: the cart, its lines as a connection, its attributes and totals.

use async_graphql::{
    Value,
    connection::{Connection, CursorType, Edge},
};

use super::{
    collect::Collected,
    fields::leaf,
    json::{Leaf, Out},
    plan::{Compiled, Compiler, Selection, Write, many, maybe, one},
};
use crate::graphql::{
    scalars::Decimal,
    types::{Attribute, Cart, CartCost, CartItem, CartStatus, TaxLine},
};

impl Compiled for Cart {
    const TYPE: &'static str = "Cart";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "id" => leaf!(|cart| cart.id_value()),
            "token" => leaf!(|cart| cart.token_value()),
            "itemCount" => leaf!(|cart| cart.item_count_value()),
            "totalQuantity" => leaf!(|cart| cart.total_quantity_value()),
            "isEmpty" => leaf!(|cart| cart.is_empty_value()),
            "status" => leaf!(|cart| cart.status_value()),
            "currencyCode" => leaf!(|cart| cart.currency_code_value()),
            "version" => leaf!(|cart| cart.version_value()),
            "createdAt" => leaf!(|cart| cart.created_at_value()),
            "updatedAt" => leaf!(|cart| cart.updated_at_value()),
            "expiresAt" => leaf!(|cart| cart.expires_at_value()),
            "note" => leaf!(|cart| cart.note_value()),
            "attributes" => many(compiler.selection(field)?, |cart: &Cart| {
                cart.attributes_value()
            }),
            "cost" => {
                compiler.needs_prices();
                one(compiler.selection(field)?, |cart: &Cart| cart.cost_value())
            }
            "items" => items(field, compiler)?,
            _ => return None,
        })
    }
}

/// `items(first:, after:)`, with the arguments as the resolver would parse them.
fn items(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Cart>> {
    let first = match compiler.source.argument(field, "first")? {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(i32::try_from(n.as_i64()?).ok()?),
        Some(_) => return None,
    };
    let after = match compiler.source.argument(field, "after")? {
        None | Some(Value::Null) => None,
        Some(Value::String(cursor)) => Some(cursor),
        Some(_) => return None,
    };
    let selection: Selection<Lines> = compiler.selection(field)?;
    Some(Box::new(move |cart, out| {
        // An invalid page size is the resolver's error to report.
        let page = cart.items_value(first, after.clone()).ok()?;
        selection.write(&page, out)
    }))
}

/// A page of a cart's lines.
type Lines = Connection<String, CartItem>;
type LineEdge = Edge<String, CartItem, async_graphql::connection::EmptyFields>;

impl Compiled for Lines {
    const TYPE: &'static str = "CartItemConnection";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "edges" => {
                let selection: Selection<LineEdge> = compiler.selection(field)?;
                Box::new(move |page: &Lines, out: &mut Out| {
                    out.begin_list();
                    for edge in &page.edges {
                        selection.write(edge, out)?;
                    }
                    out.end_list();
                    Some(())
                })
            }
            "nodes" => {
                let selection: Selection<CartItem> = compiler.selection(field)?;
                Box::new(move |page: &Lines, out: &mut Out| {
                    out.begin_list();
                    for edge in &page.edges {
                        selection.write(&edge.node, out)?;
                    }
                    out.end_list();
                    Some(())
                })
            }
            "pageInfo" => one(compiler.selection(field)?, |page: &Lines| PageInfo {
                has_previous_page: page.has_previous_page,
                has_next_page: page.has_next_page,
                start_cursor: page.edges.first().map(|edge| edge.cursor.encode_cursor()),
                end_cursor: page.edges.last().map(|edge| edge.cursor.encode_cursor()),
            }),
            _ => return None,
        })
    }
}

impl Compiled for LineEdge {
    const TYPE: &'static str = "CartItemEdge";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "cursor" => leaf!(|edge| edge.cursor.encode_cursor()),
            "node" => {
                let selection: Selection<CartItem> = compiler.selection(field)?;
                Box::new(move |edge: &LineEdge, out: &mut Out| selection.write(&edge.node, out))
            }
            _ => return None,
        })
    }
}

/// A connection's `pageInfo`, as the connection works it out.
struct PageInfo {
    has_previous_page: bool,
    has_next_page: bool,
    start_cursor: Option<String>,
    end_cursor: Option<String>,
}

impl Compiled for PageInfo {
    const TYPE: &'static str = "PageInfo";

    fn field(field: &Collected<'_>, _: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "hasPreviousPage" => leaf!(|page| page.has_previous_page),
            "hasNextPage" => leaf!(|page| page.has_next_page),
            "startCursor" => leaf!(|page| page.start_cursor),
            "endCursor" => leaf!(|page| page.end_cursor),
            _ => return None,
        })
    }
}

impl Compiled for CartItem {
    const TYPE: &'static str = "CartItem";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "id" => leaf!(|item| item.id_value()),
            "productId" => leaf!(|item| item.product_id_value()),
            "sku" => leaf!(|item| item.sku_value()),
            "quantity" => leaf!(|item| item.quantity_value()),
            "priceChanged" => leaf!(|item| item.price_changed_value()),
            "availableQuantity" => leaf!(|item| item.available_quantity_value()),
            "inStock" => leaf!(|item| item.in_stock_value()),
            "createdAt" => leaf!(|item| item.created_at_value()),
            "updatedAt" => leaf!(|item| item.updated_at_value()),
            "product" => maybe(compiler.selection(field)?, |item: &CartItem| {
                item.product_value()
            }),
            "attributes" => many(compiler.selection(field)?, |item: &CartItem| {
                item.attributes_value()
            }),
            "unitPrice" => one(compiler.selection(field)?, |item: &CartItem| {
                item.unit_price_value()
            }),
            "addedUnitPrice" => maybe(compiler.selection(field)?, |item: &CartItem| {
                item.added_unit_price_value()
            }),
            "compareAtUnitPrice" => maybe(compiler.selection(field)?, |item: &CartItem| {
                item.compare_at_unit_price_value()
            }),
            "subtotal" => one(compiler.selection(field)?, |item: &CartItem| {
                item.subtotal_value()
            }),
            "discountedSubtotal" => {
                compiler.needs_prices();
                one(compiler.selection(field)?, |item: &CartItem| {
                    item.discounted_subtotal_value()
                })
            }
            _ => return None,
        })
    }
}

impl Compiled for Attribute {
    const TYPE: &'static str = "Attribute";

    fn field(field: &Collected<'_>, _: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "key" => leaf!(|attribute| attribute.key),
            "value" => leaf!(|attribute| attribute.value),
            _ => return None,
        })
    }
}

impl Compiled for CartCost {
    const TYPE: &'static str = "CartCost";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "subtotal" => one(compiler.selection(field)?, |cost: &CartCost| cost.subtotal),
            "discount" => one(compiler.selection(field)?, |cost: &CartCost| cost.discount),
            "promotionDiscount" => one(compiler.selection(field)?, |cost: &CartCost| {
                cost.promotion_discount
            }),
            "shipping" => maybe(compiler.selection(field)?, |cost: &CartCost| cost.shipping),
            "estimatedTax" => one(compiler.selection(field)?, |cost: &CartCost| {
                cost.estimated_tax
            }),
            "taxLines" => many(compiler.selection(field)?, |cost: &CartCost| {
                cost.tax_lines.clone()
            }),
            "total" => one(compiler.selection(field)?, |cost: &CartCost| cost.total),
            _ => return None,
        })
    }
}

impl Compiled for TaxLine {
    const TYPE: &'static str = "TaxLine";

    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>> {
        Some(match field.name {
            "title" => leaf!(|tax| tax.title),
            "rate" => leaf!(|tax| tax.rate),
            "amount" => one(compiler.selection(field)?, |tax: &TaxLine| tax.amount),
            _ => return None,
        })
    }
}

// The service's own scalars and enums as leaves. Here rather than beside `Leaf`, which
// then depends on no GraphQL type (the types' modules point at it through these impls).
impl Leaf for Decimal {
    fn write(&self, out: &mut Out) {
        out.string(&self.0);
    }
}

impl Leaf for CartStatus {
    fn write(&self, out: &mut Out) {
        match async_graphql::InputType::to_value(self) {
            async_graphql::Value::Enum(name) => out.string(&name),
            _ => out.null(),
        }
    }
}
