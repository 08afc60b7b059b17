// What every check gets: the deployment's addresses, a database connection opened once, and the
// repository's own expectations (migrations, cron schedules). A check returns one Outcome.
import postgres from "postgres";
import { type CronJob, expectedCronJobs } from "./repo.ts";

export type Sql = postgres.Sql;

/** PASS and WARN keep the exit status 0 (WARN fails with --strict); FAIL makes it 1; SKIP is informational. */
export type Status = "PASS" | "WARN" | "FAIL" | "SKIP";

export interface Outcome {
  status: Status;
  /** One line: what was found, or why it failed and what to do. */
  summary: string;
  /** Extra lines (one per finding), printed indented under the summary. */
  details?: string[];
}

export interface Options {
  url: string;
  dbUrl: string;
  workerToken: string;
  /** The project's publishable key (or a legacy project's anon key): the apikey Auth's settings need. */
  publishableKey?: string;
  enrichDomain?: string;
  workspaceId?: string;
  /** Seconds to wait for the enrichment job. */
  enrichTimeout: number;
  /** Queue one worker call through pg_net and wait for its answer, and sign up a throwaway address (default on). */
  probe: boolean;
  strict: boolean;
  json: boolean;
  only?: string[];
  skip?: string[];
}

export interface Check {
  id: string;
  title: string;
  run(ctx: Context): Promise<Outcome>;
}

export class Context {
  #sql?: Sql;
  #connecting?: Promise<Sql>;

  constructor(readonly options: Options) {}

  /** The database, connected on first use (a failure is thrown to the check, which reports it). */
  db(): Promise<Sql> {
    this.#connecting ??= (async () => {
      const url = this.options.dbUrl;
      const sql = postgres(url, {
        max: 2,
        idle_timeout: 5,
        connect_timeout: 10,
        // Supavisor's transaction mode (port 6543) does not keep prepared statements
        prepare: !/:6543(\/|$)/.test(url),
        onnotice: () => {},
        connection: { application_name: "verify-deploy" },
      });
      try {
        await sql`select 1`;
      } catch (error) {
        await sql.end({ timeout: 1 }).catch(() => {});
        throw new Error(`the database at ${describeDbUrl(url)} does not answer: ${(error as Error).message}`);
      }
      this.#sql = sql;
      return sql;
    })();
    return this.#connecting;
  }

  async close() {
    await this.#sql?.end({ timeout: 2 }).catch(() => {});
  }

  /** The API base URL without a trailing slash. */
  get apiUrl(): string {
    return this.options.url.replace(/\/+$/, "");
  }
}

/** host:port/database of a connection string, never its password. */
export function describeDbUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable database URL)";
  }
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "::1" || host === "[::1]" || host.startsWith("127.");
  } catch {
    return false;
  }
}

/** Whether the table (or view) exists: the first question of a check whose objects a migration or an extension creates. */
export async function tableExists(sql: Sql, name: string): Promise<boolean> {
  const [{ exists }] = await sql<{ exists: boolean }[]>`select to_regclass(${name}) is not null as exists`;
  return exists;
}

/** A check's run that reads `table`: FAIL saying `missing` (what to do) when the database has no such table. */
export function withTable(
  table: string,
  missing: string,
  run: (sql: Sql, ctx: Context) => Promise<Outcome>,
): (ctx: Context) => Promise<Outcome> {
  return async (ctx) => {
    const sql = await ctx.db();
    if (!(await tableExists(sql, table))) return fail(missing);
    return await run(sql, ctx);
  };
}

/**
 * withTable for the checks of the cron jobs the migrations schedule: the pg_cron table they read
 * must exist (else pg_cron is not installed), and run gets the jobs the migrations leave scheduled.
 */
export function withCronJobs(
  table: string,
  run: (sql: Sql, expected: CronJob[]) => Promise<Outcome>,
): (ctx: Context) => Promise<Outcome> {
  const missing = `pg_cron is not installed (${table} is missing): enable it (migrations do: supabase db push)`;
  return withTable(table, missing, (sql) => run(sql, expectedCronJobs()));
}

export const pass = (summary: string, details?: string[]): Outcome => ({ status: "PASS", summary, details });
export const warn = (summary: string, details?: string[]): Outcome => ({ status: "WARN", summary, details });
export const fail = (summary: string, details?: string[]): Outcome => ({ status: "FAIL", summary, details });

/** The worst of several statuses (FAIL > WARN > PASS > SKIP). */
export function worst(statuses: Status[]): Status {
  for (const s of ["FAIL", "WARN", "PASS"] as const) if (statuses.includes(s)) return s;
  return "SKIP";
}

export function ago(seconds: number): string {
  seconds = Math.max(0, seconds);
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}
