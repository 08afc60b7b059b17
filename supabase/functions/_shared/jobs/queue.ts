// The worker's side of the queue: thin wrappers over the SQL functions in
// supabase/migrations/*_queue_*.sql, which hold every rule.
import type { Sql } from "../db.ts";

export interface Job {
  id: string;
  workspace_id: string;
  job_type: string;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  max_attempts: number;
  priority: number;
  created_at: Date;
}

export class Queue {
  constructor(
    private readonly sql: Sql,
    readonly workerId: string,
    readonly leaseSeconds: number,
    /** Global cap on jobs processing across all workers (null: none). */
    readonly maxInFlight: number | null = null,
  ) {}

  async claim(maxJobs: number, jobTypes: string[]): Promise<Job[]> {
    return await this.sql<Job[]>`
      select id, workspace_id, job_type, payload, status, attempts, max_attempts, priority, created_at
      from public.claim_jobs(${this.workerId}, ${maxJobs}, ${this.leaseSeconds}, ${jobTypes}::text[],
                             max_in_flight => ${this.maxInFlight}::integer)`;
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

  async complete(jobId: string, result: unknown, message?: string): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.complete_job(${jobId}, ${this.workerId}, ${result === undefined ? null : this.sql.json(result as never)},
                                 ${message ?? null}) as ok`;
    return row.ok;
  }

  /** Back to the queue after delaySeconds without counting the attempt; false when the lease was lost. */
  async release(jobId: string, delaySeconds: number, reason: string): Promise<boolean> {
    const [row] = await this.sql<{ ok: boolean }[]>`
      select public.release_job(${jobId}, ${this.workerId}, ${delaySeconds}, ${reason}) as ok`;
    return row.ok;
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
