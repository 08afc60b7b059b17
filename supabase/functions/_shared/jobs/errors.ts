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
   * A rate limit (Apollo's 429, or the pacer's spent window): the workspaces sharing the Apollo
   * budget wait, and the attempt does not count.
   */
  rateLimited?: boolean;
  /** The Apollo budget (team) that is spent, when known: every workspace spending it waits. */
  pacingKey?: string;
  /** The pacer held the call back (no 429 was received): the message says which window and when it opens. */
  paced?: boolean;
}

/** How the worker records any error: typed errors decide; anything unexpected is retried. */
export function verdictOf(error: unknown): FailureVerdict {
  if (error && typeof error === "object" && "retryable" in error && typeof error.retryable === "boolean") {
    const e = error as { message?: string; retryable: boolean; retryAfterSeconds?: number; kind?: string; pacingKey?: string };
    return {
      message: e.message ?? String(error),
      retryable: e.retryable,
      retryAfterSeconds: e.retryAfterSeconds,
      rateLimited: e.kind === "rate_limited" || e.kind === "window_spent",
      ...(e.pacingKey ? { pacingKey: e.pacingKey } : {}),
      ...(e.kind === "window_spent" ? { paced: true } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `Unexpected error: ${message}`, retryable: true };
}
