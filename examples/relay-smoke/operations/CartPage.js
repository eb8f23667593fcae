// A cart's lines a page at a time, as a Relay UI would show them. relay-compiler reads these
// documents (this module is never run: smoke.mjs imports the compiled artifacts). Relay wants
// each document named after its module, hence the `CartPage` prefix.
import { graphql } from "relay-runtime";

// The first page: the caller's cart (guest token or user) with `$count` lines.
export const cartPageQuery = graphql`
  query CartPageQuery($count: Int!) {
    cart {
      id
      ...CartPage_lines @arguments(count: $count)
    }
  }
`;

// The lines as a connection. @refetchable makes relay-compiler write
// CartPagePaginationQuery, which refetches this fragment through `node(id:)` (possible
// because Cart implements Node); @connection lets Relay's connection handler append each
// next page to the lines already in the store instead of replacing them.
export const cartPageLines = graphql`
  fragment CartPage_lines on Cart
  @refetchable(queryName: "CartPagePaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    id
    totalQuantity
    items(first: $count, after: $cursor) @connection(key: "CartPage_items") {
      edges {
        cursor
        node {
          id
          ...CartPage_line
        }
      }
    }
  }
`;

// One line, masked as a component of its own would read it.
export const cartPageLine = graphql`
  fragment CartPage_line on CartItem {
    id
    quantity
    sku
    product {
      id
      name
    }
  }
`;
