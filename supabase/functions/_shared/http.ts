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

export function errorResponse(error: unknown, context: string): Response {
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
