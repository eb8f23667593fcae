// Apollo Client's InMemoryCache configuration for cartql, derived from src/policy.ts and the
// schema. Only types are imported from @apollo/client: the package adds no runtime copy of it.
//
//   new InMemoryCache(apolloCacheConfig)

import type {
  FieldMergeFunction,
  FieldPolicy,
  InMemoryCacheConfig,
  Reference,
  StoreObject,
  TypePolicies,
  TypePolicy,
} from "@apollo/client";
import { cartDerivedQueryFields, cartMutations, keyFields, keylessTypes, type CartEffect } from "./policy.js";
import {
  cartPayloadPaths,
  cartSubscriptions,
  objectListFields,
  possibleTypes as schemaPossibleTypes,
  rootTypes,
} from "./schema.generated.js";

type FieldReader = (fieldName: string, from: StoreObject | Reference) => unknown;

/** Keeps the incoming value: each answer replaces a value or a list whole. */
const replace: FieldMergeFunction = (_existing, incoming) => incoming;

const isReference = (value: unknown): value is Reference =>
  typeof value === "object" && value !== null && typeof (value as Reference).__ref === "string";

const isHolder = (value: unknown): value is StoreObject | Reference => typeof value === "object" && value !== null;

/** The payload's cart: a reference, null, `undefined` when not selected, or "unknown" when its holder is null. */
function cartOf(payload: StoreObject | Reference, path: readonly string[], readField: FieldReader) {
  let holder: unknown = payload;
  for (const step of path.slice(0, -1)) {
    holder = readField(step, holder as StoreObject | Reference);
    if (holder === undefined) return undefined;
    if (!isHolder(holder)) return "unknown" as const;
  }
  if (path.length === 0) return holder;
  return readField(path[path.length - 1], holder as StoreObject | Reference);
}

/** True unless the payload's `userErrors` says the mutation was refused (it changed nothing). */
function wentThrough(payload: StoreObject | Reference, readField: FieldReader): boolean {
  const errors = readField("userErrors", payload);
  return !Array.isArray(errors) || errors.length === 0;
}

/**
 * A merge function for a root field whose payload carries the caller's cart: it points
 * `Query.cart` at that cart (so the cached cart is no longer null after the first add, and
 * follows a merge or a clear), and evicts the fields derived from the cart.
 */
function followCart(path: readonly string[], effect: CartEffect): FieldMergeFunction {
  return (_existing, incoming, { readField, cache }) => {
    if (!isHolder(incoming)) {
      // A subscription's cart that is gone; for a payload, a field error (nothing known).
      if (incoming === null && path.length === 0) {
        cache.modify({ id: "ROOT_QUERY", fields: { cart: () => null } });
        for (const fieldName of cartDerivedQueryFields) cache.evict({ id: "ROOT_QUERY", fieldName });
      }
      return incoming;
    }
    const read = readField as FieldReader;
    const cart = cartOf(incoming, path, read);
    const changed = wentThrough(incoming, read);
    if (cart === undefined || (cart !== null && cart !== "unknown" && !isReference(cart))) {
      // The payload does not say which cart (not selected, or without its id): read it again.
      if (changed) cache.evict({ id: "ROOT_QUERY", fieldName: "cart" });
    } else if (cart !== "unknown" && effect === "follow" && (cart !== null || path.length <= 1)) {
      cache.modify({ id: "ROOT_QUERY", fields: { cart: () => cart } });
    } else if (effect === "close" && isReference(cart)) {
      cache.modify({
        id: "ROOT_QUERY",
        fields: { cart: (current: unknown) => (isReference(current) && current.__ref === cart.__ref ? null : current) },
      });
    }
    if (changed) {
      for (const fieldName of cartDerivedQueryFields) cache.evict({ id: "ROOT_QUERY", fieldName });
    }
    return incoming;
  };
}

function buildTypePolicies(): TypePolicies {
  const policies: Record<string, TypePolicy> = {};
  const policy = (typename: string): TypePolicy => (policies[typename] ??= {});
  const fieldPolicy = (typename: string, fieldName: string): FieldPolicy => {
    const type = policy(typename);
    type.fields ??= {};
    return ((type.fields as Record<string, FieldPolicy>)[fieldName] ??= {});
  };

  for (const [typename, field] of Object.entries(keyFields)) {
    // `id` is Apollo's default key; any other key field is used when selected, and an
    // object without it is embedded, as Apollo does with an object without its id.
    if (field !== "id") {
      policy(typename).keyFields = (object) => {
        const value = object[field];
        return typeof value === "string" || typeof value === "number" ? `${typename}:${value}` : false;
      };
    }
  }
  for (const typename of keylessTypes) {
    Object.assign(policy(typename), { keyFields: false, merge: replace });
  }
  // Lists of objects are replaced whole: a removed line, code or tax line disappears.
  for (const [typename, fields] of Object.entries(objectListFields)) {
    if (typename === rootTypes.mutation || typename === rootTypes.subscription) continue;
    for (const fieldName of fields) fieldPolicy(typename, fieldName).merge = replace;
  }
  if (rootTypes.mutation) {
    for (const [fieldName, path] of Object.entries(cartPayloadPaths)) {
      const effect = cartMutations[fieldName];
      if (effect) fieldPolicy(rootTypes.mutation, fieldName).merge = followCart(path, effect);
    }
  }
  if (rootTypes.subscription) {
    for (const fieldName of cartSubscriptions) {
      // `cartUpdated` delivers the caller's cart (null once it is gone).
      fieldPolicy(rootTypes.subscription, fieldName).merge = followCart([], "follow");
    }
  }
  return policies;
}

/** `typePolicies` for Apollo Client's InMemoryCache. */
export const apolloTypePolicies: TypePolicies = buildTypePolicies();

/** `possibleTypes` for Apollo Client's InMemoryCache (interfaces and unions of the schema). */
export const apolloPossibleTypes: Record<string, string[]> = Object.fromEntries(
  Object.entries(schemaPossibleTypes).map(([name, types]) => [name, [...types]])
);

/** The whole InMemoryCache configuration: `new InMemoryCache(apolloCacheConfig)`. */
export const apolloCacheConfig: InMemoryCacheConfig = {
  typePolicies: apolloTypePolicies,
  possibleTypes: apolloPossibleTypes,
};
