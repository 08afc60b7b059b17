import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeJob } from "../test/fixtures";
import type { JobRow } from "../lib/database.types";
import { compareJobVersions, displayPercentage } from "./live";
import { VersionSequencer, type VersionRules } from "./progress-sequence";

/** Numbers as versions: bigger is newer; what shows is the number. */
const NUMBERS: VersionRules<number> = { compare: (a, b) => b - a, visible: (v) => String(v) };
const JOBS: VersionRules<JobRow> = { compare: compareJobVersions, visible: (j) => `${j.status}/${displayPercentage(j)}` };

describe("VersionSequencer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows every version that arrived at once, one after the other", () => {
    const shown: number[] = [];
    const seq = new VersionSequencer(0, NUMBERS, (v) => shown.push(v), 150);
    [10, 20, 30].forEach((v) => seq.push(v));
    expect(shown).toEqual([10]);
    vi.advanceTimersByTime(150);
    expect(shown).toEqual([10, 20]);
    vi.advanceTimersByTime(150);
    expect(shown).toEqual([10, 20, 30]);
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([10, 20, 30]);
  });

  it("shows a version at once when nothing is queued, and skips repeats and older versions", () => {
    const shown: number[] = [];
    const seq = new VersionSequencer(40, NUMBERS, (v) => shown.push(v), 150);
    seq.push(40);
    seq.push(30);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(500);
    seq.push(60);
    seq.push(60);
    expect(shown).toEqual([60]);
    vi.advanceTimersByTime(150);
    expect(seq.pending).toEqual([]);
  });

  it("shows the first version as it is, without playing back from zero", () => {
    const shown: number[] = [];
    const seq = new VersionSequencer<number>(undefined, NUMBERS, (v) => shown.push(v), 150);
    seq.push(40);
    expect(shown).toEqual([40]);
  });

  it("a job's status and bar change together: 'Completed' never shows with the bar at 60%", () => {
    const shown: JobRow[] = [];
    const running = makeJob({ status: "processing", attempts: 1, progress: { percentage: 40 }, updated_at: "2026-11-29T10:00:04Z" });
    const seq = new VersionSequencer(running, JOBS, (v) => shown.push(v), 150);
    seq.push({ ...running, progress: { percentage: 60 }, updated_at: "2026-11-29T10:00:05Z" });
    seq.push({ ...running, progress: { percentage: 80 }, updated_at: "2026-11-29T10:00:06Z" });
    seq.push({ ...running, status: "completed", progress: { percentage: 100 }, updated_at: "2026-11-29T10:00:07Z" });
    vi.advanceTimersByTime(1000);
    expect(shown.map((j) => `${j.status} ${displayPercentage(j)}`)).toEqual(["processing 60", "processing 80", "completed 100"]);
  });

  it("never shows 'Pending' again after 'Processing' (a late read of the row before the claim)", () => {
    const shown: JobRow[] = [];
    const pending = makeJob({ status: "pending", attempts: 0, updated_at: "2026-11-29T10:00:02Z" });
    // The claim's transaction started before the enqueue committed: its updated_at is earlier.
    const claimed = { ...pending, status: "processing" as const, attempts: 1, updated_at: "2026-11-29T10:00:01Z" };
    const seq = new VersionSequencer(pending, JOBS, (v) => shown.push(v), 150);
    seq.push(claimed);
    seq.push(pending);
    seq.push({ ...claimed, progress: { percentage: 10 }, updated_at: "2026-11-29T10:00:03Z" });
    vi.advanceTimersByTime(1000);
    expect(shown.map((j) => `${j.status} ${displayPercentage(j)}`)).toEqual(["processing 0", "processing 10"]);
  });

  it("stops when disposed", () => {
    const shown: number[] = [];
    const seq = new VersionSequencer(0, NUMBERS, (v) => shown.push(v), 150);
    seq.push(10);
    seq.push(20);
    seq.dispose();
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([10]);
  });
});
