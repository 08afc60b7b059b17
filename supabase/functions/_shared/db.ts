// The database connection of a function: SUPABASE_DB_URL (set by Supabase for every function).
// Statements are not prepared when the URL points at Supavisor's transaction pooler (port 6543),
// which does not keep prepared statements between transactions.
import postgres from "postgres";

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

let shared: Sql | undefined;

export function db(): Sql {
  if (!shared) {
    const url = Deno.env.get("SUPABASE_DB_URL");
    if (!url) throw new Error("SUPABASE_DB_URL is not set");
    shared = postgres(url, {
      max: Number(Deno.env.get("DB_POOL_SIZE") ?? 10),
      prepare: !/:6543\//.test(url),
      idle_timeout: 20,
      connect_timeout: 10,
      onnotice: () => {},
      connection: { application_name: Deno.env.get("SB_EXECUTION_ID") ? "edge-function" : "edge-function-local" },
    });
  }
  return shared;
}

/**
 * Runs fn in a transaction as the signed-in user, the way PostgREST runs API requests, so the
 * functions and RLS policies see auth.uid() and the authenticated role.
 */
export function asUser<T>(claims: Record<string, unknown>, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return db().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await fn(tx);
  }) as Promise<T>;
}
