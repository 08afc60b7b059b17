// The no-op job our queue drivers run (drain-ours.ts, scale-ours.ts): a processor that returns at
// once, with no result and no last log line, under a job type registered in public.job_types
// (every job's type must be one of them, or the insert is refused).
import type postgres from "postgres";
import { processors } from "../../../supabase/functions/job-worker/processors/registry.ts";
import type { Processor } from "../../../supabase/functions/job-worker/processors/types.ts";
import { registerTestJobType } from "../../test/job-types.ts";
import { loadConfig, type WorkerConfig } from "../../../supabase/functions/job-worker/config.ts";

export const NOOP_JOB_TYPE = "bench_noop";

/** Gives the worker's registry a no-op processor for jobType, and registers the type in the database. */
export async function useNoopJobs(sql: postgres.Sql, jobType = NOOP_JOB_TYPE): Promise<void> {
  (processors as Map<string, Processor>).set(jobType, {
    jobType,
    process: () => Promise.resolve({ message: undefined as unknown as string }),
  });
  await registerTestJobType(sql, jobType);
}

/**
 * The worker's settings for a queue driver: concurrency slots, MAX_GLOBAL_CONCURRENCY as given
 * (null: none), the worker's defaults otherwise; no CPU budget (a benchmark process, not an Edge Function).
 */
export function benchWorkerConfig(concurrency: number, maxInFlight: number | null): WorkerConfig {
  return {
    ...loadConfig(new Map([["WORKER_SECRET_TOKEN", "bench"]])),
    maxConcurrent: concurrency,
    // the worker passes MAX_GLOBAL_CONCURRENCY as claim_jobs' max_in_flight; null = not set
    maxGlobalConcurrency: maxInFlight as number,
    timeBudgetMs: 3_600_000,
    cpuBudgetMs: Number.MAX_SAFE_INTEGER,
    cpuMsPerJob: 1,
    region: "bench",
  };
}
