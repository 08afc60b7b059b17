// How the deployed worker connects to the database, from its health check (`database`): through
// Supavisor's transaction pooler (the DB_POOLER_URL secret, port 6543), or directly (SUPABASE_DB_URL),
// where a burst of invocations, each with DB_POOL_SIZE connections, can use up a small project's
// direct connections (60 on the smallest compute). A direct connection is a warning, not a failure:
// the worker works, until a backlog fans it out.
import { type Check, fail, isLoopback, type Outcome, pass, warn } from "../lib/context.ts";

export interface WorkerDatabase {
  connection?: "pooler" | "direct";
  port?: number | null;
  pool_size?: number;
  max_invocations?: number;
  max_clients?: number;
  error?: string;
}

const SET_POOLER = "supabase secrets set DB_POOLER_URL='postgresql://postgres.<project-ref>:<password>@" +
  "aws-0-<region>.pooler.supabase.com:6543/postgres' (Dashboard -> Connect -> Transaction pooler)";

/** PASS through the transaction pooler (port 6543; any port on a local stack), WARN otherwise. */
export function judgeWorkerDatabase(database: WorkerDatabase | undefined, apiUrl: string): Outcome {
  if (!database) {
    return warn("the worker's health check does not say how it connects: deploy the current job-worker");
  }
  if (database.error) return fail(`the worker's database settings are wrong: ${database.error}`);
  const budget = `at most ${database.max_invocations} invocations x DB_POOL_SIZE ${database.pool_size} = ` +
    `${database.max_clients} connections`;
  if (database.connection === "direct") {
    return warn(
      `the worker connects directly (SUPABASE_DB_URL, port ${database.port}): ${budget} of the database's own, ` +
        `which a small instance runs out of; ${SET_POOLER}`,
    );
  }
  if (database.port !== 6543 && !isLoopback(apiUrl)) {
    return warn(
      `DB_POOLER_URL points at port ${database.port}, not the transaction pooler's 6543 ` +
        `(the pooler's 5432 is session mode: one database connection per client); ${SET_POOLER}`,
    );
  }
  return pass(`through the transaction pooler (port ${database.port}): ${budget} (pooler clients)`);
}

export const workerDatabaseCheck: Check = {
  id: "worker-database",
  title: "worker uses the transaction pooler",
  async run(ctx) {
    const url = `${ctx.apiUrl}/functions/v1/job-worker`;
    let body: { database?: WorkerDatabase };
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${ctx.options.workerToken}` },
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status !== 200 && response.status !== 503) {
        return fail(`the worker's health check answered ${response.status} (see the worker-health item)`);
      }
      body = JSON.parse(text);
    } catch (error) {
      return fail(`could not read the worker's health check at ${url}: ${(error as Error).message}`);
    }
    return judgeWorkerDatabase(body.database, ctx.apiUrl);
  },
};
