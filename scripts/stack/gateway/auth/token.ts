// POST /auth/v1/token?grant_type=password|refresh_token.
// Refresh tokens rotate (config.toml enable_refresh_token_rotation): each use revokes the token and
// issues its child. A revoked token still works when it is the parent of the session's active token
// (the client lost the answer and retries: it gets the active one back) or within
// refresh_token_reuse_interval seconds of being revoked (concurrent refreshes); any other reuse
// revokes the whole session's family: 400 refresh_token_already_used, as GoTrue's token_refresh.go.
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { json } from "../http.ts";
import { AuthApiError, badRequest } from "./errors.ts";
import { credentialFields, readBody } from "./request.ts";
import {
  createSession,
  type RefreshTokenRow,
  rotateRefreshToken,
  sessionResponse,
  type SessionRow,
  touchSession,
} from "./sessions.ts";
import { authSettings } from "./settings.ts";
import { findUserById, findUserForPassword } from "./users.ts";

const PasswordBody = z.looseObject(credentialFields);
const RefreshBody = z.looseObject({ refresh_token: z.string().optional() });

const invalidCredentials = () => badRequest("invalid_credentials", "Invalid login credentials");

export async function token(req: Request, ctx: GatewayContext): Promise<Response> {
  const grantType = new URL(req.url).searchParams.get("grant_type");
  switch (grantType) {
    case "password":
      return json(await passwordGrant(req, ctx));
    case "refresh_token":
      return json(await refreshTokenGrant(req, ctx));
    default:
      throw badRequest("validation_failed", "unsupported_grant_type");
  }
}

async function passwordGrant(req: Request, ctx: GatewayContext) {
  const settings = await authSettings(ctx.config);
  const body = await readBody(req, PasswordBody);
  if (!body.email && !body.phone) throw badRequest("validation_failed", "missing email or phone");
  if (!body.email || !body.password) throw invalidCredentials();
  const found = await findUserForPassword(ctx.sql, body.email.trim().toLowerCase(), body.password);
  if (!found || !found.passwordOk || found.user.deleted_at) throw invalidCredentials();
  const { user } = found;
  if (user.banned_until && user.banned_until > new Date()) throw badRequest("user_banned", "User is banned");
  // Whatever the setting is now: a user who signed up while confirmations were on must still confirm.
  if (!user.email_confirmed_at) throw badRequest("email_not_confirmed", "Email not confirmed");
  return await ctx.sql.begin(async (tx) => {
    const [{ last_sign_in_at }] = await tx`
      update auth.users set last_sign_in_at = now() where id = ${user.id} returning last_sign_in_at`;
    user.last_sign_in_at = last_sign_in_at;
    await tx`update auth.identities set last_sign_in_at = now() where user_id = ${user.id} and provider = 'email'`;
    const { session, refreshToken } = await createSession(tx, user, req);
    return await sessionResponse(ctx, settings, tx, user, session, refreshToken, "password");
  });
}

async function refreshTokenGrant(req: Request, ctx: GatewayContext) {
  const settings = await authSettings(ctx.config);
  const body = await readBody(req, RefreshBody);
  if (!body.refresh_token) throw badRequest("validation_failed", "refresh_token required");
  const presented = body.refresh_token;

  let rejection: AuthApiError | null = null;
  const response = await ctx.sql.begin(async (tx) => {
    // Locking the session serialises refreshes of one session (several tabs refreshing at once).
    const [found] = await tx<Array<RefreshTokenRow & { session_created_at: Date; not_after: Date | null }>>`
      select rt.id::text, rt.token, rt.user_id, rt.revoked, rt.updated_at, rt.parent, rt.session_id,
             s.created_at as session_created_at, s.not_after
      from auth.refresh_tokens rt join auth.sessions s on s.id = rt.session_id
      where rt.token = ${presented}
      for update of s`;
    if (!found) throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    const user = await findUserById(tx, found.user_id);
    if (!user || user.deleted_at) {
      throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    }
    if (user.banned_until && user.banned_until > new Date()) {
      throw badRequest("user_banned", "Invalid Refresh Token: User Banned");
    }
    if (found.not_after && found.not_after <= new Date()) {
      throw badRequest("session_expired", "Invalid Refresh Token: Session Expired");
    }
    const session: SessionRow = {
      id: found.session_id,
      user_id: user.id,
      created_at: found.session_created_at,
      not_after: found.not_after,
    };

    let issued: string;
    if (found.revoked) {
      const [active] = await tx<RefreshTokenRow[]>`
        select id::text, token, user_id, revoked, updated_at, parent, session_id from auth.refresh_tokens
        where session_id = ${found.session_id} and revoked = false order by id desc limit 1`;
      const reuseUntil = found.updated_at.getTime() + settings.refreshTokenReuseInterval * 1000;
      if (active && active.parent === found.token) {
        issued = active.token;
      } else if (active && Date.now() <= reuseUntil) {
        issued = await rotateRefreshToken(tx, found);
      } else {
        if (settings.refreshTokenRotation) {
          await tx`update auth.refresh_tokens set revoked = true, updated_at = now()
                   where session_id = ${found.session_id} and revoked = false`;
        }
        // Commit the revocation, then answer 400.
        rejection = badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used");
        return null;
      }
    } else if (settings.refreshTokenRotation) {
      issued = await rotateRefreshToken(tx, found);
    } else {
      issued = found.token;
    }
    await touchSession(tx, session.id, req);
    return await sessionResponse(ctx, settings, tx, user, session, issued, "password");
  });
  if (rejection) throw rejection;
  return response;
}
