// A stand-in for the shop's order system: it receives a checkout from the storefront,
// verifies cartql's handoff token, claims the checkout (so the shopper can no longer cancel
// it while the payment runs), "takes payment", and completes the checkout in cartql, or
// releases it when the payment fails. What a real order system does with the handoff, in a
// page of code and no dependencies.
//
//   CARTQL_URL             cartql's GraphQL endpoint (default http://127.0.0.1:8080/graphql)
//   CARTQL_HANDOFF_SECRET  the secret cartql signs handoff tokens with (shared with it)
//   ORDER_SYSTEM_TOKEN     a cartql token with the `checkout` role
//                          (`cartql token --user orders --role checkout`)
//   PORT                   where to listen (default 4180); the storefront's Vite proxies
//                          /orders here
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const cartql = process.env.CARTQL_URL ?? "http://127.0.0.1:8080/graphql";
const secret = process.env.CARTQL_HANDOFF_SECRET;
const token = process.env.ORDER_SYSTEM_TOKEN;
const port = Number(process.env.PORT ?? 4180);
if (!secret || !token) {
  console.error("set CARTQL_HANDOFF_SECRET and ORDER_SYSTEM_TOKEN");
  process.exit(2);
}

/** The claims of a valid handoff token, or why it is not one. */
export function verifyHandoff(jwt, key, now = Date.now() / 1000) {
  const [header, payload, signature] = jwt.split(".");
  if (!header || !payload || !signature) throw new Error("not a JWT");
  const { alg } = JSON.parse(Buffer.from(header, "base64url"));
  if (alg !== "HS256") throw new Error(`unexpected algorithm ${alg}`);
  const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Error("bad signature");
  }
  const claims = JSON.parse(Buffer.from(payload, "base64url"));
  if (claims.iss !== "cartql" || claims.aud !== "cartql-checkout") throw new Error("not a handoff");
  if (!(claims.exp > now)) throw new Error("the checkout's hold has ended");
  return claims;
}

const CLAIM = `mutation($id: ID!) {
  claimCheckout(checkoutId: $id) { checkout { status totals { total { formatted } } } userErrors { code message } }
}`;
const RELEASE = `mutation($id: ID!) {
  releaseCheckout(checkoutId: $id) { checkout { status } userErrors { code message } }
}`;
const COMPLETE = `mutation($id: ID!, $ref: String!) {
  completeCheckout(checkoutId: $id, orderReference: $ref) {
    checkout { status orderReference totals { total { formatted } } }
    userErrors { code message }
  }
}`;

/** Runs one of cartql's checkout mutations as the order system; its payload, or throws. */
async function cartqlMutation(query, variables) {
  const response = await fetch(cartql, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const { data, errors } = await response.json();
  const payload = data && Object.values(data)[0];
  if (errors || !payload || payload.userErrors.length > 0) {
    throw new Error(JSON.stringify(errors ?? payload?.userErrors));
  }
  return payload;
}

/** Stands in for the payment provider: `declined` in the request fails the charge. */
async function charge(claims, declined) {
  if (declined) throw new Error(`the card was declined for ${claims.total} ${claims.currency}`);
}

async function placeOrder({ checkoutId, handoffToken, contents, declined = false }) {
  const claims = verifyHandoff(handoffToken, secret);
  if (claims.sub !== checkoutId) throw new Error("the token is for another checkout");
  const hash = createHash("sha256").update(contents).digest("hex");
  if (hash !== claims.hash) throw new Error("the contents are not the ones cartql priced");
  // Claim before charging: from here the shopper cannot cancel, and the hold lasts the
  // payment window. The reference is derived from the checkout, so a retried request
  // completes with the same one (cartql refuses a second reference for one sale).
  await cartqlMutation(CLAIM, { id: checkoutId });
  try {
    await charge(claims, declined);
  } catch (error) {
    await cartqlMutation(RELEASE, { id: checkoutId });
    throw error;
  }
  const reference = `ORDER-${checkoutId.slice(-8).toUpperCase()}`;
  const payload = await cartqlMutation(COMPLETE, { id: checkoutId, ref: reference });
  return { orderReference: payload.checkout.orderReference, total: payload.checkout.totals.total.formatted };
}

createServer(async (request, response) => {
  const reply = (status, body) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  if (request.method !== "POST" || request.url !== "/orders") return reply(404, { error: "not found" });
  let body = "";
  for await (const chunk of request) body += chunk;
  try {
    reply(200, await placeOrder(JSON.parse(body)));
  } catch (error) {
    reply(400, { error: String(error.message ?? error) });
  }
}).listen(port, "127.0.0.1", () => console.log(`order system on http://127.0.0.1:${port}/orders`));
