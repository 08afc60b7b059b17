// The API keys and JWT signing key of a stack instance, kept in .stack/<instance>/keys.json so they
// survive restarts (a reset makes new ones). Two modes, chosen when the stack is brought up:
//   signing-keys (default): like a Supabase project created in late 2026. Publishable and secret
//     keys (sb_publishable_..., sb_secret_...) go in `apikey`; Auth signs user tokens with an ES256
//     key whose public half is at /auth/v1/.well-known/jwks.json; the legacy anon / service_role
//     JWT keys are disabled, and HS256 tokens are not trusted.
//   legacy (STACK_LEGACY_KEYS=1): like a project of a year ago. The anon and service_role JWT keys
//     and HS256 tokens signed with the shared JWT secret, as `supabase start` still has them.
import type { StackConfig } from "./config.ts";
import {
  generateSigningKey,
  type JwtClaims,
  JwtVerifier,
  publicJwk,
  type PublicJwks,
  signEs256,
  signHs256,
  type SigningJwk,
} from "./jwt.ts";

export type KeyMode = "signing-keys" | "legacy";

/** Supabase CLI's local JWT secret: the anon and service keys derived from it are the well-known local ones. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

interface KeysFile {
  mode: KeyMode;
  publishableKey: string;
  secretKey: string;
  signingKey: SigningJwk;
}

export interface StackKeys extends KeysFile {
  /** The JWKS Auth publishes: the signing key's public half, or nothing while tokens are HS256. */
  jwks: PublicJwks;
  legacy: { jwtSecret: string; anonKey: string; serviceRoleKey: string };
}

const keysPath = (config: StackConfig) => `${config.dir}/keys.json`;

/** The mode asked for with STACK_LEGACY_KEYS (1: legacy, 0: signing keys), or undefined to keep the current one. */
export function requestedKeyMode(env: { get(name: string): string | undefined } = Deno.env): KeyMode | undefined {
  const value = env.get("STACK_LEGACY_KEYS")?.trim();
  if (value === undefined || value === "") return undefined;
  return value === "1" || value.toLowerCase() === "true" ? "legacy" : "signing-keys";
}

/** An opaque API key shaped like Supabase's: a prefix, 22 random characters and a short checksum. */
async function newApiKey(prefix: "sb_publishable_" | "sb_secret_"): Promise<string> {
  const random = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(prefix + random)));
  return `${prefix}${random}_${base64url(digest).slice(0, 8)}`;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Long-lived legacy keys with Supabase's local claims, so they equal the keys `supabase status` prints. */
export function legacyApiKey(role: "anon" | "service_role", secret = LOCAL_JWT_SECRET): Promise<string> {
  return signHs256({ iss: "supabase-demo", role, exp: 1983812996 }, secret);
}

async function withDerived(file: KeysFile): Promise<StackKeys> {
  return {
    ...file,
    jwks: { keys: file.mode === "signing-keys" ? [publicJwk(file.signingKey)] : [] },
    legacy: {
      jwtSecret: LOCAL_JWT_SECRET,
      anonKey: await legacyApiKey("anon"),
      serviceRoleKey: await legacyApiKey("service_role"),
    },
  };
}

/** The instance's keys, created on first use; `mode` (when given) switches the mode. Says whether anything changed. */
export async function ensureKeys(config: StackConfig, mode?: KeyMode): Promise<{ keys: StackKeys; changed: boolean }> {
  let file: KeysFile | null = null;
  try {
    file = JSON.parse(await Deno.readTextFile(keysPath(config)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let changed = false;
  if (!file) {
    file = {
      mode: mode ?? "signing-keys",
      publishableKey: await newApiKey("sb_publishable_"),
      secretKey: await newApiKey("sb_secret_"),
      signingKey: await generateSigningKey(),
    };
    changed = true;
  } else if (mode && file.mode !== mode) {
    file = { ...file, mode };
    changed = true;
  }
  if (changed) {
    await Deno.mkdir(config.dir, { recursive: true });
    await Deno.writeTextFile(keysPath(config), JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
  }
  return { keys: await withDerived(file), changed };
}

/** The keys of an instance that has been brought up (stack:up writes them). */
export async function readKeys(config: StackConfig): Promise<StackKeys> {
  let text: string;
  try {
    text = await Deno.readTextFile(keysPath(config));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`the "${config.instance}" stack has no keys yet (${keysPath(config)}): run npm run stack:up`);
    }
    throw error;
  }
  return await withDerived(JSON.parse(text));
}

/** The key a browser or app uses (publishable; anon on a legacy stack). */
export function clientKey(keys: StackKeys): string {
  return keys.mode === "legacy" ? keys.legacy.anonKey : keys.publishableKey;
}

/** The key a trusted server uses (secret; service_role on a legacy stack). */
export function serverKey(keys: StackKeys): string {
  return keys.mode === "legacy" ? keys.legacy.serviceRoleKey : keys.secretKey;
}

/** Signs a token the way this stack's Auth does: ES256 with the signing key, or HS256 on a legacy stack. */
export function signToken(keys: StackKeys, claims: JwtClaims): Promise<string> {
  return keys.mode === "legacy" ? signHs256(claims, keys.legacy.jwtSecret) : signEs256(claims, keys.signingKey);
}

/** What this stack trusts a token from: the published signing keys, or the legacy secret. */
export function tokenVerifier(keys: StackKeys): JwtVerifier {
  return keys.mode === "legacy" ? JwtVerifier.forSecret(keys.legacy.jwtSecret) : JwtVerifier.forKeySet(keys.jwks);
}

/**
 * What Supabase sets for every function: the project's URL and database, and its keys. A project
 * with publishable and secret keys gets them as JSON dictionaries (name -> key) and its JWKS, and
 * still gets the legacy JWT keys, which its gateway refuses once they are disabled; a legacy
 * project gets only the legacy keys.
 */
export function projectFunctionEnv(config: StackConfig, keys: StackKeys): Record<string, string> {
  return {
    SUPABASE_URL: config.apiUrl,
    SUPABASE_DB_URL: config.dbUrl,
    SUPABASE_ANON_KEY: keys.legacy.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.legacy.serviceRoleKey,
    ...(keys.mode === "legacy" ? {} : {
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
      SUPABASE_JWKS: JSON.stringify(keys.jwks),
    }),
  };
}
