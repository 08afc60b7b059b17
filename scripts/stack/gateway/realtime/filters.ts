// postgres_changes filters ("id=eq.5", "status=in.(pending,processing)", several joined by ","),
// checked against a table when a channel subscribes and applied to each change's values.
// Supported: eq, neq, lt, lte, gt, gte, in (at most 100 values), as Supabase Realtime's
// realtime.subscription filters. Operators realtime-js can build but this stand-in does not
// evaluate (like, ilike, match, imatch, is, isdistinct, not.*) are refused with a clear error.
import type { TableMeta } from "./catalog.ts";
import type { WalValue } from "./wal.ts";

export type FilterOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "in";
const OPS = new Set<FilterOp>(["eq", "neq", "lt", "lte", "gt", "gte", "in"]);
const KNOWN_UNSUPPORTED = new Set(["like", "ilike", "match", "imatch", "is", "isdistinct", "not", "fts", "cs", "cd"]);
const MAX_IN_VALUES = 100;

export interface Filter {
  column: string;
  op: FilterOp;
  values: string[];
}

/** A filter the stand-in cannot evaluate (real Supabase might): refused at join. */
export class UnsupportedFilterError extends Error {}
/** A filter that is wrong for the table (real Supabase refuses it too). */
export class InvalidFilterError extends Error {}

/** Splits at `sep` outside quotes and parentheses. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      current += ch;
      if (ch === "\\" && i + 1 < text.length) current += text[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    if (ch === sep && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const v = value;
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return v;
}

export function parseFilters(text: string | undefined | null): Filter[] {
  if (text === undefined || text === null || text === "") return [];
  return splitTopLevel(text, ",").map((condition) => {
    const eq = condition.indexOf("=");
    if (eq <= 0) throw new InvalidFilterError(`invalid filter "${condition}": expected column=operator.value`);
    const column = condition.slice(0, eq).trim();
    const rest = condition.slice(eq + 1);
    const dot = rest.indexOf(".");
    const op = (dot < 0 ? rest : rest.slice(0, dot)).toLowerCase();
    const raw = dot < 0 ? "" : rest.slice(dot + 1);
    if (!OPS.has(op as FilterOp)) {
      if (KNOWN_UNSUPPORTED.has(op)) {
        throw new UnsupportedFilterError(
          `the "${op}" filter operator is not supported by the local stack's Realtime (supported: eq, neq, lt, lte, gt, gte, in)`,
        );
      }
      throw new InvalidFilterError(`invalid filter operator "${op}" in "${condition}"`);
    }
    if (dot < 0) throw new InvalidFilterError(`invalid filter "${condition}": expected column=operator.value`);
    let values: string[];
    if (op === "in") {
      const m = raw.match(/^\((.*)\)$/s);
      if (!m) throw new InvalidFilterError(`invalid "in" filter "${condition}": expected in.(a,b,c)`);
      values = m[1] === "" ? [] : splitTopLevel(m[1], ",").map(unquote);
      if (values.length > MAX_IN_VALUES) {
        throw new InvalidFilterError(`too many values for "in" filter (max ${MAX_IN_VALUES})`);
      }
    } else {
      values = [unquote(raw)];
    }
    return { column, op: op as FilterOp, values };
  });
}

const NUMERIC = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "oid"]);
const TIMES = new Set(["timestamptz", "timestamp", "date"]);
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

type Comparable = number | string | boolean;

function normalise(typname: string, text: string): Comparable | null {
  if (NUMERIC.has(typname)) {
    const n = Number(text);
    return Number.isNaN(n) && text !== "NaN" ? null : n;
  }
  if (typname === "bool") {
    const t = text.toLowerCase();
    if (["t", "true", "yes", "on", "1"].includes(t)) return true;
    if (["f", "false", "no", "off", "0"].includes(t)) return false;
    return null;
  }
  if (typname === "uuid") return UUID.test(text) ? text.replaceAll("-", "").toLowerCase() : null;
  if (TIMES.has(typname)) {
    const iso = text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? text : ms;
  }
  return text;
}

/** Checks the filters against the table as realtime.subscription_check_filters does. */
export function checkFilters(filters: Filter[], meta: TableMeta): void {
  for (const f of filters) {
    const column = meta.columns.find((c) => c.name === f.column);
    if (!column) throw new InvalidFilterError(`invalid column for filter ${f.column}`);
    for (const v of f.values) {
      if (normalise(column.typname, v) === null) {
        throw new InvalidFilterError(`invalid input syntax for type ${column.typname}: "${v}"`);
      }
    }
  }
}

function compare(op: FilterOp, a: Comparable, b: Comparable): boolean {
  switch (op) {
    case "eq":
    case "in":
      return a === b;
    case "neq":
      return a !== b;
    case "lt":
      return a < b;
    case "lte":
      return a <= b;
    case "gt":
      return a > b;
    case "gte":
      return a >= b;
  }
}

/** True when every filter holds for the values; a missing or NULL value never matches (as in SQL). */
export function matchesFilters(filters: Filter[], values: WalValue[], meta: TableMeta): boolean {
  for (const f of filters) {
    const value = values.find((v) => v.name === f.column);
    const column = meta.columns.find((c) => c.name === f.column);
    if (!value || value.text === null || !column) return false;
    const actual = normalise(column.typname, value.text);
    if (actual === null) return false;
    const wanted = f.values.map((v) => normalise(column.typname, v)).filter((v): v is Comparable => v !== null);
    const ok = f.op === "in" ? wanted.some((w) => compare("eq", actual, w)) : compare(f.op, actual, wanted[0]);
    if (!ok) return false;
  }
  return true;
}
