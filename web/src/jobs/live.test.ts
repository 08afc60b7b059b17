import { describe, expect, it } from "vitest";
import { makeJob, makeLog } from "../test/fixtures";
import { applyJobChange, canCancel, canRetry, displayPercentage, isWaitingForRetry, mergeLogs, newerJob } from "./live";

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
