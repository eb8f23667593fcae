// Generated from cartql's schema.graphql by scripts/schema.mjs; do not edit.
// `npm run generate` refreshes it, and `npm run check` fails while it is stale.

/** The root operation types. */
export const rootTypes = {
  "query": "Query",
  "mutation": "Mutation",
  "subscription": "Subscription",
} as const;

/** Every object type of the schema but the roots. */
export const objectTypes = [
  "Attribute",
  "BuyerIdentity",
  "Cart",
  "CartConnection",
  "CartCost",
  "CartDiscountCode",
  "CartEdge",
  "CartEvent",
  "CartEventConnection",
  "CartEventEdge",
  "CartItem",
  "CartItemConnection",
  "CartItemEdge",
  "CartItemPayload",
  "CartPayload",
  "CartSummary",
  "CartSummaryItem",
  "CartUserError",
  "CartWarning",
  "Checkout",
  "CheckoutLine",
  "CheckoutPayload",
  "DeliveryOption",
  "DiscountAllocation",
  "Money",
  "PageInfo",
  "Product",
  "ProductConnection",
  "ProductEdge",
  "ProductMedia",
  "Promotion",
  "PromotionConnection",
  "PromotionEdge",
  "QuantityRule",
  "ShippingRate",
  "Shop",
  "TaxLine",
  "TaxRate",
  "UpsertProductsPayload",
  "UpsertPromotionsPayload",
  "UpsertShippingRatesPayload",
  "UpsertTaxRatesPayload",
] as const;

/** The object types, by name. */
export type ObjectTypeName = (typeof objectTypes)[number];

/** For each object type (roots included), its fields that hold a list of objects. */
export const objectListFields: Readonly<Record<string, readonly string[]>> = {
  "Cart": ["attributes","deliveryOptions","discountAllocations","discountCodes","warnings"],
  "CartConnection": ["edges","nodes"],
  "CartCost": ["taxLines"],
  "CartEventConnection": ["edges","nodes"],
  "CartItem": ["attributes","discountAllocations"],
  "CartItemConnection": ["edges","nodes"],
  "CartItemPayload": ["userErrors","warnings"],
  "CartPayload": ["userErrors","warnings"],
  "CartSummary": ["items"],
  "Checkout": ["lines"],
  "CheckoutLine": ["attributes","discountAllocations"],
  "CheckoutPayload": ["userErrors","warnings"],
  "Product": ["media"],
  "ProductConnection": ["edges","nodes"],
  "PromotionConnection": ["edges","nodes"],
  "Query": ["shippingRates","taxRates"],
  "UpsertProductsPayload": ["products","userErrors","warnings"],
  "UpsertPromotionsPayload": ["promotions","userErrors"],
  "UpsertShippingRatesPayload": ["rates","userErrors"],
  "UpsertTaxRatesPayload": ["rates","userErrors"],
};

/**
 * Mutation fields whose payload carries a cart, with the path from the payload to it
 * (`[]`: the field returns the cart itself).
 */
export const cartPayloadPaths: Readonly<Record<string, readonly string[]>> = {
  "addToCart": ["cart"],
  "applyDiscountCode": ["cart"],
  "beginCheckout": ["checkout","cart"],
  "cancelCheckout": ["cart"],
  "clearCart": ["cart"],
  "completeCheckout": ["checkout","cart"],
  "createCart": ["cart"],
  "mergeGuestCart": ["cart"],
  "removeCartItem": ["cart"],
  "removeDiscountCode": ["cart"],
  "selectDeliveryOption": ["cart"],
  "syncCart": ["cart"],
  "updateBuyerIdentity": ["cart"],
  "updateCartAttributes": ["cart"],
  "updateCartItem": ["cart"],
};

/** Subscription fields that deliver the caller's cart. */
export const cartSubscriptions: readonly string[] = ["cartUpdated"];

/** For each interface and union, the object types that belong to it. */
export const possibleTypes: Readonly<Record<string, readonly string[]>> = {};
