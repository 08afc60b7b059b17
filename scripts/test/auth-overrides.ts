// The stand-in Auth's run-time settings (.stack/<instance>/auth-overrides.json, read on every
// request: scripts/stack/gateway/auth/settings.ts), set for the length of a test.
import type { AuthOverrides } from "../stack/gateway/auth/settings.ts";
import { testConfig } from "./env.ts";

export type { AuthOverrides };

/** Runs fn with these overrides in place, then puts back whatever was there before. */
export async function withAuthOverrides<T>(overrides: AuthOverrides, fn: () => Promise<T>): Promise<T> {
  const file = testConfig.authOverridesFile;
  const before = await Deno.readTextFile(file).catch(() => null);
  await Deno.writeTextFile(file, JSON.stringify(overrides, null, 2));
  try {
    return await fn();
  } finally {
    if (before === null) await Deno.remove(file).catch(() => {});
    else await Deno.writeTextFile(file, before);
  }
}
