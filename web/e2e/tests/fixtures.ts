// Shared pieces of the e2e suite: env, sign-in, a supabase-js client for setup (as a user, through
// RLS like the browser), the worker trigger, screenshots, and a guard that fails a test on any
// console error or uncaught exception in the page.
import { expect, test as base, type Page } from "@playwright/test";
import type { SupabaseClient } from "@supabase/supabase-js";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const env = {
  apiUrl: required("E2E_API_URL"),
  publishableKey: required("E2E_PUBLISHABLE_KEY"),
  demo: { email: process.env.E2E_DEMO_EMAIL ?? "demo@example.com", password: process.env.E2E_DEMO_PASSWORD ?? "demo-password" },
  other: { email: process.env.E2E_OTHER_EMAIL ?? "other@example.com", password: process.env.E2E_OTHER_PASSWORD ?? "other-password" },
  workerToken: process.env.E2E_WORKER_TOKEN ?? "",
  /** The local stack's mailbox (scripts/stack/mailbox/); empty against a hosted project. */
  mailboxUrl: process.env.E2E_MAILBOX_URL ?? "",
  /** The server key, for the local stack's Realtime settings only. */
  secretKey: process.env.E2E_SECRET_KEY ?? "",
};

export const DEMO_WS = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
export const OTHER_WS = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
export const SEVEN_LOG_LINES = [
  /^Starting enrichment for account/,
  /^Fetching workspace settings\.\.\./,
  /^Initializing Apollo client\.\.\./,
  /^Enriching with domain .+\.\.\./,
  /^Processing enrichment data\.\.\./,
  /^Updating account record\.\.\./,
  /^Account enrichment completed successfully/,
];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with npm run test:e2e (web/e2e/run.mjs)`);
  return value;
}

const artifacts = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts", "screenshots");

/** A full-page screenshot in web/e2e/artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Node 20 has no WebSocket; setup clients never open Realtime, so this placeholder is never used. */
class NoWebSocket {
  constructor() {
    throw new Error("Realtime is not used by the e2e setup client");
  }
}

/** supabase-js, imported once; its "Node.js 20 is deprecated" notice on import says nothing about the tests. */
async function loadSupabase() {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes("Node.js 20 and below are deprecated")) warn(...args);
  };
  try {
    return await import("@supabase/supabase-js");
  } finally {
    console.warn = warn;
  }
}

/** A supabase-js client with the browser's key, signed in as nobody. */
export async function apiClient(): Promise<SupabaseClient> {
  const { createClient } = await loadSupabase();
  return createClient(env.apiUrl, env.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoWebSocket as never },
  });
}

/** A supabase-js client signed in as `who`: setup and checks go through RLS, like the browser. */
export async function apiAs(who: { email: string; password: string }): Promise<SupabaseClient> {
  const client = await apiClient();
  const { error } = await client.auth.signInWithPassword(who);
  if (error) throw new Error(`${who.email} could not sign in: ${error.message}`);
  return client;
}

/** Runs the worker now (spec test 3), as pg_cron or the enqueue kick would. */
export async function triggerWorker() {
  const response = await fetch(`${env.apiUrl}/functions/v1/job-worker`, {
    method: "POST",
    headers: { Authorization: `Bearer ${env.workerToken}`, "Content-Type": "application/json" },
    body: "{}",
  });
  expect(response.status, `worker answered ${response.status}: ${await response.clone().text()}`).toBeLessThan(300);
  return response.json();
}

export interface StackRealtimeSettings {
  max_events_per_second: number;
  /** Postgres Changes delivered. */
  db_events: { per_second: number; rate_limited: boolean };
  /** Broadcasts from the database delivered. */
  events: { per_second: number; rate_limited: boolean };
}

/**
 * The local stack's Realtime limits (`/_stack/realtime/settings`), read or changed (a change
 * disconnects every client); null where there is no such route (a real Supabase project).
 */
export async function stackRealtimeSettings(patch?: { max_events_per_second: number }): Promise<StackRealtimeSettings | null> {
  if (!env.secretKey) return null;
  const response = await fetch(`${env.apiUrl}/_stack/realtime/settings`, {
    method: patch ? "PATCH" : "GET",
    headers: { apikey: env.secretKey, "Content-Type": "application/json" },
    body: patch ? JSON.stringify(patch) : undefined,
  });
  if (response.status === 404) return null;
  expect(response.status, `realtime settings answered ${response.status}: ${await response.clone().text()}`).toBe(200);
  return response.json();
}

/**
 * Queues an account's enrichment as a member may (an insert into jobs), due at `dueAt` (ms since
 * the epoch), so no worker takes it before the test is ready; the job's id.
 */
export async function queueEnrichment(
  api: SupabaseClient,
  account: { id: string; domain: string | null; workspaceId?: string },
  dueAt: number,
): Promise<string> {
  const { data, error } = await api
    .from("jobs")
    .insert({
      workspace_id: account.workspaceId ?? DEMO_WS,
      job_type: "enrich_account",
      payload: { account_id: account.id, domain: account.domain },
      scheduled_for: new Date(dueAt).toISOString(),
    })
    .select("id")
    .single();
  expect(error).toBeNull();
  return data!.id;
}

/** Saves the mock key for a workspace through the apollo-settings function (idempotent). */
export async function saveMockKey(client: SupabaseClient, workspaceId: string) {
  const { error } = await client.functions.invoke("apollo-settings", {
    method: "POST",
    body: { workspace_id: workspaceId, api_key: "test-key-12345" },
  });
  if (error) throw new Error(`saving the mock key failed: ${error.message}`);
}

export async function signIn(page: Page, who: { email: string; password: string }, then = "/accounts") {
  await page.goto(`/sign-in`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/accounts/);
  if (then !== "/accounts") await page.goto(then);
}

/** The messages Auth sent to an address, oldest first, from the local stack's mailbox. */
export async function mailTo(address: string): Promise<Array<{ id: string; subject: string }>> {
  const response = await fetch(`${env.mailboxUrl}/api/v1/mailbox/${encodeURIComponent(address)}`);
  expect(response.status, `mailbox answered ${response.status}`).toBe(200);
  return response.json();
}

/** The /auth/v1/verify link of the newest email of this type (signup, recovery) to the address. */
export async function linkInLatestMail(address: string, type: "signup" | "recovery"): Promise<string> {
  const messages = await mailTo(address);
  expect(messages.length, `mail to ${address}`).toBeGreaterThan(0);
  const response = await fetch(`${env.mailboxUrl}/api/v1/mailbox/${encodeURIComponent(address)}/${messages.at(-1)!.id}`);
  const message = (await response.json()) as { links: string[] };
  const link = message.links.find((l) => new URL(l).pathname.endsWith("/auth/v1/verify") && new URL(l).searchParams.get("type") === type);
  expect(link, `a ${type} link in ${JSON.stringify(message.links)}`).toBeTruthy();
  return link!;
}

/** A unique address on a domain nobody reads. */
export const uniqueEmail = (what: string) => `e2e-${what}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;

type Fixtures = {
  /** Console errors matching one of these are expected by the test (e.g. a 400 from a wrong password). */
  allowedConsoleErrors: RegExp[];
  consoleGuard: void;
};

export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [[], { option: true }],
  consoleGuard: [
    async ({ page, allowedConsoleErrors }, use) => {
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        const text = message.text();
        if (!allowedConsoleErrors.some((pattern) => pattern.test(text))) problems.push(`console.error: ${text}`);
      });
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      await use();
      expect(problems, "the page logged errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Runs a pg_cron job now through the local stack's `/_stack/cron/run` (null where there is no such route). */
export async function runCronJob(job: string): Promise<Array<Record<string, unknown>> | null> {
  if (!env.secretKey) return null;
  const response = await fetch(`${env.apiUrl}/_stack/cron/run`, {
    method: "POST",
    headers: { apikey: env.secretKey, "Content-Type": "application/json" },
    body: JSON.stringify({ job }),
  });
  if (response.status === 404 && !(await response.clone().text()).includes("pg_cron")) return null;
  expect(response.status, `cron run answered ${response.status}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()).result;
}
