// Section 2: pickup latency. One job into an idle queue, timed until it is `processing`, through
// the real path: the INSERT's statement trigger queues net.http_post -> the pg_net shim's
// dispatcher (woken by NOTIFY after commit) -> gateway /functions/v1/job-worker -> the worker's
// claim_jobs. Measured by the client (insert sent -> status seen as processing, polled every
// 2 ms) and by the database's own clocks (started_at - created_at: claim start - insert start).
//
// Wake-up off: the trigger disabled (ALTER TABLE ... DISABLE TRIGGER wake_worker), leaving
// pg_cron's every-minute call as the only way in. Jobs are queued at random moments over a
// number of minutes; each waits for the next cron tick, so expect 0-60 s (~30 s median).
import type { StackConfig } from "../../stack/config.ts";
import type { Sql } from "../lib/db.ts";
import { createAccounts, fakeApollo, setCronWorker, setWakeUp, waitIdle } from "../lib/fixtures.ts";
import { latencySummary, sleep } from "../lib/stats.ts";

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

export async function pickupWake(
  sql: Sql,
  config: StackConfig,
  workspaceId: string,
  count: number,
  log: (s: string) => void,
) {
  await fakeApollo(config).reset();
  await setWakeUp(sql, true);
  await setCronWorker(sql, false); // a cron call could pick a job up first
  const accounts = await createAccounts(sql, workspaceId, "pickup", count + 3);
  try {
    // warm-up: the first calls of a fresh worker process compile and open connections
    for (const account of accounts.slice(count)) {
      const id = await enqueue(sql, workspaceId, account);
      await waitFor(sql, id, ["completed", "failed"], 15_000);
      await waitIdle(sql);
    }
    const client: number[] = [];
    const ids: string[] = [];
    for (const account of accounts.slice(0, count)) {
      await waitIdle(sql);
      await sleep(50);
      const t0 = performance.now();
      const id = await enqueue(sql, workspaceId, account);
      await waitFor(sql, id, ["processing", "completed", "failed"], 15_000, 2);
      client.push(performance.now() - t0);
      ids.push(id);
      await waitFor(sql, id, ["completed", "failed"], 15_000);
    }
    const failed =
      await sql`select id, error_message from public.jobs where id = any(${ids}::uuid[]) and status <> 'completed'`;
    if (failed.length) log(`  warning: ${failed.length} pickup job(s) did not complete: ${failed[0].error_message}`);
    const server = await serverPickupMs(sql, ids);
    log(
      `  wake-up path: p50 ${latencySummary(client).p50} ms, p95 ${latencySummary(client).p95} ms over ${count} jobs`,
    );
    return { client: latencySummary(client), server: latencySummary(server) };
  } finally {
    await setCronWorker(sql, true);
  }
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

async function waitFor(sql: Sql, id: string, statuses: string[], timeoutMs: number, pollMs = 10) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const [row] = await sql<{ status: string }[]>`select status from public.jobs where id = ${id}`;
    if (statuses.includes(row.status)) return row.status;
    await sleep(pollMs);
  }
  throw new Error(`job ${id} did not become ${statuses.join("/")} in ${timeoutMs} ms`);
}
