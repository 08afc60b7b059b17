// Broadcast from the database through supabase-js Realtime, as a transport for useLiveSubscription
// (which batches, refetches and resubscribes). One private channel per topic (lib/topics.ts):
// Realtime lets a user join only the topics RLS on realtime.messages allows, once, at join time,
// so no change is checked per subscriber and non-members hear nothing at all. The database's
// payloads ({operation, table, record, old_record}, or on a workspace's jobs topic {operation,
// table, records}: lean rows of the jobs one statement changed) arrive as the ChangePayloads the
// pages read, one per row.
import type { LiveTransport } from "./live/useLiveSubscription";
import type { ChangePayload } from "./realtime";
import { getSupabase } from "./supabase";

interface BroadcastMessage {
  event?: string;
  payload?: {
    operation?: string;
    table?: string;
    schema?: string;
    record?: Record<string, unknown> | null;
    old_record?: Record<string, unknown> | null;
    records?: Array<Record<string, unknown>>;
  };
}

interface SystemPayload {
  status?: string;
  message?: string;
}

/** A database broadcast as the pages' change payloads, one per row (none when it is not one). */
export function changesFromBroadcast(message: BroadcastMessage): ChangePayload[] {
  const p = message.payload;
  const eventType = p?.operation ?? message.event;
  if (!p?.table || (eventType !== "INSERT" && eventType !== "UPDATE" && eventType !== "DELETE")) return [];
  const change = (record: Record<string, unknown> | null | undefined) =>
    ({
      schema: p.schema ?? "public",
      table: p.table,
      commit_timestamp: "",
      eventType,
      new: record ?? {},
      old: p.old_record ?? {},
      errors: null,
    }) as unknown as ChangePayload;
  return Array.isArray(p.records) ? p.records.map(change) : [change(p.record)];
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
          for (const change of changesFromBroadcast(message)) handlers.onEvent(change);
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
