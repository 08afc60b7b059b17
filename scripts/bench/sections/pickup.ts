// Section 2: pickup latency. One job into an idle queue, timed until it is `processing`, through
// the real path: the INSERT's statement trigger queues net.http_post -> the pg_net shim's
// dispatcher (woken by NOTIFY after commit) -> gateway /functions/v1/job-worker -> the worker's
// claim_jobs. Measured by the client (insert sent -> status seen as processing, polled every
// 2 ms) and by the database's own clocks (started_at - created_at: claim start - insert start).
// Idle means no job processing, no worker call in flight and no worker invocation registered as
// running (private.worker_runs): while one is, an enqueue wakes nobody and that invocation's
// polling picks the job up instead.
//
// Burst: single-row enqueues back to back into an idle queue, as a member clicking Enrich on one
// account after another. Wake-ups are debounced (20261205000500_debounced_wakeups.sql), so the
// burst should make one or two wake-up calls, not one per statement; reported with the jobs'
// pickup latency (database clock) and the fan-out calls the worker made to share the burst.
//
// Wake-up off: the trigger disabled (ALTER TABLE ... DISABLE TRIGGER wake_worker), leaving
// pg_cron's every-minute call as the only way in. Jobs are queued at random moments over a
// number of minutes; each waits for the next cron tick, so expect 0-60 s (~30 s median).
import type { StackConfig } from "../../stack/config.ts";
import type { Sql } from "../lib/db.ts";
import { createAccounts, fakeApollo, setCronWorker, setWakeUp, waitIdle, withWakeUpOnly } from "../lib/fixtures.ts";
import { latencySummary, round } from "../lib/stats.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../../stack/shell.ts";

