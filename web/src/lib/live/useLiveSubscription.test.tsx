import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LiveHandlers, type LiveOptions, useLiveSubscription } from "./useLiveSubscription";

/** A transport under the test's control: each open() is one subscription attempt. */
function fakeTransport() {
  const opened: Array<{ handlers: LiveHandlers<number>; closed: boolean }> = [];
  const transport = (handlers: LiveHandlers<number>) => {
    const entry = { handlers, closed: false };
    opened.push(entry);
    return () => {
      entry.closed = true;
    };
  };
  return { transport, opened, current: () => opened[opened.length - 1] };
}

function setup(overrides: Partial<LiveOptions<number>> = {}) {
  const t = fakeTransport();
  const batches: number[][] = [];
  const refetch = vi.fn(async (): Promise<boolean | void> => undefined);
  let expecting = false;
  const hook = renderHook(() =>
    useLiveSubscription<number>({
      key: "k",
      transport: t.transport,
      onBatch: (events) => batches.push(events),
      refetch,
      expectChanges: () => expecting,
      ...overrides,
    }),
  );
  const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
  return { ...t, batches, refetch, hook, advance, expect: (value: boolean) => (expecting = value) };
}

describe("useLiveSubscription", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is live once subscribed, refetches then, and applies a burst of changes as one batch", async () => {
    const s = setup();
    expect(s.hook.result.current).toBe("connecting");
    await act(async () => s.current().handlers.onReady());
    expect(s.hook.result.current).toBe("live");
    expect(s.refetch).toHaveBeenCalledTimes(1);

    await act(async () => s.current().handlers.onEvent(1)); // a lone change: applied at once
    expect(s.batches).toEqual([[1]]);
    await act(async () => {
      for (let i = 2; i <= 14; i++) s.current().handlers.onEvent(i);
    });
    expect(s.batches).toEqual([[1]]);
    await s.advance(250);
    expect(s.batches).toEqual([[1], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]);
    expect(s.refetch).toHaveBeenCalledTimes(1);
  });

  it("on trouble (a rate-limit error, a closed channel) it refetches at once, shows paused and subscribes again with backoff", async () => {
    const s = setup();
    await act(async () => s.current().handlers.onReady());
    await act(async () => s.current().handlers.onTrouble("Too many messages per second"));
    expect(s.hook.result.current).toBe("paused");
    expect(s.refetch).toHaveBeenCalledTimes(2);
    expect(s.opened[0].closed).toBe(true);
    expect(s.opened).toHaveLength(1);

    await s.advance(999);
    expect(s.opened).toHaveLength(1);
    await s.advance(1);
    expect(s.opened).toHaveLength(2); // 1 s later
    await act(async () => s.current().handlers.onTrouble("CHANNEL_ERROR"));
    await s.advance(1999);
    expect(s.opened).toHaveLength(2);
    await s.advance(1);
    expect(s.opened).toHaveLength(3); // then 2 s
    // Subscribed again, but closed again at once: the backoff keeps growing (5 s).
    await act(async () => s.current().handlers.onReady());
    expect(s.hook.result.current).toBe("live");
    await act(async () => s.current().handlers.onTrouble("CLOSED"));
    await s.advance(4999);
    expect(s.opened).toHaveLength(3);
    await s.advance(1);
    expect(s.opened).toHaveLength(4);
    await act(async () => s.current().handlers.onReady());
    expect(s.hook.result.current).toBe("live");
    // Events of a closed subscription are ignored.
    act(() => s.opened[0].handlers.onEvent(99));
    await s.advance(300);
    expect(s.batches).toEqual([]);
  });

  it("refetches while changes are expected but none arrive, and shows paused when that found missed changes", async () => {
    const s = setup();
    await act(async () => s.current().handlers.onReady());
    s.refetch.mockClear();
    // Nothing expected: a quiet channel is just quiet.
    await s.advance(20_000);
    expect(s.refetch).not.toHaveBeenCalled();

    s.expect(true); // a job is running
    s.refetch.mockResolvedValue(true); // ...and the database has moved on without Realtime telling us
    await s.advance(5_000);
    expect(s.refetch).toHaveBeenCalledTimes(1);
    expect(s.hook.result.current).toBe("paused");
    await s.advance(5_000);
    expect(s.refetch).toHaveBeenCalledTimes(2);

    // A live change arrives again: live, and the quiet clock starts over.
    act(() => s.current().handlers.onEvent(1));
    expect(s.hook.result.current).toBe("live");
    s.refetch.mockResolvedValue(false);
    await s.advance(4_000);
    expect(s.refetch).toHaveBeenCalledTimes(2);
    await s.advance(1_000);
    expect(s.refetch).toHaveBeenCalledTimes(3);
    expect(s.hook.result.current).toBe("live"); // that refetch found nothing new

    s.expect(false); // the job finished
    await s.advance(20_000);
    expect(s.refetch).toHaveBeenCalledTimes(3);
    expect(s.hook.result.current).toBe("live");
  });

  it("closes the subscription on unmount, and opens none when disabled", async () => {
    const s = setup();
    s.hook.unmount();
    expect(s.opened[0].closed).toBe(true);
    const off = setup({ enabled: false });
    expect(off.opened).toHaveLength(0);
    expect(off.hook.result.current).toBe("off");
  });
});
