// The storefront calls /graphql and /orders on its own origin; Vite (dev server and preview)
// passes them to cartql and to the order system, so the browser needs no CORS. CARTQL_URL
// names the cartql server, ORDER_SYSTEM_URL the order system (order-system.mjs).
import { defineConfig } from "vite";

const cartql = process.env.CARTQL_URL ?? "http://127.0.0.1:8080";
const orders = process.env.ORDER_SYSTEM_URL ?? "http://127.0.0.1:4180";
const proxy = {
  "/graphql": { target: cartql, changeOrigin: true },
  "/orders": { target: orders, changeOrigin: true },
};

export default defineConfig({
  // React's automatic JSX runtime through esbuild; no plugin needed.
  esbuild: { jsx: "automatic" },
  server: { proxy },
  preview: { proxy },
});
