// The session's fetch against a scripted server: credentials, the guest token's life, and
// Idempotency-Key (one per call, the same on every retry of that call).
import assert from "node:assert/strict";
import test from "node:test";
import { createCartqlSession } from "../dist/index.js";

const ADD = `mutation Add($input: AddToCartInput!) { addToCart(input: $input) { cart { id token totalQuantity } userErrors { code } } }`;
const VIEW = `query View { cart { id token } }`;
const CLEAR = `mutation Clear { clearCart { cart { id } userErrors { code } } }`;
const MERGE = `mutation Merge($guestToken: String!) { mergeGuestCart(guestToken: $guestToken) { cart { id } userErrors { code } } }`;

/** A fake server: answers in turn, and records what each request carried. */
function scripted(...answers) {
  const requests = [];
  const fetch = async (_url, init) => {
    const headers = new Headers(init.headers);
    requests.push({ body: JSON.parse(init.body), headers: Object.fromEntries(headers) });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    const { status = 200, body, headers: extra = {} } = next;
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...extra } });
  };
  return { fetch, requests };
}
const post = (session, query, variables = {}) =>
  session.fetch("http://cartql.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
const cart = (token, extra = {}) => ({ __typename: "Cart", id: "c1", token, totalQuantity: 1, ...extra });

test("a guest's token is kept from the first add and sent from then on", async () => {
  const server = scripted(
    { body: { data: { addToCart: { cart: cart("cgt_first"), userErrors: [] } } } },
    { body: { data: { cart: cart("cgt_first") } } }
  );
  const session = createCartqlSession({ fetch: server.fetch });
  const changes = [];
  session.subscribe((change) => changes.push(change));
  await post(session, ADD, { input: { product: { sku: "A" } } });
  assert.equal(session.guestToken(), "cgt_first");
  await post(session, VIEW);
  assert.equal(server.requests[0].headers["x-cart-token"], undefined);
  assert.equal(server.requests[1].headers["x-cart-token"], "cgt_first");
  assert.deepEqual(changes, [{ kind: "guestToken", token: "cgt_first" }]);
});

test("every mutation call has its own Idempotency-Key; queries and multi-field mutations have none", async () => {
  const ok = { body: { data: { addToCart: { cart: cart(null), userErrors: [] } } } };
  const server = scripted(ok, ok, { body: { data: { cart: null } } }, { body: { data: {} } });
  const session = createCartqlSession({ fetch: server.fetch, userToken: "jwt" });
  await post(session, ADD, { input: { product: { sku: "A" } } });
  await post(session, ADD, { input: { product: { sku: "A" } } });
  await post(session, VIEW);
  await post(session, `mutation { a: clearCart { cart { id } } b: clearCart { cart { id } } }`);
  const keys = server.requests.map((r) => r.headers["idempotency-key"]);
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(keys[0], keys[1]);
  assert.equal(keys[2], undefined);
  assert.equal(keys[3], undefined);
  assert.ok(server.requests.every((r) => r.headers.authorization === "Bearer jwt"));
});

test("a lost reply, a 503 and OUTCOME_UNKNOWN are retried with the same key", async () => {
  const server = scripted(
    new TypeError("fetch failed"),
    { status: 503, body: { errors: [{ message: "busy", extensions: { code: "SERVICE_UNAVAILABLE" } }] }, headers: { "retry-after": "1" } },
    { body: { data: null, errors: [{ message: "?", extensions: { code: "OUTCOME_UNKNOWN" } }] } },
    { body: { data: { addToCart: { cart: cart(null), userErrors: [] } } } }
  );
  const session = createCartqlSession({ fetch: server.fetch, attempts: 4, maxRetryDelayMs: 5 });
  const response = await post(session, ADD, { input: { product: { sku: "A" } } });
  assert.equal(response.status, 200);
  assert.equal(server.requests.length, 4);
  const keys = new Set(server.requests.map((r) => r.headers["idempotency-key"]));
  assert.equal(keys.size, 1);
  assert.ok([...keys][0]);
});

test("retries stop after `attempts`; the last answer is returned", async () => {
  const busy = { status: 503, body: { errors: [{ message: "busy", extensions: { code: "SERVICE_UNAVAILABLE" } }] } };
  const server = scripted(busy, busy);
  const session = createCartqlSession({ fetch: server.fetch, attempts: 2, maxRetryDelayMs: 1 });
  const response = await post(session, ADD, { input: { product: { sku: "A" } } });
  assert.equal(response.status, 503);
  assert.equal(server.requests.length, 2);
  const queries = scripted(new TypeError("fetch failed"));
  const guest = createCartqlSession({ fetch: queries.fetch, maxRetryDelayMs: 1 });
  await assert.rejects(post(guest, VIEW), TypeError);
  assert.equal(queries.requests.length, 1, "a query is not retried");
});

test("the guest token is dropped when cartql says its cart is gone", async () => {
  const cases = [
    ["a query finds no cart", VIEW, { data: { cart: null } }],
    ["a clear went through", CLEAR, { data: { clearCart: { cart: null, userErrors: [] } } }],
    ["INVALID_GUEST_TOKEN", ADD, { data: { addToCart: { cart: null, userErrors: [{ code: "INVALID_GUEST_TOKEN" }] } } }],
    ["CART_EXPIRED", VIEW, { data: { cart: null }, errors: [{ message: "expired", extensions: { code: "CART_EXPIRED" } }] }],
  ];
  for (const [name, query, body] of cases) {
    const server = scripted({ body });
    const session = createCartqlSession({ fetch: server.fetch });
    session.setGuestToken("cgt_old");
    await post(session, query, { input: { product: { sku: "A" } } });
    assert.equal(session.guestToken(), null, name);
  }
});

test("the guest token is kept after a refusal that leaves the cart", async () => {
  const server = scripted(
    { body: { data: { addToCart: { cart: null, userErrors: [{ code: "PRODUCT_NOT_FOUND" }] } } } },
    { body: { data: { addToCart: { cart: cart("cgt_old"), userErrors: [{ code: "CART_LOCKED" }] } } } }
  );
  const session = createCartqlSession({ fetch: server.fetch });
  session.setGuestToken("cgt_old");
  await post(session, ADD, { input: { product: { sku: "NOPE" } } });
  await post(session, ADD, { input: { product: { sku: "A" } } });
  assert.equal(session.guestToken(), "cgt_old");
});

test("signing in sends the user's token, and a merge that went through drops the guest's", async () => {
  const server = scripted(
    { body: { data: { mergeGuestCart: { cart: cart(null, { id: "u1" }), userErrors: [] } } } }
  );
  const storage = new Map();
  const session = createCartqlSession({
    fetch: server.fetch,
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v), removeItem: (k) => storage.delete(k) },
  });
  session.setGuestToken("cgt_guest");
  const toMerge = session.signIn("jwt-user");
  assert.equal(toMerge, "cgt_guest");
  assert.equal(storage.get("cartql.userToken"), "jwt-user");
  await post(session, MERGE, { guestToken: toMerge });
  assert.equal(server.requests[0].headers.authorization, "Bearer jwt-user");
  assert.equal(server.requests[0].headers["x-cart-token"], undefined);
  assert.equal(session.guestToken(), null);
  assert.equal(storage.has("cartql.guestToken"), false);
  session.signOut();
  assert.deepEqual(session.headers(), {});
});
