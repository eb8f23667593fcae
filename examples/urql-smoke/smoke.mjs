// urql with Graphcache against a live cartql, configured only from @cartql/client: its
// `graphcacheConfig` (keys, updates, resolvers, schema) and its session fetch (X-Cart-Token,
// Authorization, Idempotency-Key). No hand-written keys or updates here.
//
// Guest: the first add shows in the watched cart without a refetch; the cart read from the
// cache and from the network agree; a reply lost on the way back is retried under the same
// Idempotency-Key and counted once; quantity changes and removals follow from the payloads;
// the summary (keyed by itemId) is read again after a change; a change made on another
// device arrives through `cartUpdated`. User: sign in with a Bearer token, merge the guest
// cart (the guest token is dropped), change and clear the cart. Any Graphcache warning or
// console warning fails the smoke.
//
//   CARTQL_URL         the endpoint (default http://127.0.0.1:8080/graphql)
//   CARTQL_USER_TOKEN  a user's JWT, e.g. from `cartql token --user urql-smoke`
import assert from "node:assert/strict";
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { createClient as createWsClient } from "graphql-ws";
import WebSocket from "ws";
import { createCartqlSession, graphcacheConfig } from "@cartql/client";

const url = process.env.CARTQL_URL ?? "http://127.0.0.1:8080/graphql";
const userToken = process.env.CARTQL_USER_TOKEN;
assert.ok(userToken, "set CARTQL_USER_TOKEN to a user's JWT");

// --- Every warning fails the smoke: Graphcache's logger, and the console.
const warnings = [];
for (const level of ["warn", "error"]) {
  const original = console[level];
  console[level] = (...args) => {
    warnings.push(`console.${level}: ${args.join(" ")}`);
    original(...args);
  };
}
const logger = (severity, message) => {
  if (severity !== "debug") warnings.push(`graphcache ${severity}: ${message}`);
};

// --- The wire, as seen under the session: every request, and one reply to lose on purpose.
const sent = [];
let loseNextReply = false;
const wire = async (input, init) => {
  const headers = new Headers(init?.headers);
  const body = init?.body ? JSON.parse(init.body) : Object.fromEntries(new URL(String(input)).searchParams);
  const response = await fetch(input, init);
  sent.push({
    operation: body.operationName,
    method: init?.method ?? "GET",
    headers: Object.fromEntries(headers),
    replayed: response.headers.get("idempotent-replayed") === "true",
  });
  if (loseNextReply) {
    // The server applied the mutation; its reply never reaches the client.
    loseNextReply = false;
    await response.arrayBuffer();
    throw new TypeError("fetch failed (the smoke dropped this reply)");
  }
  return response;
};

const session = createCartqlSession({ fetch: wire, maxRetryDelayMs: 200 });

/** A urql client whose cache comes only from @cartql/client; subscriptions over graphql-ws. */
function urqlClient() {
  const ws = createWsClient({
    url: url.replace(/^http/, "ws") + "/ws",
    webSocketImpl: WebSocket,
    connectionParams: () => session.connectionParams(),
    lazy: true,
  });
  const client = new Client({
    url,
    fetch: session.fetch,
    exchanges: [
      cacheExchange({ ...graphcacheConfig, logger }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
    ],
  });
  return { client, close: () => ws.dispose() };
}

const CART = `
  fragment SmokeCart on Cart {
    id
    token
    version
    itemCount
    totalQuantity
    items { nodes { id quantity product { id sku name media { key url } shop { id name } } unitPrice { amount currencyCode } } }
    cost { subtotal { amount } estimatedTax { amount } total { amount formatted } }
  }`;
const VIEW = `query SmokeCartView { cart { ...SmokeCart } } ${CART}`;
const SUMMARY = `query SmokeSummary { cartSummary { itemCount totalQuantity items { itemId sku quantity subtotal { amount } } total { amount } } }`;
const ADD = `mutation SmokeAdd($input: AddToCartInput!) {
  addToCart(input: $input) { cart { ...SmokeCart } item { id quantity } userErrors { code field message } warnings { code message } }
} ${CART}`;
const UPDATE = `mutation SmokeUpdate($input: UpdateCartItemInput!) {
  updateCartItem(input: $input) { cart { ...SmokeCart } item { id quantity } userErrors { code message } }
} ${CART}`;
const REMOVE = `mutation SmokeRemove($itemId: ID!) {
  removeCartItem(itemId: $itemId) { cart { ...SmokeCart } item { id } userErrors { code message } }
} ${CART}`;
const MERGE = `mutation SmokeMerge($guestToken: String!) {
  mergeGuestCart(guestToken: $guestToken, strategy: SUM) { cart { ...SmokeCart } userErrors { code message } warnings { code } }
} ${CART}`;
const CLEAR = `mutation SmokeClear { clearCart { cart { id } userErrors { code message } } }`;
const LIVE = `subscription SmokeLive { cartUpdated { ...SmokeCart } } ${CART}`;

const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));
const lines = (cart) => (cart?.items.nodes ?? []).map((line) => `${line.product.sku}×${line.quantity}`).sort();

