// Apollo Client's InMemoryCache configuration for cartql, derived from src/policy.ts and the
// schema. Only types are imported from @apollo/client: the package adds no runtime copy of it.
//
//   new InMemoryCache(apolloCacheConfig)

// The package declares the few shapes it uses instead of importing @apollo/client's types:
// an app's own copy of Apollo Client then accepts the configuration whatever copy this
// package was built against (its classes' private fields would otherwise clash).

/** A normalized reference, as Apollo's cache stores one. */
export interface ApolloReference {
  readonly __ref: string;
}
type StoreObject = Record<string, unknown>;
/** The parts of Apollo's InMemoryCache that the policies call. */
export interface ApolloCacheLike {
  modify(options: { id?: string; fields: Record<string, (value: any) => any> }): boolean;
  evict(options: { id?: string; fieldName?: string }): boolean;
}
/** The options Apollo passes to a merge function, as far as the policies use them. */
export interface ApolloMergeOptions {
  readField(fieldName: string, from?: StoreObject | ApolloReference): unknown;
  cache: ApolloCacheLike;
}
export type ApolloMergeFunction = (existing: any, incoming: any, options: ApolloMergeOptions) => any;
/** The options Apollo passes to a read function, as far as the policies use them. */
export interface ApolloReadOptions {
  readField(fieldName: string, from?: StoreObject | ApolloReference): unknown;
}
export type ApolloReadFunction = (existing: any, options: ApolloReadOptions) => any;
export interface ApolloFieldPolicy {
  merge?: ApolloMergeFunction | boolean;
  read?: ApolloReadFunction;
}
export interface ApolloTypePolicy {
  keyFields?: false | ((object: Readonly<Record<string, unknown>>) => string | false);
  merge?: ApolloMergeFunction | boolean;
  fields?: Record<string, ApolloFieldPolicy>;
}
/** Assignable to Apollo Client's `TypePolicies`. */
export type ApolloTypePolicies = Record<string, ApolloTypePolicy>;
/** Assignable to Apollo Client's `InMemoryCacheConfig`. */
export interface ApolloCacheConfig {
  typePolicies: ApolloTypePolicies;
  possibleTypes: Record<string, string[]>;
}

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
  objectListFields,
  possibleTypes as schemaPossibleTypes,
  rootTypes,
} from "./schema.generated.js";

type FieldReader = (fieldName: string, from: StoreObject | ApolloReference) => unknown;

/** Keeps the incoming value: each answer replaces a value or a list whole. */
const replace: ApolloMergeFunction = (_existing, incoming) => incoming;

const isReference = (value: unknown): value is ApolloReference =>
  typeof value === "object" && value !== null && typeof (value as ApolloReference).__ref === "string";

const isHolder = (value: unknown): value is StoreObject | ApolloReference => typeof value === "object" && value !== null;

/** The payload's cart: a reference, null, `undefined` when not selected, or "unknown" when its holder is null. */
function cartOf(payload: StoreObject | ApolloReference, path: readonly string[], readField: FieldReader) {
  let holder: unknown = payload;
  for (const step of path.slice(0, -1)) {
    holder = readField(step, holder as StoreObject | ApolloReference);
    if (holder === undefined) return undefined;
    if (!isHolder(holder)) return "unknown" as const;
  }
  if (path.length === 0) return holder;
  return readField(path[path.length - 1], holder as StoreObject | ApolloReference);
}

/** True unless the payload's `userErrors` says the mutation was refused (it changed nothing). */
function wentThrough(payload: StoreObject | ApolloReference, readField: FieldReader): boolean {
  const errors = readField("userErrors", payload);
  return !Array.isArray(errors) || errors.length === 0;
}

/**
 * A merge function for a root field whose payload carries the caller's cart: it points
 * `Query.cart` at that cart (so the cached cart is no longer null after the first add, and
 * follows a merge or a clear), and evicts the fields derived from the cart.
 */
function followCart(path: readonly string[], effect: CartEffect): ApolloMergeFunction {
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

function buildTypePolicies(): ApolloTypePolicies {
  const policies: Record<string, ApolloTypePolicy> = {};
  const policy = (typename: string): ApolloTypePolicy => (policies[typename] ??= {});
  const fieldPolicy = (typename: string, fieldName: string): ApolloFieldPolicy => {
    const type = policy(typename);
    type.fields ??= {};
    return ((type.fields as Record<string, ApolloFieldPolicy>)[fieldName] ??= {});
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
  if (rootTypes.query) {
    // A cart whose checkout completed is closed: it is nobody's current cart any more.
    fieldPolicy(rootTypes.query, "cart").read = (existing, { readField }) =>
      isReference(existing) && readField("status", existing) === closedCartStatus ? null : existing;
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
export const apolloTypePolicies: ApolloTypePolicies = buildTypePolicies();

/** `possibleTypes` for Apollo Client's InMemoryCache (interfaces and unions of the schema). */
export const apolloPossibleTypes: Record<string, string[]> = Object.fromEntries(
  Object.entries(schemaPossibleTypes).map(([name, types]) => [name, [...types]])
);

/** The whole InMemoryCache configuration: `new InMemoryCache(apolloCacheConfig)`. */
export const apolloCacheConfig: ApolloCacheConfig = {
  typePolicies: apolloTypePolicies,
  possibleTypes: apolloPossibleTypes,
};
