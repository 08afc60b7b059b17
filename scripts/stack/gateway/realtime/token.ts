// A channel's access token, checked as Supabase Realtime's confirm_token does: signed by a key the
// project trusts (its JWKS, or the legacy secret), `role` and `exp` present, not expired. Errors
// carry Realtime's codes and messages.
import { type JwtClaims, JwtError, type JwtVerifier } from "../../jwt.ts";
import { JoinError } from "./join-error.ts";

const API_ROLES = new Set(["anon", "authenticated", "service_role"]);

/** A channel's token is refused (at join, or when a new one is sent on a joined channel). */
export class ChannelTokenError extends JoinError {}

export interface ChannelAuth {
  token: string;
  claims: JwtClaims;
  role: string;
  exp: number;
}

export async function checkChannelToken(token: string, verifier: JwtVerifier): Promise<ChannelAuth> {
  if (token.split(".").length !== 3) {
    throw new ChannelTokenError("MalformedJWT", "The token provided is not a valid JWT");
  }
  let claims: JwtClaims;
  try {
    // Expiry is checked below, with Realtime's message.
    claims = await verifier.verify(token, { allowExpired: true });
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    if (error.reason === "unknown_key") {
      throw new ChannelTokenError(
        "JwtSignerError",
        `Failed to generate JWT signer for key ID (kid) ${JSON.stringify(error.kid ?? null)}, check your JWT secret or JWKS configuration`,
      );
    }
    if (error.reason === "signature" || error.reason === "algorithm") {
      throw new ChannelTokenError("JwtSignatureError", "Failed to validate JWT signature");
    }
    throw new ChannelTokenError("MalformedJWT", "The token provided is not a valid JWT");
  }
  if (typeof claims.role !== "string" || typeof claims.exp !== "number") {
    throw new ChannelTokenError("InvalidJWTToken", "Fields `role` and `exp` are required in JWT");
  }
  if (!API_ROLES.has(claims.role)) {
    // Changes are checked by switching to this role: only the roles the API itself uses.
    throw new ChannelTokenError("Unauthorized", `The role "${claims.role}" in the JWT is not allowed`);
  }
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp <= now) {
    throw new ChannelTokenError("InvalidJWTToken", `Token has expired ${now - claims.exp} seconds ago`);
  }
  return { token, claims, role: claims.role, exp: claims.exp };
}
