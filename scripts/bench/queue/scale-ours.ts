// Section 4 (a child process): our claim with 10^3, 10^5 and 10^6 completed jobs of history in
// public.jobs (spread over 100 workspaces and 30 days, as the worker leaves them), plus `pending`
// due jobs over 10 workspaces. For each size, `reps` times: the pending jobs are added, the table
// is vacuumed and analysed, then
//   - claim latency (first repetition): `samples` claims of one job in a row, each a round trip
//     (claim_jobs(worker, 1, 60, job types, max_in_flight => 20), then complete_job), timed by the client;
//   - throughput: the rest drained by the worker's runner at concurrency 10 (max_in_flight 20);
// and they are deleted again. Then, at the largest size, `unclaimable` pending jobs that no claim
// may take are added to the same 10 workspaces (half scheduled a year ahead, half of a job type the
// worker runs but an operator has disabled) and the same is measured again beside them. The
// claim's statements are captured with auto_explain (ANALYZE, BUFFERS, nested statements: the plans
// claim_jobs really runs) in that last state. Sampling stops after 30 s and repetitions after 60 s
// of draining, so a slow claim shows in the figures without making the benchmark overrun.
//
//   SUPABASE_DB_URL=... DB_POOL_SIZE=12 deno run -A scripts/bench/queue/scale-ours.ts \
//     '{"sizes":[1000,100000,1000000],"pending":2000,"samples":200,"reps":3,"unclaimable":300000}'
// Prints one JSON line per size, one {"unclaimable": ..} line (when unclaimable > 0) and a last
// line {"explain": "..."}.
import postgres from "postgres";
import { db } from "../../../supabase/functions/_shared/db.ts";
import { processors } from "../../../supabase/functions/job-worker/processors/registry.ts";
import { benchWorkerConfig, NOOP_JOB_TYPE, useNoopJobs } from "./noop.ts";
import { runUntilDrained } from "./until-drained.ts";

const options = JSON.parse(Deno.args[0]) as {
  sizes: number[];
  pending: number;
  samples: number;
  reps: number;
  unclaimable: number;
};
/** A type the worker has a processor for, disabled by an operator while jobs of it wait. */
const DISABLED_JOB_TYPE = "bench_noop_disabled";
console.log = () => {};
console.warn = () => {};
const print = (line: unknown) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(line) + "\n"));
const K = 10;
/** The worker's default MAX_GLOBAL_CONCURRENCY. */
const MAX_IN_FLIGHT = 20;
// A slow claim must not make the whole benchmark overrun: latency samples stop after this long,
// and further repetitions are skipped once draining has taken this long.
const SAMPLING_BUDGET_MS = 30_000;
const DRAINING_BUDGET_MS = 60_000;
const config = benchWorkerConfig(K, MAX_IN_FLIGHT);
const sql = db();
await useNoopJobs(sql);
await useNoopJobs(sql, DISABLED_JOB_TYPE);
// enabled while its jobs are queued (addUnclaimable disables it; an earlier run may have left it so)
await sql`update public.job_types set enabled = true where name = ${DISABLED_JOB_TYPE}`;
const jobTypes = [...processors.keys()];
const quantile = (v: number[], q: number) => {
  const s = [...v].sort((a, b) => a - b);
  const p = (s.length - 1) * q;
  return s[Math.floor(p)] + (s[Math.ceil(p)] - s[Math.floor(p)]) * (p - Math.floor(p));
};

await sql`truncate public.jobs cascade`;
await sql`delete from public.workspaces where name like 'bench scale %'`;
const workspaces = (await sql<{ id: string }[]>`
  insert into public.workspaces (name) select 'bench scale ' || g from generate_series(1, 100) g returning id`).map((
  r,
) => r.id);
/** The workspaces with pending jobs (due ones, and the unclaimable ones beside them). */
const pendingWorkspaces = workspaces.slice(0, 10);

