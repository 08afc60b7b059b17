// From changes to `postgres_changes` messages: match each change against every joined channel's
// bindings, check RLS for the matches (batched per subscriber identity, see visibility.ts), and send
// the payload Supabase Realtime sends: {ids, data: {schema, table, commit_timestamp, type, columns,
// record, old_record, errors}} — record for INSERT/UPDATE, old_record for UPDATE/DELETE, as
// realtime's NewRecord/UpdatedRecord/DeletedRecord. DELETEs cannot be checked against RLS (the row
// is gone): like Realtime they go to every matching subscriber, with only the primary key in
// old_record when the table has RLS on.
import type postgres from "postgres";
import type { Catalog, TableMeta } from "./catalog.ts";
import { type ChannelState, matchingBindingIds } from "./channel.ts";
import type { Connection } from "./connection.ts";
import { rowKey, type RowRef, type Viewer, viewerKey, visibleRows } from "./visibility.ts";
import { castInPostgres, type WalChange, type WalValue } from "./wal.ts";

export interface DispatchContext {
  sql: postgres.Sql;
  catalog: Catalog;
  connections: Iterable<Connection>;
  log(message: string): void;
}

interface Delivery {
  change: WalChange;
  meta: TableMeta;
  conn: Connection;
  channel: ChannelState;
  /** Binding ids grouped by their `select` list (one message per group). */
  groups: Map<string, { ids: number[]; select: string[] | null }>;
  viewer: Viewer;
  selectable: Set<string>;
  ref?: RowRef;
  error?: string;
}

function buildData(
  change: WalChange,
  meta: TableMeta,
  selectable: Set<string>,
  select: string[] | null,
): Record<string, unknown> {
  const isPk = (name: string) => meta.pk.some((c) => c.name === name);
  const include = (name: string) => selectable.has(name) && (!select || select.includes(name) || isPk(name));
  const rowOf = (values: WalValue[], keep = include) =>
    Object.fromEntries(values.filter((v) => keep(v.name)).map((v) => [v.name, v.json]));
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.action,
    columns: meta.columns.filter((c) => include(c.name)).map((c) => ({ name: c.name, type: c.typname })),
  };
  if (change.action !== "DELETE") {
    // wal2json leaves out unchanged TOASTed columns of an UPDATE: take them from the old row if it has them.
    const present = new Set(change.columns.map((v) => v.name));
    data.record = rowOf([...change.columns, ...change.identity.filter((v) => !present.has(v.name))]);
  }
  if (change.action === "UPDATE") {
    data.old_record = change.identity.length ? rowOf(change.identity) : null;
  }
  if (change.action === "DELETE") {
    data.old_record = rowOf(change.identity, (name) => include(name) && (!meta.rlsEnabled || isPk(name)));
  }
  data.errors = null;
  return data;
}

function errorData(change: WalChange, error: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: null,
    type: change.action,
    columns: [],
    record: {},
  };
  if (change.action === "UPDATE") data.old_record = {};
  data.errors = [error];
  return data;
}

/**
 * Sends each change to the channels that may see it; returns the number of deliveries (one per
 * subscription a change reached), which is what the project's events-per-second limit counts.
 */
export async function dispatchChanges(ctx: DispatchContext, changes: WalChange[]): Promise<number> {
  const channels: Array<{ conn: Connection; channel: ChannelState }> = [];
  for (const conn of ctx.connections) {
    for (const channel of conn.channels.values()) if (channel.bindings.length) channels.push({ conn, channel });
  }
  if (channels.length === 0) return 0;

  const { catalog } = ctx;
  await catalog.loadTypeNames(
    changes.flatMap((c) => [...c.columns, ...c.identity].filter((v) => v.pendingCast).map((v) => v.typeoid)),
  );
  await castInPostgres(ctx.sql, changes, (oid) => catalog.typeName(oid));

  const deliveries: Delivery[] = [];
  const checks = new Map<string, { viewer: Viewer; refs: Map<string, RowRef> }>();
  const isPublished = (schema: string, table: string) => catalog.isPublished(schema, table);
  for (const change of changes) {
    const meta = await catalog.table(change.schema, change.table);
    if (!meta) continue;
    for (const { conn, channel } of channels) {
      const ids = matchingBindingIds(channel, change, meta, isPublished);
      if (ids.length === 0) continue;
      const groups = new Map<string, { ids: number[]; select: string[] | null }>();
      for (const id of ids) {
        const select = channel.bindings.find((b) => b.id === id)?.select ?? null;
        const key = select ? JSON.stringify(select) : "*";
        const group = groups.get(key) ?? { ids: [], select };
        group.ids.push(id);
        groups.set(key, group);
      }
      const viewer: Viewer = { role: channel.auth.role, claims: channel.auth.claims };
      const selectable = await catalog.selectableColumns(meta, viewer.role);
      const delivery: Delivery = { change, meta, conn, channel, groups, viewer, selectable };
      if (change.action !== "DELETE") {
        if (meta.pk.length === 0) delivery.error = "Error 400: Bad Request, no primary key";
        else if (!meta.pk.every((c) => selectable.has(c.name))) delivery.error = "Error 401: Unauthorized";
        else if (meta.rlsEnabled) {
          const pk = meta.pk.map((c) => change.columns.find((v) => v.name === c.name)?.text ?? null);
          if (pk.some((v) => v === null)) continue;
          const ref: RowRef = { meta, pk: pk as string[] };
          delivery.ref = ref;
          const key = viewerKey(viewer);
          const entry = checks.get(key) ?? { viewer, refs: new Map() };
          entry.refs.set(rowKey(ref), ref);
          checks.set(key, entry);
        }
      }
      deliveries.push(delivery);
    }
  }

  const visible = new Map<string, Set<string>>();
  await Promise.all([...checks].map(async ([key, { viewer, refs }]) => {
    try {
      visible.set(key, await visibleRows(ctx.sql, catalog, viewer, [...refs.values()]));
    } catch (error) {
      // A policy that fails to evaluate discloses nothing (Realtime withholds the record too).
      ctx.log(`RLS check as ${viewer.role} failed, changes withheld: ${(error as Error).message}`);
      visible.set(key, new Set());
    }
  }));

  const position = new Map(changes.map((c, i) => [c, i]));
  const payloads = new Map<string, Record<string, unknown>>();
  let delivered = 0;
  for (const d of deliveries) {
    if (d.conn.closed || d.conn.channels.get(d.channel.topic) !== d.channel) continue;
    if (d.ref && !visible.get(viewerKey(d.viewer))?.has(rowKey(d.ref))) continue;
    for (const [selectKey, { ids, select }] of d.groups) {
      let data: Record<string, unknown>;
      if (d.error) data = errorData(d.change, d.error);
      else {
        const cacheKey = `${position.get(d.change)}\u0000${d.viewer.role}\u0000${selectKey}`;
        data = payloads.get(cacheKey) ?? buildData(d.change, d.meta, d.selectable, select);
        payloads.set(cacheKey, data);
      }
      d.conn.push(d.channel, "postgres_changes", { ids, data }, false);
      delivered += ids.length;
    }
  }
  return delivered;
}
