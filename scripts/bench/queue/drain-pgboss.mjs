// One engine process for the queue benchmark: pg-boss 10.4.2 (Node), its own database.
//   node scripts/bench/queue/drain-pgboss.mjs '<json options>'
// options: {url, concurrency, n, runs, batchSize, capMs}. Prints one JSON line per run (with
// cpu_us_per_job: drain-cpu.mjs).
// Concurrency K = K workers (boss.work called K times), each fetching up to batchSize jobs per
// poll and completing them together; pollingIntervalSeconds 0.5, pg-boss's minimum: a worker
// waits out the rest of the interval after every fetch, so it cannot do more than
// 2 x K x batchSize jobs/s. Pool: K+2 connections. Maintenance and the scheduler are off (they
// would only archive and schedule). A run stops at n jobs or capMs, whichever comes first.
import PgBoss from "pg-boss";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuPerJob, cpuSnapshot } from "./drain-cpu.mjs";

const { url, concurrency, n, runs, batchSize, capMs } = JSON.parse(process.argv[2]);
const database = new URL(url).pathname.slice(1);
const QUEUE = "bench_noop";
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const boss = new PgBoss({ connectionString: url, max: concurrency + 2, supervise: false, schedule: false });
boss.on("error", (error) => console.error(`[pg-boss] ${error.message}`));
await boss.start();
await boss.createQueue(QUEUE);
const db = boss.getDb();
const query = async (text, values) => (await db.executeSql(text, values)).rows;
// open every pool connection before the clock starts
await Promise.all(Array.from({ length: concurrency + 2 }, () => query("select pg_sleep(0.02)")));
const completed = async () =>
  Number((await query("select count(*) from pgboss.job where name = $1 and state = 'completed'", [QUEUE]))[0].count);

for (let runNo = 1; runNo <= runs; runNo++) {
  await query("truncate pgboss.job, pgboss.archive");
  await query("vacuum analyze pgboss.job");
  await query("checkpoint");

  const jobs = Array.from({ length: n }, (_, i) => ({ name: QUEUE, data: { i } }));
  const e0 = performance.now();
  await boss.insert(jobs);
  const enqueueMs = performance.now() - e0;
  await query("analyze pgboss.job");

  let ran = 0;
  const cpu0 = cpuSnapshot(database);
  const t0 = performance.now();
  const deadline = t0 + capMs;
  for (let w = 0; w < concurrency; w++) {
    await boss.work(QUEUE, { batchSize, pollingIntervalSeconds: 0.5 }, (batch) => {
      ran += batch.length;
      return Promise.resolve();
    });
  }
  // pg-boss completes a batch after its handler returns, without waiting: count in the database
  let done = 0;
  while (performance.now() < deadline) {
    if (ran >= n && (done = await completed()) >= n) break;
    await sleep(ran >= n ? 5 : 50);
  }
  const drainMs = Math.min(performance.now(), deadline) - t0;
  const cpu1 = cpuSnapshot(database);
  await boss.offWork(QUEUE);
  done = await completed();
  const cpu = cpuPerJob(cpu0, cpu1, Math.max(done, 1));
  print({ run: runNo, enqueue_ms: enqueueMs, drain_ms: drainMs, completed: done, capped: done < n, cpu_us_per_job: cpu });
}
await boss.stop({ graceful: false, wait: true });
