// Section 4 (a child process): our claim with 10^3, 10^5 and 10^6 completed jobs of history in
// public.jobs (spread over 100 workspaces and 30 days, as the worker leaves them), plus `pending`
// due jobs over 10 workspaces. For each size, `reps` times: the pending jobs are added, the table
// is vacuumed and analysed, then
//   - claim latency (first repetition): `samples` claims of one job in a row, each a round trip
//     (claim_jobs(worker, 1, 60, job types, max_in_flight => 20), then complete_job), timed by the client;
//   - throughput: the rest drained by the worker's runner at concurrency 10 (max_in_flight 20);
// and they are deleted again. At the largest size the claim's statements are captured with
// auto_explain (ANALYZE, BUFFERS, nested statements: the plans claim_jobs really runs).
//
//   SUPABASE_DB_URL=... DB_POOL_SIZE=12 deno run -A scripts/bench/queue/scale-ours.ts \
//     '{"sizes":[1000,100000,1000000],"pending":2000,"samples":200,"reps":3}'
// Prints one JSON line per size and a last line {"explain": "..."}.
import postgres from "npm:postgres@3.4.9";
import { db } from "../../../supabase/functions/_shared/db.ts";
import { runBatch } from "../../../supabase/functions/job-worker/runner.ts";
import type { WorkerConfig } from "../../../supabase/functions/job-worker/config.ts";
import { processors } from "../../../supabase/functions/job-worker/processors/registry.ts";
import type { Processor } from "../../../supabase/functions/job-worker/processors/types.ts";

const options = JSON.parse(Deno.args[0]) as { sizes: number[]; pending: number; samples: number; reps: number };
(processors as Map<string, Processor>).set("bench_noop", {
  jobType: "bench_noop",
  process: () => Promise.resolve({ message: undefined as unknown as string }),
});
console.log = () => {};
console.warn = () => {};
const print = (line: unknown) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(line) + "\n"));
const K = 10;
/** The worker's default MAX_GLOBAL_CONCURRENCY. */
const MAX_IN_FLIGHT = 20;
const config: WorkerConfig = {
  secretToken: "bench",
  maxConcurrent: K,
  maxGlobalConcurrency: MAX_IN_FLIGHT,
  timeBudgetMs: 3_600_000,
  // a benchmark process, not an Edge Function: no CPU budget
  cpuBudgetMs: Number.MAX_SAFE_INTEGER,
  leaseSeconds: 60,
  pollMs: 50,
  region: "bench",
  env: "development",
};
const jobTypes = [...processors.keys()];
const sql = db();
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
  // completed jobs: valid under every constraint of public.jobs, as the worker leaves them
  for (let done = 0; done < count; done += 200_000) {
    const batch = Math.min(200_000, count - done);
    await sql`
      insert into public.jobs (workspace_id, job_type, payload, status, attempts, progress, started_at, completed_at,
                               result, created_at, updated_at, scheduled_for)
      select (${workspaces}::uuid[])[1 + (g % 100)], 'bench_noop', jsonb_build_object('i', g), 'completed', 1,
             '{"percentage": 100}', t + interval '1 second', t + interval '2 seconds', null, t, t + interval '2 seconds', t
      from generate_series(1, ${batch}) g, lateral (select now() - random() * interval '30 days' as t) x`;
  }
}

async function addPending(count: number) {
  await sql`
    insert into public.jobs (workspace_id, job_type, payload)
    select (${workspaces}::uuid[])[1 + (g % 10)], 'bench_noop', jsonb_build_object('pending', g)
    from generate_series(1, ${count}) g`;
}

let explain = "";
for (const history of options.sizes) {
  const t0 = performance.now();
  const [{ have }] = await sql<
    { have: number }[]
  >`select count(*)::int as have from public.jobs where status = 'completed'`;
  await addHistory(history - have);
  const buildS = (performance.now() - t0) / 1000;
  const latencies: number[] = [];
  const rates: number[] = [];
  let rows = 0;
  for (let rep = 1; rep <= options.reps; rep++) {
    await addPending(options.pending);
    await sql`vacuum analyze public.jobs`;
    await sql`checkpoint`;
    rows = Number((await sql`select count(*)::int as c from public.jobs`)[0].c);
    if (rep === 1) {
      // claim latency, one job at a time, as a worker with one free slot claims
      const worker = `bench-scale-${history}`;
      for (let i = 0; i < options.samples; i++) {
        const t = performance.now();
        const [job] = await sql<{ id: string }[]>`
          select id from public.claim_jobs(${worker}, 1, 60, ${jobTypes}::text[], max_in_flight => ${MAX_IN_FLIGHT}::integer)`;
        latencies.push(performance.now() - t);
        await sql`select public.complete_job(${job.id}, ${worker})`;
      }
      if (history === options.sizes[options.sizes.length - 1]) explain = await explainClaim();
    }
    // throughput: the worker's runner drains what is left
    const [{ left }] = await sql<
      { left: number }[]
    >`select count(*)::int as left from public.jobs where status = 'pending'`;
    const d0 = performance.now();
    const totals = await runBatch(config, `bench-scale-drain-${history}-${rep}`);
    const drainS = (performance.now() - d0) / 1000;
    if (totals.completed !== left) throw new Error(`scale ${history}: drained ${totals.completed} of ${left}`);
    rates.push(totals.completed / drainS);
    // back to `history` completed rows for the next repetition
    await sql`delete from public.jobs where payload ? 'pending'`;
  }
  print({
    rows,
    completed_history: history,
    pending: options.pending,
    claim_samples: latencies.length,
    claim_ms_p50: quantile(latencies, 0.5),
    claim_ms_p95: quantile(latencies, 0.95),
    jobs_per_s: quantile(rates, 0.5),
    jobs_per_s_min: Math.min(...rates),
    jobs_per_s_max: Math.max(...rates),
    reps: rates.length,
    build_s: buildS,
  });
}
print({ explain });
await sql.end({ timeout: 2 });
