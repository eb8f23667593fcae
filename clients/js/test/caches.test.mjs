// Apollo Client and urql Graphcache configured from this package, against a scripted server:
// the cached cart follows the first add, later changes, a removal and a clear without any
// refetch or hand-written update, derived fields are read again, and neither cache warns.
import assert from "node:assert/strict";
import test from "node:test";
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { Observable } from "rxjs";
import { apolloCacheConfig, graphcacheConfig } from "../dist/index.js";

const VIEW = `query View { cart { id totalQuantity items { nodes { id quantity } } cost { total { amount formatted } } } }`;
const SUMMARY = `query Summary { cartSummary { totalQuantity items { itemId quantity subtotal { amount } } } }`;
const CART = `cart { id totalQuantity items { nodes { id quantity } } cost { total { amount formatted } } }`;
const ADD = `mutation Add { addToCart(input: { product: { sku: "A" } }) { ${CART} userErrors { code } } }`;
const UPDATE = `mutation Update { updateCartItem(input: { itemId: "l1", quantity: 3 }) { ${CART} userErrors { code } } }`;
const REMOVE = `mutation Remove { removeCartItem(itemId: "l1") { ${CART} userErrors { code } } }`;
const CLEAR = `mutation Clear { clearCart { cart { id } userErrors { code } } }`;
const POLL = `query Poll { checkout(id: "k1") { id status cart { id status } } }`;

const money = (amount) => ({ __typename: "Money", amount, formatted: `$${amount}` });
/** The server's state and its answers, by operation name. */
function fakeServer() {
  let lines = [];
  let open = false;
  const cart = () =>
    open
      ? {
          __typename: "Cart",
          id: "c1",
          totalQuantity: lines.reduce((n, l) => n + l.quantity, 0),
          items: { __typename: "CartItemConnection", nodes: lines.map((l) => ({ __typename: "CartItem", ...l })) },
          cost: { __typename: "CartCost", total: money(`${lines.reduce((n, l) => n + l.quantity, 0) * 10}.00`) },
        }
      : null;
  const payload = (typename) => ({ __typename: typename, cart: cart(), userErrors: [] });
  const calls = [];
  const answer = (name) => {
    calls.push(name);
    switch (name) {
      case "View":
        return { cart: cart() };
      case "Summary":
        return {
          cartSummary: {
            __typename: "CartSummary",
            totalQuantity: lines.reduce((n, l) => n + l.quantity, 0),
            items: lines.map((l) => ({ __typename: "CartSummaryItem", itemId: l.id, quantity: l.quantity, subtotal: money(`${l.quantity * 10}.00`) })),
          },
        };
      case "Add":
        open = true;
        lines = [{ id: "l1", quantity: 1 }, { id: "l2", quantity: 1 }];
        return { addToCart: payload("CartItemPayload") };
      case "Update":
        lines = lines.map((l) => (l.id === "l1" ? { ...l, quantity: 3 } : l));
        return { updateCartItem: payload("CartItemPayload") };
      case "Remove":
        lines = lines.filter((l) => l.id !== "l1");
        return { removeCartItem: payload("CartItemPayload") };
      case "Poll":
        // The order system completed the checkout: the cart is closed.
        open = false;
        return {
          checkout: { __typename: "Checkout", id: "k1", status: "COMPLETED", cart: { __typename: "Cart", id: "c1", status: "COMPLETED" } },
        };
      case "Clear":
        open = false;
        lines = [];
        return { clearCart: { __typename: "CartPayload", cart: null, userErrors: [] } };
    }
    throw new Error(`unexpected ${name}`);
  };
  return { answer, calls };
}

/** Collects console warnings and errors while `run` runs. */
async function capturingWarnings(run) {
  const warnings = [];
  const saved = { warn: console.warn, error: console.error };
  console.warn = (...args) => warnings.push(args.join(" "));
  console.error = (...args) => warnings.push(args.join(" "));
  try {
    await run(warnings);
  } finally {
    Object.assign(console, saved);
  }
  return warnings;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const quantities = (cart) => cart?.items.nodes.map((l) => `${l.id}×${l.quantity}`) ?? null;

test("Apollo Client with apolloCacheConfig", async () => {
  const server = fakeServer();
  const link = new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        observer.next({ data: server.answer(operation.operationName) });
        observer.complete();
      })
  );
  const warnings = await capturingWarnings(async () => {
    const client = new ApolloClient({ link, cache: new InMemoryCache(apolloCacheConfig) });
    let cart;
    let summary;
    const watching = client.watchQuery({ query: gql(VIEW) }).subscribe((r) => r.data && (cart = r.data.cart));
    const summing = client.watchQuery({ query: gql(SUMMARY) }).subscribe((r) => r.data && (summary = r.data.cartSummary));
    await settle();
    assert.equal(cart, null);
    const mutate = async (text) => {
      await client.mutate({ mutation: gql(text) });
      await settle();
    };
    await mutate(ADD);
    assert.deepEqual(quantities(cart), ["l1×1", "l2×1"], "the first add shows in the cached cart");
    assert.equal(summary.totalQuantity, 2, "the summary was read again");
    await mutate(UPDATE);
    assert.deepEqual(quantities(cart), ["l1×3", "l2×1"]);
    assert.equal(cart.cost.total.formatted, "$40.00");
    await mutate(REMOVE);
    assert.deepEqual(quantities(cart), ["l2×1"], "the removed line left the list");
    assert.deepEqual(Object.keys(client.cache.extract()).filter((k) => k.startsWith("CartSummaryItem:")).sort(), [
      "CartSummaryItem:l1",
      "CartSummaryItem:l2",
    ]);
    await mutate(CLEAR);
    assert.equal(cart, null, "a cleared cart is no cart");
    assert.equal(summary.totalQuantity, 0);
    assert.deepEqual(
      server.calls.filter((c) => c === "View"),
      ["View"],
      "the cart was read from the network once; every change came from mutation payloads"
    );
    watching.unsubscribe();
    summing.unsubscribe();
  });
  assert.deepEqual(warnings, []);
});

