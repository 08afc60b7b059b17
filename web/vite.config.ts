/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The SPA needs VITE_SUPABASE_URL and VITE_SUPABASE_PUBLISHABLE_KEY (VITE_SUPABASE_ANON_KEY for a
// project on the legacy keys; see README). `npm start` passes the local stack's; a static build for a
// real Supabase project takes them from the environment.
export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 4173 },
  build: {
    outDir: "dist",
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Vendors in their own chunks: they change less often than the app, so browsers keep them cached.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/ },
            { name: "supabase", test: /node_modules[\\/](@supabase|iceberg-js|tslib)[\\/]/ },
            { name: "vendor", test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    restoreMocks: true,
    // One jsdom per worker, not per file: setting up 36 environments took 40 of the suite's 95 s
    // on 2 cores. Tests clean up after themselves (setup.ts, restoreMocks); run with --isolate to
    // rule a leak out.
    isolate: false,
    env: {
      VITE_SUPABASE_URL: "http://127.0.0.1:54321",
      VITE_SUPABASE_PUBLISHABLE_KEY: "sb_publishable_test",
    },
  },
});
