// Sessions (auth.sessions), refresh tokens (auth.refresh_tokens) and the access tokens GoTrue signs
// for them (supabase/auth internal/tokens/service.go, internal/models/refresh_token.go).
import type { GatewayContext } from "../context.ts";
import { accessTokenClaims, type AuthMethod } from "./claims.ts";
import type { Db as Sql } from "./db.ts";
import type { AuthSettings } from "./settings.ts";
import { identitiesOf, userJson, type UserRow } from "./users.ts";


export interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  not_after: Date | null;
}

export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: Date;
  parent: string | null;
  session_id: string;
}

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A 12-character refresh token like GoTrue's (crypto.SecureAlphanumeric). */
export function newRefreshTokenString(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join("");
}

function requestMeta(req: Request) {
  const userAgent = req.headers.get("user-agent");
  const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { userAgent: userAgent || null, ip: forwarded && /^[0-9a-f:.]+$/i.test(forwarded) ? forwarded : "127.0.0.1" };
}

/** Opens a session for the user with its first refresh token (inside the caller's transaction). */
export async function createSession(
  tx: Sql,
  user: UserRow,
  req: Request,
): Promise<{ session: SessionRow; refreshToken: string }> {
  const { userAgent, ip } = requestMeta(req);
  const [session] = await tx<SessionRow[]>`
    insert into auth.sessions (id, user_id, created_at, updated_at, user_agent, ip)
    values (gen_random_uuid(), ${user.id}, now(), now(), ${userAgent}, ${ip}::inet)
    returning id, user_id, created_at, not_after`;
  const refreshToken = newRefreshTokenString();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${refreshToken}, ${user.id}, false, now(), now(), null, ${session.id})`;
  return { session, refreshToken };
}

/** Revokes `token` and issues its child in the same session: one rotation step. */
export async function rotateRefreshToken(tx: Sql, token: RefreshTokenRow): Promise<string> {
  const child = newRefreshTokenString();
  await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${token.id} and revoked = false`;
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values ('00000000-0000-0000-0000-000000000000', ${child}, ${token.user_id}, false, now(), now(), ${token.token},
            ${token.session_id})`;
  return child;
}

export async function touchSession(tx: Sql, sessionId: string, req: Request): Promise<void> {
  const { userAgent, ip } = requestMeta(req);
  await tx`update auth.sessions set updated_at = now(), user_agent = ${userAgent}, ip = ${ip}::inet where id = ${sessionId}`;
}

/** An access token for the user's session, as GoTrue signs it (claims.ts). */
export async function signAccessToken(
  ctx: GatewayContext,
  settings: AuthSettings,
  user: UserRow,
  session: SessionRow,
  method: AuthMethod,
): Promise<{ accessToken: string; expiresAt: number }> {
  const claims = accessTokenClaims(
    `${ctx.config.apiUrl}/auth/v1`,
    { ...user, app_metadata: user.raw_app_meta_data, user_metadata: user.raw_user_meta_data },
    { id: session.id, method, startedAt: Math.floor(session.created_at.getTime() / 1000) },
    Math.floor(Date.now() / 1000),
    settings.jwtExpiry,
  );
  return { accessToken: await ctx.sign(claims), expiresAt: claims.exp };
}

/** The body of a successful signup/token response: the session with the user in it. */
export async function sessionResponse(
  ctx: GatewayContext,
  settings: AuthSettings,
  tx: Sql,
  user: UserRow,
  session: SessionRow,
  refreshToken: string,
  method: AuthMethod,
): Promise<Record<string, unknown>> {
  const { accessToken, expiresAt } = await signAccessToken(ctx, settings, user, session, method);
  const identities = await identitiesOf(tx, user.id);
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: settings.jwtExpiry,
    expires_at: expiresAt,
    refresh_token: refreshToken,
    user: userJson(user, identities),
  };
}

/**
 * Signs the user in (inside the caller's transaction): last_sign_in_at, a new session and its
 * first refresh token, and the session response, as GoTrue's issueRefreshToken.
 */
export async function issueSession(
  tx: Sql,
  ctx: GatewayContext,
  settings: AuthSettings,
  user: UserRow,
  req: Request,
  method: AuthMethod,
): Promise<Record<string, unknown>> {
  const [{ last_sign_in_at }] = await tx`update auth.users set last_sign_in_at = now() where id = ${user.id} returning last_sign_in_at`;
  user.last_sign_in_at = last_sign_in_at;
  const { session, refreshToken } = await createSession(tx, user, req);
  return await sessionResponse(ctx, settings, tx, user, session, refreshToken, method);
}
