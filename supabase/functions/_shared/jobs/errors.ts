// Errors a job processor throws, carrying whether another attempt could succeed.

export class JobError extends Error {
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;

  constructor(message: string, options: { retryable: boolean; retryAfterSeconds?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "JobError";
    this.retryable = options.retryable;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * A long job has done its share of this invocation and goes on in the next one (from its
 * checkpoint): put back at once, the attempt not counted, nothing paused.
 */
export class ContinueLater extends Error {
  readonly kind = "continue_later";
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = "ContinueLater";
  }
}

/** The worker lost the job's lease (reaped, cancelled or re-claimed): stop without touching it. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`Lease on job ${jobId} was lost (cancelled or reclaimed); stopping without writing`);
    this.name = "LeaseLostError";
  }
}

export interface FailureVerdict {
  message: string;
  retryable: boolean;
  retryAfterSeconds?: number;
  /**
   * A rate limit (Apollo's 429, the pacer's spent window) or the workspace's spent credit budget:
   * the workspaces sharing the Apollo budget (or this one) wait, and the attempt does not count.
   */
  rateLimited?: boolean;
  /** The Apollo budget (team) that is spent, when known: every workspace spending it waits. */
  pacingKey?: string;
  /** The call was held back before it was made (pacer window, credit budget): the message says why and until when. */
  paced?: boolean;
  /** The job goes on from its checkpoint in the next invocation (ContinueLater). */
  continueLater?: boolean;
}

/** How the worker records any error: typed errors decide; anything unexpected is retried. */
export function verdictOf(error: unknown): FailureVerdict {
  if (error && typeof error === "object" && "retryable" in error && typeof error.retryable === "boolean") {
    const e = error as { message?: string; retryable: boolean; retryAfterSeconds?: number; kind?: string; pacingKey?: string };
    return {
      message: e.message ?? String(error),
      retryable: e.retryable,
      retryAfterSeconds: e.retryAfterSeconds,
      rateLimited: e.kind === "rate_limited" || e.kind === "window_spent" || e.kind === "budget_reached",
      ...(e.pacingKey ? { pacingKey: e.pacingKey } : {}),
      ...(e.kind === "window_spent" || e.kind === "budget_reached" ? { paced: true } : {}),
      ...(e.kind === "continue_later" ? { continueLater: true } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `Unexpected error: ${message}`, retryable: true };
}
