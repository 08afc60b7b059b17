// The stack that tests talk to: instance "test" unless STACK_INSTANCE says otherwise.
// Tests import this instead of hard-coding ports or keys.
import { stackConfig } from "../stack/config.ts";
import { envBlock } from "../stack/status-env.ts";
import { generateSigningKey, type JwtClaims, signEs256, signHs256 } from "../stack/jwt.ts";
import { clientKey, readKeys, serverKey, signToken, tokenVerifier } from "../stack/keys.ts";
import { accessTokenClaims } from "../stack/gateway/auth/claims.ts";

export const testConfig = stackConfig(Deno.env.get("STACK_INSTANCE") ?? "test");
export const testEnv = await envBlock(testConfig);

const stackKeys = await readKeys(testConfig);
const verifier = tokenVerifier(stackKeys);
const foreignKey = await generateSigningKey();

/**
 * The stack's keys, whichever mode it runs in (signing keys, or legacy with STACK_LEGACY_KEYS=1),
 * so one test covers both: the key a browser uses, the key a server uses, and tokens as the stack's
 * Auth signs them, or as someone without its key would.
 */
export const testKeys = {
  mode: stackKeys.mode,
  legacy: stackKeys.mode === "legacy",
  /** The browser's key: publishable, or anon on a legacy stack. */
  client: clientKey(stackKeys),
  /** A trusted server's key: secret, or service_role on a legacy stack. */
  server: serverKey(stackKeys),
  /** The legacy JWT keys and secret (refused by a stack with signing keys). */
  legacyKeys: stackKeys.legacy,
  /** The publishable and secret keys (not accepted by a legacy stack). */
  newKeys: { publishable: stackKeys.publishableKey, secret: stackKeys.secretKey },
  /** The published JWKS (empty on a legacy stack). */
  jwks: stackKeys.jwks,
  /** The signing key's id, as Auth puts it in the `kid` header. */
  kid: stackKeys.signingKey.kid,
  /** A token signed as this stack's Auth signs one. */
  sign: (claims: JwtClaims) => signToken(stackKeys, claims),
  /**
   * A token signed with a key this stack does not trust, under the same `kid` (ES256), or with
   * another secret (HS256 on a legacy stack): only the signature gives it away.
   */
  signForeign: (claims: JwtClaims) =>
    stackKeys.mode === "legacy"
      ? signHs256(claims, "not-the-jwt-secret-but-at-least-32-characters!!")
      : signEs256(claims, { ...foreignKey, kid: stackKeys.signingKey.kid }),
  /** Verifies a token as the stack's services do. */
  verify: (token: string) => verifier.verify(token),
};

/**
 * The claims the stack's Auth would sign for an email user signed in with a password, valid for an
 * hour, with `overrides` on top. The session id is random: PostgREST and Realtime accept it, Auth's
 * /user does not (no such session).
 */
export function userClaims(user: { id: string; email: string }, overrides: Partial<JwtClaims> = {}): JwtClaims {
  const iat = Math.floor(Date.now() / 1000);
  const claims = accessTokenClaims(
    `${testEnv.API_URL}/auth/v1`,
    { ...user, app_metadata: { provider: "email", providers: ["email"] } },
    { id: crypto.randomUUID(), method: "password", startedAt: iat },
    iat,
    3600,
  );
  return { ...claims, ...overrides };
}
