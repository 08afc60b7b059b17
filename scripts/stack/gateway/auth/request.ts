// Reading what a /auth/v1 request carries: its JSON body (checked with zod) and its Bearer user,
// with GoTrue's errors for each way they can be wrong (internal/api/auth.go, helpers.go).
import { z } from "zod";
import { type JwtClaims, JwtError } from "../../jwt.ts";
import { apikeyOf, bearerOf } from "../apikey.ts";
import { readBodyCapped } from "../http.ts";
import type { GatewayContext } from "../context.ts";
import { AuthApiError, badRequest, forbidden } from "./errors.ts";
import { findUserById, type UserRow } from "./users.ts";

/** The credentials GoTrue's sign-up, password grant, user update and admin create bodies all carry. */
export const credentialFields = {
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
};

/** GoTrue reads bodies of a few hundred bytes; anything near this is not a sign-up. */
export const AUTH_BODY_LIMIT_BYTES = 1024 * 1024;

/** The body as text, refusing more than AUTH_BODY_LIMIT_BYTES even when Content-Length is absent or lies. */
function readCapped(req: Request): Promise<string> {
  return readBodyCapped(req, AUTH_BODY_LIMIT_BYTES, () =>
    new AuthApiError(413, "request_too_large", `Request body too large: the limit is ${AUTH_BODY_LIMIT_BYTES} bytes`));
}

/** True when a string anywhere in the value holds U+0000, which Postgres text cannot store. */
function hasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === "object") return Object.entries(value).some(([k, v]) => k.includes("\u0000") || hasNul(v));
  return false;
}

/**
 * The JSON body, checked with the schema. Only JSON is read (auth-js always sends it): a form or
 * text/plain body is refused with 415, so a cross-site "simple" POST (no preflight) cannot sign
 * anyone up or in. A body without a Content-Type is read as JSON, as curl users expect.
 */
export async function readBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "" && type !== "application/json") {
    throw new AuthApiError(415, "bad_json", `Content-Type must be application/json, not ${type.slice(0, 100)}`);
  }
  const text = await readCapped(req);
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw badRequest("bad_json", `Could not parse request body as JSON: ${(error as Error).message}`);
  }
  if (hasNul(raw)) throw badRequest("bad_json", "Could not parse request body as JSON: strings must not contain U+0000");
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` field ${issue.path.join(".")}` : "";
    throw badRequest("bad_json", `Could not parse request body as JSON:${where} ${issue?.message ?? "invalid body"}`);
  }
  return parsed.data;
}

export interface BearerUser {
  user: UserRow;
  claims: JwtClaims;
  sessionId: string | null;
}

/** The signed-in user of the request, as GoTrue's requireAuthentication + maybeLoadUserOrSession. */
export async function requireBearerUser(req: Request, ctx: GatewayContext): Promise<BearerUser> {
  const token = bearerOf(req);
  if (!token) throw new AuthApiError(401, "no_authorization", "This endpoint requires a valid Bearer token");
  // An API key is not a user's token: in front of Auth the gateway swaps the apikey repeated in
  // Authorization for a token of the key's role, which names no user.
  if (token.startsWith("sb_")) {
    throw token === apikeyOf(req)
      ? forbidden("bad_jwt", "invalid claim: missing sub claim")
      : forbidden("bad_jwt", "invalid JWT: unable to parse or verify signature, an API key is not a JWT");
  }
  let claims: JwtClaims;
  try {
    claims = await ctx.tokens.verify(token);
  } catch (error) {
    const reason = error instanceof JwtError && error.reason === "expired"
      ? "token has invalid claims: token is expired"
      : (error as Error).message;
    throw forbidden("bad_jwt", `invalid JWT: unable to parse or verify signature, ${reason}`);
  }
  const sub = typeof claims.sub === "string" ? claims.sub : "";
  if (!sub) throw forbidden("bad_jwt", "invalid claim: missing sub claim");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub)) {
    throw forbidden("bad_jwt", "invalid claim: sub claim must be a UUID");
  }
  const user = await findUserById(ctx.sql, sub);
  if (!user || user.deleted_at) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
  const sessionId = typeof claims.session_id === "string" && claims.session_id ? claims.session_id : null;
  if (sessionId) {
    const [session] = await ctx.sql`select id from auth.sessions where id = ${sessionId}::uuid and user_id = ${user.id}`
      .catch(() => []);
    if (!session) throw forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
  }
  return { user, claims, sessionId };
}
