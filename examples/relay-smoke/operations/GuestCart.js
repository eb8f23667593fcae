// The mutations that fill a guest's cart for the smoke. Compiled by relay-compiler; never run
// itself.
import { graphql } from "relay-runtime";

// Without an Authorization header, createCart opens a guest cart and answers its token.
export const guestCartCreateMutation = graphql`
  mutation GuestCartCreateMutation($items: [CartItemInput!]!) {
    createCart(items: $items) {
      cart {
        id
        token
      }
      userErrors {
        code
        message
      }
    }
  }
`;

export const guestCartAddMutation = graphql`
  mutation GuestCartAddMutation($input: AddToCartInput!) {
    addToCart(input: $input) {
      item {
        id
        sku
      }
      userErrors {
        code
        message
      }
    }
  }
`;
