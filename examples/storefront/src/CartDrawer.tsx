import { useState } from "react";
import { useMutation, useQuery } from "@apollo/client/react";
import { APPLY_CODE, CART, REMOVE_CODE, UPDATE_LINE } from "./operations";

export function CartDrawer({ onNotice }: { onNotice: (text: string) => void }) {
  const { data, loading } = useQuery(CART);
  // The payload's cart is normalized by id, so the drawer re-renders from the cache.
  const [update] = useMutation(UPDATE_LINE);
  const [applyCode] = useMutation(APPLY_CODE);
  const [removeCode] = useMutation(REMOVE_CODE);
  const [code, setCode] = useState("");
  const cart = data?.cart;

  async function enterCode(event: React.FormEvent) {
    event.preventDefault();
    const { data } = await applyCode({ variables: { code } });
    const payload = data?.applyDiscountCode;
    if (!payload) return;
    if (payload.userErrors.length === 0) setCode("");
    onNotice(payload.userErrors.map((p) => `${p.code}: ${p.message}`).join(" · "));
  }

  async function setQuantity(itemId: string, quantity: number) {
    const { data } = await update({ variables: { input: { itemId, quantity } } });
    const payload = data?.updateCartItem;
    if (!payload) return;
    const problems = [...payload.userErrors, ...payload.warnings].map((p) => `${p.code}: ${p.message}`);
    onNotice(problems.join(" · "));
  }

  if (loading) return <aside className="cart">Loading cart…</aside>;
  return (
    <aside className="cart" data-testid="cart">
      <h2>
        Cart <span data-testid="cart-count">{cart?.totalQuantity ?? 0}</span>
      </h2>
      {!cart || cart.items.nodes.length === 0 ? (
        <p>Your cart is empty.</p>
      ) : (
        <>
          <ul>
            {cart.items.nodes.map((line) => (
              <li key={line.id} data-testid={`line-${line.product?.sku}`}>
                <strong>{line.product?.name ?? "Unavailable product"}</strong>
                {line.attributes.map((a) => (
                  <small key={a.key}>
                    {" "}
                    {a.key}: {a.value}
                  </small>
                ))}
                <div className="quantity">
                  <button
                    data-testid={`dec-${line.product?.sku}`}
                    onClick={() => setQuantity(line.id, line.quantity - 1)}
                  >
                    −
                  </button>
                  <span data-testid={`qty-${line.product?.sku}`}>{line.quantity}</span>
                  <button
                    data-testid={`inc-${line.product?.sku}`}
                    onClick={() => setQuantity(line.id, line.quantity + 1)}
                  >
                    +
                  </button>
                  <span className="subtotal">{line.subtotal.formatted}</span>
                </div>
                {line.discountAllocations.map((d) => (
                  <small key={d.title} className="discount" data-testid={`discount-${line.product?.sku}`}>
                    {d.title}: −{d.amount.formatted} (now {line.discountedSubtotal.formatted})
                  </small>
                ))}
              </li>
            ))}
          </ul>
          <dl className="totals">
            <dt>Subtotal</dt>
            <dd data-testid="cart-subtotal">{cart.cost.subtotal.formatted}</dd>
            {cart.cost.promotionDiscount.amount !== "0.00" && (
              <>
                <dt>Promotions</dt>
                <dd data-testid="cart-promotion-discount">−{cart.cost.promotionDiscount.formatted}</dd>
              </>
            )}
            <dt>Estimated tax</dt>
            <dd>{cart.cost.estimatedTax.formatted}</dd>
            <dt>Total</dt>
            <dd data-testid="cart-total">{cart.cost.total.formatted}</dd>
          </dl>
          <form className="codes" onSubmit={enterCode}>
            <input
              data-testid="discount-code"
              placeholder="Discount code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <button data-testid="apply-code" type="submit">
              Apply
            </button>
          </form>
          <ul className="codes">
            {cart.discountCodes.map((c) => (
              <li key={c.code} data-testid={`code-${c.code}`} data-state={c.state}>
                {c.code} — {c.state === "APPLIED" ? "applied" : c.state.toLowerCase().replace(/_/g, " ")}{" "}
                <button onClick={() => removeCode({ variables: { code: c.code } })}>×</button>
              </li>
            ))}
          </ul>
          {cart.warnings.map((w) => (
            <p key={`${w.code}-${w.target}`} className="warning" data-testid="cart-warning">
              {w.message}
            </p>
          ))}
        </>
      )}
    </aside>
  );
}
