// Shows every step a job reports, in order, each for at least `stepMs`, as whole row versions.
// A fast worker can send 10, 20 and 30 within a few milliseconds; React would render only the
// last. The spec (test 7) wants the bar to visibly move 10% -> 20% -> ... -> 100%, so versions are
// queued as they arrive (from Realtime, before any batching) and played back. The page shows one
// version at a time (status, bar, message and details alike), so it never says "Completed" with the
// bar still at 60%, and never goes back to a version older than one already shown.
import { useCallback, useEffect, useRef, useState } from "react";

export const PROGRESS_STEP_MS = 150;

export interface VersionRules<T> {
  /** > 0 when `b` is newer than `a`, < 0 when older, 0 for the same step. */
  compare(a: T, b: T): number;
  /** What the eye sees of a version (e.g. status and percentage): equal keys need no step of their own. */
  visible(version: T): string;
}

export class VersionSequencer<T> {
  private queue: T[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The newest version shown or queued. */
  private last: T | undefined;

  constructor(
    initial: T | undefined,
    private readonly rules: VersionRules<T>,
    private readonly onShow: (version: T) => void,
    private readonly stepMs: number = PROGRESS_STEP_MS,
  ) {
    this.last = initial;
  }

  /** Queues a version; an older one is dropped, one that looks the same replaces its twin at once. */
  push(version: T) {
    const last = this.last;
    if (last === undefined) {
      // The first version is shown as it is: nothing to play back from.
      this.last = version;
      this.show(version);
      return;
    }
    if (version === last || this.rules.compare(last, version) < 0) return;
    this.last = version;
    if (this.rules.visible(version) === this.rules.visible(last)) {
      if (this.queue.length > 0) this.queue[this.queue.length - 1] = version;
      else this.show(version);
      return;
    }
    this.queue.push(version);
    this.pump();
  }

  /** Versions waiting to be shown. */
  get pending(): readonly T[] {
    return this.queue;
  }

  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private show(version: T) {
    this.onShow(version);
  }

  private pump() {
    if (this.timer !== null) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.show(next);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, this.stepMs);
  }
}

/**
 * The version to show. `latest` is the cached version (covers the first read and refetches); `push`
 * feeds versions straight from Realtime events so none is lost to render batching. Undefined until
 * there is a version.
 */
export function useVersionSequence<T>(latest: T | undefined, rules: VersionRules<T>, stepMs: number = PROGRESS_STEP_MS) {
  const [shown, setShown] = useState<T | undefined>(latest);
  const sequencer = useRef<VersionSequencer<T> | null>(null);
  if (sequencer.current === null) sequencer.current = new VersionSequencer<T>(latest, rules, setShown, stepMs);

  useEffect(() => {
    if (latest !== undefined) sequencer.current?.push(latest);
  }, [latest]);
  useEffect(() => () => sequencer.current?.dispose(), []);

  const push = useCallback((version: T) => sequencer.current?.push(version), []);
  return { shown: shown ?? latest, push };
}
