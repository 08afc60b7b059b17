// postgres_changes through supabase-js Realtime, as a transport for useLiveSubscription (which
// batches, refetches and resubscribes). Realtime checks every change against the subscriber's RLS,
// so a page only hears about rows its user may see.
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";
import type { LiveTransport } from "./live/useLiveSubscription";
import { getSupabase } from "./supabase";

export type { LiveStatus } from "./live/useLiveSubscription";

export type ChangeEvent = "*" | "INSERT" | "UPDATE" | "DELETE";

export interface ChangeSubscription {
  table: string;
  event: ChangeEvent;
  /** PostgREST-style filter, e.g. `id=eq.<uuid>`. */
  filter?: string;
}

export type ChangePayload = RealtimePostgresChangesPayload<Record<string, unknown>> & { table: string };

interface SystemPayload {
  extension?: string;
  status?: string;
  message?: string;
}

let channelCounter = 0;

/**
 * One channel with a postgres_changes binding per subscription, on the public schema. Trouble is a
 * failed join or timeout, the channel closed by the server, or a `system` error from it (Realtime
 * sends one before it closes a channel, e.g. "Too many messages per second").
 */
export function postgresChangesTransport(name: string, subscriptions: ChangeSubscription[]): LiveTransport<ChangePayload> {
  return (handlers) => {
    const supabase = getSupabase();
    channelCounter += 1;
    let channel = supabase.channel(`${name}:${channelCounter}`);
    for (const sub of subscriptions) {
      channel = channel.on(
        "postgres_changes" as never,
        { event: sub.event, schema: "public", table: sub.table, ...(sub.filter ? { filter: sub.filter } : {}) } as never,
        ((payload: RealtimePostgresChangesPayload<Record<string, unknown>>) =>
          handlers.onEvent({ ...payload, table: payload.table ?? sub.table } as ChangePayload)) as never,
      );
    }
    channel = channel.on("system" as never, {} as never, ((payload: SystemPayload) => {
      if (payload?.status === "error") handlers.onTrouble(payload.message ?? "Realtime reported an error");
    }) as never);
    let closed = false;
    channel.subscribe((state, error) => {
      if (closed) return;
      if (state === "SUBSCRIBED") handlers.onReady();
      else handlers.onTrouble(error?.message ?? state);
    });
    return () => {
      closed = true;
      void supabase.removeChannel(channel);
    };
  };
}
