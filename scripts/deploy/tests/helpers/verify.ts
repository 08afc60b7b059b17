// verify:deploy run the way an operator runs it, against the test stack, for the deploy_*_test.ts files.
import assert from "node:assert/strict";
import { testEnv, testKeys } from "../../../../supabase/functions/tests/helpers/stack.ts";

export const VERIFY = new URL("../../../../scripts/deploy/verify.ts", import.meta.url).pathname;

export interface Item {
  id: string;
  status: "PASS" | "WARN" | "FAIL" | "SKIP";
  summary: string;
  details?: string[];
}

export async function verify(extra: string[] = [], token = testEnv.WORKER_SECRET_TOKEN, json = true) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      VERIFY,
      "--url",
      testEnv.API_URL,
      "--db-url",
      testEnv.DB_URL,
      "--worker-token",
      token,
      "--publishable-key",
      testKeys.client,
      ...extra,
      ...(json ? ["--json"] : []),
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!json) return { code: output.code, text: stdout + stderr, items: [] as Item[] };
  let items: Item[];
  try {
    items = JSON.parse(stdout).items;
  } catch {
    throw new Error(`verify:deploy printed no JSON (exit ${output.code}):\n${stdout}\n${stderr}`);
  }
  return { code: output.code, text: stdout, items };
}

export const item = (items: Item[], id: string) => {
  const found = items.find((i) => i.id === id);
  assert.ok(found, `no item ${id} in ${JSON.stringify(items.map((i) => i.id))}`);
  return found;
};
