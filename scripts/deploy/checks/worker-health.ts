// GET <url>/functions/v1/job-worker with the worker token: the function is deployed without JWT
// verification, configured (WORKER_SECRET_TOKEN strong in production), reaches its database,
// and reports no alert (200 healthy; 503 degraded with reasons, or unhealthy).
import { type Check, fail, isLoopback, pass, warn } from "../lib/context.ts";

interface HealthBody {
  status?: string;
  reason?: string;
  reasons?: string[];
  error?: string;
  message?: string;
  msg?: string;
  environment?: { region?: string; env?: string };
  queue?: { due?: number; pending?: number; processing?: number };
  operations?: {
    oldest_due_age_seconds?: number;
    last_24h?: { completed?: number; failed?: number; failure_rate?: number | null };
  };
  warnings?: string[];
}

export const workerHealthCheck: Check = {
  id: "worker-health",
  title: "worker health is healthy",
  async run(ctx) {
    const url = `${ctx.apiUrl}/functions/v1/job-worker`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${ctx.options.workerToken}` },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      return fail(`could not reach ${url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let body: HealthBody = {};
    try {
      body = JSON.parse(text);
    } catch { /* not JSON: reported below */ }
    const said = body.error ?? body.message ?? body.msg ?? text.slice(0, 200);

    if (response.status === 401) {
      if (/jwt|authorization header/i.test(said) && body.error !== "Unauthorized") {
        return fail(
          `the Functions gateway refused the call before the worker (401 ${said}): deploy job-worker with --no-verify-jwt`,
        );
      }
      return fail(
        "the worker refused --worker-token (401 Unauthorized): it is not the function's WORKER_SECRET_TOKEN " +
          "(supabase secrets set WORKER_SECRET_TOKEN=..., or pass the right one)",
      );
    }
    if (response.status === 404) {
      return fail(
        `no job-worker function at ${url} (404 ${said}): supabase functions deploy job-worker --no-verify-jwt`,
      );
    }
    if (response.status === 500 && body.error === "Worker is not configured") {
      return fail(`the worker refuses to run: ${body.reason}`);
    }
    if (body.status === "degraded") {
      const reasons = body.reasons ?? [];
      return fail(
        `degraded (HTTP ${response.status}): ${reasons.join("; ")}`,
        reasons.length > 1 ? reasons : undefined,
      );
    }
    if (body.status === "unhealthy") return fail(`unhealthy (HTTP ${response.status}): ${body.reason}`);
    if (response.status !== 200 || body.status !== "healthy") {
      return fail(`unexpected answer: HTTP ${response.status} ${said}`);
    }

    const env = body.environment?.env ?? "?";
    const ops = body.operations;
    const numbers = [
      `${body.queue?.due ?? "?"} due`,
      `oldest due ${ops?.oldest_due_age_seconds ?? 0} s`,
      `${body.queue?.processing ?? "?"} processing`,
      `24 h: ${ops?.last_24h?.completed ?? "?"} completed / ${ops?.last_24h?.failed ?? "?"} failed`,
    ].join(", ");
    const summary = `healthy (${env}, region ${body.environment?.region ?? "?"}): ${numbers}`;
    const warnings = [...(body.warnings ?? [])];
    if (!isLoopback(ctx.apiUrl) && env !== "production") {
      warnings.push(`the worker runs as "${env}" on a hosted project: supabase secrets set ENVIRONMENT=production`);
    }
    return warnings.length > 0 ? warn(`${summary}; ${warnings[0]}`, warnings) : pass(summary);
  },
};
