// Runs a function's own code inside the test process, against the real local stack (Postgres, Auth,
// the fake Apollo), with the environment chosen by the test. This is how production behaviour is
// tested: the stack runs its function processes as development, with the development worker token.
import { projectFunctionEnv, readKeys } from "../../../../scripts/stack/keys.ts";
import { db } from "../../_shared/db.ts";
import { testConfig, testEnv } from "./stack.ts";

/** What Supabase gives every function, pointed at the test stack (and its transaction pooler, as the stack's functions). */
const STACK_ENV: Record<string, string> = {
  ...projectFunctionEnv(testConfig, await readKeys(testConfig)),
  DB_POOLER_URL: testConfig.poolerUrl,
  APOLLO_KEY_ENCRYPTION_KEY: testConfig.apolloKeyEncryptionKey,
  APOLLO_BASE_URL: `${testEnv.FAKE_APOLLO_URL}/api/v1`,
  MOCK_APOLLO_DELAY_MS: "0",
};

/** Runs fn with the stack's function environment plus `values` (undefined: unset), then puts Deno.env back. */
export async function withFunctionEnv<T>(values: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const wanted: Record<string, string | undefined> = {
    ENVIRONMENT: undefined,
    SB_REGION: undefined,
    USE_MOCK_APOLLO: undefined,
    ...STACK_ENV,
    ...values,
  };
  const before = Object.fromEntries(Object.keys(wanted).map((name) => [name, Deno.env.get(name)]));
  const apply = (env: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  };
  apply(wanted);
  try {
    return await fn();
  } finally {
    apply(before);
  }
}

/** Closes the in-process functions' database pool (call once, after the file's last test). */
export async function closeFunctionDb() {
  await db().end({ timeout: 5 });
}
