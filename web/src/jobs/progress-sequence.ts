// Shows every progress value a job reports, in order, each for at least `stepMs`.
// A fast worker can send 10, 20 and 30 within a few milliseconds; React would render only
// the last. The spec (test 7) wants the bar to visibly move 10% -> 20% -> ... -> 100%, so
// values are queued as they arrive (from Realtime, before any batching) and played back.
import { useCallback, useEffect, useRef, useState } from "react";

export const PROGRESS_STEP_MS = 150;

export class ProgressSequencer {
  private queue: number[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last: number;

  constructor(
    initial: number,
    private readonly onShow: (value: number) => void,
    private readonly stepMs: number = PROGRESS_STEP_MS,
  ) {
    this.last = initial;
  }

  /** Queues a value (ignored when it equals the last one queued). */
  push(value: number) {
    if (!Number.isFinite(value) || value === this.last) return;
    this.last = value;
    this.queue.push(value);
    this.pump();
  }

  /** Values waiting to be shown. */
  get pending(): readonly number[] {
    return this.queue;
  }

  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private pump() {
    if (this.timer !== null) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.onShow(next);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, this.stepMs);
  }
}

/**
 * The percentage to show. `target` is the cached job's value (covers refetches); `push` feeds
 * values straight from Realtime events so none is lost to render batching.
 */
export function useProgressSequence(target: number, stepMs: number = PROGRESS_STEP_MS) {
  const [shown, setShown] = useState(target);
  const sequencer = useRef<ProgressSequencer | null>(null);
  if (sequencer.current === null) sequencer.current = new ProgressSequencer(target, setShown, stepMs);

  useEffect(() => {
    sequencer.current?.push(target);
  }, [target]);
  useEffect(() => () => sequencer.current?.dispose(), []);

  const push = useCallback((value: number) => sequencer.current?.push(value), []);
  return { shown, push };
}