async function enqueue(sql: Sql, workspaceId: string, accountId: string): Promise<string> {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (workspace_id, job_type, payload)
    select a.workspace_id, 'enrich_account', jsonb_build_object('account_id', a.id, 'domain', a.domain)
    from public.accounts a where a.id = ${accountId} and a.workspace_id = ${workspaceId}
    returning id`;
  return job.id;
}

async function serverPickupMs(sql: Sql, ids: string[]): Promise<number[]> {
  const rows = await sql<{ ms: number }[]>`
    select extract(epoch from started_at - created_at) * 1000 as ms
    from public.jobs where id = any(${ids}::uuid[]) and started_at is not null`;
  return rows.map((r) => Number(r.ms));
}

export function pickupWake(
  sql: Sql,
  config: StackConfig,
  workspaceId: string,
  count: number,
  log: (s: string) => void,
) {
  return withWakeUpOnly(sql, config, 0, async () => {
    const accounts = await createAccounts(sql, workspaceId, "pickup", count + 3);
    // warm-up: the first calls of a fresh worker process compile and open connections
    for (const account of accounts.slice(count)) {
      const id = await enqueue(sql, workspaceId, account);
      await waitForStatus(sql, id, ["completed", "failed"], 15_000);
      await waitIdle(sql);
    }
    const client: number[] = [];
    const ids: string[] = [];
    for (const account of accounts.slice(0, count)) {
      await waitIdle(sql);
      await sleep(50);
      const t0 = performance.now();
      const id = await enqueue(sql, workspaceId, account);
      await waitForStatus(sql, id, ["processing", "completed", "failed"], 15_000, 2);
      client.push(performance.now() - t0);
      ids.push(id);
      await waitForStatus(sql, id, ["completed", "failed"], 15_000);
    }
    const failed =
      await sql`select id, error_message from public.jobs where id = any(${ids}::uuid[]) and status <> 'completed'`;
    if (failed.length) log(`  warning: ${failed.length} pickup job(s) did not complete: ${failed[0].error_message}`);
    const server = await serverPickupMs(sql, ids);
    log(
      `  wake-up path: p50 ${latencySummary(client).p50} ms, p95 ${latencySummary(client).p95} ms over ${count} jobs`,
    );
    return { client: latencySummary(client), server: latencySummary(server) };
  });
}

export interface PickupBurst {
  jobs: number;
  apollo_latency_ms: number;
  /** Client clock: the first enqueue sent -> the last one returned. */
  enqueue_ms: number;
  /** private.worker_calls since the burst began, by reason. */
  wakeup_calls: number;
  fan_out_calls: number;
  other_calls: number;
  /** Database clock, started_at - created_at of each job. */
  pickup_ms: ReturnType<typeof latencySummary>;
  all_done_s: number;
  completed: number;
}

/**
 * `count` single-row enqueues back to back into an idle queue, the fake Apollo answering after
 * latencyMs: how many wake-up calls they made, and how soon each job started.
 */
export function pickupBurst(
  sql: Sql,
  config: StackConfig,
  workspaceId: string,
  count: number,
  latencyMs: number,
  log: (s: string) => void,
): Promise<PickupBurst> {
  return withWakeUpOnly(sql, config, latencyMs, async () => {
    const accounts = await createAccounts(sql, workspaceId, `burst-${latencyMs}`, count);
    await waitIdle(sql);
    await sleep(300); // past the wake-up debounce window (250 ms) of any earlier call
    const [{ since }] = await sql<{ since: Date }[]>`select clock_timestamp() as since`;
    const t0 = performance.now();
    const ids: string[] = [];
    for (const account of accounts) ids.push(await enqueue(sql, workspaceId, account));
    const enqueueMs = performance.now() - t0;
    let done = { completed: 0, finished: 0 };
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      [done] = await sql<{ completed: number; finished: number }[]>`
        select count(*) filter (where status = 'completed')::int as completed,
               count(*) filter (where status in ('completed', 'failed', 'cancelled'))::int as finished
        from public.jobs where id = any(${ids}::uuid[])`;
      if (done.finished === ids.length) break;
      await sleep(10);
    }
    const allDoneS = (performance.now() - t0) / 1000;
    if (done.finished < ids.length) log(`  warning: ${ids.length - done.finished} burst job(s) did not finish in 60 s`);
    await waitIdle(sql); // every call the burst caused has been made and answered
    const calls = await sql<{ reason: string; n: number }[]>`
      select reason, count(*)::int as n from private.worker_calls where requested_at >= ${since} group by reason`;
    const byReason = (reason: string) => calls.find((c) => c.reason === reason)?.n ?? 0;
    const pickup = latencySummary(await serverPickupMs(sql, ids));
    const result: PickupBurst = {
      jobs: ids.length,
      apollo_latency_ms: latencyMs,
      enqueue_ms: round(enqueueMs, 1),
      wakeup_calls: byReason("enqueue"),
      fan_out_calls: byReason("fan_out"),
      other_calls: calls.reduce((sum, c) => sum + c.n, 0) - byReason("enqueue") - byReason("fan_out"),
      pickup_ms: pickup,
      all_done_s: round(allDoneS, 2),
      completed: done.completed,
    };
    log(
      `  burst of ${count}, Apollo ${latencyMs} ms: ${result.wakeup_calls} wake-up call(s), ${result.fan_out_calls} fan-out; ` +
        `pickup p50 ${pickup.p50} ms, p95 ${pickup.p95} ms; all done in ${result.all_done_s} s`,
    );
    return result;
  });
}

/**
 * Cron only: the wake-up trigger off for the whole measurement (minutes). Runs while the queue
 * benchmark runs in its own databases; put it back on when done (finally).
 */
export async function pickupCronOnly(
  sql: Sql,
  config: StackConfig,
  workspaceId: string,
  count: number,
  minutes: number,
  log: (s: string) => void,
) {
  await fakeApollo(config).reset();
  const accounts = await createAccounts(sql, workspaceId, "cron", count);
  await setCronWorker(sql, true);
  await setWakeUp(sql, false);
  try {
    // random moments over the next `minutes` minutes, then one more tick to pick the last ones up
    const spanMs = minutes * 60_000;
    const at = accounts.map(() => Math.random() * spanMs).sort((a, b) => a - b);
    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < accounts.length; i++) {
      const wait = started + at[i] - performance.now();
      if (wait > 0) await sleep(wait);
      ids.push(await enqueue(sql, workspaceId, accounts[i]));
    }
    const deadline = Date.now() + 75_000;
    while (Date.now() < deadline) {
      const [{ waiting }] = await sql<{ waiting: number }[]>`
        select count(*)::int as waiting from public.jobs where id = any(${ids}::uuid[]) and started_at is null`;
      if (waiting === 0) break;
      await sleep(250);
    }
    const server = await serverPickupMs(sql, ids);
    if (server.length < ids.length) log(`  warning: ${ids.length - server.length} cron-only job(s) were not picked up`);
    const summary = latencySummary(server);
    log(`  cron only: p50 ${summary.p50} ms, p95 ${summary.p95} ms, max ${summary.max} ms over ${server.length} jobs`);
    return { server: summary, jobs: ids.length, minutes };
  } finally {
    await setWakeUp(sql, true);
  }
}

async function waitForStatus(sql: Sql, id: string, statuses: string[], timeoutMs: number, pollMs = 10) {
  let status = "";
  const reached = await waitFor(async () => {
    [{ status }] = await sql<{ status: string }[]>`select status from public.jobs where id = ${id}`;
    return statuses.includes(status);
  }, timeoutMs, pollMs);
  if (!reached) throw new Error(`job ${id} did not become ${statuses.join("/")} in ${timeoutMs} ms`);
  return status;
}
