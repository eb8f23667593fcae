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
        availableQuantity
        product { id sku name image }
      }
    }
    cost {
      subtotal { formatted }
      estimatedTax { formatted }
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
