// The stack's transaction pooler: Debian's PgBouncer in transaction mode on the pooler port, standing
// in for Supavisor's port 6543, which hosted Edge Functions should use (DB_POOLER_URL; see
// supabase/functions/_shared/db.ts). The stack's functions connect through it, so every test that
// runs them proves they work in transaction mode.
//
// Its pool settings are supabase/config.toml's [db.pooler], as `supabase start` reads them: a
// pool of default_pool_size server connections per role and database (15 on the smallest hosted
// compute) and at most max_client_conn clients (200 there).
//
// It is stricter than Supavisor in one way: every server connection is reset when a transaction
// ends (what DISCARD ALL resets, but for the plan cache, which would make every call plan again), so
// code that relies on session state (a SET outside a transaction, a prepared statement, a session
// advisory lock, LISTEN) fails here every time, not now and then on hosted.
import { parse } from "smol-toml";
import { repoRoot, type StackConfig } from "./config.ts";
import { PGBOUNCER } from "./packages.ts";
import { isRoot, run, runChecked, StackError } from "./shell.ts";

export interface PoolerSettings {
  pool_mode: "transaction" | "session";
  default_pool_size: number;
  max_client_conn: number;
}

const DEFAULTS: PoolerSettings = { pool_mode: "transaction", default_pool_size: 15, max_client_conn: 200 };

/** [db.pooler] of supabase/config.toml over the defaults of the smallest hosted compute. */
export function poolerSettings(toml = Deno.readTextFileSync(`${repoRoot}/supabase/config.toml`)): PoolerSettings {
  const parsed = parse(toml) as { db?: { pooler?: Partial<PoolerSettings> } };
  const settings = { ...DEFAULTS, ...parsed.db?.pooler };
  if (settings.pool_mode !== "transaction" && settings.pool_mode !== "session") {
    throw new Error(`[db.pooler] pool_mode must be "transaction" or "session", got "${settings.pool_mode}"`);
  }
  return settings;
}

const poolerDir = (config: StackConfig) => `${config.dir}/pooler`;

/** PgBouncer's configuration for this instance; the stack's roles log in with their database passwords. */
export function pgbouncerIni(config: StackConfig, settings: PoolerSettings = poolerSettings()): string {
  const dir = poolerDir(config);
  return `; written by scripts/stack/pooler.ts on every stack:up
[databases]
* = host=127.0.0.1 port=${config.ports.db}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${config.ports.pooler}
unix_socket_dir =
pool_mode = ${settings.pool_mode}
default_pool_size = ${settings.default_pool_size}
max_client_conn = ${settings.max_client_conn}
; postgres and supabase_admin are listed; any other role with a password is looked up in the database
auth_type = scram-sha-256
auth_file = ${dir}/userlist.txt
auth_user = supabase_admin
auth_query = SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = $1
; no session state survives a transaction (see the top of scripts/stack/pooler.ts)
server_reset_query = CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all()
server_reset_query_always = 1
; SHOW POOLS, SHOW CLIENTS on the admin database "pgbouncer"
admin_users = postgres
stats_users = postgres
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
${isRoot() ? "; PgBouncer refuses to run as root: it drops to the user that owns the cluster\nuser = postgres\n" : ""}`;
}

/** Writes the configuration and returns PgBouncer's command line (run by daemons.ts). */
export async function preparePooler(config: StackConfig): Promise<string[]> {
  const dir = poolerDir(config);
  await Deno.mkdir(dir, { recursive: true });
  const password = new URL(config.dbUrl).password;
  await Deno.writeTextFile(`${dir}/userlist.txt`, `"postgres" "${password}"\n"supabase_admin" "${password}"\n`, {
    mode: 0o600,
  });
  await Deno.writeTextFile(`${dir}/pgbouncer.ini`, pgbouncerIni(config));
  if (isRoot()) await runChecked("chown", ["-R", "postgres:postgres", dir], "chown of the pooler's folder");
  return [PGBOUNCER, `${dir}/pgbouncer.ini`];
}

/**
 * A SHOW command of PgBouncer's admin console (POOLS, CLIENTS, SERVERS, CONFIG ...), one object per
 * row. Through psql: the console speaks only the simple query protocol.
 */
export async function showPooler(config: StackConfig, what: string): Promise<Record<string, string>[]> {
  const url = new URL(config.poolerUrl);
  url.pathname = "/pgbouncer";
  const result = await run("psql", [url.href, "-X", "-A", "-F", "\t", "-P", "footer=off", "-c", `SHOW ${what}`], {
    env: { PGCONNECT_TIMEOUT: "5" },
  });
  if (result.code !== 0) throw new StackError(`SHOW ${what} on the pooler failed: ${result.stderr.trim()}`);
  const [header, ...rows] = result.stdout.trimEnd().split("\n");
  const columns = header.split("\t");
  return rows.map((row) => Object.fromEntries(row.split("\t").map((value, i) => [columns[i], value])));
}
