#!/usr/bin/env node
// `npm run test:e2e --workspace web`: the Playwright suite in Debian's Chromium against a running
// local stack (or any Supabase project given by env). It
//   1. finds the stack: E2E_* env vars, else `npm run --silent stack:status` (STACK_INSTANCE picks
//      the instance: `npm test` runs the "test" one, a developer's shell defaults to "dev");
//   2. makes sure Chromium is there (apt-get install chromium when run as root, if missing);
//   3. checks that the stack answers (auth settings + a demo sign-in) and says what is missing if not;
//   4. builds the SPA for that stack and serves it with `vite preview` (unless E2E_SPA_URL points
//      at a running one), then runs `playwright test`; extra arguments go to Playwright.
// Artifacts (screenshots, failure traces) go to web/e2e/artifacts/ (git-ignored).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

const e2eDir = dirname(fileURLToPath(import.meta.url));
const webDir = dirname(e2eDir);
const repoRoot = dirname(webDir);
const require = createRequire(import.meta.url);
const log = (message) => console.error(`[e2e] ${message}`);

function fail(message, hint) {
  log(`error: ${message}`);
  if (hint) log(`fix: ${hint}`);
  process.exit(1);
}

function stackStatus() {
  const result = spawnSync("npm", ["run", "--silent", "stack:status"], { cwd: repoRoot, encoding: "utf8", env: process.env });
  if (result.status !== 0) {
    fail(
      `the local stack "${process.env.STACK_INSTANCE ?? "dev"}" is not running (npm run stack:status failed)`,
      "start it with `npm run stack:up` (or set E2E_API_URL, E2E_PUBLISHABLE_KEY, ... to test another Supabase project)",
    );
  }
  const env = {};
  for (const line of result.stdout.split("\n")) {
    const match = line.match(/^([A-Z0-9_]+)="(.*)"$/);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

function resolveConfig() {
  const given = process.env;
  const givenKey = given.E2E_PUBLISHABLE_KEY || given.E2E_ANON_KEY;
  const status = given.E2E_API_URL && givenKey ? {} : stackStatus();
  const config = {
    apiUrl: given.E2E_API_URL ?? status.API_URL,
    // The publishable key; the anon key for a project (or a stack) on the legacy keys.
    publishableKey: givenKey ?? status.PUBLISHABLE_KEY ?? status.ANON_KEY,
    spaUrl: given.E2E_SPA_URL ?? status.SPA_URL ?? "http://127.0.0.1:4173",
    spaGiven: Boolean(given.E2E_SPA_URL),
    demoEmail: given.E2E_DEMO_EMAIL ?? status.DEMO_EMAIL ?? "demo@example.com",
    demoPassword: given.E2E_DEMO_PASSWORD ?? status.DEMO_PASSWORD ?? "demo-password",
    otherEmail: given.E2E_OTHER_EMAIL ?? "other@example.com",
    otherPassword: given.E2E_OTHER_PASSWORD ?? "other-password",
    workerToken: given.E2E_WORKER_TOKEN ?? status.WORKER_SECRET_TOKEN ?? "",
    // The local stack's mailbox, where Auth's emails land; without one the email tests are skipped.
    mailboxUrl: given.E2E_MAILBOX_URL ?? status.MAILBOX_URL ?? "",
    // Only for the local stack's Realtime settings (a test lowers its limits); never given to the SPA.
    secretKey: given.E2E_SECRET_KEY ?? status.SECRET_KEY ?? status.SERVICE_ROLE_KEY ?? "",
    chromium: given.CHROMIUM_PATH ?? "/usr/bin/chromium",
  };
  if (!config.apiUrl || !config.publishableKey) {
    fail("no API URL or publishable key", "set E2E_API_URL and E2E_PUBLISHABLE_KEY (E2E_ANON_KEY for a project on the legacy keys)");
  }
  return config;
}

function ensureChromium(path) {
  if (existsSync(path)) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    fail(`Chromium is not installed at ${path}`, "run as root: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)");
  }
  log("installing Chromium with apt-get ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let result = spawnSync("apt-get", ["install", "-y", "-q", "chromium"], { stdio: "inherit", env });
  if (result.status !== 0) {
    spawnSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
    result = spawnSync("apt-get", ["install", "-y", "-q", "chromium"], { stdio: "inherit", env });
  }
  if (result.status !== 0 || !existsSync(path)) fail("apt-get could not install chromium", "apt-get update && apt-get install -y chromium");
}

async function fetchWithTimeout(url, init = {}, ms = 5000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** The stack must answer auth and let the demo user sign in; otherwise say which part is missing. */
async function checkStack(config) {
  const headers = { apikey: config.publishableKey, "Content-Type": "application/json" };
  let response;
  try {
    response = await fetchWithTimeout(`${config.apiUrl}/auth/v1/settings`, { headers });
  } catch (error) {
    fail(`the API at ${config.apiUrl} does not answer (${error.message})`, "start the stack: npm run stack:up");
  }
  if (!response.ok) {
    fail(
      `${config.apiUrl}/auth/v1/settings answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
      "the stack's /auth/v1 is not ready yet",
    );
  }
  const token = await fetchWithTimeout(`${config.apiUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers,
    body: JSON.stringify({ email: config.demoEmail, password: config.demoPassword }),
  });
  if (!token.ok) {
    fail(`the demo user ${config.demoEmail} cannot sign in (HTTP ${token.status})`, "is the stack seeded? npm run stack:reset");
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.once("listening", () => server.close(() => resolve(true)));
    server.listen(port, "127.0.0.1");
  });
}

async function looksLikeOurSpa(url) {
  try {
    const response = await fetchWithTimeout(url, {}, 2000);
    return response.ok && (await response.text()).includes("<title>Enrichment Jobs</title>");
  } catch {
    return false;
  }
}

async function waitForUrl(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await looksLikeOurSpa(url)) return true;
    await sleep(200);
  }
  return false;
}

let preview;
function stopPreview() {
  if (preview && preview.exitCode === null) {
    try {
      process.kill(-preview.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
}

async function serveSpa(config) {
  if (config.spaGiven) {
    if (!(await looksLikeOurSpa(config.spaUrl))) fail(`E2E_SPA_URL=${config.spaUrl} does not serve the SPA`);
    return config.spaUrl;
  }
  // The local gateway allows CORS from the stack's SPA_URL only, so the SPA must be served exactly there.
  const url = new URL(config.spaUrl).origin;
  const port = Number(new URL(config.spaUrl).port || 80);
  if (!(await portFree(port))) {
    if (await looksLikeOurSpa(url)) {
      log(`using the SPA already running at ${url} (npm start?)`);
      return url;
    }
    fail(`port ${port} (${config.spaUrl}) is taken by something that is not the SPA`, `stop it (ss -ltnp 'sport = :${port}') or set E2E_SPA_URL`);
  }
  const viteBin = join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  const env = { ...process.env, VITE_SUPABASE_URL: config.apiUrl, VITE_SUPABASE_PUBLISHABLE_KEY: config.publishableKey };
  log(`building the SPA for ${config.apiUrl}`);
  const build = spawnSync(process.execPath, [viteBin, "build", "--logLevel", "warn"], { cwd: webDir, stdio: "inherit", env });
  if (build.status !== 0) fail("vite build failed");

  preview = spawn(process.execPath, [viteBin, "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: webDir,
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  if (!(await waitForUrl(url, 30_000))) {
    stopPreview();
    fail(`vite preview did not start on ${url}`);
  }
  log(`serving the SPA at ${url}`);
  return url;
}

const config = resolveConfig();
ensureChromium(config.chromium);
await checkStack(config);
const spaUrl = await serveSpa(config);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopPreview();
    process.exit(130);
  });
}

const playwrightCli = require.resolve("@playwright/test/cli");
const child = spawn(process.execPath, [playwrightCli, "test", "-c", join(e2eDir, "playwright.config.ts"), ...process.argv.slice(2)], {
  cwd: webDir,
  stdio: "inherit",
  env: {
    ...process.env,
    E2E_SPA_URL: spaUrl,
    E2E_API_URL: config.apiUrl,
    E2E_PUBLISHABLE_KEY: config.publishableKey,
    E2E_DEMO_EMAIL: config.demoEmail,
    E2E_DEMO_PASSWORD: config.demoPassword,
    E2E_OTHER_EMAIL: config.otherEmail,
    E2E_OTHER_PASSWORD: config.otherPassword,
    E2E_WORKER_TOKEN: config.workerToken,
    E2E_MAILBOX_URL: config.mailboxUrl,
    E2E_SECRET_KEY: config.secretKey,
    CHROMIUM_PATH: config.chromium,
  },
});
child.on("exit", (code, signal) => {
  stopPreview();
  process.exit(code ?? (signal ? 1 : 0));
});
