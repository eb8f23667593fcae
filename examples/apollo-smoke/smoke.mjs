// Apollo Client against a live cartql: the guest flow with X-Cart-Token, the user flow with a
// Bearer token and a merge on sign-in, cache normalization (a watched cart query follows every
// mutation without a refetch), userErrors, extensions.code on request and field errors, and
// automatic persisted queries.
//
//   CARTQL_URL         the endpoint (default http://127.0.0.1:8080/graphql)
//   CARTQL_USER_TOKEN  a user's JWT, e.g. from `cartql token --user smoke-user`
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  gql,
} from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const url = process.env.CARTQL_URL ?? "http://127.0.0.1:8080/graphql";
const userToken = process.env.CARTQL_USER_TOKEN;
assert.ok(userToken, "set CARTQL_USER_TOKEN to a user's JWT");

const CART = gql`
  fragment CartLines on Cart {
    id
    version
    itemCount
    totalQuantity
    items { nodes { id quantity product { id sku name } } }
    discountCodes { code state }
    cost { total { amount formatted } promotionDiscount { amount } }
  }
`;
const CART_VIEW = gql`
  query CartView { cart { ...CartLines } }
  ${CART}
`;
const CREATE_CART = gql`
  mutation CreateCart($items: [CartItemInput!]) {
    createCart(items: $items) { cart { token ...CartLines } userErrors { code field message } }
  }
  ${CART}
`;
const ADD = gql`
  mutation AddToCart($input: AddToCartInput!, $expectedVersion: Int) {
    addToCart(input: $input, expectedVersion: $expectedVersion) {
      cart { ...CartLines }
      item { id quantity }
      userErrors { code field message }
    }
  }
  ${CART}
`;
const UPDATE = gql`
  mutation UpdateCartItem($input: UpdateCartItemInput!) {
    updateCartItem(input: $input) { cart { ...CartLines } userErrors { code field message } }
  }
  ${CART}
`;
const MERGE = gql`
  mutation MergeGuestCart($guestToken: String!) {
    mergeGuestCart(guestToken: $guestToken, strategy: SUM) {
      cart { ...CartLines }
      userErrors { code field message }
    }
  }
  ${CART}
`;

/** Operation names that went over the network, in order. */
const sent = [];

/** A client whose every request carries `headers()`. */
function client(headers) {
  const credentials = new ApolloLink((operation, forward) => {
    sent.push(operation.operationName);
    operation.setContext(({ headers: previous = {} }) => ({
      headers: { ...previous, ...headers() },
    }));
    return forward(operation);
  });
  return new ApolloClient({
    link: ApolloLink.from([credentials, new HttpLink({ uri: url })]),
    cache: new InMemoryCache(),
  });
}

/** Watches the cart; `latest()` is the newest result the cache delivered. */
async function watchCart(apollo) {
  let latest;
  let first;
  const ready = new Promise((resolve) => (first = resolve));
  const subscription = apollo.watchQuery({ query: CART_VIEW }).subscribe((result) => {
    if (result.data) {
      latest = result.data.cart;
      first();
    }
  });
  await ready;
  return { latest: () => latest, stop: () => subscription.unsubscribe() };
}

/** Runs `mutate` and checks that only it went over the network (no refetch). */
async function withoutRefetch(name, mutate) {
  const before = sent.length;
  const result = await mutate();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(sent.slice(before), [name], "the watched cart updated from the cache");
  return result;
}

/**
 * A mutation's `update` that points the root `cart` field at the payload's cart. Once a cart
 * is in the cache, normalization alone keeps every view of it current; a mutation that
 * creates the caller's cart (or replaces it, as a merge may) also has to say that `cart` now
 * means this one.
 */
const pointRootCart = (field) => (cache, { data }) => {
  const cart = data?.[field]?.cart;
  if (cart) cache.writeQuery({ query: CART_VIEW, data: { cart } });
};

const quantities = (cart) => cart.items.nodes.map((line) => `${line.product.sku}×${line.quantity}`);

// --- Guest: a cart and its token, then every request sends X-Cart-Token.
let guestToken;
const guest = client(() => (guestToken ? { "X-Cart-Token": guestToken } : {}));
const created = await guest.mutate({
  mutation: CREATE_CART,
  variables: { items: [{ product: { sku: "DEMO-002" }, quantity: 1 }] },
  update: pointRootCart("createCart"),
});
guestToken = created.data.createCart.cart.token;
assert.match(guestToken, /^cgt_/);

// The new cart is already in the cache: watching it costs no request.
const watching = sent.length;
const guestCart = await watchCart(guest);
assert.equal(sent.length, watching, "the watched cart came from the cache");
assert.deepEqual(quantities(guestCart.latest()), ["DEMO-002×1"]);
await withoutRefetch("AddToCart", () =>
  guest.mutate({ mutation: ADD, variables: { input: { product: { sku: "DEMO-003" }, quantity: 2 } } })
);
assert.deepEqual(quantities(guestCart.latest()), ["DEMO-002×1", "DEMO-003×2"]);
assert.equal(guestCart.latest().totalQuantity, 3);

// A refusal is data: userErrors with a code, and the cart as it stands.
const refused = await guest.mutate({
  mutation: ADD,
  variables: { input: { product: { sku: "NO-SUCH-SKU" } } },
});
assert.deepEqual(
  refused.data.addToCart.userErrors.map((e) => e.code),
  ["PRODUCT_NOT_FOUND"]
);
assert.equal(refused.data.addToCart.cart.totalQuantity, 3);

