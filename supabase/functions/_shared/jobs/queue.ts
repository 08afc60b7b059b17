// The worker's side of the queue: thin wrappers over the SQL functions in
// supabase/migrations/*_queue_*.sql, which hold every rule.
import type { Sql } from "../db.ts";
import { CHECKED, type Tables } from "../database.types.ts";

/** A claimed job as postgres.js returns it (timestamps as Date); its columns are the generated types'. */
export interface Job extends Pick<Tables<"jobs">, "id" | "workspace_id" | "job_type" | "attempts" | "max_attempts" | "priority"> {
  payload: Record<string, unknown>;
  status: (typeof CHECKED.jobs.status)[number];
  created_at: Date;
  /** 1 when an earlier attempt already wrote the job's enrichment (and was charged): it is not fetched again. */
  credits_used?: number;
}

interface PendingCompletion {
  jobId: string;
  result: unknown;
  message: string | null;
  resolve(ok: boolean): void;
  reject(error: unknown): void;
}

/** The most jobs one claim_jobs call takes (its max_jobs bound). */
export const CLAIM_MAX_JOBS = 1000;

/** Completions written in one statement at most (a longer queue is written in several). */
const COMPLETE_BATCH_MAX = 500;

export class Queue {
  #completions: PendingCompletion[] = [];
  #batchable?: { at: number; types: Set<string> };
  #flushing = false;

  constructor(
    private readonly sql: Sql,
    readonly workerId: string,
    readonly leaseSeconds: number,
    /** Global cap on jobs processing across all workers (null: none). */
    readonly maxInFlight: number | null = null,
  ) {}

  /** Claims up to maxJobs due jobs of the enabled job types (of jobTypes, of workspaceId, when given). */
  async claim(maxJobs: number, jobTypes: string[] | null = null, workspaceId: string | null = null): Promise<Job[]> {
    return await this.sql<Job[]>`
      select id, workspace_id, job_type, payload, status, attempts, max_attempts, priority, created_at, credits_used
      from public.claim_jobs(${this.workerId}, ${maxJobs}, ${this.leaseSeconds}, ${jobTypes}::text[],
                             max_in_flight => ${this.maxInFlight}::integer, workspace_id => ${workspaceId}::uuid)`;
  }

  /**
   * The enabled job types whose jobs may share one Apollo bulk call (public.job_types.batchable),
   * read at most once a second, so an operator's change reaches running invocations at once.
   */
  async batchableTypes(): Promise<Set<string>> {
    if (!this.#batchable || Date.now() - this.#batchable.at > 1_000) {
      const rows = await this.sql<{ name: string }[]>`select name from public.job_types where batchable and enabled`;
      this.#batchable = { at: Date.now(), types: new Set(rows.map((r) => r.name)) };
    }
    return this.#batchable.types;
  }

