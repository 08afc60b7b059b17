// scripts/deploy/reencrypt-apollo-keys.ts, the step of an APOLLO_KEY_ENCRYPTION_KEY rotation that
// moves every stored key to the new encryption key (docs/deploy.md). Run as operators run it: a
// subprocess with the two keys in its environment, limited to this test's workspaces.
import assert from "node:assert/strict";
import { decryptApiKey, encryptApiKey } from "../../../supabase/functions/_shared/crypto/apollo-key.ts";
import { createWorkspace, integration, sql, testEnv } from "../../../supabase/functions/tests/helpers/stack.ts";

const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const keyEnv = (current: string, previous?: string) => ({
  get: (name: string) =>
    name === "APOLLO_KEY_ENCRYPTION_KEY"
      ? current
      : name === "APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS"
      ? previous
      : undefined,
});
const SCRIPT = new URL("../../../scripts/deploy/reencrypt-apollo-keys.ts", import.meta.url).pathname;

async function storeKey(workspaceId: string, apiKey: string, encryptionKey: string) {
  const ciphertext = await encryptApiKey(apiKey, workspaceId, keyEnv(encryptionKey));
  await sql`update public.workspace_settings set apollo_api_key_encrypted = ${ciphertext}, apollo_api_key_last4 = ${
    apiKey.slice(-4)
  }
            where workspace_id = ${workspaceId}`;
  return ciphertext;
}

async function stored(workspaceId: string): Promise<string> {
  const [row] = await sql<
    { c: string }[]
  >`select apollo_api_key_encrypted as c from public.workspace_settings where workspace_id = ${workspaceId}`;
  return row.c;
}

async function runScript(env: Record<string, string>, workspaces: string[], extra: string[] = []) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, "--db-url", testEnv.DB_URL, ...workspaces.flatMap((w) => ["--workspace", w]), ...extra],
    env: { ...env, NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  return { code: output.code, text };
}

integration("re-encrypt: keys under the previous key move to the new one; nothing is lost; idempotent", async () => {
  const oldKey = randomKey();
  const newKey = randomKey();
  const strangerKey = randomKey();
  const a = await createWorkspace("reencrypt A");
  const b = await createWorkspace("reencrypt B");
  const c = await createWorkspace("reencrypt C");
  const d = await createWorkspace("reencrypt D");
  try {
    const oldA = await storeKey(a.id, "apollo-key-of-workspace-a", oldKey);
    await storeKey(b.id, "apollo-key-of-workspace-b", oldKey);
    const currentC = await storeKey(c.id, "apollo-key-of-workspace-c", newKey);
    const lostD = await storeKey(d.id, "apollo-key-of-workspace-d", strangerKey);
    const ids = [a.id, b.id, c.id, d.id];
    const rotation = { APOLLO_KEY_ENCRYPTION_KEY: newKey, APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS: oldKey };

    const dry = await runScript(rotation, ids, ["--dry-run"]);
    assert.match(dry.text, /would be re-encrypted \(were under the previous key\): 2/);
    assert.equal(await stored(a.id), oldA, "a dry run writes nothing");

    const first = await runScript(rotation, ids);
    assert.equal(first.code, 1, `a key under neither key makes the exit status 1:\n${first.text}`);
    assert.match(first.text, /already under the current key: 1/);
    assert.match(first.text, /re-encrypted \(were under the previous key\): 2/);
    assert.match(
      first.text,
      new RegExp(`under neither key, must be saved again in Settings -> API: 1 \\(workspaces ${d.id}\\)`),
    );
    assert.doesNotMatch(first.text, /apollo-key-of-workspace/, "keys are never printed");

    for (const [ws, plaintext] of [[a.id, "apollo-key-of-workspace-a"], [b.id, "apollo-key-of-workspace-b"]]) {
      const ciphertext = await stored(ws);
      assert.equal(await decryptApiKey(ciphertext, ws, keyEnv(newKey)), plaintext, "decrypts with the new key alone");
      await assert.rejects(
        decryptApiKey(ciphertext, ws, keyEnv(oldKey)),
        /cannot be decrypted/,
        "and no longer with the old one",
      );
    }
    assert.equal(await stored(c.id), currentC, "a key already under the new key is left alone");
    assert.equal(await stored(d.id), lostD, "a key under neither key is left alone (its owners must save it again)");

    await storeKey(d.id, "apollo-key-of-workspace-d", newKey); // its owner saved it again
    const second = await runScript(rotation, ids);
    assert.equal(second.code, 0, second.text);
    assert.match(second.text, /already under the current key: 4/);
    assert.match(second.text, /APOLLO_KEY_ENCRYPTION_KEY_PREVIOUS can be unset/);

    const withoutPrevious = await runScript({ APOLLO_KEY_ENCRYPTION_KEY: newKey }, ids);
    assert.equal(withoutPrevious.code, 0, "after the rotation, the new key alone reads every key");
  } finally {
    for (const ws of [a, b, c, d]) await ws.cleanup();
  }
});

integration("re-encrypt: refuses to run without the new key", async () => {
  const { code, text } = await runScript({}, []);
  assert.equal(code, 2);
  assert.match(text, /APOLLO_KEY_ENCRYPTION_KEY \(the new key\) is not set/);
});
