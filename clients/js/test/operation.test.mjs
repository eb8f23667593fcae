// The request reader behind Idempotency-Key: which operation runs and which root fields it
// runs, as cartql counts them (fragments and aliases counted, @skip/@include applied).
import assert from "node:assert/strict";
import test from "node:test";
import { describeOperation } from "../dist/index.js";

const fields = (...args) => describeOperation(...args)?.rootFields;

test("a one-field mutation", () => {
  const info = describeOperation(`mutation Add($input: AddToCartInput!) { addToCart(input: $input) { cart { id } } }`);
  assert.deepEqual(info, { type: "mutation", name: "Add", rootFields: ["addToCart"] });
});

test("aliases and fragments count, nested fields do not", () => {
  const text = `
    mutation Two { a: addToCart(input: { product: { sku: "A" } }) { cart { id items { nodes { id } } } } ...More }
    fragment More on Mutation { b: addToCart(input: { product: { sku: "B" } }) { item { id } } ... on Mutation { clearCart { cart { id } } } }`;
  assert.deepEqual(fields(text), ["addToCart", "addToCart", "clearCart"]);
});

test("@skip and @include, literal or from variables", () => {
  const text = `mutation M($yes: Boolean!, $no: Boolean!) {
    clearCart @skip(if: true) { cart { id } }
    createCart @include(if: $yes) { cart { id } }
    syncCart(items: []) @include(if: $no) { cart { id } }
    addToCart(input: {product: {sku: "X"}}) @skip(if: false) { cart { id } }
  }`;
  assert.deepEqual(fields(text, null, { yes: true, no: false }), ["createCart", "addToCart"]);
});

test("the operation is chosen by name; without a name only a lone one counts", () => {
  const text = `query View { cart { id } } mutation Clear { clearCart { cart { id } } }`;
  assert.equal(describeOperation(text, "View").type, "query");
  assert.equal(describeOperation(text, "Clear").type, "mutation");
  assert.equal(describeOperation(text), null);
  assert.equal(describeOperation(text, "Nope"), null);
});

test("anonymous queries, strings, block strings and comments", () => {
  assert.deepEqual(describeOperation(`{ cart { id } }`), { type: "query", name: null, rootFields: ["cart"] });
  const text = `# a comment with { braces
    mutation {
      updateCartAttributes(attributes: [{ key: "k", value: "} \\" {" }], note: """a "} note""") { cart { id } }
    }`;
  assert.deepEqual(fields(text), ["updateCartAttributes"]);
  assert.equal(describeOperation(`type Query { x: Int }`), null);
  assert.equal(describeOperation(`mutation { unterminated(`), null);
});