  /**
   * Registers this invocation as running for `seconds` (enqueueing meanwhile wakes no other one);
   * with maxRunning, false when that many others are running already (this one is not needed).
   */
  async beginRun(seconds: number, maxRunning: number | null = null): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.begin_worker_run(${this.workerId}, ${seconds}, ${maxRunning}::integer) as ok`;
    return row.ok;
  }

  /**
   * Unregisters this invocation once every transaction that skipped waking it (because it was
   * running) has ended; claim once more afterwards, or their jobs wait for the next cron tick.
   */
  async endRun(): Promise<void> {
    await this.sql`select public.end_worker_run(${this.workerId})`;
  }

  /**
   * Starts one more invocation (debounced) when work is due, or falls due within dueWithinSeconds,
   * and fewer than maxRunning run.
   */
  async wakeAnother(reason: "fan_out" | "handoff", maxRunning: number | null, dueWithinSeconds = 0): Promise<boolean> {
    const [row] = await this.sql<{ id: string | null }[]>`
      select public.wake_another_worker(${reason}, ${maxRunning}::integer, ${dueWithinSeconds})::text as id`;
    return row.id !== null;
  }

  /** Seconds until pending work that cannot be claimed now (later, retrying, paused) can be; null when none. */
  async secondsUntilDue(jobTypes: string[]): Promise<number | null> {
    const [row] = await this.sql<{ seconds: number | null }[]>`select public.seconds_until_due(${jobTypes}::text[]) as seconds`;
    return row.seconds;
  }

  async progress(jobId: string, percentage: number, message?: string): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.job_progress(${jobId}, ${this.workerId}, ${percentage}, ${message ?? null}, 'info', '{}'::jsonb,
                                 ${this.leaseSeconds}) as ok`;
    return row.ok;
  }

  async log(jobId: string, message: string, level = "info", metadata: Record<string, unknown> = {}): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.job_log(${jobId}, ${this.workerId}, ${message}, ${level}, ${this.sql.json(metadata as never)}) as ok`;
    return row.ok;
  }

  /**
   * complete_job for one job; false when the lease was lost. Completions that arrive together
   * (jobs finishing in the same tick, or while an earlier write is in flight) are written in one
   * statement (complete_jobs), so one round trip and one commit serve them all; each job is still fenced by its
   * own lease and gets its own answer. Nothing waits on a timer: an idle worker writes at once.
   * If the batch fails, each of its jobs is written alone, so one bad row fails only itself.
   */
  complete(jobId: string, result: unknown, message?: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#completions.push({ jobId, result, message: message ?? null, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // after the microtasks already queued: jobs finishing in the same turn join this write
        queueMicrotask(() => void this.#flushCompletions());
      }
    });
  }

  async #flushCompletions(): Promise<void> {
    while (this.#completions.length > 0) {
      const batch = this.#completions.splice(0, COMPLETE_BATCH_MAX);
      try {
        const answers = batch.length === 1 ? [await this.#completeOne(batch[0])] : await this.#completeMany(batch);
        batch.forEach((c, i) => c.resolve(answers[i]));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else await Promise.all(batch.map((c) => this.#completeOne(c).then(c.resolve, c.reject)));
      }
    }
    this.#flushing = false;
  }

  async #completeOne(c: PendingCompletion): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.complete_job(${c.jobId}, ${this.workerId}, ${c.result === undefined ? null : this.sql.json(c.result as never)},
                                 ${c.message}) as ok`;
    return row.ok;
  }

  async #completeMany(batch: PendingCompletion[]): Promise<boolean[]> {
    // "result" is left out when undefined (complete_jobs keeps the job's result), kept when null.
    const items = batch.map((c) =>
      c.result === undefined ? { id: c.jobId, message: c.message } : { id: c.jobId, result: c.result, message: c.message }
    );
    // One row with every answer: a statement that fails must fail before sending any row
    // (postgres.js 3.4.9 leaves the rows of a statement that failed half-way in its next result).
    const [row] = await this.sql<{ oks: boolean[] }[]>`
      select array_agg(c.ok order by c.ord) as oks
      from public.complete_jobs(${this.workerId}, ${this.sql.json(items as never)}) with ordinality as c(job_id, ok, ord)`;
    return row.oks;
  }

  /** Back to the queue after delaySeconds without counting the attempt; false when the lease was lost. */
  async release(jobId: string, delaySeconds: number, reason: string): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.release_job(${jobId}, ${this.workerId}, ${delaySeconds}, ${reason}) as ok`;
    return row.ok;
  }

  /** No job of any workspace spending this Apollo budget (team) is claimed for delaySeconds. */
  async pauseApolloKey(pacingKey: string, delaySeconds: number, reason: string): Promise<void> {
    await this.sql`
      select public.pause_apollo_key(${pacingKey}, now() + make_interval(secs => ${delaySeconds}), ${reason})`;
  }

  /** No job of the workspace is claimed for delaySeconds (a rate limit on its Apollo key). */
  async pauseWorkspace(workspaceId: string, delaySeconds: number, reason: string): Promise<void> {
    await this.sql`
      select public.pause_workspace_jobs(${workspaceId}, now() + make_interval(secs => ${delaySeconds}), ${reason})`;
  }

  /** Returns the job's new status ('pending' to be retried, 'failed'), or null when the lease was lost. */
  async fail(jobId: string, message: string, retryable: boolean, retryAfterSeconds?: number): Promise<string | null> {
    const [row] = await this.sql<{ status: string | null }[]>`
      select public.fail_job(${jobId}, ${this.workerId}, ${message}, ${retryable}, ${retryAfterSeconds ?? null}) as status`;
    return row.status;
  }
}