// A stale expectedVersion is refused, and the payload's cart (the current one) refreshes
// the cache.
const stale = await guest.mutate({
  mutation: ADD,
  variables: { input: { product: { sku: "DEMO-002" } }, expectedVersion: 1 },
});
assert.deepEqual(stale.data.addToCart.userErrors.map((e) => e.code), ["VERSION_CONFLICT"]);
assert.equal(guestCart.latest().version, stale.data.addToCart.cart.version);
guestCart.stop();

// --- Request errors carry extensions.code: a bad credential is refused before execution.
const forged = client(() => ({ Authorization: "Bearer not-a-jwt" }));
await assert.rejects(
  forged.query({ query: CART_VIEW }),
  (error) => {
    assert.ok(CombinedGraphQLErrors.is(error), `a GraphQL error, not ${error?.name}`);
    assert.equal(error.errors[0].extensions.code, "UNAUTHENTICATED");
    return true;
  }
);

// --- User: sign in, merge the guest cart, and keep editing through the cache.
const user = client(() => ({ Authorization: `Bearer ${userToken}` }));

// A field error: the admin list is forbidden to a user; errorPolicy "all" keeps the data.
const forbidden = await user.query({
  query: gql`query AdminCarts { carts(first: 1) { totalCount } }`,
  errorPolicy: "all",
});
assert.ok(CombinedGraphQLErrors.is(forbidden.error));
assert.equal(forbidden.error.errors[0].extensions.code, "FORBIDDEN");

const before = (await user.query({ query: CART_VIEW })).data.cart?.totalQuantity ?? 0;
const userCart = await watchCart(user);
const merged = await withoutRefetch("MergeGuestCart", () =>
  user.mutate({ mutation: MERGE, variables: { guestToken }, update: pointRootCart("mergeGuestCart") })
);
assert.deepEqual(merged.data.mergeGuestCart.userErrors, []);
assert.equal(userCart.latest().totalQuantity, before + 3);

const line = userCart.latest().items.nodes.find((l) => l.product.sku === "DEMO-003");
await withoutRefetch("UpdateCartItem", () =>
  user.mutate({ mutation: UPDATE, variables: { input: { itemId: line.id, quantity: 5 } } })
);
assert.equal(
  userCart.latest().items.nodes.find((l) => l.id === line.id).quantity,
  5,
  "the line changed in the cache"
);

// A discount code (any case): the payload's cart brings the code's state and the new totals
// into the watched cart.
const APPLY_CODE = gql`
  mutation ApplyDiscountCode($code: String!) {
    applyDiscountCode(code: $code) { cart { ...CartLines } userErrors { code field message } }
  }
  ${CART}
`;
const applied = await withoutRefetch("ApplyDiscountCode", () =>
  user.mutate({ mutation: APPLY_CODE, variables: { code: "welcome10" } })
);
assert.deepEqual(applied.data.applyDiscountCode.userErrors, []);
assert.deepEqual(
  userCart.latest().discountCodes.map((c) => `${c.code}:${c.state}`),
  ["WELCOME10:APPLIED"]
);
assert.notEqual(userCart.latest().cost.promotionDiscount.amount, "0.00");
userCart.stop();

// The merged guest cart is gone: its token no longer opens a cart.
const after = await guest.query({ query: CART_VIEW, fetchPolicy: "network-only", errorPolicy: "all" });
const gone =
  after.data?.cart === null ||
  (CombinedGraphQLErrors.is(after.error) &&
    after.error.errors[0].extensions.code === "INVALID_GUEST_TOKEN");
assert.ok(gone, `the guest token still opens a cart: ${JSON.stringify(after)}`);

// --- Automatic persisted queries: Apollo's link sends the hash alone; the first time the
// server asks for the query, afterwards the hash is enough (GET, so a CDN could cache it).
const bodies = [];
const recording = (input, init) => {
  bodies.push(init?.method === "GET" ? new URL(input).search : init?.body ?? "");
  return fetch(input, init);
};
const persisted = new ApolloClient({
  link: ApolloLink.from([
    new PersistedQueryLink({
      sha256: (text) => createHash("sha256").update(text).digest("hex"),
      useGETForHashedQueries: true,
    }),
    new HttpLink({ uri: url, fetch: recording }),
  ]),
  cache: new InMemoryCache(),
});
const PRODUCTS = gql`query SmokeProducts { products(first: 2) { edges { node { id sku } } } }`;
const first = await persisted.query({ query: PRODUCTS, fetchPolicy: "network-only" });
const second = await persisted.query({ query: PRODUCTS, fetchPolicy: "network-only" });
assert.deepEqual(second.data, first.data);
assert.equal(bodies.length, 3, "hash, then hash with the query, then hash alone");
assert.ok(!bodies[0].includes("query=") && bodies[0].includes("sha256Hash"), bodies[0]);
assert.ok(bodies[1].includes("SmokeProducts {"), "the retry carried the query");
assert.ok(!bodies[2].includes("query=") && bodies[2].includes("sha256Hash"), bodies[2]);

console.log(`apollo smoke: ${sent.length} operations against ${url}, all as expected`);
