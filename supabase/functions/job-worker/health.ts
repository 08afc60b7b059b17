// GET: is the worker deployed, configured, able to reach its queue, and is the queue moving?
//   200 {status: "healthy"}   nothing to report
//   503 {status: "degraded"}  an alert: jobs due for longer than alert_due_after_seconds, the last
//                             alert_failed_calls worker calls failed, the cron call's Vault secrets
//                             missing, or no usable APOLLO_KEY_ENCRYPTION_KEY; `reasons` says which
//   503 {status: "unhealthy"} the database cannot be reached (or lacks the ops migration)
// `database` says how the worker connects (through the transaction pooler or directly, the port,
// DB_POOL_SIZE) and the most pooler clients its invocations may hold together; verify:deploy warns
// when a hosted worker does not use the pooler.
// 503 rather than 200 so that an uptime monitor that only checks the status code catches a stuck
// queue; the body says which of the two it is. The headline numbers are in `queue` (public.queue_stats)
// and `operations` (ops.health_snapshot).
import { dbSettings, describeConnection, withOwnPool } from "../_shared/db.ts";
import type { EnvReader } from "../_shared/environment.ts";
import { maxInvocations, type WorkerConfig } from "./config.ts";
import {
  configurationAlerts,
  configurationWarnings,
  type OperationsSnapshot,
  readConfiguration,
  verdict,
} from "./health-report.ts";
import { previousToken } from "./token-rotation.ts";

export interface QueueStats {
  pending: number;
  due: number;
  processing: number;
  failed_last_24h: number;
  completed_last_24h: number;
  oldest_pending_age_seconds: number;
}

/** The connection budget: invocations at once x connections per instance = pooler clients at most. */
export function databaseReport(config: WorkerConfig, env: EnvReader) {
  try {
    const settings = dbSettings(env);
    const invocations = maxInvocations(config);
    return {
      ...describeConnection(settings),
      max_invocations: invocations,
      max_clients: invocations * settings.poolSize,
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export async function health(config: WorkerConfig, workerId: string, env: EnvReader = Deno.env) {
  const configuration = readConfiguration(env, previousToken(config, env) !== undefined);
  const base = {
    worker_exists: true,
    worker_id: workerId,
    timestamp: new Date().toISOString(),
    environment: { region: config.region, env: config.env },
    configuration,
    database: databaseReport(config, env),
    warnings: configurationWarnings(configuration, config.env),
  };
  let stats: QueueStats;
  let snapshot: OperationsSnapshot;
  try {
    // its own connection, closed after: nothing stays open between health checks
    [{ stats, snapshot }] = await withOwnPool((sql) =>
      sql<{ stats: QueueStats; snapshot: OperationsSnapshot }[]>`
        select public.queue_stats() as stats, ops.health_snapshot() as snapshot`
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === "42883" || code === "3F000"
      ? "The database lacks the operator views (ops.health_snapshot): apply the migrations (supabase db push)"
      : `Database unreachable: ${(error as Error).message}`;
    return { status: 503, body: { status: "unhealthy", ...base, reason } };
  }
  const { alerts: queueAlerts, ...operations } = snapshot;
  const alerts = [...queueAlerts, ...configurationAlerts(configuration)];
  const { status, reasons } = verdict(alerts);
  return {
    status: status === "healthy" ? 200 : 503,
    body: { status, ...(reasons.length > 0 ? { reasons } : {}), ...base, queue: stats, operations, alerts },
  };
}
