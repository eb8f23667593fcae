// schema.graphql against what a live cartql says about itself: the introspection result is
// rebuilt with graphql-js (`buildClientSchema`) and printed, schema.graphql is parsed and
// printed the same way (`buildSchema`), and any difference fails. This catches what only
// introspection shows, such as descriptions, `specifiedByURL`, `@oneOf`, deprecations and
// the schema's own description.
//
//   CARTQL_URL  the endpoint (default http://127.0.0.1:8080/graphql)
//   argument    the SDL file (default ../../schema.graphql)
import { readFile } from "node:fs/promises";
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
} from "graphql";

const url = process.env.CARTQL_URL ?? "http://127.0.0.1:8080/graphql";
const sdlPath = process.argv[2] ?? new URL("../../schema.graphql", import.meta.url);

const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
const response = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ query }),
});
const body = await response.json();
if (!response.ok || body.errors) {
  console.error(`introspection failed (HTTP ${response.status}):`, JSON.stringify(body.errors));
  process.exit(1);
}

// schema.graphql sorts fields, arguments and enum values; introspection keeps the code's order.
const printed = (schema) => printSchema(lexicographicSortSchema(schema)).split("\n");
const live = printed(buildClientSchema(body.data));
const committed = printed(buildSchema(await readFile(sdlPath, "utf8")));

// A line diff: the common prefix and suffix are skipped; the rest of each side is shown.
let start = 0;
while (start < live.length && start < committed.length && live[start] === committed[start]) {
  start += 1;
}
let liveEnd = live.length;
let committedEnd = committed.length;
while (
  liveEnd > start &&
  committedEnd > start &&
  live[liveEnd - 1] === committed[committedEnd - 1]
) {
  liveEnd -= 1;
  committedEnd -= 1;
}
if (start === live.length && start === committed.length) {
  console.log(`schema.graphql matches ${url}: ${live.length} printed lines`);
  process.exit(0);
}
const shown = (lines, from, to) =>
  lines.slice(from, Math.min(to, from + 40)).map((line) => `  ${line}`).join("\n");
console.error(`schema.graphql differs from ${url} from printed line ${start + 1}:`);
console.error(`- schema.graphql:\n${shown(committed, start, committedEnd)}`);
console.error(`+ live introspection:\n${shown(live, start, liveEnd)}`);
console.error("refresh schema.graphql with `cargo run -- schema > schema.graphql`, or fix the code");
process.exit(1);
