// JSON responses and the errors functions answer with: `{error: message, details?}`.
import { corsHeaders } from "./cors.ts";
import { BodyTooLargeError, readBodyCapped } from "./request-body.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

/** An error a caller can act on: its status, message (and headers such as Retry-After) are sent as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** SQLSTATEs our SQL raises for a caller to act on (rules, quotas, permissions), as HTTP statuses. */
const DATABASE_STATUS: Record<string, number> = {
  "22023": 400, // invalid value (job type, priority, attempts)
  "22008": 400, // a time out of range
  "23514": 400, // a CHECK constraint
  "P0001": 400,
  "42501": 403,
  PT404: 404,
  PT409: 409,
  PT413: 413, // a payload too large
  PT429: 429,
};

/** A database error meant for the caller (message and hint written for users), as an HttpError. */
export function httpErrorFromDatabase(error: unknown): HttpError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, hint } = error as { code?: unknown; message?: unknown; hint?: unknown };
  const status = typeof code === "string" ? DATABASE_STATUS[code] : undefined;
  if (status === undefined || typeof message !== "string") return undefined;
  return new HttpError(status, message, typeof hint === "string" && hint !== "" ? { hint } : undefined);
}

export function errorResponse(error: unknown, context: string): Response {
  const fromDatabase = httpErrorFromDatabase(error);
  if (fromDatabase) error = fromDatabase;
  if (error instanceof HttpError) {
    const body = { error: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
    return json(body, error.status, error.headers);
  }
  // Unexpected: log it whole, answer without internals.
  console.error(`[${context}] unexpected error:`, error);
  return json({ error: "Something went wrong on our side. Please try again; if it keeps happening, contact support." }, 500);
}

export const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON object body: 415 for another content type, 413 when too large, 400 when not JSON. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, "Send the request body as JSON (Content-Type: application/json).");
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBodyCapped(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new HttpError(413, error.message);
    throw error;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(400, "The request body is not valid JSON.");
  }
}
