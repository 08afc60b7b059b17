import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProgressSequencer } from "./progress-sequence";

describe("ProgressSequencer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows every value that arrived at once, one after the other", () => {
    const shown: number[] = [];
    const seq = new ProgressSequencer(0, (v) => shown.push(v), 150);
    [10, 20, 30].forEach((v) => seq.push(v));
    expect(shown).toEqual([10]);
    vi.advanceTimersByTime(150);
    expect(shown).toEqual([10, 20]);
    vi.advanceTimersByTime(150);
    expect(shown).toEqual([10, 20, 30]);
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([10, 20, 30]);
  });

  it("shows a value at once when nothing is queued, and skips repeats", () => {
    const shown: number[] = [];
    const seq = new ProgressSequencer(40, (v) => shown.push(v), 150);
    seq.push(40);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(500);
    seq.push(60);
    seq.push(60);
    expect(shown).toEqual([60]);
    vi.advanceTimersByTime(150);
    expect(seq.pending).toEqual([]);
  });

  it("stops when disposed", () => {
    const shown: number[] = [];
    const seq = new ProgressSequencer(0, (v) => shown.push(v), 150);
    seq.push(10);
    seq.push(20);
    seq.dispose();
    vi.advanceTimersByTime(1000);
    expect(shown).toEqual([10]);
  });
});
