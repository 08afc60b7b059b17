// Who is calling, as Supabase's API gateway and PostgREST decide it: the apikey (which app: a
// publishable or secret key, or on a legacy stack the anon or service_role JWT key) and the JWT in
// Authorization (which user), which decides the database role.
import { type JwtClaims, JwtError } from "../jwt.ts";
import type { GatewayContext } from "./context.ts";
import { json } from "./http.ts";

export type ApiKeyRole = "anon" | "service_role";

export interface ApiKey {
  value: string;
  role: ApiKeyRole;
}

export interface Caller {
  role: "anon" | "authenticated" | "service_role";
  claims: JwtClaims;
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

const unauthorized = (message: string, hint: string) => new AuthError(json({ message, hint }, 401));

/** Supabase refuses a secret key from a browser, recognised by its User-Agent. */
function fromBrowser(req: Request): boolean {
  return /^Mozilla\//.test(req.headers.get("user-agent") ?? "");
}

/** Checks the apikey like Supabase's gateway does and says which role it stands for; 401 with Supabase's messages otherwise. */
export function requireApikey(req: Request, ctx: GatewayContext): ApiKey {
  const value = apikeyOf(req);
  if (!value) throw unauthorized("No API key found in request", "No `apikey` request header or url param was found.");
  const { keys } = ctx;
  if (keys.mode === "legacy") {
    if (value === keys.legacy.anonKey) return { value, role: "anon" };
    if (value === keys.legacy.serviceRoleKey) return { value, role: "service_role" };
  } else {
    if (value === keys.publishableKey) return { value, role: "anon" };
    if (value === keys.secretKey) {
      if (fromBrowser(req)) {
        throw unauthorized(
          "Forbidden use of secret API key in browser",
          "Secret API keys are for servers only: use the publishable key in a browser.",
        );
      }
      return { value, role: "service_role" };
    }
    if (value === keys.legacy.anonKey || value === keys.legacy.serviceRoleKey) {
      throw unauthorized(
        "Legacy API keys are disabled",
        "This project uses publishable and secret API keys (PUBLISHABLE_KEY and SECRET_KEY in npm run stack:status); " +
          "the legacy anon and service_role keys work only on a stack brought up with STACK_LEGACY_KEYS=1.",
      );
    }
  }
  throw unauthorized("Invalid API key", "Double check your Supabase `anon` or `service_role` API key.");
}

const ROLES = new Set(["anon", "authenticated", "service_role"]);

function jwtError(code: string, message: string): AuthError {
  return new AuthError(json({ code, message, details: null, hint: null }, 401, {
    "www-authenticate": `Bearer error="invalid_token"`,
  }));
}

/** Verifies a JWT as PostgREST does: a bad signature or key is 401 PGRST301, expiry PGRST303. */
export async function callerFromToken(token: string, ctx: GatewayContext): Promise<Caller> {
  let claims: JwtClaims;
  try {
    claims = await ctx.tokens.verify(token);
  } catch (error) {
    if (error instanceof JwtError && error.reason === "expired") throw jwtError("PGRST303", "JWT expired");
    throw jwtError("PGRST301", `JWT could not be verified: ${(error as Error).message}`);
  }
  const role = typeof claims.role === "string" ? claims.role : "anon";
  if (!ROLES.has(role)) throw jwtError("PGRST301", `JWT role "${role}" is not allowed`);
  return { role: role as Caller["role"], claims };
}

/**
 * The caller an apikey alone stands for. A legacy key is itself a JWT and is verified as one; for a
 * publishable or secret key Supabase's gateway mints a short-lived JWT with the key's role.
 */
async function apikeyCaller(apikey: ApiKey, ctx: GatewayContext): Promise<Caller> {
  if (ctx.keys.mode === "legacy") return await callerFromToken(apikey.value, ctx);
  const iat = Math.floor(Date.now() / 1000);
  return { role: apikey.role, claims: { iss: "supabase", role: apikey.role, iat, exp: iat + 60 } };
}

/**
 * The caller of a /rest/v1 request. Without Authorization, or when it repeats the apikey (as
 * supabase-js sends it before sign-in), the apikey decides; otherwise Authorization must carry a
 * valid JWT. An API key in Authorization that is not the apikey is refused: it is not a JWT.
 */
export async function resolveCaller(req: Request, ctx: GatewayContext): Promise<Caller> {
  const apikey = requireApikey(req, ctx);
  const bearer = bearerOf(req);
  if (bearer === null || bearer === apikey.value) return await apikeyCaller(apikey, ctx);
  if (bearer.startsWith("sb_")) {
    throw jwtError(
      "PGRST301",
      "JWT could not be verified: Authorization carries an API key, which is not a JWT. Send API keys only in the " +
        "apikey header, and a user's access token in Authorization.",
    );
  }
  return await callerFromToken(bearer, ctx);
}
