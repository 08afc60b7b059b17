// Section 1: queue throughput. Our queue, graphile-worker and pg-boss, each in a database of its
// own on the same PostgreSQL instance, each draining N no-op jobs after a bulk enqueue, at
// concurrency 5, 10 and 50. Runs are interleaved (round 1 of every engine and concurrency, then
// round 2, ...) so that a slow minute on the machine falls on every engine alike.
import type { StackConfig } from "../../stack/config.ts";
import { createOursDatabase, dbUrl, dropDatabase, recreateDatabase } from "../lib/db.ts";
import { DENO, runJsonLines } from "../lib/proc.ts";
import { round, summary } from "../lib/stats.ts";

export interface QueueOptions {
  n: number;
  runs: number;
  concurrencies: number[];
  pgBossBatches: number[];
  pgBossCapMs: number;
  log: (line: string) => void;
}

interface Variant {
  engine: "ours" | "graphile-worker" | "pg-boss";
  /** Shown in the tables. */
  label: string;
  concurrency: number;
  /** Extra fields for results.json. */
  fields: Record<string, unknown>;
  run(n: number): Promise<RunFigures>;
}

interface RunFigures {
  enqueue_ms: number;
  drain_ms: number;
  completed: number;
  capped?: boolean;
  /** Our runner: calls that returned with jobs still due (see queue/until-drained.ts). */
  early_stops?: number;
  cpu_us_per_job: CpuPerJob;
}

/** Microseconds of CPU per job over a drain (queue/drain-cpu.mjs). */
export interface CpuPerJob {
  /** The engine's own process (its client side). */
  engine: number;
  /** The PostgreSQL backends connected to the engine's database. */
  database: number;
  /** Every other PostgreSQL process: on the bench stack mostly the Realtime stand-in's slot reader. */
  rest_of_cluster: number;
}

export interface DrainResult {
  engine: string;
  variant: string;
  concurrency: number;
  n: number;
  runs: number;
  jobs_per_s_median: number;
  jobs_per_s_min: number;
  jobs_per_s_max: number;
  enqueue_jobs_per_s_median: number;
  /** Each part's median over the runs. */
  cpu_us_per_job_median: CpuPerJob;
  /** pg-boss runs stop at a time cap: how many of the n jobs were done when it struck (median). */
  completed_median?: number;
  /** Ours: runner calls that returned with jobs still due, over every run. */
  runner_early_stops?: number;
  /** Ours: the max_in_flight passed to the claim (null: unset). */
  max_in_flight?: number | null;
  /** graphile-worker: whether its batching options were on. */
  batching?: boolean;
  /** pg-boss: jobs fetched per batch, and so how many the workers hold at once. */
  batch_size?: number;
  jobs_held_at_once?: number;
  /** The rest of the variant's fields (Variant.fields). */
  [key: string]: unknown;
}

const DB = { ours: "bench_ours", graphile: "bench_graphile", pgboss: "bench_pgboss" };

export async function setupQueueDatabases(config: StackConfig) {
  await createOursDatabase(config, DB.ours);
  await recreateDatabase(config, DB.graphile);
  await recreateDatabase(config, DB.pgboss);
}

export async function dropQueueDatabases(config: StackConfig) {
  for (const name of Object.values(DB)) await dropDatabase(config, name);
}

function oursVariant(config: StackConfig, k: number, maxInFlight: number | null, label: string): Variant {
  return {
    engine: "ours",
    label,
    concurrency: k,
    fields: {
      max_in_flight: maxInFlight,
      driver:
        "job-worker runBatch (claim free slots and up to 500 ahead for short jobs, refill, complete_jobs per batch)",
    },
    async run(n) {
      const { lines } = await runJsonLines(DENO, [
        "run",
        "-A",
        "scripts/bench/queue/drain-ours.ts",
        JSON.stringify({ concurrency: k, n, runs: 1, maxInFlight }),
        // DB_POOL_SIZE unset: the worker's own default (3, _shared/db.ts). Its slots hold no connection
        // (a claim and a completion write are all it sends at once); a pool of k + 2 fresh backends
        // drained 20,000 no-op jobs at k = 50 in 4.2 s against 2.4 s with 2 (each backend compiles
        // claim_jobs and warms its caches on its first calls).
      ], { env: { SUPABASE_DB_URL: dbUrl(config, DB.ours) } });
      return lines[0] as unknown as RunFigures;
    },
  };
}

function graphileVariant(config: StackConfig, k: number, batching: boolean): Variant {
  return {
    engine: "graphile-worker",
    label: batching ? `batching (localQueue ${k + 1}, completeJobBatchDelay 0)` : "no batching (defaults)",
    concurrency: k,
    fields: batching
      ? { batching: true, local_queue_size: k + 1, complete_job_batch_delay: 0, fail_job_batch_delay: 0 }
      : { batching: false },
    async run(n) {
      const { lines } = await runJsonLines("node", [
        "scripts/bench/queue/drain-graphile.mjs",
        JSON.stringify({ url: dbUrl(config, DB.graphile), concurrency: k, n, runs: 1, batching }),
      ]);
      return lines[0] as unknown as RunFigures;
    },
  };
}

