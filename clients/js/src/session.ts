// Who the client calls cartql as, and a fetch that says so on every request:
// - `Authorization: Bearer <token>` while a user is signed in, else `X-Cart-Token` once cartql
//   has issued the guest cart's token (kept from any answer's `cart.token`, dropped once
//   cartql says the cart is gone);
// - a fresh `Idempotency-Key` on every mutation call that runs one root field, reused when
//   that same call is sent again because its outcome is unknown (a lost reply, a 503, an
//   OUTCOME_UNKNOWN or IDEMPOTENCY_IN_PROGRESS answer).
// The same fetch serves Apollo's HttpLink, urql's `fetch` option and direct calls.

import { describeOperation, type OperationInfo } from "./operation.js";

/** Where tokens are kept: `localStorage` in a browser; memory by default. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface CartqlSessionOptions {
  /** Where the guest and user tokens are kept (default: in memory, for this session only). */
  storage?: TokenStorage;
  /** The storage key of the guest cart's token (default `cartql.guestToken`). */
  guestTokenKey?: string;
  /** The storage key of the signed-in user's token (default `cartql.userToken`). */
  userTokenKey?: string;
  /** A signed-in user's JWT to start with; `signIn` sets one later. */
  userToken?: string | null;
  /** Sent as `X-API-Key` when the server is configured with client keys. */
  apiKey?: string;
  /** The fetch that sends requests (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** How many times in all a keyed mutation is sent while its outcome is unknown (default 3). */
  attempts?: number;
  /** The longest wait before sending a keyed mutation again, in milliseconds (default 2000). */
  maxRetryDelayMs?: number;
  /** Makes an `Idempotency-Key` (default: a random UUID). */
  newIdempotencyKey?: () => string;
}

/** A change of credentials, for listeners (e.g. to reset a cache). */
export type SessionChange =
  | { kind: "guestToken"; token: string | null }
  | { kind: "userToken"; token: string | null };

export interface CartqlSession {
  /** A fetch that sends the credentials and keys, and keeps the guest token from answers. */
  readonly fetch: typeof globalThis.fetch;
  /** The credential headers of the next request. */
  headers(): Record<string, string>;
  /** The same credentials for a graphql-ws connection's init payload (subscriptions). */
  connectionParams(): Record<string, string>;
  /** The guest cart's token, if cartql has issued one. */
  guestToken(): string | null;
  /** The signed-in user's token, if any. */
  userToken(): string | null;
  /**
   * Signs a user in: later requests carry their token (and no guest token). Returns the
   * guest cart's token to fold in with `mergeGuestCart`, or null; it is dropped once the
   * merge succeeds.
   */
  signIn(userToken: string): string | null;
  /** Signs the user out: requests go as the guest again. */
  signOut(): void;
  /** Keeps a guest token that came some other way (e.g. from another tab). */
  setGuestToken(token: string): void;
  /** Forgets the guest token: the next add opens a new guest cart. */
  forgetGuestToken(): void;
  /** Calls `listener` on every change of credentials; returns the unsubscribe function. */
  subscribe(listener: (change: SessionChange) => void): () => void;
}

/** cartql's codes that say a guest token names no open cart any more. */
const DEAD_GUEST_TOKEN = new Set(["INVALID_GUEST_TOKEN", "CART_EXPIRED"]);
/** Top-level codes after which a keyed mutation may have been applied, or was not: send it again. */
const RETRY_CODES = new Set(["OUTCOME_UNKNOWN", "IDEMPOTENCY_IN_PROGRESS", "SERVICE_UNAVAILABLE"]);
const RETRY_STATUSES = new Set([409, 502, 503, 504]);

