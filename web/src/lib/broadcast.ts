// Broadcast from the database through supabase-js Realtime, as a transport for useLiveSubscription
// (which batches, refetches and resubscribes). One private channel per topic (lib/topics.ts):
// Realtime lets a user join only the topics RLS on realtime.messages allows, once, at join time,
// so no change is checked per subscriber and non-members hear nothing at all. The database's
// payloads ({operation, table, record, old_record}) arrive as the ChangePayload the pages read.
import type { LiveTransport } from "./live/useLiveSubscription";
import type { ChangePayload } from "./realtime";
import { getSupabase } from "./supabase";

interface BroadcastMessage {
  event?: string;
  payload?: { operation?: string; table?: string; schema?: string; record?: Record<string, unknown> | null; old_record?: Record<string, unknown> | null };
}

interface SystemPayload {
  status?: string;
  message?: string;
}

/** A database broadcast as the pages' change payload (null when it is not one). */
export function changeFromBroadcast(message: BroadcastMessage): ChangePayload | null {
  const p = message.payload;
  const eventType = p?.operation ?? message.event;
  if (!p?.table || (eventType !== "INSERT" && eventType !== "UPDATE" && eventType !== "DELETE")) return null;
  return {
    schema: p.schema ?? "public",
    table: p.table,
    commit_timestamp: "",
    eventType,
    new: p.record ?? {},
    old: p.old_record ?? {},
    errors: null,
  } as unknown as ChangePayload;
}

export function broadcastTransport(topics: string[]): LiveTransport<ChangePayload> {
  return (handlers) => {
    const supabase = getSupabase();
    let closed = false;
    const joined = new Set<string>();
    const channels = topics.map((topic) => {
      const channel = supabase
        .channel(topic, { config: { private: true } })
        .on("broadcast", { event: "*" }, (message: BroadcastMessage) => {
          const change = changeFromBroadcast(message);
          if (change) handlers.onEvent(change);
        })
        .on("system" as never, {} as never, ((payload: SystemPayload) => {
          if (payload?.status === "error") handlers.onTrouble(payload.message ?? "Realtime reported an error");
        }) as never);
      channel.subscribe((state, error) => {
        if (closed) return;
        if (state === "SUBSCRIBED") {
          joined.add(topic);
          if (joined.size === topics.length) handlers.onReady();
        } else {
          joined.delete(topic);
          handlers.onTrouble(error?.message ?? state);
        }
      });
      return channel;
    });
    return () => {
      closed = true;
      for (const channel of channels) void supabase.removeChannel(channel);
    };
  };
}
