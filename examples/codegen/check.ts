// Type-checks a use of the generated documents: if the schema and the operations drift
// apart, or a field changes type, `tsc` fails here.
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import {
  AddToCartDocument,
  ApplyDiscountCodeDocument,
  CartViewDocument,
  type CartErrorCode,
  type DiscountCodeState,
} from "./generated/graphql";

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

export function codeStates(
  result: ResultOf<typeof ApplyDiscountCodeDocument>,
): DiscountCodeState[] {
  return result.applyDiscountCode.cart?.discountCodes.map((c) => c.state) ?? [];
}

export function lineDiscounts(result: ResultOf<typeof CartViewDocument>): string[] {
  // Each line's share of every promotion, an exact decimal string.
  return (result.cart?.items.edges ?? []).flatMap((e) =>
    e.node.discountAllocations.map((a) => a.amount.amount),
  );
}
