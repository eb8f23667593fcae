// relay-runtime (no React) against a live cartql, with the artifacts relay-compiler wrote from
// operations/ (run `npm run compile` first). As a guest it fills a cart with five lines, then:
//   (a) reads the cart with its first page of 2 lines;
//   (b) runs the compiler's CartPagePaginationQuery (from @refetchable) with each endCursor and
//       reads the fragment back from the store: Relay's connection handler must have appended
//       every page, so the lines are all there, in the cart's order, each once;
//   (c) refetches the cart through node(id:): it lands on the same store record;
//   (d) asks node(id:) for the cart without the guest token: null, not an error;
//   (e) asks nodes(ids:) for the cart and one of its lines.
// Any GraphQL error, console warning (Relay warns through it, e.g. about an unexpected
// cursor) or mismatch fails the smoke with a non-zero exit.
//
//   CARTQL_URL  the endpoint (default http://127.0.0.1:8080/graphql)
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import relay from "relay-runtime";

const { Environment, Network, RecordSource, Store, commitMutation, createOperationDescriptor, fetchQuery, getSelector } =
  relay;
// The artifacts are CommonJS (relay.config.json: eagerEsModules false): their own requires of
// one another then resolve without file extensions, which ES modules would need.
const require = createRequire(import.meta.url);
const artifact = (name) => require(`./operations/__generated__/${name}.graphql.js`);
const CartPageQuery = artifact("CartPageQuery");
const CartPagePaginationQuery = artifact("CartPagePaginationQuery");
const CartPageLines = artifact("CartPage_lines");
const CartPageLine = artifact("CartPage_line");
const CartNodeQuery = artifact("CartNodeQuery");
const CartNodesQuery = artifact("CartNodesQuery");
const GuestCartCreateMutation = artifact("GuestCartCreateMutation");
const GuestCartAddMutation = artifact("GuestCartAddMutation");

const url = process.env.CARTQL_URL ?? "http://127.0.0.1:8080/graphql";
// Distinct, active, in-stock products of the demo catalog, added in this order.
const SKUS = ["DEMO-002", "DEMO-003", "DEMO-004", "DEMO-005", "DEMO-006"];
const PAGE = 2;

const warnings = [];
for (const level of ["warn", "error"]) {
  const original = console[level];
  console[level] = (...args) => {
    warnings.push(`console.${level}: ${args.join(" ")}`);
    original(...args);
  };
}

