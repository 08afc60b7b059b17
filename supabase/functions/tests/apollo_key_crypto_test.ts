// Apollo keys at rest: AES-256-GCM round trip, binding to the workspace, rotation.
import assert from "node:assert/strict";
import { decryptApiKey, encryptApiKey, KeyDecryptionError, lastFour } from "../_shared/crypto/apollo-key.ts";

const keyA = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const keyB = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const env = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
const ws = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

Deno.test("a key round-trips and the ciphertext does not contain it", async () => {
  const secret = "apollo-live-key-1234567890";
  const stored = await encryptApiKey(secret, ws, env({ APOLLO_KEY_ENCRYPTION_KEY: keyA }));
  assert.match(stored, /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  assert.ok(!stored.includes(secret) && !atob(stored.split(":")[2]).includes(secret));
  assert.equal(await decryptApiKey(stored, ws, env({ APOLLO_KEY_ENCRYPTION_KEY: keyA })), secret);
  assert.equal(lastFour(secret), "7890");
});

Deno.test("each encryption uses a fresh IV", async () => {
  const e = env({ APOLLO_KEY_ENCRYPTION_KEY: keyA });
  assert.notEqual(await encryptApiKey("same-key-123", ws, e), await encryptApiKey("same-key-123", ws, e));
});

Deno.test("a ciphertext copied to another workspace does not decrypt", async () => {
  const e = env({ APOLLO_KEY_ENCRYPTION_KEY: keyA });
  const stored = await encryptApiKey("apollo-key-abcdef", ws, e);
  await assert.rejects(decryptApiKey(stored, "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", e), KeyDecryptionError);
});

Deno.test("rotation: old ciphertexts decrypt with APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS", async () => {
  const stored = await encryptApiKey("apollo-key-rotate", ws, env({ APOLLO_KEY_ENCRYPTION_KEY: keyA }));
  await assert.rejects(decryptApiKey(stored, ws, env({ APOLLO_KEY_ENCRYPTION_KEY: keyB })), /cannot be decrypted/);
  assert.equal(
    await decryptApiKey(stored, ws, env({ APOLLO_KEY_ENCRYPTION_KEY: keyB, APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS: keyA })),
    "apollo-key-rotate",
  );
});

Deno.test("a missing or malformed encryption key is reported clearly", async () => {
  await assert.rejects(encryptApiKey("k", ws, env({})), /APOLLO_KEY_ENCRYPTION_KEY is not set/);
  await assert.rejects(encryptApiKey("k", ws, env({ APOLLO_KEY_ENCRYPTION_KEY: btoa("short") })), /must be 32 bytes/);
});
