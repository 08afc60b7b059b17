// Bringing the stack's database to the current schema: bootstrap and pg_net shim (as the
// superuser supabase_admin, as Supabase's platform does), migrations through the real Supabase
// CLI as postgres (not a superuser, as on a hosted project), seed, and the Vault secrets the
// local stack fills in.
import type { StackConfig } from "./config.ts";
import { repoRoot } from "./config.ts";
import { psqlFile, query } from "./postgres.ts";
import { run, StackError } from "./shell.ts";

const MIGRATIONS_DIR = `${repoRoot}/supabase/migrations`;

export async function applyBootstrap(config: StackConfig) {
  const vars = { vault_key_file: config.vaultKeyFile };
  await psqlFile(config, `${repoRoot}/scripts/stack/sql/bootstrap.sql`, { asAdmin: true, vars });
  await psqlFile(config, `${repoRoot}/scripts/stack/sql/net_shim.sql`, { asAdmin: true });
}

/**
 * Schema realtime (Broadcast from the database: realtime.messages and its functions), as Supabase
 * Realtime sets it up on a hosted project before any migration runs. Applied on every start, not
 * only on a fresh cluster: it is idempotent, brings older stacks up to date and creates the coming
 * days' partitions of realtime.messages.
 */
export async function applyRealtimeSchema(config: StackConfig) {
  await psqlFile(config, `${repoRoot}/scripts/stack/sql/realtime.sql`, { asAdmin: true });
}

/**
 * Schema storage (storage.buckets, storage.objects, the path helpers), as Supabase Storage sets it
 * up on a hosted project before any migration runs; the local gateway serves /storage/v1 over it.
 * Applied on every start, like realtime.sql: idempotent, and it brings older stacks up to date.
 */
export async function applyStorageSchema(config: StackConfig) {
  await psqlFile(config, `${repoRoot}/scripts/stack/sql/storage.sql`, { asAdmin: true });
}

/**
 * Refuses a database made before `postgres` stopped being a superuser: migrations and tests
 * there would pass with privileges a hosted project does not give, so it has to be rebuilt.
 */
export async function checkNotSuperuser(config: StackConfig) {
  const superuser = await query(config, "select rolsuper from pg_catalog.pg_roles where rolname = current_user");
  if (superuser === "t") {
    throw new StackError(
      `the "${config.instance}" stack's database was created when postgres was a superuser (a hosted project's postgres is not)`,
      `rebuild it: STACK_INSTANCE=${config.instance} npm run stack:reset`,
    );
  }
}

function migrationVersions(): string[] {
  return [...Deno.readDirSync(MIGRATIONS_DIR)]
    .filter((e) => e.isFile && /^\d+_.+\.sql$/.test(e.name))
    .map((e) => e.name.split("_")[0])
    .sort();
}

export async function pendingMigrations(config: StackConfig): Promise<string[]> {
  const exists = await query(config, "select to_regclass('supabase_migrations.schema_migrations') is not null");
  const applied = exists === "t"
    ? new Set((await query(config, "select version from supabase_migrations.schema_migrations")).split("\n"))
    : new Set<string>();
  return migrationVersions().filter((v) => !applied.has(v));
}

/** `supabase db push --db-url`, the same command that deploys to a hosted project. */
export async function pushMigrations(config: StackConfig) {
  const dbUrl = `${config.dbUrl}?sslmode=disable`;
  const result = await run(`${repoRoot}/node_modules/.bin/supabase`, [
    "db", "push", "--db-url", dbUrl, "--include-all", "--yes", "--workdir", repoRoot,
  ], { cwd: repoRoot, env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" } });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0) {
    throw new StackError(
      `a migration failed to apply:\n${output.trim().split("\n").filter((l) => l.trim()).slice(-12).join("\n")}`,
      "fix the migration named above and run `npm run stack:up` again (it was not recorded as applied)",
    );
  }
}

const checksumsFile = (config: StackConfig) => `${config.dir}/applied-migrations.json`;

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function migrationChecksums(): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const entry of Deno.readDirSync(MIGRATIONS_DIR)) {
    if (entry.isFile && entry.name.endsWith(".sql")) sums[entry.name] = await sha256(`${MIGRATIONS_DIR}/${entry.name}`);
  }
  return sums;
}

/** Remembers what each applied migration file looked like, to notice later edits. */
export async function recordMigrationChecksums(config: StackConfig) {
  await Deno.writeTextFile(checksumsFile(config), JSON.stringify(await migrationChecksums(), null, 2));
}

/** Applied migration files edited since (db push never re-applies them): the stack needs a reset. */
export async function editedMigrations(config: StackConfig): Promise<string[]> {
  let recorded: Record<string, string>;
  try {
    recorded = JSON.parse(await Deno.readTextFile(checksumsFile(config)));
  } catch {
    return [];
  }
  const current = await migrationChecksums();
  return Object.keys(recorded).filter((name) => current[name] !== undefined && current[name] !== recorded[name]).sort();
}

export async function applySeed(config: StackConfig) {
  await psqlFile(config, `${repoRoot}/supabase/seed.sql`);
}

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The SQL that stores a Vault secret under a name, creating it or replacing its value (docs/deploy.md). */
export function vaultUpsert(name: string, value: string, description: string): string {
  return `do $$
    declare
      v_id uuid := (select s.id from vault.secrets s where s.name = ${literal(name)});
    begin
      if v_id is null then
        perform vault.create_secret(${literal(value)}, ${literal(name)}, ${literal(description)});
      else
        perform vault.update_secret(v_id, ${literal(value)});
      end if;
    end $$`;
}

/**
 * Where pg_cron and the enqueue wake-up send their calls: the stack's own gateway, stored in Vault
 * as on a hosted project (private.setting reads these two names from Vault only).
 */
export async function writeLocalSettings(config: StackConfig) {
  await query(config, vaultUpsert("project_url", config.apiUrl, "Base URL pg_cron calls job-worker at"));
  await query(config, vaultUpsert("worker_secret_token", config.workerSecretToken, "Bearer token pg_cron sends to job-worker"));
}
