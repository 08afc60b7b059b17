// Broadcast from the database, as hosted Realtime serves it (supabase/realtime):
//
// - Authorization of private channels (Realtime.Tenants.Authorization.get_read_authorizations): in
//   one transaction, a probe row per extension is inserted into realtime.messages as the gateway's
//   own (privileged) connection, then role, realtime.topic and the request.jwt.* settings are set
//   to the joining user's and the probes are selected under RLS: the channel may be read iff they
//   are visible. The transaction is rolled back, so nothing is written.
// - Delivery (Realtime.Tenants.ReplicationConnection): every row inserted into realtime.messages
//   (its daily partitions, decoded from the instance's slot) goes to every channel joined with the
//   row's topic: private rows to private joins that were authorized, other rows to public joins.
//   Like Realtime's UserBroadcast it carries the row's event, its payload as stored, and
//   meta {id: row id}; vsn 2.0.0 clients get it as a binary "user broadcast" frame (kind 4,
//   RealtimeWeb.Socket.V2Serializer), vsn 1.0.0 clients as a JSON `broadcast` push
//   (UserBroadcast.convert_to_json_broadcast).
// - Partition upkeep (Realtime.Tenants.Janitor): realtime.messages_<day> from yesterday to three
//   days ahead exist, partitions older than 72 hours are dropped.
import type postgres from "postgres";
import type { ChannelAuth } from "./token.ts";
import type { WalChange } from "./wal.ts";

/** `realtime.messages_YYYY_MM_DD`, the daily partitions rows are decoded from. */
const PARTITION = /^messages_\d{4}_\d\d_\d\d$/;

export function isBroadcastChange(change: WalChange): boolean {
  return change.schema === "realtime" && PARTITION.test(change.table);
}

/** A row of realtime.messages, ready to send. */
export interface BroadcastMessage {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  /** The jsonb payload as Postgres printed it (sent as is, as Realtime sends the column's text). */
  payloadText: string;
  payload: unknown;
}

/**
 * The message an inserted row stands for, or null when Realtime would not broadcast it: only
 * inserts, and (as ReplicationConnection's get_or_error) id, topic, event, private and payload set.
 */
export function broadcastMessage(change: WalChange): BroadcastMessage | null {
  if (change.action !== "INSERT") return null;
  const col = (name: string) => change.columns.find((c) => c.name === name);
  const id = col("id")?.text;
  const topic = col("topic")?.text;
  const event = col("event")?.text;
  const priv = col("private");
  const payload = col("payload");
  if (!id || topic == null || event == null || !priv || priv.text === null || !payload || payload.text === null) {
    return null;
  }
  return {
    id,
    topic,
    event,
    private: priv.json === true || priv.text === "true" || priv.text === "t",
    payloadText: payload.text,
    payload: payload.json,
  };
}

/** Join refused: the reply's reason, as Realtime words it ("Code: message"). */
export class ChannelAuthorizationError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const unauthorizedReason = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;
export const revokedMessage = (topic: string) =>
  `You no longer have permission to read from this Channel topic: ${topic}`;

class Rollback extends Error {
  constructor(readonly visible: Set<string>) {
    super("rollback");
  }
}

/**
 * Whether `auth` may read `topic` (the channel name, without "realtime:") by the RLS policies on
 * realtime.messages, for the extensions asked (Realtime checks broadcast, and presence when enabled).
 * Throws ChannelAuthorizationError with Realtime's reason when the check itself fails.
 */
export async function canRead(
  sql: postgres.Sql,
  topic: string,
  auth: ChannelAuth,
  log: (message: string) => void,
  extensions: string[] = ["broadcast"],
): Promise<boolean> {
  const probes = extensions.map((extension) => ({ extension, id: crypto.randomUUID() }));
  const sub = typeof auth.claims.sub === "string" ? auth.claims.sub : "";
  try {
    await sql.begin(async (tx) => {
      for (const p of probes) {
        // Realtime's Message changeset stamps updated_at/inserted_at with UTC now.
        await tx`insert into realtime.messages (id, topic, extension, updated_at, inserted_at)
                 values (${p.id}::uuid, ${topic}, ${p.extension},
                         now() at time zone 'utc', now() at time zone 'utc')`;
      }
      await tx`select set_config('role', ${auth.role}, true),
                      set_config('realtime.topic', ${topic}, true),
                      set_config('request.jwt.claims', ${JSON.stringify(auth.claims)}, true),
                      set_config('request.jwt.claim.sub', ${sub}, true),
                      set_config('request.jwt.claim.role', ${auth.role}, true),
                      set_config('request.headers', '{}', true)`;
      const rows = await tx<Array<{ id: string }>>`
        select id::text as id from realtime.messages where id = any(${probes.map((p) => p.id)}::uuid[])`;
      throw new Rollback(new Set(rows.map((r) => r.id)));
    });
  } catch (error) {
    if (error instanceof Rollback) return probes.some((p) => p.extension === "broadcast" && error.visible.has(p.id));
    const e = error as { code?: string; message?: string };
    // 23514: no partition for now (Realtime: {:error, :missing_partition}).
    if (e.code === "23514") {
      throw new ChannelAuthorizationError(
        "MissingPartition: Realtime was unable to find the expected messages partition",
      );
    }
    // 57014: statement timeout / cancel (Realtime: QueryCanceled).
    if (e.code === "57014") throw new ChannelAuthorizationError(`QueryCanceled: ${e.message}`);
    if (e.code && /^[0-9A-Z]{5}$/.test(e.code) && !e.code.startsWith("08")) {
      // A policy that fails to evaluate (Realtime: RlsPolicyError, answered as Unauthorized).
      log(`RlsPolicyError on topic ${topic}: ${e.code}: ${e.message}`);
      return false;
    }
    log(`channel authorization of ${topic} failed: ${e.message ?? String(error)}`);
    throw new ChannelAuthorizationError(
      "UnableToConnectToProject: Realtime was unable to connect to the project database",
    );
  }
  return false;
}

