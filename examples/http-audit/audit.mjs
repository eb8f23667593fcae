// Audits a live cartql against the GraphQL-over-HTTP specification with graphql-http's own
// audit suite. Usage: node audit.mjs [url]   (default http://127.0.0.1:8080/graphql)
//
// Exits 1 on any failed MUST (error) or SHOULD (warning). Failed MAYs are notices: printed,
// and each one cartql keeps on purpose is listed in KEPT with the reason.
import { auditServer } from "graphql-http";

const url = process.argv[2] ?? "http://127.0.0.1:8080/graphql";

// Notices cartql keeps, by audit id, and why.
const KEPT = {};

const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status === "ok") continue;
  const reason = result.reason ?? "";
  const kept = KEPT[result.id] ? ` (kept: ${KEPT[result.id]})` : "";
  console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${reason}${kept}`);
  if (result.status !== "notice" && result.response) {
    const body = await result.response.text().catch(() => "");
    console.log(`  ${result.response.status} ${body.slice(0, 300)}`);
  }
}
console.log(
  `graphql-http audit of ${url}: ${counts.ok} ok, ${counts.error} errors, ` +
    `${counts.warn} warnings, ${counts.notice} notices`
);
const unexplained = results.filter((r) => r.status === "notice" && !KEPT[r.id]);
if (counts.error > 0 || counts.warn > 0 || unexplained.length > 0) process.exit(1);
