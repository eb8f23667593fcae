// Type-checks a use of the generated documents: if the schema and the operations drift
// apart, or a field changes type, `tsc` fails here.
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import { AddToCartDocument, CartViewDocument, type CartErrorCode } from "./generated/graphql";

type Added = ResultOf<typeof AddToCartDocument>;
type AddVariables = VariablesOf<typeof AddToCartDocument>;

export const variables: AddVariables = {
  input: { product: { sku: "CK-SDS001" }, quantity: 1, attributes: [{ key: "team_id", value: "20" }] },
};

export function firstErrorCode(result: Added): CartErrorCode | undefined {
  return result.addToCart.userErrors[0]?.code;
}

export function total(result: ResultOf<typeof CartViewDocument>): string | undefined {
  // Money amounts are exact decimal strings.
  return result.cart?.cost.total.amount;
}
