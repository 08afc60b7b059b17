// Section 3: enrichment end to end. Accounts enriched through the product's own bulk enqueue
// (enqueue_account_enrichments: one INSERT per call, so at most one wake-up per call), the real worker
// (MAX_CONCURRENT 5, MAX_GLOBAL_CONCURRENCY 20), and the fake Apollo answering after a fixed
// latency. Timed from the enqueue call until every job is completed. pg_cron's every-minute call
// is paused meanwhile, so a tick cannot add a second worker invocation to some runs and not others.
import type { StackConfig } from "../../stack/config.ts";
import type { Sql } from "../lib/db.ts";
import { createAccounts, waitIdle, withWakeUpOnly } from "../lib/fixtures.ts";
import { round } from "../lib/stats.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** enqueue_account_enrichments takes at most 500 accounts per call. */
const PER_CALL = 500;

export interface EnrichmentRun {
  jobs: number;
  apollo_latency_ms: number;
  seconds: number;
  jobs_per_s: number;
  enqueue_calls: number;
  worker_invocations: number;
  completed: number;
  failed: number;
}

export function enrichmentRun(
  sql: Sql,
  config: StackConfig,
  workspaceId: string,
  jobs: number,
  latencyMs: number,
  label: string,
): Promise<EnrichmentRun> {
  return withWakeUpOnly(sql, config, latencyMs, async () => {
    const accounts = await createAccounts(sql, workspaceId, label, jobs);
    await waitIdle(sql);
    const [{ before }] = await sql<
      { before: string }[]
    >`select (case when is_called then last_value else 0 end)::text as before from net.http_request_queue_id_seq`;
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < accounts.length; i += PER_CALL) {
      const rows = await sql<{ id: string }[]>`
        select id from public.enqueue_account_enrichments(${accounts.slice(i, i + PER_CALL)}::uuid[])`;
      ids.push(...rows.map((r) => r.id));
    }
    let done = { completed: 0, failed: 0 };
    const deadline = performance.now() + 300_000;
    while (performance.now() < deadline) {
      [done] = await sql<{ completed: number; failed: number }[]>`
        select count(*) filter (where status = 'completed')::int as completed,
               count(*) filter (where status in ('failed', 'cancelled'))::int as failed
        from public.jobs where id = any(${ids}::uuid[])`;
      if (done.completed + done.failed === ids.length) break;
      await sleep(jobs > 100 ? 50 : 10);
    }
    const seconds = (performance.now() - t0) / 1000;
    const [{ invocations }] = await sql<{ invocations: number }[]>`
      select (case when is_called then last_value else 0 end - ${before}::bigint)::int as invocations from net.http_request_queue_id_seq`;
    return {
      jobs: ids.length,
      apollo_latency_ms: latencyMs,
      seconds: round(seconds, 2),
      jobs_per_s: round(ids.length / seconds, 1),
      enqueue_calls: Math.ceil(accounts.length / PER_CALL),
      worker_invocations: invocations,
      completed: done.completed,
      failed: done.failed,
    };
  });
}
