// Section "apollo": enriching a team's backlog as fast as its Apollo plan allows, never past it.
// Accounts are queued 500 per enqueue_account_enrichments call (as the SPA's bulk Enrich does) with
// pg_cron's minute call and the enqueue wake-ups on, the real worker (fan-out, hand-off, the pacer,
// bulk calls), and the fake Apollo enforcing a plan per team, answering after 500 ms.
//   paid: the Basic preset (1,000 enrichments a minute; bulk_enrich 100 calls of 10), 5,000 accounts.
//   free: the Free preset (50/min, 200/hour, 600/day; bulk a tenth of that in calls) with windows
//         scaled down 60x (a "minute" lasts 1 s, an "hour" 60 s, a "day" 24 min), 1,000 accounts: the
//         day's 600 are enriched window by window, the rest wait with their reason.
import type { StackConfig } from "../../stack/config.ts";
import type { Sql } from "../lib/db.ts";
import { createAccounts, createBenchWorkspace, setCronWorker, setWakeUp, waitIdle } from "../lib/fixtures.ts";
import { round } from "../lib/stats.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { fakeApolloAdmin } from "../../stack/fake-apollo/admin-client.ts";

const PER_CALL = 500;
const LATENCY_MS = 500;
const BULK_PATH = "organizations/bulk_enrich";

interface LoggedCall {
  path: string;
  team: string | null;
  records: number;
  status: number;
  started_at: string;
}

function admin(config: StackConfig) {
  return fakeApolloAdmin(config.fakeApolloUrl);
}

/** The worker calls pg_net made since `before` (a net request id): CPU each was charged and the jobs it claimed. */
async function invocations(sql: Sql, before: number) {
  const rows = await sql<{ status: number; cpu: string | null; claimed: number | null }[]>`
    select status_code as status, headers ->> 'x-stack-cpu-ms' as cpu,
           case when content like '{%' then (content::jsonb ->> 'claimed')::integer end as claimed
    from net._http_response where id > ${before}`;
  const working = rows.filter((r) => (r.claimed ?? 0) > 0);
  const cpu = working.map((r) => Number(r.cpu)).filter(Number.isFinite);
  const claimed = working.reduce((n, r) => n + (r.claimed ?? 0), 0);
  return {
    worker_invocations: rows.length,
    invocations_with_jobs: working.length,
    invocations_stopped_546: rows.filter((r) => r.status === 546).length,
    cpu_ms_per_invocation_max: cpu.length ? Math.max(...cpu) : null,
    cpu_ms_per_invocation_mean: cpu.length ? round(cpu.reduce((a, b) => a + b, 0) / cpu.length) : null,
    cpu_ms_per_job: claimed ? round(cpu.reduce((a, b) => a + b, 0) / claimed, 1) : null,
  };
}

/** Successful calls grouped into the fixed windows the fake opens on a team's first call (as Apollo does). */
function windows(calls: LoggedCall[], lengthMs: number): number[] {
  const counts: number[] = [];
  let opened = -Infinity;
  for (const c of calls.filter((c) => c.status === 200).sort((a, b) => a.started_at.localeCompare(b.started_at))) {
    const t = Date.parse(c.started_at);
    if (t >= opened + lengthMs) {
      opened = t;
      counts.push(0);
    }
    counts[counts.length - 1] += c.records;
  }
  return counts;
}

