// One worker invocation: claim up to maxConcurrent jobs, run them concurrently, and refill each
// free slot as soon as it frees (and look for newly queued jobs every pollMs while slots are
// free), until nothing is due or the time budget is spent. Jobs already running when the budget
// ends are finished (their lease covers them), and so are jobs claimed ahead: while jobs are short
// (SHORT_JOB_MS), a claim also takes up to WORKER_CLAIM_AHEAD jobs for the slots about to free.
//
// Invocations cooperate through the database (20261205000500_debounced_wakeups.sql): a running
// invocation is registered, so enqueueing wakes no other; when every slot is busy and more is due
// it starts another (fan-out, up to enough invocations to fill MAX_GLOBAL_CONCURRENCY); when its
// time is up with work still due it starts its successor (hand-off); before it stops it
// unregisters and claims once more, so a job queued by a transaction that relied on it is never
// left for the next cron tick.
//
// A slot frees when its job's processor is done; the job's completion is then written in the
// background (Queue.complete writes the completions that arrive together in one statement), so
// the next claim and that write overlap instead of queueing behind each other. The job stays
// `processing` in the database until the write commits, so max_in_flight still counts it, and
// the invocation returns only once every job's outcome is recorded.
import { db, type Sql } from "../_shared/db.ts";
import { type FailureVerdict, LeaseLostError, verdictOf } from "../_shared/jobs/errors.ts";
import { CLAIM_MAX_JOBS, type Job, Queue } from "../_shared/jobs/queue.ts";
import { InvocationBudget } from "./budget.ts";
import { maxInvocations, type WorkerConfig } from "./config.ts";
import { createJobContext } from "./job-context.ts";
import { processors } from "./processors/registry.ts";
import type { ProcessorResult } from "./processors/types.ts";
import { BULK_MAX_RECORDS } from "../_shared/apollo/bulk-identity.ts";
import { setTimeout as sleep } from "node:timers/promises";

/** How long a registration lasts unless renewed, and how often a running invocation renews it. */
const RUN_TTL_SECONDS = 10;
const RUN_RENEW_MS = 3_000;
/** How often a busy invocation with a backlog asks for another one (the database's debounce is 250 ms). */
const FAN_OUT_INTERVAL_MS = 250;
/** Work due this close to the end of the time budget is left to the next invocation. */
const WAIT_MARGIN_MS = 1_000;
/**
 * Jobs that take less than this on average are claimed ahead (WORKER_CLAIM_AHEAD of them wait,
 * leased, for a slot): for them the claim's round trip, not the work, sets the pace. Anything
 * slower, an Apollo call above all, is claimed as slots free, so no job waits leased behind a
 * running one, holding a max_in_flight place another invocation could run it in.
 */
const SHORT_JOB_MS = 10;

export interface BatchResult {
  /** The CPU time the invocation was estimated to use (ms; see budget.ts). */
  cpu_ms_estimate?: number;
  claimed: number;
  completed: number;
  retried: number;
  failed: number;
  lost: number;
}

export interface RunOptions {
  /**
   * Wait (within the time budget) for work that falls due soon: a retry, a workspace waiting for
   * Apollo's window. The database's own calls do; a call by hand answers with what is due now.
   */
  waitForDueWork?: boolean;
}