class MemoryStorage implements TokenStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** A random UUID (version 4), from Web Crypto. */
export function randomIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The GraphQL request in a fetch call: from a JSON POST body, or from a GET URL. */
function readRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined
): { query: string; operationName: string | null; variables: Record<string, unknown> } | null {
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  if (method === "GET") {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, "http://x");
    const query = url.searchParams.get("query");
    if (!query) return null;
    let variables: Record<string, unknown> = {};
    try {
      variables = JSON.parse(url.searchParams.get("variables") ?? "{}") ?? {};
    } catch {
      variables = {};
    }
    return { query, operationName: url.searchParams.get("operationName"), variables };
  }
  if (typeof init?.body !== "string") return null;
  try {
    const body = JSON.parse(init.body);
    if (!isObject(body) || typeof body.query !== "string") return null;
    return {
      query: body.query,
      operationName: typeof body.operationName === "string" ? body.operationName : null,
      variables: isObject(body.variables) ? body.variables : {},
    };
  } catch {
    return null;
  }
}

/** Cart objects in an answer: the root `cart`, and each root payload's `cart` (or its checkout's). */
function cartsIn(data: JsonObject): { path: string; cart: Json | undefined }[] {
  const found: { path: string; cart: Json | undefined }[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (isObject(value) && value.__typename === "Cart") found.push({ path: key, cart: value });
    else if (key === "cart" || key === "cartUpdated") found.push({ path: key, cart: value });
    else if (isObject(value)) {
      if ("cart" in value) found.push({ path: `${key}.cart`, cart: value.cart });
      for (const [inner, child] of Object.entries(value)) {
        if (inner !== "cart" && isObject(child) && isObject(child.cart)) {
          found.push({ path: `${key}.${inner}.cart`, cart: child.cart });
        }
      }
    }
  }
  return found;
}

const codesOf = (errors: Json | undefined): string[] =>
  Array.isArray(errors)
    ? errors.flatMap((error) => {
        if (!isObject(error)) return [];
        const code = isObject(error.extensions) ? error.extensions.code : error.code;
        return typeof code === "string" ? [code] : [];
      })
    : [];

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true }
    );
  });

