// What the end-to-end sections work on in the bench stack's own database: a workspace with an
// Apollo key the fake Apollo accepts (not the demo key, which selects the in-process mock), its
// accounts, and the fake Apollo's admin API.
import { encryptApiKey } from "../../../supabase/functions/_shared/crypto/apollo-key.ts";
import { type StackConfig } from "../../stack/config.ts";
import { envBlock } from "../../stack/status-env.ts";
import type { Sql } from "./db.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { fakeApolloAdmin } from "../../stack/fake-apollo/admin-client.ts";

export const BENCH_APOLLO_KEY = "bench-key-00000001";

/** The worker's settings on the bench stack (main.ts starts it with them). */
export const BENCH_WORKER = { maxConcurrent: 5, maxGlobalConcurrency: 20 } as const;

/**
 * The bench stack's Realtime limits (the gateway reads them from these variables when it starts;
 * scripts/stack/gateway/realtime/limits.ts). A Free project's 200 concurrent users, 100 joins/s and
 * 100 events/s would refuse or silence the fan-out section's 1,000 signed-in subscribers long before
 * anything is measured; raised as a paying project would have them raised, so the figures show the
 * transport, not the plan.
 */
export const BENCH_REALTIME_LIMITS = {
  STACK_REALTIME_MAX_CONCURRENT_USERS: "5000",
  STACK_REALTIME_MAX_JOINS_PER_SECOND: "10000",
  STACK_REALTIME_MAX_EVENTS_PER_SECOND: "1000000",
} as const;

export async function createBenchWorkspace(sql: Sql, config: StackConfig, name: string): Promise<string> {
  const [ws] = await sql<{ id: string }[]>`insert into public.workspaces (name) values (${name}) returning id`;
  await setBenchApolloKey(sql, config, ws.id);
  return ws.id;
}

/** Saves the bench's Apollo key (encrypted for that workspace) in a workspace's settings. */
export async function setBenchApolloKey(sql: Sql, config: StackConfig, workspaceId: string): Promise<void> {
  const env = { get: (k: string) => (k === "APOLLO_KEY_ENCRYPTION_KEY" ? config.apolloKeyEncryptionKey : undefined) };
  const ciphertext = await encryptApiKey(BENCH_APOLLO_KEY, workspaceId, env);
  await sql`update public.workspace_settings
            set apollo_api_key_encrypted = ${ciphertext}, apollo_api_key_last4 = ${BENCH_APOLLO_KEY.slice(-4)}
            where workspace_id = ${workspaceId}`;
}

export interface BenchUser {
  userId: string;
  email: string;
  /** The workspace signing up gave the user (created_by: the user). */
  workspaceId: string;
}

/** A new user, signed up through the stack's /auth/v1 as the SPA does; the sign-up trigger gives them a workspace. */
export async function signUpUser(sql: Sql, config: StackConfig, prefix: string): Promise<BenchUser> {
  const env = await envBlock(config);
  const email = `${prefix}-${crypto.randomUUID().slice(0, 8)}@bench.example`;
  const response = await fetch(`${env.API_URL}/auth/v1/signup`, {
    method: "POST",
    headers: { apikey: env.PUBLISHABLE_KEY ?? env.ANON_KEY, "content-type": "application/json" },
    body: JSON.stringify({ email, password: `bench-${crypto.randomUUID()}` }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`sign-up of ${email} failed: ${response.status} ${JSON.stringify(body)}`);
  const userId: string = body.user?.id ?? body.id;
  const [ws] = await sql<{ id: string }[]>`select id from public.workspaces where created_by = ${userId}`;
  if (!ws) throw new Error(`sign-up of ${email} gave no workspace`);
  return { userId, email, workspaceId: ws.id };
}

/** count accounts named <prefix>-<i> with domains <prefix>-<i>.example (the fake Apollo makes up stable data for them). */
export async function createAccounts(sql: Sql, workspaceId: string, prefix: string, count: number): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into public.accounts (workspace_id, name, domain)
    select ${workspaceId}, ${prefix} || '-' || g, ${prefix} || '-' || g || '.example'
    from generate_series(1, ${count}) g
    returning id`;
  return rows.map((r) => r.id);
}

export function fakeApollo(config: StackConfig) {
  const call = fakeApolloAdmin(config.fakeApolloUrl);
  return {
    reset: () => call("POST", "reset"),
    latency: (ms: number) => call("POST", "latency", { ms }),
    requests: async () => (await call("GET", "requests")).requests as Array<{ status: number; ms: number }>,
  };
}

/** pg_cron's every-minute worker call on or off (cron.alter_job: cron.job is read-only to postgres), as the functions tests do. */
export async function setCronWorker(sql: Sql, active: boolean) {
  await sql`select cron.alter_job(j.jobid, active := ${active}) from cron.job j where j.jobname = 'job-worker'`;
}

/** The enqueue wake-up trigger on or off. Off leaves pg_cron's every-minute call as the only way in. */
export async function setWakeUp(sql: Sql, on: boolean) {
  await sql.unsafe(`alter table public.jobs ${on ? "enable" : "disable"} trigger wake_worker`);
}

/**
 * Runs `measure` with the enqueue wake-up as the only way the worker is called: the fake Apollo
 * reset and answering after latencyMs, the wake-up trigger on and pg_cron's every-minute call
 * paused (a tick could pick a job up first, or add a worker invocation to some runs and not
 * others). Afterwards the fake Apollo answers at once again and the cron call is back on.
 */
export async function withWakeUpOnly<T>(
  sql: Sql,
  config: StackConfig,
  latencyMs: number,
  measure: () => Promise<T>,
): Promise<T> {
  const apollo = fakeApollo(config);
  await apollo.reset();
  await apollo.latency(latencyMs);
  await setWakeUp(sql, true);
  await setCronWorker(sql, false);
  try {
    return await measure();
  } finally {
    await apollo.latency(0);
    await setCronWorker(sql, true);
  }
}

/**
 * Waits until the worker is idle: no job processing, no worker invocation registered as running
 * (while one is, enqueueing wakes nobody: it picks new jobs up itself) and no worker call in
 * flight through pg_net.
 */
export async function waitIdle(sql: Sql, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // every worker call queued through pg_net has been sent and answered (the worker answers when its batch is done)
    const [row] = await sql<{ busy: boolean }[]>`
      select exists (select 1 from public.jobs where status = 'processing')
          or exists (select 1 from private.worker_runs where expires_at > clock_timestamp())
          or exists (select 1 from net.http_request_queue)
          or (select case when is_called then last_value else 0 end from net.http_request_queue_id_seq)
             > (select coalesce(max(id), 0) from net._http_response) as busy`;
    if (!row.busy) return;
    await sleep(20);
  }
  throw new Error("the worker did not become idle");
}