/** sql: the invocation's own pool (withOwnPool in handler.ts); the instance's by default. */
export async function runBatch(
  config: WorkerConfig,
  workerId: string,
  options: RunOptions = {},
  sql: Sql = db(),
): Promise<BatchResult> {
  const queue = new Queue(sql, workerId, config.leaseSeconds, config.maxGlobalConcurrency);
  const budget = new InvocationBudget(config.timeBudgetMs, config.cpuBudgetMs, config.cpuMsPerJob);
  /** Invocations that together can fill MAX_GLOBAL_CONCURRENCY: fan-out stops there. */
  const maxRuns = config.maxGlobalConcurrency ? maxInvocations(config) : null; // no cap set (the queue benchmark): none
  const stop = new AbortController();
  const totals: BatchResult = { claimed: 0, completed: 0, retried: 0, failed: 0, lost: 0 };
  /** A promise per busy slot, settled when the slot frees. */
  const running = new Set<Promise<void>>();
  /** A promise per job, settled when its outcome (completed, retried, failed, lost) is recorded. */
  const outcomes = new Set<Promise<void>>();
  let firstClaim = true;

  /** Claimed jobs waiting for a slot (claimed ahead), each entry one slot's jobs. */
  const ready: Job[][] = [];
  let readyJobs = 0;
  /** How long a slot took, on average over the last jobs (ms; null before the first). */
  let slotMs: number | null = null;
  const claimAhead = () => (slotMs !== null && slotMs < SHORT_JOB_MS ? config.claimAhead : 0);

  /** Starts one slot: a job on its own, or up to BULK_MAX_RECORDS jobs of one workspace and type in one bulk call. */
  const start = (group: Job[]) => {
    const startedAt = performance.now();
    let release!: () => void;
    const slot: Promise<void> = new Promise<void>((resolve) => (release = resolve)).then(() => {
      running.delete(slot);
      const took = performance.now() - startedAt;
      slotMs = slotMs === null ? took : slotMs * 0.9 + took * 0.1;
      startReady();
    });
    running.add(slot);
    const outcome: Promise<void> = runGroup(group, queue, sql, stop.signal, totals, release).finally(() => {
      release();
      outcomes.delete(outcome);
    });
    outcomes.add(outcome);
  };
  /** Fills free slots from the jobs claimed ahead (a slot that frees takes the next at once). */
  const startReady = () => {
    while (running.size < config.maxConcurrent && ready.length > 0) {
      const group = ready.shift()!;
      readyJobs -= group.length;
      start(group);
    }
  };
  const enqueue = (group: Job[]) => {
    ready.push(group);
    readyJobs += group.length;
  };
  // The types this worker has a processor for (claim_jobs narrows them to the enabled ones); the
  // registry is tested against public.job_types, so every enabled type is among them.
  const jobTypes = [...processors.keys()];
  /** Claims up to count jobs fairly; a job of a batchable type brings more of its workspace's due jobs into its bulk call. */
  const claim = async (count: number) => {
    const jobs = await queue.claim(count, jobTypes);
    if (firstClaim) {
      console.log(`[JobWorker] Found ${jobs.length} pending job(s)`);
      firstClaim = false;
    }
    totals.claimed += jobs.length;
    budget.took(jobs.length);
    for (const job of jobs) {
      const heavy = processors.get(job.job_type)?.cpuMsPerRun;
      if (heavy) budget.tookHeavy(heavy);
    }
    const batchable = jobs.length > 0 ? await queue.batchableTypes() : new Set<string>();
    const groups = new Map<string, Job[]>();
    for (const job of jobs) {
      if (!batchable.has(job.job_type) || !processors.get(job.job_type)?.processBatch) {
        enqueue([job]);
        continue;
      }
      const key = `${job.workspace_id}/${job.job_type}`;
      groups.set(key, [...(groups.get(key) ?? []), job]);
    }
    for (const group of groups.values()) {
      if (group.length % BULK_MAX_RECORDS !== 0) {
        const more = await queue.claim(BULK_MAX_RECORDS - (group.length % BULK_MAX_RECORDS), [group[0].job_type], group[0].workspace_id);
        totals.claimed += more.length;
        budget.took(more.length);
        group.push(...more);
      }
      for (let i = 0; i < group.length; i += BULK_MAX_RECORDS) enqueue(group.slice(i, i + BULK_MAX_RECORDS));
    }
    startReady();
    return jobs.length;
  };

  // While registered, enqueueing wakes no other invocation: this one looks for new jobs while it
  // has free slots, and once more after unregistering (see end_worker_run). The registration is
  // renewed as it runs, so a crashed invocation stops counting within RUN_TTL_SECONDS.
  if (!(await queue.beginRun(RUN_TTL_SECONDS, maxRuns))) {
    console.log(`[JobWorker] ${maxRuns} invocation(s) are running already (MAX_GLOBAL_CONCURRENCY): nothing to add`);
    return totals;
  }
  let registered = true;
  let renewedAt = Date.now();
  /** The last claim got every job it asked for: more may be due than this invocation can take. */
  let backlog = false;
  let fannedOutAt = 0;
  try {
    while (true) {
      // Fill every free slot (and, for short jobs, the claim-ahead buffer). Jobs may finish while
      // a claim is in flight, so look again after each full claim; a claim that comes back short
      // means nothing else is due right now, or that max_in_flight is reached. With jobs claimed
      // ahead, the next claim waits until half of them have started, so claims come in batches.
      const wanted = () => config.maxConcurrent - running.size + claimAhead() - readyJobs;
      // The short claim may be ours: completions still being written count against max_in_flight.
      let heldBackByOurWrites = false;
      while (wanted() > 0 && readyJobs <= claimAhead() / 2 && budget.left()) {
        const want = Math.max(1, Math.min(wanted(), budget.jobsLeft(), CLAIM_MAX_JOBS));
        const unwritten = outcomes.size - running.size;
        const claimed = await claim(want);
        backlog = claimed === want;
        if (claimed < want) {
          heldBackByOurWrites = queue.maxInFlight !== null && unwritten > 0;
          break;
        }
      }
      // Every slot taken and more may be due: another invocation can take what this one cannot
      // (asked again while the backlog lasts; the database debounces and caps the calls).
      const busy = running.size === config.maxConcurrent;
      if (backlog && busy && budget.left() && Date.now() - fannedOutAt >= FAN_OUT_INTERVAL_MS) {
        fannedOutAt = Date.now();
        await queue.wakeAnother("fan_out", maxRuns);
      }
      if (Date.now() - renewedAt > RUN_RENEW_MS) {
        await queue.beginRun(RUN_TTL_SECONDS);
        renewedAt = Date.now();
      }
      if (running.size > 0) {
        // A slot frees, or (with slots free) new jobs may have been queued: look again shortly.
        const look = !busy && budget.left();
        await raceWithDelay(running, look ? config.pollMs : backlog ? FAN_OUT_INTERVAL_MS : RUN_RENEW_MS);
      } else if (heldBackByOurWrites && budget.left()) {
        // claim again once (some of) those completions are in
        if (outcomes.size > 0) await Promise.race(outcomes);
      } else {
        // Nothing to claim now. Work that falls due within this invocation's time (a retry, a
        // workspace waiting for Apollo's window) is waited for here rather than left to pg_cron.
        const dueIn = options.waitForDueWork && budget.left() ? await queue.secondsUntilDue(jobTypes) : null;
        if (dueIn !== null && dueIn * 1000 < budget.msLeft() - WAIT_MARGIN_MS) {
          await sleep(Math.min(Math.max(dueIn * 1000, config.pollMs), RUN_RENEW_MS));
          continue;
        }
        await queue.endRun();
        registered = false;
        if (!budget.left() || budget.msLeft() <= WAIT_MARGIN_MS) {
          // Time is up: if work is due, or falls due within the next one's time, the next
          // invocation starts now, not at the next cron tick.
          await queue.wakeAnother("handoff", maxRuns, config.timeBudgetMs / 1000);
          break;
        }
        // Jobs queued by transactions that relied on this invocation are visible now.
        if ((await claim(config.maxConcurrent)) === 0) break;
        await queue.beginRun(RUN_TTL_SECONDS);
        registered = true;
        renewedAt = Date.now();
      }
    }
  } finally {
    if (registered) await queue.endRun().catch((error) => console.error("[JobWorker] could not unregister:", error));
  }
  await Promise.all(outcomes);
  totals.cpu_ms_estimate = Math.round(budget.cpuEstimateMs());
  return totals;
}

