// Applying Realtime changes to cached job data. Pure functions, so the rules are tested:
// - a job row is replaced only by a version at least as new (compareJobVersions), so a late refetch
//   or an out-of-order event never moves the page backwards;
// - log lines are merged by id (duplicates from refetch + Realtime dropped), kept in id order.
import type { JobLogRow, JobRow } from "../lib/database.types";
import { parseTime } from "../lib/format";

const time = (iso: string | null | undefined) => {
  const t = parseTime(iso);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

type Version = Pick<JobRow, "status" | "attempts" | "scheduled_for" | "updated_at" | "progress">;

/**
 * Where a version stands in its run, for versions due at the same time (same scheduled_for):
 * pending before attempt a (4a) < attempt a running (4a + 2) < finished after attempt a (4a + 3).
 * A job goes back to pending only with a new scheduled_for (a failed attempt's retry, a release,
 * the reaper, a user's retry), so within one scheduled_for the stage only grows.
 */
function stage(job: Version): number {
  const a = job.attempts ?? 0;
  if (job.status === "pending") return 4 * a;
  if (job.status === "processing") return 4 * Math.max(a, 1) - 2; // the claim counts the attempt
  return 4 * a + 1;
}

/**
 * Which of two versions of one job row is newer: > 0 when `b` is, < 0 when `a` is, 0 when they are
 * the same step. updated_at alone is not enough: it is the writing transaction's start (now()), so
 * the worker's claim can carry an earlier time than the enqueue it follows, and a late read can
 * bring back "pending" after "processing" was shown. So: a completed job stays completed; between
 * versions due at the same time the one further along its run wins (stage, then the percentage
 * while running); otherwise the later updated_at.
 */
export function compareJobVersions(a: Version, b: Version): number {
  if ((a.status === "completed") !== (b.status === "completed")) return a.status === "completed" ? -1 : 1;
  const due = (v: Version) => time(v.scheduled_for);
  if (a.scheduled_for !== undefined && b.scheduled_for !== undefined && due(a) === due(b)) {
    const byStage = stage(b) - stage(a);
    if (byStage !== 0) return byStage;
    if (a.status === "processing") {
      const byPercentage = displayPercentage(b) - displayPercentage(a);
      if (byPercentage !== 0) return byPercentage;
    }
  }
  return time(b.updated_at) - time(a.updated_at);
}

/** The newer of a cached and an incoming job version (incoming wins ties). */
export function newerJob(cached: JobRow | undefined, incoming: JobRow): JobRow {
  if (!cached || cached.id !== incoming.id) return incoming;
  return compareJobVersions(cached, incoming) >= 0 ? incoming : cached;
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
  return compareJobVersions(cached, merged) >= 0 ? merged : cached;
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

/** private.apply_job_action's line for a user's retry: the first line of a new run (written with attempt 0). */
const RETRY_LINE = /^Retried by /;

/**
 * What each log line says about when it was written: the attempt ("attempt 2"), and once a user
 * retried the job, the run too ("run 2 · attempt 1"): a retry starts the attempts again from 1, so
 * the attempt alone would label both runs' lines alike. A run starts at a "Retried by" line, or
 * where the attempt number drops. Lines written outside an attempt (attempt 0 or none) get the run
 * only. Null when there is nothing to tell apart (one run of one attempt).
 */
export function logLineLabels(logs: Pick<JobLogRow, "id" | "attempt" | "message">[]): Map<number, string> | null {
  let run = 1;
  let previous = 0;
  const placed = logs.map((line) => {
    const attempt = line.attempt ?? 0;
    if (RETRY_LINE.test(line.message) || (attempt > 0 && attempt < previous)) {
      run += 1;
      previous = 0;
    }
    if (attempt > 0) previous = attempt;
    return { id: Number(line.id), run, attempt };
  });
  const runs = run;
  const attempts = new Set(placed.filter((p) => p.attempt > 0).map((p) => p.attempt));
  if (runs === 1 && attempts.size <= 1) return null;
  const labels = new Map<number, string>();
  for (const p of placed) {
    const parts = [runs > 1 ? `run ${p.run}` : null, p.attempt > 0 ? `attempt ${p.attempt}` : null].filter(Boolean);
    if (parts.length > 0) labels.set(p.id, parts.join(" · "));
  }
  return labels;
}
