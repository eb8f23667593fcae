// Relay's object identification through Apollo Client and urql Graphcache configured from this
// package: fragments on the `Node` interface match the concrete types (the generated
// possibleTypes), `node` and `nodes` answers land on the records other queries wrote, and
// neither cache warns (Graphcache would otherwise match `... on Node` heuristically, and say so,
// and warn about the Cart fields a CartItem of `nodes` lacks).
import assert from "node:assert/strict";
import test from "node:test";
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { Client, fetchExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { Observable } from "rxjs";
import { apolloCacheConfig, graphcacheConfig, graphcachePossibleTypes, keyFields } from "../dist/index.js";

const IDENT = `fragment Ident on Node { __typename id }`;
const VIEW = `query View { cart { ...Ident totalQuantity items { nodes { ...Ident quantity } } } } ${IDENT}`;
const NODES = `query Nodes { nodes(ids: ["gid://cartql/Cart/c1", "gid://cartql/CartItem/l1", "gid://cartql/Cart/other"]) {
  ...Ident ... on Cart { totalQuantity } ... on CartItem { quantity } } } ${IDENT}`;

// The ids are opaque global ids, as cartql answers them.
const cartId = "gid://cartql/Cart/c1";
const lineId = "gid://cartql/CartItem/l1";
function answer(name, calls) {
  calls.push(name);
  switch (name) {
    case "View":
      return {
        cart: {
          __typename: "Cart",
          id: cartId,
          totalQuantity: 2,
          items: { __typename: "CartItemConnection", nodes: [{ __typename: "CartItem", id: lineId, quantity: 2 }] },
        },
      };
    case "Nodes":
      // Another's cart is null, not an error. The line's quantity changed meanwhile.
      return {
        nodes: [
          { __typename: "Cart", id: cartId, totalQuantity: 3 },
          { __typename: "CartItem", id: lineId, quantity: 3 },
          null,
        ],
      };
  }
  throw new Error(`unexpected ${name}`);
}

async function capturingWarnings(run) {
  const warnings = [];
  const saved = { warn: console.warn, error: console.error };
  console.warn = (...args) => warnings.push(args.join(" "));
  console.error = (...args) => warnings.push(args.join(" "));
  try {
    await run();
  } finally {
    Object.assign(console, saved);
  }
  return warnings;
}

test("possibleTypes lists every Node type, and each is keyed by id", () => {
  const members = apolloCacheConfig.possibleTypes.Node;
  assert.ok(members?.includes("Cart") && members.includes("CartItem"), `Node: ${members}`);
  assert.deepEqual(graphcachePossibleTypes.Node, members);
  // Graphcache learns the same from its schema: each member lists Node among its interfaces.
  const types = graphcacheConfig.schema.__schema.types;
  const implementers = types.filter((t) => t.interfaces?.some((i) => i.name === "Node")).map((t) => t.name);
  assert.deepEqual(implementers.sort(), [...members].sort());
  for (const typename of members) assert.equal(keyFields[typename], "id", typename);
});

test("Apollo Client: Node fragments match, and nodes() updates the cart's records", async () => {
  const calls = [];
  const link = new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        observer.next({ data: answer(operation.operationName, calls) });
        observer.complete();
      })
  );
  const warnings = await capturingWarnings(async () => {
    const client = new ApolloClient({ link, cache: new InMemoryCache(apolloCacheConfig) });
    let cart;
    const watching = client.watchQuery({ query: gql(VIEW) }).subscribe((r) => r.data && (cart = r.data.cart));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(cart?.id, cartId, "the Node fragment's id was read back");
    const { data } = await client.query({ query: gql(NODES) });
    assert.deepEqual(data.nodes.map((n) => n && `${n.__typename}:${n.quantity ?? n.totalQuantity}`), ["Cart:3", "CartItem:3", null]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(cart.totalQuantity, 3, "the watched cart is the record nodes() wrote");
    assert.equal(cart.items.nodes[0].quantity, 3);
    const ident = client.readFragment({ id: `CartItem:${lineId}`, fragment: gql(IDENT) });
    assert.deepEqual(ident, { __typename: "CartItem", id: lineId }, "a fragment on Node reads a cached line");
    assert.deepEqual(calls, ["View", "Nodes"]);
    watching.unsubscribe();
  });
  assert.deepEqual(warnings, []);
});

test("urql: Node fragments match without heuristics, and nodes() updates the cart's records", async () => {
  const calls = [];
  const fetch = async (url, init) => {
    const { operationName } = init.body ? JSON.parse(init.body) : Object.fromEntries(new URL(url).searchParams);
    return new Response(JSON.stringify({ data: answer(operationName, calls) }), { headers: { "content-type": "application/json" } });
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
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(cart?.id, cartId);
    const nodes = await client.query(NODES, {}).toPromise();
    assert.equal(nodes.error, undefined);
    assert.deepEqual(nodes.data.nodes.map((n) => n && `${n.__typename}:${n.quantity ?? n.totalQuantity}`), ["Cart:3", "CartItem:3", null]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(cart.totalQuantity, 3, "the watched cart is the record nodes() wrote");
    assert.equal(cart.items.nodes[0].quantity, 3);
    const cached = await client.query(NODES, {}, { requestPolicy: "cache-only" }).toPromise();
    assert.deepEqual(cached.data, nodes.data, "Node fragments read back from the cache");
    assert.deepEqual(calls, ["View", "Nodes"]);
    watching.unsubscribe();
  });
  assert.deepEqual([...logged.filter((l) => !l.startsWith("debug")), ...warnings], []);
});
