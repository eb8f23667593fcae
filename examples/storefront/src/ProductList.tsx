import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { ADD_TO_CART, PRODUCTS } from "./operations";
import type { StorefrontProductsQuery } from "./gql/graphql";

type Product = StorefrontProductsQuery["products"]["edges"][number]["node"];

export function ProductList({ onNotice }: { onNotice: (text: string) => void }) {
  const { data, loading, error } = useQuery(PRODUCTS);
  if (loading) return <p>Loading products…</p>;
  if (error) return <p role="alert">Products could not be loaded: {error.message}</p>;
  return (
    <ul className="products">
      {data?.products.edges.map(({ node }) => (
        <ProductCard key={node.id} product={node} onNotice={onNotice} />
      ))}
    </ul>
  );
}

function ProductCard({ product, onNotice }: { product: Product; onNotice: (text: string) => void }) {
  const [attributes, setAttributes] = useState<Record<string, string>>({});
  // The first add creates the cart; cartql's type policies make it the cached cart, and the
  // session keeps the guest token it carries.
  const [add, { loading }] = useMutation(ADD_TO_CART);

  async function addToCart() {
    const { data } = await add({
      variables: {
        input: {
          product: { sku: product.sku },
          quantity: 1,
          attributes: Object.entries(attributes).map(([key, value]) => ({ key, value })),
        },
      },
    });
    const payload = data?.addToCart;
    if (!payload) return;
    const problems = [...payload.userErrors, ...payload.warnings].map((p) => `${p.code}: ${p.message}`);
    onNotice(problems.join(" · "));
  }

  return (
    <li className="product" data-testid={`product-${product.sku}`}>
      {product.image && (
        <img
          src={product.image}
          alt=""
          width={64}
          height={64}
          // Offline, or a dead link: show no picture rather than a broken one.
          onError={(e) => (e.currentTarget.style.display = "none")}
        />
      )}
      <h3>{product.name}</h3>
      <p className="price">{product.effectivePrice.formatted}</p>
      <p className="stock">{product.stock > 0 ? `${product.stock} in stock` : "Sold out"}</p>
      {product.requiredAttributes.map((key) => (
        <label key={key}>
          {key}{" "}
          <input
            data-testid={`attr-${product.sku}-${key}`}
            value={attributes[key] ?? ""}
            onChange={(e) => setAttributes({ ...attributes, [key]: e.target.value })}
          />
        </label>
      ))}
      <button
        data-testid={`add-${product.sku}`}
        disabled={loading || product.stock <= 0}
        onClick={addToCart}
      >
        Add to cart
      </button>
    </li>
  );
}
