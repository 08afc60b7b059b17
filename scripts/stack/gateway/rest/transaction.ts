// One request = one transaction, run as the JWT's role with the request's GUCs set locally,
// exactly as PostgREST does (src/PostgREST/Query/PreQuery.hs, txVarQuery), so RLS policies and
// auth.uid()/auth.jwt() see the caller, and the role's settings (anon's statement_timeout of 3 s,
// role-settings.ts) govern the statement. GET/HEAD (and non-volatile functions) run read-only.
import type { Caller } from "../apikey.ts";
import type { Sql } from "../context.ts";
import type { Statement } from "./sql-builder.ts";
import type { Settings } from "./role-settings.ts";

export interface RequestLocals {
  method: string;
  /** "/accounts", "/rpc/enqueue_enrichment": the path PostgREST sees behind Supabase's gateway. */
  path: string;
  headers: Headers;
  /** The role's settings, then the called function's hoisted ones: set before the statement runs. */
  settings: Settings;
}

export interface ResultRow {
  /** Prefer: count=exact total, else null. */
  total: number | null;
  /** Rows in this page (or affected by the mutation). */
  pageTotal: number;
  /** The JSON body built by Postgres, or null when none was asked for. */
  body: string | null;
}

// Supabase's PostgREST uses db-extra-search-path = public, extensions.
const SEARCH_PATH = '"public", "extensions"';

// In PostgREST's order: the role's settings before the role (a setting SET-granted to the login role
// can then be applied), the function's last. The select list is evaluated left to right.
const SET_LOCALS = `select
  set_config('search_path', $1, true),
  (select count(set_config(s.name, s.value, true)) from unnest($8::text[], $9::text[]) as s(name, value)),
  set_config('role', $2, true),
  set_config('request.jwt.claims', $3, true),
  set_config('request.method', $4, true),
  set_config('request.path', $5, true),
  set_config('request.headers', $6, true),
  set_config('request.cookies', $7, true)`;

function cookies(header: string | null): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const pair of (header ?? "").split(";")) {
    const at = pair.indexOf("=");
    if (at > 0) jar[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return jar;
}

/**
 * Runs the statement in its own transaction. `check` sees the result before COMMIT and may throw
 * (e.g. PGRST116 for .single() on a mutation), which rolls everything back.
 */
export async function runStatement(
  sql: Sql,
  caller: Caller,
  locals: RequestLocals,
  statement: Statement,
  readOnly: boolean,
  check: (result: ResultRow) => void = () => {},
): Promise<ResultRow> {
  // Header names from the Fetch API are already lower-case, as PostgREST's request.headers are.
  const headers = JSON.stringify(Object.fromEntries(locals.headers));
  return await sql.begin(readOnly ? "read only" : "read write", async (tx) => {
    await tx.unsafe(SET_LOCALS, [
      SEARCH_PATH,
      caller.role,
      JSON.stringify(caller.claims),
      locals.method,
      locals.path,
      headers,
      JSON.stringify(cookies(locals.headers.get("cookie"))),
      locals.settings.map(([name]) => name),
      locals.settings.map(([, value]) => value),
    ], { prepare: true });
    const rows = await tx.unsafe<Array<{ total: string | null; page_total: string; body: string | null }>>(
      statement.text,
      statement.params,
      { prepare: true },
    );
    const row = rows[0];
    const result: ResultRow = {
      total: row.total === null ? null : Number(row.total),
      pageTotal: Number(row.page_total),
      body: row.body,
    };
    check(result);
    return result;
  });
}
