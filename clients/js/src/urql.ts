// urql's Graphcache configuration for cartql, derived from src/policy.ts and the schema. Only
// types are imported from @urql/exchange-graphcache.
//
//   cacheExchange({ ...graphcacheConfig })

import type { Cache, CacheExchangeOpts, Data, KeyingConfig, ResolverConfig, UpdatesConfig } from "@urql/exchange-graphcache";
import {
  cartDerivedQueryFields,
  cartMutations,
  closedCartStatus,
  keyFields,
  keylessTypes,
  type CartEffect,
} from "./policy.js";
import {
  cartPayloadPaths,
  cartSubscriptions,
  minifiedIntrospection,
  possibleTypes,
  rootTypes,
} from "./schema.generated.js";

function buildKeys(): KeyingConfig {
  const keys: KeyingConfig = {};
  for (const [typename, field] of Object.entries(keyFields)) {
    // `id` is Graphcache's default key (and it warns when a query leaves it out).
    if (field === "id") continue;
    keys[typename] = (data: Data) => {
      const value = data[field];
      return typeof value === "string" || typeof value === "number" ? String(value) : null;
    };
  }
  // No identity of their own: embedded in their parent, without a warning.
  for (const typename of keylessTypes) keys[typename] = () => null;
  return keys;
}

const isObject = (value: unknown): value is Data => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Points `Query.cart` at the cart a payload carries and invalidates what derives from the
 * caller's cart. `payload` is the mutation field's value, `path` the way from it to the cart.
 */
function applyCart(cache: Cache, payload: unknown, path: readonly string[], effect: CartEffect): void {
  const query = rootTypes.query;
  if (payload === null && path.length === 0) {
    // The subscription says the caller has no cart any more.
    cache.link(query, "cart", null);
    for (const field of cartDerivedQueryFields) cache.invalidate(query, field);
    return;
  }
  if (!isObject(payload)) return; // a field error: nothing is known
  const errors = payload.userErrors;
  const changed = !Array.isArray(errors) || errors.length === 0;
  let holder: unknown = payload;
  for (const step of path.slice(0, -1)) {
    holder = isObject(holder) ? holder[step] : undefined;
  }
  const last = path[path.length - 1];
  const cart = path.length === 0 ? payload : isObject(holder) ? holder[last] : holder === null ? "unknown" : undefined;
  const key = isObject(cart) ? cache.keyOfEntity(cart as Data) : null;

  if (cart === undefined || (isObject(cart) && !key)) {
    // The payload does not say which cart (not selected, or without its id): read it again.
    if (changed) cache.invalidate(query, "cart");
  } else if (cart !== "unknown" && effect === "follow") {
    if (key) cache.link(query, "cart", key);
    else if (cart === null && path.length <= 1) cache.link(query, "cart", null);
  } else if (effect === "close" && key && cache.resolve(query, "cart") === key) {
    cache.link(query, "cart", null);
  }
  if (changed) for (const field of cartDerivedQueryFields) cache.invalidate(query, field);
}

function buildUpdates(): UpdatesConfig {
  const updates: UpdatesConfig = {};
  if (rootTypes.mutation) {
    const mutation: NonNullable<UpdatesConfig[string]> = {};
    for (const [fieldName, path] of Object.entries(cartPayloadPaths)) {
      const effect = cartMutations[fieldName];
      if (!effect) continue;
      mutation[fieldName] = (result, _args, cache, info) => applyCart(cache, result[info.fieldName], path, effect);
    }
    updates[rootTypes.mutation] = mutation;
  }
  if (rootTypes.subscription) {
    const subscription: NonNullable<UpdatesConfig[string]> = {};
    for (const fieldName of cartSubscriptions) {
      subscription[fieldName] = (result, _args, cache, info) => applyCart(cache, result[info.fieldName], [], "follow");
    }
    updates[rootTypes.subscription] = subscription;
  }
  return updates;
}

function buildResolvers(): ResolverConfig {
  if (!rootTypes.query) return {};
  return {
    [rootTypes.query]: {
      // A cart whose checkout completed is closed: it is nobody's current cart any more.
      cart: (parent, _args, cache) => {
        const link = cache.resolve(parent as Data, "cart");
        return typeof link === "string" && cache.resolve(link, "status") === closedCartStatus ? null : link;
      },
    },
  };
}

/** Graphcache's `keys`: custom keys, and `null` for every type without an identity. */
export const graphcacheKeys: KeyingConfig = buildKeys();

/** Graphcache's `updates`: every cart mutation (and `cartUpdated`) keeps `Query.cart` right. */
export const graphcacheUpdates: UpdatesConfig = buildUpdates();

/**
 * Graphcache's `possibleTypes` (interfaces and unions of the schema), for a configuration that
 * leaves out `graphcacheSchema`: enough to read fragments on `Node` without heuristics, but
 * Graphcache then writes every inline fragment of a polymorphic answer into each object and
 * warns about the fields it lacks.
 */
export const graphcachePossibleTypes: Record<string, string[]> = Object.fromEntries(
  Object.entries(possibleTypes).map(([name, types]) => [name, [...types]])
);

/** Graphcache's `resolvers`: `Query.cart` reads as null once its cart shows as completed. */
export const graphcacheResolvers: ResolverConfig = buildResolvers();

/**
 * Graphcache's `schema`: cartql's output types as a minified introspection (generated from
 * schema.graphql). With it Graphcache knows which types implement `Node`, on reads and on
 * writes, and checks that documents and this configuration name real fields.
 */
export const graphcacheSchema = minifiedIntrospection as NonNullable<CacheExchangeOpts["schema"]>;

/** The whole configuration: `cacheExchange({ ...graphcacheConfig })`. */
export const graphcacheConfig: Pick<CacheExchangeOpts, "keys" | "updates" | "resolvers" | "schema"> = {
  keys: graphcacheKeys,
  updates: graphcacheUpdates,
  resolvers: graphcacheResolvers,
  schema: graphcacheSchema,
};
