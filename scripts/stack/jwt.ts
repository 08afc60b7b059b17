// HS256 JSON Web Tokens, the kind Supabase signs with its JWT secret.
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4);
  return new Uint8Array(Array.from(atob(padded), (c) => c.charCodeAt(0)));
}

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

export type JwtClaims = Record<string, unknown> & { role?: string; sub?: string; exp?: number };

export async function signJwt(claims: JwtClaims, secret: string): Promise<string> {
  const header = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const body = base64url(encoder.encode(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`${header}.${body}`));
  return `${header}.${body}.${base64url(new Uint8Array(signature))}`;
}

export class JwtError extends Error {}

/** Verifies signature, algorithm and expiry; returns the claims or throws JwtError saying why. */
export async function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): Promise<JwtClaims> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("JWT must have 3 parts");
  let header: { alg?: string };
  let claims: JwtClaims;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(parts[0])));
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(parts[1])));
  } catch {
    throw new JwtError("JWT is not valid base64url JSON");
  }
  if (header.alg !== "HS256") throw new JwtError(`JWT algorithm ${header.alg} is not supported`);
  const ok = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    fromBase64url(parts[2]),
    encoder.encode(`${parts[0]}.${parts[1]}`),
  );
  if (!ok) throw new JwtError("JWT signature is invalid");
  if (typeof claims !== "object" || claims === null) throw new JwtError("JWT claims must be an object");
  if (typeof claims.exp === "number" && claims.exp <= nowSeconds) throw new JwtError("JWT expired");
  return claims;
}
