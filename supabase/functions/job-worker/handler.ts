// job-worker over HTTP. POST runs a batch of jobs (pg_cron calls it every minute through
// pg_net, and enqueueing wakes it at once); GET is the health check. Both need
// `Authorization: Bearer <WORKER_SECRET_TOKEN>` (or WORKER_SECRET_TOKEN_PREVIOUS during a rotation).
// The POST body says who called ({reason: "cron" | "enqueue" | ...}, as private.invoke_worker sends
// it); at most 4 KB of it is read, so whatever a caller sends costs no memory here. The database's own
// calls drain the queue (they also wait for work falling due within their time); a call by hand
// (curl, verify:deploy, tests) runs what is due now and answers.
import { withOwnPool } from "../_shared/db.ts";
import { json } from "../_shared/http.ts";
import { readBodyCapped } from "../_shared/request-body.ts";
import { loadConfig, newWorkerId, type WorkerConfig } from "./config.ts";
import { health } from "./health.ts";
import { runBatch } from "./runner.ts";

/** The reasons private.invoke_worker gives when the database itself starts an invocation. */
const DRAINING_REASONS = new Set(["cron", "enqueue", "retry", "fan_out", "handoff"]);

/** The caller's reason from a small JSON body; "manual" for anything else. */
async function callerReason(req: Request): Promise<string> {
  if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? "")) return "manual";
  try {
    const body = JSON.parse(new TextDecoder().decode(await readBodyCapped(req, 4096))) as { reason?: unknown };
    return typeof body.reason === "string" && /^[a-z_-]{1,32}$/.test(body.reason) ? body.reason : "manual";
  } catch {
    return "manual";
  }
}
import { isAuthorizedDuringRotation } from "./token-rotation.ts";

let config: WorkerConfig | undefined;
let configError: string | undefined;
try {
  config = loadConfig();
} catch (error) {
  configError = (error as Error).message;
}
const processWorkerId = config ? newWorkerId(config) : "unconfigured";

export async function handler(req: Request): Promise<Response> {
  if (!config || config.misconfiguration) {
    const reason = configError ?? config?.misconfiguration;
    console.error(`[JobWorker] refusing to run: ${reason}`);
    return json({ error: "Worker is not configured", reason }, 500);
  }
  if (!isAuthorizedDuringRotation(req, config)) return json({ error: "Unauthorized" }, 401);

  if (req.method === "GET") {
    const { status, body } = await health(config, processWorkerId);
    return json(body, status);
  }
  if (req.method !== "POST") return json({ error: `Method ${req.method} not allowed; use POST or GET` }, 405);

  const started = Date.now();
  const workerId = newWorkerId(config);
  const reason = await callerReason(req);
  console.log(`[JobWorker] Starting job execution... (worker ${workerId}, ${reason})`);
  try {
    // Its own DB_POOL_SIZE connections: the budget is per invocation (see _shared/db.ts).
    const result = await withOwnPool((sql) =>
      runBatch(config, workerId, { waitForDueWork: DRAINING_REASONS.has(reason) }, sql)
    );
    const duration = Date.now() - started;
    console.log(`[JobWorker] Execution completed in ${duration}ms`);
    return json({ success: true, duration_ms: duration, worker_id: workerId, timestamp: new Date().toISOString(), ...result });
  } catch (error) {
    console.error(`[JobWorker] Execution failed after ${Date.now() - started}ms:`, error);
    return json({
      success: false,
      duration_ms: Date.now() - started,
      worker_id: workerId,
      timestamp: new Date().toISOString(),
      error: `Worker could not run: ${(error as Error).message}`,
    }, 503);
  }
}
