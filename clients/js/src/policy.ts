// How a normalized cache should treat each of cartql's types and cart mutations. This is the
// one hand-written decision table; the Apollo and urql configurations are derived from it and
// from src/schema.generated.ts. `npm run check` fails when the schema gains an object type or
// a cart mutation that is not decided here.

/**
 * Types with an identity, and the field that carries it. Each is stored once per key, so a
 * mutation's payload updates every view of it.
 */
export const keyFields = {
  Cart: "id",
  CartEvent: "id",
  CartItem: "id",
  Checkout: "id",
  Product: "id",
  Promotion: "id",
  Shop: "id",
  /** A summary line: the cart line's id (`CartItem.id`), named `itemId` here. */
  CartSummaryItem: "itemId",
  /** Delivery options of the back office, replaced by handle. */
  ShippingRate: "handle",
} as const satisfies Record<string, string>;

/**
 * Types without an identity of their own: values (Money, CartCost, ...), connections and
 * edges, payloads and errors. A cache embeds each in whatever holds it, and every answer
 * replaces it whole, so old and new parts are never mixed. Some carry an id-like field that
 * does not identify them: a DeliveryOption's cost depends on the cart, a CheckoutLine's
 * `itemId` recurs in every checkout of the cart, a DiscountAllocation's `promotionId` on every
 * line the promotion touches, a ProductMedia's `key` (`cover`) on every product.
 */
export const keylessTypes = [
  "Attribute",
  "BuyerIdentity",
  "CartConnection",
  "CartCost",
  "CartDiscountCode",
  "CartEdge",
  "CartEventConnection",
  "CartEventEdge",
  "CartItemConnection",
  "CartItemEdge",
  "CartItemPayload",
  "CartPayload",
  "CartSummary",
  "CartUserError",
  "CartWarning",
  "CheckoutLine",
  "CheckoutPayload",
  "DeliveryOption",
  "DiscountAllocation",
  "Money",
  "PageInfo",
  "ProductConnection",
  "ProductEdge",
  "ProductMedia",
  "PromotionConnection",
  "PromotionEdge",
  "QuantityRule",
  "TaxLine",
  "TaxRate",
  "UpsertProductsPayload",
  "UpsertPromotionsPayload",
  "UpsertShippingRatesPayload",
  "UpsertTaxRatesPayload",
] as const;

/**
 * What a cart mutation means for `Query.cart`, the caller's cart:
 * - `follow`: the payload's cart is the caller's cart now (null after `clearCart`, the
 *   user's cart after `mergeGuestCart`, the cart as it stands after a refusal);
 * - `close`: the payload's cart has closed (a completed checkout): if it was the caller's
 *   cart, the caller has none now;
 * - `other`: the payload's cart is a shopper's, moved by an order system (a claimed or
 *   released checkout): the caller's own cart is not touched.
 */
export type CartEffect = "follow" | "close" | "other";

export const cartMutations: Readonly<Record<string, CartEffect>> = {
  addToCart: "follow",
  applyDiscountCode: "follow",
  beginCheckout: "follow",
  cancelCheckout: "follow",
  claimCheckout: "other",
  clearCart: "follow",
  completeCheckout: "close",
  createCart: "follow",
  mergeGuestCart: "follow",
  releaseCheckout: "other",
  removeCartItem: "follow",
  removeDiscountCode: "follow",
  selectDeliveryOption: "follow",
  syncCart: "follow",
  updateBuyerIdentity: "follow",
  updateCartAttributes: "follow",
  updateCartItem: "follow",
};

/** Query fields that are derived from the caller's cart and go stale when it changes. */
export const cartDerivedQueryFields = ["cartSummary"] as const;

/**
 * The `Cart.status` of a closed cart (a completed checkout). A cached cart in this state is
 * never the caller's cart: `Query.cart` reads as null once any answer (a polled `checkout`,
 * say) shows its cart completed.
 */
export const closedCartStatus = "COMPLETED";
