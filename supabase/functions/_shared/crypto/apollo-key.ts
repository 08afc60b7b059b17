// Apollo API keys at rest: AES-256-GCM with APOLLO_KEY_ENCRYPTION_KEY (32 bytes, base64).
// Stored as "v1:<iv>:<ciphertext+tag>" (base64). The workspace id is bound in as additional
// data, so a ciphertext copied to another workspace does not decrypt.
// Rotation: set the new key as APOLLO_KEY_ENCRYPTION_KEY and the old one as
// APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS; keys still under the old one decrypt until re-saved.
import type { EnvReader } from "../environment.ts";

const VERSION = "v1";
const encoder = new TextEncoder();

export class KeyDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyDecryptionError";
  }
}

/** Bytes as a plain ArrayBuffer: a BufferSource for Web Crypto in the TypeScript of every Deno we run on. */
function fromBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const buffer = new ArrayBuffer(binary.length);
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return buffer;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

async function importKey(base64Key: string): Promise<CryptoKey> {
  let raw: ArrayBuffer;
  try {
    raw = fromBase64(base64Key.trim());
  } catch {
    throw new Error("APOLLO_KEY_ENCRYPTION_KEY is not valid base64");
  }
  if (raw.byteLength !== 32) {
    throw new Error(`APOLLO_KEY_ENCRYPTION_KEY must be 32 bytes (base64), got ${raw.byteLength}; generate one with: openssl rand -base64 32`);
  }
  return await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

function configuredKeys(env: EnvReader): string[] {
  const current = env.get("APOLLO_KEY_ENCRYPTION_KEY");
  if (!current) throw new Error("APOLLO_KEY_ENCRYPTION_KEY is not set (supabase secrets set APOLLO_KEY_ENCRYPTION_KEY=...)");
  const previous = env.get("APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS");
  return previous ? [current, previous] : [current];
}

export async function encryptApiKey(plaintext: string, workspaceId: string, env: EnvReader = Deno.env): Promise<string> {
  const key = await importKey(configuredKeys(env)[0]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(workspaceId) },
    key,
    encoder.encode(plaintext),
  );
  return `${VERSION}:${toBase64(iv)}:${toBase64(new Uint8Array(ciphertext))}`;
}

export async function decryptApiKey(stored: string, workspaceId: string, env: EnvReader = Deno.env): Promise<string> {
  const [version, ivText, dataText] = stored.split(":");
  if (version !== VERSION || !ivText || !dataText) {
    throw new KeyDecryptionError("The stored Apollo key has an unknown format; save the key again.");
  }
  for (const base64Key of configuredKeys(env)) {
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(ivText), additionalData: encoder.encode(workspaceId) },
        await importKey(base64Key),
        fromBase64(dataText),
      );
      return new TextDecoder().decode(plaintext);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("APOLLO_KEY_ENCRYPTION_KEY")) throw error;
      // wrong key: try the previous one
    }
  }
  throw new KeyDecryptionError(
    "The stored Apollo key cannot be decrypted with the configured encryption key; save the key again in Settings → API.",
  );
}

/** What may be shown of a key: its last four characters. */
export function lastFour(apiKey: string): string {
  return apiKey.slice(-4);
}
