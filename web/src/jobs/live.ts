// Applying Realtime changes to cached job data. Pure functions, so the rules are tested:
// - a job row is replaced only by a version at least as new (updated_at), so a late refetch or an
//   out-of-order event never moves the page backwards;
// - log lines are merged by id (duplicates from refetch + Realtime dropped), kept in id order.
import type { JobLogRow, JobRow } from "../lib/database.types";
import { parseTime } from "../lib/format";

const time = (iso: string | null | undefined) => {
  const t = parseTime(iso);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

/** The newer of a cached and an incoming job version (incoming wins ties). */
export function newerJob(cached: JobRow | undefined, incoming: JobRow): JobRow {
  if (!cached || cached.id !== incoming.id) return incoming;
  return time(incoming.updated_at) >= time(cached.updated_at) ? incoming : cached;
}

/**
 * A Realtime change to a job row applied to the cached job: an INSERT/UPDATE's new row merged
 * over the cached one (Realtime may leave unchanged TOASTed columns out), unless it is older.
 */
export function applyJobChange(
  cached: JobRow | undefined,
  change: { eventType: string; new: Partial<JobRow> | Record<string, unknown>; old?: unknown },
): JobRow | undefined {
  if (change.eventType === "DELETE") return cached;
  const incoming = change.new as Partial<JobRow>;
  if (!incoming || typeof incoming.id !== "string") return cached;
  if (cached && cached.id !== incoming.id) return cached;
  const merged = { ...(cached ?? {}), ...incoming } as JobRow;
  if (!cached) return merged;
  return time(merged.updated_at) >= time(cached.updated_at) ? merged : cached;
}

/** Existing lines plus new ones, without duplicates, ordered by id (the insertion order). */
export function mergeLogs(existing: JobLogRow[] | undefined, incoming: JobLogRow[]): JobLogRow[] {
  if (!existing || existing.length === 0) {
    return dedupeSorted([...incoming]);
  }
  if (incoming.length === 0) return existing;
  return dedupeSorted([...existing, ...incoming]);
}

function dedupeSorted(lines: JobLogRow[]): JobLogRow[] {
  const byId = new Map<number, JobLogRow>();
  for (const line of lines) byId.set(Number(line.id), line);
  return [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
}

/** Whether a job can still change (so the page should expect updates). */
export const isActive = (status: JobRow["status"]) => status === "pending" || status === "processing";
export const canCancel = isActive;
export const canRetry = (status: JobRow["status"]) => status === "failed" || status === "cancelled";

/** The percentage to show: 100 once completed, whatever the last progress write said. */
export function displayPercentage(job: Pick<JobRow, "status" | "progress">): number {
  if (job.status === "completed") return 100;
  const value = Number(job.progress?.percentage ?? 0);
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
}

/** A pending job that failed before and waits for its next attempt. */
export function isWaitingForRetry(job: Pick<JobRow, "status" | "next_retry_at" | "attempts">): boolean {
  return job.status === "pending" && Boolean(job.next_retry_at) && job.attempts > 0;
}

/**
 * Whether the page should hear about this job soon: it is running, or pending and due (a worker
 * will pick it up). A job waiting for a later start or retry, or finished, is quiet by design.
 */
export function expectsUpdates(job: Pick<JobRow, "status" | "scheduled_for" | "next_retry_at">, now: number): boolean {
  if (job.status === "processing") return true;
  if (job.status !== "pending") return false;
  const due = parseTime(job.next_retry_at ?? job.scheduled_for);
  return Number.isNaN(due) || due <= now;
}

/** Whether a refetch brought what live updates had not: a newer job row, or more log lines. */
export function refetchFoundMore(
  before: { job?: JobRow; logs?: JobLogRow[] },
  after: { job?: JobRow; logs?: JobLogRow[] },
): boolean {
  const newerRow = Boolean(before.job && after.job && time(after.job.updated_at) > time(before.job.updated_at));
  const moreLines = Boolean(before.logs && after.logs && after.logs.length > before.logs.length);
  return newerRow || moreLines;
}
