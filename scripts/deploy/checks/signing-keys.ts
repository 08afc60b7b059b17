// GET <url>/auth/v1/.well-known/jwks.json: Supabase Auth publishes the public halves of the
// project's JWT signing keys there, and the functions verify users' tokens with them (supabase-js
// getClaims). No key: the project still signs tokens with the legacy JWT secret (HS256), which
// works (Auth then checks each token) but is on its way out. A private member in the set is an
// emergency: anyone could sign tokens as any user.
import { PRIVATE_JWK_MEMBERS } from "../../stack/jwt.ts";
import { type Check, fail, type Outcome, pass, warn } from "../lib/context.ts";

export const jwksUrl = (apiUrl: string) => `${apiUrl}/auth/v1/.well-known/jwks.json`;

const VERIFIABLE_ALGORITHMS = ["ES256", "RS256", "EdDSA"];

type Jwk = Record<string, unknown>;

function describe(key: Jwk): string {
  return `${key.alg ?? key.kty} kid ${typeof key.kid === "string" ? key.kid : "(none)"}`;
}

/** The verdict on what the JWKS URL answered. */
export function judgeJwks(url: string, status: number, text: string): Outcome {
  if (status !== 200) {
    return fail(
      `${url} answered HTTP ${status}: Supabase Auth publishes the project's signing keys there; ` +
        "is --url the project's API URL (https://<ref>.supabase.co)?",
    );
  }
  let keys: unknown;
  try {
    keys = (JSON.parse(text) as { keys?: unknown }).keys;
  } catch { /* reported below */ }
  if (!Array.isArray(keys) || keys.some((k) => !k || typeof k !== "object")) {
    return fail(`${url} is not a JWKS (JSON with a "keys" list): ${text.slice(0, 120)}`);
  }
  const leaking = (keys as Jwk[]).filter((k) => PRIVATE_JWK_MEMBERS.some((m) => m in k));
  if (leaking.length > 0) {
    return fail(
      `the JWKS publishes private key material (${leaking.map(describe).join(", ")}): anyone can sign tokens as any ` +
        "user. Revoke that key now (Dashboard -> Project Settings -> JWT Keys) and rotate to a new one",
    );
  }
  if (keys.length === 0) {
    return warn(
      "no signing keys published: the project signs user tokens with the legacy JWT secret (HS256), so the functions " +
        "ask Auth about every token. Migrate to JWT signing keys before the legacy keys are retired (end of 2026): " +
        "docs/deploy.md, section 4",
    );
  }
  const usable = (keys as Jwk[]).filter((k) =>
    typeof k.kid === "string" && VERIFIABLE_ALGORITHMS.includes(String(k.alg)) &&
    ["EC", "RSA", "OKP"].includes(String(k.kty))
  );
  if (usable.length === 0) {
    return fail(
      `the JWKS has ${keys.length} key(s) but none a function can verify with (an EC, RSA or OKP key with a kid and ` +
        `alg ${VERIFIABLE_ALGORITHMS.join("/")}): ${(keys as Jwk[]).map(describe).join(", ")}`,
    );
  }
  return pass(`${usable.length} signing key(s) published, public parts only: ${usable.map(describe).join(", ")}`);
}

export const signingKeysCheck: Check = {
  id: "signing-keys",
  title: "JWT signing keys published",
  async run(ctx) {
    const url = jwksUrl(ctx.apiUrl);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      return fail(`could not reach ${url}: ${(error as Error).message}`);
    }
    return judgeJwks(url, response.status, await response.text());
  },
};
