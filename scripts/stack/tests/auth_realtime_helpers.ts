// Shared by the auth_* and realtime_* contract tests: supabase-js clients against the stack under
// test, direct SQL for arranging rows (never /rest/v1), and a clean shutdown of Realtime so Deno's
// leak checks pass. No tests in here.
import postgres from "postgres";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import { testEnv, testKeys } from "../../test/env.ts";
import { registerTestJobType } from "../../test/job-types.ts";
import { waitFor as pollUntil } from "../shell.ts";

export const DEMO = {
  email: testEnv.DEMO_EMAIL,
  password: testEnv.DEMO_PASSWORD,
  id: "11111111-1111-4111-8111-111111111111",
  workspace: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
};
export const OTHER = {
  email: "other@example.com",
  password: "other-password",
  id: "22222222-2222-4222-8222-222222222222",
  workspace: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
};

/** Direct SQL as postgres (arranging and inspecting rows; it bypasses RLS). */
export function db(): postgres.Sql {
  return postgres(testEnv.DB_URL, { max: 2, onnotice: () => {}, connection: { application_name: "stack-tests" } });
}

export interface ClientOptions {
  vsn?: "1.0.0" | "2.0.0";
  key?: string;
  /** Realtime push/join timeout (ms). */
  timeout?: number;
  /** Realtime reconnect delay (ms) instead of realtime-js's 1 s, 2 s, 5 s, 10 s steps. */
  reconnectAfterMs?: number;
}

function realtimeOptions(options: ClientOptions) {
  return {
    ...(options.vsn ? { vsn: options.vsn } : {}),
    ...(options.timeout ? { timeout: options.timeout } : {}),
    ...(options.reconnectAfterMs ? { reconnectAfterMs: () => options.reconnectAfterMs! } : {}),
  };
}

export function newClient(options: ClientOptions = {}): SupabaseClient {
  return createClient(testEnv.API_URL, options.key ?? testKeys.client, {
    auth: { autoRefreshToken: false, persistSession: false, detectSessionInUrl: false },
    realtime: realtimeOptions(options),
  });
}

export async function signedInClient(
  user: { email: string; password: string },
  options: ClientOptions = {},
): Promise<SupabaseClient> {
  const client = newClient(options);
  const { error } = await client.auth.signInWithPassword({ email: user.email, password: user.password });
  if (error) throw error;
  return client;
}

/** Subscribes and resolves with the first terminal status (SUBSCRIBED, CHANNEL_ERROR, TIMED_OUT, CLOSED). */
export function subscribe(channel: RealtimeChannel): Promise<{ status: string; error?: Error }> {
  return new Promise((resolve) => {
    channel.subscribe((status, error) => resolve({ status, error }));
  });
}

/** Resolves once `check` is true, polling every 10 ms; rejects after `timeoutMs` with `what`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  if (!(await pollUntil(check, timeoutMs, 10))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Leaves every channel and closes the socket without the timers realtime-js would otherwise leave
 * behind (a 10 s guard in disconnect(), a 50 s deferred disconnect after the last removeChannel).
 */
export async function closeClient(client: SupabaseClient): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const realtime = client.realtime as any;
  const channels: RealtimeChannel[] = [...realtime.getChannels()];
  await Promise.all(channels.map((c) => c.unsubscribe(2000)));
  for (const c of channels) c.teardown();
  realtime._cancelPendingDisconnect?.();
  const socket = realtime.socketAdapter.getSocket();
  await new Promise<void>((resolve) => socket.disconnect(() => resolve()));
  socket.clearHeartbeats?.();
  realtime._cancelPendingDisconnect?.();
}

/**
 * A test of the jobs table's changes: a database connection (job type realtime_test registered)
 * and a client signed in as DEMO; afterwards the jobs of `jobIds` are deleted and both closed.
 */
export async function withDemoWatchingJobs(
  jobIds: string[],
  test: (sql: postgres.Sql, client: SupabaseClient) => Promise<void>,
  options: ClientOptions = {},
): Promise<void> {
  const sql = db();
  await registerTestJobType(sql, "realtime_test");
  const client = await signedInClient(DEMO, options);
  try {
    await test(sql, client);
  } finally {
    await sql`delete from public.jobs where id = any(${jobIds}::uuid[])`;
    await closeClient(client);
    await sql.end();
  }
}

/** A pending job in a workspace, created directly in SQL; returns its id. */
export async function insertJob(sql: postgres.Sql, workspaceId: string, jobType = "realtime_test"): Promise<string> {
  await registerTestJobType(sql, jobType);
  const [row] = await sql`
    insert into public.jobs (workspace_id, job_type, payload) values (${workspaceId}, ${jobType}, '{}')
    returning id`;
  return row.id;
}

/**
 * A client whose Realtime token comes from `token()` (supabase-js's third-party `accessToken`
 * option): `client.realtime.setAuth()` then sends whatever it returns as an access_token event.
 */
export async function tokenClient(token: () => string, options: ClientOptions = {}): Promise<SupabaseClient> {
  const client = createClient(testEnv.API_URL, options.key ?? testKeys.client, {
    accessToken: () => Promise.resolve(token()),
    realtime: realtimeOptions(options),
  });
  // supabase-js sets the token asynchronously; a join sent before that would go out with the apikey.
  await client.realtime.setAuth();
  return client;
}
