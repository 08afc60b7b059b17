// The narrow-queue experiment (README.md) on the bench stack (instance "bench", ports from 56700):
//
//   deno run -A bench/experiments/narrow-queue/loop.ts setup   # a bench_ours database: our migrations + prototype.sql
//   deno run -A bench/experiments/narrow-queue/loop.ts c|l     # one run of (c) today's jobs table or (l) the narrow one
//
// A run enqueues 20,000 no-op jobs, claims them 300 at a time on one connection and completes them on another (as
// the worker's runner does), and prints jobs/s and the database backends' CPU per job, read from /proc.
import postgres from "postgres";
import { stackConfig } from "../../../scripts/stack/config.ts";
import { createOursDatabase, dbUrl } from "../../../scripts/bench/lib/db.ts";
import { procTimes } from "../../../scripts/bench/lib/proc-times.mjs";
import { NOOP_JOB_TYPE, useNoopJobs } from "../../../scripts/bench/queue/noop.ts";

const DATABASE = "bench_ours";
const variant = Deno.args[0];
if (!["setup", "c", "l"].includes(variant)) throw new Error("usage: loop.ts setup|c|l");
Deno.env.set("STACK_PORT_BASE", Deno.env.get("BENCH_STACK_PORT_BASE") ?? "56700");
const config = stackConfig("bench");
const url = dbUrl(config, DATABASE);

if (variant === "setup") {
  await createOursDatabase(config, DATABASE);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.file(new URL("./prototype.sql", import.meta.url).pathname);
  await sql.end();
  console.log(`${DATABASE} is ready: run loop.ts c and loop.ts l`);
  Deno.exit(0);
}

const N = 20_000;
const BATCH = 300;
const claimer = postgres(url, { max: 1, onnotice: () => {} });
const completer = postgres(url, { max: 1, onnotice: () => {} });

await useNoopJobs(claimer);
await claimer`insert into public.workspaces (name) select 'bench queue'
              where not exists (select 1 from public.workspaces where name = 'bench queue')`;
await claimer`truncate public.jobs cascade`;
await claimer`truncate public.job_queue`;
await claimer`insert into public.jobs (workspace_id, job_type, payload)
              select (select id from public.workspaces where name = 'bench queue' limit 1), ${NOOP_JOB_TYPE},
                     jsonb_build_object('i', g)
              from generate_series(1, ${N}) g`;
if (variant === "l") {
  await claimer`insert into public.job_queue (id, workspace_id, job_type, priority, run_at)
                select id, workspace_id, job_type, priority, scheduled_for from public.jobs`;
}
await claimer`vacuum analyze public.jobs, public.job_queue`;
await claimer`checkpoint`;
await completer`select 1`;

const backends = (await claimer<{ pid: number }[]>`
  select pid from pg_catalog.pg_stat_activity where datname = current_database()`).map((r) => r.pid);
const cpuMs = () => backends.reduce((sum, pid) => sum + (procTimes(pid)?.self ?? 0), 0);
const claim = (n: number) =>
  variant === "l"
    ? claimer<{ id: string }[]>`select id from public.l_claim('w', ${n}) as id`
    : claimer<{ id: string }[]>`select id from public.c_claim('w', ${n}) as id`;
const complete = (ids: string[]) =>
  variant === "l"
    ? completer`select public.l_complete('w', ${ids}::uuid[])`
    : completer`select public.c_complete('w', ${ids}::uuid[])`;

const cpu0 = cpuMs();
const t0 = performance.now();
const writes: Promise<unknown>[] = [];
let claimed = 0;
while (true) {
  const jobs = await claim(BATCH);
  if (jobs.length === 0) break;
  claimed += jobs.length;
  writes.push(complete(jobs.map((j) => j.id)));
}
await Promise.all(writes);
const ms = performance.now() - t0;
const [{ done }] = await claimer<{ done: number }[]>`
  select count(*)::int as done from public.jobs where status = 'completed'`;
console.log(
  `${variant}: ${done} of ${claimed} completed, ${Math.round(claimed / ms * 1000)} jobs/s, ` +
    `database ${Math.round((cpuMs() - cpu0) * 1000 / claimed)} us of CPU per job`,
);
await claimer.end();
await completer.end();
