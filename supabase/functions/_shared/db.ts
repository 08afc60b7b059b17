// The database connection of a function.
//
// DB_POOLER_URL (a secret), when set, is Supavisor's transaction pooler (port 6543 of
// aws-0-<region>.pooler.supabase.com, user postgres.<project-ref>): each transaction borrows a
// server connection and gives it back, so many function instances share a few Postgres
// connections. Session state does not survive a transaction there, so nothing here relies on it:
// statements are not prepared, SET happens only inside a transaction (set_config(..., true) in
// asUser), advisory locks are the transaction-level ones, and nothing LISTENs.
// Without it, SUPABASE_DB_URL (set by Supabase for every function) is a direct connection: each
// instance holds its own, and a burst of worker invocations can use up a small project's direct
// connections (60 on the smallest compute).
//
// DB_POOL_SIZE (default 3) is a connection budget: the most connections one worker invocation (its
// own pool, withOwnPool) or one instance of another function (the shared db()) opens. The worker
// runs at most ceil(MAX_GLOBAL_CONCURRENCY / MAX_CONCURRENT) invocations at once (4 with the
// defaults), so it holds at most that many x DB_POOL_SIZE pooler clients (12), however the platform
// spreads them over instances; keep that, plus the user-facing functions' share, under the pooler's
// client limit (200 on the smallest compute). An invocation's jobs share its connections: they hold
// one only while a statement runs, never across an Apollo call.
import postgres from "postgres";
import { type EnvReader, processEnv } from "./environment.ts";

export type Sql = postgres.Sql;
export type ReservedSql = postgres.ReservedSql;

export const DEFAULT_POOL_SIZE = 3;
const MAX_POOL_SIZE = 20;

export interface DbSettings {
  url: string;
  /** Through the transaction pooler (DB_POOLER_URL), where no session state survives a transaction. */
  pooled: boolean;
  /** Connections this instance opens at most (DB_POOL_SIZE). */
  poolSize: number;
}

/** Where and how a function connects, from its environment; throws a message that says what to set. */
export function dbSettings(env: EnvReader = processEnv): DbSettings {
  const pooler = env.get("DB_POOLER_URL")?.trim();
  const url = pooler || env.get("SUPABASE_DB_URL");
  if (!url) throw new Error("SUPABASE_DB_URL is not set (and no DB_POOLER_URL either)");
  const rawSize = env.get("DB_POOL_SIZE")?.trim();
  const poolSize = rawSize ? Number(rawSize) : DEFAULT_POOL_SIZE;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > MAX_POOL_SIZE) {
    throw new Error(`DB_POOL_SIZE must be an integer between 1 and ${MAX_POOL_SIZE}, got "${rawSize}"`);
  }
  return { url, pooled: Boolean(pooler), poolSize };
}

/** What the worker's health check says of its connection: never the URL, which holds the password. */
export function describeConnection(settings: DbSettings) {
  let port: number | null = null;
  try {
    port = Number(new URL(settings.url).port || 5432);
  } catch { /* unparseable: postgres() will say so */ }
  return { connection: settings.pooled ? "pooler" as const : "direct" as const, port, pool_size: settings.poolSize };
}

/**
 * Never pipelined (below) and never prepared, pooled or not: a prepared statement does not outlive its transaction on the
 * pooler, and on the Edge Runtime's Deno (the 2.1 line) postgres.js's prepared-statement path can
 * crash the whole instance under concurrent queries (an uncaught "May not write null values to
 * stream", seen on the local stack's fan-out with direct connections; none without it).
 */
export function poolOptions(settings: DbSettings) {
  return {
    max: settings.poolSize,
    prepare: false,
    // No pipelining: postgres.js otherwise writes queries onto a connection that is still busy, and a
    // transaction-mode pooler (Supavisor, PgBouncer) forwards only the first of them: the rest never
    // get an answer and every query queued on that connection hangs (porsager/postgres#970; seen
    // here as worker invocations stuck at "Updating account record..." for good).
    max_pipeline: 0,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: Deno.env.get("SB_EXECUTION_ID") ? "edge-function" : "edge-function-local" },
  };
}

function openPool(settings: DbSettings = dbSettings()): Sql {
  return postgres(settings.url, poolOptions(settings));
}

let shared: Sql | undefined;

/** The instance's pool, for requests that need a statement or two (the user-facing functions). */
export function db(): Sql {
  shared ??= openPool();
  return shared;
}

/**
 * Runs fn in a transaction as the signed-in user, the way PostgREST runs API requests, so the
 * functions and RLS policies see auth.uid() and the authenticated role (set_config(..., true):
 * transaction-local, so it holds on the transaction pooler too). On a connection of its own
 * (reserve, not sql.begin: postgres.js refuses BEGIN without pipelining, which poolOptions turns off).
 */
export async function asUser<T>(claims: Record<string, unknown>, fn: (tx: ReservedSql) => Promise<T>): Promise<T> {
  const tx = await db().reserve();
  try {
    await tx`begin`;
    try {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      const result = await fn(tx);
      await tx`commit`;
      return result;
    } catch (error) {
      await tx`rollback`.catch(() => {});
      throw error;
    }
  } finally {
    tx.release();
  }
}

/**
 * Runs fn with a pool of its own (DB_POOL_SIZE connections at most), closed when fn is done: an
 * instance holds connections only for the invocations it is running, each within its budget, and
 * invocations it serves at once never wait for each other's connections.
 */
export async function withOwnPool<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = openPool();
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}
