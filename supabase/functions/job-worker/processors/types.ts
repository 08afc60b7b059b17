// What a processor is given and returns. The worker owns claiming, completing and failing;
// a processor only does the work, reporting progress and log lines as it goes.
import type { Sql } from "../../_shared/db.ts";
import type { Job } from "../../_shared/jobs/queue.ts";

export interface JobContext {
  job: Job;
  sql: Sql;
  /** Sets progress (0-100) and logs the message with it; throws LeaseLostError if the job is no longer ours. */
  progress(percentage: number, message?: string): Promise<void>;
  log(message: string, level?: "debug" | "info" | "warn" | "error", metadata?: Record<string, unknown>): Promise<void>;
  /** Aborted when the lease is lost or the invocation must stop. */
  signal: AbortSignal;
  workerId: string;
  /** Call when a fenced write was refused: throws LeaseLostError. */
  leaseLost(): never;
}

export interface ProcessorResult {
  result?: unknown;
  /** The last log line, written together with the completion. */
  message: string;
}

/** One job's outcome in a batch: its result, or the error that ends this attempt (as process() throws). */
export type BatchOutcome = ProcessorResult | Error;

export interface Processor {
  jobType: string;
  /**
   * The CPU one run of a job of this type is estimated to use (ms), when it is far more than an
   * ordinary job's (WORKER_CPU_MS_PER_JOB): the invocation counts it against its CPU budget.
   */
  cpuMsPerRun?: number;
  process(ctx: JobContext): Promise<ProcessorResult>;
  /**
   * Several due jobs of one workspace in one Apollo bulk call (job types marked batchable in
   * public.job_types). Each job keeps its own progress, log lines and outcome: the answer has one
   * entry per context, in their order. Jobs the bulk call cannot carry go through process().
   */
  processBatch?(ctxs: JobContext[]): Promise<BatchOutcome[]>;
}
