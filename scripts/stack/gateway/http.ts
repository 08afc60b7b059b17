// Small HTTP helpers shared by the gateway's routes.
import {
  BodyTooLargeError,
  readBodyCapped as readBytesCapped,
} from "../../../supabase/functions/_shared/request-body.ts";

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

const ALLOWED_HEADERS = [
  "authorization", "x-client-info", "apikey", "content-type", "prefer", "range", "range-unit", "accept",
  "accept-profile", "content-profile", "x-supabase-api-version", "x-upsert", "x-region",
  // Storage uploads (storage-js sends these with a binary body).
  "cache-control", "x-metadata",
].join(", ");
const EXPOSED_HEADERS = ["content-range", "content-location", "x-total-count", "preference-applied", "sb-gateway-version"]
  .join(", ");

/** CORS for the SPA's origin(s); other origins get no CORS headers, so browsers refuse them. */
export function withCors(response: Response, origin: string | null, allowedOrigins: string[]): Response {
  if (!origin || !allowedOrigins.includes(origin)) return response;
  const headers = new Headers(response.headers);
  headers.set("access-control-allow-origin", origin);
  headers.set("access-control-allow-credentials", "true");
  headers.set("access-control-expose-headers", EXPOSED_HEADERS);
  headers.append("vary", "Origin");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function preflight(origin: string | null, allowedOrigins: string[]): Response {
  const response = new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": "3600",
    },
  });
  return withCors(response, origin, allowedOrigins);
}

/**
 * The request body as text, refusing more than limitBytes even when Content-Length is absent
 * or lies: reading stops (and tooLarge() is thrown) as soon as the limit is passed. The reading
 * is the functions' own (the gateway runs only locally, so it may use their code; not the reverse).
 */
export async function readBodyCapped(req: Request, limitBytes: number, tooLarge: () => Error): Promise<string> {
  try {
    return new TextDecoder().decode(await readBytesCapped(req, limitBytes));
  } catch (error) {
    throw error instanceof BodyTooLargeError ? tooLarge() : error;
  }
}
