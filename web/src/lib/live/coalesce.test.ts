import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resubscribeDelay } from "./backoff";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("applies the first changes at once and the rest of a burst as one batch, in order, at the end of the window", async () => {
    const batches: number[][] = [];
    const c = coalesce<number>((items) => batches.push(items), 250);
    c.push(1);
    c.push(2); // handed over together with 1
    await Promise.resolve();
    expect(batches).toEqual([[1, 2]]);
    for (let i = 3; i <= 14; i++) c.push(i);
    await Promise.resolve();
    expect(batches).toEqual([[1, 2]]);
    vi.advanceTimersByTime(249);
    expect(batches).toEqual([[1, 2]]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]);
    c.push(15); // within the window that batch opened: waits for its end
    await Promise.resolve();
    expect(batches).toHaveLength(2);
    vi.advanceTimersByTime(250);
    expect(batches.at(-1)).toEqual([15]);
    vi.advanceTimersByTime(1000); // quiet again: the next one goes at once
    c.push(16);
    await Promise.resolve();
    expect(batches.at(-1)).toEqual([16]);
  });

  it("flushes on demand and forgets on cancel", async () => {
    const batches: string[][] = [];
    const c = coalesce<string>((items) => batches.push(items), 250);
    c.push("a");
    c.push("b");
    c.flush();
    expect(batches).toEqual([["a", "b"]]);
    c.flush(); // nothing waiting: no empty batch
    c.push("c");
    c.cancel();
    await Promise.resolve();
    vi.advanceTimersByTime(1000);
    expect(batches).toEqual([["a", "b"]]);
  });
});

describe("resubscribeDelay", () => {
  it("grows with each failure in a row, up to 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(resubscribeDelay)).toEqual([1000, 2000, 5000, 10000, 20000, 30000, 30000]);
  });
});
