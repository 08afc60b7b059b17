// Before Apollo is paid for a job, the job reserves its credit within its workspace's monthly
// budget (public.reserve_enrichment_credit, which counts this month's credits and the reservations
// of jobs in flight under a lock). Past the budget the call is not made: the job waits, its attempt
// not counted, and the workspace's jobs pause until the month turns or an owner raises the budget.
import type { JobContext } from "./types.ts";

/** The workspace's credit budget is spent for this month: the Apollo call was not made. */
export class CreditBudgetReached extends Error {
  readonly kind = "budget_reached";
  readonly retryable = true;
  readonly retryAfterSeconds: number;

  constructor(reason: string, readonly resumesAt: Date) {
    super(reason);
    this.name = "CreditBudgetReached";
    this.retryAfterSeconds = Math.max(1, (resumesAt.getTime() - Date.now()) / 1000);
  }
}

/** Reserves the job's credit, or throws CreditBudgetReached with the database's words. */
export async function reserveCredit(ctx: JobContext): Promise<void> {
  const [row] = await ctx.sql<{ granted: boolean; reason: string | null; resumes_at: Date | null }[]>`
    select granted, reason, resumes_at from public.reserve_enrichment_credit(${ctx.job.id}, ${ctx.workerId})`;
  if (!row.granted) throw new CreditBudgetReached(row.reason ?? "Credit budget reached", row.resumes_at ?? new Date());
}
