// /rest/v1: the PostgREST subset supabase-js uses in this app. Reads of tables and views,
// insert/update/delete, and rpc calls, each one transaction run as the caller's role so RLS
// decides. Parsing, SQL building, execution and response shaping live in the sibling modules.
import { type Caller, resolveCaller } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { RestError, toRestError, unsupported } from "./errors.ts";
import { argumentNames, findRelation, findRoutine } from "./lookup.ts";
import { isReservedParam, type ParsedQuery, parseQuery } from "./query-parser.ts";
import {
  checkMethod,
  checkProfile,
  headerRange,
  type Method,
  negotiate,
  type Negotiated,
  pageWindow,
  parsePreferences,
  parseTarget,
  type Preferences,
  readJsonBody,
  type Target,
} from "./request.ts";
import { readResponse, writeResponse } from "./response.ts";
import { type SchemaCache, schemaCacheFor } from "./schema-cache.ts";
import {
  buildCall,
  buildDelete,
  buildInsert,
  buildRead,
  buildUpdate,
  type Output,
  type Statement,
} from "./sql-builder.ts";
import { type ResultRow, runStatement } from "./transaction.ts";
import type { Settings } from "./role-settings.ts";

/** Everything known about a request before the database is asked. */
interface ApiRequest {
  /** Date.now() on arrival: a schema cache loaded later already knows every object this request can name. */
  receivedAt: number;
  req: Request;
  url: URL;
  target: Target;
  method: Method;
  prefs: Preferences;
  media: Negotiated;
  payload: unknown;
}

