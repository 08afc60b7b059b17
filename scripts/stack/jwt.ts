// JSON Web Tokens the way Supabase signs and checks them, with jose: ES256 user tokens signed by
// the instance's signing key (a `kid` in the header, the public half published as a JWKS), or,
// on a stack with legacy keys, HS256 tokens signed with the shared JWT secret.
import * as jose from "jose";

export type JwtClaims = Record<string, unknown> & { role?: string; sub?: string; exp?: number };

/** A private ES256 signing key as a JWK: the stack keeps it in .stack/<instance>/keys.json. */
export type SigningJwk = jose.JWK & { kid: string; alg: "ES256"; d: string };

/** A published key set: public keys only. */
export type PublicJwks = jose.JSONWebKeySet;

/** Members of a JWK that belong to the private key: never in a published key set. */
export const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;

export async function generateSigningKey(): Promise<SigningJwk> {
  const { privateKey } = await jose.generateKeyPair("ES256", { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid: crypto.randomUUID(), alg: "ES256" } as SigningJwk;
}

/** The public half of a signing key, as Supabase Auth publishes it at /auth/v1/.well-known/jwks.json. */
export function publicJwk(key: SigningJwk): jose.JWK {
  const { kty, crv, x, y, kid, alg } = key;
  return { kty, crv, x, y, kid, alg, use: "sig", key_ops: ["verify"], ext: true };
}

export async function signEs256(claims: JwtClaims, key: SigningJwk): Promise<string> {
  const privateKey = await jose.importJWK(key, "ES256");
  return await new jose.SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" }).sign(privateKey);
}

export async function signHs256(claims: JwtClaims, secret: string): Promise<string> {
  return await new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

export type JwtFailure = "malformed" | "algorithm" | "unknown_key" | "signature" | "expired" | "claims";

export class JwtError extends Error {
  constructor(readonly reason: JwtFailure, message: string, readonly kid?: string) {
    super(message);
  }
}

/**
 * Checks tokens against one trust: the instance's public keys (ES256, the key named by `kid`) or
 * the legacy shared secret (HS256). Any other algorithm is refused, so a token cannot pick how it
 * is checked (no `none`, no HS256 signed with the public key as the secret).
 */
export class JwtVerifier {
  private constructor(
    private readonly key: jose.JWTVerifyGetKey | Uint8Array,
    private readonly algorithm: "ES256" | "HS256",
  ) {}

  static forKeySet(keys: PublicJwks): JwtVerifier {
    return new JwtVerifier(jose.createLocalJWKSet(keys), "ES256");
  }

  static forSecret(secret: string): JwtVerifier {
    return new JwtVerifier(new TextEncoder().encode(secret), "HS256");
  }

  /**
   * The claims of a valid token; JwtError says why not. With allowExpired an expired but
   * correctly signed token still returns its claims (Realtime words its own expiry error).
   */
  async verify(token: string, { allowExpired = false } = {}): Promise<JwtClaims> {
    const options = { algorithms: [this.algorithm] };
    try {
      // Two calls only because jose types a key and a key resolver as separate overloads.
      const { payload } = this.key instanceof Uint8Array
        ? await jose.jwtVerify(token, this.key, options)
        : await jose.jwtVerify(token, this.key, options);
      return payload as JwtClaims;
    } catch (error) {
      if (error instanceof jose.errors.JWTExpired && allowExpired) return error.payload as JwtClaims;
      throw this.#explain(error, token);
    }
  }

  #explain(error: unknown, token: string): JwtError {
    let header: jose.ProtectedHeaderParameters = {};
    try {
      header = jose.decodeProtectedHeader(token);
    } catch { /* reported as malformed below */ }
    const e = error as Error;
    if (error instanceof jose.errors.JWTExpired) return new JwtError("expired", "JWT expired");
    if (error instanceof jose.errors.JOSEAlgNotAllowed || error instanceof jose.errors.JOSENotSupported) {
      const legacy = header.alg === "HS256"
        ? " (an HS256 token signed with the legacy JWT secret; this project signs with its signing keys)"
        : "";
      return new JwtError("algorithm", `JWT algorithm ${header.alg} is not accepted, only ${this.algorithm}${legacy}`);
    }
    if (error instanceof jose.errors.JWKSNoMatchingKey || error instanceof jose.errors.JWKSMultipleMatchingKeys) {
      return new JwtError(
        "unknown_key",
        `No suitable key: kid ${JSON.stringify(header.kid ?? null)} is not one of this project's signing keys`,
        header.kid,
      );
    }
    if (error instanceof jose.errors.JWSSignatureVerificationFailed) {
      return new JwtError("signature", "JWT signature is invalid");
    }
    if (error instanceof jose.errors.JWTClaimValidationFailed) {
      return new JwtError("claims", `JWT claim ${error.claim} is invalid: ${e.message}`);
    }
    return new JwtError("malformed", `JWT is malformed: ${e.message}`);
  }
}