/** The claim's statements as claim_jobs runs them (auto_explain: ANALYZE, BUFFERS, nested statements). */
async function explainClaim(): Promise<string> {
  const lines: string[] = [];
  const ex = postgres(Deno.env.get("SUPABASE_DB_URL")!, {
    max: 1,
    // auto_explain writes each statement's plan as a LOG message when the statement ends
    onnotice: (n: { message?: string }) => void lines.push(n.message ?? ""),
  });
  try {
    await ex.unsafe(`load 'auto_explain'`);
    for (
      const setting of [
        "log_min_duration = 0",
        "log_analyze = on",
        "log_buffers = on",
        "log_nested_statements = on",
        "log_timing = on",
        "log_format = text",
      ]
    ) await ex.unsafe(`set auto_explain.${setting}`);
    await ex.unsafe(`set client_min_messages = log`);
    // claim_jobs' plans are made once per connection: the first call makes them, the second reuses them
    for (const n of [1, 5]) {
      lines.length = 0;
      const rollback = new Error("rollback");
      await ex.begin(async (tx) => {
        await tx`select id from public.claim_jobs('bench-explain', ${n}, 60, ${jobTypes}::text[], max_in_flight => ${MAX_IN_FLIGHT}::integer)`;
        throw rollback; // leave the jobs as they were
      }).catch((e) => {
        if (e !== rollback) throw e;
      });
    }
  } finally {
    await ex.end({ timeout: 2 });
  }
  return lines.filter((l) => l.includes("plan:")).join("\n\n");
}

async function addHistory(count: number) {
  // Completed jobs, valid under every constraint of public.jobs, as the worker leaves them. They
  // are fixtures, not enqueues: the insert triggers (new-job checks, quotas, wake-up, claimable)
  // have nothing to do for a completed job and would make 10^6 of them take minutes longer, so
  // they are written with triggers off, with the claimable flag the trigger would give them, on a
  // connection of their own (postgres.js allows transactions on the worker's unpipelined pool only
  // on a reserved connection).
  const one = postgres(Deno.env.get("SUPABASE_DB_URL")!, { max: 1, onnotice: () => {} });
  try {
    for (let done = 0; done < count; done += 200_000) {
      await historyBatch(one, Math.min(200_000, count - done));
    }
  } finally {
    await one.end({ timeout: 2 });
  }
}

async function historyBatch(one: postgres.Sql, batch: number) {
  await one.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`
      insert into public.jobs (workspace_id, job_type, payload, status, attempts, progress, started_at, completed_at,
                               result, created_at, updated_at, scheduled_for, claimable)
      select (${workspaces}::uuid[])[1 + (g % 100)], ${NOOP_JOB_TYPE}, jsonb_build_object('i', g), 'completed', 1,
             '{"percentage": 100}', t + interval '1 second', t + interval '2 seconds', null, t, t + interval '2 seconds', t,
             false
      from generate_series(1, ${batch}) g, lateral (select now() - random() * interval '30 days' as t) x`;
  });
}

async function addPending(count: number) {
  await sql`
    insert into public.jobs (workspace_id, job_type, payload)
    select (${pendingWorkspaces}::uuid[])[1 + (g % 10)], ${NOOP_JOB_TYPE}, jsonb_build_object('pending', g)
    from generate_series(1, ${count}) g`;
}

/**
 * Pending jobs no claim may take, in the workspaces that hold the due ones: half scheduled a year
 * ahead, half of a type that is then disabled (queued while it was enabled, as in production:
 * a disabled type accepts no new jobs).
 */
async function addUnclaimable(count: number) {
  const later = Math.floor(count / 2);
  for (
    const [jobType, rows, scheduledFor] of [
      [NOOP_JOB_TYPE, later, "1 year"],
      [DISABLED_JOB_TYPE, count - later, "0 seconds"],
    ] as const
  ) {
    for (let done = 0; done < rows; done += 50_000) {
      await sql`
        insert into public.jobs (workspace_id, job_type, payload, scheduled_for)
        select (${pendingWorkspaces}::uuid[])[1 + (g % 10)], ${jobType}, jsonb_build_object('unclaimable', g),
               now() + ${scheduledFor}::interval
        from generate_series(${done + 1}::integer, ${Math.min(done + 50_000, rows)}::integer) g`;
    }
  }
  await sql`update public.job_types set enabled = false where name = ${DISABLED_JOB_TYPE}`;
  const [counts] = await sql<{ later: number; disabled: number; claimable: number }[]>`
    select count(*) filter (where job_type = ${NOOP_JOB_TYPE})::int as later,
           count(*) filter (where job_type = ${DISABLED_JOB_TYPE})::int as disabled,
           count(*) filter (where claimable)::int as claimable
    from public.jobs where payload ? 'unclaimable'`;
  if (counts.claimable !== 0) throw new Error(`${counts.claimable} of the unclaimable jobs are in the claim index`);
  return { scheduled_later: counts.later, disabled_type: counts.disabled };
}

