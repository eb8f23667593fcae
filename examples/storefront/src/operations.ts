import { graphql } from "./gql";

export const CART_FIELDS = graphql(`
  fragment StorefrontCart on Cart {
    id
    token
    version
    itemCount
    totalQuantity
    items {
      nodes {
        id
        quantity
        attributes { key value }
        unitPrice { formatted }
        subtotal { formatted }
        discountedSubtotal { formatted }
        discountAllocations { title amount { formatted } }
        availableQuantity
        product { id sku name image }
      }
    }
    discountCodes { code state }
    status
    buyerIdentity { email countryCode }
    deliveryOptions { handle title cost { formatted } }
    selectedDeliveryOption { handle }
    cost {
      subtotal { formatted }
      promotionDiscount { amount formatted }
      shipping { formatted }
      estimatedTax { formatted }
      taxLines { title amount { formatted } }
      total { formatted }
    }
    warnings { code message target }
  }
`);

export const CART = graphql(`
  query StorefrontCartView {
    cart { ...StorefrontCart }
  }
`);

export const PRODUCTS = graphql(`
  query StorefrontProducts {
    products(first: 12) {
      edges {
        node { id sku name image stock requiredAttributes effectivePrice { formatted } }
      }
    }
  }
`);

export const ADD_TO_CART = graphql(`
  mutation StorefrontAddToCart($input: AddToCartInput!) {
    addToCart(input: $input) {
      cart { ...StorefrontCart }
      userErrors { code field message }
      warnings { code message }
    }
  }
`);

export const UPDATE_LINE = graphql(`
  mutation StorefrontUpdateLine($input: UpdateCartItemInput!) {
    updateCartItem(input: $input) {
      cart { ...StorefrontCart }
      userErrors { code field message }
      warnings { code message }
    }
  }
`);

export const MERGE = graphql(`
  mutation StorefrontMerge($guestToken: String!) {
    mergeGuestCart(guestToken: $guestToken, strategy: SUM) {
      cart { ...StorefrontCart }
      userErrors { code field message }
      warnings { code message }
    }
  }
`);

export const APPLY_CODE = graphql(`
  mutation StorefrontApplyCode($code: String!) {
    applyDiscountCode(code: $code) {
      cart { ...StorefrontCart }
      userErrors { code field message }
      warnings { code message }
    }
  }
`);

export const REMOVE_CODE = graphql(`
  mutation StorefrontRemoveCode($code: String!) {
    removeDiscountCode(code: $code) {
      cart { ...StorefrontCart }
      userErrors { code field message }
      warnings { code message }
    }
  }
`);

export const SET_BUYER = graphql(`
  mutation StorefrontBuyer($input: BuyerIdentityInput!) {
    updateBuyerIdentity(input: $input) {
      cart { ...StorefrontCart }
      userErrors { code field message }
    }
  }
`);

export const SELECT_DELIVERY = graphql(`
  mutation StorefrontDelivery($handle: String!) {
    selectDeliveryOption(handle: $handle) {
      cart { ...StorefrontCart }
      userErrors { code field message }
    }
  }
`);

export const BEGIN_CHECKOUT = graphql(`
  mutation StorefrontBeginCheckout {
    beginCheckout {
      checkout { id handoffToken contents totals { total { formatted } } cart { id status } }
      userErrors { code field message }
    }
  }
`);
