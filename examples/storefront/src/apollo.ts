import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { apolloCacheConfig } from "@cartql/client";
import { session } from "./session";

export const client = new ApolloClient({
  // The session's fetch sends the current credentials (they change on sign-in and on the
  // first add) and an Idempotency-Key with each mutation.
  link: new HttpLink({ uri: "/graphql", fetch: session.fetch }),
  // cartql's type policies: carts and lines are normalized by id, values (Money, CartCost, …)
  // embedded, and every mutation's payload cart becomes the cached `cart`, so the first add
  // shows without a hand-written update and no view refetches.
  cache: new InMemoryCache(apolloCacheConfig),
});