/** Claim latency (first repetition) and drain throughput (every repetition) with the table as it is. */
async function measure(label: string, capture: boolean) {
  const latencies: number[] = [];
  const rates: number[] = [];
  let earlyStops = 0;
  let drainingMs = 0;
  let rows = 0;
  let explain = "";
  for (let rep = 1; rep <= options.reps && drainingMs < DRAINING_BUDGET_MS; rep++) {
    await addPending(options.pending);
    await sql`vacuum analyze public.jobs`;
    await sql`checkpoint`;
    rows = Number((await sql`select count(*)::int as c from public.jobs`)[0].c);
    if (rep === 1) {
      // claim latency, one job at a time, as a worker with one free slot claims
      const worker = `bench-scale-${label}`;
      const sampling = performance.now();
      for (let i = 0; i < options.samples && performance.now() - sampling < SAMPLING_BUDGET_MS; i++) {
        const t = performance.now();
        const [job] = await sql<{ id: string }[]>`
          select id from public.claim_jobs(${worker}, 1, 60, ${jobTypes}::text[], max_in_flight => ${MAX_IN_FLIGHT}::integer)`;
        latencies.push(performance.now() - t);
        if (!job) throw new Error(`scale ${label}: claim ${i + 1} found no job`);
        await sql`select public.complete_job(${job.id}, ${worker})`;
      }
      if (capture) explain = await explainClaim();
    }
    // throughput: the worker's runner drains what is left of the due jobs
    const [{ left }] = await sql<
      { left: number }[]
    >`select count(*)::int as left from public.jobs where status = 'pending' and payload ? 'pending'`;
    const d0 = performance.now();
    const totals = await runUntilDrained(config, `bench-scale-drain-${label}-${rep}`, async () => {
      const [{ due }] = await sql<{ due: number }[]>`
        select count(*)::int as due from public.jobs where status = 'pending' and payload ? 'pending'`;
      return due;
    });
    const drainS = (performance.now() - d0) / 1000;
    drainingMs += drainS * 1000;
    if (totals.completed !== left) throw new Error(`scale ${label}: drained ${totals.completed} of ${left}`);
    earlyStops += totals.early_stops;
    rates.push(totals.completed / drainS);
    // back to the history (and unclaimable jobs) alone for the next repetition
    await sql`delete from public.jobs where payload ? 'pending'`;
  }
  return {
    rows,
    pending: options.pending,
    claim_samples: latencies.length,
    claim_ms_p50: quantile(latencies, 0.5),
    claim_ms_p95: quantile(latencies, 0.95),
    jobs_per_s: quantile(rates, 0.5),
    jobs_per_s_min: Math.min(...rates),
    jobs_per_s_max: Math.max(...rates),
    reps: rates.length,
    early_stops: earlyStops,
    explain,
  };
}

let explain = "";
const largest = options.sizes[options.sizes.length - 1];
for (const history of options.sizes) {
  const t0 = performance.now();
  const [{ have }] = await sql<
    { have: number }[]
  >`select count(*)::int as have from public.jobs where status = 'completed'`;
  await addHistory(history - have);
  const buildS = (performance.now() - t0) / 1000;
  const { explain: captured, ...figures } = await measure(String(history), history === largest && !options.unclaimable);
  if (captured) explain = captured;
  print({ ...figures, completed_history: history, build_s: buildS });
}
if (options.unclaimable > 0) {
  const t0 = performance.now();
  const kinds = await addUnclaimable(options.unclaimable);
  const buildS = (performance.now() - t0) / 1000;
  const { explain: captured, ...figures } = await measure(`${largest}-unclaimable`, true);
  explain = captured;
  print({
    unclaimable: options.unclaimable,
    ...kinds,
    unclaimable_workspaces: pendingWorkspaces.length,
    ...figures,
    completed_history: largest,
    build_s: buildS,
  });
}
print({ explain });
await sql.end({ timeout: 2 });
