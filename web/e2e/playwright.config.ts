// Playwright in Debian's Chromium (no browser download). Configured by env; `node e2e/run.mjs`
// (npm run test:e2e) fills it in from the local stack and serves the SPA.
import { defineConfig, devices } from "@playwright/test";

const spaUrl = process.env.E2E_SPA_URL ?? "http://127.0.0.1:4173";

export default defineConfig({
  testDir: "./tests",
  outputDir: "./artifacts/test-results",
  // One worker: the tests share the demo workspace (its key, its accounts) and the machine has 2 cores.
  workers: 1,
  fullyParallel: false,
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  use: {
    baseURL: spaUrl,
    headless: true,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-gpu",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
});
