// One engine process for the queue benchmark: graphile-worker 0.17.3 (Node), its own database.
//   node scripts/bench/queue/drain-graphile.mjs '<json options>'
// options: {url, concurrency, n, runs, batching: boolean}. Prints one JSON line per run (with
// cpu_us_per_job: drain-cpu.mjs).
// Without batching: graphile-worker's defaults (each worker fetches and completes one job per call).
// With batching: localQueue {size: K+1}, completeJobBatchDelay 0, failJobBatchDelay 0 (as its
// performance docs suggest). Pool: K+2 connections (graphile-worker's own advice), opened before
// the clock starts. Logging off (it prints a line per job by default); warnings and errors kept.
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuPerJob, cpuSnapshot } from "./drain-cpu.mjs";

const options = JSON.parse(process.argv[2]);
const { url, concurrency, n, runs, batching } = options;
const database = new URL(url).pathname.slice(1);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-worker] ${level}: ${message}`);
});

const pgPool = new pg.Pool({ connectionString: url, max: concurrency + 2 });
pgPool.on("error", (error) => console.error(`[graphile-worker] pool: ${error.message}`));
const utils = await makeWorkerUtils({ pgPool, logger });
await utils.migrate();
const warm = await Promise.all(Array.from({ length: concurrency + 2 }, () => pgPool.connect()));
warm.forEach((c) => c.release());

const remaining = async () =>
  Number((await pgPool.query("select count(*) from graphile_worker._private_jobs")).rows[0].count);

for (let runNo = 1; runNo <= runs; runNo++) {
  await pgPool.query("truncate graphile_worker._private_jobs, graphile_worker._private_job_queues cascade");
  await pgPool.query("vacuum analyze graphile_worker._private_jobs, graphile_worker._private_job_queues");
  await pgPool.query("checkpoint");

  const specs = Array.from({ length: n }, (_, i) => ({ identifier: "noop", payload: { i } }));
  const e0 = performance.now();
  await utils.addJobs(specs);
  const enqueueMs = performance.now() - e0;
  await pgPool.query("analyze graphile_worker._private_jobs");

  let done = 0;
  let allRan;
  const allRanPromise = new Promise((resolve) => (allRan = resolve));
  const cpu0 = cpuSnapshot(database);
  const t0 = performance.now();
  const runner = await run({
    pgPool,
    concurrency,
    noHandleSignals: true,
    logger,
    taskList: {
      noop: () => {
        if (++done === n) allRan();
        return Promise.resolve();
      },
    },
    preset: batching
      ? { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
      : {},
  });
  await allRanPromise;
  // completions may still be in flight (batched): done when the table is empty
  while ((await remaining()) > 0) await sleep(5);
  const drainMs = performance.now() - t0;
  const cpu = cpuPerJob(cpu0, cpuSnapshot(database), n);
  await runner.stop();
  print({ run: runNo, enqueue_ms: enqueueMs, drain_ms: drainMs, completed: done, cpu_us_per_job: cpu });
}
await utils.release();
await pgPool.end();
