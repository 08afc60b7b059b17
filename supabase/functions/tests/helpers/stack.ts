// Test helpers for the functions' integration tests: they run against the local stack
// (scripts/test/env.ts picks the instance), through the real gateway, worker, pg_net shim,
// Postgres and fake Apollo. Each test works in a workspace of its own and deletes it after.
import postgres from "postgres";
import { testConfig, testEnv, testKeys } from "../../../../scripts/test/env.ts";
import { registerTestJobType } from "../../../../scripts/test/job-types.ts";
import { createConfirmedUser } from "../../../../scripts/test/users.ts";
import { encryptApiKey } from "../../_shared/crypto/apollo-key.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../../../../scripts/stack/shell.ts";
import { fakeApolloAdmin } from "../../../../scripts/stack/fake-apollo/admin-client.ts";

export { testConfig, testEnv, testKeys };

// idle_timeout lets the test process exit once the tests are done
export const sql = postgres(testEnv.DB_URL, { max: 4, idle_timeout: 1, onnotice: () => {} });

export const keyEnv = { get: (k: string) => (k === "APOLLO_KEY_ENCRYPTION_KEY" ? testConfig.apolloKeyEncryptionKey : undefined) };

/** Registers a job type no processor handles (the stack's worker leaves its jobs alone). */
export function testJobType(name: string): Promise<void> {
  return registerTestJobType(sql, name);
}

export interface Workspace {
  id: string;
  cleanup(): Promise<void>;
}

/** A fresh workspace (no members), with its settings row; deleted (with its jobs) by cleanup(). */
export async function createWorkspace(name = "Test workspace", apolloKey?: string): Promise<Workspace> {
  const [ws] = await sql<{ id: string }[]>`insert into public.workspaces (name) values (${name}) returning id`;
  if (apolloKey) await setApolloKey(ws.id, apolloKey);
  return {
    id: ws.id,
    cleanup: async () => {
      await sql`delete from public.workspaces where id = ${ws.id}`;
    },
  };
}

/** Runs fn in a fresh workspace (createWorkspace), deleted after whatever fn does. */
export function withWorkspace<T>(name: string, fn: (ws: Workspace) => Promise<T>): Promise<T>;
export function withWorkspace<T>(name: string, apolloKey: string, fn: (ws: Workspace) => Promise<T>): Promise<T>;
export async function withWorkspace<T>(
  name: string,
  ...rest: [(ws: Workspace) => Promise<T>] | [string, (ws: Workspace) => Promise<T>]
): Promise<T> {
  const [apolloKey, fn] = rest.length === 1 ? [undefined, rest[0]] : rest;
  const ws = await createWorkspace(name, apolloKey);
  try {
    return await fn(ws);
  } finally {
    await ws.cleanup();
  }
}

export async function setApolloKey(workspaceId: string, apolloKey: string) {
  const ciphertext = await encryptApiKey(apolloKey, workspaceId, keyEnv);
  await sql`update public.workspace_settings
            set apollo_api_key_encrypted = ${ciphertext}, apollo_api_key_last4 = ${apolloKey.slice(-4)}
            where workspace_id = ${workspaceId}`;
}

export async function createAccount(workspaceId: string, domain: string | null, name = domain ?? "No domain Inc") {
  const [row] = await sql<{ id: string }[]>`
    insert into public.accounts (workspace_id, name, domain) values (${workspaceId}, ${name}, ${domain}) returning id`;
  return row.id;
}

export interface JobRow {
  id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  progress: { percentage: number };
  error_message: string | null;
  errors: Array<{ attempt: number; message: string; retryable: boolean }>;
  next_retry_at: Date | null;
  scheduled_for: Date;
  started_at: Date | null;
  completed_at: Date | null;
  locked_by: string | null;
  payload: Record<string, unknown>;
  credits_used: number;
  result: Record<string, unknown> | null;
}

