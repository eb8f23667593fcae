// Object identification: any cartql object with a global id is read back through `node` or
// `nodes`, which answer null for what the caller may not read. Compiled by relay-compiler;
// never run itself.
import { graphql } from "relay-runtime";

// A cart by its global id: the same store record as the cart of CartPageQuery.
export const cartNodeQuery = graphql`
  query CartNodeQuery($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Cart {
        itemCount
        totalQuantity
      }
    }
  }
`;

// Several objects of different types at once, in the order asked.
export const cartNodesQuery = graphql`
  query CartNodesQuery($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
      ... on Cart {
        itemCount
      }
      ... on CartItem {
        quantity
        sku
      }
    }
  }
`;
