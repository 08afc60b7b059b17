// Parsed request -> one parameterised SQL statement, shaped like PostgREST's: the rows are
// aggregated to JSON inside Postgres (so types serialise exactly as PostgREST sends them) and
// every statement answers one row (total, page_total, body). Identifiers come from the schema
// cache only and are always quoted; values are always $n parameters.
import { columnNotFound, RestError, unsupported } from "./errors.ts";
import type { Condition, Field, Filter, OrderTerm, ParsedQuery, SelectItem, SimpleOperator } from "./query-parser.ts";
import { type Column, EXPOSED_SCHEMA, type Relation, type Routine } from "./schema-cache.ts";

export interface Statement {
  text: string;
  params: string[];
}

export interface Output {
  /** array: [..]; object: the first row (or null); none: no body at all (HEAD, return=minimal). */
  body: "array" | "object" | "none";
  stripNulls: boolean;
  /** Prefer: count=exact — compute the total of the filtered rows, ignoring limit/offset. */
  count: boolean;
}

export interface Window {
  offset: number;
  limit: number | null;
}

export function ident(name: string): string {
  // A NUL would end the query text early in the wire protocol; no Postgres name contains one.
  if (name.includes("\u0000")) throw new RestError(400, "PGRST100", "Names may not contain NUL characters");
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Values travel as text parameters (`$n::text`), cast in SQL to the column's type from the schema
 * cache. Left untyped, postgres.js would serialise them by the type Postgres infers, and its
 * serialisers do not take strings as they are ("true" for a boolean would become false).
 */
class Params {
  readonly values: string[] = [];
  add(value: string): string {
    return `${this.addUntyped(value)}::text`;
  }
  /** A parameter whose type Postgres infers from the cast that follows, as PostgREST's unknown literals. */
  addUntyped(value: string): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** What column references resolve against: a table, or the CTE holding a mutation's or function's rows. */
interface Scope {
  ref: string;
  label: string;
  columns: ReadonlyMap<string, Column>;
}

function tableRef(relation: Relation): string {
  return `${ident(EXPOSED_SCHEMA)}.${ident(relation.name)}`;
}

function tableScope(relation: Relation): Scope {
  return { ref: tableRef(relation), label: relation.name, columns: relation.columns };
}

function column(scope: Scope, name: string): Column {
  const found = scope.columns.get(name);
  if (!found) throw columnNotFound(scope.label, name);
  return found;
}

/** A column reference (maybe with a json path) and the SQL type of its value. */
function typedField(scope: Scope, field: Field, params: Params): { sql: string; type: string } {
  const { type } = column(scope, field.name);
  let sql = `${scope.ref}.${ident(field.name)}`;
  for (const step of field.path) {
    // Indexes are digits (checked by the parser); keys travel as parameters.
    sql += step.index ? `${step.arrow}(${step.key})` : `${step.arrow}${params.add(step.key)}`;
  }
  if (!field.path.length) return { sql, type };
  const last = field.path[field.path.length - 1];
  return { sql: `(${sql})`, type: last.arrow === "->>" ? "text" : type === "json" ? "json" : "jsonb" };
}

function fieldSql(scope: Scope, field: Field, params: Params): string {
  return typedField(scope, field, params).sql;
}

// ---------------------------------------------------------------------------------- filters

const OPERATORS: Record<SimpleOperator, string> = {
  eq: "=",
  neq: "<>",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
  like: "like",
  ilike: "ilike",
  match: "~",
  imatch: "~*",
  cs: "@>",
  cd: "<@",
  ov: "&&",
  sl: "<<",
  sr: ">>",
  nxr: "&<",
  nxl: "&>",
  adj: "-|-",
  isdistinct: "is distinct from",
};

/** A Postgres array literal of the values, every element quoted, so `in.(a,"b,c")` is one parameter. */
function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

const TEXT_OPERATORS = new Set<SimpleOperator>(["like", "ilike", "match", "imatch"]);

function filterSql(scope: Scope, filter: Filter, params: Params): string {
  const { sql: lhs, type } = typedField(scope, filter.field, params);
  const operation = filter.operation;
  let sql: string;
  if (operation.op === "in") {
    sql = operation.values.length === 0
      ? "false"
      // Typed as the array itself (not text cast to it), so a custom plan sees a constant, as with
      // PostgREST's `= ANY($1)`: a partial index whose predicate lists those values can be used.
      : `${lhs} = any(${params.addUntyped(arrayLiteral(operation.values))}::${type}[])`;
  } else if (operation.op === "is") {
    sql = `${lhs} is ${operation.value}`; // one of null/true/false/unknown, checked by the parser
  } else if (TEXT_OPERATORS.has(operation.op)) {
    // PostgREST accepts * as the wildcard of like/ilike (% is awkward in URLs).
    const value = operation.op === "like" || operation.op === "ilike"
      ? operation.value.replaceAll("*", "%")
      : operation.value;
    sql = `${lhs} ${OPERATORS[operation.op]} ${params.add(value)}`;
  } else {
    sql = `${lhs} ${OPERATORS[operation.op]} ${params.add(operation.value)}::${type}`;
  }
  return filter.negate ? `not (${sql})` : sql;
}

function conditionSql(scope: Scope, condition: Condition, params: Params): string {
  if (condition.kind === "filter") return filterSql(scope, condition.filter, params);
  const joined = condition.children.map((child) => conditionSql(scope, child, params)).join(` ${condition.operator} `);
  return condition.negate ? `not (${joined})` : `(${joined})`;
}

function whereSql(scope: Scope, conditions: Condition[], params: Params): string {
  if (conditions.length === 0) return "";
  return ` where ${conditions.map((c) => conditionSql(scope, c, params)).join(" and ")}`;
}

// ----------------------------------------------------------------------- select and order

/** The output name PostgREST gives a json path: its last key (`payload->>account_id` is "account_id"). */
function pathName(field: Field): string {
  const last = field.path[field.path.length - 1];
  if (!last.index) return last.key;
  const lastKey = [...field.path].reverse().find((step) => !step.index);
  return lastKey ? lastKey.key : field.name;
}

function selectSql(scope: Scope, items: SelectItem[], params: Params): string {
  return items.map((item) => {
    if (item.kind === "star") return `${scope.ref}.*`;
    let sql = fieldSql(scope, item.field, params);
    if (item.cast) {
      // A bare type name (letters, digits, _): it cannot be anything but a type inside cast(... as ...).
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(item.cast)) {
        throw new RestError(
          400,
          "PGRST100",
          `"${item.cast}" is not a type name this gateway casts to`,
          null,
          "Use a one-word type name such as text, int4, numeric.",
        );
      }
      sql = `cast(${sql} as ${item.cast})`;
    }
    const name = item.alias ?? (item.field.path.length ? pathName(item.field) : item.cast ? item.field.name : null);
    return name === null ? sql : `${sql} as ${ident(name)}`;
  }).join(", ");
}

function orderSql(scope: Scope, terms: OrderTerm[], params: Params): string {
  if (terms.length === 0) return "";
  return ` order by ${
    terms.map((t) =>
      `${fieldSql(scope, t.field, params)}${t.direction ? ` ${t.direction}` : ""}${t.nulls ? ` nulls ${t.nulls}` : ""}`
    ).join(", ")
  }`;
}

function windowSql(window: Window): string {
  return `${window.limit !== null ? ` limit ${window.limit}` : ""}${
    window.offset > 0 ? ` offset ${window.offset}` : ""
  }`;
}

/** The outer query every statement ends with: one row of (total, page_total, body). */
function wrap(inner: string, total: string | null, out: Output, scalar = false): string {
  const value = scalar
    ? "_postgrest_t.pgrst_scalar"
    : out.stripNulls
    ? "json_strip_nulls(row_to_json(_postgrest_t))"
    : "_postgrest_t";
  const body = out.body === "none"
    ? "null::text"
    : out.body === "object"
    ? `coalesce((json_agg(${value}) -> 0)::text, 'null')`
    : `coalesce(json_agg(${value}), '[]')::text`;
  return `select ${
    total ?? "null::bigint"
  } as total, pg_catalog.count(*) as page_total, ${body} as body from (${inner}) _postgrest_t`;
}

// ------------------------------------------------------------------------------------ reads

export function buildRead(relation: Relation, query: ParsedQuery, window: Window, out: Output): Statement {
  const params = new Params();
  const scope = tableScope(relation);
  const select = selectSql(scope, query.select, params);
  const where = whereSql(scope, query.where, params);
  const inner = `select ${select} from ${scope.ref}${where}${orderSql(scope, query.order, params)}${windowSql(window)}`;
  // Counted separately (not over a CTE), so the page query keeps its index scan and LIMIT.
  const total = out.count ? `(select pg_catalog.count(*) from ${scope.ref}${where})` : null;
  return { text: wrap(inner, total, out), params: params.values };
}

// -------------------------------------------------------------------------------- mutations

function payloadColumn(relation: Relation, name: string): Column {
  const found = relation.columns.get(name);
  if (!found) {
    throw new RestError(
      400,
      "PGRST204",
      `Could not find the '${name}' column of '${relation.name}' in the schema cache`,
      null,
      null,
      true,
    );
  }
  return found;
}

/**
 * RETURNING only what the select needs: RETURNING * would ask for SELECT on every column, and some
 * columns are not selectable by API roles (workspace_settings' ciphertext). Minimal: RETURNING 1.
 */
function returning(relation: Relation, items: SelectItem[] | null, order: OrderTerm[]): string {
  if (items === null) return "1";
  const ref = tableRef(relation);
  if (items.some((i) => i.kind === "star")) return `${ref}.*`;
  const selected = items.flatMap((i) => (i.kind === "column" ? [i.field.name] : []));
  const names = [...new Set([...selected, ...order.map((t) => t.field.name)])];
  names.forEach((name) => column(tableScope(relation), name));
  return names.length ? names.map((n) => `${ref}.${ident(n)}`).join(", ") : "1";
}

function mutationStatement(
  statement: string,
  relation: Relation,
  query: ParsedQuery,
  representation: boolean,
  out: Output,
  params: Params,
): Statement {
  const scope: Scope = { ref: "pgrst_source", label: relation.name, columns: relation.columns };
  // ?order= sorts the returned representation (supabase-js allows .update().select().order()).
  const inner = representation
    ? `select ${selectSql(scope, query.select, params)} from pgrst_source${orderSql(scope, query.order, params)}`
    : "select from pgrst_source";
  const text =
    `with pgrst_source as (${statement} returning ${
      returning(relation, representation ? query.select : null, query.order)
    }) ` +
    wrap(inner, null, representation ? out : { ...out, body: "none" });
  return { text, params: params.values };
}

function definitions(columns: Column[]): string {
  return columns.map((c) => `${ident(c.name)} ${c.type}`).join(", ");
}

export function buildInsert(
  relation: Relation,
  query: ParsedQuery,
  rows: Record<string, unknown>[],
  representation: boolean,
  out: Output,
): Statement {
  let names: string[];
  if (query.columns) names = query.columns;
  else {
    // Without ?columns=, PostgREST takes the first object's keys and wants the same keys everywhere.
    names = rows.length ? Object.keys(rows[0]) : [];
    const signature = (row: object) => Object.keys(row).sort().join("\u0000");
    if (rows.some((row) => signature(row) !== signature(rows[0]))) {
      throw new RestError(400, "PGRST102", "All object keys must match");
    }
  }
  const columns = [...new Set(names)].map((name) => payloadColumn(relation, name));
  const params = new Params();
  const body = params.add(JSON.stringify(rows));
  const statement = columns.length === 0
    // Objects without keys: rows of defaults (a zero-column SELECT leaves every column to its default).
    ? `insert into ${tableRef(relation)} select from json_array_elements(${body}::json)`
    : `insert into ${tableRef(relation)} (${columns.map((c) => ident(c.name)).join(", ")}) ` +
      `select ${columns.map((c) => ident(c.name)).join(", ")} from json_to_recordset(${body}::json) as pgrst_body(${
        definitions(columns)
      })`;
  return mutationStatement(statement, relation, query, representation, out, params);
}

/** Supabase loads pg-safeupdate for API requests: an UPDATE or DELETE without a filter is refused. */
function requireWhere(verb: "UPDATE" | "DELETE", where: string): void {
  if (!where) {
    throw new RestError(
      400,
      "21000",
      `${verb} requires a WHERE clause`,
      null,
      "Add a filter such as ?id=eq.<id> to say which rows to change.",
    );
  }
}

export function buildUpdate(
  relation: Relation,
  query: ParsedQuery,
  patch: Record<string, unknown>,
  representation: boolean,
  out: Output,
): Statement {
  const columns = Object.keys(patch).map((name) => payloadColumn(relation, name));
  if (columns.length === 0) {
    // PATCH {}: nothing to change, so no statement touches the table; zero rows, as PostgREST answers.
    const body = !representation ? "null::text" : out.body === "object" ? "'null'" : "'[]'";
    return { text: `select null::bigint as total, 0::bigint as page_total, ${body} as body`, params: [] };
  }
  const params = new Params();
  const scope = tableScope(relation);
  const where = whereSql(scope, query.where, params);
  requireWhere("UPDATE", where);
  const body = params.add(JSON.stringify(patch));
  const statement =
    `update ${scope.ref} set ${columns.map((c) => `${ident(c.name)} = pgrst_body.${ident(c.name)}`).join(", ")} ` +
    `from json_to_record(${body}::json) as pgrst_body(${definitions(columns)})${where}`;
  return mutationStatement(statement, relation, query, representation, out, params);
}

export function buildDelete(relation: Relation, query: ParsedQuery, representation: boolean, out: Output): Statement {
  const params = new Params();
  const scope = tableScope(relation);
  const where = whereSql(scope, query.where, params);
  requireWhere("DELETE", where);
  return mutationStatement(`delete from ${scope.ref}${where}`, relation, query, representation, out, params);
}

// -------------------------------------------------------------------------------------- rpc

/**
 * A function call with named arguments. The arguments travel as one JSON parameter and are typed
 * by json_to_record with the function's own parameter types; the function runs once, in a CTE, and
 * its rows are then filtered, ordered and paged like a table's.
 */
export function buildCall(
  routine: Routine,
  args: Record<string, unknown>,
  query: ParsedQuery,
  window: Window,
  out: Output,
): Statement {
  const params = new Params();
  const given = routine.params.filter((p) => Object.hasOwn(args, p.name));
  const call = `${ident(EXPOSED_SCHEMA)}.${ident(routine.name)}(${
    given.map((p) => `${ident(p.name)} := pgrst_args.${ident(p.name)}`).join(", ")
  })`;
  const argsFrom = given.length
    ? `json_to_record(${
      params.add(JSON.stringify(Object.fromEntries(given.map((p) => [p.name, args[p.name]]))))
    }::json)` +
      ` as pgrst_args(${definitions(given)})`
    : null;
  const shape = routine.returns;

  if (shape.kind === "composite") {
    const source = `select pgrst_call.* from ${argsFrom ? `${argsFrom}, lateral ` : ""}${call} pgrst_call`;
    const scope: Scope = { ref: "pgrst_source", label: routine.name, columns: shape.columns };
    const select = selectSql(scope, query.select, params);
    const where = whereSql(scope, query.where, params);
    const inner = `select ${select} from pgrst_source${where}${orderSql(scope, query.order, params)}${
      windowSql(window)
    }`;
    const total = out.count ? `(select pg_catalog.count(*) from pgrst_source${where})` : null;
    return { text: `with pgrst_source as (${source}) ${wrap(inner, total, out)}`, params: params.values };
  }

  const defaultSelect = query.select.length === 1 && query.select[0].kind === "star";
  if (!defaultSelect || query.where.length || query.order.length) {
    throw unsupported(
      `Selecting, filtering or ordering the result of ${routine.name}() (it returns ${
        shape.kind === "scalar" ? shape.type : shape.kind
      }, not rows)`,
    );
  }
  const source = `select ${call} as pgrst_scalar${argsFrom ? ` from ${argsFrom}` : ""}`;
  const inner = `select pgrst_source.pgrst_scalar from pgrst_source${windowSql(window)}`;
  const total = out.count ? "(select pg_catalog.count(*) from pgrst_source)" : null;
  const output = shape.kind === "void" ? { ...out, body: "none" as const } : out;
  return { text: `with pgrst_source as (${source}) ${wrap(inner, total, output, true)}`, params: params.values };
}