function pgBossVariant(config: StackConfig, k: number, batchSize: number, capMs: number): Variant {
  return {
    engine: "pg-boss",
    label: `batchSize ${batchSize} (up to ${k * batchSize} jobs held at once)`,
    concurrency: k,
    fields: { batch_size: batchSize, jobs_held_at_once: k * batchSize, polling_interval_s: 0.5, cap_ms: capMs },
    async run(n) {
      const { lines } = await runJsonLines("node", [
        "scripts/bench/queue/drain-pgboss.mjs",
        JSON.stringify({ url: dbUrl(config, DB.pgboss), concurrency: k, n, runs: 1, batchSize, capMs }),
      ]);
      return lines[0] as unknown as RunFigures;
    },
  };
}

export async function queueSection(config: StackConfig, options: QueueOptions) {
  const { n, runs, log } = options;
  const figures = new Map<Variant, RunFigures[]>();
  const record = async (v: Variant) => {
    const f = await v.run(n);
    const jobsPerS = f.completed / (f.drain_ms / 1000);
    log(
      `  ${v.engine.padEnd(15)} k=${String(v.concurrency).padEnd(3)} ${v.label.padEnd(52)} ${
        round(jobsPerS).toString().padStart(6)
      } jobs/s` +
        `${f.capped ? ` (time cap: ${f.completed} of ${n})` : ""}${
          f.early_stops ? ` (the runner stopped early ${f.early_stops} time(s) with jobs due)` : ""
        }; enqueue ${round(n / (f.enqueue_ms / 1000))} jobs/s; CPU us/job: engine ${f.cpu_us_per_job.engine}, ` +
        `database ${f.cpu_us_per_job.database}, rest of the cluster ${f.cpu_us_per_job.rest_of_cluster}`,
    );
    figures.set(v, [...(figures.get(v) ?? []), f]);
  };

  const variants: Variant[] = [];
  for (const k of options.concurrencies) {
    // The worker always passes max_in_flight (MAX_GLOBAL_CONCURRENCY, default 20): with it, claims
    // take an advisory lock and count the jobs processing, and at concurrency 50 the cap binds.
    variants.push(oursVariant(config, k, null, "max_in_flight unset"));
    variants.push(oursVariant(config, k, 20, "max_in_flight = 20 (the worker's default)"));
    variants.push(graphileVariant(config, k, false));
    variants.push(graphileVariant(config, k, true));
  }
  const pgBoss = new Map<number, Variant[]>(
    options.concurrencies.map((
      k,
    ) => [k, options.pgBossBatches.map((b) => pgBossVariant(config, k, b, options.pgBossCapMs))]),
  );

  for (let round = 1; round <= runs; round++) {
    log(`round ${round} of ${runs} (n = ${n})`);
    for (const k of options.concurrencies) {
      for (const v of variants.filter((v) => v.concurrency === k)) await record(v);
      // pg-boss: every batch size in round 1, then only the fastest (its best case) in later rounds.
      const sweep = pgBoss.get(k)!;
      const candidates = round === 1 ? sweep : [bestOf(sweep, figures)];
      for (const v of candidates) await record(v);
    }
  }

  const results: DrainResult[] = [];
  for (const [v, runsOf] of figures) {
    const jobsPerS = runsOf.map((f) => f.completed / (f.drain_ms / 1000));
    const enqueue = runsOf.map((f) => n / (f.enqueue_ms / 1000));
    const s = summary(jobsPerS);
    results.push({
      engine: v.engine,
      variant: v.label,
      concurrency: v.concurrency,
      n,
      runs: runsOf.length,
      jobs_per_s_median: round(s.median),
      jobs_per_s_min: round(s.min),
      jobs_per_s_max: round(s.max),
      enqueue_jobs_per_s_median: round(summary(enqueue).median),
      cpu_us_per_job_median: cpuMedian(runsOf.map((f) => f.cpu_us_per_job)),
      ...(v.engine === "ours" ? { runner_early_stops: runsOf.reduce((sum, f) => sum + (f.early_stops ?? 0), 0) } : {}),
      ...(runsOf.some((f) => f.capped)
        ? { completed_median: round(summary(runsOf.map((f) => f.completed)).median) }
        : {}),
      ...v.fields,
    });
  }
  return results;
}

function cpuMedian(runs: CpuPerJob[]): CpuPerJob {
  const median = (part: keyof CpuPerJob) => round(summary(runs.map((r) => r[part])).median);
  return { engine: median("engine"), database: median("database"), rest_of_cluster: median("rest_of_cluster") };
}

function bestOf(sweep: Variant[], figures: Map<Variant, RunFigures[]>): Variant {
  const rate = (v: Variant) => {
    const f = figures.get(v)?.[0];
    return f ? f.completed / f.drain_ms : 0;
  };
  return sweep.reduce((best, v) => (rate(v) > rate(best) ? v : best));
}
