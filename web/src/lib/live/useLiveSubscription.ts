// A page's live view of its rows, whatever carries the changes (postgres_changes today; a
// Broadcast channel plugs in the same way, as another transport). It keeps the page right when
// Realtime does not deliver:
// - changes are applied in batches, at most one per `batchMs` (a lone change at once), so a burst
//   is a couple of cache writes instead of one per change;
// - on every (re)subscribe the page refetches from /rest/v1, so nothing sent meanwhile is missed;
// - when the channel fails or the server closes it (CHANNEL_ERROR, TIMED_OUT, CLOSED, or a system
//   error such as "Too many messages per second"), the page refetches at once, shows "paused" and
//   subscribes again after a backoff that grows while the trouble repeats;
// - Supabase skips postgres_changes over the project's events-per-second limit without telling the
//   client: the channel stays subscribed and simply goes quiet. So while the page expects changes
//   (a job is running) and none has come for `quietMs`, it refetches; a refetch that finds what
//   Realtime did not deliver shows "paused" until live changes arrive again.
import { useEffect, useRef, useState } from "react";
import { resubscribeDelay } from "./backoff";
import { coalesce } from "./coalesce";

export type LiveStatus = "connecting" | "live" | "paused" | "off";

export interface LiveHandlers<E> {
  /** A change, in the order the server sent it. */
  onEvent(event: E): void;
  /** Subscribed: changes flow from now on. */
  onReady(): void;
  /** The subscription failed or was closed by the server; the transport is of no further use. */
  onTrouble(reason: string): void;
}

/** Opens a subscription and returns how to close it. */
export type LiveTransport<E> = (handlers: LiveHandlers<E>) => () => void;

export interface LiveOptions<E> {
  /** What is subscribed to: a new key closes the subscription and opens another. */
  key: string;
  transport: LiveTransport<E>;
  enabled?: boolean;
  /** Applies a batch of changes to the page's data. */
  onBatch(events: E[]): void;
  /** Reads the current state from /rest/v1; resolves true when it found changes live updates had not brought. */
  refetch(): Promise<boolean | void>;
  /** Whether the page is waiting for changes now (e.g. its job is running). */
  expectChanges?(): boolean;
  batchMs?: number;
  quietMs?: number;
}

export const DEFAULT_BATCH_MS = 250;
export const DEFAULT_QUIET_MS = 5_000;
const QUIET_CHECK_MS = 1_000;
/** Subscribed this long without trouble, the backoff starts again from its first step. */
const HEALTHY_AFTER_MS = 30_000;

export function useLiveSubscription<E>(options: LiveOptions<E>): LiveStatus {
  const { key, enabled = true, batchMs = DEFAULT_BATCH_MS, quietMs = DEFAULT_QUIET_MS } = options;
  const [status, setStatus] = useState<LiveStatus>(enabled ? "connecting" : "off");
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    if (!enabled) {
      setStatus("off");
      return;
    }
    let disposed = false;
    let generation = 0;
    let close: (() => void) | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let ready = false;
    let readySince = 0;
    let failures = 0;
    /** The last quiet-time refetch found changes that Realtime had not delivered. */
    let missing = false;
    let lastActivity = Date.now();
    let refetching: Promise<boolean> | null = null;

    const show = () => {
      if (disposed) return;
      if (!ready) setStatus(failures > 0 ? "paused" : "connecting");
      else setStatus(missing ? "paused" : "live");
    };
    const batches = coalesce<E>((events) => latest.current.onBatch(events), batchMs);

    const refetch = (): Promise<boolean> => {
      if (refetching) return refetching;
      batches.flush();
      lastActivity = Date.now();
      refetching = Promise.resolve()
        .then(() => latest.current.refetch())
        .then((found) => found === true, () => false)
        .then((found) => {
          refetching = null;
          lastActivity = Date.now();
          return found;
        });
      return refetching;
    };

    const open = () => {
      if (disposed) return;
      const mine = ++generation;
      ready = false;
      show();
      const closeThis = latest.current.transport({
        onEvent(event) {
          if (mine !== generation) return;
          lastActivity = Date.now();
          if (missing) {
            missing = false;
            show();
          }
          batches.push(event);
        },
        onReady() {
          if (mine !== generation) return;
          ready = true;
          readySince = Date.now();
          missing = false;
          show();
          void refetch();
        },
        onTrouble() {
          if (mine !== generation) return;
          generation++;
          close?.();
          close = null;
          if (ready && Date.now() - readySince >= HEALTHY_AFTER_MS) failures = 0;
          ready = false;
          failures += 1;
          show();
          void refetch();
          retryTimer = setTimeout(open, resubscribeDelay(failures));
        },
      });
      if (mine === generation) close = closeThis;
      else closeThis(); // it failed before it was even returned
    };

    const quietCheck = setInterval(() => {
      if (!(latest.current.expectChanges?.() ?? false)) {
        if (missing) {
          missing = false;
          show();
        }
        return;
      }
      if (refetching || Date.now() - lastActivity < quietMs) return;
      void refetch().then((found) => {
        if (found !== missing) {
          missing = found;
          show();
        }
      });
    }, QUIET_CHECK_MS);

    open();
    return () => {
      disposed = true;
      generation++;
      clearInterval(quietCheck);
      clearTimeout(retryTimer);
      batches.cancel();
      close?.();
    };
  }, [key, enabled, batchMs, quietMs]);

  return status;
}