async function queue(sql: Sql, accounts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < accounts.length; i += PER_CALL) {
    const rows = await sql<{ id: string }[]>`
      select id from public.enqueue_account_enrichments(${accounts.slice(i, i + PER_CALL)}::uuid[])`;
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

async function counts(sql: Sql, ids: string[]) {
  const [row] = await sql<{ completed: number; failed: number; processing: number; pending: number }[]>`
    select count(*) filter (where status = 'completed')::int as completed,
           count(*) filter (where status in ('failed', 'cancelled'))::int as failed,
           count(*) filter (where status = 'processing')::int as processing,
           count(*) filter (where status = 'pending')::int as pending
    from public.jobs where id = any(${ids}::uuid[])`;
  return row;
}

async function prepare(sql: Sql, config: StackConfig, plan: "basic" | "free", windowScale: number) {
  const call = admin(config);
  await call("POST", "reset");
  await call("POST", "latency", { ms: LATENCY_MS });
  await call("POST", "plan", { plan, windowScale });
  await sql`insert into private.settings (key, value) values ('apollo_window_scale', ${String(windowScale)})
            on conflict (key) do update set value = excluded.value`;
  // the pacer starts from nothing known about the team, as for a newly saved key
  await sql`delete from private.apollo_windows`;
  await setWakeUp(sql, true);
  await setCronWorker(sql, true);
  await waitIdle(sql, 120_000);
  const workspaceId = await createBenchWorkspace(sql, config, `Apollo ${plan}`);
  const [{ before }] = await sql<{ before: number }[]>`select coalesce(max(id), 0)::bigint as before from net._http_response`;
  return { call, workspaceId, before: Number(before) };
}

async function teardown(sql: Sql, workspaceId: string) {
  await sql`delete from public.jobs where workspace_id = ${workspaceId} and status = 'pending'`;
  await sql`delete from private.settings where key = 'apollo_window_scale'`;
}

export async function apolloPaid(sql: Sql, config: StackConfig, accounts: number, log: (line: string) => void) {
  const { call, workspaceId, before } = await prepare(sql, config, "basic", 1);
  try {
    const ids = await createAccounts(sql, workspaceId, "apollo-paid", accounts);
    const t0 = performance.now();
    const jobs = await queue(sql, ids);
    const inFlight: number[] = [];
    let done = await counts(sql, jobs);
    while (done.completed + done.failed < jobs.length && performance.now() - t0 < 900_000) {
      await sleep(1000);
      done = await counts(sql, jobs);
      inFlight.push(done.processing);
      if (inFlight.length % 30 === 0) log(`  ${Math.round((performance.now() - t0) / 1000)} s: ${done.completed} of ${jobs.length} completed`);
    }
    const seconds = (performance.now() - t0) / 1000;
    await waitIdle(sql, 120_000).catch(() => {});
    const logged = ((await call("GET", `requests?path=${BULK_PATH}`)).requests as LoggedCall[]);
    const single = ((await call("GET", "requests?path=organizations/enrich")).requests as LoggedCall[]);
    const all = [...logged, ...single];
    return {
      plan: "basic (1,000 enrichments/min; bulk_enrich 100 calls/min)",
      accounts: jobs.length,
      apollo_latency_ms: LATENCY_MS,
      seconds: round(seconds, 1),
      records_per_min: round(done.completed / (seconds / 60)),
      share_of_plan: round(done.completed / (seconds / 60) / 1000, 2),
      completed: done.completed,
      failed: done.failed,
      apollo_calls: all.length,
      apollo_calls_429: all.filter((c) => c.status === 429).length,
      share_429: all.length ? round(all.filter((c) => c.status === 429).length / all.length, 4) : 0,
      records_per_minute_window: windows(logged, 60_000),
      jobs_in_flight_mean: inFlight.length ? round(inFlight.reduce((a, b) => a + b, 0) / inFlight.length, 1) : 0,
      jobs_in_flight_max: inFlight.length ? Math.max(...inFlight) : 0,
      jobs_in_flight_per_10s: inFlight.filter((_, i) => i % 10 === 0),
      ...(await invocations(sql, before)),
    };
  } finally {
    await teardown(sql, workspaceId);
  }
}

export async function apolloFree(sql: Sql, config: StackConfig, accounts: number, log: (line: string) => void) {
  const scale = 1 / 60;
  const { call, workspaceId, before } = await prepare(sql, config, "free", scale);
  try {
    const ids = await createAccounts(sql, workspaceId, "apollo-free", accounts);
    const t0 = performance.now();
    const jobs = await queue(sql, ids);
    const dayLimit = 600;
    let done = await counts(sql, jobs);
    // Three "hours" fill the day's 600; then nothing more may be called until the "day" (24 min) turns.
    while (done.completed < dayLimit && done.failed === 0 && performance.now() - t0 < 600_000) {
      await sleep(1000);
      done = await counts(sql, jobs);
      if (Math.round((performance.now() - t0) / 1000) % 30 === 0) log(`  ${done.completed} enriched so far`);
    }
    const filledAfter = (performance.now() - t0) / 1000;
    await sleep(20_000); // the rest must wait, not call
    done = await counts(sql, jobs);
    const logged = ((await call("GET", `requests?path=${BULK_PATH}`)).requests as LoggedCall[]);
    const [reason] = await sql<{ reason: string | null; until: string | null }[]>`
      select jobs_paused_reason as reason, jobs_paused_until::text as until
      from public.workspace_settings where workspace_id = ${workspaceId}`;
    const minute = windows(logged, 60_000 * scale);
    const hour = windows(logged, 3_600_000 * scale);
    const day = windows(logged, 86_400_000 * scale);
    return {
      plan: "free (50/min, 200/hour, 600/day; bulk_enrich a tenth in calls)",
      window_scale: "1/60 (minute 1 s, hour 60 s, day 24 min)",
      accounts: jobs.length,
      apollo_latency_ms: LATENCY_MS,
      day_filled_after_s: round(filledAfter, 1),
      completed: done.completed,
      failed: done.failed,
      waiting: done.pending,
      waiting_reason: reason?.reason ?? null,
      apollo_calls: logged.length,
      apollo_calls_429: logged.filter((c) => c.status === 429).length,
      records_per_minute_window: minute,
      records_per_hour_window: hour,
      records_per_day_window: day,
      minute_windows_over_limit: minute.filter((n) => n > 50).length,
      hour_windows: hour.map((n) => round(n / 200, 2)),
      day_fill: day.length ? round(day[0] / dayLimit, 2) : 0,
      ...(await invocations(sql, before)),
    };
  } finally {
    await teardown(sql, workspaceId);
  }
}
