// Against a cartql started with CARTQL_PERSISTED_DOCUMENTS=generated/persisted-documents.json:
// a listed operation runs by its hash alone, and any other document is refused.
//   node persisted.mjs http://127.0.0.1:18091/graphql
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const url = process.argv[2] ?? "http://127.0.0.1:18091/graphql";
const manifest = JSON.parse(readFileSync("generated/persisted-documents.json", "utf8"));
const [key] = Object.entries(manifest).find(([, document]) => document.includes("query CartView"));
// The client preset writes keys as "sha256:<hex>"; the protocol sends the bare hex.
const hash = key.replace(/^sha256:/, "");

async function post(body) {
  const reply = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: reply.status, body: await reply.json() };
}

const listed = await post({
  operationName: "CartView",
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});
assert.equal(listed.status, 200, JSON.stringify(listed.body));
assert.ok("data" in listed.body && !("errors" in listed.body), JSON.stringify(listed.body));

const other = await post({ query: "{ __typename }" });
assert.equal(other.status, 400);
assert.equal(other.body.errors[0].extensions.code, "PERSISTED_QUERY_NOT_ALLOWED");

console.log(
  `persisted documents: ${Object.keys(manifest).length} listed; CartView ran by hash, others refused`
);
