// Opens cartql's GraphiQL in headless Chromium with every request outside the server
// blocked, runs one of its example operations by clicking, and fails on any Content Security Policy violation,
// script error or off-site request. Saves a screenshot.
//
//   CARTQL_BASE     the server (default http://127.0.0.1:8080)
//   CHROMIUM        the browser (default /usr/bin/chromium, Debian's package)
//   SCREENSHOT_DIR  where graphiql.png goes (default ./screenshots)
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const base = process.env.CARTQL_BASE ?? "http://127.0.0.1:8080";
const shots = process.env.SCREENSHOT_DIR ?? "screenshots";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  // As if offline: nothing may be fetched from anywhere but the server itself.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base) return route.continue();
    problems.push(`off-site request: ${url.href}`);
    return route.abort();
  });

  await page.goto(`${base}/graphql`, { waitUntil: "networkidle" });
  await page.waitForSelector(".graphiql-container", { timeout: 15000 });
  // The page opens with example operations: run "Products" from the ▶ button's menu.
  await page.click(".graphiql-execute-button");
  const [reply] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === "POST" && (r.request().postData() ?? "").includes("Products"),
      { timeout: 15000 }
    ),
    page.getByRole("menuitem", { name: "Products" }).click(),
  ]);
  if (reply.status() !== 200) problems.push(`the query answered ${reply.status()}`);
  await page.waitForFunction(
    () => document.querySelector(".graphiql-response")?.textContent.includes("DEMO-"),
    null,
    { timeout: 15000 }
  );
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/graphiql.png` });
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`GraphiQL at ${base}/graphql ran a query offline, under its policy, with no errors`);
