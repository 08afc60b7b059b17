// A joined channel and its postgres_changes bindings, built from a phx_join payload the way Supabase
// Realtime's RealtimeChannel.join does: the bindings are echoed back exactly as sent, each with an
// integer id, and changes are matched against them.
import { z } from "zod";
import type { Catalog } from "./catalog.ts";
import { JoinError } from "./join-error.ts";
import {
  checkFilters,
  type Filter,
  InvalidFilterError,
  matchesFilters,
  parseFilters,
  UnsupportedFilterError,
} from "./filters.ts";
import type { ChannelAuth } from "./token.ts";
import type { Action, WalChange } from "./wal.ts";
import type { TableMeta } from "./catalog.ts";

export const JoinPayload = z.looseObject({
  config: z.looseObject({
    broadcast: z.looseObject({
      ack: z.boolean().optional(),
      self: z.boolean().optional(),
      replay: z.unknown().optional(),
    })
      .nullish(),
    presence: z.looseObject({ key: z.string().optional(), enabled: z.boolean().optional() }).nullish(),
    postgres_changes: z.array(z.unknown()).nullish(),
    private: z.boolean().nullish(),
    postgres_changes_options: z.looseObject({ wait: z.boolean().optional(), timeout: z.number().optional() }).nullish(),
  }).nullish(),
  access_token: z.string().nullish(),
  user_token: z.string().nullish(),
});
export type JoinPayload = z.infer<typeof JoinPayload>;

const ChangeParams = z.looseObject({
  event: z.string(),
  schema: z.string().min(1),
  table: z.string().optional(),
  filter: z.string().optional(),
  select: z.array(z.string()).optional(),
});

export type BindingEvent = "*" | Action;

export interface Binding {
  /** Echoed to the client in the join reply and sent in each change's `ids`. */
  id: number;
  params: Record<string, unknown>;
  event: BindingEvent;
  schema: string;
  /** null: every published table of the schema. */
  table: string | null;
  filters: Filter[];
  select: string[] | null;
}

/** Realtime uses :erlang.phash2(params), an integer below 2^27; any stable hash of the params does. */
export function bindingId(params: unknown): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(JSON.stringify(params))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7ffffff;
}

/** A join the stand-in cannot serve although real Supabase could: refused with this reason. */
export class UnsupportedJoinError extends JoinError {}

export interface ParsedBindings {
  /** What the join reply echoes: every non-null binding as sent, plus its id. */
  echo: Array<Record<string, unknown>>;
  bindings: Binding[];
  /** Set when the parameters are wrong for the database (real Realtime reports these as a system error). */
  error: string | null;
}

function describe(params: Record<string, unknown>): string {
  return `[event: ${params.event ?? ""}, schema: ${params.schema ?? ""}, table: ${params.table ?? "*"}, filters: [${
    params.filter ?? ""
  }]]`;
}

export async function parseBindings(list: unknown[], catalog: Catalog): Promise<ParsedBindings> {
  const echo: Array<Record<string, unknown>> = [];
  const bindings: Binding[] = [];
  let error: string | null = null;
  await catalog.publication();
  for (const raw of list) {
    if (raw === null || raw === undefined) continue;
    const params = (typeof raw === "object" ? raw : { value: raw }) as Record<string, unknown>;
    const id = bindingId(params);
    echo.push({ ...params, id });
    const fail = (why: string) => {
      error ??=
        `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${
          describe(params)
        } (${why})`;
    };
    const parsed = ChangeParams.safeParse(params);
    if (!parsed.success) {
      fail(`each postgres_changes binding needs "event" and "schema"`);
      continue;
    }
    const p = parsed.data;
    const event = p.event === "*" ? "*" : p.event.toUpperCase();
    if (!["*", "INSERT", "UPDATE", "DELETE"].includes(event)) {
      fail(`event must be *, INSERT, UPDATE or DELETE`);
      continue;
    }
    let filters: Filter[];
    try {
      filters = parseFilters(p.filter);
    } catch (e) {
      if (e instanceof UnsupportedFilterError) throw new UnsupportedJoinError("UnsupportedFilter", e.message);
      fail((e as Error).message);
      continue;
    }
    const table = p.table && p.table !== "*" ? p.table : null;
    if (table === null && filters.length > 0) {
      fail("a filter needs a table");
      continue;
    }
    if (table !== null) {
      const meta = await catalog.table(p.schema, table);
      if (!meta) {
        fail(`table ${p.schema}.${table} does not exist`);
        continue;
      }
      try {
        checkFilters(filters, meta);
      } catch (e) {
        if (!(e instanceof InvalidFilterError)) throw e;
        fail(e.message);
        continue;
      }
      const unknown = (p.select ?? []).filter((c) => !meta.columns.some((col) => col.name === c));
      if (unknown.length) {
        fail(`unknown column(s) in select: ${unknown.join(", ")}`);
        continue;
      }
    }
    if (bindings.some((b) => b.id === id)) continue;
    bindings.push({
      id,
      params,
      event: event as BindingEvent,
      schema: p.schema,
      table,
      filters,
      select: p.select ?? null,
    });
  }
  return { echo, bindings, error };
}

export interface ChannelState {
  topic: string;
  /** The channel name: the topic without "realtime:". */
  name: string;
  joinRef: string | null;
  auth: ChannelAuth;
  bindings: Binding[];
  /** Joined with config.private (and authorized): receives the topic's private broadcasts only. */
  private: boolean;
  expiryTimer?: ReturnType<typeof setTimeout>;
}

/** Ids of the channel's bindings this change matches (schema, table, event, filters). */
export function matchingBindingIds(
  channel: ChannelState,
  change: WalChange,
  meta: TableMeta,
  isPublished: (schema: string, table: string) => boolean,
): number[] {
  const ids: number[] = [];
  for (const b of channel.bindings) {
    if (b.schema !== change.schema) continue;
    if (b.table === null ? !isPublished(change.schema, change.table) : b.table !== change.table) continue;
    if (b.event !== "*" && b.event !== change.action) continue;
    const visible = matchesFilters(b.filters, change.columns, meta) ||
      (change.action === "DELETE" && matchesFilters(b.filters, change.identity, meta));
    if (visible) ids.push(b.id);
  }
  return ids;
}
