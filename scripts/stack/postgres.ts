// The stack's PostgreSQL 15 cluster: created on first use in .stack/<instance>/pgdata,
// configured the way Supabase's image is where our code depends on it (pg_cron preloaded,
// logical WAL for Realtime), and run as the postgres OS user when we are root. As in Supabase's
// image, the cluster's superuser is supabase_admin; the bootstrap makes `postgres` the
// non-superuser that migrations, the gateway and the tests connect as.
import type { StackConfig } from "./config.ts";
import { pgBin } from "./packages.ts";
import { exists, isRoot, portInUse, run, runChecked, StackError, waitFor } from "./shell.ts";

const SERVER_SETTINGS = (config: StackConfig) => `
# --- local stack settings (scripts/stack/postgres.ts) ---
listen_addresses = '127.0.0.1'
port = ${config.ports.db}
unix_socket_directories = '${config.dir}'
max_connections = 300
shared_buffers = 256MB
timezone = 'UTC'
log_timezone = 'UTC'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
cron.timezone = 'UTC'
cron.log_statement = off
max_worker_processes = 32
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
`;

/** Runs a postgres binary as the postgres OS user when we are root (Postgres refuses to run as root). */
function asPostgres(binary: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", "postgres", "--", pgBin(binary), ...args]] : [pgBin(binary), args];
}

export function clusterExists(config: StackConfig): boolean {
  return exists(`${config.dataDir}/PG_VERSION`);
}

export async function clusterRunning(config: StackConfig): Promise<boolean> {
  if (!clusterExists(config)) return false;
  const [cmd, args] = asPostgres("pg_ctl", ["-D", config.dataDir, "status"]);
  return (await run(cmd, args)).code === 0;
}

async function checkTraversable(config: StackConfig) {
  if (!isRoot()) return;
  const probe = await run("runuser", ["-u", "postgres", "--", "test", "-x", config.dir]);
  if (probe.code !== 0) {
    throw new StackError(
      `the postgres OS user cannot reach ${config.dir}`,
      "npm run stack:reset (a new stack keeps its data where the postgres user can reach it), or chmod o+x the clone's parent folders",
    );
  }
}

export async function initCluster(config: StackConfig): Promise<void> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  await Deno.mkdir(config.logDir, { recursive: true });
  if (isRoot()) await runChecked("chown", ["-R", "postgres:postgres", config.dir], "chown of the stack folder");
  await checkTraversable(config);
  const pwfile = `${config.dir}/.pwfile`;
  await Deno.writeTextFile(pwfile, "postgres\n");
  if (isRoot()) await runChecked("chown", ["postgres:postgres", pwfile], "chown of the password file");
  await writeVaultKey(config);
  const [cmd, args] = asPostgres("initdb", [
    "-D", config.dataDir, "-U", "supabase_admin", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
    "--encoding=UTF8", "--locale=C.UTF-8",
  ]);
  try {
    await runChecked(cmd, args, "initdb");
  } finally {
    await Deno.remove(pwfile).catch(() => {});
  }
  const conf = `${config.dataDir}/postgresql.conf`;
  await Deno.writeTextFile(conf, SERVER_SETTINGS(config), { append: true });
}

/** A new random root key for the stand-in's Vault, readable only by the server's OS user. */
async function writeVaultKey(config: StackConfig) {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  await Deno.writeTextFile(config.vaultKeyFile, `${key}\n`, { mode: 0o600 });
  if (isRoot()) await runChecked("chown", ["postgres:postgres", config.vaultKeyFile], "chown of the Vault key");
}

export async function startCluster(config: StackConfig): Promise<void> {
  if (await clusterRunning(config)) return;
  if (await portInUse(config.ports.db)) {
    throw new StackError(
      `port ${config.ports.db} is taken by another process, so the stack's Postgres cannot start`,
      `stop whatever listens there (ss -ltnp 'sport = :${config.ports.db}') or choose other ports with STACK_PORT_BASE`,
    );
  }
  const logFile = `${config.logDir}/postgres.log`;
  const [cmd, args] = asPostgres("pg_ctl", ["-D", config.dataDir, "-l", logFile, "-w", "-t", "60", "start"]);
  const result = await run(cmd, args);
  if (result.code !== 0) {
    const log = await Deno.readTextFile(logFile).catch(() => "");
    throw new StackError(
      `Postgres did not start:\n${(result.stderr + "\n" + log.split("\n").slice(-10).join("\n")).trim()}`,
      `see ${logFile}`,
    );
  }
  // As supabase_admin: before the bootstrap, the cluster has no other role.
  const ready = await waitFor(async () => (await psql(config, "select 1", [], config.adminDbUrl)).code === 0, 30_000);
  if (!ready) throw new StackError("Postgres started but does not accept connections", `see ${logFile}`);
}

export async function stopCluster(config: StackConfig, mode: "fast" | "immediate" = "fast"): Promise<void> {
  if (!(await clusterRunning(config))) return;
  const [cmd, args] = asPostgres("pg_ctl", ["-D", config.dataDir, "-m", mode, "-w", "stop"]);
  await runChecked(cmd, args, "pg_ctl stop");
}

/** psql over TCP with the stack's password (as postgres unless another URL is given), stopping at the first error. */
export function psql(config: StackConfig, sql: string, extra: string[] = [], url = config.dbUrl) {
  return run("psql", [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", ...extra, "-c", sql], {
    env: { PGCONNECT_TIMEOUT: "5" },
  });
}

/** Runs a SQL file as postgres, or as supabase_admin with `asAdmin`; `vars` become psql variables. */
export async function psqlFile(
  config: StackConfig,
  file: string,
  { asAdmin = false, vars = {} }: { asAdmin?: boolean; vars?: Record<string, string> } = {},
): Promise<void> {
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["-v", `${name}=${value}`]);
  const url = asAdmin ? config.adminDbUrl : config.dbUrl;
  const result = await run("psql", [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", ...varArgs, "-f", file], {
    env: { PGCONNECT_TIMEOUT: "5" },
  });
  if (result.code !== 0) {
    throw new StackError(`${file.replace(/^.*\/(scripts|supabase)\//, "$1/")} failed: ${result.stderr.trim()}`);
  }
}

export async function query(config: StackConfig, sql: string): Promise<string> {
  const result = await psql(config, sql);
  if (result.code !== 0) throw new StackError(`query failed: ${result.stderr.trim()}\n  ${sql}`);
  return result.stdout.trim();
}
