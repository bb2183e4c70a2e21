import { fileURLToPath, URL } from "node:url";

import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

import { pwa } from "./vite/pwa-plugin";

// The built app goes into the Python package, which serves it at `/` (see docs/web.md).
const outDir = fileURLToPath(new URL("../python/paddock/web", import.meta.url));
const api = process.env.PADDOCK_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [vue(), pwa()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev` proxies the API of a running `paddock serve`.
    proxy: {
      "/api": api,
      "/spectator": api,
      "/schema": api,
      "/ws": { target: api.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    include: ["src/**/*.test.ts", "vite/**/*.test.ts"],
    environment: "node",
  },
});
