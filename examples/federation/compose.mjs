// Composes cartql's Apollo Federation v2 subgraph (the SDL of `cartql schema --federation`,
// or `_service { sdl }` of a server with CARTQL_FEDERATION=true) with the catalog subgraph
// in catalog.graphql, and fails on any composition error.
//   node compose.mjs path/to/cartql.subgraph.graphql
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const cartqlSdl = readFileSync(process.argv[2] ?? "cartql.subgraph.graphql", "utf8");
const result = composeServices([
  { name: "cartql", url: "http://cartql.internal/graphql", typeDefs: parse(cartqlSdl) },
  {
    name: "catalog",
    url: "http://catalog.internal/graphql",
    typeDefs: parse(readFileSync(new URL("catalog.graphql", import.meta.url), "utf8")),
  },
]);
if (result.errors?.length) {
  for (const error of result.errors) console.error(`${error.extensions?.code ?? ""} ${error.message}`);
  process.exit(1);
}
const supergraph = result.supergraphSdl;
for (const expected of ["type Product", "rating: Float", "effectivePrice: Money!", "mergeGuestCart"]) {
  if (!supergraph.includes(expected)) {
    console.error(`the supergraph lacks ${expected}`);
    process.exit(1);
  }
}
console.log(
  `composed cartql + catalog into a supergraph of ${supergraph.length} characters ` +
    `(${result.hints?.length ?? 0} hints)`
);
