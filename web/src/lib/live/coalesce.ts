// Collects items that arrive in a burst and hands them over together, at most once per `waitMs`:
// twenty progress updates and log lines in 300 ms become two cache writes and two renders, not
// forty. Items keep their order; nothing is dropped.

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
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (waiting.length === 0) return;
    const items = waiting;
    waiting = [];
    apply(items);
  };
  return {
    push(item) {
      waiting.push(item);
      timer ??= setTimeout(flush, waitMs);
    },
    flush,
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      waiting = [];
    },
  };
}
