// Applies changes that arrive in a burst together, at most once per `waitMs`: twenty progress
// updates and log lines in 300 ms become a few cache writes and renders, not forty. Changes that
// come when nothing has been applied for `waitMs` are applied right away (in a microtask, so the
// ones handed over together stay together); those that follow within the window wait for its end
// and go together. Order is kept; nothing is dropped.

export interface Coalescer<T> {
  push(item: T): void;
  /** Hands over what is waiting now (e.g. before a refetch replaces it). */
  flush(): void;
  /** Forgets what is waiting and stops the timer (unmount). */
  cancel(): void;
}

export function coalesce<T>(apply: (items: T[]) => void, waitMs: number): Coalescer<T> {
  let waiting: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon = false;
  const applyWaiting = () => {
    if (waiting.length === 0) return;
    const items = waiting;
    waiting = [];
    timer = setTimeout(() => {
      timer = undefined;
      applyWaiting();
    }, waitMs);
    apply(items);
  };
  return {
    push(item) {
      waiting.push(item);
      if (timer !== undefined || soon) return;
      soon = true;
      queueMicrotask(() => {
        soon = false;
        if (timer === undefined) applyWaiting();
      });
    },
    flush() {
      clearTimeout(timer);
      timer = undefined;
      applyWaiting();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      waiting = [];
    },
  };
}