/** What to run and how to answer. */
interface Plan {
  statement: Statement;
  readOnly: boolean;
  /** A called function's own statement_timeout, applied after the role's settings (none for tables). */
  functionSettings: Settings;
  answer: (result: ResultRow) => Response;
  /** Rows the request must touch: 1 for .single(); at most maxAffected with handling=strict. */
  exactlyOne: boolean;
  maxAffected: number | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function noMutationModifiers(query: ParsedQuery, verb: string): void {
  if (query.limit !== null || query.offset !== null) {
    throw unsupported(`limit/offset on ${verb}`, "Filter the rows to change by their id instead.");
  }
}

function tablePlan(r: ApiRequest, cache: SchemaCache): Plan {
  const relation = findRelation(cache, r.target.name);
  const query = parseQuery(r.url.searchParams);
  if (query.onConflict !== null) {
    throw unsupported("Upsert (on_conflict)", "Insert, or update the existing row with a filter.");
  }
  const { prefs, media } = r;
  const base = { exactlyOne: media.single, maxAffected: null as number | null, functionSettings: [] as Settings };

  if (r.method === "GET" || r.method === "HEAD") {
    const window = pageWindow(headerRange(r.req, r.method), query.limit, query.offset);
    const head = r.method === "HEAD";
    const out: Output = {
      body: head ? "none" : media.single ? "object" : "array",
      stripNulls: media.stripNulls,
      count: prefs.count,
    };
    return {
      ...base,
      statement: buildRead(relation, query, window, out),
      readOnly: true,
      answer: (result) =>
        readResponse({ result, offset: window.offset, single: media.single, head, applied: prefs.applied }),
    };
  }

  const representation = prefs.representation === "full";
  const out: Output = { body: media.single ? "object" : "array", stripNulls: media.stripNulls, count: prefs.count };
  const write = (kind: "insert" | "update" | "delete", statement: Statement): Plan => ({
    ...base,
    maxAffected: kind === "insert" ? null : prefs.maxAffected,
    statement,
    readOnly: false,
    answer: (result) =>
      writeResponse({ result, kind, representation, count: prefs.count, single: media.single, applied: prefs.applied }),
  });

  if (r.method === "POST") {
    if (query.where.length) throw unsupported("Filters on insert");
    noMutationModifiers(query, "insert");
    const rows = Array.isArray(r.payload) ? r.payload : [r.payload];
    if (r.payload === undefined || !rows.every(isObject)) {
      throw new RestError(
        400,
        "PGRST102",
        "Empty or invalid json",
        "Send a JSON object, or an array of objects, to insert.",
      );
    }
    return write("insert", buildInsert(relation, query, rows, representation, out));
  }
  if (r.method === "PATCH") {
    noMutationModifiers(query, "update");
    if (!isObject(r.payload)) {
      throw new RestError(400, "PGRST102", "Empty or invalid json", "Send one JSON object with the columns to change.");
    }
    return write("update", buildUpdate(relation, query, r.payload, representation, out));
  }
  noMutationModifiers(query, "delete");
  return write("delete", buildDelete(relation, query, representation, out));
}

function rpcPlan(r: ApiRequest, cache: SchemaCache): Plan {
  const read = r.method === "GET" || r.method === "HEAD";
  // An unknown name is a cache miss before anything else: on GET its arguments would otherwise be read as filters.
  if (!cache.routines.has(r.target.name)) {
    const keys = read
      ? [...r.url.searchParams.keys()].filter((k) => !isReservedParam(k))
      : isObject(r.payload)
      ? Object.keys(r.payload)
      : [];
    findRoutine(cache, r.target.name, keys);
  }
  const query = parseQuery(r.url.searchParams, read ? argumentNames(cache, r.target.name) : new Set());
  let args: Record<string, unknown>;
  if (read) args = query.args;
  else if (r.payload === undefined) args = {};
  else if (isObject(r.payload)) args = r.payload;
  else throw unsupported("Calling a function with a body that is not a JSON object of named arguments");

  const routine = findRoutine(cache, r.target.name, Object.keys(args));
  if (read && routine.volatility === "volatile") {
    throw new RestError(
      405,
      "PGRST101",
      `Cannot use the ${r.method} method on RPC`,
      `${routine.name} is volatile (it may change data); GET and HEAD run read-only.`,
      "Call it with POST (supabase.rpc() without { get: true }).",
    );
  }
  if (routine.returns.kind === "unsupported") {
    throw unsupported(`Calling ${routine.name}(), which returns ${routine.returns.type}`);
  }

  const { prefs, media } = r;
  const window = pageWindow(headerRange(r.req, r.method), query.limit, query.offset);
  const isVoid = routine.returns.kind === "void";
  const head = r.method === "HEAD";
  const out: Output = {
    body: head || isVoid ? "none" : media.single || !routine.returnsSet ? "object" : "array",
    stripNulls: media.stripNulls,
    count: prefs.count,
  };
  return {
    statement: buildCall(routine, args, query, window, out),
    readOnly: read || routine.volatility !== "volatile",
    functionSettings: routine.settings,
    exactlyOne: media.single && !isVoid,
    maxAffected: prefs.maxAffected,
    answer: (result) =>
      readResponse({
        result,
        offset: window.offset,
        single: out.body === "object",
        head,
        applied: prefs.applied,
        noContent: isVoid,
      }),
  };
}

/** Builds the plan; if a name was missing from the schema cache, reloads it once and tries again. */
async function planFor(r: ApiRequest, cache: SchemaCache): Promise<Plan> {
  const build = () => (r.target.kind === "rpc" ? rpcPlan(r, cache) : tablePlan(r, cache));
  try {
    return build();
  } catch (error) {
    if (!(error instanceof RestError && error.cacheMiss)) throw error;
    await cache.reload(r.receivedAt);
    return build();
  }
}

function checkRowCount(plan: Plan, result: ResultRow): void {
  if (plan.exactlyOne && result.pageTotal !== 1) {
    throw new RestError(
      406,
      "PGRST116",
      "JSON object requested, multiple (or no) rows returned",
      `The result contains ${result.pageTotal} rows`,
    );
  }
  if (plan.maxAffected !== null && result.pageTotal > plan.maxAffected) {
    throw new RestError(
      400,
      "PGRST124",
      "Query result exceeds max-affected preference constraint",
      `The query affects ${result.pageTotal} rows`,
    );
  }
}

async function serve(req: Request, ctx: GatewayContext, caller: Caller, cache: SchemaCache): Promise<Response> {
  const receivedAt = Date.now();
  const url = new URL(req.url);
  const target = parseTarget(url);
  const method = checkMethod(req.method, target);
  checkProfile(req, method);
  const r: ApiRequest = {
    receivedAt,
    req,
    url,
    target,
    method,
    prefs: parsePreferences(req),
    media: negotiate(req),
    payload: method === "POST" || method === "PATCH" ? await readJsonBody(req) : undefined,
  };
  await cache.ready();
  const plan = await planFor(r, cache);
  const settings = [...cache.roleSettings.for(caller.role), ...plan.functionSettings];
  const locals = { method, path: target.path, headers: req.headers, settings };
  const result = await runStatement(
    ctx.sql,
    caller,
    locals,
    plan.statement,
    plan.readOnly,
    (res) => checkRowCount(plan, res),
  );
  return plan.answer(result);
}

export async function handleRest(req: Request, ctx: GatewayContext): Promise<Response> {
  // The apikey and JWT are checked first, as Supabase's API gateway does; AuthError goes to main.ts.
  const caller = await resolveCaller(req, ctx);
  const cache = schemaCacheFor(ctx, ctx.sql);
  try {
    return await serve(req, ctx, caller, cache);
  } catch (error) {
    const restError = toRestError(error, caller.role !== "anon");
    // The schema changed under the cache (a table or column went away): reload on the next request.
    if (!restError.cacheMiss && (restError.code === "42P01" || restError.code === "42703")) cache.invalidate();
    return restError.toResponse();
  }
}