let requests = 0;
/** A Relay environment whose network sends `token()` (when set) as X-Cart-Token. */
function environment(token) {
  const network = Network.create(async (params, variables) => {
    requests += 1;
    const headers = { "content-type": "application/json", accept: "application/json" };
    if (token()) headers["x-cart-token"] = token();
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: params.text, variables, operationName: params.name }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok || !body) throw new Error(`${params.name}: HTTP ${response.status}`);
    // Relay would store partial data beside errors; the smoke wants none at all.
    if (body.errors?.length) throw new Error(`${params.name}: GraphQL errors ${JSON.stringify(body.errors)}`);
    return body;
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

/** Fetches a query into the store, retained (so no garbage collection drops it), and reads it back. */
async function query(env, request, variables) {
  const operation = createOperationDescriptor(request, variables);
  env.retain(operation);
  await fetchQuery(env, request, variables).toPromise();
  const snapshot = env.lookup(operation.fragment);
  assert.equal(snapshot.isMissingData, false, `${request.params.name}: the store has every field`);
  return snapshot.data;
}

/** Reads a fragment from the store through the reference a parent read handed out. */
function readFragment(env, fragment, ref) {
  const snapshot = env.lookup(getSelector(fragment, ref));
  assert.equal(snapshot.isMissingData, false, `${fragment.name}: the store has every field`);
  return snapshot.data;
}

function mutate(env, mutation, variables) {
  return new Promise((resolve, reject) =>
    commitMutation(env, {
      mutation,
      variables,
      onCompleted: (response, errors) =>
        errors?.length ? reject(new Error(`${mutation.params.name}: ${JSON.stringify(errors)}`)) : resolve(response),
      onError: reject,
    })
  );
}

/** The cart's lines as the fragments read them from the store. */
function storedLines(env, cartRef) {
  const cart = readFragment(env, CartPageLines, cartRef);
  const lines = cart.items.edges.map((edge) => readFragment(env, CartPageLine, edge.node));
  return { cart, lines, pageInfo: cart.items.pageInfo };
}

// ---------------------------------------------------------------- a guest's cart of five lines
let guestToken = null;
const guest = environment(() => guestToken);

// No Authorization header: createCart opens a guest cart and answers its token.
const created = await mutate(guest, GuestCartCreateMutation, { items: [{ product: { sku: SKUS[0] }, quantity: 1 }] });
assert.deepEqual(created.createCart.userErrors, []);
const cartId = created.createCart.cart.id;
guestToken = created.createCart.cart.token;
assert.match(guestToken ?? "", /^cgt_/, "createCart answered a guest token");
assert.match(cartId, /^gid:\/\/cartql\/Cart\//, "the cart's id is a global id");
for (const sku of SKUS.slice(1)) {
  const added = await mutate(guest, GuestCartAddMutation, { input: { product: { sku }, quantity: 1 } });
  assert.deepEqual(added.addToCart.userErrors, [], `adding ${sku}`);
  assert.match(added.addToCart.item.id, /^gid:\/\/cartql\/CartItem\//, "a line's id is a global id");
}

// (a) The first page.
const first = await query(guest, CartPageQuery, { count: PAGE });
assert.equal(first.cart.id, cartId, "Query.cart is the guest's cart");
const cartRef = first.cart;
let page = storedLines(guest, cartRef);
assert.deepEqual(page.lines.map((l) => l.sku), SKUS.slice(0, PAGE), "the first page holds the oldest lines");
assert.equal(page.pageInfo.hasNextPage, true);

// (b) The next pages, through the generated pagination query (node(id:) under the hood).
let pages = 1;
while (page.pageInfo.hasNextPage) {
  await query(guest, CartPagePaginationQuery, { id: cartId, count: PAGE, cursor: page.pageInfo.endCursor });
  pages += 1;
  page = storedLines(guest, cartRef);
  assert.deepEqual(
    page.lines.map((l) => l.sku),
    SKUS.slice(0, Math.min(pages * PAGE, SKUS.length)),
    `after page ${pages}, the connection holds every line so far in order`
  );
}
const lineIds = page.lines.map((l) => l.id);
assert.equal(new Set(lineIds).size, SKUS.length, "no line twice");
assert.equal(pages, Math.ceil(SKUS.length / PAGE));
console.log(`(a, b) ${SKUS.length} lines read in ${pages} pages of ${PAGE}: ${page.lines.map((l) => l.sku).join(", ")}`);

// (c) The same cart through node(id:), after another device changed it: the answer updates
// the record the cart query's fragments read, so node and cart are one object in the store.
const bump = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", "x-cart-token": guestToken },
  body: JSON.stringify({ query: `mutation { addToCart(input: { product: { sku: "${SKUS[0]}" } }) { userErrors { code } } }` }),
}).then((r) => r.json());
assert.deepEqual(bump, { data: { addToCart: { userErrors: [] } } });
const viaNode = await query(guest, CartNodeQuery, { id: cartId });
assert.equal(viaNode.node.__typename, "Cart");
assert.equal(viaNode.node.id, cartId, "node(id:) answers the same global id");
assert.equal(viaNode.node.totalQuantity, SKUS.length + 1);
const root = guest.getStore().getSource().get("client:root");
// Relay stores a root field with arguments under its storage key, `node(id:"…")`.
assert.equal(root[`node(id:${JSON.stringify(cartId)})`]?.__ref, cartId, "Query.node links to the cart's record");
assert.equal(root.cart?.__ref, cartId, "Query.cart links to the same record");
assert.equal(guest.getStore().getSource().get(cartId).__typename, "Cart");
page = storedLines(guest, cartRef);
assert.equal(page.cart.totalQuantity, SKUS.length + 1, "the cart query's fragment sees the node answer");
assert.deepEqual(page.lines.map((l) => l.id), lineIds, "and keeps its merged lines");
console.log(`(c) node(id: "${cartId}") is the cart record of Query.cart`);

// (d) Without the guest token the cart is not the caller's: null, as for an unknown id.
const stranger = environment(() => null);
const hidden = await query(stranger, CartNodeQuery, { id: cartId });
assert.equal(hidden.node, null, "node(id:) answers null for a cart the caller may not read");
console.log("(d) node(id:) without the guest token: null");

// (e) Objects of two types at once, in the order asked.
const lineId = lineIds[2];
const both = await query(guest, CartNodesQuery, { ids: [cartId, lineId] });
assert.deepEqual(
  both.nodes.map((n) => [n.__typename, n.id]),
  [
    ["Cart", cartId],
    ["CartItem", lineId],
  ]
);
assert.equal(both.nodes[1].sku, SKUS[2]);
assert.equal(both.nodes[0].itemCount, SKUS.length);
const hiddenBoth = await query(stranger, CartNodesQuery, { ids: [cartId, lineId] });
assert.deepEqual(hiddenBoth.nodes, [null, null], "nodes(ids:) answers null for each thing the caller may not read");
console.log(`(e) nodes(ids:) answers the Cart and CartItem ${lineId}`);

assert.deepEqual(warnings, [], "no warning from Relay or anything else");
console.log(`relay smoke: ${requests} requests against ${url}; pagination, node and nodes as expected, no warnings`);
