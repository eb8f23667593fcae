// Clicks through the storefront in headless Chromium against a live cartql: a guest adds
// products (one needs an attribute), changes a quantity in the cart drawer, then signs in and
// the guest cart merges into the user's; the user checks out and the order system
// (order-system.mjs) completes the order. Saves a screenshot at each stage.
//
//   STOREFRONT_URL     the built storefront (default http://127.0.0.1:4173, `npm run preview`)
//   CARTQL_USER_TOKEN  a user's JWT to sign in with (e.g. `cartql token --user shopper`)
//   CHROMIUM           the browser (default /usr/bin/chromium, Debian's package)
//   SCREENSHOT_DIR     where the screenshots go (default ./screenshots)
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const url = process.env.STOREFRONT_URL ?? "http://127.0.0.1:4173";
const token = process.env.CARTQL_USER_TOKEN;
assert.ok(token, "set CARTQL_USER_TOKEN to a user's JWT");
const shots = process.env.SCREENSHOT_DIR ?? "screenshots";
mkdirSync(shots, { recursive: true });

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
const errors = [];
/** What each GraphQL mutation the page sent carried (its session's fetch adds the headers). */
const mutations = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => {
    if (!request.url().endsWith("/graphql") || request.method() !== "POST") return;
    const { operationName, query } = JSON.parse(request.postData() ?? "{}");
    if (!/^\s*mutation\b/.test(query ?? "")) return;
    const headers = request.headers();
    mutations.push({
      operationName,
      key: headers["idempotency-key"],
      credential: headers.authorization ? "user" : headers["x-cart-token"] ? "guest" : "none",
    });
  });
  const count = page.getByTestId("cart-count");
  const expectCount = (n) => page.waitForFunction(
    (n) => document.querySelector('[data-testid="cart-count"]')?.textContent === String(n),
    n,
    { timeout: 10000 }
  );

  await page.goto(url);
  await page.getByTestId("product-DEMO-002").waitFor();
  assert.equal(await count.textContent(), "0");

  // A guest's first add opens a cart; cartql hands back its token.
  await page.getByTestId("add-DEMO-002").click();
  await expectCount(1);
  const guestToken = await page.evaluate(() => localStorage.getItem("cartql.guestToken"));
  assert.match(guestToken ?? "", /^cgt_/);

  // The kit needs a team_id: refused without it (nothing added), accepted with it.
  await page.getByTestId("add-CK-SDS001").click();
  await page.getByTestId("notice").waitFor();
  assert.match(await page.getByTestId("notice").textContent(), /MISSING_REQUIRED_ATTRIBUTE/);
  assert.equal(await count.textContent(), "1");
  await page.getByTestId("attr-CK-SDS001-team_id").fill("20");
  await page.getByTestId("add-CK-SDS001").click();
  await expectCount(2);

  // Quantities change in the drawer.
  await page.getByTestId("inc-DEMO-002").click();
  await expectCount(3);
  assert.equal(await page.getByTestId("qty-DEMO-002").textContent(), "2");

  // A discount code, in any case: applied once the cart qualifies, with each line's share.
  await page.getByTestId("discount-code").fill("welcome10");
  await page.getByTestId("apply-code").click();
  await page.waitForSelector('[data-testid="code-WELCOME10"][data-state="APPLIED"]', { timeout: 10000 });
  assert.match(await page.getByTestId("cart-promotion-discount").textContent(), /^−\$\d+\.\d\d$/);
  await page.getByTestId("discount-CK-SDS001").waitFor();
  const guestTotal = await page.getByTestId("cart-total").textContent();
  assert.match(guestTotal, /^\$\d+\.\d\d$/);
  await page.screenshot({ path: `${shots}/storefront-guest.png` });

  // Sign in: the guest cart folds into the user's cart.
  await page.getByTestId("token").fill(token);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("signed-in").waitFor();
  await expectCount(3);
  assert.equal(await page.getByTestId("cart-total").textContent(), guestTotal);
  assert.equal(await page.evaluate(() => localStorage.getItem("cartql.guestToken")), null);
  await page.getByTestId("line-CK-SDS001").waitFor();
  // The code came along with the guest cart.
  await page.waitForSelector('[data-testid="code-WELCOME10"][data-state="APPLIED"]', { timeout: 10000 });
  await page.screenshot({ path: `${shots}/storefront-signed-in.png` });

  // Checkout: who buys and where (tax and delivery options follow), a delivery option, then
  // "Place order": cartql holds the stock, the order system verifies the handoff and completes.
  await page.getByTestId("buyer-email").fill("shopper@example.com");
  await page.getByTestId("buyer-country").selectOption("US");
  await page.getByTestId("save-buyer").click();
  await page.getByTestId("delivery-express").waitFor();
  await page.getByTestId("delivery-express").click();
  // Express is $14.99, but the demo's free-shipping promotion (orders over $75) takes it.
  await page.waitForFunction(
    () => document.querySelector('[data-testid="cart-shipping"]')?.textContent === "$0.00",
    null,
    { timeout: 10000 }
  );
  await page.screenshot({ path: `${shots}/storefront-checkout.png` });
  await page.getByTestId("place-order").click();
  await page.waitForFunction(
    () => /^Order ORDER-[0-9A-F]+ placed: \$\d+\.\d\d$/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""),
    null,
    { timeout: 10000 }
  );
  // The cart became an order: the shopper starts afresh.
  await expectCount(0);
  await page.screenshot({ path: `${shots}/storefront-ordered.png` });
} finally {
  await browser.close();
}
assert.deepEqual(errors, [], "no script errors");
// Every mutation carried its own Idempotency-Key; after the first add the guest's token went
// along, and after sign-in the user's.
assert.ok(mutations.length >= 8, `mutations seen: ${mutations.length}`);
assert.ok(mutations.every((m) => /^[0-9a-f-]{36}$/.test(m.key ?? "")), JSON.stringify(mutations));
assert.equal(new Set(mutations.map((m) => m.key)).size, mutations.length, "one key per mutation");
assert.equal(mutations[0].credential, "none", "the first add goes without credentials");
assert.equal(mutations[1].credential, "guest", "then with the guest token");
const merge = mutations.findIndex((m) => m.operationName === "StorefrontMerge");
assert.ok(merge > 0 && mutations.slice(merge).every((m) => m.credential === "user"), JSON.stringify(mutations));
console.log(`storefront at ${url}: guest cart, attributes, quantities, a discount code, merge on sign-in and checkout all work`);