test("Apollo Client: a cart seen completed is no longer the caller's cart", async () => {
  const server = fakeServer();
  const link = new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        observer.next({ data: server.answer(operation.operationName) });
        observer.complete();
      })
  );
  const warnings = await capturingWarnings(async () => {
    const client = new ApolloClient({ link, cache: new InMemoryCache(apolloCacheConfig) });
    let cart;
    const watching = client.watchQuery({ query: gql(VIEW) }).subscribe((r) => r.data && (cart = r.data.cart));
    await settle();
    await client.mutate({ mutation: gql(ADD) });
    await settle();
    assert.equal(cart?.id, "c1");
    await client.query({ query: gql(POLL) });
    await settle();
    assert.equal(cart, null, "the completed cart left Query.cart");
    assert.deepEqual(server.calls.filter((c) => c === "View"), ["View"], "without reading the cart again");
    watching.unsubscribe();
  });
  assert.deepEqual(warnings, []);
});

test("urql with graphcacheConfig", async () => {
  const server = fakeServer();
  // urql sends queries with GET while their URL is short enough, mutations with POST.
  const fetch = async (url, init) => {
    const { operationName } = init.body ? JSON.parse(init.body) : Object.fromEntries(new URL(url).searchParams);
    const name = operationName;
    return new Response(JSON.stringify({ data: server.answer(name) }), { headers: { "content-type": "application/json" } });
  };
  const logged = [];
  const warnings = await capturingWarnings(async () => {
    const client = new Client({
      url: "http://cartql.test/graphql",
      fetch,
      exchanges: [cacheExchange({ ...graphcacheConfig, logger: (level, message) => logged.push(`${level}: ${message}`) }), fetchExchange],
    });
    let cart;
    let summary;
    const watching = client.query(VIEW, {}).subscribe((r) => r.data && (cart = r.data.cart));
    const summing = client.query(SUMMARY, {}).subscribe((r) => r.data && (summary = r.data.cartSummary));
    await settle();
    assert.equal(cart, null);
    const mutate = async (text) => {
      const result = await client.mutation(text, {}).toPromise();
      assert.equal(result.error, undefined);
      await settle();
    };
    await mutate(ADD);
    assert.deepEqual(quantities(cart), ["l1×1", "l2×1"], "the first add shows in the cached cart");
    assert.equal(summary.totalQuantity, 2, "the summary was read again");
    await mutate(UPDATE);
    assert.deepEqual(quantities(cart), ["l1×3", "l2×1"]);
    assert.equal(cart.cost.total.formatted, "$40.00");
    await mutate(REMOVE);
    assert.deepEqual(quantities(cart), ["l2×1"], "the removed line left the list");
    await mutate(CLEAR);
    assert.equal(cart, null, "a cleared cart is no cart");
    assert.equal(summary.totalQuantity, 0);
    assert.deepEqual(server.calls.filter((c) => c === "View"), ["View"]);
    watching.unsubscribe();
    summing.unsubscribe();
  });
  assert.deepEqual([...logged.filter((l) => !l.startsWith("debug")), ...warnings], []);
});

test("urql: a cart seen completed is no longer the caller's cart", async () => {
  const server = fakeServer();
  const fetch = async (url, init) => {
    const { operationName } = init.body ? JSON.parse(init.body) : Object.fromEntries(new URL(url).searchParams);
    return new Response(JSON.stringify({ data: server.answer(operationName) }), { headers: { "content-type": "application/json" } });
  };
  const logged = [];
  const warnings = await capturingWarnings(async () => {
    const client = new Client({
      url: "http://cartql.test/graphql",
      fetch,
      exchanges: [cacheExchange({ ...graphcacheConfig, logger: (level, message) => logged.push(`${level}: ${message}`) }), fetchExchange],
    });
    let cart;
    const watching = client.query(VIEW, {}).subscribe((r) => r.data && (cart = r.data.cart));
    await settle();
    await client.mutation(ADD, {}).toPromise();
    await settle();
    assert.equal(cart?.id, "c1");
    await client.query(POLL, {}).toPromise();
    await settle();
    assert.equal(cart, null, "the completed cart left Query.cart");
    assert.deepEqual(server.calls.filter((c) => c === "View"), ["View"], "without reading the cart again");
    watching.unsubscribe();
  });
  assert.deepEqual([...logged.filter((l) => !l.startsWith("debug")), ...warnings], []);
});
