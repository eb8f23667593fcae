import { useState } from "react";
import { CartDrawer } from "./CartDrawer";
import { Checkout } from "./Checkout";
import { ProductList } from "./ProductList";
import { SignIn } from "./SignIn";

export function App() {
  const [notice, setNotice] = useState("");
  return (
    <div className="page">
      <header>
        <h1>cartql storefront</h1>
        <SignIn onNotice={setNotice} />
      </header>
      {notice && (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      <main>
        <ProductList onNotice={setNotice} />
        <div>
          <CartDrawer onNotice={setNotice} />
          <Checkout onNotice={setNotice} />
        </div>
      </main>
    </div>
  );
}