/** Settles when one of the promises settles or after ms, whichever is first (the timer is cleared). */
async function raceWithDelay(promises: Iterable<Promise<void>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([...promises, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one slot's jobs (one alone, or several in one bulk call) and records each one's outcome. */
async function runGroup(
  jobs: Job[],
  queue: Queue,
  sql: Sql,
  stop: AbortSignal,
  totals: BatchResult,
  releaseSlot: () => void,
): Promise<void> {
  const processor = processors.get(jobs[0].job_type);
  for (const job of jobs) {
    console.log(`[JobWorker] Processing job ${job.id} (type: ${job.job_type}, attempt ${job.attempts} of ${job.max_attempts}` +
      `${jobs.length > 1 ? `, one of ${jobs.length} in a bulk call` : ""})`);
  }
  let results: Array<ProcessorResult | unknown>;
  try {
    if (!processor) {
      throw Object.assign(new Error(`No processor is registered for job type "${jobs[0].job_type}"`), { retryable: false });
    }
    const contexts = jobs.map((job) => createJobContext(job, queue, sql, stop));
    results = jobs.length === 1 || !processor.processBatch
      ? [await processor.process(contexts[0])]
      : await processor.processBatch(contexts);
  } catch (error) {
    results = jobs.map(() => error);
  } finally {
    releaseSlot();
  }
  await Promise.all(jobs.map((job, i) => recordOutcome(job, queue, results[i], totals)));
}

/** Completes the job with its result, or records why this attempt ended (retry, failure, release, lost lease). */
async function recordOutcome(job: Job, queue: Queue, result: ProcessorResult | unknown, totals: BatchResult): Promise<void> {
  const attempt = `attempt ${job.attempts} of ${job.max_attempts}`;
  if (!(result instanceof Error) && isProcessorResult(result)) {
    try {
      if (await queue.complete(job.id, result.result, result.message)) {
        totals.completed++;
        console.log(`[JobWorker] Job ${job.id} completed successfully`);
      } else {
        totals.lost++;
        console.warn(`[JobWorker] Job ${job.id} finished, but its lease was lost (cancelled or reclaimed); result discarded`);
      }
      return;
    } catch (error) {
      result = error;
    }
  }
  const error = result;
  if (error instanceof LeaseLostError) {
    totals.lost++;
    console.warn(`[JobWorker] Job ${job.id} stopped: ${error.message}`);
    return;
  }
  const verdict = verdictOf(error);
  if (verdict.rateLimited) return await releaseRateLimited(job, queue, verdict, totals);
  if (verdict.continueLater) return await releaseToContinue(job, queue, verdict.message, totals);
  let status: string | null;
  try {
    status = await queue.fail(job.id, verdict.message, verdict.retryable, verdict.retryAfterSeconds);
  } catch (recordError) {
    // The database is unreachable: the lease will expire and the reaper will retry the job.
    console.error(`[JobWorker] Job ${job.id} failed (${verdict.message}) and the failure could not be recorded:`, recordError);
    totals.lost++;
    return;
  }
  if (status === "pending") {
    totals.retried++;
    console.warn(`[JobWorker] Job ${job.id} failed (${attempt}): ${verdict.message}; it will be retried`);
  } else if (status === "failed") {
    totals.failed++;
    console.error(`[JobWorker] Job ${job.id} failed (${attempt}): ${verdict.message}; no retries left`);
  } else {
    totals.lost++;
    console.warn(`[JobWorker] Job ${job.id} failed (${verdict.message}) after its lease was lost; not recorded`);
  }
}

/** What a processor returned (a thrown error is an Error, or at least not an object with a message field). */
function isProcessorResult(value: unknown): value is ProcessorResult {
  return typeof value === "object" && value !== null && !(value instanceof Error) && "message" in value;
}

/** A long job's share of this invocation is done: back in the queue at once, from its checkpoint. */
async function releaseToContinue(job: Job, queue: Queue, message: string, totals: BatchResult) {
  try {
    if (await queue.release(job.id, 0, message)) totals.retried++;
    else totals.lost++;
  } catch (error) {
    totals.lost++;
    console.error(`[JobWorker] Job ${job.id} could not be put back to continue:`, error);
  }
}

/**
 * Apollo's limit for the workspace's key is reached (a 429, or the pacer found the window spent):
 * every workspace spending that budget waits it out, and this attempt is not counted.
 */
async function releaseRateLimited(job: Job, queue: Queue, verdict: FailureVerdict, totals: BatchResult) {
  // The pacer knows to the millisecond when its window opens; a 429's retry-after is in seconds.
  const delay = verdict.paced
    ? Math.max(0.1, verdict.retryAfterSeconds ?? 1)
    : Math.max(1, Math.ceil(verdict.retryAfterSeconds ?? 60));
  const message = verdict.message;
  try {
    if (verdict.pacingKey) await queue.pauseApolloKey(verdict.pacingKey, delay, message);
    else await queue.pauseWorkspace(job.workspace_id, delay, message);
    const reason = verdict.paced ? message : `Apollo rate limit reached for this workspace's key`;
    if (await queue.release(job.id, delay, reason)) {
      totals.retried++;
      console.warn(`[JobWorker] Job ${job.id} hit Apollo's rate limit; workspace ${job.workspace_id} waits ${delay.toFixed(1)} s`);
    } else {
      totals.lost++;
    }
  } catch (error) {
    totals.lost++;
    console.error(`[JobWorker] Job ${job.id} was rate-limited and could not be released:`, error);
  }
}