/** Watches a query; `latest()` is the newest data Graphcache delivered. */
async function watch(client, query) {
  let latest;
  let ready;
  const first = new Promise((resolve) => (ready = resolve));
  const { unsubscribe } = client.query(query, {}).subscribe((result) => {
    assert.equal(result.error, undefined, `${result.error}`);
    if (result.data) {
      latest = result.data;
      ready();
    }
  });
  await first;
  return { latest: () => latest, stop: unsubscribe };
}

/**
 * Runs a mutation and checks that the watched cart was not read again: it follows from the
 * payload. (The summary, which the payload does not carry, is read again.)
 */
async function mutateAlone(client, query, variables, operation) {
  const before = sent.length;
  const result = await client.mutation(query, variables).toPromise();
  assert.equal(result.error, undefined, `${result.error}`);
  await settle();
  const names = sent.slice(before).map((r) => r.operation);
  assert.equal(names[0], operation);
  assert.ok(!names.includes("SmokeCartView"), `the cart was not refetched: ${names}`);
  assert.ok(names.every((name) => name === operation || name === "SmokeSummary"), `unexpected requests: ${names}`);
  return result.data;
}

// ---------------------------------------------------------------- guest
const guest = urqlClient();
const view = await watch(guest.client, VIEW);
assert.equal(view.latest().cart, null, "a new guest has no cart");
assert.equal(session.guestToken(), null);

// The first add opens the cart: the session keeps its token, and Query.cart follows the
// payload (Graphcache would keep it null without an update).
const added = await mutateAlone(guest.client, ADD, { input: { product: { sku: "DEMO-002" }, quantity: 1 } }, "SmokeAdd");
assert.deepEqual(added.addToCart.userErrors, []);
const guestToken = session.guestToken();
assert.match(guestToken ?? "", /^cgt_/, "the session kept the guest token");
assert.equal(added.addToCart.cart.token, guestToken);
assert.deepEqual(lines(view.latest().cart), ["DEMO-002×1"], "the watched cart shows the first add");

// From the cache (no request) and from the network (with X-Cart-Token): the same cart.
const requestsBefore = sent.length;
const cached = await guest.client.query(VIEW, {}, { requestPolicy: "cache-only" }).toPromise();
assert.equal(sent.length, requestsBefore, "cache-only sent nothing");
const fresh = await guest.client.query(VIEW, {}, { requestPolicy: "network-only" }).toPromise();
assert.equal(sent.at(-1).headers["x-cart-token"], guestToken, "the session sent X-Cart-Token");
assert.deepEqual(cached.data.cart, fresh.data.cart, "the cache holds what the server says");

// A reply lost on the way back: the session sends the add again under the same key, and
// cartql answers from the first execution instead of adding twice.
loseNextReply = true;
const retried = await mutateAlone(guest.client, ADD, { input: { product: { sku: "DEMO-003" }, quantity: 2 } }, "SmokeAdd");
const [lost, replay] = sent.slice(-2);
assert.equal(lost.operation, "SmokeAdd");
assert.ok(lost.headers["idempotency-key"], "the add carried an Idempotency-Key");
assert.equal(replay.headers["idempotency-key"], lost.headers["idempotency-key"], "the retry reused it");
assert.equal(replay.replayed, true, "cartql replayed the stored reply");
assert.equal(retried.addToCart.cart.totalQuantity, 3, "added once");
assert.deepEqual(lines(view.latest().cart), ["DEMO-002×1", "DEMO-003×2"]);

// The summary: keyed by itemId, read again after every change.
const summary = await watch(guest.client, SUMMARY);
const lineIds = () => view.latest().cart.items.nodes.map((line) => line.id).sort();
assert.deepEqual(summary.latest().cartSummary.items.map((i) => i.itemId).sort(), lineIds());

