// Small HTTP helpers shared by the gateway's routes.

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

const ALLOWED_HEADERS = [
  "authorization", "x-client-info", "apikey", "content-type", "prefer", "range", "range-unit", "accept",
  "accept-profile", "content-profile", "x-supabase-api-version", "x-upsert", "x-region",
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
 * or lies: reading stops (and tooLarge() is thrown) as soon as the limit is passed.
 */
export async function readBodyCapped(req: Request, limitBytes: number, tooLarge: () => Error): Promise<string> {
  if (Number(req.headers.get("content-length") ?? "0") > limitBytes) throw tooLarge();
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
