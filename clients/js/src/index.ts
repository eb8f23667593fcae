// @cartql/client: what Apollo Client, urql and plain fetch need to use cartql well.
export { apolloCacheConfig, apolloPossibleTypes, apolloTypePolicies } from "./apollo.js";
export {
  graphcacheConfig,
  graphcacheKeys,
  graphcachePossibleTypes,
  graphcacheResolvers,
  graphcacheSchema,
  graphcacheUpdates,
} from "./urql.js";
export {
  createCartqlSession,
  randomIdempotencyKey,
  type CartqlSession,
  type CartqlSessionOptions,
  type SessionChange,
  type TokenStorage,
} from "./session.js";
export { describeOperation, type OperationInfo, type OperationType } from "./operation.js";
export {
  cartDerivedQueryFields,
  cartMutations,
  closedCartStatus,
  keyFields,
  keylessTypes,
  type CartEffect,
} from "./policy.js";
export { objectTypes, type ObjectTypeName } from "./schema.generated.js";
