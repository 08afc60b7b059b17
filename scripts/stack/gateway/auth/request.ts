// Reading what a /auth/v1 request carries: its JSON body (checked with zod) and its Bearer user,
// with GoTrue's errors for each way they can be wrong (internal/api/auth.go, helpers.go).
import type { z } from "npm:zod@4.6.7";
import { type JwtClaims, JwtError, verifyJwt } from "../../jwt.ts";
import { bearerOf } from "../apikey.ts";
import type { GatewayContext } from "../context.ts";
import { AuthApiError, badRequest, forbidden } from "./errors.ts";
import { findUserById, type UserRow } from "./users.ts";

export async function readBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    const text = await req.text();
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw badRequest("bad_json", `Could not parse request body as JSON: ${(error as Error).message}`);
  }
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
  let claims: JwtClaims;
  try {
    claims = await verifyJwt(token, ctx.jwtSecret);
  } catch (error) {
    const reason = error instanceof JwtError && error.message === "JWT expired"
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
