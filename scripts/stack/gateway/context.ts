// What every gateway route needs: the stack's configuration, a database pool, and the keys.
import type postgres from "postgres";
import type { StackConfig } from "../config.ts";
import { namedPool } from "../pool.ts";
import type { JwtClaims, JwtVerifier } from "../jwt.ts";
import { readKeys, signToken, type StackKeys, tokenVerifier } from "../keys.ts";

export type Sql = postgres.Sql;

export interface GatewayContext {
  config: StackConfig;
  /** Pool for API requests; each request runs in its own transaction as the JWT's role. */
  sql: Sql;
  /** The instance's API keys and signing key, and which of them are in use (signing keys or legacy). */
  keys: StackKeys;
  /** Checks access tokens the way every Supabase service does: against the JWKS, or the legacy secret. */
  tokens: JwtVerifier;
  /** Signs a token as this stack's Auth does (ES256 with the signing key's kid, or HS256 when legacy). */
  sign(claims: JwtClaims): Promise<string>;
  /** Origins allowed by CORS (the SPA's). */
  allowedOrigins: string[];
}

export async function createContext(config: StackConfig): Promise<GatewayContext> {
  const sql = namedPool(config.dbUrl, "stack-gateway", { max: 20, idle_timeout: 30, connect_timeout: 5 });
  const keys = await readKeys(config);
  return {
    config,
    sql,
    keys,
    tokens: tokenVerifier(keys),
    sign: (claims) => signToken(keys, claims),
    allowedOrigins: [config.spaUrl, config.spaUrl.replace("127.0.0.1", "localhost")],
  };
}
