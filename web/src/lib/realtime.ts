// Subscribing to postgres_changes through supabase-js Realtime. Realtime checks every change
// against the subscriber's RLS, so a page only hears about rows its user may see.
// On every (re)subscribe `onSubscribed` runs, so callers refetch and nothing sent while the
// channel was down is missed.
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import { useEffect, useRef, useState } from "react";
import { getSupabase } from "./supabase";

export type LiveStatus = "connecting" | "live" | "error" | "off";

export type ChangeEvent = "*" | "INSERT" | "UPDATE" | "DELETE";

export interface ChangeSubscription {
  table: string;
  event: ChangeEvent;
  /** PostgREST-style filter, e.g. `id=eq.<uuid>`. */
  filter?: string;
}

export type ChangePayload = RealtimePostgresChangesPayload<Record<string, unknown>> & { table: string };

let channelCounter = 0;

export function usePostgresChanges({
  name,
  subscriptions,
  enabled = true,
  onChange,
  onSubscribed,
}: {
  /** A readable channel name prefix (made unique per mount). */
  name: string;
  subscriptions: ChangeSubscription[];
  enabled?: boolean;
  onChange: (payload: ChangePayload) => void;
  onSubscribed?: () => void;
}): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(enabled ? "connecting" : "off");
  const onChangeRef = useRef(onChange);
  const onSubscribedRef = useRef(onSubscribed);
  onChangeRef.current = onChange;
  onSubscribedRef.current = onSubscribed;
  const key = JSON.stringify(subscriptions);

  useEffect(() => {
    if (!enabled) {
      setStatus("off");
      return;
    }
    const supabase = getSupabase();
    const subs = JSON.parse(key) as ChangeSubscription[];
    channelCounter += 1;
    let channel = supabase.channel(`${name}:${channelCounter}`);
    for (const sub of subs) {
      channel = channel.on(
        "postgres_changes" as never,
        { event: sub.event, schema: "public", table: sub.table, ...(sub.filter ? { filter: sub.filter } : {}) } as never,
        ((payload: RealtimePostgresChangesPayload<Record<string, unknown>>) =>
          onChangeRef.current({ ...payload, table: payload.table ?? sub.table } as ChangePayload)) as never,
      );
    }
    let active = true;
    setStatus("connecting");
    channel.subscribe((state) => {
      if (!active) return;
      if (state === "SUBSCRIBED") {
        setStatus("live");
        onSubscribedRef.current?.();
      } else if (state === "CHANNEL_ERROR" || state === "TIMED_OUT") {
        setStatus("error");
      } else if (state === "CLOSED") {
        setStatus("off");
      }
    });
    return () => {
      active = false;
      void supabase.removeChannel(channel);
    };
  }, [name, key, enabled]);

  return status;
}

/** Calls `fn` at most once per `waitMs` (trailing), so a burst of changes causes one refetch. */
export function debounce(fn: () => void, waitMs: number): (() => void) & { cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, waitMs);
  };
  run.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return run;
}