// Quantity and removal, from the payloads alone.
const demo3 = view.latest().cart.items.nodes.find((line) => line.product.sku === "DEMO-003");
await mutateAlone(guest.client, UPDATE, { input: { itemId: demo3.id, quantity: 5 } }, "SmokeUpdate");
assert.deepEqual(lines(view.latest().cart), ["DEMO-002×1", "DEMO-003×5"]);
await settle(200);
assert.equal(summary.latest().cartSummary.totalQuantity, 6, "the summary followed");
const demo2 = view.latest().cart.items.nodes.find((line) => line.product.sku === "DEMO-002");
const removed = await mutateAlone(guest.client, REMOVE, { itemId: demo2.id }, "SmokeRemove");
assert.equal(removed.removeCartItem.item.id, demo2.id);
assert.deepEqual(lines(view.latest().cart), ["DEMO-003×5"], "the removed line left the cached list");
await settle(200);
assert.deepEqual(summary.latest().cartSummary.items.map((i) => `${i.sku}×${i.quantity}`), ["DEMO-003×5"]);

// A refusal is data; the cart stays as it was.
const refused = await guest.client.mutation(ADD, { input: { product: { sku: "NO-SUCH-SKU" } } }).toPromise();
assert.deepEqual(refused.data.addToCart.userErrors.map((e) => e.code), ["PRODUCT_NOT_FOUND"]);
assert.equal(view.latest().cart.totalQuantity, 5);

// Another device adds to the same guest cart: cartUpdated brings it into the cache.
const live = [];
const liveSub = guest.client.subscription(LIVE, {}).subscribe((result) => {
  assert.equal(result.error, undefined, `${result.error}`);
  if (result.data) live.push(result.data.cartUpdated);
});
for (let i = 0; i < 50 && live.length === 0; i++) await settle(100);
assert.equal(live[0]?.totalQuantity, 5, "cartUpdated sends the cart at once");
const other = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", "x-cart-token": guestToken },
  body: JSON.stringify({
    query: `mutation { addToCart(input: { product: { sku: "DEMO-004" } }) { userErrors { code } } }`,
  }),
}).then((r) => r.json());
assert.deepEqual(other.data.addToCart.userErrors, []);
for (let i = 0; i < 50 && live.length < 2; i++) await settle(100);
assert.equal(live.at(-1)?.totalQuantity, 6, "cartUpdated sent the other device's change");
await settle();
assert.deepEqual(lines(view.latest().cart), ["DEMO-003×5", "DEMO-004×1"], "the watched cart followed the subscription");
liveSub.unsubscribe();
view.stop();
summary.stop();
guest.close();

// Every mutation call had its own key; queries had none.
const mutations = sent.filter((r) => r.method === "POST");
const keys = mutations.map((r) => r.headers["idempotency-key"]);
assert.ok(keys.every(Boolean), "every mutation carried an Idempotency-Key");
assert.equal(new Set(keys).size, mutations.length - 1, "one key per call (the retry shared its call's)");
assert.ok(sent.filter((r) => r.method === "GET").every((r) => !r.headers["idempotency-key"]));

// ---------------------------------------------------------------- user
// A new identity: a fresh client (and cache) on the same session.
const toMerge = session.signIn(userToken);
assert.equal(toMerge, guestToken);
const user = urqlClient();
const userView = await watch(user.client, VIEW);
const before = userView.latest().cart?.totalQuantity ?? 0;
const merged = await mutateAlone(user.client, MERGE, { guestToken: toMerge }, "SmokeMerge");
assert.deepEqual(merged.mergeGuestCart.userErrors, []);
assert.equal(sent.at(-1).headers.authorization, `Bearer ${userToken}`);
assert.equal(sent.at(-1).headers["x-cart-token"], undefined, "a signed-in user sends no guest token");
assert.equal(session.guestToken(), null, "the merged guest token was dropped");
assert.equal(userView.latest().cart.token, null, "a user's cart has no token");
assert.equal(userView.latest().cart.totalQuantity, before + 6, "the watched cart is the merged one");

const userLine = userView.latest().cart.items.nodes.find((line) => line.product.sku === "DEMO-004");
await mutateAlone(user.client, UPDATE, { input: { itemId: userLine.id, quantity: 2 } }, "SmokeUpdate");
assert.equal(userView.latest().cart.totalQuantity, before + 7);

const cleared = await mutateAlone(user.client, CLEAR, {}, "SmokeClear");
assert.deepEqual(cleared.clearCart.userErrors, []);
assert.equal(userView.latest().cart, null, "the cleared cart left the cache's Query.cart");
const after = await user.client.query(VIEW, {}, { requestPolicy: "network-only" }).toPromise();
assert.equal(after.data.cart, null, "and the server agrees");
userView.stop();
user.close();

assert.deepEqual(warnings, [], "no warning from Graphcache or anything else");
console.log(`urql smoke: ${sent.length} requests against ${url}; guest and user flows as expected, no warnings`);