/** Queues enrichment of accounts in ONE statement (so the insert wakes the worker once). */
export async function enqueueAccounts(workspaceId: string, accountIds: string[], delaySeconds = 0): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
    select ${workspaceId}, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain),
           now() + make_interval(secs => ${delaySeconds})
    from public.accounts a where a.id = any(${accountIds}::uuid[])
    returning id`;
  return rows.map((r) => r.id);
}

export async function job(id: string): Promise<JobRow> {
  const [row] = await sql<JobRow[]>`select * from public.jobs where id = ${id}`;
  return row;
}

export async function waitForJob(id: string, done: (j: JobRow) => boolean, timeoutMs = 15_000): Promise<JobRow> {
  let row: JobRow | undefined;
  const reached = await waitFor(async () => {
    row = await job(id);
    return row !== undefined && done(row);
  }, timeoutMs);
  if (!reached) throw new Error(`job ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(row)}`);
  return row!;
}

export const finished = (j: JobRow) => ["completed", "failed", "cancelled"].includes(j.status);

export async function logs(jobId: string) {
  return await sql<{ log_level: string; message: string; metadata: Record<string, unknown>; attempt: number }[]>`
    select log_level, message, metadata, attempt from public.job_logs where job_id = ${jobId} order by created_at, id`;
}

/** Makes a job waiting for a retry due now (instead of waiting out the backoff). */
export async function makeDue(jobId: string) {
  await sql`update public.jobs set scheduled_for = now() where id = ${jobId} and status = 'pending'`;
}

export const WORKER_URL = `${testEnv.API_URL}/functions/v1/job-worker`;

export async function runWorker(token = testEnv.WORKER_SECRET_TOKEN, method = "POST") {
  const response = await fetch(WORKER_URL, { method, headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

/**
 * Runs fn with Apollo bulk calls off (public.job_types.batchable, read by each new invocation): for
 * tests about the one-job-one-call path (per-call caps, 429s per request).
 */
export async function withBulkCallsOff<T>(fn: () => Promise<T>): Promise<T> {
  await sql`update public.job_types set batchable = false where name in ('enrich_account', 'enrich_contact')`;
  await sleep(1_100); // running invocations re-read it within a second
  try {
    return await fn();
  } finally {
    await sql`update public.job_types set batchable = true where name in ('enrich_account', 'enrich_contact')`;
  }
}

/** Switches a cron job on or off the way postgres can on a hosted project (cron.job is read-only to it). */
export async function setCronJobActive(jobname: string, active: boolean) {
  await sql`select cron.alter_job(j.jobid, active := ${active}) from cron.job j where j.jobname = ${jobname}`;
}

/**
 * pg_cron's every-minute worker call would add a second invocation; some tests need exactly one.
 * Also waits until no invocation is running (one started by an earlier test may still be waiting
 * for work falling due soon), so the test's own calls are the only ones.
 */
export async function withCronPaused<T>(fn: () => Promise<T>): Promise<T> {
  await setCronJobActive("job-worker", false);
  for (let i = 0; i < 600; i++) {
    const [{ running }] = await sql<{ running: number }[]>`
      select count(*)::integer as running from private.worker_runs where expires_at > clock_timestamp()`;
    if (running === 0) break;
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    await setCronJobActive("job-worker", true);
  }
}

/** The stack's fake Apollo admin API (scripts/stack/fake-apollo/README.md). */
export const fakeApollo = {
  call: fakeApolloAdmin(testEnv.FAKE_APOLLO_URL),
  reset: () => fakeApollo.call("POST", "reset"),
  latency: (ms: number) => fakeApollo.call("POST", "latency", { ms }),
  script: (spec: Record<string, unknown>) => fakeApollo.call("POST", "scripts", spec),
  async requests(filter: Record<string, string> = {}) {
    const query = new URLSearchParams(filter).toString();
    const body = await fakeApollo.call("GET", `requests${query ? `?${query}` : ""}`);
    return body.requests as Array<{ seq: number; path: string; domain: string | null; status: number; at: string; ms: number }>;
  },
};

/** Signs in through the stack's /auth/v1 and returns the access token. */
export async function signIn(email = testEnv.DEMO_EMAIL, password = testEnv.DEMO_PASSWORD): Promise<string> {
  const response = await fetch(`${testEnv.API_URL}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: testKeys.client, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`sign-in as ${email} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * A new, confirmed user, signed in (every new user gets a workspace of their own); returns token, id
 * and that workspace. Sign-ups must confirm their email on this project, so the user is made as a test
 * should: through Auth's admin API with email_confirm (scripts/test/users.ts).
 */
export async function signUp(prefix: string) {
  const email = `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = "correct-horse-battery";
  const { id: userId } = await createConfirmedUser(email, password);
  const token = await signIn(email, password);
  const [ws] = await sql<{ workspace_id: string }[]>`
    select workspace_id from public.workspace_members where user_id = ${userId}`;
  return {
    email,
    userId,
    token,
    workspaceId: ws.workspace_id,
    cleanup: async () => {
      await sql`delete from public.workspaces where created_by = ${userId}`;
      await sql`delete from auth.users where id = ${userId}`;
    },
  };
}

export type TestUser = Awaited<ReturnType<typeof signUp>>;

/** Runs fn as a new user (signUp), deleted with their workspaces after whatever fn does. */
export function withUser<T>(prefix: string, fn: (user: TestUser) => Promise<T>): Promise<T> {
  return withUsers([prefix], ([user]) => fn(user));
}

/** Runs fn with a new user for each prefix (signUp), all deleted with their workspaces after whatever fn does. */
export async function withUsers<T>(prefixes: string[], fn: (users: TestUser[]) => Promise<T>): Promise<T> {
  const users: TestUser[] = [];
  try {
    for (const prefix of prefixes) users.push(await signUp(prefix));
    return await fn(users);
  } finally {
    for (const user of users) await user.cleanup();
  }
}

export async function callFunction(name: string, init: { method?: string; token?: string; body?: unknown; query?: string } = {}) {
  const response = await fetch(`${testEnv.API_URL}/functions/v1/${name}${init.query ?? ""}`, {
    method: init.method ?? "POST",
    headers: {
      apikey: testKeys.client,
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON: keep the text, tests assert on it */ }
  return { status: response.status, body, text };
}

/** The test stack's process(es) of a function (its port is in this instance's functions range). */
export async function functionProcessPids(name: string): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-af", `runner.ts ${name} `] }).output();
  const base = testConfig.ports.functionsBase;
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean)
    .map((line) => line.match(new RegExp(`^(\\d+) .*runner\\.ts ${name} (\\d+)`)))
    .filter((m): m is RegExpMatchArray => m !== null && Number(m[2]) >= base && Number(m[2]) < base + 10)
    .map((m) => Number(m[1]));
}

/** Integration tests share one pool across tests, so Deno's per-test leak sanitizers are off. */
export function integration(name: string, fn: () => Promise<void>) {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}