/** The binary "user broadcast" frame (kind 4) of RealtimeWeb.Socket.V2Serializer, JSON payload. */
export function userBroadcastFrame(
  topic: string,
  event: string,
  metadata: unknown,
  payloadText: string,
): Uint8Array | null {
  const enc = new TextEncoder();
  const t = enc.encode(topic);
  const e = enc.encode(event);
  const m = metadata === null || metadata === undefined ? new Uint8Array() : enc.encode(JSON.stringify(metadata));
  const p = enc.encode(payloadText);
  if (t.length > 255 || e.length > 255 || m.length > 255) return null;
  const out = new Uint8Array(5 + t.length + e.length + m.length + p.length);
  out.set([4, t.length, e.length, m.length, 1]);
  let offset = 5;
  for (const part of [t, e, m, p]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const PARTITION_AHEAD_DAYS = 3;
const RETENTION_HOURS = 72;

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Creates yesterday's to three days ahead's partitions of realtime.messages and drops those older
 * than 72 hours, as Realtime's janitor does (as postgres, a member of supabase_realtime_admin).
 */
export async function maintainPartitions(sql: postgres.Sql, now = new Date()): Promise<void> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let i = -1; i <= PARTITION_AHEAD_DAYS; i++) {
    const from = day(new Date(today + i * 86_400_000));
    const to = day(new Date(today + (i + 1) * 86_400_000));
    const name = `messages_${from.replaceAll("-", "_")}`;
    try {
      await sql.unsafe(
        `create table if not exists realtime.${name} partition of realtime.messages for values from ('${from}') to ('${to}')`,
      );
      await sql.unsafe(`alter table realtime.${name} owner to supabase_realtime_admin`);
    } catch (error) {
      // 42P07: made meanwhile; 42P17: overlaps a partition made another way.
      const code = (error as { code?: string }).code;
      if (code !== "42P07" && code !== "42P17") throw error;
    }
  }
  const limit = day(new Date(now.getTime() - RETENTION_HOURS * 3_600_000));
  const parts = await sql<Array<{ relname: string }>>`
    select c.relname from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'realtime.messages'::regclass`;
  for (const { relname } of parts) {
    if (!PARTITION.test(relname)) continue;
    if (relname.slice("messages_".length).replaceAll("_", "-") < limit) {
      await sql.unsafe(`drop table if exists realtime.${relname}`);
    }
  }
}

/** What delivery needs of a socket (Connection). */
export interface BroadcastTarget {
  readonly vsn: "1.0.0" | "2.0.0";
  readonly closed: boolean;
  readonly channels: Map<string, { topic: string; name: string; private: boolean }>;
  send(frame: { join_ref: string | null; ref: string | null; topic: string; event: string; payload: unknown }): void;
  sendBinary(data: Uint8Array): void;
}

/**
 * Sends each message, in order, to the channels joined with its topic and privacy; returns how
 * many messages went to at least one channel.
 */
export function deliverBroadcasts(
  targets: Iterable<BroadcastTarget>,
  messages: BroadcastMessage[],
  log: (message: string) => void,
): number {
  const sockets = [...targets];
  let delivered = 0;
  for (const m of messages) {
    const meta = { id: m.id };
    let reached = false;
    for (const socket of sockets) {
      if (socket.closed) continue;
      for (const channel of socket.channels.values()) {
        if (channel.name !== m.topic || channel.private !== m.private) continue;
        if (socket.vsn === "2.0.0") {
          const frame = userBroadcastFrame(channel.topic, m.event, meta, m.payloadText);
          if (!frame) {
            log(`broadcast on ${m.topic} not sent: topic, event or metadata longer than 255 bytes`);
            continue;
          }
          socket.sendBinary(frame);
        } else {
          socket.send({
            join_ref: null,
            ref: null,
            topic: channel.topic,
            event: "broadcast",
            payload: { event: m.event, meta, payload: m.payload, type: "broadcast" },
          });
        }
        reached = true;
      }
    }
    if (reached) delivered++;
  }
  return delivered;
}
