// Draining the queue with the worker's own runner (supabase/functions/job-worker/runner.ts), as
// our queue drivers do. One runBatch call should drain it all: it stops only when nothing is due.
// A call that returns while jobs are still due stopped early; in production those jobs would wait
// for the next wake-up or pg_cron's minute tick. The runner is then called again at once, and
// the early stops are counted and reported, so they show instead of failing the whole benchmark.
import { type BatchResult, runBatch } from "../../../supabase/functions/job-worker/runner.ts";
import type { WorkerConfig } from "../../../supabase/functions/job-worker/config.ts";

/** How many runner calls may stop early before the drain is given up as stuck. */
const MAX_EARLY_STOPS = 1000;

export interface Drained extends BatchResult {
  /** runBatch calls that returned while jobs were still due. */
  early_stops: number;
}

/** Calls the runner until `due()` says nothing is left. */
export async function runUntilDrained(
  config: WorkerConfig,
  workerId: string,
  due: () => Promise<number>,
): Promise<Drained> {
  const totals: Drained = { claimed: 0, completed: 0, retried: 0, failed: 0, lost: 0, early_stops: 0 };
  for (let call = 1;; call++) {
    const result = await runBatch(config, call === 1 ? workerId : `${workerId}-${call}`);
    for (const key of ["claimed", "completed", "retried", "failed", "lost"] as const) totals[key] += result[key];
    const left = await due();
    if (left === 0) return totals;
    totals.early_stops++;
    if (totals.early_stops >= MAX_EARLY_STOPS) {
      throw new Error(`the runner stopped ${MAX_EARLY_STOPS} times with jobs still due (${left} left)`);
    }
  }
}
