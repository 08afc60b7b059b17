// One engine process for the queue benchmark: OUR queue, driven by the job-worker's own runner
// (supabase/functions/job-worker/runner.ts: claim_jobs for every free slot, refill as jobs
// finish, complete_job per job), with a no-op processor registered for job type bench_noop
// (registered in public.job_types too: see noop.ts).
//
//   SUPABASE_DB_URL=... deno run -A scripts/bench/queue/drain-ours.ts '<json options>'
// options: {concurrency, n, runs, maxInFlight: number|null}. Prints one JSON line per run:
//   {"run":1,"enqueue_ms":..,"drain_ms":..,"completed":n,"early_stops":0,"cpu_us_per_job":{..}}
// (early_stops: runner calls that returned with jobs still due, see until-drained.ts; cpu_us_per_job:
// drain-cpu.mjs)
import { db, dbSettings } from "../../../supabase/functions/_shared/db.ts";
import { benchWorkerConfig, NOOP_JOB_TYPE, useNoopJobs } from "./noop.ts";
import { runUntilDrained } from "./until-drained.ts";
import { cpuPerJob, cpuSnapshot } from "./drain-cpu.mjs";

const options = JSON.parse(Deno.args[0]) as {
  concurrency: number;
  n: number;
  runs: number;
  maxInFlight: number | null;
};

// The worker prints two lines per job; the other engines are run with their logging off too.
const quiet = () => {};
console.log = quiet;
console.warn = quiet;
const print = (line: unknown) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(line) + "\n"));

const config = benchWorkerConfig(options.concurrency, options.maxInFlight);
const DATABASE = new URL(Deno.env.get("SUPABASE_DB_URL")!).pathname.slice(1);

const sql = db();
await useNoopJobs(sql);
const [ws] = await sql<{ id: string }[]>`
  with existing as (select id from public.workspaces where name = 'bench queue' limit 1),
  created as (insert into public.workspaces (name) select 'bench queue' where not exists (select 1 from existing) returning id)
  select id from existing union all select id from created`;
// Open every pool connection before the clock starts (the worker's pool is warm after its first calls).
await Promise.all(Array.from({ length: dbSettings().poolSize }, () => sql`select pg_sleep(0.02)`));

for (let run = 1; run <= options.runs; run++) {
  await sql`truncate public.jobs cascade`;
  await sql`vacuum analyze public.jobs, public.job_logs`;
  await sql`checkpoint`;
  const payloads = Array.from({ length: options.n }, (_, i) => ({ i }));
  const e0 = performance.now();
  await sql`
    insert into public.jobs (workspace_id, job_type, payload)
    select ${ws.id}, ${NOOP_JOB_TYPE}, p from jsonb_array_elements(${sql.json(payloads)}) as p`;
  const enqueueMs = performance.now() - e0;
  await sql`analyze public.jobs`;

  const cpu0 = cpuSnapshot(DATABASE);
  const t0 = performance.now();
  const totals = await runUntilDrained(config, `bench-${run}-${crypto.randomUUID().slice(0, 8)}`, async () => {
    const [{ due }] = await sql<
      { due: number }[]
    >`select count(*)::int as due from public.jobs where status = 'pending'`;
    return due;
  });
  const drainMs = performance.now() - t0;
  const cpu = cpuPerJob(cpu0, cpuSnapshot(DATABASE), options.n);
  const [{ completed }] = await sql<{ completed: number }[]>`
    select count(*)::int as completed from public.jobs where status = 'completed'`;
  if (completed !== options.n || totals.completed !== options.n) {
    throw new Error(`run ${run}: ${completed} of ${options.n} jobs completed (runner says ${JSON.stringify(totals)})`);
  }
  print({
    run,
    enqueue_ms: enqueueMs,
    drain_ms: drainMs,
    completed,
    early_stops: totals.early_stops,
    cpu_us_per_job: cpu,
  });
}
await sql.end({ timeout: 2 });
