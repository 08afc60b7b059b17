// What a live page hears about a row: a change in Postgres Changes' shape, whatever brought it (the
// pages follow Broadcast from the database: lib/broadcast.ts).
import type { RealtimePostgresChangesPayload } from "@supabase/supabase-js";

export type { LiveStatus } from "./live/useLiveSubscription";

export type ChangePayload = RealtimePostgresChangesPayload<Record<string, unknown>> & { table: string };
