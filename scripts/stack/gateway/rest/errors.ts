// PostgREST's error body ({code, message, details, hint}) and its SQLSTATE -> HTTP status table
// (PostgREST src/PostgREST/Error.hs, mapSQLtoHTTP), so supabase-js sees what Supabase would send.
import { json } from "../http.ts";

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
    /** True when an identifier was not in the schema cache: the handler reloads the cache once and retries. */
    readonly cacheMiss = false,
  ) {
    super(message);
  }

  toResponse(): Response {
    const headers: Record<string, string> = {};
    if (this.status === 401) headers["www-authenticate"] = "Bearer";
    return json(
      { code: this.code, message: this.message, details: this.details, hint: this.hint },
      this.status,
      headers,
    );
  }
}

/** PGRST100: the query string could not be parsed or asks for something unsupported. */
export function badQuery(message: string, details: string | null = null, hint: string | null = null): RestError {
  return new RestError(400, "PGRST100", message, details, hint);
}

/** Embedding, upsert, other schemas...: refused with a clear 400 rather than half-implemented. */
export function unsupported(what: string, hint: string | null = null): RestError {
  return new RestError(400, "PGRST100", `${what} is not supported by the local stack's /rest/v1`, null, hint);
}

/** A column that is not in the schema cache: the same 400 Postgres (and so PostgREST) would give. */
export function columnNotFound(relation: string, column: string): RestError {
  return new RestError(400, "42703", `column ${relation}.${column} does not exist`, null, null, true);
}

/** Status for a Postgres error, as PostgREST maps it; `authenticated` is false for the anon role. */
export function statusForSqlState(sqlState: string, message: string, authenticated: boolean): number {
  const c = sqlState;
  if (c.startsWith("08")) return 503; // connection exception
  if (c.startsWith("09")) return 500; // triggered action exception
  if (c.startsWith("0L") || c.startsWith("0P")) return 403; // invalid grantor / role specification
  if (c === "23503" || c === "23505") return 409; // foreign key / unique violation
  if (c === "25006") return 405; // read-only transaction
  if (c === "21000") return message.endsWith("requires a WHERE clause") ? 400 : 500;
  if (c === "22023") return message.startsWith("role") && message.endsWith("does not exist") ? 401 : 400;
  if (/^(25|2D|38|39|3B|40|54|55|58|F0|HV|XX)/.test(c)) return 500;
  if (c === "53400") return 500;
  if (c.startsWith("53")) return 503; // insufficient resources
  if (c === "57P01") return 503;
  if (c.startsWith("57")) return 500;
  if (c.startsWith("28")) return 403; // invalid authorization specification
  if (c === "P0001") return 400; // plain RAISE EXCEPTION
  if (c.startsWith("P0")) return 500; // other PL/pgSQL errors
  if (c === "42883") return 404; // undefined function (also: operator does not exist)
  if (c === "42P01") return 404; // undefined table
  if (c === "42P17") return 500; // infinite recursion (in a policy)
  if (c === "42501") return authenticated ? 403 : 401; // insufficient privilege
  if (c.startsWith("PT")) {
    // RAISE ... USING ERRCODE = 'PT404' answers HTTP 404 with code PT404.
    const status = Number(c.slice(2));
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
  }
  return 400;
}

interface PostgresErrorLike {
  name: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function isPostgresError(error: unknown): error is PostgresErrorLike {
  return error instanceof Error && error.name === "PostgresError" &&
    typeof (error as { code?: unknown }).code === "string";
}

// postgres.js reports a lost or refused connection with these codes (not SQLSTATEs).
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
]);

/** Any failure of a request, as the JSON error PostgREST would answer. Never a stack trace. */
export function toRestError(error: unknown, authenticated: boolean): RestError {
  if (error instanceof RestError) return error;
  if (isPostgresError(error)) {
    return new RestError(
      statusForSqlState(error.code, error.message, authenticated),
      error.code,
      error.message,
      error.detail ?? null,
      error.hint ?? null,
    );
  }
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) {
    return new RestError(
      503,
      "PGRST001",
      "Database client error. Retrying the connection.",
      String((error as Error).message),
      null,
    );
  }
  console.error("[rest] unexpected error:", error);
  return new RestError(
    500,
    "PGRSTX00",
    "Internal error in the local /rest/v1 gateway",
    (error as Error)?.message ?? String(error),
  );
}
