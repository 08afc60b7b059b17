// The signed-in user of a request. The functions that users call are deployed with verify_jwt =
// false (the platform's check does not know the new API keys), so they verify the caller here:
//   1. the access token in Authorization is signed by the project: supabase-js getClaims checks it
//      against the project's JWKS (/auth/v1/.well-known/jwks.json, kept in memory 10 minutes);
//      an HS256 token, as a project with the legacy JWT secret signs them, goes to Auth to check,
//      and Auth refuses it once the project has moved to signing keys;
//   2. it is a user's token (role authenticated, a user id, audience authenticated);
//   3. its session is still open: a signed token stays valid until it expires, even after the user
//      signed out or was deleted, so the session is looked up as GoTrue's own /user does.
import {
  type AuthError,
  createClient,
  isAuthError,
  isAuthRetryableFetchError,
  type SupabaseClient,
} from "@supabase/supabase-js";
import { db } from "./db.ts";
import { HttpError } from "./http.ts";
import { projectKey } from "./project-keys.ts";

export interface RequestUser {
  id: string;
  email?: string;
  /** The verified token's claims, to run SQL as this user (see db.ts asUser). */
  claims: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SIGN_IN_AGAIN = "Sign in again.";
export const AUTH_MESSAGES = {
  missing: "Sign in first: this request has no access token (Authorization: Bearer <access token>).",
  apiKey: "Sign in first: Authorization carries the project's API key, not a signed-in user's access token.",
  malformed: `The access token is not a valid JWT. ${SIGN_IN_AGAIN}`,
  expired: `Your session has expired. ${SIGN_IN_AGAIN}`,
  untrusted: `The access token was not issued by this project (its signature does not verify). ${SIGN_IN_AGAIN}`,
  notAUser: `The access token does not belong to a signed-in user. ${SIGN_IN_AGAIN}`,
  sessionEnded: `Your session has ended (signed out, or the account was removed). ${SIGN_IN_AGAIN}`,
  unavailable: "Could not check your sign-in right now (Supabase Auth did not answer). Please try again.",
};

let client: SupabaseClient | undefined;

/** One client per function instance, so the JWKS it fetched is reused across requests. */
function authClient(): SupabaseClient {
  if (!client) {
    const url = Deno.env.get("SUPABASE_URL");
    if (!url) throw new Error("SUPABASE_URL is not set");
    client = createClient(url, projectKey("publishable"), {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
  }
  return client;
}

function bearerToken(req: Request): string | null {
  return req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
}

/** The token's claims when the project signed it and it has not expired; HttpError 401 (503) otherwise. */
async function verifiedClaims(token: string): Promise<Record<string, unknown>> {
  let result: Awaited<ReturnType<SupabaseClient["auth"]["getClaims"]>>;
  try {
    result = await authClient().auth.getClaims(token);
  } catch (error) {
    // getClaims throws (rather than returns) for tokens it cannot even decode or import a key for.
    if (isAuthError(error)) throw error;
    throw new HttpError(401, AUTH_MESSAGES.malformed);
  }
  const { data, error } = result;
  if (error) throw new HttpError(...refusal(error));
  if (!data?.claims) throw new HttpError(401, AUTH_MESSAGES.malformed);
  return data.claims as Record<string, unknown>;
}

/** Why getClaims refused a token: checked here (AuthInvalidJwtError) or by Auth (AuthApiError). */
function refusal(error: AuthError): [number, string] {
  if (isAuthRetryableFetchError(error)) return [503, AUTH_MESSAGES.unavailable];
  if (error.name === "AuthInvalidJwtError") {
    if (/expired/i.test(error.message)) return [401, AUTH_MESSAGES.expired];
    if (/signature/i.test(error.message)) return [401, AUTH_MESSAGES.untrusted];
    return [401, AUTH_MESSAGES.malformed];
  }
  // supabase-js turns Auth's session_not_found into AuthSessionMissingError.
  if (error.name === "AuthSessionMissingError" || error.code === "user_not_found") {
    return [401, AUTH_MESSAGES.sessionEnded];
  }
  if (/token is expired/i.test(error.message)) return [401, AUTH_MESSAGES.expired];
  if (/missing sub claim/i.test(error.message)) return [401, AUTH_MESSAGES.notAUser];
  return [401, AUTH_MESSAGES.untrusted];
}

function isUserToken(claims: Record<string, unknown>): boolean {
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  return claims.role === "authenticated" && typeof claims.sub === "string" && UUID.test(claims.sub) &&
    audiences.includes("authenticated");
}

async function sessionIsOpen(userId: string, sessionId: unknown): Promise<boolean> {
  if (typeof sessionId !== "string" || !UUID.test(sessionId)) return false;
  const [row] = await db()<{ open: boolean }[]>`
    select exists (
      select 1 from auth.sessions s join auth.users u on u.id = s.user_id
      where s.id = ${sessionId} and s.user_id = ${userId} and u.deleted_at is null
        and (s.not_after is null or s.not_after > now())
    ) as open`;
  return row.open;
}

export async function requireUser(req: Request): Promise<RequestUser> {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, AUTH_MESSAGES.missing);
  if (token.startsWith("sb_") || token === req.headers.get("apikey")) throw new HttpError(401, AUTH_MESSAGES.apiKey);
  const claims = await verifiedClaims(token);
  if (!isUserToken(claims)) throw new HttpError(401, AUTH_MESSAGES.notAUser);
  const id = claims.sub as string;
  if (!(await sessionIsOpen(id, claims.session_id))) throw new HttpError(401, AUTH_MESSAGES.sessionEnded);
  return { id, email: typeof claims.email === "string" ? claims.email : undefined, claims };
}
