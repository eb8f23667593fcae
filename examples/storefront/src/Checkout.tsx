import { Fragment, useState } from "react";
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { BEGIN_CHECKOUT, CART, SELECT_DELIVERY, SET_BUYER } from "./operations";

const COUNTRIES = [
  ["US", "United States"],
  ["CA", "Canada"],
  ["DE", "Germany"],
];

/** The checkout step: who buys and where it ships (which sets tax and delivery options),
 * then "Place order": cartql freezes the cart and holds its stock, and the order system
 * (order-system.mjs, behind /orders) verifies the handoff, claims the checkout, charges and
 * completes it (or releases it when the payment fails). */
export function Checkout({ onNotice }: { onNotice: (text: string) => void }) {
  const client = useApolloClient();
  const { data } = useQuery(CART);
  const [setBuyer] = useMutation(SET_BUYER);
  const [selectDelivery] = useMutation(SELECT_DELIVERY);
  const [begin] = useMutation(BEGIN_CHECKOUT);
  const cart = data?.cart;
  const [email, setEmail] = useState(cart?.buyerIdentity.email ?? "");
  const [country, setCountry] = useState(cart?.buyerIdentity.countryCode ?? "");
  if (!cart || cart.items.nodes.length === 0) return null;

  async function saveBuyer(event: React.FormEvent) {
    event.preventDefault();
    const { data } = await setBuyer({ variables: { input: { email, countryCode: country } } });
    const problems = data?.updateBuyerIdentity.userErrors ?? [];
    onNotice(problems.map((p) => `${p.code}: ${p.message}`).join(" · "));
  }

  async function placeOrder() {
    const { data } = await begin();
    const payload = data?.beginCheckout;
    if (!payload?.checkout) {
      onNotice((payload?.userErrors ?? []).map((p) => `${p.code}: ${p.message}`).join(" · "));
      return;
    }
    const { id, handoffToken, contents } = payload.checkout;
    const response = await fetch("/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ checkoutId: id, handoffToken, contents }),
    });
    const order = await response.json();
    onNotice(response.ok ? `Order ${order.orderReference} placed: ${order.total}` : `Order refused: ${order.error}`);
    // The cart became an order: reading it again finds none, and the next add opens a fresh
    // one (a guest's token named the old cart: the session drops it on that answer).
    await client.refetchQueries({ include: [CART] });
  }

  return (
    <section className="checkout" data-testid="checkout">
      <h2>Checkout</h2>
      <form onSubmit={saveBuyer}>
        <input
          data-testid="buyer-email"
          type="email"
          placeholder="Email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <select data-testid="buyer-country" value={country} onChange={(e) => setCountry(e.target.value)}>
          <option value="">Country…</option>
          {COUNTRIES.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
        <button data-testid="save-buyer" type="submit">
          Save
        </button>
      </form>
      {cart.deliveryOptions.length > 0 && (
        <fieldset data-testid="delivery-options">
          {cart.deliveryOptions.map((option) => (
            <label key={option.handle}>
              <input
                type="radio"
                name="delivery"
                data-testid={`delivery-${option.handle}`}
                checked={cart.selectedDeliveryOption?.handle === option.handle}
                onChange={() => selectDelivery({ variables: { handle: option.handle } })}
              />
              {option.title} — {option.cost.formatted}
            </label>
          ))}
        </fieldset>
      )}
      <dl className="totals">
        {cart.cost.shipping && (
          <>
            <dt>Shipping</dt>
            <dd data-testid="cart-shipping">{cart.cost.shipping.formatted}</dd>
          </>
        )}
        {cart.cost.taxLines.map((tax) => (
          <Fragment key={tax.title}>
            <dt>{tax.title}</dt>
            <dd>{tax.amount.formatted}</dd>
          </Fragment>
        ))}
      </dl>
      <button data-testid="place-order" onClick={placeOrder} disabled={cart.status !== "OPEN"}>
        Place order ({cart.cost.total.formatted})
      </button>
    </section>
  );
}
