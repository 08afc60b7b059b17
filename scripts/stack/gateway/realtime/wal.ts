// wal2json (format-version 2) rows from the slot, turned into changes. Values become what Supabase
// Realtime sends: realtime.cast() there is `to_jsonb(value::type)`, so jsonb comes as objects,
// numbers as numbers, booleans as booleans, timestamps in ISO 8601 ("2024-01-01T10:00:00+00:00")
// and arrays as JSON arrays. Most of that is done here; arrays and user-defined types are cast by
// Postgres itself (castInPostgres), so they come out exactly as to_jsonb prints them.
import type postgres from "postgres";

export type Action = "INSERT" | "UPDATE" | "DELETE";

export interface WalValue {
  name: string;
  typeoid: number;
  /** The value as JSON for the payload (to_jsonb's form once finished). */
  json: unknown;
  /** The value as Postgres text, for comparisons and primary-key lookups (null for SQL NULL). */
  text: string | null;
  /** Set while the value still has to be cast by Postgres. */
  pendingCast?: boolean;
}

export interface WalChange {
  action: Action;
  schema: string;
  table: string;
  /** ISO 8601 in UTC with milliseconds, as realtime's apply_rls formats it. */
  commitTimestamp: string;
  /** New row (INSERT, UPDATE). */
  columns: WalValue[];
  /** Old key or row, depending on the replica identity (UPDATE, DELETE). */
  identity: WalValue[];
  /** Primary-key column names. */
  pk: string[];
}

export interface WalBatch {
  changes: WalChange[];
  /** End of the last complete transaction read: where the slot may be advanced to. */
  advanceTo: string | null;
}

/** A number as wal2json printed it, so 64-bit integers and numeric scale survive JSON.parse. */
class RawNumber {
  constructor(readonly value: number, readonly source: string) {}
}

interface RawColumn {
  name: string;
  type?: string;
  typeoid?: number;
  value?: unknown;
}

interface RawRow {
  action: string;
  timestamp?: string;
  schema?: string;
  table?: string;
  columns?: RawColumn[];
  identity?: RawColumn[];
  pk?: Array<{ name: string }>;
}

function parseRow(data: string): RawRow {
  return JSON.parse(data, function (key, value, context?: { source?: string }) {
    return key === "value" && typeof value === "number" && context?.source !== undefined
      ? new RawNumber(value, context.source)
      : value;
  });
}

const JSON_TYPES = new Set([114, 3802]);
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
/** Types from this oid on are user-defined; below it, built-in types print as to_jsonb does. */
const FIRST_USER_OID = 16384;

function timestamptzIso(text: string): string | null {
  const m = text.match(/^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::?(\d\d))?$/);
  return m ? `${m[1]}T${m[2]}${m[3]}:${m[4] ?? "00"}` : null;
}

function toValue(column: RawColumn): WalValue {
  const typeoid = Number(column.typeoid ?? 0);
  const raw = column.value;
  const base = { name: column.name, typeoid };
  if (raw === null || raw === undefined) return { ...base, json: null, text: null };
  if (raw instanceof RawNumber) return { ...base, json: raw.value, text: raw.source };
  if (typeof raw === "boolean") return { ...base, json: raw, text: raw ? "true" : "false" };
  const text = String(raw);
  if (JSON_TYPES.has(typeoid)) {
    try {
      return { ...base, json: JSON.parse(text), text };
    } catch {
      return { ...base, json: text, text };
    }
  }
  if (typeoid === TIMESTAMPTZ) {
    const iso = timestamptzIso(text);
    return iso || /^-?infinity$/.test(text)
      ? { ...base, json: iso ?? text, text }
      : { ...base, json: text, text, pendingCast: true };
  }
  if (typeoid === TIMESTAMP) {
    const iso = /^\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? text.replace(" ", "T") : null;
    return iso || /^-?infinity$/.test(text)
      ? { ...base, json: iso ?? text, text }
      : { ...base, json: text, text, pendingCast: true };
  }
  // Arrays (wal2json names their type "text[]", "integer[]"...) and user-defined types (domains,
  // composites, enums) are cast by Postgres; a text value that merely looks like {...} costs a cast.
  const isArray = /\[\]$/.test(column.type ?? "") || (text.startsWith("{") && text.endsWith("}"));
  if (isArray || typeoid >= FIRST_USER_OID || typeoid === 0) return { ...base, json: text, text, pendingCast: true };
  return { ...base, json: text, text };
}

function commitIso(timestamp: string | undefined): string {
  const iso = timestamp ? timestamptzIso(timestamp) : null;
  const ms = iso ? Date.parse(iso) : NaN;
  return new Date(Number.isNaN(ms) ? Date.now() : ms).toISOString();
}

const ACTIONS: Record<string, Action> = { I: "INSERT", U: "UPDATE", D: "DELETE" };

/**
 * Reads peeked rows. Only whole transactions are used: rows after the last commit ("C") are left
 * in the slot for the next poll (pg_logical_slot_peek_changes returns whole transactions anyway).
 */
export function parseWalRows(rows: Array<{ lsn: string; data: string }>): WalBatch {
  const changes: WalChange[] = [];
  let pending: WalChange[] = [];
  let advanceTo: string | null = null;
  for (const { lsn, data } of rows) {
    const row = parseRow(data);
    if (row.action === "B") {
      pending = [];
    } else if (row.action === "C") {
      changes.push(...pending);
      pending = [];
      advanceTo = lsn;
    } else if (ACTIONS[row.action] && row.schema && row.table) {
      pending.push({
        action: ACTIONS[row.action],
        schema: row.schema,
        table: row.table,
        commitTimestamp: commitIso(row.timestamp),
        columns: (row.columns ?? []).map(toValue),
        identity: (row.identity ?? []).map(toValue),
        pk: (row.pk ?? []).map((p) => p.name),
      });
    }
  }
  return { changes, advanceTo };
}

/** Quotes a type name from the catalog for use in a cast (regtype text is already valid SQL). */
function isSafeTypeName(name: string): boolean {
  return /^[A-Za-z0-9_ ."[\](),]+$/.test(name);
}

/**
 * Casts the values to_jsonb must print (arrays, user-defined types) in one query for the whole batch.
 * `typeName(oid)` gives the regtype text of a column type.
 */
export async function castInPostgres(
  sql: postgres.Sql,
  changes: WalChange[],
  typeName: (oid: number) => string | undefined,
): Promise<void> {
  const pending: WalValue[] = [];
  for (const change of changes) {
    for (const v of [...change.columns, ...change.identity]) if (v.pendingCast) pending.push(v);
  }
  if (pending.length === 0) return;
  const selects: string[] = [];
  const params: string[] = [];
  for (const v of pending) {
    const type = typeName(v.typeoid);
    params.push(v.text ?? "");
    selects.push(
      type && isSafeTypeName(type) ? `to_jsonb($${params.length}::text::${type})` : `to_jsonb($${params.length}::text)`,
    );
  }
  // Chunks keep each statement well below the 65535 parameter limit.
  for (let start = 0; start < pending.length; start += 1000) {
    const end = Math.min(start + 1000, pending.length);
    const rows = selects.slice(start, end).map((s, i) =>
      `(${i}, ${s.replace(/\$(\d+)/, (_m, n) => `$${Number(n) - start}`)})`
    );
    const result = await sql.unsafe(
      `select i, v from (values ${rows.join(", ")}) as x(i, v) order by i`,
      params.slice(start, end),
    );
    for (const row of result) {
      pending[start + Number(row.i)].json = row.v;
      pending[start + Number(row.i)].pendingCast = false;
    }
  }
}
