// Who the storefront calls cartql as, from @cartql/client: a signed-in user's token, else the
// guest cart's token that cartql issued with the first add (kept from the answer by the
// session's fetch). Kept in localStorage, so a reload keeps the cart. The same fetch gives
// every mutation its own Idempotency-Key and retries it under that key when a reply is lost.
import { createCartqlSession } from "@cartql/client";

export const session = createCartqlSession({ storage: localStorage });
