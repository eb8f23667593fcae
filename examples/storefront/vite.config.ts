// The storefront calls /graphql on its own origin; Vite (dev server and preview) passes it to
// cartql, so the browser needs no CORS. CARTQL_URL names the cartql server.
import { defineConfig } from "vite";

const cartql = process.env.CARTQL_URL ?? "http://127.0.0.1:8080";
const proxy = { "/graphql": { target: cartql, changeOrigin: true } };

export default defineConfig({
  // React's automatic JSX runtime through esbuild; no plugin needed.
  esbuild: { jsx: "automatic" },
  server: { proxy },
  preview: { proxy },
});
