import { describe, expect, it } from "vitest";
import { makeJob, makeLog } from "../test/fixtures";
import {
  applyJobChange,
  canCancel,
  canRetry,
  compareJobVersions,
  displayPercentage,
  isWaitingForRetry,
  logLineLabels,
  mergeLogs,
  newerJob,
} from "./live";

describe("applyJobChange", () => {
  it("merges an UPDATE over the cached row", () => {
    const cached = makeJob();
    const next = applyJobChange(cached, {
      eventType: "UPDATE",
      new: { id: cached.id, status: "processing", progress: { percentage: 20 }, updated_at: "2026-11-29T10:00:02Z" },
    });
    expect(next?.status).toBe("processing");
    expect(next?.progress.percentage).toBe(20);
    expect(next?.payload).toEqual(cached.payload); // left out by Realtime: kept
  });

  it("ignores an older version arriving late", () => {
    const cached = makeJob({ status: "completed", progress: { percentage: 100 }, updated_at: "2026-11-29T10:00:05Z" });
    const next = applyJobChange(cached, {
      eventType: "UPDATE",
      new: { id: cached.id, status: "processing", progress: { percentage: 60 }, updated_at: "2026-11-29 10:00:03+00" },
    });
    expect(next).toBe(cached);
  });

  it("ignores other jobs and DELETEs", () => {
    const cached = makeJob();
    expect(applyJobChange(cached, { eventType: "UPDATE", new: { id: "other", status: "failed" } })).toBe(cached);
    expect(applyJobChange(cached, { eventType: "DELETE", new: {}, old: { id: cached.id } })).toBe(cached);
  });

  it("uses the row as it is when nothing is cached", () => {
    const row = makeJob({ status: "processing" });
    expect(applyJobChange(undefined, { eventType: "INSERT", new: row })).toEqual(row);
  });
});

describe("newerJob", () => {
  it("keeps the cached version when the fetched one is older", () => {
    const cached = makeJob({ updated_at: "2026-11-29T10:00:05Z", progress: { percentage: 80 } });
    const fetched = makeJob({ updated_at: "2026-11-29T10:00:01Z", progress: { percentage: 10 } });
    expect(newerJob(cached, fetched)).toBe(cached);
    expect(newerJob(fetched, cached)).toBe(cached);
    expect(newerJob(undefined, fetched)).toBe(fetched);
  });
});

describe("mergeLogs", () => {
  it("appends new lines, drops duplicates and keeps id order", () => {
    const a = makeLog(1, "Starting enrichment for account acc-1");
    const b = makeLog(2, "Fetching workspace settings...");
    const c = makeLog(3, "Initializing Apollo client...");
    expect(mergeLogs([a, b], [b, c]).map((l) => l.id)).toEqual([1, 2, 3]);
    expect(mergeLogs([c], [a, b]).map((l) => l.id)).toEqual([1, 2, 3]);
    expect(mergeLogs(undefined, [b, a]).map((l) => l.id)).toEqual([1, 2]);
    const existing = [a];
    expect(mergeLogs(existing, [])).toBe(existing);
  });
});

describe("job state helpers", () => {
  it("knows what applies when", () => {
    expect(canCancel("pending")).toBe(true);
    expect(canCancel("processing")).toBe(true);
    expect(canCancel("completed")).toBe(false);
    expect(canRetry("failed")).toBe(true);
    expect(canRetry("cancelled")).toBe(true);
    expect(canRetry("processing")).toBe(false);
  });
  it("shows 100% once completed and spots a job waiting for its retry", () => {
    expect(displayPercentage(makeJob({ status: "completed", progress: { percentage: 80 } }))).toBe(100);
    expect(displayPercentage(makeJob({ status: "processing", progress: { percentage: 140 } }))).toBe(100);
    expect(isWaitingForRetry(makeJob({ status: "pending", attempts: 1, next_retry_at: "2026-11-29T10:01:00Z" }))).toBe(true);
    expect(isWaitingForRetry(makeJob({ status: "pending", attempts: 0 }))).toBe(false);
  });
});

describe("compareJobVersions", () => {
  const pending = makeJob({ status: "pending", attempts: 0, updated_at: "2026-11-29T10:00:02Z" });
  const claimed = makeJob({ status: "processing", attempts: 1, updated_at: "2026-11-29T10:00:01Z" });

  it("within one due time, the version further along wins whatever its updated_at (transaction start)", () => {
    expect(compareJobVersions(pending, claimed)).toBeGreaterThan(0);
    expect(compareJobVersions(claimed, pending)).toBeLessThan(0);
    expect(newerJob(claimed, pending)).toBe(claimed);
    const at60 = { ...claimed, progress: { percentage: 60 } };
    expect(compareJobVersions(at60, { ...claimed, progress: { percentage: 40 }, updated_at: "2026-11-29T10:00:09Z" })).toBeLessThan(0);
  });

  it("a completed job stays completed", () => {
    const done = makeJob({ status: "completed", attempts: 1, updated_at: "2026-11-29T10:00:03Z" });
    expect(compareJobVersions(done, { ...claimed, updated_at: "2026-11-29T10:00:09Z" })).toBeLessThan(0);
  });

  it("a new due time (a retry, a release, the next attempt) is ordered by updated_at", () => {
    const failed = makeJob({ status: "failed", attempts: 5, failed_at: "2026-11-29T10:00:05Z", updated_at: "2026-11-29T10:00:05Z" });
    const retried = makeJob({ status: "pending", attempts: 0, scheduled_for: "2026-11-29T10:01:00Z", updated_at: "2026-11-29T10:01:00Z" });
    expect(compareJobVersions(failed, retried)).toBeGreaterThan(0);
    expect(compareJobVersions(retried, failed)).toBeLessThan(0);
  });
});

describe("logLineLabels", () => {
  const line = (id: number, attempt: number | null, message = "step") => makeLog(id, message, { attempt });

  it("one run of one attempt needs no labels", () => {
    expect(logLineLabels([line(1, 1), line(2, 1)])).toBeNull();
  });

  it("several attempts: each line says its attempt", () => {
    const labels = logLineLabels([line(1, 1), line(2, 1, "Attempt 1 of 5 failed"), line(3, 2)]);
    expect([...labels!.values()]).toEqual(["attempt 1", "attempt 1", "attempt 2"]);
  });

  it("after a user's retry the attempts start again, so the run is named too", () => {
    const labels = logLineLabels([
      line(1, 1),
      line(2, 2),
      line(3, 0, "Retried by demo@example.com: attempts start again from 1"),
      line(4, 1),
    ]);
    expect(labels!.get(1)).toBe("run 1 · attempt 1");
    expect(labels!.get(2)).toBe("run 1 · attempt 2");
    expect(labels!.get(3)).toBe("run 2");
    expect(labels!.get(4)).toBe("run 2 · attempt 1");
  });

  it("a retry of a job cancelled before any attempt still starts run 2", () => {
    const labels = logLineLabels([line(1, 0, "Cancelled by demo@example.com"), line(2, 0, "Retried by demo@example.com: attempts start again from 1"), line(3, 1)]);
    expect(labels!.get(1)).toBe("run 1");
    expect(labels!.get(3)).toBe("run 2 · attempt 1");
  });
});
