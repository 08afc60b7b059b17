import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resubscribeDelay } from "./backoff";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("hands a burst over as one batch, in order, once the wait is over", () => {
    const batches: number[][] = [];
    const c = coalesce<number>((items) => batches.push(items), 250);
    for (let i = 1; i <= 14; i++) c.push(i);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(249);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]);
    c.push(15);
    vi.advanceTimersByTime(250);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], [15]]);
  });

  it("flushes on demand and forgets on cancel", () => {
    const batches: string[][] = [];
    const c = coalesce<string>((items) => batches.push(items), 250);
    c.push("a");
    c.flush();
    expect(batches).toEqual([["a"]]);
    c.flush(); // nothing waiting: no empty batch
    c.push("b");
    c.cancel();
    vi.advanceTimersByTime(1000);
    expect(batches).toEqual([["a"]]);
  });
});

describe("resubscribeDelay", () => {
  it("grows with each failure in a row, up to 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(resubscribeDelay)).toEqual([1000, 2000, 5000, 10000, 20000, 30000, 30000]);
  });
});
