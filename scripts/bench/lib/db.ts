// Database helpers for the benchmark: an admin connection to the bench stack's cluster, a fresh
// database per engine, and our schema applied to a database of its own.
import postgres from "postgres";
import { repoRoot, type StackConfig } from "../../stack/config.ts";
import { vaultUpsert } from "../../stack/database.ts";

export type Sql = postgres.Sql;

/** The cluster URL with another database name. */
export function dbUrl(config: StackConfig, database: string): string {
  return config.dbUrl.replace(/\/[^/]*$/, `/${database}`);
}

export function connect(url: string, max = 2): Sql {
  return postgres(url, { max, idle_timeout: 5, onnotice: () => {}, connection: { application_name: "bench" } });
}

/** Drops (if there) and creates an empty database. */
export async function recreateDatabase(config: StackConfig, name: string): Promise<void> {
  const admin = connect(config.dbUrl, 1);
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 2 });
  }
}

export async function dropDatabase(config: StackConfig, name: string): Promise<void> {
  const admin = connect(config.dbUrl, 1);
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end({ timeout: 2 });
  }
}

async function psqlFile(url: string, file: string, text: string, vars: Record<string, string> = {}): Promise<void> {
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["-v", `${name}=${value}`]);
  const out = await new Deno.Command("psql", {
    args: [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", ...varArgs, "-1", "-f", "-"],
    cwd: `${repoRoot}/scripts/stack/sql`, // bootstrap.sql includes vault.sql (\ir) from there
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PGCONNECT_TIMEOUT: "5" },
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const result = await out.output();
  if (result.code !== 0) {
    throw new Error(`${file} failed in ${url.replace(/^.*\//, "")}: ${new TextDecoder().decode(result.stderr).trim()}`);
  }
}

// pg_cron can only live in cron.database_name (the stack's `postgres` database). Our schema in
// another database gets a stand-in `cron` schema instead: the queue never calls pg_cron, only
// its schedules and retention do, and nothing runs them in the benchmark's databases.
const CRON_STUB = `
create schema if not exists cron;
create table if not exists cron.job (jobid bigserial primary key, schedule text, command text, nodename text,
  nodeport integer, database text, username text, active boolean default true, jobname text unique);
create table if not exists cron.job_run_details (jobid bigint, runid bigserial primary key, job_pid integer,
  database text, username text, command text, status text, return_message text, start_time timestamptz,
  end_time timestamptz);
create or replace function cron.schedule(job_name text, schedule text, command text) returns bigint
language sql security definer as $$
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid
$$;
create or replace function cron.unschedule(job_name text) returns boolean
language sql security definer as $$ delete from cron.job where jobname = job_name returning true $$;
grant usage on schema cron to postgres;
`;

const withoutPgCron = (sql: string) =>
  sql.replace(
    /^\s*create extension if not exists pg_cron[^;]*;/gim,
    "-- (bench: pg_cron lives in the postgres database)",
  );

/**
 * A database with our schema, as the stack builds it (bootstrap, pg_net shim, the realtime and
 * storage schemas, every migration in supabase/migrations in order), except that pg_cron is a stand-in there (see CRON_STUB).
 * The enqueue wake-up stays on: it queues its net.http_post as usual (nothing sends it here).
 */
export async function createOursDatabase(config: StackConfig, name: string): Promise<void> {
  await recreateDatabase(config, name);
  const url = dbUrl(config, name);
  // The platform's part as the superuser, as the stack does; migrations as postgres.
  const adminUrl = config.adminDbUrl.replace(/\/[^/]*$/, `/${name}`);
  const sqlDir = `${repoRoot}/scripts/stack/sql`;
  await psqlFile(adminUrl, "cron stand-in", CRON_STUB);
  await psqlFile(adminUrl, "bootstrap.sql", withoutPgCron(await Deno.readTextFile(`${sqlDir}/bootstrap.sql`)), {
    vault_key_file: config.vaultKeyFile,
  });
  await psqlFile(adminUrl, "net_shim.sql", await Deno.readTextFile(`${sqlDir}/net_shim.sql`));
  // Supabase's realtime and storage schemas, which the migrations use (broadcasts, the imports bucket)
  for (const file of ["realtime.sql", "storage.sql"]) {
    await psqlFile(adminUrl, file, await Deno.readTextFile(`${sqlDir}/${file}`));
  }
  // The drains start from a CHECKPOINT, which postgres (not a superuser, as on hosted) may not run
  // otherwise; this grant exists on the bench's own cluster only.
  await psqlFile(adminUrl, "checkpoint grant", "grant pg_checkpoint to postgres;");
  const dir = `${repoRoot}/supabase/migrations`;
  const files = [...Deno.readDirSync(dir)].filter((e) => e.isFile && /^\d+_.+\.sql$/.test(e.name)).map((e) => e.name)
    .sort();
  for (const file of files) await psqlFile(url, file, withoutPgCron(await Deno.readTextFile(`${dir}/${file}`)));
  const sql = connect(url, 1);
  try {
    await sql.unsafe(`alter database ${name} set search_path = "$user", public, extensions`);
    // Where the wake-up would call the worker: a port nobody listens on (no dispatcher serves this database).
    await sql.unsafe(vaultUpsert("project_url", "http://127.0.0.1:9", "bench: nobody listens there"));
    await sql.unsafe(vaultUpsert("worker_secret_token", "bench", "bench"));
  } finally {
    await sql.end({ timeout: 2 });
  }
}