/** Creates a session: credentials, tokens and the fetch that carries them. */
export function createCartqlSession(options: CartqlSessionOptions = {}): CartqlSession {
  const storage = options.storage ?? new MemoryStorage();
  const guestKey = options.guestTokenKey ?? "cartql.guestToken";
  const userKey = options.userTokenKey ?? "cartql.userToken";
  const attempts = Math.max(1, options.attempts ?? 3);
  const maxDelay = options.maxRetryDelayMs ?? 2000;
  const newKey = options.newIdempotencyKey ?? randomIdempotencyKey;
  const listeners = new Set<(change: SessionChange) => void>();
  if (options.userToken) storage.setItem(userKey, options.userToken);

  const emit = (change: SessionChange) => listeners.forEach((listener) => listener(change));
  const guestToken = () => storage.getItem(guestKey) || null;
  const userToken = () => storage.getItem(userKey) || null;
  const keepGuest = (token: string) => {
    if (guestToken() === token) return;
    storage.setItem(guestKey, token);
    emit({ kind: "guestToken", token });
  };
  const dropGuest = (token?: string | null) => {
    const current = guestToken();
    if (current === null || (token !== undefined && token !== current)) return;
    storage.removeItem(guestKey);
    emit({ kind: "guestToken", token: null });
  };

  const headers = (): Record<string, string> => {
    const result: Record<string, string> = {};
    if (options.apiKey) result["X-API-Key"] = options.apiKey;
    const user = userToken();
    const guest = guestToken();
    if (user) result.Authorization = `Bearer ${user}`;
    else if (guest) result["X-Cart-Token"] = guest;
    return result;
  };

  /** Learns from an answer: a guest token issued, or a guest token that is dead. */
  const learn = (
    answer: JsonObject,
    operation: OperationInfo | null,
    requestText: string,
    sent: Headers
  ) => {
    const data = isObject(answer.data) ? answer.data : null;
    const topCodes = codesOf(answer.errors);
    const asUser = sent.has("authorization");
    const sentGuest = sent.get("x-cart-token");
    const payloads = data ? Object.values(data).filter(isObject) : [];
    const userErrorCodes = payloads.flatMap((payload) => codesOf(payload.userErrors));
    const refused = (payload: JsonObject) => Array.isArray(payload.userErrors) && payload.userErrors.length > 0;

    if (asUser) {
      // A mutation that named the guest token (mergeGuestCart) and went through, or found
      // the guest cart gone: the token has no more use.
      const guest = guestToken();
      if (!guest || operation?.type !== "mutation" || !requestText.includes(guest)) return;
      const succeeded = payloads.some((p) => Array.isArray(p.userErrors) && !refused(p));
      if (succeeded || userErrorCodes.some((code) => DEAD_GUEST_TOKEN.has(code))) dropGuest(guest);
      return;
    }

    let issued: string | null = null;
    let gone = false;
    for (const { path, cart } of data ? cartsIn(data) : []) {
      if (isObject(cart) && typeof cart.token === "string" && cart.token) issued = cart.token;
      else if (cart === null && sentGuest) {
        // No cart for this token: a query's `cart` (or the subscription's), or a cart
        // mutation that went through and left none (clearCart).
        const root = path.split(".")[0];
        const payload = data?.[root];
        if (path === root) gone = true;
        else if (isObject(payload) && Array.isArray(payload.userErrors) && !refused(payload)) gone = true;
      }
    }
    if ([...topCodes, ...userErrorCodes].some((code) => DEAD_GUEST_TOKEN.has(code))) gone = true;
    if (issued) keepGuest(issued);
    else if (gone && sentGuest) dropGuest(sentGuest);
  };

  const cartqlFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const send = options.fetch ?? globalThis.fetch;
    const request = readRequest(input, init);
    const operation = request ? describeOperation(request.query, request.operationName, request.variables) : null;
    const sent = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of Object.entries(headers())) {
      if (!sent.has(name)) sent.set(name, value);
    }
    // One key per call of a one-field mutation (cartql refuses a key that covers more).
    const keyed =
      operation?.type === "mutation" && operation.rootFields.length === 1 && (init?.method ?? "POST").toUpperCase() === "POST";
    if (keyed && !sent.has("idempotency-key")) sent.set("Idempotency-Key", newKey());

    const signal = init?.signal ?? null;
    const tries = keyed || sent.has("idempotency-key") ? attempts : 1;
    let response: Response | undefined;
    let answer: JsonObject | null = null;
    for (let attempt = 1; ; attempt++) {
      response = undefined;
      answer = null;
      try {
        response = await send(input, { ...init, headers: sent });
      } catch (error) {
        // No answer (the connection broke, perhaps after the change was applied): a keyed
        // mutation is sent again with the same key, and cartql answers it exactly once.
        if (signal?.aborted || attempt >= tries) throw error;
      }
      if (response) {
        if ((response.headers.get("content-type") ?? "").includes("json")) {
          answer = await response
            .clone()
            .json()
            .then((value: unknown) => (isObject(value) ? value : null))
            .catch(() => null);
        }
        const codes = answer ? codesOf(answer.errors) : [];
        const unknownOutcome = RETRY_STATUSES.has(response.status) || codes.some((code) => RETRY_CODES.has(code));
        if (!unknownOutcome || attempt >= tries) break;
      }
      const retryAfter = Number(response?.headers.get("retry-after"));
      const backoff = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 150 * 2 ** (attempt - 1);
      await sleep(Math.min(backoff, maxDelay), signal);
    }
    if (answer) learn(answer, operation, request?.query ? JSON.stringify(request) : "", sent);
    return response!;
  };

  return {
    fetch: cartqlFetch as typeof globalThis.fetch,
    headers,
    connectionParams: headers,
    guestToken,
    userToken,
    signIn(token: string) {
      storage.setItem(userKey, token);
      emit({ kind: "userToken", token });
      return guestToken();
    },
    signOut() {
      if (userToken() === null) return;
      storage.removeItem(userKey);
      emit({ kind: "userToken", token: null });
    },
    setGuestToken: keepGuest,
    forgetGuestToken: () => dropGuest(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
