// The claims of an access token as GoTrue signs them (supabase/auth internal/tokens/service.go,
// AccessTokenClaims), in its order. One definition: the Auth stand-in signs these, and the tests
// that mint a user's token build theirs here too.

/** How the session began, in the access token's amr claim: a password, or an emailed link (GoTrue's "otp"). */
export type AuthMethod = "password" | "otp";

export interface TokenUser {
  id: string;
  email: string | null;
  phone?: string | null;
  aud?: string | null;
  role?: string | null;
  app_metadata?: Record<string, unknown> | null;
  user_metadata?: Record<string, unknown> | null;
  is_anonymous?: boolean;
}

export interface TokenSession {
  id: string;
  method: AuthMethod;
  /** When the session began, in seconds since the epoch (amr's timestamp). */
  startedAt: number;
}

/** Claims for `user` in `session`, issued by `issuer` (the project's /auth/v1 URL) at iat, valid for expiresIn seconds. */
export function accessTokenClaims(
  issuer: string,
  user: TokenUser,
  session: TokenSession,
  iat: number,
  expiresIn: number,
) {
  return {
    iss: issuer,
    sub: user.id,
    aud: user.aud || "authenticated",
    exp: iat + expiresIn,
    iat,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.app_metadata ?? {},
    user_metadata: user.user_metadata ?? {},
    role: user.role || "authenticated",
    aal: "aal1",
    amr: [{ method: session.method, timestamp: session.startedAt }],
    session_id: session.id,
    is_anonymous: user.is_anonymous ?? false,
  };
}
