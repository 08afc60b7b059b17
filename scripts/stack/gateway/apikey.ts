// Who is calling: the apikey (anon or service_role key, as Supabase's API gateway checks it)
// and the JWT in Authorization (a user's access token), which decides the database role.
import { type JwtClaims, JwtError, verifyJwt } from "../jwt.ts";
import type { GatewayContext } from "./context.ts";
import { json } from "./http.ts";

export interface Caller {
  role: "anon" | "authenticated" | "service_role";
  claims: JwtClaims;
  token: string;
}

export class AuthError extends Error {
  constructor(readonly response: Response) {
    super("unauthorized");
  }
}

export function apikeyOf(req: Request): string | null {
  return req.headers.get("apikey") ?? new URL(req.url).searchParams.get("apikey");
}

export function bearerOf(req: Request): string | null {
  const header = req.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(.+)$/i);
  return match ? match[1].trim() : null;
}

/** Checks the apikey like Supabase's gateway does; 401 with Supabase's messages otherwise. */
export function requireApikey(req: Request, ctx: GatewayContext): string {
  const key = apikeyOf(req);
  if (!key) {
    throw new AuthError(json({
      message: "No API key found in request",
      hint: "No `apikey` request header or url param was found.",
    }, 401));
  }
  if (key !== ctx.anonKey && key !== ctx.serviceRoleKey) {
    throw new AuthError(json({
      message: "Invalid API key",
      hint: "Double check your Supabase `anon` or `service_role` API key.",
    }, 401));
  }
  return key;
}

const ROLES = new Set(["anon", "authenticated", "service_role"]);

/** Verifies a JWT as PostgREST does: bad signature or expiry is 401 PGRST301/PGRST303. */
export async function callerFromToken(token: string, ctx: GatewayContext): Promise<Caller> {
  let claims: JwtClaims;
  try {
    claims = await verifyJwt(token, ctx.jwtSecret);
  } catch (error) {
    const expired = error instanceof JwtError && error.message === "JWT expired";
    throw new AuthError(json({
      code: expired ? "PGRST303" : "PGRST301",
      message: expired ? "JWT expired" : `JWT could not be verified: ${(error as Error).message}`,
      details: null,
      hint: null,
    }, 401, { "www-authenticate": `Bearer error="invalid_token"` }));
  }
  const role = typeof claims.role === "string" ? claims.role : "anon";
  if (!ROLES.has(role)) {
    throw new AuthError(json({ code: "PGRST301", message: `JWT role "${role}" is not allowed`, details: null, hint: null }, 401));
  }
  return { role: role as Caller["role"], claims, token };
}

/** The caller of a /rest/v1 or /realtime request: the Authorization JWT, else the apikey itself. */
export async function resolveCaller(req: Request, ctx: GatewayContext): Promise<Caller> {
  const key = requireApikey(req, ctx);
  return await callerFromToken(bearerOf(req) ?? key, ctx);
}
