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

export interface RawFrame {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

/** A bare WebSocket speaking Phoenix frames, for checking the wire format itself. */
export class RawSocket {
  readonly frames: RawFrame[] = [];
  /** The frames as received, before decoding. */
  readonly texts: string[] = [];
  /** The close code, once the socket has closed. */
  closeCode: number | null = null;
  #closed: Promise<void>;

  private constructor(private readonly ws: WebSocket, readonly vsn: "1.0.0" | "2.0.0") {
    this.#closed = new Promise((resolve) =>
      ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        resolve();
      })
    );
    ws.addEventListener("message", (e) => {
      this.texts.push(String(e.data));
      const raw = JSON.parse(String(e.data));
      this.frames.push(
        Array.isArray(raw)
          ? { join_ref: raw[0], ref: raw[1], topic: raw[2], event: raw[3], payload: raw[4] }
          : { join_ref: raw.join_ref ?? null, ref: raw.ref, topic: raw.topic, event: raw.event, payload: raw.payload },
      );
    });
  }

  static url(vsn: string, apikey: string): string {
    return `${testEnv.API_URL.replace(/^http/, "ws")}/realtime/v1/websocket?apikey=${
      encodeURIComponent(apikey)
    }&vsn=${vsn}`;
  }

  static open(vsn: "1.0.0" | "2.0.0", apikey = testKeys.client): Promise<RawSocket> {
    const ws = new WebSocket(RawSocket.url(vsn, apikey));
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(new RawSocket(ws, vsn));
      ws.onerror = () => reject(new Error("websocket failed to open"));
    });
  }

  send(frame: RawFrame): void {
    this.ws.send(
      this.vsn === "2.0.0"
        ? JSON.stringify([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload])
        : JSON.stringify(frame),
    );
  }

  /** The first frame (received so far or later) matching `match`. */
  async next(match: (f: RawFrame) => boolean, what: string, timeoutMs = 3000): Promise<RawFrame> {
    await waitFor(() => this.frames.some(match), timeoutMs, what);
    return this.frames.find(match)!;
  }

  /** The reply to the frame with this ref. */
  reply(ref: string): Promise<RawFrame> {
    return this.next((f) => f.event === "phx_reply" && f.ref === ref, `the reply to ref ${ref}`);
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.#closed;
  }
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

/**
 * An access token as /auth/v1 would sign it for the user, expiring in `expiresIn` seconds; with
 * `foreign`, signed by a key the stack does not trust.
 */
export async function userToken(
  user: { id: string; email: string },
  expiresIn: number,
  { foreign = false } = {},
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return await (foreign ? testKeys.signForeign : testKeys.sign)({
    iss: `${testEnv.API_URL}/auth/v1`,
    sub: user.id,
    aud: "authenticated",
    exp: iat + expiresIn,
    iat,
    email: user.email,
    role: "authenticated",
    aal: "aal1",
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  });
}

/** The stack's Realtime limits and counters (`GET /_stack/realtime/settings`, secret key). */
export interface RealtimeSettings {
  max_events_per_second: number;
  max_joins_per_second: number;
  max_channels_per_client: number;
  max_concurrent_users: number;
  concurrent_users: number;
  db_events: { per_second: number; rate_limited: boolean };
  joins: { per_second: number; rate_limited: boolean };
}

/** Reads the stack's Realtime settings, or changes some (which disconnects every client and restarts the counters). */
export async function realtimeSettings(patch?: Partial<RealtimeSettings>): Promise<RealtimeSettings> {
  const response = await fetch(`${testEnv.API_URL}/_stack/realtime/settings`, {
    method: patch ? "PATCH" : "GET",
    headers: { apikey: testKeys.server, "content-type": "application/json" },
    body: patch ? JSON.stringify(patch) : undefined,
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`realtime settings: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Runs `fn` with some Realtime limits changed, then puts the limits back as they were. */
export async function withRealtimeLimits<T>(patch: Partial<RealtimeSettings>, fn: () => Promise<T>): Promise<T> {
  const before = await realtimeSettings();
  await realtimeSettings(patch);
  try {
    return await fn();
  } finally {
    await realtimeSettings({
      max_events_per_second: before.max_events_per_second,
      max_joins_per_second: before.max_joins_per_second,
      max_channels_per_client: before.max_channels_per_client,
      max_concurrent_users: before.max_concurrent_users,
    });
  }
}
